/**
 * /sys/firmware/memmap/N/{start,end,type}: the firmware's own memory map (the e820 table on x86)
 * as the kernel saw it at boot, before its own changes. kexec-tools reads it in
 * kexec/firmware_memmap.c (`get_firmware_memmap_ranges`) and prefers it over /proc/iomem for the
 * e820 table it hands the next kernel (kexec/arch/i386/kexec-x86-common.c `get_memory_ranges`).
 * Pure: the caller reads the three files of every entry and passes their text.
 */
import { KexecError } from '../../errors.js';
import { ADDR_LIMIT, MIB, clampRanges, hex, mergeRanges, type AddrRange } from './range.js';

/** The text of one /sys/firmware/memmap/N directory: `start` and `end` (inclusive), `type`. */
export type SysfsMemmapRecord = { name: string; start: string; end: string; type: string };

/** One firmware memory map entry, end exclusive; `type` as the kernel names it ("System RAM"). */
export type MemmapEntry = { start: bigint; end: bigint; type: string };

function bad(message: string): KexecError {
  return new KexecError({ code: 'EMEMMAP', message });
}

/** Parses "0x1fffffff", "1fffffff" or "536870911" style numbers as the kernel writes them. */
export function parseSysfsNumber(text: string, what: string): bigint {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return BigInt(t);
  if (/^[0-9]+$/.test(t)) return BigInt(t);
  throw bad(`${what}: not a number: ${JSON.stringify(t.slice(0, 40))}`);
}

/**
 * Converts the records to entries sorted by start address (directory names are not in address
 * order once there are more than 10). Throws KexecError EMEMMAP on unreadable numbers or end < start.
 */
export function parseSysfsMemmap(records: readonly SysfsMemmapRecord[]): MemmapEntry[] {
  const out: MemmapEntry[] = [];
  for (const r of records) {
    const where = `/sys/firmware/memmap/${r.name}`;
    const start = parseSysfsNumber(r.start, `${where}/start`);
    const last = parseSysfsNumber(r.end, `${where}/end`);
    if (last < start) throw bad(`${where}: end ${hex(last)} is below start ${hex(start)}`);
    const type = r.type.trim();
    if (type === '') throw bad(`${where}/type is empty`);
    out.push({ start, end: last + 1n, type });
  }
  return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/** The "System RAM" entries at or above minAddress (default 1 MiB), merged. */
export function usableRamFromMemmap(entries: readonly MemmapEntry[], minAddress: bigint = MIB): AddrRange[] {
  return clampRanges(mergeRanges(entries.filter((e) => e.type === 'System RAM')), minAddress, ADDR_LIMIT);
}
