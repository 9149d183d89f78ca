/**
 * What the running system is, read under a root (so tests use fixture trees): the kernel release
 * (uname -r, /proc/sys/kernel/osrelease), /proc/cmdline, this boot's id
 * (/proc/sys/kernel/random/boot_id, new at every boot, kexec included) and who loaded it.
 *
 * "Who loaded it" is the x86 boot protocol's type_of_loader byte (setup header 0x210,
 * Documentation/arch/x86/boot.rst), which the kernel exports in /sys/kernel/boot_params/data
 * (arch/x86/kernel/ksysfs.c). The kernel's kexec_file_load (arch/x86/kernel/kexec-bzimage64.c)
 * and kexec-tools (and our kexec_load builder) write 0xD0; GRUB writes 0x72, QEMU's -kernel 0xB0.
 * So a kexec leaves a mark without anything added to the new kernel's command line.
 */
import { release as osRelease } from 'node:os';
import type { RootFs } from '../host/rootfs.js';
import { HDR } from '../image/x86/bootparam-offsets.js';

export type BootLoaderKind = 'kexec' | 'grub' | 'qemu' | 'other' | 'unknown';

export type RunningFacts = {
  release: string | null;
  cmdline: string | null;
  bootId: string | null;
  /** type_of_loader as a number, or null where the kernel does not export it (arm64, no /sys). */
  loaderType: number | null;
  loader: BootLoaderKind;
};

/** Boot loader IDs of Documentation/arch/x86/boot.rst (high nibble of type_of_loader). */
export function loaderKind(type: number | null): BootLoaderKind {
  if (type === null) return 'unknown';
  switch (type >> 4) {
    case 0xd:
      return 'kexec';
    case 0x7:
      return 'grub';
    case 0xb:
      return 'qemu';
    default:
      return 'other';
  }
}

const trimmed = (s: string | null): string | null => {
  const t = s?.trim() ?? '';
  return t === '' ? null : t;
};

export function readRunning(fs: RootFs): RunningFacts {
  const release = trimmed(fs.readText('/proc/sys/kernel/osrelease')) ?? (fs.isHost ? osRelease() : null);
  const params = fs.readBytes('/sys/kernel/boot_params/data', HDR.type_of_loader + 1);
  const loaderType = params !== null && params.length > HDR.type_of_loader ? (params[HDR.type_of_loader] as number) : null;
  return {
    release,
    cmdline: trimmed(fs.readText('/proc/cmdline')),
    bootId: trimmed(fs.readText('/proc/sys/kernel/random/boot_id')),
    loaderType,
    loader: loaderKind(loaderType),
  };
}

/** Command lines compared word by word (the kernel keeps the string as given, modulo trailing spaces). */
export function sameCmdline(a: string, b: string): boolean {
  const w = (s: string): string => s.trim().split(/\s+/).join(' ');
  return w(a) === w(b);
}
