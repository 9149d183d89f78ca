/**
 * Version comparison as systemd-boot sorts entries (systemd's strverscmp_improved, an rpmvercmp
 * relative that also orders the separators): only [A-Za-z0-9~^.-] count; "~" sorts before
 * anything (pre-releases, 1~rc1 < 1), a longer string is newer, "-" (version/release split) is
 * older than other parts, then "^" (post-release), then "."; digit runs compare numerically,
 * letter runs bytewise, and digits are newer than letters.
 */
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isValid = (c: string): boolean => isDigit(c) || isAlpha(c) || c === '~' || c === '-' || c === '^' || c === '.';
const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);
const cmp = (a: boolean, b: boolean): number => Number(a) - Number(b);

/** Returns <0 when a is older than b, >0 when newer, 0 when equal. Empty or null sorts first. */
export function compareVersions(a: string | null, b: string | null): number {
  if (a === null || a === '' || b === null || b === '') {
    const x = a ?? '';
    const y = b ?? '';
    return x === y ? 0 : x < y ? -1 : 1;
  }
  let i = 0;
  let j = 0;
  const at = (s: string, k: number): string => (k < s.length ? (s[k] as string) : '');
  for (;;) {
    while (i < a.length && !isValid(at(a, i))) i++;
    while (j < b.length && !isValid(at(b, j))) j++;
    for (const sep of ['~', '-', '^', '.']) {
      const x = at(a, i);
      const y = at(b, j);
      if (x === sep || y === sep) {
        // The side carrying the separator is the older one: 1~rc1 < 1, 123-9 < 123.1,
        // 1.1^1 < 1.1.1 (an end of string was already handled: 1.1 < 1.1^1).
        const r = cmp(x !== sep, y !== sep);
        if (r !== 0) return r;
        i++;
        j++;
      }
      if (sep === '~' && (at(a, i) === '' || at(b, j) === '')) {
        return sign(cmp(at(a, i) !== '', at(b, j) !== ''));
      }
    }
    if (isDigit(at(a, i)) || isDigit(at(b, j))) {
      let ie = i;
      let je = j;
      while (isDigit(at(a, ie))) ie++;
      while (isDigit(at(b, je))) je++;
      const r = cmp(ie > i, je > j);
      if (r !== 0) return r;
      while (at(a, i) === '0') i++;
      while (at(b, j) === '0') j++;
      if (ie - i !== je - j) return sign(ie - i - (je - j));
      const sa = a.slice(i, ie);
      const sb = b.slice(j, je);
      if (sa !== sb) return sa < sb ? -1 : 1;
      i = ie;
      j = je;
    } else {
      let ie = i;
      let je = j;
      while (isAlpha(at(a, ie))) ie++;
      while (isAlpha(at(b, je))) je++;
      const n = Math.min(ie - i, je - j);
      const sa = a.slice(i, i + n);
      const sb = b.slice(j, j + n);
      if (sa !== sb) return sa < sb ? -1 : 1;
      if (ie - i !== je - j) return sign(ie - i - (je - j));
      i = ie;
      j = je;
    }
  }
}
