/**
 * coldreboot: a full reboot through the firmware, as Debian's kexec-tools offers it. Unloads any
 * kexec kernel, creates /no-kexec-reboot (which kexec-load and the reboot paths honour and the
 * next boot removes), then runs the init system's reboot with the caller's arguments.
 */
import { KexecError } from '../errors.js';
import { NO_KEXEC_FLAG, type RebootDeps } from './types.js';

export type ColdRebootOptions = { dryRun?: boolean; rebootCommand?: string };

export async function coldReboot(deps: RebootDeps, args: readonly string[], opts: ColdRebootOptions = {}): Promise<number> {
  const dryRun = opts.dryRun === true;
  const reboot = opts.rebootCommand ?? 'reboot';
  if (deps.loaded() === true) {
    if (dryRun) deps.info('would unload the loaded kexec kernel');
    else {
      try {
        await deps.unload();
      } catch (e) {
        // The flag file and SYSTEMCTL_SKIP_AUTO_KEXEC still keep every reboot path away from kexec.
        deps.warn(`cannot unload the kexec kernel (${e instanceof Error ? e.message : String(e)}); relying on ${NO_KEXEC_FLAG}`);
      }
    }
  }
  if (dryRun) deps.info(`would create ${NO_KEXEC_FLAG}`);
  else deps.touch(NO_KEXEC_FLAG);
  const shown = `SYSTEMCTL_SKIP_AUTO_KEXEC=1 ${[reboot, ...args].join(' ')}`;
  if (dryRun) {
    deps.info(`would run: ${shown}`);
    return 0;
  }
  try {
    const r = await deps.runner.run(reboot, args, { SYSTEMCTL_SKIP_AUTO_KEXEC: '1' });
    if (r.exitCode !== 0) deps.warn(`${shown} exited with ${r.exitCode}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ''}`);
    return r.exitCode;
  } catch (e) {
    throw new KexecError({ code: 'EREBOOT', message: `cannot run ${reboot}: ${e instanceof Error ? e.message : String(e)}` });
  }
}
