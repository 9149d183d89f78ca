/**
 * Does C's strtoul(s, &end, base) consume the whole string? kexec-tools validates --mem-min,
 * --mem-max, --entry (base 0) and --serial-baud that way (kexec/kexec.c main(),
 * kexec/arch/i386/kexec-x86-common.c arch_process_options()). glibc semantics: leading white
 * space, an optional sign, then for base 0 "0x"/"0X" hex, "0" octal, else decimal. An empty
 * string converts nothing and leaves end at its start, where *end is NUL: accepted, as 0.
 * "0x" alone converts the "0" and stops at "x": rejected.
 */
export type Strtoul = { ok: boolean; value: bigint };

const DIGITS: Record<number, RegExp> = { 8: /^[0-7]+/, 10: /^[0-9]+/, 16: /^[0-9a-fA-F]+/ };

export function strtoulFull(s: string, base: 0 | 10 = 0): Strtoul {
  let rest = s.replace(/^[ \t\n\v\f\r]+/, '');
  let negative = false;
  if (rest.startsWith('+') || rest.startsWith('-')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  let radix: number = base === 0 ? 10 : base;
  if (base === 0 && /^0[xX][0-9a-fA-F]/.test(rest)) {
    radix = 16;
    rest = rest.slice(2);
  } else if (base === 0 && rest.startsWith('0')) {
    radix = 8;
  }
  const m = (DIGITS[radix] as RegExp).exec(rest);
  if (m === null) return { ok: s === '', value: 0n }; // no conversion: end = s
  const digits = m[0];
  if (digits.length !== rest.length) return { ok: false, value: 0n };
  const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : '';
  const mag = BigInt(prefix + digits);
  const max = (1n << 64n) - 1n;
  // Out of range: strtoul returns ULONG_MAX and sets ERANGE, but still consumes every digit.
  const v = mag > max ? max : mag;
  return { ok: true, value: negative ? (max + 1n - v) & max : v };
}
