/**
 * kexec_load segments for an x86_64 bzImage: the layout of the kernel's own kexec_file_load loader
 * (arch/x86/kernel/kexec-bzimage64.c `bzImage64_load`) with our trampoline in place of its purgatory.
 *
 *   kernel       file[kern16..], memsz page_align(init_size), aligned to kernel_alignment, at or above
 *                max(pref_address, 1 MiB) (MIN_KERNEL_LOAD_ADDR), top-down anywhere in usable RAM
 *                (the probe requires XLF_CAN_BE_LOADED_ABOVE_4G, as the kernel's does);
 *   initrd       page-aligned, at or above 16 MiB (MIN_INITRD_LOAD_ADDR), top-down; ext_ramdisk_* carry
 *                the high halves;
 *   boot_params  zero page + command line + setup_data, at or above 0x3000 (MIN_BOOTPARAM_ADDR) and,
 *                unlike the kernel, below 4 GiB (any early code that reads cmd_line_ptr alone still works);
 *   trampoline   one page below 4 GiB; the kexec entry point.
 *
 * Pure: bytes and ranges in, plain data out. The kernel segment's buf is a view of the caller's
 * kernel bytes (no copy); the initrd's is the caller's buffer.
 */
import { KexecError } from '../../errors.js';
import type { MemmapEntry } from '../memmap/firmware-memmap.js';
import { findHole, takeRange } from '../memmap/allocate.js';
import { ADDR_LIMIT, GIB4, MIB, PAGE_SIZE, alignUp, hex, mergeRanges, type AddrRange } from '../memmap/range.js';
import { probeBzImage64, type BzImageHeader } from './bzimage-header.js';
import { e820FromMemmap } from './e820.js';
import { decideEfiHandoff, findAcpiRsdp, type EfiSysfsInput } from './efi.js';
import { buildParamsSegment, paramsLayout, type ParamsSegmentInput } from './params-segment.js';
import { TRAMPOLINE_MEMSZ, buildTrampoline } from './trampoline.js';

export const MIN_BOOTPARAM_ADDR = 0x3000n;
export const MIN_KERNEL_LOAD_ADDR = 0x100000n;
export const MIN_INITRD_LOAD_ADDR = 0x1000000n;
/** startup_64 is 0x200 bytes into the protected-mode kernel (boot.rst, "64-bit Boot Protocol"). */
export const STARTUP_64_OFFSET = 0x200n;

export type X86SegmentKind = 'kernel' | 'initrd' | 'boot_params' | 'trampoline' | 'elfcorehdr';
/** A kexec_load segment with what it holds; structurally a src/sys/kernel.ts KexecSegment. */
export type PlannedSegment = { what: X86SegmentKind; buf: Uint8Array | null; mem: bigint; memsz: bigint };

export type X86PlanInput = {
  /** The whole bzImage file. */
  kernel: Uint8Array;
  /** The initrd bytes (several files already joined, see initrd.ts), or null. */
  initrd: Uint8Array | null;
  cmdline: string;
  /** Where segments may go (usableRamFromIomem / usableRamFromMemmap, or the crash region). */
  usableRam: readonly AddrRange[];
  /** The firmware memory map for the e820 table (/sys/firmware/memmap, else memmapFromIomem). */
  memmap: readonly MemmapEntry[];
  /** /sys/kernel/boot_params/data, or null when unreadable. */
  runningBootParams: Uint8Array | null;
  /** /sys/firmware/efi contents, or null when that directory does not exist. */
  efi: EfiSysfsInput | null;
  /** 32 random bytes passed as SETUP_RNG_SEED (the kernel's loader does this), or null. */
  rngSeed?: Uint8Array | null;
  /** The running kernel uses 5-level paging. */
  la57?: boolean;
  /** Overrides the RSDP found in boot_params/systab. */
  acpiRsdp?: bigint;
  /** Keep the kernel and initrd below 4 GiB too (default: anywhere, as the kernel's loader). */
  below4G?: boolean;
};

export type X86LoadPlan = {
  entry: bigint;
  /** Sorted by address. */
  segments: PlannedSegment[];
  header: BzImageHeader;
  kernelAddr: bigint;
  kernelEntry: bigint;
  bootParamsAddr: bigint;
  initrd: { addr: bigint; size: bigint } | null;
  acpiRsdp: bigint;
  e820Entries: number;
  /** null when EFI data was handed over; else why not (the new kernel then boots without EFI runtime services). */
  efiFallbackReason: string | null;
};

function noRoom(what: string, size: bigint, align: bigint, min: bigint, max: bigint): KexecError {
  return new KexecError({
    code: 'ENOMEM',
    message: `no room for the ${what} (${hex(size)} bytes aligned to ${hex(align)} between ${hex(min)} and ${hex(max)}) in usable RAM`,
  });
}

export function planBzImage64(input: X86PlanInput): X86LoadPlan {
  const header = probeBzImage64(input.kernel, { fileLength: input.kernel.length, ...(input.la57 === undefined ? {} : { la57: input.la57 }) });
  const cmdline = new TextEncoder().encode(input.cmdline);
  if (cmdline.length > header.cmdlineSize) {
    throw new KexecError({
      code: 'ECMDLINE2BIG',
      exitCode: 2,
      message: `command line too long: ${cmdline.length} bytes, this kernel accepts at most ${header.cmdlineSize}`,
    });
  }
  let free = mergeRanges(input.usableRam);
  const highLimit = input.below4G === true ? GIB4 : ADDR_LIMIT;
  const place = (what: string, size: bigint, align: bigint, min: bigint, max: bigint): bigint => {
    const at = findHole(free, { size, align, min, max });
    if (at === null) throw noRoom(what, size, align, min, max);
    free = takeRange(free, at, size);
    return at;
  };

  const kernelMemsz = alignUp(header.initSize, PAGE_SIZE);
  const payload = input.kernel.subarray(header.kern16Size);
  if (BigInt(payload.length) > kernelMemsz) {
    throw new KexecError({
      code: 'ENOEXEC',
      exitCode: 2,
      message: `kernel payload (${payload.length} bytes) is larger than its init_size (${hex(header.initSize)})`,
    });
  }
  const kernelAlign = header.kernelAlignment > PAGE_SIZE ? header.kernelAlignment : PAGE_SIZE;
  const kernelMin = header.prefAddress < MIN_KERNEL_LOAD_ADDR ? MIN_KERNEL_LOAD_ADDR : header.prefAddress;
  const kernelAddr = place('kernel', kernelMemsz, kernelAlign, kernelMin, highLimit);

  let initrd: { addr: bigint; size: bigint } | null = null;
  let initrdMemsz = 0n;
  if (input.initrd !== null && input.initrd.length > 0) {
    const size = BigInt(input.initrd.length);
    initrdMemsz = alignUp(size, PAGE_SIZE);
    initrd = { addr: place('initrd', initrdMemsz, PAGE_SIZE, MIN_INITRD_LOAD_ADDR, highLimit), size };
  }

  const memmap = e820FromMemmap(input.memmap);
  const efiDecision = decideEfiHandoff(header, input.runningBootParams, input.efi);
  const acpiRsdp = input.acpiRsdp ?? findAcpiRsdp(input.runningBootParams, input.efi?.systab ?? null);
  const paramsInput: ParamsSegmentInput = {
    head: input.kernel,
    header,
    running: input.runningBootParams,
    cmdline,
    e820: memmap,
    acpiRsdp,
    efi: efiDecision.handoff,
    rngSeed: input.rngSeed ?? null,
    initrd,
  };
  const paramsMemsz = alignUp(BigInt(paramsLayout(paramsInput).size), PAGE_SIZE);
  const bootParamsAddr = place('boot_params', paramsMemsz, PAGE_SIZE, MIN_BOOTPARAM_ADDR, GIB4);
  const trampolineAddr = place('trampoline', BigInt(TRAMPOLINE_MEMSZ), PAGE_SIZE, MIB, GIB4);
  const kernelEntry = kernelAddr + STARTUP_64_OFFSET;

  const segments: PlannedSegment[] = [
    { what: 'kernel', buf: payload, mem: kernelAddr, memsz: kernelMemsz },
    { what: 'boot_params', buf: buildParamsSegment(paramsInput, bootParamsAddr), mem: bootParamsAddr, memsz: paramsMemsz },
    { what: 'trampoline', buf: buildTrampoline(bootParamsAddr, kernelEntry), mem: trampolineAddr, memsz: BigInt(TRAMPOLINE_MEMSZ) },
  ];
  if (initrd !== null) segments.push({ what: 'initrd', buf: input.initrd, mem: initrd.addr, memsz: initrdMemsz });
  segments.sort((a, b) => (a.mem < b.mem ? -1 : 1));
  return {
    entry: trampolineAddr,
    segments,
    header,
    kernelAddr,
    kernelEntry,
    bootParamsAddr,
    initrd,
    acpiRsdp,
    e820Entries: memmap.length,
    efiFallbackReason: efiDecision.reason,
  };
}
