/**
 * KEXEC_COLD_IF_DRIVERS="mlx4_core nvidia ...": the reboot goes through the firmware while one of
 * these drivers has a device bound, because its shutdown hook or the next kernel's probe is known
 * to misbehave across kexec (issue 12). Read from sysfs under the root (drivers/base/bus.c and
 * module.c lay it out): a name is a module when /sys/module/<name>/drivers/<bus>:<driver> exists
 * (module names use "_" for "-"), else a driver name under /sys/bus/<bus>/drivers/<name>. A device
 * is bound when that driver directory holds an entry other than its control files.
 */
import type { RootFs } from '../host/rootfs.js';

/** Attribute files every driver directory has (drivers/base/bus.c, module.c), not devices. */
const CONTROL = new Set(['bind', 'unbind', 'uevent', 'module', 'new_id', 'remove_id']);

export type BoundDriver = { name: string; driver: string; devices: string[] };

function devicesIn(fs: RootFs, dir: string): string[] {
  const e = fs.entries(dir);
  if (e === null) return [];
  return [...e.entries()].filter(([n, t]) => t === 'link' && !CONTROL.has(n)).map(([n]) => n);
}

/** Driver directories for a name: the module's drivers, else /sys/bus/(any)/drivers/<name>. */
function driverDirs(fs: RootFs, name: string): { driver: string; dir: string }[] {
  const mod = name.replace(/-/g, '_');
  const out: { driver: string; dir: string }[] = [];
  for (const d of fs.list(`/sys/module/${mod}/drivers`)) {
    const i = d.indexOf(':');
    if (i > 0) out.push({ driver: d, dir: `/sys/bus/${d.slice(0, i)}/drivers/${d.slice(i + 1)}` });
  }
  if (out.length > 0) return out;
  for (const bus of fs.list('/sys/bus')) {
    const dir = `/sys/bus/${bus}/drivers/${name}`;
    if (fs.isDir(dir)) out.push({ driver: `${bus}:${name}`, dir });
  }
  return out;
}

/** The listed drivers that have at least one device bound right now. */
export function boundColdDrivers(fs: RootFs, names: readonly string[]): BoundDriver[] {
  const out: BoundDriver[] = [];
  for (const name of names) {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) continue; // never a path
    for (const { driver, dir } of driverDirs(fs, name)) {
      const devices = devicesIn(fs, dir);
      if (devices.length > 0) out.push({ name, driver, devices });
    }
  }
  return out;
}

/** One line for logs and status, or null when none is bound. */
export function describeColdDrivers(bound: readonly BoundDriver[]): string | null {
  if (bound.length === 0) return null;
  const what = bound.map((b) => `${b.driver} (${b.devices.join(', ')})`).join('; ');
  return `KEXEC_COLD_IF_DRIVERS: ${what} ${bound.length === 1 && bound[0]?.devices.length === 1 ? 'is' : 'are'} bound, so this reboot goes through the firmware`;
}
