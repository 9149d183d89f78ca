/**
 * systemd-boot's menu order and default choice.
 * Order (boot.c boot_entry_compare): entries with no tries left go last; entries with a sort-key
 * come before those without; with sort-keys on both: sort-key, then machine-id (bytewise), then
 * version newest first; then the id newest first (version compare); then more tries left first,
 * then fewer tries done.
 * Default (config_select_default_entry): the one-shot EFI variable, else the default EFI variable
 * (bootctl set-default), else loader.conf's "default" glob; each picks the first match in menu
 * order; with none, the first entry.
 */
import { compareVersions } from './version.js';
import type { BlsEntry } from './entry.js';

const bytewise = (a: string, b: string): number => (a === b ? 0 : a < b ? -1 : 1);

export function compareSdBoot(a: BlsEntry, b: BlsEntry): number {
  let r = Number(a.triesLeft === 0) - Number(b.triesLeft === 0);
  if (r !== 0) return r;
  r = Number(a.sortKey === null) - Number(b.sortKey === null);
  if (r !== 0) return r;
  if (a.sortKey !== null && b.sortKey !== null) {
    r = bytewise(a.sortKey, b.sortKey);
    if (r !== 0) return r;
    r = bytewise(a.machineId ?? '', b.machineId ?? '');
    if (r !== 0) return r;
    r = -compareVersions(a.version, b.version);
    if (r !== 0) return r;
  }
  r = -compareVersions(a.id, b.id);
  if (r !== 0) return r;
  if (a.triesLeft === null || b.triesLeft === null) return 0;
  r = b.triesLeft - a.triesLeft;
  if (r !== 0) return r;
  return (a.triesDone ?? 0) - (b.triesDone ?? 0);
}

export function sortSdBoot(entries: readonly BlsEntry[]): BlsEntry[] {
  return [...entries].sort(compareSdBoot);
}

/** The EFI firmware-style glob systemd-boot uses for "default": * ? [a-z] [!x] and \ escapes, case-folded. */
export function globMatch(pattern: string, text: string): boolean {
  const p = pattern.toLowerCase();
  const t = text.toLowerCase();
  const go = (pi: number, ti: number): boolean => {
    while (pi < p.length) {
      const c = p[pi] as string;
      if (c === '*') {
        for (let k = ti; k <= t.length; k++) if (go(pi + 1, k)) return true;
        return false;
      }
      if (ti >= t.length) return false;
      if (c === '?') {
        pi++;
        ti++;
        continue;
      }
      if (c === '[') {
        const end = p.indexOf(']', pi + 2);
        if (end > 0) {
          let set = p.slice(pi + 1, end);
          const negate = set.startsWith('!') || set.startsWith('^');
          if (negate) set = set.slice(1);
          const ch = t[ti] as string;
          let hit = false;
          for (let k = 0; k < set.length; k++) {
            if (set[k + 1] === '-' && k + 2 < set.length) {
              if (ch >= (set[k] as string) && ch <= (set[k + 2] as string)) hit = true;
              k += 2;
            } else if (set[k] === ch) hit = true;
          }
          if (hit === negate) return false;
          pi = end + 1;
          ti++;
          continue;
        }
      }
      const lit = c === '\\' && pi + 1 < p.length ? (p[++pi] as string) : c;
      if (lit !== t[ti]) return false;
      pi++;
      ti++;
    }
    return ti === t.length;
  };
  return go(0, 0);
}

export type SdBootDefaults = { oneShot?: string | null; efiDefault?: string | null; configDefault?: string | null };

export type SdBootChoice = { index: number; by: 'oneshot' | 'efi-default' | 'loader.conf' | 'first' };

/** Index of the default entry in a sorted list, or null when the list is empty. */
export function selectSdBootDefault(sorted: readonly BlsEntry[], d: SdBootDefaults): SdBootChoice | null {
  if (sorted.length === 0) return null;
  const find = (pattern: string | null | undefined): number =>
    pattern === null || pattern === undefined || pattern === '' ? -1 : sorted.findIndex((e) => globMatch(pattern, e.id));
  const tries: [string | null | undefined, SdBootChoice['by']][] = [
    [d.oneShot, 'oneshot'],
    [d.efiDefault, 'efi-default'],
    [d.configDefault, 'loader.conf'],
  ];
  for (const [pattern, by] of tries) {
    const i = find(pattern);
    if (i >= 0) return { index: i, by };
  }
  return { index: 0, by: 'first' };
}

/** loader.conf: "default PATTERN" (last one wins); other keys are not ours. */
export function parseLoaderConf(text: string): { default: string | null } {
  let def: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*default\s+(\S.*?)\s*$/.exec(raw);
    if (m !== null) def = m[1] as string;
  }
  return { default: def };
}
