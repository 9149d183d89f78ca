/**
 * The fingerprint of a plan's inputs (issue 14): one line per input, each the exact output of a
 * command a POSIX shell can run, so kernel/kexecctl-unchanged checks it with `stat -c`, `cksum`
 * and `ls` alone, and node checks it with the same lineFor():
 *   F DEV INO MODE SIZE MTIME CTIME PATH   stat -c '%d %i %f %s %.9Y %.9Z %n' (files, symlinks, listed dirs)
 *   T MODE MAJOR MINOR PATH                stat -c '%f %t %T %n' (other dirs, devices, anything in /proc or /sys)
 *   A PATH                                 must not exist (not even as a dangling symlink)
 *   C CRC SIZE PATH                        cksum PATH (content of a /proc or /sys file)
 *   M CRC SIZE PATH                        mountinfo without virtual file systems' lines, through cksum
 *   L CRC SIZE PATH                        LC_ALL=C ls -A1 PATH | cksum (a /proc or /sys directory)
 *   X REASON                               never unchanged (racy timestamp, a one-shot boot choice ...)
 * Any disagreement between the two formatters can only say "changed": a line either matches
 * byte for byte or not. Racy files (git's is_racy_timestamp): an input whose ctime is not clearly
 * older than the plan's first read may have changed again within the same timestamp tick, so it
 * makes the fingerprint never match rather than risk a wrong "unchanged".
 */
import { lstatSync, readFileSync, readdirSync, type BigIntStats } from 'node:fs';
import { VIRTUAL } from '../host/mounts.js';
import { cksumFields } from './cksum.js';
import { isPseudo, type Notes } from './recording-rootfs.js';

export const FINGERPRINT_HEADER = 'kexecctl-fingerprint 1';
export const FINGERPRINT_END = 'end';

/** Margins before the plan's start inside which a ctime is racy: ns-stamped file systems, and whole-second ones (vfat: 2 s). */
const RACY_NS_MS = 500;
const RACY_COARSE_MS = 2500;

export type LineKind = 'F' | 'T' | 'A' | 'C' | 'M' | 'L';

const ts = (ns: bigint): string => `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
/** glibc's gnu_dev_major / gnu_dev_minor, printed in hex as %t / %T do. */
const major = (d: bigint): string => (((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn)).toString(16);
const minor = (d: bigint): string => ((d & 0xffn) | ((d >> 12n) & ~0xffn)).toString(16);

function lstat(p: string): BigIntStats | null {
  try {
    return lstatSync(p, { bigint: true, throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

const fullLine = (st: BigIntStats, p: string): string => `F ${st.dev} ${st.ino} ${st.mode.toString(16)} ${st.size} ${ts(st.mtimeNs)} ${ts(st.ctimeNs)} ${p}`;
const typeLine = (st: BigIntStats, p: string): string => `T ${st.mode.toString(16)} ${major(st.rdev)} ${minor(st.rdev)} ${p}`;

/**
 * The mountinfo lines parseMountinfo can use — all but those of a virtual file system type
 * (tmpfs, proc, cgroup ...: /run/user/N comes and goes with logins) — complete lines only, as
 * the shell's `read` loop in kernel/kexecctl-unchanged keeps them.
 */
export function mountinfoBlockLines(text: string): string {
  const lines = text.split('\n');
  lines.pop(); // the part after the last newline: the shell's `read` drops it
  const keep = (l: string): boolean => {
    const dash = l.indexOf(' - ');
    return dash < 0 || !VIRTUAL.has(l.slice(dash + 3).split(' ')[0] as string);
  };
  return lines
    .filter(keep)
    .map((l) => `${l}\n`)
    .join('');
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The line of this kind for a host path as it is now, or null when it cannot be (unreadable, newline in a name). */
export function lineFor(kind: LineKind, p: string): string | null {
  if (p.includes('\n') || p === '') return null;
  switch (kind) {
    case 'A':
      return lstat(p) === null ? `A ${p}` : null;
    case 'F':
    case 'T': {
      const st = lstat(p);
      return st === null ? null : kind === 'F' ? fullLine(st, p) : typeLine(st, p);
    }
    case 'C':
    case 'M': {
      let data: Buffer;
      try {
        data = readFileSync(p);
      } catch {
        return null;
      }
      if (kind === 'M') data = Buffer.from(mountinfoBlockLines(data.toString('latin1')), 'latin1');
      return `${kind} ${cksumFields(data)} ${p}`;
    }
    case 'L': {
      let names: string[];
      try {
        names = readdirSync(p).sort(byteOrder);
      } catch {
        return null;
      }
      if (names.some((n) => n.includes('\n'))) return null;
      return `L ${cksumFields(Buffer.from(names.map((n) => `${n}\n`).join('')))} ${p}`;
    }
  }
}

const MOUNTINFO = /^\/proc\/(?:self|thread-self|\d+)\/mountinfo$/;

export type FingerprintInput = {
  root: string;
  /** What the plan touched (RecordingRootFs.notes), in-root canonical paths. */
  notes: Notes;
  /** RecordingRootFs.startedMs; inputs changed after it (minus the margins) are racy. */
  startedMs: number;
  /** In-root paths of state the decision also read (loaded.json, kexec_loaded): noted the same way, never racy. */
  state?: Notes;
  /** Host paths of kexecctl's own code: an upgrade between load and shutdown changes them. */
  code?: readonly string[];
};

/** Every line, sorted by path and kind, with X lines for what cannot be fingerprinted. */
export function fingerprintLines(input: FingerprintInput): string[] {
  const out: string[] = [];
  const host = (p: string): string => (input.root === '/' ? p : `${input.root}${p}`);
  const add = (notes: Notes, racy: boolean): void => {
    for (const p of [...notes.keys()].sort(byteOrder)) {
      const roles = notes.get(p) as Set<string>;
      const h = host(p);
      const pseudo = isPseudo(p);
      const kinds: LineKind[] = [];
      const st = lstat(h);
      if (roles.has('content') && st !== null) kinds.push(MOUNTINFO.test(p) ? 'M' : 'C');
      if (st === null) kinds.push('A');
      else if (pseudo) {
        kinds.push('T');
        if (roles.has('list')) kinds.push('L');
      } else if (st.isDirectory() && !roles.has('list')) kinds.push('T');
      else if (st.isFile() || st.isSymbolicLink() || st.isDirectory()) kinds.push('F');
      else kinds.push('T');
      for (const k of kinds) {
        const line = lineFor(k, h);
        if (line === null) {
          out.push(`X cannot fingerprint ${JSON.stringify(h)}`);
          continue;
        }
        out.push(line);
      }
      if (racy && st !== null && kinds.includes('F')) {
        const coarse = st.ctimeNs % 1_000_000_000n === 0n;
        const limit = BigInt(input.startedMs - (coarse ? RACY_COARSE_MS : RACY_NS_MS)) * 1_000_000n;
        if (st.ctimeNs >= limit) out.push(`X racy ${JSON.stringify(h)} changed just before or while it was read`);
      }
    }
  };
  add(input.notes, true);
  if (input.state) add(input.state, false);
  for (const c of input.code ?? []) out.push(lineFor('F', c) ?? `X cannot fingerprint ${JSON.stringify(c)}`);
  return out;
}

export function serializeFingerprint(lines: readonly string[]): string {
  return `${FINGERPRINT_HEADER}\n${lines.join('\n')}${lines.length ? '\n' : ''}${FINGERPRINT_END}\n`;
}

const FIELDS: Record<LineKind, number> = { F: 6, T: 3, A: 0, C: 2, M: 2, L: 2 };

/** Node's own check, the same answer as kernel/kexecctl-unchanged: true only when every line still holds. */
export function fingerprintHolds(text: string): boolean {
  const lines = text.split('\n');
  if (lines[0] !== FINGERPRINT_HEADER || lines.at(-1) !== '' || lines.at(-2) !== FINGERPRINT_END) return false;
  for (const line of lines.slice(1, -2)) {
    const kind = line[0] as LineKind;
    const n = FIELDS[kind];
    if (n === undefined || line[1] !== ' ') return false;
    const path = line.slice(2).split(' ').slice(n).join(' ');
    if (lineFor(kind, path) !== line) return false;
  }
  return true;
}
