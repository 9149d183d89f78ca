/**
 * The kexec_load (legacy syscall) path: user space lays out the kernel, boot data, initrd and an
 * entry trampoline as segments. x86_64 bzImages go through our own builder (legacy-x86.ts, the
 * layout of the kernel's arch/x86/kernel/kexec-bzimage64.c); what has no builder yet (arm64 Image,
 * crash kernels through kexec_load) says so with ENOLEGACY, and no kexec_load call is made then
 * (with no segments it would *unload* the current kernel).
 */
import { KexecError } from '../errors.js';
import type { OpenedFile } from '../host/open-checked.js';
import type { X86BootFacts } from '../host/x86-boot-facts.js';
import type { KernelImageInfo } from '../image/kernel-image.js';
import { KEXEC_ARCH_X86_64 } from '../sys/constants.js';
import type { KexecSegment } from '../sys/kernel.js';
import { buildX86LegacyPlan } from './legacy-x86.js';

export type SegmentRequest = {
  image: KernelImageInfo;
  kernel: OpenedFile;
  initrds: readonly OpenedFile[];
  cmdline: string;
  crash: boolean;
  /** This machine's memory map and boot data, read when needed. */
  x86Facts: () => X86BootFacts;
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
  return new KexecError({ code: 'ENOLEGACY', errno: 38, syscall: 'kexec_load', message: `kexec_load not implemented: kexecctl has no segment builder for ${what} yet` });
}

export function buildKexecSegments(req: SegmentRequest): SegmentPlan {
  if (req.image.format !== 'x86-bzimage') throw notImplemented(req.image.format);
  if (req.crash) throw notImplemented('crash kernels (kexec -c -p); kexec_file_load (-s) loads them');
  const plan = buildX86LegacyPlan({ kernel: req.kernel, initrds: req.initrds, cmdline: req.cmdline, facts: req.x86Facts() });
  const notes = [`memory map from ${plan.memmapSource}, ACPI RSDP 0x${plan.acpiRsdp.toString(16)}, ${plan.e820Entries} e820 entries`];
  if (plan.efiFallbackReason !== null) notes.push(`EFI not handed over: ${plan.efiFallbackReason} (the new kernel boots without EFI runtime services; ACPI still works)`);
  return { entry: plan.entry, segments: plan.segments, archFlags: KEXEC_ARCH_X86_64, table: plan.table, notes };
}
