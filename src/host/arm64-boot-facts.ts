/**
 * What the arm64 kexec_load planner needs to know about this machine, read through RootFs (so a
 * test or --root reads a recorded tree): /proc/iomem for free RAM (kexec-tools'
 * kexec/arch/arm64/kexec-arm64.c `get_memory_ranges` reads the same) and the DTB the running kernel
 * booted with, /sys/firmware/fdt (kexec-tools `read_1st_dtb`); for crash loads the per-CPU
 * crash_notes and /sys/kernel/vmcoreinfo (the same reader as x86). Reading only: no decision here.
 */
import type { RootFs } from './rootfs.js';
import { readCrashNotes, type CrashNoteRecord } from './x86-boot-facts.js';

export type Arm64BootFacts = {
  /** /proc/iomem text, or null. */
  iomem: string | null;
  /** /sys/firmware/fdt, or null (no device tree exported: ACPI-only boots without EFI FDT). */
  fdt: Uint8Array | null;
  /** Crash loads: /sys/devices/system/cpu/cpuN/crash_notes{,_size}, in N order. */
  crashNotes?: CrashNoteRecord[];
  /** Crash loads: /sys/kernel/vmcoreinfo ("<hex addr> <hex size>"), or null. */
  vmcoreinfo?: string | null;
};

/** booting.rst caps a DTB at 2 MiB; read a little more so an oversized one is seen as such. */
const FDT_READ_MAX = 4 * 1024 * 1024;

export function readArm64BootFacts(fs: RootFs): Arm64BootFacts {
  const fdt = fs.readBytes('/sys/firmware/fdt', FDT_READ_MAX);
  return {
    iomem: fs.readText('/proc/iomem'),
    fdt: fdt === null ? null : new Uint8Array(fdt.buffer, fdt.byteOffset, fdt.byteLength),
    crashNotes: readCrashNotes(fs),
    vmcoreinfo: fs.readText('/sys/kernel/vmcoreinfo')?.trim() ?? null,
  };
}
