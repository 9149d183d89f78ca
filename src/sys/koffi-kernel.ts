/**
 * The real Kernel: kexec syscalls through libc's syscall(2) via koffi. The ONLY file that
 * imports koffi. Never used in tests (get-kernel.ts refuses it there); proven in the QEMU tier.
 */
import { createRequire } from 'node:module';
import type * as KoffiNs from 'koffi';
import { RootFs } from '../host/rootfs.js';
import { readKexecSysfs } from '../host/kexec-sysfs.js';
import { archFromNode, KEXEC_FILE_NO_INITRAMFS, KEXEC_FILE_UNLOAD, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, SYSCALL_NUMBERS, type Arch } from './constants.js';
import { errnoName, strerror } from './errno.js';
import type { Kernel, KexecSegment, KexecState, SyscallResult } from './kernel.js';

type Koffi = typeof KoffiNs;
type SyscallName = keyof (typeof SYSCALL_NUMBERS)['x86_64'];
type Variadic = (nr: number, ...typeAndValue: unknown[]) => number | bigint;

const ENOSYS = 38;

function fail(syscall: string, errno: number): SyscallResult {
  return { ok: false, syscall, errno, code: errnoName(errno), message: strerror(errno) };
}

let segmentPtrType: KoffiNs.IKoffiCType | undefined;

/** struct kexec_segment { const void *buf; size_t bufsz; const void *mem; size_t memsz; } (declared once per process). */
function segmentPointerType(koffi: Koffi): KoffiNs.IKoffiCType {
  segmentPtrType ??= koffi.pointer(koffi.struct('kexecctl_kexec_segment', { buf: 'void *', bufsz: 'size_t', mem: 'uint64_t', memsz: 'size_t' }));
  return segmentPtrType;
}

class KoffiKernel implements Kernel {
  readonly kind = 'real' as const;
  private readonly koffi: Koffi;
  private readonly syscall: Variadic;
  private readonly arch: Arch | null;
  private readonly segmentPtr: KoffiNs.IKoffiCType;

  constructor(koffi: Koffi, arch: Arch | null) {
    this.koffi = koffi;
    this.arch = arch;
    const libc = koffi.load('libc.so.6');
    this.syscall = libc.func('long syscall(long number, ...)') as unknown as Variadic;
    this.segmentPtr = segmentPointerType(koffi);
  }

  /**
   * Runs one syscall; -1 means failure with koffi.errno(). glibc's syscall() reads every
   * argument as a long, so each variadic argument is passed 64 bits wide ('long'/'void *').
   */
  private call(name: SyscallName, args: unknown[]): SyscallResult {
    if (this.arch === null) return fail(name, ENOSYS);
    const nr = SYSCALL_NUMBERS[this.arch][name];
    this.koffi.errno(0);
    const ret = Number(this.syscall(nr, ...args));
    if (ret < 0) return fail(name, this.koffi.errno() || ENOSYS);
    return { ok: true, value: ret };
  }

  kexecFileLoad(kernelFd: number, initrdFd: number | null, cmdline: string, flags: number): SyscallResult {
    const unload = (flags & KEXEC_FILE_UNLOAD) !== 0;
    const initrd = initrdFd ?? -1;
    const f = initrdFd === null && !unload ? flags | KEXEC_FILE_NO_INITRAMFS : flags;
    // The kernel wants the length including the trailing NUL; unload passes no cmdline at all.
    const bytes = unload ? null : Buffer.from(cmdline + '\0', 'utf8');
    return this.call('kexec_file_load', ['long', kernelFd, 'long', initrd, 'unsigned long', bytes?.length ?? 0, 'void *', bytes, 'unsigned long', f]);
  }

  kexecLoad(entry: bigint, segments: readonly KexecSegment[], flags: number): SyscallResult {
    const arr = segments.map((s) => ({ buf: s.buf, bufsz: s.buf?.byteLength ?? 0, mem: s.mem, memsz: s.memsz }));
    const ptr = arr.length === 0 ? null : arr;
    return this.call('kexec_load', ['unsigned long', entry, 'unsigned long', arr.length, this.segmentPtr, ptr, 'unsigned long', flags]);
  }

  reboot(cmd: number): SyscallResult {
    return this.call('reboot', ['unsigned long', LINUX_REBOOT_MAGIC1, 'unsigned long', LINUX_REBOOT_MAGIC2, 'unsigned long', cmd, 'void *', null]);
  }

  sync(): void {
    this.call('sync', []);
  }

  memfdCreate(name: string, flags: number): SyscallResult {
    return this.call('memfd_create', ['str', name, 'unsigned long', flags]);
  }

  state(): KexecState {
    return readKexecSysfs(new RootFs('/'));
  }
}

export function createKoffiKernel(nodeArch: string = process.arch): Kernel {
  const require = createRequire(import.meta.url);
  const koffi = require('koffi') as Koffi;
  return new KoffiKernel(koffi, archFromNode(nodeArch));
}
