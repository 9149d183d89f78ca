/**
 * The boot_params segment: the zero page built from zero, the command line after it, then the
 * setup_data nodes (E820 entries beyond 128, the EFI runtime memory map and SETUP_EFI, an RNG seed),
 * in one page-aligned buffer, the way arch/x86/kernel/kexec-bzimage64.c `bzImage64_load` and
 * `setup_boot_parameters` pack them (kexec-tools puts setup_data in separate segments instead).
 *
 * The setup header is copied from the image bytes [0x1f1, 0x202 + image[0x201]) and nothing before
 * 0x1f1, so the sentinel at 0x1ef stays 0 and the next kernel's sanitize_boot_params() keeps the
 * ext_* fields (Documentation/arch/x86/boot.rst, arch/x86/include/asm/bootparam_utils.h).
 */
import { alignUp } from '../memmap/range.js';
import {
  BP,
  E820_ENTRY_SIZE,
  E820_MAX_ENTRIES_ZEROPAGE,
  EFI_INFO,
  HDR,
  LOADER_TYPE_KEXEC,
  SETUP_DATA_HDR,
  SETUP_E820_EXT,
  SETUP_EFI,
  SETUP_RNG_SEED,
} from './bootparam-offsets.js';
import type { BzImageHeader } from './bzimage-header.js';
import { extendedMemoryK, writeE820, type E820Entry } from './e820.js';
import { EFI_MEMDESC_SIZE, EFI_SETUP_DATA_SIZE, encodeEfiMemmap, type EfiHandoff } from './efi.js';

export type ParamsSegmentInput = {
  /** The bzImage's first bytes, at least up to the end of its setup header. */
  head: Uint8Array;
  header: BzImageHeader;
  /** /sys/kernel/boot_params/data of the running kernel (screen_info, subarch, EDD, secure_boot), or null. */
  running: Uint8Array | null;
  /** Command line bytes without the trailing NUL. */
  cmdline: Uint8Array;
  e820: readonly E820Entry[];
  acpiRsdp: bigint;
  efi: EfiHandoff | null;
  /** 32 random bytes for SETUP_RNG_SEED, or null for none. */
  rngSeed: Uint8Array | null;
  initrd: { addr: bigint; size: bigint } | null;
};

/** Offsets inside the segment; null for parts that are absent. */
export type ParamsLayout = {
  cmdline: number;
  e820Ext: number | null;
  efiMemmap: number | null;
  efiSetupData: number | null;
  rngSeed: number | null;
  size: number;
};

/** End of the setup header area in boot_params (edd_mbr_sig_buffer starts at 0x290). */
const HDR_AREA_END = BP.edd_mbr_sig_buffer;
const a16 = (n: number): number => Number(alignUp(BigInt(n), 16n));

export function paramsLayout(input: ParamsSegmentInput): ParamsLayout {
  let at: number = BP.SIZE;
  const cmdline = at;
  at = a16(at + input.cmdline.length + 1);
  const extCount = Math.max(0, input.e820.length - E820_MAX_ENTRIES_ZEROPAGE);
  const take = (present: boolean, size: number): number | null => {
    if (!present) return null;
    const off = at;
    at = a16(at + size);
    return off;
  };
  const e820Ext = take(extCount > 0, SETUP_DATA_HDR + extCount * E820_ENTRY_SIZE);
  const efiMemmap = take(input.efi !== null, (input.efi?.memmap.length ?? 0) * EFI_MEMDESC_SIZE);
  const efiSetupData = take(input.efi !== null, SETUP_DATA_HDR + EFI_SETUP_DATA_SIZE);
  const rngSeed = take(input.rngSeed !== null, SETUP_DATA_HDR + (input.rngSeed?.length ?? 0));
  return { cmdline, e820Ext, efiMemmap, efiSetupData, rngSeed, size: at };
}

function copyFromRunning(bp: Uint8Array, running: Uint8Array | null, off: number, len: number): void {
  if (running !== null && running.length >= off + len) bp.set(running.subarray(off, off + len), off);
}

/** The whole segment for a boot_params placed at `base`. */
export function buildParamsSegment(input: ParamsSegmentInput, base: bigint): Uint8Array {
  const layout = paramsLayout(input);
  const out = new Uint8Array(layout.size);
  const v = new DataView(out.buffer);
  const hdrEnd = Math.min(input.header.headerEnd, HDR_AREA_END);
  out.set(input.head.subarray(HDR.start, hdrEnd), HDR.start);

  if (input.running !== null && input.running.length >= BP.SCREEN_INFO_SIZE) {
    copyFromRunning(out, input.running, BP.screen_info, BP.SCREEN_INFO_SIZE);
  } else {
    // kexec-tools' defaults (`setup_linux_system_parameters`): an 80x25 VGA text console.
    out[0x07] = 80; // orig_video_cols
    out[0x0e] = 25; // orig_video_lines
    out[0x0f] = 1; // orig_video_isVGA
    v.setUint16(0x10, 16, true); // orig_video_points
  }
  copyFromRunning(out, input.running, BP.eddbuf, BP.EDDBUF_SIZE);
  copyFromRunning(out, input.running, BP.eddbuf_entries, 1);
  copyFromRunning(out, input.running, BP.edd_mbr_sig_buffer, BP.EDD_MBR_SIG_BUFFER_SIZE);
  copyFromRunning(out, input.running, BP.edd_mbr_sig_buf_entries, 1);
  copyFromRunning(out, input.running, BP.secure_boot, 1);
  copyFromRunning(out, input.running, HDR.hardware_subarch, 4);

  v.setBigUint64(BP.acpi_rsdp_addr, input.acpiRsdp, true);

  const zeroPage = input.e820.slice(0, E820_MAX_ENTRIES_ZEROPAGE);
  out[BP.e820_entries] = zeroPage.length;
  writeE820(v, BP.e820_table, zeroPage);
  const { extMemK, altMemK } = extendedMemoryK(input.e820);
  v.setUint16(BP.ext_mem_k, extMemK, true);
  v.setUint32(BP.alt_mem_k, altMemK, true);

  out[HDR.type_of_loader] = LOADER_TYPE_KEXEC;
  out[HDR.loadflags] = 0;
  const cmdAddr = base + BigInt(layout.cmdline);
  out.set(input.cmdline, layout.cmdline);
  v.setUint32(HDR.cmd_line_ptr, Number(cmdAddr & 0xffffffffn), true);
  v.setUint32(BP.ext_cmd_line_ptr, Number(cmdAddr >> 32n), true);
  if (input.initrd !== null) {
    v.setUint32(HDR.ramdisk_image, Number(input.initrd.addr & 0xffffffffn), true);
    v.setUint32(HDR.ramdisk_size, Number(input.initrd.size & 0xffffffffn), true);
    v.setUint32(BP.ext_ramdisk_image, Number(input.initrd.addr >> 32n), true);
    v.setUint32(BP.ext_ramdisk_size, Number(input.initrd.size >> 32n), true);
  }

  const chain: number[] = [];
  const node = (off: number, type: number, len: number): void => {
    v.setUint32(off + 8, type, true);
    v.setUint32(off + 12, len, true);
    chain.push(off);
  };
  if (layout.e820Ext !== null) {
    const ext = input.e820.slice(E820_MAX_ENTRIES_ZEROPAGE);
    node(layout.e820Ext, SETUP_E820_EXT, ext.length * E820_ENTRY_SIZE);
    writeE820(v, layout.e820Ext + SETUP_DATA_HDR, ext);
  }
  if (input.efi !== null && layout.efiMemmap !== null && layout.efiSetupData !== null) {
    const efi = input.efi;
    const map = encodeEfiMemmap(efi.memmap);
    out.set(map, layout.efiMemmap);
    const mapAddr = base + BigInt(layout.efiMemmap);
    const ei = (off: number, val: number): void => v.setUint32(BP.efi_info + off, val, true);
    ei(EFI_INFO.loader_signature, efi.loaderSignature);
    ei(EFI_INFO.systab, Number(efi.systab & 0xffffffffn));
    ei(EFI_INFO.systab_hi, Number(efi.systab >> 32n));
    ei(EFI_INFO.memdesc_size, EFI_MEMDESC_SIZE);
    ei(EFI_INFO.memdesc_version, efi.memdescVersion);
    ei(EFI_INFO.memmap, Number(mapAddr & 0xffffffffn));
    ei(EFI_INFO.memmap_hi, Number(mapAddr >> 32n));
    ei(EFI_INFO.memmap_size, map.length);
    const sd = layout.efiSetupData;
    node(sd, SETUP_EFI, EFI_SETUP_DATA_SIZE);
    [efi.fwVendor, efi.runtime, efi.tables, efi.smbios].forEach((val, i) => v.setBigUint64(sd + SETUP_DATA_HDR + i * 8, val, true));
  }
  if (input.rngSeed !== null && layout.rngSeed !== null) {
    node(layout.rngSeed, SETUP_RNG_SEED, input.rngSeed.length);
    out.set(input.rngSeed, layout.rngSeed + SETUP_DATA_HDR);
  }
  chain.forEach((off, i) => {
    const next = chain[i + 1];
    v.setBigUint64(off, next === undefined ? 0n : base + BigInt(next), true);
  });
  v.setBigUint64(HDR.setup_data, chain[0] === undefined ? 0n : base + BigInt(chain[0]), true);
  return out;
}
