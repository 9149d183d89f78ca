/**
 * One load or unload at a time (issue 12, fault matrix: two loads at once). The kernel's
 * kexec_mutex (kernel/kexec_core.c, kexec_trylock() in kexec_load and kexec_file_load) only makes a
 * second concurrent system call fail with EBUSY; it does not cover our record in /run/kexecctl.
 * Without a lock, load A's syscall, load B's syscall, B's record, A's record would leave the record
 * naming A while B is loaded. So kexecctl holds flock(LOCK_EX) on /run/kexecctl/lock from the
 * system call to the record: a second load waits (polling LOCK_NB) and then fails with one line.
 * The lock dies with its holder, SIGKILL included (it belongs to the open file description).
 */
import { closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { posix } from 'node:path';
import { KexecError } from '../errors.js';
import { strerror } from '../sys/errno.js';
import type { Kernel } from '../sys/kernel.js';
import { RECORD_DIR } from './record.js';

/** flock(2) operations (include/uapi/asm-generic/fcntl.h). */
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;
const EAGAIN = 11;

export const LOCK_NAME = 'lock';
/** How long a second load waits for the first one's system call and record (a load holds it for well under a second). */
export const LOCK_WAIT_MS = 30000;

export type LockOptions = {
  waitMs?: number;
  /** Told once when the lock is busy and this call starts waiting. */
  onWait?: (message: string) => void;
  /** Synchronous sleep (tests pass a fake clock). */
  sleep?: (ms: number) => void;
  now?: () => number;
};

export function lockPath(root: string): string {
  return posix.join(root, RECORD_DIR, LOCK_NAME);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Opens the lock file; null when /run/kexecctl cannot hold it (read-only /run): the load then runs unlocked, as before. */
function openLock(file: string): number | null {
  try {
    mkdirSync(posix.dirname(file), { recursive: true, mode: 0o755 });
    return openSync(file, constants.O_RDWR | constants.O_CREAT, 0o600);
  } catch {
    return null;
  }
}

/** Runs fn while holding the load lock; throws EBUSYLOAD (exit 1, one line) when another load kept it for waitMs. */
export function withLoadLock<T>(kernel: Kernel, root: string, fn: () => T, opts: LockOptions = {}): T {
  const file = lockPath(root);
  const fd = openLock(file);
  if (fd === null) return fn();
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? sleepSync;
  const waitMs = opts.waitMs ?? LOCK_WAIT_MS;
  const start = now();
  let told = false;
  try {
    for (;;) {
      const r = kernel.flock(fd, LOCK_EX | LOCK_NB);
      if (r.ok) break;
      if (r.errno !== EAGAIN) throw new KexecError({ code: 'ELOCK', errno: r.errno, message: `cannot lock ${file}: ${strerror(r.errno)}` });
      if (now() - start >= waitMs) {
        throw new KexecError({
          code: 'EBUSYLOAD',
          exitCode: 1,
          message: `another kexecctl load or unload still holds ${file} after ${Math.round(waitMs / 1000)} s; nothing was loaded or unloaded: try again when it has finished`,
        });
      }
      if (!told) opts.onWait?.(`waiting for ${file}: another kexecctl load or unload is running`);
      told = true;
      sleep(100);
    }
    try {
      return fn();
    } finally {
      kernel.flock(fd, LOCK_UN);
    }
  } finally {
    closeSync(fd);
  }
}
