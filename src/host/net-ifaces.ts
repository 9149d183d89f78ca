/**
 * Network interfaces for kexec -e: which are up (from /sys/class/net under the root), and
 * taking them down / bringing them back with `ip link set dev X down|up` (execa).
 * Like kexec-tools' ifdown(): loopback and alias names (with ':') are left alone, and
 * "shaper" devices go first.
 */
import type { RootFs } from './rootfs.js';

const IFF_UP = 0x1;

export interface NetControl {
  /** Interfaces that are administratively up and that exec would take down, in order. */
  listUp(): Promise<string[]>;
  setUp(name: string, up: boolean): Promise<void>;
}

export function orderForIfdown(names: readonly string[]): string[] {
  const eligible = names.filter((n) => n !== 'lo' && !n.includes(':'));
  return [...eligible.filter((n) => n.startsWith('shaper')), ...eligible.filter((n) => !n.startsWith('shaper'))];
}

export class SysfsNetControl implements NetControl {
  constructor(private readonly fs: RootFs) {}

  async listUp(): Promise<string[]> {
    const up = this.fs.list('/sys/class/net').filter((n) => {
      const flags = this.fs.readText(`/sys/class/net/${n}/flags`);
      return flags !== null && (Number.parseInt(flags.trim(), 16) & IFF_UP) !== 0;
    });
    return orderForIfdown(up);
  }

  async setUp(name: string, up: boolean): Promise<void> {
    const { execa } = await import('execa'); // lazy: execa is most of the bundle's load time
    await execa('ip', ['link', 'set', 'dev', name, up ? 'up' : 'down'], { stdin: 'ignore' });
  }
}
