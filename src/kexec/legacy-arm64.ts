/**
 * kexec_load for an arm64 Image: reads the opened files into one buffer per segment (the kernel
 * once, every initrd straight into its place in one ramdisk buffer, GRUB's 4-byte padding between
 * parts), turns /proc/iomem into free RAM and hands everything, with the running kernel's
 * /sys/firmware/fdt, to the pure planner (src/image/arm64/image-plan.ts).
 *
 * Free RAM, as kexec-tools' kexec/arch/arm64/kexec-arm64.c `get_memory_ranges` / `to_be_excluded`
 * computes it: "System RAM" minus every child except the running kernel's own sections (reserved
 * firmware areas, GICv3 LPI tables, EFI memreserve), minus the "Crash kernel" region so a loaded
 * kdump kernel survives. The FDT's /memory nodes are not used: an EFI boot has none.
 *
 * kexec -p (crash: true): every segment inside the "Crash kernel" region, with an ELF core header
 * and the capture kernel's /chosen properties (src/image/arm64/crash-plan.ts, kexec-tools'
 * crashdump-arm64.c); the CPUs' crash_notes and vmcoreinfo come from sysfs.
 */
import { randomBytes } from '../host/random-bytes.js';
import { KexecError } from '../errors.js';
import { readRamdisk, readWholeFile } from './segment-files.js';
import type { Arm64BootFacts } from '../host/arm64-boot-facts.js';
import type { OpenedFile } from '../host/open-checked.js';
import { checkArm64Plan } from '../image/arm64/plan-check.js';
import { planArm64Image, type Arm64LoadPlan } from '../image/arm64/image-plan.js';
import { planArm64Crash, type Arm64CrashLoadPlan } from '../image/arm64/crash-plan.js';
import { crashKernelRanges, isArm64ExcludedChild, isSystemRam, parseIomem, usableRamFromIomem } from '../image/memmap/iomem.js';
import { parseCrashNotes, parseVmcoreinfo } from '../image/x86/crash-facts.js';
import { formatSegmentTable, requireSoundPlan } from '../image/segment-check.js';

export type Arm64LegacyInput = {
  kernel: OpenedFile;
  initrds: readonly OpenedFile[];
  cmdline: string;
  facts: Arm64BootFacts;
  /** Tests pass a fixed source; the default is the crypto RNG. */
  random?: (n: number) => Uint8Array;
  /** kexec -p: a crash kernel in the "Crash kernel" region (crash-plan.ts). */
  crash?: boolean;
};

export type Arm64LegacyPlan = Arm64LoadPlan & { table: string[]; crash?: Arm64CrashLoadPlan };

function missing(what: string): KexecError {
  return new KexecError({ code: 'ENOMEMMAP', exitCode: 1, message: `kexec_load: ${what}` });
}

export function buildArm64LegacyPlan(input: Arm64LegacyInput): Arm64LegacyPlan {
  if (input.facts.iomem === null) throw missing('/proc/iomem is unreadable, so free RAM is unknown');
  if (input.facts.fdt === null)
    throw missing('/sys/firmware/fdt is missing: no device tree to hand to the next kernel (ACPI-only boot?); use kexec_file_load (-s)');
  const nodes = parseIomem(input.facts.iomem);
  const common = {
    kernel: readWholeFile(input.kernel),
    initrd: readRamdisk(input.initrds),
    cmdline: input.cmdline,
    fdt: input.facts.fdt,
    random: input.random ?? ((n: number) => randomBytes(n)),
  };
  if (input.crash === true) {
    const crash = planArm64Crash({
      ...common,
      crashRanges: crashKernelRanges(nodes),
      systemRam: nodes.filter((n) => isSystemRam(n.name)),
      cpuNotes: parseCrashNotes(input.facts.crashNotes ?? []),
      vmcoreinfo: parseVmcoreinfo(input.facts.vmcoreinfo ?? null),
    });
    requireSoundPlan(checkArm64Plan(crash, [crash.region]));
    return { ...crash, table: formatSegmentTable(crash.entry, crash.segments), crash };
  }
  const usableRam = usableRamFromIomem(nodes, { excludeChild: isArm64ExcludedChild, excludeCrashKernel: true, minAddress: 0n });
  if (usableRam.length === 0) throw missing('/proc/iomem lists no System RAM');
  const plan = planArm64Image({ ...common, usableRam });
  requireSoundPlan(checkArm64Plan(plan, usableRam));
  return { ...plan, table: formatSegmentTable(plan.entry, plan.segments) };
}
