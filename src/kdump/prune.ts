/**
 * KDUMP_NUM_DUMPS (Debian kdump-tools): after a dump is saved, keep only the newest N dump
 * directories, as kdump-config's kdump_save_core() does (it sorts its YYYYMMDDHHMM directories by
 * name and removes the oldest). kdumpctl's are <host>-<YYYY-MM-DD-HH:MM:SS>[.N], kdump-tools' local
 * ones <YYYYMMDDHHMM>[.N] (dump-names.ts); both sort by their date, then by the .N suffix.
 */
import { readdirSync, rmSync } from 'node:fs';
import { posix } from 'node:path';

const DUMP_DIR = /^(.*)-(\d{4}-\d{2}-\d{2}-\d{2}:\d{2}:\d{2})(?:\.(\d+))?$/;
const STAMP_DIR = /^(\d{12})(?:\.(\d+))?$/;

/** Date as YYYYMMDDHHMMSS (kdump-tools' stamps have no seconds: 00) and the .N suffix; null for another name. */
function dumpKey(n: string): { date: string; seq: number } | null {
  const s = STAMP_DIR.exec(n);
  if (s !== null) return { date: `${s[1] ?? ''}00`, seq: Number(s[2] ?? '0') };
  const m = DUMP_DIR.exec(n);
  return m === null ? null : { date: (m[2] ?? '').replace(/[-:]/g, ''), seq: Number(m[3] ?? '0') };
}

/** Oldest first: date, then the .N suffix kdumpctl adds when a name is taken. */
export function dumpDirsOldestFirst(names: readonly string[]): string[] {
  const keyed = names.flatMap((n) => {
    const k = dumpKey(n);
    return k === null ? [] : [{ n, ...k }];
  });
  keyed.sort((a, b) => (a.date === b.date ? a.seq - b.seq : a.date < b.date ? -1 : 1));
  return keyed.map((k) => k.n);
}

/** Which of `names` to remove so that `keep` dumps stay; never `current`. */
export function dumpsToPrune(names: readonly string[], keep: number, current: string): string[] {
  if (keep <= 0) return [];
  const all = dumpDirsOldestFirst(names);
  const excess = all.length - keep;
  return excess <= 0 ? [] : all.filter((n) => n !== current).slice(0, excess);
}

export function pruneDumps(base: string, keep: number, current: string, log: (l: string) => void): string[] {
  let names: string[];
  try {
    names = readdirSync(base, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
  const gone = dumpsToPrune(names, keep, current);
  if (gone.length > 0) log(`KDUMP_NUM_DUMPS=${keep}: too many dumps, removing ${gone.join(' ')}`);
  for (const n of gone) rmSync(posix.join(base, n), { recursive: true, force: true });
  return gone;
}
