/**
 * POSIX extended regular expressions as GRUB's `regexp` compiles them: gnulib regcomp with
 * REG_EXTENDED, i.e. RE_SYNTAX_POSIX_EXTENDED (glibc posix/regcomp.c) in the C locale, over bytes.
 * Parses a pattern into a tree, or returns glibc's regerror() text for the error regcomp reports.
 * What that syntax means (each checked against grub-emu 2.06, test/grub-emu/regexp-cases.json):
 * `*`/`+`/`?`/`{` at the start of a branch or after an anchor are errors; `{,n}` is `{0,n}`; a `{`
 * that does not open a valid interval is an error; a `)` with no `(` is literal; `\X` is X except
 * the GNU operators \w \W \s \S \b \B \< \> \` \' and back-references \1-\9; inside brackets `\`
 * is literal and [:class:], [=c=], [.c.] are understood; stacked repetitions (`a+?`) nest.
 */

/** A set of bytes: inclusive ranges, negated for `[^...]`. */
export type ByteSet = { neg: boolean; ranges: [number, number][] };
export type Assertion = 'bol' | 'eol' | 'word' | 'notword' | 'wordbeg' | 'wordend' | 'bufbeg' | 'bufend';
export type EreNode =
  | { t: 'set'; set: ByteSet }
  | { t: 'assert'; a: Assertion }
  | { t: 'group'; n: number; body: EreNode }
  | { t: 'cat'; items: EreNode[] }
  | { t: 'alt'; items: EreNode[] }
  | { t: 'rep'; min: number; max: number; body: EreNode }
  | { t: 'backref'; n: number };

export type EreTree = { root: EreNode; groups: number };
export type EreParse = { ok: true; value: EreTree } | { ok: false; message: string };

/** glibc's regerror() texts (posix/regcomp.c __re_error_msgid). */
export const ERE_ERRORS = {
  ECOLLATE: 'Invalid collation character',
  ECTYPE: 'Invalid character class name',
  EESCAPE: 'Trailing backslash',
  ESUBREG: 'Invalid back reference',
  EBRACK: 'Unmatched [, [^, [:, [., or [=',
  EPAREN: 'Unmatched ( or \\(',
  EBRACE: 'Unmatched \\{',
  BADBR: 'Invalid content of \\{\\}',
  ERANGE: 'Invalid range end',
  BADRPT: 'Invalid preceding regular expression',
  ESIZE: 'Regular expression too big',
} as const;

/** RE_DUP_MAX in glibc. */
const DUP_MAX = 0x7fff;

const R = (lo: string, hi: string): [number, number] => [lo.charCodeAt(0), hi.charCodeAt(0)];
const CLASSES: Record<string, [number, number][]> = {
  alpha: [R('A', 'Z'), R('a', 'z')],
  upper: [R('A', 'Z')],
  lower: [R('a', 'z')],
  digit: [R('0', '9')],
  xdigit: [R('0', '9'), R('A', 'F'), R('a', 'f')],
  alnum: [R('0', '9'), R('A', 'Z'), R('a', 'z')],
  space: [
    [9, 13],
    [32, 32],
  ],
  blank: [
    [9, 9],
    [32, 32],
  ],
  punct: [R('!', '/'), R(':', '@'), R('[', '`'), R('{', '~')],
  print: [[32, 126]],
  graph: [[33, 126]],
  cntrl: [
    [0, 31],
    [127, 127],
  ],
};
const WORD: [number, number][] = [...(CLASSES['alnum'] ?? []), R('_', '_')];
const GNU_SETS: Record<string, ByteSet> = {
  w: { neg: false, ranges: WORD },
  W: { neg: true, ranges: WORD },
  s: { neg: false, ranges: CLASSES['space'] ?? [] },
  S: { neg: true, ranges: CLASSES['space'] ?? [] },
};
const GNU_ASSERTS: Record<string, Assertion> = { b: 'word', B: 'notword', '<': 'wordbeg', '>': 'wordend', '`': 'bufbeg', "'": 'bufend' };

class Fail extends Error {}

const byte = (b: number): EreNode => ({ t: 'set', set: { neg: false, ranges: [[b, b]] } });

/** Parses `pattern` (its UTF-8 bytes, as GRUB passes them to regcomp). */
export function parseEre(pattern: string): EreParse {
  const p = new TextEncoder().encode(pattern);
  let i = 0;
  let groups = 0;
  const closed = new Set<number>();
  const fail = (m: string): never => {
    throw new Fail(m);
  };
  const ch = (k = i): string => (k < p.length ? String.fromCharCode(p[k] as number) : '');

  /** `{m}`, `{m,}`, `{m,n}`, `{,n}` at i (just after `{`); advances past `}`. */
  const interval = (): [number, number] => {
    const num = (): number | null => {
      const s = i;
      while (/[0-9]/.test(ch())) i++;
      return i === s ? null : Math.min(Number(new TextDecoder().decode(p.subarray(s, i))), DUP_MAX + 1);
    };
    const lo = num();
    let hi: number | null = lo;
    if (ch() === ',') {
      i++;
      hi = num() ?? Infinity;
    }
    if (ch() !== '}') return fail(i >= p.length ? ERE_ERRORS.EBRACE : ERE_ERRORS.BADBR);
    i++;
    const min = lo ?? 0;
    if (hi === null || min > hi) return fail(ERE_ERRORS.BADBR);
    if (min > DUP_MAX || (hi !== Infinity && hi > DUP_MAX)) return fail(ERE_ERRORS.ESIZE);
    return [min, hi];
  };

  /** One bracket element's byte (a plain byte, [.c.] or [=c=]); null for [:class:] (added to `ranges`). */
  const element = (ranges: [number, number][]): number | null => {
    const c = ch();
    const kind = ch(i + 1);
    if (c === '[' && (kind === ':' || kind === '.' || kind === '=')) {
      const end = p.indexOf(kind.charCodeAt(0), i + 2);
      if (end < 0 || ch(end + 1) !== ']') return fail(ERE_ERRORS.EBRACK);
      const name = new TextDecoder().decode(p.subarray(i + 2, end));
      i = end + 2;
      if (kind === ':') {
        const cls = Object.hasOwn(CLASSES, name) ? CLASSES[name] : undefined;
        if (cls === undefined) return fail(ERE_ERRORS.ECTYPE);
        ranges.push(...cls);
        return null;
      }
      const bytes = new TextEncoder().encode(name);
      if (bytes.length !== 1) return fail(ERE_ERRORS.ECOLLATE);
      return bytes[0] as number;
    }
    i++;
    return c.charCodeAt(0);
  };

  const bracket = (): EreNode => {
    const set: ByteSet = { neg: false, ranges: [] };
    if (ch() === '^') {
      set.neg = true;
      i++;
    }
    let first = true;
    for (;;) {
      if (i >= p.length) return fail(ERE_ERRORS.EBRACK);
      if (ch() === ']' && !first) {
        i++;
        return { t: 'set', set };
      }
      first = false;
      const lo = element(set.ranges);
      if (lo === null) continue;
      if (ch() === '-' && ch(i + 1) !== ']' && i + 1 < p.length) {
        i++;
        const hi = element(set.ranges);
        if (hi === null) return fail(ERE_ERRORS.ERANGE);
        if (hi < lo) return fail(ERE_ERRORS.ERANGE);
        set.ranges.push([lo, hi]);
      } else set.ranges.push([lo, lo]);
    }
  };

  const atom = (): EreNode => {
    const c = ch();
    i++;
    switch (c) {
      case '(': {
        const n = ++groups;
        const body = alt(true);
        if (ch() !== ')') return fail(ERE_ERRORS.EPAREN);
        i++;
        closed.add(n);
        return { t: 'group', n, body };
      }
      case '[':
        return bracket();
      case '.':
        return { t: 'set', set: { neg: true, ranges: [[0, 0]] } };
      case '^':
        return { t: 'assert', a: 'bol' };
      case '$':
        return { t: 'assert', a: 'eol' };
      case '\\': {
        if (i >= p.length) return fail(ERE_ERRORS.EESCAPE);
        const e = ch();
        i++;
        if (/[1-9]/.test(e)) {
          if (!closed.has(Number(e))) return fail(ERE_ERRORS.ESUBREG);
          return { t: 'backref', n: Number(e) };
        }
        const set = Object.hasOwn(GNU_SETS, e) ? GNU_SETS[e] : undefined;
        if (set !== undefined) return { t: 'set', set };
        const a = Object.hasOwn(GNU_ASSERTS, e) ? GNU_ASSERTS[e] : undefined;
        if (a !== undefined) return { t: 'assert', a };
        return byte(p[i - 1] as number);
      }
      default:
        return byte(p[i - 1] as number);
    }
  };

  const branch = (inGroup: boolean): EreNode => {
    const items: EreNode[] = [];
    while (i < p.length && ch() !== '|' && !(inGroup && ch() === ')')) {
      const c = ch();
      if (c === '*' || c === '+' || c === '?' || c === '{') {
        const prev = items[items.length - 1];
        if (prev === undefined || prev.t === 'assert') return fail(ERE_ERRORS.BADRPT);
        i++;
        const [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : c === '?' ? [0, 1] : interval();
        items[items.length - 1] = { t: 'rep', min, max, body: prev };
        continue;
      }
      items.push(atom());
    }
    return items.length === 1 ? (items[0] as EreNode) : { t: 'cat', items };
  };

  const alt = (inGroup: boolean): EreNode => {
    const items = [branch(inGroup)];
    while (ch() === '|') {
      i++;
      items.push(branch(inGroup));
    }
    return items.length === 1 ? (items[0] as EreNode) : { t: 'alt', items };
  };

  try {
    const root = alt(false);
    if (i < p.length) return fail(ERE_ERRORS.EPAREN);
    return { ok: true, value: { root, groups } };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, message: e.message };
    throw e;
  }
}
