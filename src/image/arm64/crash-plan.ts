/**
 * kexec_load segments for an arm64 crash (kdump) kernel, as kexec-tools does it in
 * kexec/arch/arm64/crashdump-arm64.c (`load_crashdump_segments`) and kexec-arm64.c
 * (`arm64_locate_kernel_segment`, `arm64_load_other_segments`, `setup_2nd_dtb` with on_crash):
 *
 *   region       the "Crash kernel" reservation of /proc/iomem; with several (crashkernel=X,high
 *                and its low part) every segment goes into the highest one, as newer kexec-tools
 *                takes crash_reserved_mem[last];
 *   elfcorehdr   the ELF core header (x86/elfcorehdr.ts with EM_AARCH64): one PT_NOTE per CPU's
 *                crash_notes, one for vmcoreinfo, one PT_LOAD per "System RAM" range minus the crash
 *                region(s) (kexec-tools `crash_get_memory_ranges`: mem_regions_exclude of the
 *                reservation, nothing else excluded); placed top-down in the region;
 *   control      the 64 KiB under the header stay free: the kernel's kimage_alloc_crash_control_pages
 *                takes its control page from crashk_res outside every segment;
 *   kernel, initrd, dtb, trampoline
 *                the ordinary Image layout (image-plan.ts) inside what is left: the kernel at the
 *                region's first 2 MiB boundary + text_offset, the rest above it;
 *   dtb /chosen  linux,elfcorehdr = <header address, size>, linux,usable-memory-range = the crash
 *                region(s) (fdt/crash-props.ts). The command line gets no elfcorehdr=: on arm64 the
 *                capture kernel reads the device tree (kexec-tools passes the command line as given).
 *
 * The kernel checks the rest (kernel/kexec_core.c `sanity_check_segment_list`: every segment of a
 * KEXEC_ON_CRASH load inside crashk_res). Pure: ranges and bytes in, plain data out.
 */
import { KexecError } from '../../errors.js';
import { findHole, takeRange } from '../memmap/allocate.js';
import { ADDR_LIMIT, MIB, alignUp, hex, mergeRanges, subtractRanges, type AddrRange } from '../memmap/range.js';
import { EM_AARCH64, buildElfCoreHeader, type NoteRange } from '../x86/elfcorehdr.js';
import { ARM64_TRAMPOLINE_MEMSZ } from './trampoline.js';
import { ARM64_KERNEL_ALIGN, ARM64_SEGMENT_ALIGN, parseArm64ImageHeader, planArm64Image, type Arm64LoadPlan, type Arm64PlanInput } from './image-plan.js';

/** Kept free under the ELF header for the kernel's control page (a 64 KiB page at most). */
export const ARM64_CRASH_CONTROL_RESERVE = ARM64_SEGMENT_ALIGN;

export type Arm64CrashPlanInput = Omit<Arm64PlanInput, 'usableRam' | 'crash'> & {
  /** The "Crash kernel" ranges of /proc/iomem. */
  crashRanges: readonly AddrRange[];
  /** Top-level "System RAM" of /proc/iomem, all of it. */
  systemRam: readonly AddrRange[];
  /** Per-CPU crash_notes, in CPU order. */
  cpuNotes: readonly NoteRange[];
  /** /sys/kernel/vmcoreinfo, or null. */
  vmcoreinfo: NoteRange | null;
};

export type Arm64CrashLoadPlan = Arm64LoadPlan & {
  elfcorehdr: { addr: bigint; size: bigint; phnum: number };
  /** The RAM the ELF header maps (System RAM minus the crash region(s)). */
  dumpRam: AddrRange[];
  /** All crash regions (linux,usable-memory-range) and the one the segments are in. */
  crashRegions: AddrRange[];
  region: AddrRange;
};

function fail(code: string, message: string): KexecError {
  return new KexecError({ code, exitCode: 1, message: `kexec_load: ${message}` });
}

const seg = (n: bigint): bigint => alignUp(n, ARM64_SEGMENT_ALIGN);
const mib = (n: bigint): string => `${(Number(n) / 1048576).toFixed(Number(n) % 1048576 === 0 ? 0 : 1)} MiB`;

/** The least a region must hold: every segment rounded to 64 KiB, the 2 MiB kernel alignment and the control page. */
export function arm64CrashMinimum(input: Pick<Arm64PlanInput, 'kernel' | 'initrd' | 'fdt'>, headerSize: number): bigint {
  const h = parseArm64ImageHeader(input.kernel);
  const kernel = seg(h.imageSize > BigInt(input.kernel.length) ? h.imageSize : BigInt(input.kernel.length));
  const initrd = input.initrd === null ? 0n : seg(BigInt(input.initrd.length));
  // the rewritten dtb gains bootargs and four properties: 4 KiB covers them
  const dtb = seg(BigInt(input.fdt.length) + 0x1000n);
  return h.textOffset + kernel + initrd + dtb + ARM64_TRAMPOLINE_MEMSZ + seg(BigInt(headerSize)) + ARM64_CRASH_CONTROL_RESERVE;
}

export function planArm64Crash(input: Arm64CrashPlanInput): Arm64CrashLoadPlan {
  const crashRegions = mergeRanges(input.crashRanges);
  const region = crashRegions[crashRegions.length - 1];
  if (region === undefined) throw fail('ENOCRASHMEM', 'no "Crash kernel" region in /proc/iomem: boot with crashkernel= to load a crash kernel');
  const dumpRam = subtractRanges(input.systemRam, crashRegions);
  const header = buildElfCoreHeader({
    cpuNotes: input.cpuNotes,
    vmcoreinfo: input.vmcoreinfo,
    kernelText: null,
    ram: dumpRam,
    pageOffset: 0n,
    machine: EM_AARCH64,
  });
  const hdrMemsz = seg(BigInt(header.length));

  // The kernel starts at the region's first 2 MiB boundary (arm64_locate_kernel_segment).
  const usable = { start: alignUp(region.start, ARM64_KERNEL_ALIGN), end: region.end };
  const need = arm64CrashMinimum(input, header.length);
  const size = usable.end > usable.start ? usable.end - usable.start : 0n;
  if (size < need) {
    throw fail(
      'ECRASHSMALL',
      `the crash region ${hex(region.start)}-${hex(region.end - 1n)} (${mib(region.end - region.start)}) is too small: this kernel, initrd and device tree need at least ${mib(alignUp(need, MIB))}; boot with a larger crashkernel=`,
    );
  }
  const hdrAddr = findHole([usable], { size: hdrMemsz + ARM64_CRASH_CONTROL_RESERVE, align: ARM64_SEGMENT_ALIGN, min: 0n, max: ADDR_LIMIT, topDown: true });
  if (hdrAddr === null) throw fail('ECRASHSMALL', `no room for the ELF core header (${hex(hdrMemsz)} bytes) in the crash region`);
  // the header sits at the top, the control reserve right under it
  const at = hdrAddr + ARM64_CRASH_CONTROL_RESERVE;
  const elfcorehdr = { start: at, end: at + hdrMemsz };
  const plan = planArm64Image({
    ...input,
    usableRam: takeRange([usable], hdrAddr, hdrMemsz + ARM64_CRASH_CONTROL_RESERVE),
    crash: { elfcorehdr, usable: crashRegions },
  });
  const segments = [...plan.segments, { what: 'elfcorehdr' as const, buf: header, mem: at, memsz: hdrMemsz }];
  const phnum = (header.length - 64) / 56;
  return { ...plan, segments, elfcorehdr: { addr: at, size: hdrMemsz, phnum }, dumpRam, crashRegions, region };
}
