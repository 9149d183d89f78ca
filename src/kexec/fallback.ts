/**
 * kexec-tools' rule for leaving kexec_file_load for kexec_load (kexec/kexec.c,
 * do_kexec_file_load): only when the kernel lacks the syscall or did not understand the
 * image or options. Permission and signature failures are final: falling back there would
 * sidestep lockdown or signature enforcement.
 */
import { ENOTSUP } from '../sys/errno.js';

const FALLBACK_ERRNOS: ReadonlySet<number> = new Set([
  38, // ENOSYS: no kexec_file_load in this kernel
  22, // EINVAL: options or image rejected by the parser
  8, // ENOEXEC: image format not understood by the kernel
  ENOTSUP, // ENOTSUP/EOPNOTSUPP: unsupported image type or PE signature wrapper
]);

export function fileLoadMayFallBack(errno: number): boolean {
  return FALLBACK_ERRNOS.has(errno);
}
