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
 */
import { randomBytes } from '../host/random-bytes.js';
import { KexecError } from '../errors.js';
import { readRamdisk, readWholeFile } from './segment-files.js';
import type { Arm64BootFacts } from '../host/arm64-boot-facts.js';
import type { OpenedFile } from '../host/open-checked.js';
import { checkArm64Plan } from '../image/arm64/plan-check.js';
import { planArm64Image, type Arm64LoadPlan } from '../image/arm64/image-plan.js';
import { isArm64ExcludedChild, parseIomem, usableRamFromIomem } from '../image/memmap/iomem.js';
import { formatSegmentTable, requireSoundPlan } from '../image/segment-check.js';

export type Arm64LegacyInput = {
  kernel: OpenedFile;
  initrds: readonly OpenedFile[];
  cmdline: string;
  facts: Arm64BootFacts;
  /** Tests pass a fixed source; the default is the crypto RNG. */
  random?: (n: number) => Uint8Array;
};

export type Arm64LegacyPlan = Arm64LoadPlan & { table: string[] };

function missing(what: string): KexecError {
  return new KexecError({ code: 'ENOMEMMAP', exitCode: 1, message: `kexec_load: ${what}` });
}

export function buildArm64LegacyPlan(input: Arm64LegacyInput): Arm64LegacyPlan {
  if (input.facts.iomem === null) throw missing('/proc/iomem is unreadable, so free RAM is unknown');
  if (input.facts.fdt === null)
    throw missing('/sys/firmware/fdt is missing: no device tree to hand to the next kernel (ACPI-only boot?); use kexec_file_load (-s)');
  const usableRam = usableRamFromIomem(parseIomem(input.facts.iomem), { excludeChild: isArm64ExcludedChild, excludeCrashKernel: true, minAddress: 0n });
  if (usableRam.length === 0) throw missing('/proc/iomem lists no System RAM');
  const kernel = readWholeFile(input.kernel);
  const plan = planArm64Image({
    kernel,
    initrd: readRamdisk(input.initrds),
    cmdline: input.cmdline,
    usableRam,
    fdt: input.facts.fdt,
    random: input.random ?? ((n) => randomBytes(n)),
  });
  requireSoundPlan(checkArm64Plan(plan, usableRam));
  return { ...plan, table: formatSegmentTable(plan.entry, plan.segments) };
}
