/**
 * `kexecctl reboot`: refresh the load if stale, then reboot through the init system with kexec
 * (systemctl kexec / telinit 6), or at once with --force. When no kernel can be loaded it says
 * why and reboots through the firmware instead: it never leaves the machine running.
 */
import { KexecError } from '../errors.js';
import { detectInitSystem } from './init-system.js';
import { describeRefresh, refreshLoad, type RefreshOutcome } from './refresh.js';
import type { InitSystem, RebootDeps } from './types.js';

export type RebootOptions = {
  force?: boolean;
  dryRun?: boolean;
  /** Issue 12 hook: a reason this reboot must be cold (KEXEC_COLD_IF_DRIVERS bound, the last kexec boot failed); null: none. */
  coldReason?: string | null;
};
export type RebootOutcome = { init: InitSystem; mode: 'kexec' | 'cold'; refresh: RefreshOutcome; steps: string[] };

export const KEXEC_LOADED_UNREADABLE =
  'cannot read /sys/kernel/kexec_loaded (no kexec support in this kernel, or /sys/kernel hidden here): if the init system cannot see the loaded kernel either, this reboot goes through the firmware';

/** systemctl reboot must not turn back into a kexec (systemd >= 255) when we chose a cold reboot. */
const COLD_ENV = { SYSTEMCTL_SKIP_AUTO_KEXEC: '1' };

export async function kexecReboot(deps: RebootDeps, opts: RebootOptions = {}): Promise<RebootOutcome> {
  const dryRun = opts.dryRun === true;
  const init = detectInitSystem((p) => deps.exists(p));
  const refresh = await refreshLoad(deps, { dryRun });
  const steps: string[] = [];
  let mode: 'kexec' | 'cold';
  if (refresh.state === 'fresh' || refresh.state === 'loaded') {
    mode = 'kexec';
    if (refresh.state === 'loaded' && !dryRun) deps.info(describeRefresh(refresh));
  } else if (refresh.state === 'kept') {
    // Issue 18: the planned kernel is damaged on disk; the earlier good load rescues this reboot.
    mode = 'kexec';
    deps.warn(describeRefresh(refresh));
  } else if (refresh.state === 'skipped' && deps.loaded() === true && !refresh.unloaded) {
    mode = 'kexec';
    deps.warn(`${refresh.reason}; a kexec kernel loaded by someone else is in place, rebooting into it`);
  } else {
    mode = 'cold';
    deps.warn(`${describeRefresh(refresh)}: rebooting through the firmware instead of kexec`);
  }
  if (mode === 'kexec' && opts.coldReason != null) {
    mode = 'cold';
    deps.warn(opts.coldReason);
  }
  // The init system and our system-shutdown hook decide on /sys/kernel/kexec_loaded; when it cannot be
  // read here, say that the kexec this plans may not happen (issue 12 matrix, kexec_loaded hidden).
  if (mode === 'kexec' && deps.loaded() === null) deps.warn(KEXEC_LOADED_UNREADABLE);
  const out: RebootOutcome = { init, mode, refresh, steps };
  if (opts.force === true || init === 'unknown') {
    await rebootNow(deps, mode, dryRun, steps);
    return out;
  }
  if (mode === 'kexec') {
    const cmd = init === 'systemd' ? ['systemctl', 'kexec'] : ['telinit', '6'];
    if (await runStep(deps, cmd, dryRun, steps)) return out;
    deps.warn(`${cmd.join(' ')} failed: rebooting through the firmware instead`);
    out.mode = 'cold';
  }
  const cold = init === 'systemd' ? ['systemctl', 'reboot'] : ['telinit', '6'];
  if (await runStep(deps, cold, dryRun, steps, COLD_ENV)) return out;
  // The init system refused: do what reboot -f does rather than nothing.
  deps.warn(`${cold.join(' ')} failed: syncing and rebooting at once`);
  await rebootNow(deps, 'cold', dryRun, steps);
  return out;
}

async function runStep(deps: RebootDeps, cmd: string[], dryRun: boolean, steps: string[], env?: Record<string, string>): Promise<boolean> {
  const shown = `${
    env
      ? Object.entries(env)
          .map(([k, v]) => `${k}=${v} `)
          .join('')
      : ''
  }${cmd.join(' ')}`;
  steps.push(shown);
  if (dryRun) {
    deps.info(`would run: ${shown}`);
    return true;
  }
  try {
    const r = await deps.runner.run(cmd[0] as string, cmd.slice(1), env);
    if (r.exitCode === 0) return true;
    deps.warn(`${shown} exited with ${r.exitCode}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ''}`);
  } catch (e) {
    deps.warn(`${shown}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return false;
}

async function rebootNow(deps: RebootDeps, mode: 'kexec' | 'cold', dryRun: boolean, steps: string[]): Promise<void> {
  if (mode === 'kexec') {
    steps.push('sync; reboot(LINUX_REBOOT_CMD_KEXEC)');
    if (dryRun) {
      deps.info('would sync and reboot(LINUX_REBOOT_CMD_KEXEC) at once');
      return;
    }
    const why = await deps.execNow();
    if (why === null) return;
    deps.warn(`kexec failed: ${why}; rebooting through the firmware instead`);
  }
  steps.push('sync; reboot(LINUX_REBOOT_CMD_RESTART)');
  if (dryRun) {
    deps.info('would sync and reboot(LINUX_REBOOT_CMD_RESTART) at once');
    return;
  }
  const why = await deps.restartNow();
  if (why === null) return;
  throw new KexecError({ code: 'EREBOOT', message: `reboot failed: ${why}`, exitCode: 1 });
}
