/**
 * What our own load put into the kernel, kept as JSON in /run/kexecctl/ (under a root, so
 * tests use a temp dir). The kernel only says "something is loaded"; this says what.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
