/** grub_strtoul(val, 0, 0): leading blanks, 0x hex, leading-0 octal, longest numeric prefix. */
export type GrubNumber = { digits: boolean; value: number; rest: string };

export function parseGrubNumber(s: string): GrubNumber {
  let i = 0;
  while (i < s.length && /\s/.test(s[i] as string)) i++;
  let base = 10;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) {
    base = 16;
    i += 2;
  } else if (s[i] === '0') {
    base = 8;
  }
  const re = base === 16 ? /[0-9a-fA-F]/ : base === 8 ? /[0-7]/ : /[0-9]/;
  const start = i;
  let value = 0;
  while (i < s.length && re.test(s[i] as string)) {
    value = value * base + parseInt(s[i] as string, base);
    i++;
  }
  if (i === start) return { digits: false, value: 0, rest: s };
  return { digits: true, value: Number.isSafeInteger(value) ? value : Infinity, rest: s.slice(i) };
}
