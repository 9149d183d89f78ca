/**
 * The device table: which filesystem GRUB's device names stand for, and where each is mounted.
 * Pure: built from text and directory listings gathered by grub-fs.ts (gatherDeviceFacts).
 *
 * Devices are the mounted filesystems from mountinfo (live) or fstab (offline), named
 * "dev:<kernel name>" when /dev/disk/by-* (or the source path) says which block device they are,
 * else "uuid:<uuid>" / "label:<label>" / "partuuid:<id>". A GRUB path on a device maps to
 * <mountpoint>/<path minus the mounted fs root>: "/vmlinuz-X" on a separate /boot is
 * /boot/vmlinuz-X, "/@/boot/x" on a btrfs root mounted with subvol=@ is /boot/x. A device nobody
 * can identify is "probe": the path under /, then without the root's btrfs subvolume, then under
 * /boot (grub-semantics.md §5, "Mapping to Linux paths").
 */
import { posix } from 'node:path';
import type { GrubDevice } from '../boot/grub/types.js';
import { parseFstab, parseMountinfo, subvolOption, type MountRecord } from './mounts.js';

export const PROBE_DEVICE = 'probe';

export type DeviceFacts = {
  /** /proc/self/mountinfo (null or empty when the root is not running). */
  mountinfo: string | null;
  fstab: string | null;
  /** /proc/cmdline: rootflags=subvol= names the root's btrfs subvolume. */
  cmdline: string | null;
  /** /dev/disk/by-uuid, by-label, by-partuuid: link name → kernel device name ("vda2"). */
  byUuid: Readonly<Record<string, string>>;
  byLabel: Readonly<Record<string, string>>;
  byPartuuid: Readonly<Record<string, string>>;
  /** Kernel device names of mount sources given as paths ("/dev/mapper/root" → "dm-0"). */
  nodes: Readonly<Record<string, string>>;
  /** The root directory: mount points of the host's table under it are made relative to it. */
  hostRoot: string;
};

export type Device = { name: GrubDevice; mounts: MountRecord[] };

export type DeviceTable = {
  /** True when the mounts come from a running system's mountinfo. */
  live: boolean;
  devices: Device[];
  /** The root filesystem's btrfs subvolume ("/@"), or null. */
  rootSubvol: string | null;
  byUuid: Readonly<Record<string, string>>;
  byLabel: Readonly<Record<string, string>>;
};

const SPEC = /^(UUID|LABEL|PARTUUID)=(.*)$/i;
const own = (r: Readonly<Record<string, string>>, k: string): string | undefined => (Object.hasOwn(r, k) ? r[k] : undefined);

/** Mount records: mountinfo's when it lists any block filesystem, else fstab's. */
function mountsOf(f: Pick<DeviceFacts, 'mountinfo' | 'fstab' | 'hostRoot'>): { live: boolean; mounts: MountRecord[]; fstab: MountRecord[] } {
  const info = f.mountinfo === null ? [] : parseMountinfo(f.mountinfo, f.hostRoot);
  const fstab = parseFstab(f.fstab ?? '');
  return { live: info.length > 0, mounts: info.length > 0 ? info : fstab, fstab };
}

/** Mount sources that are paths: gatherDeviceFacts resolves these to kernel names (`nodes`). */
export function sourcePaths(f: Pick<DeviceFacts, 'mountinfo' | 'fstab' | 'hostRoot'>): string[] {
  return [
    ...new Set(
      mountsOf(f)
        .mounts.map((m) => m.source)
        .filter((s) => !SPEC.test(s)),
    ),
  ];
}

function deviceName(source: string, f: DeviceFacts): GrubDevice {
  const m = SPEC.exec(source);
  if (m === null) return `dev:${own(f.nodes, source) ?? posix.basename(source)}`;
  const kind = (m[1] as string).toLowerCase();
  const value = m[2] as string;
  const dev = own(kind === 'uuid' ? f.byUuid : kind === 'label' ? f.byLabel : f.byPartuuid, value);
  if (dev !== undefined) return `dev:${dev}`;
  return `${kind}:${kind === 'label' ? value : value.toLowerCase()}`;
}

function rootSubvol(cmdline: string | null, fstab: MountRecord[]): string | null {
  const flags = /(?:^|\s)rootflags=("[^"]*"|\S+)/.exec(cmdline ?? '');
  const fromCmdline = flags === null ? null : subvolOption((flags[1] as string).replace(/"/g, '').split(','));
  if (fromCmdline !== null) return fromCmdline;
  const root = fstab.find((m) => m.mountpoint === '/');
  return root !== undefined && root.fsroot !== '/' ? root.fsroot : null;
}

export function buildDeviceTable(f: DeviceFacts): DeviceTable {
  const { live, mounts, fstab } = mountsOf(f);
  const devices: Device[] = [];
  for (const m of mounts) {
    const name = deviceName(m.source, f);
    const dev = devices.find((d) => d.name === name);
    if (dev === undefined) devices.push({ name, mounts: [m] });
    else dev.mounts.push(m);
  }
  return { live, devices, rootSubvol: rootSubvol(f.cmdline, fstab), byUuid: f.byUuid, byLabel: f.byLabel };
}

/** The path inside `base` ("/" for base itself), or null when `path` is not under it. */
function within(path: string, base: string): string | null {
  if (base === '/' || base === '') return path;
  if (path === base) return '/';
  return path.startsWith(`${base}/`) ? path.slice(base.length) : null;
}

/** An in-root path as (device, GRUB path), through the mount that holds it. */
export function systemToGrub(t: DeviceTable, systemPath: string): { device: GrubDevice; path: string } {
  let best: { device: GrubDevice; path: string; len: number } | null = null;
  for (const d of t.devices) {
    for (const m of d.mounts) {
      const rel = within(systemPath, m.mountpoint);
      if (rel === null || (best !== null && best.len >= m.mountpoint.length)) continue;
      best = { device: d.name, path: posix.join(m.fsroot, rel), len: m.mountpoint.length };
    }
  }
  return best === null ? { device: PROBE_DEVICE, path: systemPath } : { device: best.device, path: best.path };
}

/** In-root candidates for a normal absolute GRUB path on a device, most likely first. */
export function candidates(t: DeviceTable, device: GrubDevice, path: string): string[] {
  const dev = t.devices.find((d) => d.name === device);
  if (dev !== undefined) {
    const out: string[] = [];
    for (const m of [...dev.mounts].sort((a, b) => b.fsroot.length - a.fsroot.length)) {
      const rel = within(path, m.fsroot);
      if (rel !== null) out.push(posix.join(m.mountpoint, rel));
    }
    return out;
  }
  const out = [path];
  if (t.rootSubvol !== null) {
    const rel = within(path, t.rootSubvol);
    if (rel !== null && rel !== path) out.push(rel);
  }
  out.push(posix.join('/boot', path));
  return out;
}

/**
 * search --fs-uuid / --label (UUIDs compare case-insensitively, as GRUB does): the device, or
 * null when the root lists its disks and this one is not among them (the search fails, as in
 * GRUB), or "probe" when the root lists no disks at all (an offline tree).
 */
export function findByFs(t: DeviceTable, kind: 'fs_uuid' | 'fs_label', value: string): GrubDevice | null {
  const links = kind === 'fs_uuid' ? t.byUuid : t.byLabel;
  const names = Object.keys(links).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hit = names.find((a) => (kind === 'fs_uuid' ? a.toLowerCase() === value.toLowerCase() : a === value));
  if (hit !== undefined) return `dev:${links[hit] as string}`;
  const key = kind === 'fs_uuid' ? `uuid:${value.toLowerCase()}` : `label:${value}`;
  if (t.devices.some((d) => d.name === key)) return key;
  return names.length > 0 ? null : PROBE_DEVICE;
}

/** "hd0,gpt2 = dev:vda2 (mounted at /boot)" for messages; `name` is how the script named it. */
export function describeDevice(t: DeviceTable, name: GrubDevice, device: GrubDevice = name): string {
  const shown = name === device ? name : `${name} = ${device}`;
  const dev = t.devices.find((d) => d.name === device);
  if (dev === undefined) return `${shown} (probed under / and /boot)`;
  return `${shown} (mounted at ${dev.mounts.map((m) => m.mountpoint).join(', ')})`;
}
