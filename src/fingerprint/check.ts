/**
 * Reading side of the fingerprint (issue 14; the format is described in fingerprint.ts): the
 * line each kind of input gives now, and whether every line of a fingerprint still holds. Kept
 * apart from the writer so that `kexecctl plan`'s cache check loads as little as possible.
 */
import { lstatSync, readFileSync, readdirSync, readlinkSync, type BigIntStats } from 'node:fs';
import { VIRTUAL } from '../host/mounts.js';
import { cksumFields } from './cksum.js';

export const FINGERPRINT_HEADER = 'kexecctl-fingerprint 1';
export const FINGERPRINT_END = 'end';

export type LineKind = 'F' | 'T' | 'R' | 'A' | 'C' | 'M' | 'L';

const ts = (ns: bigint): string => `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
/** glibc's gnu_dev_major / gnu_dev_minor, printed in hex as %t / %T do. */
const major = (d: bigint): string => (((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn)).toString(16);
const minor = (d: bigint): string => ((d & 0xffn) | ((d >> 12n) & ~0xffn)).toString(16);

export function lstat(p: string): BigIntStats | null {
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

export function byteOrder(a: string, b: string): number {
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
    case 'R': {
      // stat -c 'R %N' with QUOTING_STYLE=literal: "R PATH -> TARGET" (coreutils src/stat.c, %N).
      let target: string;
      try {
        target = readlinkSync(p);
      } catch {
        return null;
      }
      return target.includes('\n') ? null : `R ${p} -> ${target}`;
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

const FIELDS: Record<LineKind, number> = { F: 6, T: 3, R: 0, A: 0, C: 2, M: 2, L: 2 };

/** Node's own check, the same answer as kernel/kexecctl-unchanged: true only when every line still holds. */
export function fingerprintHolds(text: string): boolean {
  const lines = text.split('\n');
  if (lines[0] !== FINGERPRINT_HEADER || lines.at(-1) !== '' || lines.at(-2) !== FINGERPRINT_END) return false;
  for (const line of lines.slice(1, -2)) {
    const kind = line[0] as LineKind;
    const n = FIELDS[kind];
    if (n === undefined || line[1] !== ' ') return false;
    // R: the path ends at the first " -> " (a path with one in it can only fail to match).
    const path = kind === 'R' ? (line.slice(2).split(' -> ')[0] ?? '') : line.slice(2).split(' ').slice(n).join(' ');
    if (lineFor(kind, path) !== line) return false;
  }
  return true;
}
