/** GRUB file names: `(device)/path`, or `/path` on `$root`. */
import type { GrubDevice, GrubFile } from './types.js';

/** Strips the parentheses GRUB allows around a device name in $root. */
export function bareDevice(dev: string): string {
  const m = /^\((.*)\)$/s.exec(dev);
  return m ? (m[1] as string) : dev;
}

/** Splits a GRUB file name into device and path; `root` is the value of $root. */
export function grubFile(written: string, root: string): GrubFile {
  if (written.startsWith('(')) {
    const end = written.indexOf(')');
    if (end > 0) return { device: written.slice(1, end), path: written.slice(end + 1), written };
  }
  return { device: bareDevice(root), path: written, written };
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? (path.startsWith('/') ? '/' : '') : path.slice(0, i);
}

/** The GrubFs device a file is on: its device name, or what `search` bound that name to. */
export function deviceOf(names: Readonly<Record<GrubDevice, GrubDevice>>, f: GrubFile): GrubDevice {
  return Object.hasOwn(names, f.device) ? (names[f.device] as GrubDevice) : f.device;
}
