/** rpm's version comparison (as rhboot's blscfg uses it): 1 if a is newer, -1 if b is, 0 if equal. */
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c);
const isAlnum = (c: string | undefined): boolean => isDigit(c) || isAlpha(c);

export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    const num = isDigit(a[i]);
    const take = num ? isDigit : isAlpha;
    let ei = i;
    let ej = j;
    while (ei < a.length && take(a[ei])) ei++;
    while (ej < b.length && take(b[ej])) ej++;
    let sa = a.slice(i, ei);
    let sb = b.slice(j, ej);
    if (sb === '') return num ? 1 : -1;
    if (num) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** name-version-release split at the last two '-' (rhboot's split_package_string). */
export function splitNvr(s: string): [string, string, string] {
  const r = s.lastIndexOf('-');
  if (r < 0) return [s, '', ''];
  const rest = s.slice(0, r);
  const v = rest.lastIndexOf('-');
  // Only one '-': what follows is the version (rpm-sort's "bubble up"), there is no release.
  if (v < 0) return [rest, s.slice(r + 1), ''];
  return [rest.slice(0, v), rest.slice(v + 1), s.slice(r + 1)];
}

/** Compares two split name-version-release triples: 1 when a is newer. */
export function nvrCompare(pa: readonly string[], pb: readonly string[]): number {
  for (let k = 0; k < 3; k++) {
    const r = rpmvercmp(pa[k] as string, pb[k] as string);
    if (r !== 0) return r;
  }
  return 0;
}

/** BLS order: 1 when file id a sorts as newer than b. */
export function blsIdCompare(a: string, b: string): number {
  return nvrCompare(splitNvr(a), splitNvr(b));
}
