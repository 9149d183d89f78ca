/** strace-style renderings of the calls we make, for --dry-run, -d and error messages. */
import { KEXEC_FILE_NO_INITRAMFS, KEXEC_FILE_ON_CRASH, KEXEC_FILE_UNLOAD, KEXEC_ON_CRASH } from '../sys/constants.js';

/**
 * Newer flags of include/uapi/linux/kexec.h. kexec_file_load: KEXEC_FILE_DEBUG (6.7),
 * KEXEC_FILE_NO_CMA (kexec-tools --no-cma), KEXEC_FILE_FORCE_DTB (--force-dtb); an older kernel
 * answers an unknown flag with EINVAL. kexec_load: KEXEC_UPDATE_ELFCOREHDR (x86) and
 * KEXEC_CRASH_HOTPLUG_SUPPORT (other architectures) for --hotplug; kexec_file_load has no
 * hotplug flag (the kernel decides for crash file loads itself).
 */
export const KEXEC_FILE_DEBUG = 0x8;
export const KEXEC_FILE_NO_CMA = 0x10;
export const KEXEC_FILE_FORCE_DTB = 0x20;
export const KEXEC_UPDATE_ELFCOREHDR = 0x4;
export const KEXEC_CRASH_HOTPLUG_SUPPORT = 0x8;

export function quoteC(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t') + '"';
}

const FILE_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [KEXEC_FILE_UNLOAD, 'KEXEC_FILE_UNLOAD'],
  [KEXEC_FILE_ON_CRASH, 'KEXEC_FILE_ON_CRASH'],
  [KEXEC_FILE_NO_INITRAMFS, 'KEXEC_FILE_NO_INITRAMFS'],
  [KEXEC_FILE_DEBUG, 'KEXEC_FILE_DEBUG'],
  [KEXEC_FILE_NO_CMA, 'KEXEC_FILE_NO_CMA'],
  [KEXEC_FILE_FORCE_DTB, 'KEXEC_FILE_FORCE_DTB'],
];

const LOAD_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [KEXEC_ON_CRASH, 'KEXEC_ON_CRASH'],
  [KEXEC_UPDATE_ELFCOREHDR, 'KEXEC_UPDATE_ELFCOREHDR'],
  [KEXEC_CRASH_HOTPLUG_SUPPORT, 'KEXEC_CRASH_HOTPLUG_SUPPORT'],
];

function flagsText(flags: number, table: ReadonlyArray<readonly [number, string]>): string {
  const names = table.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
  const hex = `0x${flags.toString(16)}`;
  return names.length === 0 ? hex : `${names.join('|')} (${hex})`;
}

export function fileFlagsText(flags: number): string {
  return flagsText(flags, FILE_FLAG_NAMES);
}

export function loadFlagsText(flags: number): string {
  return flagsText(flags, LOAD_FLAG_NAMES);
}

export type FdDescription = { fd: number | null; label: string };

export function fdText(d: FdDescription): string {
  if (d.fd === null) return '-1';
  if (d.fd < 0) return `<${d.label}>`; // not created in a dry run
  return `${d.fd}<${d.label}>`;
}

export function describeFileLoad(kernel: FdDescription, initrd: FdDescription, cmdline: string, flags: number): string {
  const len = Buffer.byteLength(cmdline, 'utf8') + 1;
  return `kexec_file_load(kernel_fd=${fdText(kernel)}, initrd_fd=${fdText(initrd)}, cmdline_len=${len}, cmdline=${quoteC(cmdline)}, flags=${fileFlagsText(flags)})`;
}
