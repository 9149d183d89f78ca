/**
 * EFI state for the next kernel, from the running kernel's sysfs: what kexec-tools' `setup_efi_info`
 * / `setup_efi_data` (kexec/arch/i386/x86-linux-setup.c) and the kernel's `setup_efi_state`
 * (arch/x86/kernel/kexec-bzimage64.c) hand over, and when they hand nothing over.
 *
 * Handing over means: efi_info (systab pointer, "EL64") from the running boot_params, the runtime
 * memory map (/sys/firmware/efi/runtime-map/N, as 40-byte efi_memory_desc_t) with efi_memmap
 * pointing at it, and a SETUP_EFI setup_data {fw_vendor, runtime, tables, smbios, reserved[8]} so
 * the next kernel reuses the virtual mapping instead of calling SetVirtualAddressMap again.
 */
import { parseSysfsNumber } from '../memmap/firmware-memmap.js';
import { BP, EFI_INFO } from './bootparam-offsets.js';
import type { BzImageHeader } from './bzimage-header.js';

/** The text of /sys/firmware/efi/runtime-map/N/{type,phys_addr,virt_addr,num_pages,attribute}. */
export type EfiRuntimeMapRecord = { name: string; type: string; phys_addr: string; virt_addr: string; num_pages: string; attribute: string };

/** Files under /sys/firmware/efi, as text (null when unreadable). */
export type EfiSysfsInput = {
  runtimeMap: readonly EfiRuntimeMapRecord[];
  systab: string | null;
  fwVendor: string | null;
  runtime: string | null;
  configTable: string | null;
};

export type EfiMemDesc = { type: number; physAddr: bigint; virtAddr: bigint; numPages: bigint; attribute: bigint };

/** sizeof(efi_memory_desc_t) as kexec-tools writes it (u32 type, u32 pad, 4 x u64). */
export const EFI_MEMDESC_SIZE = 40;
/** sizeof(struct efi_setup_data): fw_vendor, runtime, tables, smbios, reserved[8]. */
export const EFI_SETUP_DATA_SIZE = 96;
/** efi_loader_signature of a 64-bit EFI boot: "EL64". */
export const EFI64_LOADER_SIGNATURE = 0x34364c45;

export function parseEfiRuntimeMap(records: readonly EfiRuntimeMapRecord[]): EfiMemDesc[] {
  return [...records]
    .sort((a, b) => Number(a.name) - Number(b.name) || (a.name < b.name ? -1 : 1))
    .map((r) => {
      const at = `/sys/firmware/efi/runtime-map/${r.name}`;
      return {
        type: Number(parseSysfsNumber(r.type, `${at}/type`)),
        physAddr: parseSysfsNumber(r.phys_addr, `${at}/phys_addr`),
        virtAddr: parseSysfsNumber(r.virt_addr, `${at}/virt_addr`),
        numPages: parseSysfsNumber(r.num_pages, `${at}/num_pages`),
        attribute: parseSysfsNumber(r.attribute, `${at}/attribute`),
      };
    });
}

/** Encodes descriptors as the packed array efi_info.efi_memmap points at. */
export function encodeEfiMemmap(descs: readonly EfiMemDesc[]): Uint8Array {
  const out = new Uint8Array(descs.length * EFI_MEMDESC_SIZE);
  const v = new DataView(out.buffer);
  descs.forEach((d, i) => {
    const at = i * EFI_MEMDESC_SIZE;
    v.setUint32(at, d.type, true);
    v.setBigUint64(at + 8, d.physAddr, true);
    v.setBigUint64(at + 16, d.virtAddr, true);
    v.setBigUint64(at + 24, d.numPages, true);
    v.setBigUint64(at + 32, d.attribute, true);
  });
  return out;
}

/** `KEY=0x...` lines of /sys/firmware/efi/systab (ACPI20, ACPI, SMBIOS, SMBIOS3). */
export function parseSystab(text: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)=(0x[0-9a-fA-F]+)\s*$/.exec(line);
    if (m !== null && !out.has(m[1] as string)) out.set(m[1] as string, BigInt(m[2] as string));
  }
  return out;
}

/** A "0x..." value file (fw_vendor, runtime, config_table); null when missing or unreadable. */
export function parseHexFile(text: string | null): bigint | null {
  if (text === null) return null;
  const t = text.trim();
  return /^0x[0-9a-fA-F]+$/.test(t) ? BigInt(t) : null;
}

/** acpi_rsdp_addr: the running kernel's boot_params@0x70, else ACPI20= then ACPI= from the systab (kexec-tools `get_acpi_rsdp`). */
export function findAcpiRsdp(running: Uint8Array | null, systab: string | null): bigint {
  if (running !== null && running.length >= BP.acpi_rsdp_addr + 8) {
    const v = new DataView(running.buffer, running.byteOffset, running.byteLength).getBigUint64(BP.acpi_rsdp_addr, true);
    if (v !== 0n) return v;
  }
  if (systab !== null) {
    const t = parseSystab(systab);
    return t.get('ACPI20') ?? t.get('ACPI') ?? 0n;
  }
  return 0n;
}

export type EfiHandoff = {
  /** efi_info fields copied from the running kernel. */
  loaderSignature: number;
  systab: bigint;
  memdescVersion: number;
  memmap: EfiMemDesc[];
  fwVendor: bigint;
  runtime: bigint;
  tables: bigint;
  smbios: bigint;
};

export type EfiDecision = { handoff: EfiHandoff; reason: null } | { handoff: null; reason: string };

/**
 * Whether to hand EFI over, with the reason when not. The conditions are kexec-tools' (efi_info
 * present with memmap_size != 0, descriptor version 1, a readable runtime map and sysfs values)
 * plus the kernel's (XLF_EFI_KEXEC in the image, 64-bit EFI).
 */
export function decideEfiHandoff(header: BzImageHeader, running: Uint8Array | null, efi: EfiSysfsInput | null): EfiDecision {
  const no = (reason: string): EfiDecision => ({ handoff: null, reason });
  if (efi === null) return no('not booted through EFI (no /sys/firmware/efi)');
  if (!header.efiKexec) return no('the kernel image does not accept EFI data from kexec (XLF_EFI_KEXEC unset)');
  if (running === null || running.length < BP.efi_info + BP.EFI_INFO_SIZE) return no('/sys/kernel/boot_params/data is unreadable');
  const v = new DataView(running.buffer, running.byteOffset, running.byteLength);
  const ei = (off: number): number => v.getUint32(BP.efi_info + off, true);
  if (ei(EFI_INFO.memmap_size) === 0) return no('the running kernel has no EFI memory map in its boot_params');
  if (ei(EFI_INFO.loader_signature) !== EFI64_LOADER_SIGNATURE) return no('not a 64-bit EFI boot (efi_loader_signature is not "EL64")');
  const memdescVersion = ei(EFI_INFO.memdesc_version);
  if (memdescVersion !== 1) return no(`EFI memory descriptor version ${memdescVersion} is not supported`);
  const memmap = parseEfiRuntimeMap(efi.runtimeMap);
  if (memmap.length === 0) return no('/sys/firmware/efi/runtime-map is missing or empty (CONFIG_EFI_RUNTIME_MAP)');
  const fwVendor = parseHexFile(efi.fwVendor);
  const tables = parseHexFile(efi.configTable);
  if (fwVendor === null || tables === null) return no('/sys/firmware/efi/fw_vendor or config_table is unreadable');
  return {
    reason: null,
    handoff: {
      loaderSignature: ei(EFI_INFO.loader_signature),
      systab: (BigInt(ei(EFI_INFO.systab_hi)) << 32n) | BigInt(ei(EFI_INFO.systab)),
      memdescVersion,
      memmap,
      fwVendor,
      runtime: parseHexFile(efi.runtime) ?? 0n,
      tables,
      smbios: (efi.systab === null ? undefined : parseSystab(efi.systab).get('SMBIOS')) ?? 0n,
    },
  };
}
