/**
 * Deep checks remembered per file version (issue 14). The deep check (issue 18: the kernel's payload
 * decompressed with its checksum, every initrd read to its end) costs ~0.9 s of CPU on the host for
 * Debian's kernel and initrd, and 8 s or more under TCG, on every load kexec-load.service makes: at
 * boot and, after a change, at shutdown. The same file version is checked once; kexecctl's own
 * automatic loads (the reboot path) then skip it while the file is unchanged.
 *
 * "Unchanged" is the fstat of the very descriptor handed to the kernel: device, inode, size,
 * mtime and ctime in nanoseconds. Every write, truncate, chmod, rename or replacement changes the
 * ctime, which no system call can set back (utimensat sets atime and mtime only), so a file put
 * back with its old size and mtime is checked again. What this cannot see is a change below the
 * file system (a raw write to the block device, bit rot); GRUB checks nothing there either.
 *
 * Kept in /var/lib/kexecctl/verified: one line per file version, "KEY PATH", newest last, at most
 * MAX_VERIFIED lines. A file not owned by a trusted uid, or writable by group or others, is ignored
 * (a forged line would switch a check off). Explicit `kexec -l --verify` never uses it.
 */
import { fstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';

export const VERIFIED_FILE = '/var/lib/kexecctl/verified';
export const MAX_VERIFIED = 16;

export type VerifiedCache = {
  has(key: string): boolean;
  add(key: string, path: string): void;
};

/** The file version of an open descriptor: dev:ino:size:mtime_ns:ctime_ns. */
export function fileVersionKey(fd: number): string {
  const s = fstatSync(fd, { bigint: true });
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

const KEY = /^\d+:\d+:\d+:\d+:\d+$/;

/** Parses the file: KEY PATH lines, oldest first; anything else is dropped. Pure. */
export function parseVerified(text: string): { key: string; path: string }[] {
  const out: { key: string; path: string }[] = [];
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    const key = sp < 0 ? line : line.slice(0, sp);
    if (KEY.test(key)) out.push({ key, path: sp < 0 ? '' : line.slice(sp + 1) });
  }
  return out;
}

/** The entries with `key` moved (or added) last, the oldest dropped beyond `max`. Pure. */
export function withVerified(
  entries: readonly { key: string; path: string }[],
  key: string,
  path: string,
  max = MAX_VERIFIED,
): { key: string; path: string }[] {
  const rest = entries.filter((e) => e.key !== key);
  return [...rest, { key, path: path.replace(/\n/g, '?') }].slice(-max);
}

export const formatVerified = (entries: readonly { key: string; path: string }[]): string => entries.map((e) => `${e.key} ${e.path}\n`).join('');

/** The cache kept under `root`; `write: false` (dry runs) reads it only. */
export class FileVerifiedCache implements VerifiedCache {
  private entries: { key: string; path: string }[] | null = null;
  private readonly file: string;

  constructor(
    root: string,
    private readonly o: { write: boolean; trustedUids: readonly number[] },
  ) {
    this.file = posix.join(root, VERIFIED_FILE);
  }

  private load(): { key: string; path: string }[] {
    if (this.entries !== null) return this.entries;
    this.entries = [];
    try {
      const st = statSync(this.file);
      if (st.isFile() && this.o.trustedUids.includes(st.uid) && (st.mode & 0o022) === 0) this.entries = parseVerified(readFileSync(this.file, 'utf8'));
    } catch {
      // none yet, or unreadable: everything is checked
    }
    return this.entries;
  }

  has(key: string): boolean {
    return this.load().some((e) => e.key === key);
  }

  add(key: string, path: string): void {
    this.entries = withVerified(this.load(), key, path);
    if (!this.o.write) return;
    try {
      mkdirSync(posix.dirname(this.file), { recursive: true, mode: 0o755 });
      const tmp = `${this.file}.tmp`;
      rmSync(tmp, { force: true });
      writeFileSync(tmp, formatVerified(this.entries), { mode: 0o644 });
      renameSync(tmp, this.file);
    } catch {
      // a read-only /var: the next load checks again, nothing worse
    }
  }
}
