/** strace-style renderings of the calls we make, for --dry-run, -d and error messages. */
import { KEXEC_FILE_NO_INITRAMFS, KEXEC_FILE_ON_CRASH, KEXEC_FILE_UNLOAD } from '../sys/constants.js';

export function quoteC(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t') + '"';
}

export function fileFlagsText(flags: number): string {
  const names: string[] = [];
  if (flags & KEXEC_FILE_UNLOAD) names.push('KEXEC_FILE_UNLOAD');
  if (flags & KEXEC_FILE_ON_CRASH) names.push('KEXEC_FILE_ON_CRASH');
  if (flags & KEXEC_FILE_NO_INITRAMFS) names.push('KEXEC_FILE_NO_INITRAMFS');
  const hex = `0x${flags.toString(16)}`;
  return names.length === 0 ? hex : `${names.join('|')} (${hex})`;
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
