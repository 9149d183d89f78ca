/**
 * Values kexec-tools validates while parsing, with its messages:
 *  - kexec/kexec.c main(): --mem-min, --mem-max, --entry through strtoul(, , 0):
 *    "Bad option value in --mem-min=X" (usage, exit 1);
 *  - kexec/arch/i386/kexec-x86-common.c arch_process_options() (x86 only): --serial ttyS0,
 *    ttyS1 or 0xHEX below 65536, "Bad serial port base 'X'"; --serial-baud a divisor of 115200
 *    from 9600 up, "Bad serial port baud rate 'X'" (usage, and the load is skipped: exit 255).
 * Pure: returns the message to print, or null when the value is accepted.
 */
import { strtoulFull } from './strtoul.js';

const ULONG_MAX = (1n << 64n) - 1n;

export function badNumericOption(name: 'mem-min' | 'mem-max' | 'entry', value: string): string | null {
  return strtoulFull(value).ok ? null : `Bad option value in --${name}=${value}`;
}

/** strtoul(s, &end, 16) with *end == NUL (an optional "0x" prefix is part of base 16). */
function hex16(s: string): bigint {
  const m = /^[ \t\n\v\f\r]*([+-]?)(?:0[xX](?=[0-9a-fA-F]))?([0-9a-fA-F]*)$/.exec(s);
  if (m === null) return ULONG_MAX;
  if (m[2] === '') return s === '' ? 0n : ULONG_MAX;
  const v = BigInt(`0x${m[2]}`);
  return m[1] === '-' ? (ULONG_MAX + 1n - v) & ULONG_MAX : v;
}

export function badSerialBase(value: string): string | null {
  let base = ULONG_MAX;
  if (value === 'ttyS0') base = 0x3f8n;
  else if (value === 'ttyS1') base = 0x2f8n;
  else if (value.startsWith('0x')) base = hex16(value.slice(2));
  return base >= 65536n ? `Bad serial port base '${value}'` : null;
}

export function badSerialBaud(value: string): string | null {
  const r = strtoulFull(value);
  // kexec-tools divides 115200 by the value before the range check: 0 would crash it; we refuse.
  const ok = r.ok && r.value >= 9600n && r.value <= 115200n && 115200n % r.value === 0n;
  return ok ? null : `Bad serial port baud rate '${value}'`;
}
