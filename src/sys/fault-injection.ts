/**
 * KEXECCTL_FAIL_SYSCALL=kexec_file_load:EINVAL makes the real binding report that errno for that
 * system call without making it: how the QEMU tiers prove the kexec_file_load → kexec_load
 * fallback on a real kernel that would otherwise accept the file load. It can only turn a call
 * into a failure (nothing is ever made to succeed), so it cannot load, unload or reboot anything.
 * Only kexec_file_load and kexec_load can be failed.
 */
import { KexecError } from '../errors.js';
import { errnoName, errnoNumber, strerror } from './errno.js';
import type { Kernel, SyscallResult } from './kernel.js';

const FAILABLE = new Set(['kexec_file_load', 'kexec_load']);

export function parseFailSpec(spec: string): { syscall: string; errno: number } {
  const [syscall = '', code = ''] = spec.split(':');
  const errno = errnoNumber(code);
  if (!FAILABLE.has(syscall) || errno === undefined) {
    throw new KexecError({
      code: 'EUSAGE',
      exitCode: 2,
      message: `KEXECCTL_FAIL_SYSCALL=${spec}: expected kexec_file_load:ERRNO or kexec_load:ERRNO (e.g. kexec_file_load:EINVAL)`,
    });
  }
  return { syscall, errno };
}

/** The kernel with one system call answered by a failure; every other call goes through. */
export function withInjectedFailure(kernel: Kernel, spec: string): Kernel {
  const { syscall, errno } = parseFailSpec(spec);
  const fail = (): SyscallResult => ({ ok: false, syscall, errno, code: errnoName(errno), message: strerror(errno) });
  return new Proxy(kernel, {
    get(target, prop, receiver) {
      if ((prop === 'kexecFileLoad' && syscall === 'kexec_file_load') || (prop === 'kexecLoad' && syscall === 'kexec_load')) return fail;
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
