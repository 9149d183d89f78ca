/**
 * The Kernel port: every kexec-related system call goes through this interface.
 * Implementations: koffi-kernel.ts (the real one, only importer of koffi) and
 * fake-kernel.ts (recording fake for tests and --dry-run).
 */
import type { Arch } from './constants.js';

export type SyscallOk = { ok: true; value: number };
export type SyscallFail = { ok: false; syscall: string; errno: number; code: string; message: string };
export type SyscallResult = SyscallOk | SyscallFail;

/** One kexec_load segment: bytes in user memory (buf) placed at physical address mem. */
export type KexecSegment = { buf: Uint8Array | null; mem: bigint; memsz: bigint };

/** What /sys/kernel says about kexec right now. */
export type KexecState = {
  /** /sys/kernel/kexec_loaded exists (the kernel supports kexec at all). */
  supported: boolean;
  loaded: boolean;
  crashLoaded: boolean;
  /** Bytes reserved for the crash kernel (/sys/kernel/kexec_crash_size), 0 if none. */
  crashSize: number;
};

/** if_nameindex(3): interface names in index order, or why they could not be listed. */
export type NamesResult = { ok: true; names: string[] } | SyscallFail;

/** reboot(2)'s answer: a failure, or success and whether the jump really happened (only a fake "jumps" and returns). */
export type RebootResult = SyscallFail | { ok: true; value: number; jumped: boolean };

export interface Kernel {
  /** 'real' for the koffi binding, 'fake' for the recording fake (descriptions only: no caller decides by it). */
  readonly kind: 'real' | 'fake';
  /** The machine a load must be built for: this one for the real binding; null (any) for the fake. */
  readonly arch: Arch | null;
  kexecFileLoad(kernelFd: number, initrdFd: number | null, cmdline: string, flags: number): SyscallResult;
  kexecLoad(entry: bigint, segments: readonly KexecSegment[], flags: number): SyscallResult;
  /** reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, cmd, NULL). */
  reboot(cmd: number): RebootResult;
  sync(): void;
  /** Returns the new file descriptor as value. */
  memfdCreate(name: string, flags: number): SyscallResult;
  state(): KexecState;
  /**
   * Network interfaces for kexec -e, with the calls kexec-tools' ifdown() makes (kexec/ifdown.c):
   * if_nameindex(), then SIOCGIFFLAGS / SIOCSIFFLAGS on an AF_INET datagram socket.
   */
  netInterfaceNames(): NamesResult;
  /** ioctl(SIOCGIFFLAGS): the interface's flags as value. */
  getInterfaceFlags(name: string): SyscallResult;
  /** ioctl(SIOCSIFFLAGS) with ifr_flags = flags. */
  setInterfaceFlags(name: string, flags: number): SyscallResult;
  /**
   * The hardware watchdog (include/uapi/linux/watchdog.h, drivers/watchdog/watchdog_dev.c).
   * open(path, O_WRONLY | O_CLOEXEC): opening /dev/watchdogN starts the watchdog (watchdog_open →
   * watchdog_start) with the driver's current timeout; value = the descriptor. The device is
   * single-open: EBUSY when another process (systemd's RuntimeWatchdogSec, a watchdog daemon) holds it.
   */
  watchdogOpen(path: string): SyscallResult;
  /** ioctl(WDIOC_SETTIMEOUT, &seconds): value = the timeout the driver kept (it may round, e.g. up to its granularity). */
  watchdogSetTimeout(fd: number, seconds: number): SyscallResult;
  /** ioctl(WDIOC_KEEPALIVE): one ping. */
  watchdogKeepalive(fd: number): SyscallResult;
  /**
   * Closes the descriptor. magic: write the magic character 'V' first, so that watchdog_release()
   * stops the watchdog (WDOG_ALLOW_RELEASE); without it the kernel logs "watchdog did not stop!" and
   * the watchdog keeps counting, which is what the kexec jump wants. A driver with nowayout never stops.
   */
  watchdogClose(fd: number, magic: boolean): SyscallResult;
  /**
   * flock(2) on a descriptor the caller opened (LOCK_EX | LOCK_NB, LOCK_UN): how two kexecctl loads
   * are serialised (kexec/load-lock.ts). EWOULDBLOCK (EAGAIN) when another open file holds it.
   */
  flock(fd: number, operation: number): SyscallResult;
}
