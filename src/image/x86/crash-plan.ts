/**
 * kexec_load segments for an x86_64 crash (kdump) kernel: the normal bzImage layout (bzimage-plan.ts)
 * confined to the "Crash kernel" region(s) of /proc/iomem, plus an ELF core header segment
 * (elfcorehdr.ts) named on the command line, as kexec-tools' kexec/arch/i386/crashdump-x86.c
 * `load_crashdump_segments` and the kernel's arch/x86/kernel/crash.c (kexec_file_load) do it.
 *
 *   segments     all inside the crash region; its lowest CONTROL_RESERVE bytes stay free for the
 *                kernel's own control page and identity page tables (kernel/kexec_core.c
 *                `kimage_alloc_crash_control_pages` searches crashk_res upwards from its start);
 *   elfcorehdr   top-down in the crash region, page-aligned; "elfcorehdr=<KiB>K" appended to the
 *                command line in kexec-tools' form (`cmdline_add_elfcorehdr`), which the capture
 *                kernel parses with memparse (kernel/crash_dump.c `setup_elfcorehdr`);
 *   e820         what arch/x86/kernel/crash.c `crash_setup_memmap_entries` hands a kexec_file_load crash
 *                kernel (kexec-tools does the same edit of the zero page's e820 in x86-linux-setup.c
 *                `setup_e820` unless --pass-memmap-cmdline): RAM below 1 MiB, ACPI tables, ACPI NVS
 *                and reserved ranges as they are, and the crash region minus the ELF header as RAM.
 *                No memmap= on the command line.
 *
 * No low-memory backup: kexec-tools' purgatory copies the first 640K into the crash region because old
 * kernels put live data there; since Linux 5.8 (commit 6f599d84 "x86/kdump: Always reserve the low 1M
 * when the crashkernel option is specified") and 5.13 (f1d4d47c "x86/setup: Always reserve the first 1M
 * of RAM") the first kernel never allocates from low 1M, and the kernel removed its own backup region
 * for kexec_file_load in 5.8 (7c321eb2 "x86/kdump: Remove the backup region handling"). So, like
 * kexec_file_load on the 6.1 kernels we target, the capture kernel may use low 1M and the ELF header
 * maps it 1:1 (what it then holds is firmware data and the capture kernel's trampoline, not the crashed
 * kernel's). Pure.
 */
import { KexecError } from '../../errors.js';
import type { MemmapEntry } from '../memmap/firmware-memmap.js';
import { findHole, takeRange } from '../memmap/allocate.js';
import { ADDR_LIMIT, MIB, PAGE_SIZE, alignUp, clampRanges, hex, mergeRanges, subtractRanges, type AddrRange } from '../memmap/range.js';
import { planBzImage64, type X86LoadPlan, type X86PlanInput } from './bzimage-plan.js';
import { E820_TYPE, e820TypeOf } from './e820.js';
import { buildElfCoreHeader, type ElfCoreHeaderInput } from './elfcorehdr.js';

/** Left free at the bottom of the crash region for the kernel's control pages and page tables. */
export const CONTROL_RESERVE = MIB;

export type CrashPlanInput = Omit<X86PlanInput, 'usableRam' | 'memmap'> & {
  /** The "Crash kernel" ranges of /proc/iomem (crashKernelRanges). */
  crashRanges: readonly AddrRange[];
  /** Top-level "System RAM" of /proc/iomem, all of it (the dump covers reserved children too). */
  systemRam: readonly AddrRange[];
  /** The firmware memory map (/sys/firmware/memmap, else /proc/iomem's top level). */
  memmap: readonly MemmapEntry[];
  /** ELF header contents besides the RAM ranges. */
  core: Omit<ElfCoreHeaderInput, 'ram'>;
};

export type CrashLoadPlan = X86LoadPlan & {
  elfcorehdr: { addr: bigint; size: bigint; phnum: number };
  /** The RAM the ELF header maps (System RAM minus the crash region). */
  dumpRam: AddrRange[];
  /** The ranges segments were planned in (the crash region minus the control reserve). */
  segmentRam: AddrRange[];
  cmdline: string;
};

const RESERVED_KINDS: ReadonlySet<number> = new Set([E820_TYPE.RESERVED, E820_TYPE.ACPI, E820_TYPE.NVS]);

/** The capture kernel's memory map (crash.c `crash_setup_memmap_entries`). */
export function crashMemmap(memmap: readonly MemmapEntry[], crash: readonly AddrRange[], elfcorehdr: AddrRange): MemmapEntry[] {
  const out: MemmapEntry[] = [];
  for (const e of memmap) {
    const type = e820TypeOf(e.type);
    if (type === E820_TYPE.RAM) {
      for (const r of clampRanges([e], 0n, MIB)) out.push({ start: r.start, end: r.end, type: 'System RAM' });
    } else if (RESERVED_KINDS.has(type)) {
      // Never over the crash region (it is RAM in every sane map, this only guards odd ones).
      for (const r of subtractRanges([e], crash)) out.push({ start: r.start, end: r.end, type: e.type });
    }
  }
  for (const r of subtractRanges(crash, [elfcorehdr])) out.push({ start: r.start, end: r.end, type: 'System RAM' });
  return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

export function planCrashBzImage64(input: CrashPlanInput): CrashLoadPlan {
  const crash = mergeRanges(input.crashRanges);
  const first = crash[0];
  if (first === undefined) {
    throw new KexecError({
      code: 'ENOCRASHMEM',
      exitCode: 1,
      message: 'no "Crash kernel" region in /proc/iomem: boot with crashkernel= to load a crash kernel',
    });
  }
  const dumpRam = subtractRanges(input.systemRam, crash);
  const header = buildElfCoreHeader({ ...input.core, ram: dumpRam });
  const hdrMemsz = alignUp(BigInt(header.length), PAGE_SIZE);

  const control: AddrRange = { start: first.start, end: first.start + CONTROL_RESERVE };
  const segmentRam = subtractRanges(crash, [control]);
  const hdrAddr = findHole(segmentRam, { size: hdrMemsz, align: PAGE_SIZE, min: 0n, max: ADDR_LIMIT });
  if (hdrAddr === null) {
    throw new KexecError({ code: 'ENOMEM', message: `no room for the ELF core header (${hex(hdrMemsz)} bytes) in the crash region` });
  }
  const hdrRange = { start: hdrAddr, end: hdrAddr + hdrMemsz };
  const cmdline = `${input.cmdline.trim()} elfcorehdr=${hdrAddr >> 10n}K`.trim();
  const plan = planBzImage64({
    ...input,
    cmdline,
    usableRam: takeRange(segmentRam, hdrAddr, hdrMemsz),
    memmap: crashMemmap(input.memmap, crash, hdrRange),
  });
  const segments = [...plan.segments, { what: 'elfcorehdr' as const, buf: header, mem: hdrAddr, memsz: hdrMemsz }];
  segments.sort((a, b) => (a.mem < b.mem ? -1 : 1));
  const phnum = (header.length - 64) / 56;
  return { ...plan, segments, elfcorehdr: { addr: hdrAddr, size: hdrMemsz, phnum }, dumpRam, segmentRam, cmdline };
}
