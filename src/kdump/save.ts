/**
 * The pieces of a save (save-dump.ts puts them together): the <host>-<YYYY-MM-DD-HH:MM:SS> dump
 * directory (never reused), the streaming copy that stops on ENOSPC/EIO or a signal with what it
 * wrote, and the kernel log extracted into vmcore-dmesg.txt (or vmcore-dmesg-unavailable.txt saying
 * why; other names for Debian's layout, dump-names.ts).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { posix } from 'node:path';
import { KexecError } from '../errors.js';
import { preadFully } from '../host/open-checked.js';
import { strerror } from '../sys/errno.js';
import type { ByteSource } from './elf-core.js';
import { extractDmesg } from './printk-ring.js';

export type SaveResult = {
  dumpDir: string;
  vmcoreFile: string;
  complete: boolean;
  bytes: number;
  copyMs: number;
  dmesgFile: string;
  dmesgOk: boolean;
  /** Set when the copy stopped early (ENOSPC, EIO ...). */
  error?: string;
  /** Set when a signal stopped the save (SIGTERM, SIGINT): the reason of the abort. */
  interrupted?: string;
};

const pad = (n: number): string => String(n).padStart(2, '0');

/** kdumpctl's directory name: <host>-<YYYY-MM-DD-HH:MM:SS>, local time. */
export function dumpDirName(host: string, d: Date): string {
  const safeHost = host.replace(/[^A-Za-z0-9._-]/g, '_') || 'localhost';
  return `${safeHost}-${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}-${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function errnoOf(e: unknown): { errno: number; code: string } {
  const x = e as { errno?: unknown; code?: unknown };
  return { errno: typeof x.errno === 'number' ? Math.abs(x.errno) : 5, code: typeof x.code === 'string' ? x.code : 'EIO' };
}

/** Creates a fresh dump directory; a name already taken gets a .1, .2 ... suffix, never reused. */
export function createDumpDir(base: string, name: string): string {
  mkdirSync(base, { recursive: true, mode: 0o700 });
  for (let i = 0; i < 1000; i++) {
    const dir = posix.join(base, i === 0 ? name : `${name}.${i}`);
    try {
      mkdirSync(dir, { mode: 0o700 });
      return dir;
    } catch (e) {
      if (errnoOf(e).code !== 'EEXIST') {
        throw new KexecError({ code: 'EDUMPDIR', path: dir, message: `cannot create dump directory ${dir}: ${strerror(errnoOf(e).errno)}` });
      }
    }
  }
  throw new KexecError({ code: 'EDUMPDIR', message: `too many dumps named ${name} in ${base}` });
}

export function fdSource(fd: number): ByteSource {
  return {
    read: (offset, length) => preadFully(fd, offset, length),
  };
}

export function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some file systems refuse fsync on directories; the data itself is already synced
  }
}

export type CopyOptions = {
  chunk: number;
  /** fsync the output after every this many bytes (0: never): a dead disk (EIO) stops the copy early. */
  syncEvery: number;
  /** Aborted (SIGTERM ...): the copy stops before its next chunk. */
  signal?: AbortSignal;
};
export type CopyOutcome = { bytes: number; error?: { errno: number; code: string }; interrupted?: string };

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Copies in to out; returns bytes written and, if it stopped early, why. Between chunks it yields to
 * the event loop, so a signal handler can run and abort the copy mid-way (the reads and writes
 * themselves stay synchronous: /proc/vmcore is read at memory speed). Writeback errors only show at
 * a sync, hence the periodic sync: a failing dump disk stops the copy within syncEvery bytes
 * instead of after the whole vmcore went into the page cache, and what was copied before a power
 * loss is on the disk. fsync, not fdatasync: once (a local CI run) a power loss left the file 24 MiB
 * long on the kdump tier's ext4 without a journal, although the 64 MiB fdatasync had returned. The
 * likely cause (not proven): with delayed allocation the new size reaches the inode during that very
 * writeback, and fdatasync writes the inode only if the VFS marked it datasync-dirty, while fsync
 * writes it whenever it is dirty at all. The cost is one inode write per 64 MiB.
 */
export async function copyStream(inFd: number, outFd: number, o: CopyOptions): Promise<CopyOutcome> {
  const buf = Buffer.alloc(o.chunk);
  let bytes = 0;
  let synced = 0;
  for (;;) {
    if (o.signal?.aborted === true) return { bytes, interrupted: String(o.signal.reason) };
    let n: number;
    try {
      n = readSync(inFd, buf, 0, o.chunk, bytes);
    } catch (e) {
      return { bytes, error: errnoOf(e) };
    }
    if (n === 0) return { bytes };
    let off = 0;
    while (off < n) {
      try {
        off += writeSync(outFd, buf, off, n - off, bytes + off);
      } catch (e) {
        return { bytes: bytes + off, error: errnoOf(e) };
      }
    }
    bytes += n;
    if (o.syncEvery > 0 && bytes - synced >= o.syncEvery) {
      try {
        fsyncSync(outFd);
      } catch (e) {
        return { bytes, error: errnoOf(e) };
      }
      synced = bytes;
    }
    await nextTurn();
  }
}

function writeNewFile(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** File names of the kernel log (dump-names.ts; kdump-tools calls it dmesg.<YYYYMMDDHHMM>). */
export type DmesgNames = { dmesg: string; dmesgUnavailable: string };
const KDUMP_UTILS_DMESG: DmesgNames = { dmesg: 'vmcore-dmesg.txt', dmesgUnavailable: 'vmcore-dmesg-unavailable.txt' };

export function saveDmesg(
  src: ByteSource,
  dumpDir: string,
  result: Pick<SaveResult, 'dmesgFile' | 'dmesgOk'>,
  log: (l: string) => void,
  names: DmesgNames = KDUMP_UTILS_DMESG,
): void {
  let text: string;
  let ok = false;
  try {
    const d = extractDmesg(src);
    text = d.text;
    ok = true;
    log(`extracted ${d.records} kernel log records${d.osrelease === undefined ? '' : ` (kernel ${d.osrelease})`}`);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    text = `kexecctl could not extract the kernel log from the vmcore: ${why}\n`;
    log(`kernel log extraction failed: ${why}`);
  }
  const name = ok ? names.dmesg : names.dmesgUnavailable;
  const final = posix.join(dumpDir, name);
  const tmp = posix.join(dumpDir, `${name}.incomplete`);
  try {
    writeNewFile(tmp, text);
    renameSync(tmp, final);
    result.dmesgFile = final;
    result.dmesgOk = ok;
  } catch (e) {
    log(`cannot write ${final}: ${strerror(errnoOf(e).errno)}`);
    result.dmesgFile = tmp;
  }
}
