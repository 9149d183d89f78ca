/**
 * The real Kernel: kexec syscalls through libc's syscall(2) via koffi. The ONLY file that
 * imports koffi. Never used in tests (get-kernel.ts refuses it there); proven in the QEMU tier.
 */
import { createRequire } from 'node:module';
import type * as KoffiNs from 'koffi';
import { archFromNode, KEXEC_FILE_NO_INITRAMFS, KEXEC_FILE_UNLOAD, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, SYSCALL_NUMBERS, type Arch } from './constants.js';
import { errnoName, strerror } from './errno.js';
import type { Kernel, KexecSegment, KexecState, NamesResult, RebootResult, SyscallResult } from './kernel.js';

type Koffi = typeof KoffiNs;
type SyscallName = keyof (typeof SYSCALL_NUMBERS)['x86_64'];
type Variadic = (nr: number, ...typeAndValue: unknown[]) => number | bigint;

const ENOSYS = 38;
const ENOMEM = 12;
const EAFNOSUPPORT = 97;

/** Network constants of kexec-tools' ifdown() (linux/socket.h, linux/sockios.h, net/if.h). */
const AF_INET = 2;
const AF_NETLINK = 16;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const SIOCGIFFLAGS = 0x8913;
const SIOCSIFFLAGS = 0x8914;
/**
 * Watchdog ioctls (include/uapi/linux/watchdog.h, WATCHDOG_IOCTL_BASE 'W'), encoded with the
 * asm-generic _IOC layout that x86_64 and arm64 share (dir << 30 | size << 16 | type << 8 | nr):
 * WDIOC_KEEPALIVE = _IOR('W', 5, int), WDIOC_SETTIMEOUT = _IOWR('W', 6, int).
 */
const WDIOC_KEEPALIVE = 0x80045705;
const WDIOC_SETTIMEOUT = 0xc0045706;
/** open(2) flags (asm-generic/fcntl.h): O_WRONLY | O_CLOEXEC. */
const O_WRONLY = 0o1;
const O_CLOEXEC = 0o2000000;
/** struct ifreq: char ifr_name[IFNAMSIZ = 16], then a 24-byte union whose first member is short ifr_flags. */
const IFNAMSIZ = 16;
const IFREQ_SIZE = 40;

function fail(syscall: string, errno: number): SyscallResult {
  return { ok: false, syscall, errno, code: errnoName(errno), message: strerror(errno) };
}

let segmentPtrType: KoffiNs.IKoffiCType | undefined;

/** struct kexec_segment { const void *buf; size_t bufsz; const void *mem; size_t memsz; } (declared once per process). */
function segmentPointerType(koffi: Koffi): KoffiNs.IKoffiCType {
  segmentPtrType ??= koffi.pointer(koffi.struct('kexecctl_kexec_segment', { buf: 'void *', bufsz: 'size_t', mem: 'uint64_t', memsz: 'size_t' }));
  return segmentPtrType;
}

let nameIndexType: KoffiNs.IKoffiCType | undefined;

/** struct if_nameindex { unsigned int if_index; char *if_name; } (declared once per process). */
function nameIndexEntryType(koffi: Koffi): KoffiNs.IKoffiCType {
  nameIndexType ??= koffi.struct('kexecctl_if_nameindex', { if_index: 'unsigned int', if_name: 'const char *' });
  return nameIndexType;
}

type FileFns = {
  open: (path: string, flags: number) => number;
  write: (fd: number, buf: Buffer, n: number) => number;
  close: (fd: number) => number;
  ioctl: (fd: number, request: number, ...typeAndValue: unknown[]) => number;
  flock: (fd: number, operation: number) => number;
};

type NetFns = {
  socket: (domain: number, type: number, protocol: number) => number;
  close: (fd: number) => number;
  ioctl: (fd: number, request: number, ...typeAndValue: unknown[]) => number;
  ifNameIndex: () => unknown;
  ifFreeNameIndex: (p: unknown) => void;
};

function ifreq(name: string, flags = 0): Buffer {
  const buf = Buffer.alloc(IFREQ_SIZE);
  buf.write(name, 0, IFNAMSIZ - 1, 'utf8'); // strncpy(ifr_name, name, IFNAMSIZ - 1), NUL-terminated
  buf.writeUInt16LE(flags & 0xffff, IFNAMSIZ);
  return buf;
}

class KoffiKernel implements Kernel {
  readonly kind = 'real' as const;
  private readonly koffi: Koffi;
  private readonly syscall: Variadic;
  readonly arch: Arch | null;
  private readonly readState: () => KexecState;
  private readonly segmentPtr: KoffiNs.IKoffiCType;
  private readonly libc: KoffiNs.IKoffiLib;
  private netFns: NetFns | undefined;
  private fileFns: FileFns | undefined;

  constructor(koffi: Koffi, arch: Arch | null, readState: () => KexecState) {
    this.koffi = koffi;
    this.arch = arch;
    this.readState = readState;
    this.libc = koffi.load('libc.so.6');
    this.syscall = this.libc.func('long syscall(long number, ...)') as unknown as Variadic;
    this.segmentPtr = segmentPointerType(koffi);
  }

  /** libc's socket/ioctl/if_nameindex, bound on first use (only kexec -e needs them). */
  private net(): NetFns {
    this.netFns ??= {
      socket: this.libc.func('int socket(int domain, int type, int protocol)') as unknown as NetFns['socket'],
      close: this.libc.func('int close(int fd)') as unknown as NetFns['close'],
      ioctl: this.libc.func('int ioctl(int fd, unsigned long request, ...)') as unknown as NetFns['ioctl'],
      ifNameIndex: this.libc.func('void *if_nameindex(void)') as unknown as NetFns['ifNameIndex'],
      ifFreeNameIndex: this.libc.func('void if_freenameindex(void *ptr)') as unknown as NetFns['ifFreeNameIndex'],
    };
    return this.netFns;
  }

  /** libc's open/write/close/ioctl for the watchdog device, bound on first use. */
  private files(): FileFns {
    this.fileFns ??= {
      open: this.libc.func('int open(const char *path, int flags)') as unknown as FileFns['open'],
      write: this.libc.func('long write(int fd, const void *buf, unsigned long n)') as unknown as FileFns['write'],
      close: this.libc.func('int close(int fd)') as unknown as FileFns['close'],
      ioctl: this.libc.func('int ioctl(int fd, unsigned long request, ...)') as unknown as FileFns['ioctl'],
      flock: this.libc.func('int flock(int fd, int operation)') as unknown as FileFns['flock'],
    };
    return this.fileFns;
  }

  flock(fd: number, operation: number): SyscallResult {
    return this.fileCall('flock', () => this.files().flock(fd, operation));
  }

  private fileCall(what: string, f: () => number): SyscallResult {
    this.koffi.errno(0);
    const r = Number(f());
    if (r < 0) return fail(what, this.koffi.errno() || ENOSYS);
    return { ok: true, value: r };
  }

  watchdogOpen(path: string): SyscallResult {
    return this.fileCall('open', () => this.files().open(path, O_WRONLY | O_CLOEXEC));
  }

  watchdogSetTimeout(fd: number, seconds: number): SyscallResult {
    const arg = Buffer.alloc(4);
    arg.writeInt32LE(seconds);
    const r = this.fileCall('ioctl(WDIOC_SETTIMEOUT)', () => this.files().ioctl(fd, WDIOC_SETTIMEOUT, 'void *', arg));
    return r.ok ? { ok: true, value: arg.readInt32LE(0) } : r; // the driver writes back the timeout it kept
  }

  watchdogKeepalive(fd: number): SyscallResult {
    return this.fileCall('ioctl(WDIOC_KEEPALIVE)', () => this.files().ioctl(fd, WDIOC_KEEPALIVE, 'void *', null));
  }

  watchdogClose(fd: number, magic: boolean): SyscallResult {
    const f = this.files();
    if (magic) {
      const w = this.fileCall('write', () => f.write(fd, Buffer.from('V'), 1));
      if (!w.ok) {
        f.close(fd);
        return w;
      }
    }
    return this.fileCall('close', () => f.close(fd));
  }

  /** One ioctl on a fresh AF_INET datagram socket (AF_NETLINK where the kernel has no IPv4, as kexec-tools git main). */
  private ifIoctl(what: string, request: number, req: Buffer): SyscallResult {
    const n = this.net();
    this.koffi.errno(0);
    let fd = n.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 && this.koffi.errno() === EAFNOSUPPORT) fd = n.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail('socket', this.koffi.errno() || ENOSYS);
    try {
      this.koffi.errno(0);
      if (n.ioctl(fd, request, 'void *', req) < 0) return fail(what, this.koffi.errno() || ENOSYS);
      return { ok: true, value: req.readUInt16LE(IFNAMSIZ) };
    } finally {
      n.close(fd);
    }
  }

  netInterfaceNames(): NamesResult {
    const n = this.net();
    this.koffi.errno(0);
    const list = n.ifNameIndex();
    if (list === null) {
      const errno = this.koffi.errno() || ENOMEM;
      return { ok: false, syscall: 'if_nameindex', errno, code: errnoName(errno), message: strerror(errno) };
    }
    const entry = nameIndexEntryType(this.koffi);
    const size = this.koffi.sizeof(entry);
    const names: string[] = [];
    try {
      for (let i = 0; ; i++) {
        const e = this.koffi.decode(list, i * size, entry) as { if_index: number; if_name: string | null };
        if (e.if_index === 0) break;
        if (e.if_name !== null) names.push(e.if_name);
      }
    } finally {
      n.ifFreeNameIndex(list);
    }
    return { ok: true, names };
  }

  getInterfaceFlags(name: string): SyscallResult {
    return this.ifIoctl('ioctl(SIOCGIFFLAGS)', SIOCGIFFLAGS, ifreq(name));
  }

  setInterfaceFlags(name: string, flags: number): SyscallResult {
    return this.ifIoctl('ioctl(SIOCSIFFLAGS)', SIOCSIFFLAGS, ifreq(name, flags));
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

  /** A real reboot(2) that returns 0 did not jump (it never returns when it does). */
  reboot(cmd: number): RebootResult {
    const r = this.call('reboot', ['unsigned long', LINUX_REBOOT_MAGIC1, 'unsigned long', LINUX_REBOOT_MAGIC2, 'unsigned long', cmd, 'void *', null]);
    return r.ok ? { ok: true, value: r.value, jumped: false } : r;
  }

  sync(): void {
    this.call('sync', []);
  }

  memfdCreate(name: string, flags: number): SyscallResult {
    return this.call('memfd_create', ['str', name, 'unsigned long', flags]);
  }

  /** What /sys/kernel says, read by the caller's reader (host/kexec-sysfs.ts): no file I/O in the binding. */
  state(): KexecState {
    return this.readState();
  }
}

export function createKoffiKernel(readState: () => KexecState, nodeArch: string = process.arch): Kernel {
  const require = createRequire(import.meta.url);
  const koffi = require('koffi') as Koffi;
  return new KoffiKernel(koffi, archFromNode(nodeArch), readState);
}
