/**
 * The e820 table for the next kernel, from the firmware memory map (/sys/firmware/memmap, whose type
 * names the kernel writes with `e820_type_to_string` in arch/x86/kernel/e820.c). kexec-tools maps the
 * names back in kexec/firmware_memmap.c and `add_e820_map_from_mr` (kexec/arch/i386/x86-linux-setup.c);
 * unknown names become "reserved" there and here.
 */
import type { MemmapEntry } from '../memmap/firmware-memmap.js';
import { E820_ENTRY_SIZE } from './bootparam-offsets.js';

export type E820Entry = { addr: bigint; size: bigint; type: number };

export const E820_TYPE = {
  RAM: 1,
  RESERVED: 2,
  ACPI: 3,
  NVS: 4,
  UNUSABLE: 5,
  PMEM: 7,
  PRAM: 12,
  TYPE_13: 13,
  SOFT_RESERVED: 0xefffffff,
} as const;

const BY_NAME: ReadonlyMap<string, number> = new Map([
  ['system ram', E820_TYPE.RAM],
  ['reserved', E820_TYPE.RESERVED],
  ['acpi tables', E820_TYPE.ACPI],
  ['acpi non-volatile storage', E820_TYPE.NVS],
  ['unusable memory', E820_TYPE.UNUSABLE],
  ['persistent memory', E820_TYPE.PMEM],
  ['persistent memory (legacy)', E820_TYPE.PRAM],
  ['type 13', E820_TYPE.TYPE_13],
  ['soft reserved', E820_TYPE.SOFT_RESERVED],
]);

/** The e820 type number for a memmap/iomem type name; unknown names are reserved (2). */
export function e820TypeOf(name: string): number {
  return BY_NAME.get(name.trim().toLowerCase()) ?? E820_TYPE.RESERVED;
}

/** One e820 entry per memmap entry, in address order. */
export function e820FromMemmap(entries: readonly MemmapEntry[]): E820Entry[] {
  return [...entries]
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
    .map((e) => ({ addr: e.start, size: e.end - e.start, type: e820TypeOf(e.type) }));
}

/** Writes packed struct boot_e820_entry {u64 addr; u64 size; u32 type} records at `offset`. */
export function writeE820(view: DataView, offset: number, entries: readonly E820Entry[]): void {
  entries.forEach((e, i) => {
    const at = offset + i * E820_ENTRY_SIZE;
    view.setBigUint64(at, e.addr, true);
    view.setBigUint64(at + 8, e.size, true);
    view.setUint32(at + 16, e.type, true);
  });
}

/**
 * ext_mem_k / alt_mem_k as the kernel computes them in `setup_boot_parameters`: KiB of RAM above
 * 1 MiB in the RAM entry that spans 1 MiB (ext_mem_k capped at 0xfc00, alt_mem_k at 2^32-1).
 */
export function extendedMemoryK(entries: readonly E820Entry[]): { extMemK: number; altMemK: number } {
  let extMemK = 0;
  let altMemK = 0;
  for (const e of entries) {
    if (e.type !== E820_TYPE.RAM) continue;
    const last = e.addr + e.size - 1n;
    if (e.addr <= 0x100000n && last > 0x100000n) {
      const memK = (last >> 10n) - (0x100000n >> 10n);
      extMemK = memK > 0xfc00n ? 0xfc00 : Number(memK);
      altMemK = memK > 0xffffffffn ? 0xffffffff : Number(memK);
    }
  }
  return { extMemK, altMemK };
}
