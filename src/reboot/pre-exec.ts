/**
 * /etc/kexecctl/pre-exec.d/: executables run just before the kexec jump (issue 12), e.g. to unbind
 * a driver that misbehaves across kexec. Ordered and filtered as `run-parts` does (names of
 * [A-Za-z0-9_-] only, C-locale order, executables only; debianutils run-parts.c), each under a
 * timeout (`timeout -k 5 N`: coreutils and busybox both take it; exit 124 on expiry), their
 * stdout/stderr logged line by line. A hook that fails or times out is logged and the jump goes
 * on: hooks can never keep a machine from rebooting. Hooks not owned by root, or writable by group
 * or others, are skipped with a warning: they would run as root at the most fragile moment.
 */
import { runPartsOrder } from '../config/run-parts.js';
import type { RootFs } from '../host/rootfs.js';
import type { Processes } from '../sys/processes.js';

export const PRE_EXEC_DIR = '/etc/kexecctl/pre-exec.d';
export const PRE_EXEC_TIMEOUT_SEC = 30;

export type HookRun = { name: string; exitCode: number | null; timedOut: boolean; skipped?: string };

export type PreExecOptions = {
  fs: RootFs;
  runner: Processes;
  timeoutSec?: number;
  /** Trusted owners (root). */
  trustedUids?: readonly number[];
  log: (line: string) => void;
  warn: (line: string) => void;
  /** Extra environment for the hooks (KEXECCTL_PHASE=pre-exec is always set). */
  env?: Record<string, string>;
};

/** The hooks that would run, in order, and the names skipped with the reason. */
export function listPreExecHooks(fs: RootFs, trustedUids: readonly number[] = [0]): { run: string[]; skipped: { name: string; why: string }[] } {
  const { accepted, skipped: badNames } = runPartsOrder(fs.list(PRE_EXEC_DIR));
  const run: string[] = [];
  const skipped = badNames.map((name) => ({ name, why: 'name is not run-parts style ([A-Za-z0-9_-] only)' }));
  for (const name of accepted) {
    const st = fs.stat(`${PRE_EXEC_DIR}/${name}`);
    if (st === null || !st.isFile()) continue; // run-parts ignores what is not a regular file
    if ((st.mode & 0o111) === 0) continue; // nor what is not executable (the documented way to disable a hook)
    if (!trustedUids.includes(st.uid)) skipped.push({ name, why: `owned by uid ${st.uid}, not root` });
    else if ((st.mode & 0o022) !== 0)
      skipped.push({ name, why: `writable by ${st.mode & 0o002 ? 'others' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)})` });
    else run.push(name);
  }
  return { run, skipped };
}

export async function runPreExecHooks(o: PreExecOptions): Promise<HookRun[]> {
  const timeout = o.timeoutSec ?? PRE_EXEC_TIMEOUT_SEC;
  const { run, skipped } = listPreExecHooks(o.fs, o.trustedUids);
  const out: HookRun[] = [];
  for (const s of skipped) {
    o.warn(`pre-exec hook ${PRE_EXEC_DIR}/${s.name} skipped: ${s.why}`);
    out.push({ name: s.name, exitCode: null, timedOut: false, skipped: s.why });
  }
  for (const name of run) {
    const path = o.fs.isHost ? `${PRE_EXEC_DIR}/${name}` : `${o.fs.root}${PRE_EXEC_DIR}/${name}`;
    let exitCode: number | null = null;
    let timedOut = false;
    try {
      const r = await o.runner.run('timeout', ['-k', '5', String(timeout), path], { KEXECCTL_PHASE: 'pre-exec', ...o.env });
      exitCode = r.exitCode;
      timedOut = r.exitCode === 124 || r.exitCode === 137;
      for (const l of `${r.stdout}\n${r.stderr}`.split('\n')) if (l.trim() !== '') o.log(`pre-exec.d/${name}: ${l}`);
    } catch (e) {
      o.warn(`pre-exec hook ${name} could not run: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (timedOut) o.warn(`pre-exec hook ${name} timed out after ${timeout} s; going on with the kexec`);
    else if (exitCode !== null && exitCode !== 0) o.warn(`pre-exec hook ${name} exited with ${exitCode}; going on with the kexec`);
    else if (exitCode === 0) o.log(`pre-exec hook ${name}: ok`);
    out.push({ name, exitCode, timedOut });
  }
  return out;
}
