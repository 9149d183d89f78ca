/**
 * For `kexecctl status`: will the next plain `reboot` be a kexec, and if not, why not.
 */
import { bootableEarlierLoad } from './refresh.js';
import { compareWithRecord } from './staleness.js';
import { detectInitSystem, rebootPathKexecs } from './init-system.js';
import { NO_KEXEC_FLAG, type RebootDeps } from './types.js';

export type NextReboot = { kexec: boolean; reason: string };

export async function nextRebootWillKexec(deps: RebootDeps, systemdVersion: number | null): Promise<NextReboot> {
  const loaded = deps.loaded();
  if (loaded === null) return { kexec: false, reason: 'this kernel has no kexec support (/sys/kernel/kexec_loaded is missing)' };
  if (deps.exists(NO_KEXEC_FLAG)) return { kexec: false, reason: `coldreboot requested a firmware reboot (${NO_KEXEC_FLAG})` };
  const init = detectInitSystem((p) => deps.exists(p));
  const path = rebootPathKexecs(init, systemdVersion, deps);
  if (!path.yes) return { kexec: false, reason: path.why };
  let want;
  try {
    want = await deps.plan();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return loaded
      ? { kexec: false, reason: `the plan fails (${msg}); kexec-load unloads the stale kernel at shutdown` }
      : { kexec: false, reason: `nothing is loaded and the plan fails: ${msg}` };
  }
  if (want.action === 'skip') {
    return loaded && deps.record() === null
      ? { kexec: true, reason: `${want.reason}, but a kernel loaded by another tool is in place` }
      : { kexec: false, reason: want.reason };
  }
  if (!loaded) {
    return init === 'sysvinit'
      ? { kexec: true, reason: `kexec-load will load ${want.kernel} at runlevel 6; ${path.why}` }
      : { kexec: false, reason: 'nothing is loaded (is kexec-load.service enabled?)' };
  }
  const f = compareWithRecord(want, true, deps.record(), (p) => deps.ctimeMs(p));
  if (f.fresh) return { kexec: true, reason: `${want.kernel} is loaded; ${path.why}` };
  // Issue 18: the reload at shutdown only happens if the planned files pass the load's checks.
  const bad = deps.verify === undefined ? null : await deps.verify(want);
  if (bad !== null) {
    const earlier = bootableEarlierLoad(deps);
    return 'record' in earlier
      ? {
          kexec: true,
          reason: `the planned ${want.kernel} failed its check (${bad}); the earlier load ${earlier.record.kernel} (${earlier.record.release ?? '?'}) is kept and booted`,
        }
      : {
          kexec: false,
          reason: `the planned ${want.kernel} failed its check (${bad}); ${earlier.why}, so kexec-load unloads it and a firmware reboot meets the same file`,
        };
  }
  return { kexec: true, reason: `the loaded kernel is stale (${f.reason}); kexec-load reloads ${want.kernel} before the reboot` };
}
