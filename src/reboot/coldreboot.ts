/**
 * coldreboot: a full reboot through the firmware, as Debian's kexec-tools offers it. Unloads any
 * kexec kernel, creates /no-kexec-reboot (which kexec-load and the reboot paths honour and the
 * next boot removes), then runs the init system's reboot with the caller's arguments.
 */
import { KexecError } from '../errors.js';
import { NO_KEXEC_FLAG, type RebootDeps } from './types.js';

export type ColdRebootOptions = { dryRun?: boolean; rebootCommand?: string; retries?: number; retryDelayMs?: number };

/** Unloads until nothing is loaded; returns null on success, else the last reason. */
async function unloadWithRetry(deps: RebootDeps, retries: number, delayMs: number): Promise<string | null> {
  let last: string | null = null;
  for (let i = 0; i <= retries; i++) {
    if (deps.loaded() !== true) return null;
    try {
      await deps.unload();
      last = null;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (deps.loaded() !== true) return null;
    if (i < retries) await new Promise((r) => setTimeout(r, delayMs));
  }
  return last ?? 'a kernel is still loaded';
}

export async function coldReboot(deps: RebootDeps, args: readonly string[], opts: ColdRebootOptions = {}): Promise<number> {
  const dryRun = opts.dryRun === true;
  const reboot = opts.rebootCommand ?? 'reboot';
  if (dryRun) {
    if (deps.loaded() === true) deps.info('would unload the loaded kexec kernel');
    deps.info(`would create ${NO_KEXEC_FLAG}`);
  } else {
    // The flag first: from now on every refresh (kexec-reload.service, kexec-load's ExecStop) plans
    // "skip" and unloads. Then unload; a load that was still running when we started (EBUSY)
    // finishes within moments, so retry. systemd < 255's own `reboot` kexecs whatever is loaded.
    deps.touch(NO_KEXEC_FLAG);
    const why = await unloadWithRetry(deps, opts.retries ?? 20, opts.retryDelayMs ?? 500);
    if (why !== null) deps.warn(`cannot unload the kexec kernel (${why}); relying on ${NO_KEXEC_FLAG}`);
  }
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
