/**
 * What our own load put into the kernel, kept as JSON in /run/kexecctl/ (under a root, so
 * tests use a temp dir). The kernel only says "something is loaded"; this says what.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';

export const RECORD_DIR = '/run/kexecctl';

export type LoadRecord = {
  kernel: string;
  initrds: string[];
  cmdline: string;
  /** ISO 8601 time of the load. */
  time: string;
  syscall: 'kexec_file_load' | 'kexec_load';
  crash: boolean;
  release: string | null;
  format: string;
  /** boot_id of the boot that made the load (fleet signals, issue 13); absent in records written before. */
  bootId?: string;
};

/** /proc/sys/kernel/random/boot_id under the root, or undefined. */
function bootIdUnder(root: string): string | undefined {
  try {
    const id = readFileSync(posix.join(root, '/proc/sys/kernel/random/boot_id'), 'utf8').trim();
    return id === '' ? undefined : id;
  } catch {
    return undefined;
  }
}

function recordPath(root: string, crash: boolean): string {
  return posix.join(root, RECORD_DIR, crash ? 'crash.json' : 'loaded.json');
}

export function writeLoadRecord(root: string, rec: LoadRecord): string {
  const file = recordPath(root, rec.crash);
  mkdirSync(posix.dirname(file), { recursive: true, mode: 0o755 });
  const tmp = `${file}.${process.pid}.tmp`;
  const bootId = rec.bootId ?? bootIdUnder(root);
  writeFileSync(tmp, JSON.stringify(bootId === undefined ? rec : { ...rec, bootId }, null, 2) + '\n', { mode: 0o644 });
  renameSync(tmp, file);
  return file;
}

export function readLoadRecord(root: string, crash: boolean): LoadRecord | null {
  try {
    const v = JSON.parse(readFileSync(recordPath(root, crash), 'utf8')) as Partial<LoadRecord>;
    if (typeof v.kernel !== 'string' || typeof v.cmdline !== 'string') return null;
    return {
      kernel: v.kernel,
      initrds: Array.isArray(v.initrds) ? v.initrds.filter((s): s is string => typeof s === 'string') : [],
      cmdline: v.cmdline,
      time: typeof v.time === 'string' ? v.time : '',
      syscall: v.syscall === 'kexec_load' ? 'kexec_load' : 'kexec_file_load',
      crash,
      release: typeof v.release === 'string' ? v.release : null,
      format: typeof v.format === 'string' ? v.format : 'unknown',
      ...(typeof v.bootId === 'string' ? { bootId: v.bootId } : {}),
    };
  } catch {
    return null;
  }
}

export function removeLoadRecord(root: string, crash: boolean): void {
  rmSync(recordPath(root, crash), { force: true });
}

/**
 * Issue 12 (SIGKILL of a load in progress): from the system call until the new record is written,
 * nobody knows which kernel is loaded, so the earlier record is moved aside (<record>.previous,
 * never read as a record) first. A load killed in between leaves no record: status then says a kernel
 * is loaded that kexecctl has no record of, and the reboot path reloads the plan, instead of a record
 * naming the earlier kernel while the new one may be loaded. Returns what the caller does next:
 * restore() when the kernel refused the load (it kept the earlier image), drop() once the new record is written.
 */
export function setRecordAside(root: string, crash: boolean): { restore: () => void; drop: () => void } {
  const file = recordPath(root, crash);
  const aside = `${file}.previous`;
  let moved = false;
  try {
    if (existsSync(file)) {
      renameSync(file, aside);
      moved = true;
    } else rmSync(aside, { force: true }); // what an interrupted load left: no use once this load decides
  } catch {
    moved = false; // a read-only /run: the record cannot change either way
  }
  const quietly = (f: () => void): void => {
    try {
      if (moved) f();
    } catch {
      // the load's outcome stands; a leftover <record>.previous is never read as a record
    }
  };
  return { restore: () => quietly(() => renameSync(aside, file)), drop: () => quietly(() => rmSync(aside, { force: true })) };
}
