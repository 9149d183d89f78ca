/**
 * The kexec_load (legacy syscall) path: user space lays out the kernel, boot data, initrd and an
 * entry trampoline as segments. x86_64 bzImages go through our own builder (legacy-x86.ts, the
 * layout of the kernel's arch/x86/kernel/kexec-bzimage64.c), arm64 Images through legacy-arm64.ts
 * (kexec-tools' kexec-arm64.c layout); x86_64 crash kernels (kexec -c -p) add an ELF core header
 * inside the crash region (src/image/x86/crash-plan.ts), arm64 crash kernels an ELF core header and
 * linux,elfcorehdr / linux,usable-memory-range in the DTB (src/image/arm64/crash-plan.ts); what has
 * no builder says so with ENOLEGACY, and no kexec_load call is made then
 * (with no segments it would *unload* the current kernel).
 */
import { KexecError } from '../errors.js';
import { readArm64BootFacts, type Arm64BootFacts } from '../host/arm64-boot-facts.js';
import { RootFs } from '../host/rootfs.js';
import type { OpenedFile } from '../host/open-checked.js';
import type { X86BootFacts } from '../host/x86-boot-facts.js';
import type { KernelImageInfo } from '../image/kernel-image.js';
import { KEXEC_ARCH_AARCH64, KEXEC_ARCH_X86_64 } from '../sys/constants.js';
import type { KexecSegment } from '../sys/kernel.js';
import { buildArm64LegacyPlan } from './legacy-arm64.js';
import { buildX86LegacyPlan } from './legacy-x86.js';

export type SegmentRequest = {
  image: KernelImageInfo;
  kernel: OpenedFile;
  initrds: readonly OpenedFile[];
  cmdline: string;
  crash: boolean;
  /** This machine's memory map and boot data, read when needed. */
  x86Facts: () => X86BootFacts;
  /** arm64: /proc/iomem and /sys/firmware/fdt (default: read from /). */
  arm64Facts?: () => Arm64BootFacts;
};

export type SegmentPlan = {
  entry: bigint;
  segments: KexecSegment[];
  /** KEXEC_ARCH_* bits for the flags, as kexec-tools passes them. */
  archFlags: number;
  /** kexec-tools' -d segment table. */
  table: string[];
  /** Facts worth a -d line (e.g. why EFI was not handed over). */
  notes: string[];
};

function notImplemented(what: string): KexecError {
  return new KexecError({
    code: 'ENOLEGACY',
    errno: 38,
    syscall: 'kexec_load',
    message: `kexec_load not implemented: kexecctl has no segment builder for ${what} yet`,
  });
}

/** arm64 Image: src/kexec/legacy-arm64.ts (kexec-tools' kexec-arm64.c layout, our trampoline). */
function buildArm64(req: SegmentRequest): SegmentPlan {
  const facts = req.arm64Facts?.() ?? readArm64BootFacts(new RootFs('/'));
  const plan = buildArm64LegacyPlan({ kernel: req.kernel, initrds: req.initrds, cmdline: req.cmdline, facts, crash: req.crash });
  const notes = [
    `arm64 Image: text_offset 0x${plan.header.textOffset.toString(16)}, image_size 0x${plan.header.imageSize.toString(16)}, dtb from /sys/firmware/fdt at 0x${plan.dtbAddr.toString(16)}`,
  ];
  const c = plan.crash;
  if (c !== undefined) {
    notes.push(
      `crash kernel: region 0x${c.region.start.toString(16)}-0x${(c.region.end - 1n).toString(16)}, elfcorehdr at 0x${c.elfcorehdr.addr.toString(16)} (${c.elfcorehdr.phnum} program headers, ${c.dumpRam.length} RAM ranges) in the DTB with linux,usable-memory-range`,
    );
  }
  return { entry: plan.entry, segments: plan.segments, archFlags: KEXEC_ARCH_AARCH64, table: plan.table, notes };
}

export function buildKexecSegments(req: SegmentRequest): SegmentPlan {
  if (req.image.format === 'arm64-image') return buildArm64(req);
  if (req.image.format !== 'x86-bzimage') throw notImplemented(req.image.format);
  const plan = buildX86LegacyPlan({ kernel: req.kernel, initrds: req.initrds, cmdline: req.cmdline, facts: req.x86Facts(), crash: req.crash });
  const notes = [`memory map from ${plan.memmapSource}, ACPI RSDP 0x${plan.acpiRsdp.toString(16)}, ${plan.e820Entries} e820 entries`];
  if (plan.crash !== undefined) {
    const c = plan.crash;
    notes.push(
      `crash kernel: elfcorehdr at 0x${c.elfcorehdr.addr.toString(16)} (${c.elfcorehdr.phnum} program headers, ${c.dumpRam.length} RAM ranges), command line: ${c.cmdline}`,
    );
  }
  if (plan.efiFallbackReason !== null)
    notes.push(`EFI not handed over: ${plan.efiFallbackReason} (the new kernel boots without EFI runtime services; ACPI still works)`);
  return { entry: plan.entry, segments: plan.segments, archFlags: KEXEC_ARCH_X86_64, table: plan.table, notes };
}
