/**
 * Network interfaces for kexec -e, taken down the way kexec-tools' ifdown() does it
 * (kexec/ifdown.c): the names from if_nameindex(), "shaper" devices first, loopback and alias
 * names (with ':') left alone, then SIOCGIFFLAGS and SIOCSIFFLAGS without IFF_UP, all through
 * the Kernel port (so it works where no `ip` command exists, and the fake records it).
 * Unlike kexec-tools we remember which interfaces were up, so a failed jump brings them back.
 */
import { KexecError } from '../errors.js';
import type { Kernel } from '../sys/kernel.js';
import type { RootFs } from './rootfs.js';

export const IFF_UP = 0x1;

export interface NetControl {
  /** Interfaces that are administratively up and that exec would take down, in order. */
  listUp(): Promise<string[]>;
  setUp(name: string, up: boolean): Promise<void>;
}

export function orderForIfdown(names: readonly string[]): string[] {
  const eligible = names.filter((n) => n !== 'lo' && !n.includes(':'));
  return [...eligible.filter((n) => n.startsWith('shaper')), ...eligible.filter((n) => !n.startsWith('shaper'))];
}

export class KernelNetControl implements NetControl {
  constructor(private readonly kernel: Kernel) {}

  async listUp(): Promise<string[]> {
    const res = this.kernel.netInterfaceNames();
    if (!res.ok) throw new KexecError({ code: 'EIFDOWN', errno: res.errno, syscall: res.syscall, message: `if_nameindex: ${res.message}` });
    return orderForIfdown(res.names).filter((name) => {
      const f = this.kernel.getInterfaceFlags(name);
      return f.ok && (f.value & IFF_UP) !== 0;
    });
  }

  async setUp(name: string, up: boolean): Promise<void> {
    const cur = this.kernel.getInterfaceFlags(name);
    if (!cur.ok) throw new KexecError({ code: 'EIFDOWN', errno: cur.errno, syscall: cur.syscall, message: `${name}: SIOCGIFFLAGS: ${cur.message}` });
    const next = up ? cur.value | IFF_UP : cur.value & ~IFF_UP;
    if (next === cur.value) return;
    const res = this.kernel.setInterfaceFlags(name, next);
    if (!res.ok) throw new KexecError({ code: 'EIFDOWN', errno: res.errno, syscall: res.syscall, message: `${name}: SIOCSIFFLAGS: ${res.message}` });
  }
}

/**
 * @deprecated Listing only (from /sys/class/net under a root, for dry runs); interface changes go
 * through KernelNetControl, which needs the Kernel that will make the jump.
 */
export class SysfsNetControl implements NetControl {
  constructor(private readonly fs: RootFs) {}

  async listUp(): Promise<string[]> {
    const up = this.fs.list('/sys/class/net').filter((n) => {
      const flags = this.fs.readText(`/sys/class/net/${n}/flags`);
      return flags !== null && (Number.parseInt(flags.trim(), 16) & IFF_UP) !== 0;
    });
    return orderForIfdown(up);
  }

  async setUp(name: string, _up: boolean): Promise<void> {
    throw new KexecError({ code: 'EIFDOWN', message: `${name}: interface changes need the Kernel port (KernelNetControl)` });
  }
}
