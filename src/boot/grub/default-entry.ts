/** How GRUB's menu.c turns the value of `default` into an entry of one menu level. */
import { parseGrubNumber } from './number.js';
import type { GrubFlavor } from './types.js';

type Named = { title: string; id: string };

/** menuentry_eq: `spec` matches `name` up to its first unescaped '>' ('>>' is a literal '>'). */
export function menuentryEq(name: string, spec: string): boolean {
  let i = 0;
  let j = 0;
  for (;;) {
    if (spec[j] === '>' && spec[j + 1] !== '>') return i === name.length;
    if (spec[j] === '>') j++;
    if (j >= spec.length) return i === name.length;
    if (name[i] !== spec[j]) return false;
    i++;
    j++;
  }
}

/** What follows the first unescaped '>' (the path for the next level), or null when none. */
export function restAfterFirst(spec: string): string | null {
  for (let i = 0; i < spec.length; i++) {
    if (spec[i] === '>' && spec[i + 1] === '>') {
      i++;
      continue;
    }
    if (spec[i] === '>') return spec.slice(i + 1);
  }
  return null;
}

function toInt(v: number): number {
  return Number.isSafeInteger(v) ? v | 0 : -1;
}

/** Upstream get_entry_number: numeric prefix first, else first title or id match. */
function upstream(entries: readonly Named[], val: string): number {
  const n = parseGrubNumber(val);
  if (n.digits) return toInt(n.value);
  return entries.findIndex((e) => menuentryEq(e.title, val) || menuentryEq(e.id, val));
}

/** Red Hat: ids against the first word, titles against the whole value, then a whole-value number. */
function redhat(entries: readonly Named[], val: string): number {
  const word = val.trim().split(/\s+/)[0] ?? '';
  let i = entries.findIndex((e) => menuentryEq(e.id, word));
  if (i >= 0) return i;
  i = entries.findIndex((e) => menuentryEq(e.title, val));
  if (i >= 0) return i;
  const n = parseGrubNumber(val);
  return n.digits && n.rest.trim() === '' ? toInt(n.value) : -1;
}

/** Index GRUB boots at this level for `default` (entry 0 when unset, invalid or out of range). */
export function defaultIndex(entries: readonly Named[], val: string | undefined, flavor: GrubFlavor): number {
  if (entries.length === 0) return -1;
  if (val === undefined) return 0;
  const i = flavor === 'redhat' ? redhat(entries, val) : upstream(entries, val);
  return i < 0 || i >= entries.length ? 0 : i;
}

/** $default as the executed entry (or submenu body) sees it: rest of the path, or unset. */
export function defaultForChild(val: string | undefined, flavor: GrubFlavor): string | undefined {
  if (val === undefined) return undefined;
  const rest = restAfterFirst(val);
  if (rest !== null) return rest;
  return flavor === 'redhat' ? val : undefined;
}
