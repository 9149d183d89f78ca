/**
 * Writes the reboot intent (last-kexec.ts) from the reboot paths' own view: the load record
 * as RebootDeps sees it, this boot's boot_id and a digest of the recorded initrds. Best effort:
 * a read-only /var/lib only costs `kexecctl verify` its answer, never the reboot.
 */
import type { RootFs } from '../host/rootfs.js';
import type { RebootDeps } from '../reboot/types.js';
import { intentFromRecord, writeIntent } from './last-kexec.js';
import { initrdDigest } from './planned.js';
import { readRunning } from './running.js';

export function recordRebootIntent(deps: RebootDeps, fs: RootFs, mode: 'kexec' | 'cold', by: string): void {
  try {
    const rec = mode === 'kexec' ? deps.record() : null;
    const digest = rec === null ? null : initrdDigest(fs, rec.initrds);
    writeIntent(fs.root, intentFromRecord(rec, { mode, bootId: readRunning(fs).bootId, initrdDigest: digest, by }));
  } catch (e) {
    deps.warn(`cannot record the reboot for kexecctl verify: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * RebootDeps whose reboot steps (the init system's kexec/reboot commands, execNow, restartNow)
 * first record the intent. telinit 6 kexecs when a kernel is loaded (the sysv stop script), else reboots cold.
 */
export function withIntentRecording(deps: RebootDeps, fs: RootFs, by: string): RebootDeps {
  const run = deps.runner.run.bind(deps.runner);
  const modeOf = (cmd: string, args: readonly string[]): 'kexec' | 'cold' | null => {
    const line = [cmd, ...args].join(' ');
    if (line === 'systemctl kexec') return 'kexec';
    if (line === 'systemctl reboot') return 'cold';
    if (line === 'telinit 6') return deps.loaded() === true ? 'kexec' : 'cold';
    return null;
  };
  const runner: RebootDeps['runner'] = {
    ...deps.runner,
    run: (cmd, args, ...rest) => {
      const mode = modeOf(cmd, args);
      if (mode !== null) recordRebootIntent(deps, fs, mode, by);
      return run(cmd, args, ...rest);
    },
  };
  return {
    ...deps,
    runner,
    execNow: () => {
      recordRebootIntent(deps, fs, 'kexec', by);
      return deps.execNow();
    },
    restartNow: () => {
      recordRebootIntent(deps, fs, 'cold', by);
      return deps.restartNow();
    },
  };
}
