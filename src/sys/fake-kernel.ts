/**
 * A recording fake of the Kernel port, for unit tests and --dry-run.
 * It never touches the machine: calls are recorded, results are scripted.
 * With a state file (KEXECCTL_FAKE=<file>) the state survives between CLI processes,
 * so end-to-end CLI tests can load in one process and check status in the next.
 */
import { fstatSync, openSync, readFileSync, readlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEXEC_FILE_ON_CRASH, KEXEC_FILE_UNLOAD, KEXEC_ON_CRASH, LINUX_REBOOT_CMD_KEXEC, type Arch } from './constants.js';
import { errnoName, errnoNumber, strerror } from './errno.js';
import type { Kernel, KexecSegment, KexecState, NamesResult, RebootResult, SyscallResult } from './kernel.js';

export type RecordedCall = { syscall: string; args: Record<string, unknown>; result: string };

export type FakeState = KexecState & {
  calls: RecordedCall[];
  /** syscall name -> errno name to fail with (e.g. { kexec_file_load: 'EINVAL' }). */
  failures: Record<string, string>;
  nextFd: number;
  /**
   * Network interfaces the fake pretends exist: name -> up (for kexec -e's ifdown). Reads
   * (if_nameindex, SIOCGIFFLAGS) are not logged; each SIOCSIFFLAGS is, as syscall "ioctl" with
   * {request, name, flags}. Failures: failures["SIOCSIFFLAGS:<name>"], ["SIOCSIFFLAGS"],
   * ["SIOCGIFFLAGS"], ["if_nameindex"].
   */
  interfaces?: Record<string, boolean>;
  /**
   * Watchdog devices the fake pretends exist, by path (/dev/watchdog0). Each open, WDIOC_* ioctl
   * and close is logged (syscalls "watchdog_open", "ioctl" with {request}, "watchdog_close").
   * Failures: failures["watchdog_open"], ["WDIOC_SETTIMEOUT"], ["WDIOC_KEEPALIVE"], ["watchdog_close"].
   */
  watchdogs?: Record<string, FakeWatchdog>;
  /** Open watchdog descriptors: fd -> device path. */
  watchdogFds?: Record<string, string>;
};

/** One fake watchdog, as drivers/watchdog/watchdog_dev.c keeps it. */
export type FakeWatchdog = {
  /** Seconds. */
  timeout: number;
  /** Counting (opened, or left running by a close without the magic 'V'). */
  running: boolean;
  /** WDIOC_SETTIMEOUT range (watchdog_device.min_timeout / max_timeout); EINVAL outside it. */
  minTimeout?: number;
  maxTimeout?: number;
  /** Held open by someone else (systemd's RuntimeWatchdogSec): open fails with EBUSY. */
  busy?: boolean;
  /** nowayout: even the magic close leaves it running. */
  nowayout?: boolean;
};

export function initialFakeState(over: Partial<FakeState> = {}): FakeState {
  return { supported: true, loaded: false, crashLoaded: false, crashSize: 0, calls: [], failures: {}, nextFd: 1000, ...over };
}

const IFF_UP = 0x1;

/** Flags a real interface would report: lo UP|LOOPBACK|RUNNING; others BROADCAST|MULTICAST, plus UP|RUNNING when up. */
export function fakeIfFlags(name: string, up: boolean): number {
  if (name === 'lo') return up ? 0x49 : 0x8;
  return up ? 0x1043 : 0x1002;
}

function describeFd(fd: number | null): string {
  if (fd === null) return '-1';
  try {
    return `${fd}<${readlinkSync(`/proc/self/fd/${fd}`)}>`;
  } catch {
    return String(fd);
  }
}

/** flock(2)'s LOCK_UN (include/uapi/asm-generic/fcntl.h). */
const LOCK_UN = 8;
/** The fake's flocks: file (dev:ino) -> the descriptor holding it. */
const fakeFlocks = new Map<string, number>();

export class FakeKernel implements Kernel {
  readonly kind = 'fake' as const;
  /** Tests use x86 images on any host: the fake checks no architecture unless told. */
  arch: Arch | null = null;
  readonly st: FakeState;
  private readonly file: string | undefined;

  constructor(state: FakeState = initialFakeState(), file?: string) {
    this.st = state;
    this.file = file;
  }

  static fromFile(file: string): FakeKernel {
    let st: FakeState;
    try {
      st = { ...initialFakeState(), ...(JSON.parse(readFileSync(file, 'utf8')) as Partial<FakeState>) };
    } catch {
      st = initialFakeState();
    }
    return new FakeKernel(st, file);
  }

  get calls(): readonly RecordedCall[] {
    return this.st.calls;
  }

  failWith(syscall: string, code: string | null): void {
    if (code === null) delete this.st.failures[syscall];
    else this.st.failures[syscall] = code;
    this.save();
  }

  /** Records an action that is not a syscall (e.g. `ip link set dev X down`) in the same log. */
  note(action: string, args: Record<string, unknown>): void {
    this.st.calls.push({ syscall: action, args, result: '0' });
    this.save();
  }

  /** Writes the state file (after a caller changed st directly). */
  persist(): void {
    this.save();
  }

  private save(): void {
    if (this.file !== undefined) writeFileSync(this.file, JSON.stringify(this.st, null, 2));
  }

  private record(syscall: string, args: Record<string, unknown>, ok: () => number): SyscallResult {
    const code = this.st.failures[syscall];
    let res: SyscallResult;
    if (code !== undefined) {
      const errno = errnoNumber(code) ?? 22;
      res = { ok: false, syscall, errno, code: errnoName(errno), message: strerror(errno) };
    } else {
      res = { ok: true, value: ok() };
    }
    this.st.calls.push({ syscall, args, result: res.ok ? String(res.value) : `-1 ${res.code}` });
    this.save();
    return res;
  }

  kexecFileLoad(kernelFd: number, initrdFd: number | null, cmdline: string, flags: number): SyscallResult {
    if (kernelFd >= 0) fstatSync(kernelFd); // a bad descriptor is a programming error even in the fake
    return this.record(
      'kexec_file_load',
      { kernel: describeFd(kernelFd), initrd: describeFd(initrdFd), cmdline, cmdlineLen: Buffer.byteLength(cmdline) + 1, flags },
      () => {
        const crash = (flags & KEXEC_FILE_ON_CRASH) !== 0;
        const loaded = (flags & KEXEC_FILE_UNLOAD) === 0;
        if (crash) this.st.crashLoaded = loaded;
        else this.st.loaded = loaded;
        return 0;
      },
    );
  }

  kexecLoad(entry: bigint, segments: readonly KexecSegment[], flags: number): SyscallResult {
    const segs = segments.map((s) => ({ bufsz: s.buf?.byteLength ?? 0, mem: `0x${s.mem.toString(16)}`, memsz: `0x${s.memsz.toString(16)}` }));
    return this.record('kexec_load', { entry: `0x${entry.toString(16)}`, segments: segs, flags }, () => {
      const crash = (flags & KEXEC_ON_CRASH) !== 0;
      const loaded = segments.length > 0;
      if (crash) this.st.crashLoaded = loaded;
      else this.st.loaded = loaded;
      return 0;
    });
  }

  /** Recorded, never made: a successful fake reboot "jumped" and returns so tests can look. */
  reboot(cmd: number): RebootResult {
    const r = this.record('reboot', { cmd: `0x${cmd.toString(16)}` }, () => {
      if (cmd === LINUX_REBOOT_CMD_KEXEC && !this.st.loaded) throw new Error('fake: reboot(KEXEC) with nothing loaded');
      return 0;
    });
    return r.ok ? { ok: true, value: r.value, jumped: true } : r;
  }

  sync(): void {
    this.st.calls.push({ syscall: 'sync', args: {}, result: '0' });
    this.save();
  }

  memfdCreate(name: string, flags: number): SyscallResult {
    return this.record('memfd_create', { name, flags }, () => {
      // The caller writes to the descriptor, so hand out a real one: an unlinked temp file.
      const path = join(tmpdir(), `kexecctl-fake-memfd-${process.pid}-${this.st.nextFd++}`);
      const fd = openSync(path, 'w+', 0o600);
      unlinkSync(path);
      return fd;
    });
  }

  private scripted(key: string, syscall: string): SyscallResult | null {
    const code = this.st.failures[key];
    if (code === undefined) return null;
    const errno = errnoNumber(code) ?? 22;
    return { ok: false, syscall, errno, code: errnoName(errno), message: strerror(errno) };
  }

  netInterfaceNames(): NamesResult {
    const fail = this.scripted('if_nameindex', 'if_nameindex');
    if (fail !== null && !fail.ok) return fail;
    return { ok: true, names: Object.keys(this.st.interfaces ?? {}) };
  }

  getInterfaceFlags(name: string): SyscallResult {
    const fail = this.scripted('SIOCGIFFLAGS', 'ioctl(SIOCGIFFLAGS)');
    if (fail !== null) return fail;
    const up = this.st.interfaces?.[name];
    if (up === undefined) return { ok: false, syscall: 'ioctl(SIOCGIFFLAGS)', errno: 19, code: 'ENODEV', message: strerror(19) };
    return { ok: true, value: fakeIfFlags(name, up) };
  }

  setInterfaceFlags(name: string, flags: number): SyscallResult {
    const key = this.st.failures[`SIOCSIFFLAGS:${name}`] !== undefined ? `SIOCSIFFLAGS:${name}` : 'SIOCSIFFLAGS';
    const fail = this.scripted(key, 'ioctl(SIOCSIFFLAGS)');
    const args = { request: 'SIOCSIFFLAGS', name, flags: `0x${flags.toString(16)}` };
    if (fail !== null && !fail.ok) {
      this.st.calls.push({ syscall: 'ioctl', args, result: `-1 ${fail.code}` });
      this.save();
      return fail;
    }
    if (this.st.interfaces?.[name] === undefined) return { ok: false, syscall: 'ioctl(SIOCSIFFLAGS)', errno: 19, code: 'ENODEV', message: strerror(19) };
    this.st.interfaces = { ...this.st.interfaces, [name]: (flags & IFF_UP) !== 0 };
    this.st.calls.push({ syscall: 'ioctl', args, result: '0' });
    this.save();
    return { ok: true, value: 0 };
  }

  private wdFail(key: string, syscall: string, args: Record<string, unknown>): SyscallResult | null {
    const fail = this.scripted(key, syscall);
    if (fail === null || fail.ok) return null;
    this.st.calls.push({ syscall, args, result: `-1 ${fail.code}` });
    this.save();
    return fail;
  }

  private wdErr(syscall: string, args: Record<string, unknown>, code: string): SyscallResult {
    const errno = errnoNumber(code) ?? 22;
    this.st.calls.push({ syscall, args, result: `-1 ${code}` });
    this.save();
    return { ok: false, syscall, errno, code: errnoName(errno), message: strerror(errno) };
  }

  private wdOk(syscall: string, args: Record<string, unknown>, value: number): SyscallResult {
    this.st.calls.push({ syscall, args, result: String(value) });
    this.save();
    return { ok: true, value };
  }

  private wdByFd(fd: number): FakeWatchdog | undefined {
    const path = this.st.watchdogFds?.[String(fd)];
    return path === undefined ? undefined : this.st.watchdogs?.[path];
  }

  watchdogOpen(path: string): SyscallResult {
    const args = { path };
    const f = this.wdFail('watchdog_open', 'watchdog_open', args);
    if (f !== null) return f;
    const wd = this.st.watchdogs?.[path];
    if (wd === undefined) return this.wdErr('watchdog_open', args, 'ENOENT');
    const held = Object.values(this.st.watchdogFds ?? {}).includes(path);
    if (wd.busy === true || held) return this.wdErr('watchdog_open', args, 'EBUSY');
    const fd = this.st.nextFd++;
    wd.running = true; // watchdog_open() starts it
    this.st.watchdogFds = { ...this.st.watchdogFds, [String(fd)]: path };
    return this.wdOk('watchdog_open', args, fd);
  }

  watchdogSetTimeout(fd: number, seconds: number): SyscallResult {
    const args = { request: 'WDIOC_SETTIMEOUT', fd, seconds };
    const f = this.wdFail('WDIOC_SETTIMEOUT', 'ioctl', args);
    if (f !== null) return f;
    const wd = this.wdByFd(fd);
    if (wd === undefined) return this.wdErr('ioctl', args, 'EBADF');
    if (seconds < (wd.minTimeout ?? 1) || seconds > (wd.maxTimeout ?? 0x7fffffff)) return this.wdErr('ioctl', args, 'EINVAL');
    wd.timeout = seconds;
    return this.wdOk('ioctl', args, seconds);
  }

  watchdogKeepalive(fd: number): SyscallResult {
    const args = { request: 'WDIOC_KEEPALIVE', fd };
    const f = this.wdFail('WDIOC_KEEPALIVE', 'ioctl', args);
    if (f !== null) return f;
    if (this.wdByFd(fd) === undefined) return this.wdErr('ioctl', args, 'EBADF');
    return this.wdOk('ioctl', args, 0);
  }

  watchdogClose(fd: number, magic: boolean): SyscallResult {
    const args = { fd, magic };
    const wd = this.wdByFd(fd);
    const fds = { ...this.st.watchdogFds };
    delete fds[String(fd)];
    this.st.watchdogFds = fds;
    const f = this.wdFail('watchdog_close', 'watchdog_close', args);
    if (f !== null) return f;
    if (wd === undefined) return this.wdErr('watchdog_close', args, 'EBADF');
    if (magic && wd.nowayout !== true) wd.running = false; // watchdog_release() with WDOG_ALLOW_RELEASE
    return this.wdOk('watchdog_close', args, 0);
  }

  /**
   * flock(2) between the descriptors of this process (tests run "two loads" in one process):
   * LOCK_EX|LOCK_NB on a file another descriptor holds fails with EAGAIN; LOCK_UN releases.
   * Not logged in calls (every load takes it); failures["flock"] fails it.
   */
  flock(fd: number, operation: number): SyscallResult {
    const code = this.st.failures['flock'];
    const fail = (c: string): SyscallResult => {
      const errno = errnoNumber(c) ?? 22;
      return { ok: false, syscall: 'flock', errno, code: errnoName(errno), message: strerror(errno) };
    };
    if (code !== undefined) return fail(code);
    const st = fstatSync(fd);
    const key = `${st.dev}:${st.ino}`;
    const holder = fakeFlocks.get(key);
    if ((operation & LOCK_UN) !== 0) {
      if (holder === fd) fakeFlocks.delete(key);
      return { ok: true, value: 0 };
    }
    if (holder !== undefined && holder !== fd) return fail('EAGAIN');
    fakeFlocks.set(key, fd);
    return { ok: true, value: 0 };
  }

  state(): KexecState {
    const { supported, loaded, crashLoaded, crashSize } = this.st;
    return { supported, loaded, crashLoaded, crashSize };
  }
}
