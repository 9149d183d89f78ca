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
import { defaultSubvol, namedSubvol, subvolIds, subvolOf } from './btrfs-paths.js';
import { NO_ABSTRACT, abstractAliases, isAbstractName, resolveAbstract, type AbstractFacts } from './grub-abstract-names.js';
import { parseFstab, parseMountinfo, type MountRecord } from './mounts.js';
import { guidMatches, parseZfsPath, poolOf, zfsCandidates, type ZfsMount } from './zfs-paths.js';

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
  /** LVM, md and LUKS devices (/sys/block, /dev/mapper, /dev/md, /dev/disk/by-id): GRUB's (lvm/…) names. */
  abstract?: AbstractFacts;
};

export type Device = {
  name: GrubDevice;
  mounts: MountRecord[];
  /** The ZFS pool this device is (its datasets are its mounts), or null. */
  pool: string | null;
  /** btrfs: the default subvolume, when a mount shows it (openSUSE's btrfs_relative_path reads from it). */
  btrfsDefault: string | null;
};

export type DeviceTable = {
  /** True when the mounts come from a running system's mountinfo. */
  live: boolean;
  devices: Device[];
  /** The root filesystem's btrfs subvolume ("/@"), or null. */
  rootSubvol: string | null;
  byUuid: Readonly<Record<string, string>>;
  byLabel: Readonly<Record<string, string>>;
  /** /dev/disk/by-partuuid: partition UUID (GPT GUID, or MBR "<signature>-<NN>") → kernel name, for `probe --part-uuid`. */
  byPartuuid: Readonly<Record<string, string>>;
  /** GRUB's names of LVM, md and LUKS devices (canonical form) → kernel device name. */
  aliases: ReadonlyMap<string, string>;
  /** Every mounted ZFS dataset. */
  zfs: ZfsMount[];
  /**
   * Partitions that are ZFS pool members (blkid gives them the pool guid in decimal as UUID and
   * the pool name as LABEL): kernel name → pool name (null when no label link names it).
   */
  zfsMembers: ReadonlyMap<string, string | null>;
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
        .mounts.filter((m) => m.fstype !== 'zfs')
        .map((m) => m.source)
        .filter((s) => !SPEC.test(s)),
    ),
  ];
}

function deviceName(mount: MountRecord, f: DeviceFacts): GrubDevice {
  const source = mount.source;
  if (mount.fstype === 'zfs') {
    // A pool is one GRUB device; blkid labels its member partitions with the pool name.
    const pool = poolOf(source);
    const member = own(f.byLabel, pool);
    return member === undefined ? `zfs:${pool}` : `dev:${member}`;
  }
  const m = SPEC.exec(source);
  if (m === null) return `dev:${own(f.nodes, source) ?? posix.basename(source)}`;
  const kind = (m[1] as string).toLowerCase();
  const value = m[2] as string;
  const dev = own(kind === 'uuid' ? f.byUuid : kind === 'label' ? f.byLabel : f.byPartuuid, value);
  if (dev !== undefined) return `dev:${dev}`;
  return `${kind}:${kind === 'label' ? value : value.toLowerCase()}`;
}

/** rootflags= of the kernel command line, split at commas. */
function rootflags(cmdline: string | null): string[] {
  const flags = /(?:^|\s)rootflags=("[^"]*"|\S+)/.exec(cmdline ?? '');
  return flags === null ? [] : (flags[1] as string).replace(/"/g, '').split(',');
}

function rootSubvol(cmdline: string | null, fstab: MountRecord[], ids: ReadonlyMap<string, string>): string | null {
  const fromCmdline = namedSubvol(rootflags(cmdline), ids);
  if (fromCmdline !== null) return fromCmdline;
  const root = fstab.find((m) => m.mountpoint === '/');
  return root !== undefined && root.fsroot !== '/' ? root.fsroot : null;
}

export function buildDeviceTable(f: DeviceFacts): DeviceTable {
  const { live, mounts, fstab } = mountsOf(f);
  const ids = subvolIds(mounts);
  const devices: Device[] = [];
  for (const m of mounts) {
    const name = deviceName(m, f);
    const dev = devices.find((d) => d.name === name);
    if (dev === undefined) devices.push({ name, mounts: [m], pool: m.fstype === 'zfs' ? poolOf(m.source) : null, btrfsDefault: null });
    else dev.mounts.push(m);
  }
  if (live) {
    const flags = rootflags(f.cmdline);
    for (const d of devices) d.btrfsDefault = defaultSubvol(d.mounts, fstab, flags);
  }
  return {
    live,
    devices,
    rootSubvol: rootSubvol(f.cmdline, fstab, ids),
    byUuid: f.byUuid,
    byLabel: f.byLabel,
    byPartuuid: f.byPartuuid,
    aliases: abstractAliases(f.abstract ?? NO_ABSTRACT),
    zfs: mounts.filter((m) => m.fstype === 'zfs').map((m) => ({ source: m.source, mountpoint: m.mountpoint })),
    zfsMembers: zfsMembers(f),
  };
}

/** Pool member partitions: a by-uuid link named by a decimal number (blkid's zfs_member UUID), pool from by-label. */
function zfsMembers(f: DeviceFacts): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const [uuid, k] of Object.entries(f.byUuid)) {
    if (!/^[0-9]{1,20}$/.test(uuid)) continue;
    const label = Object.entries(f.byLabel).find(([, kk]) => kk === k)?.[0];
    out.set(k, label ?? null);
  }
  return out;
}

/** The table's device for a GRUB name: an LVM/md/LUKS name is the kernel device it stands for. */
export function canonicalDevice(t: DeviceTable, device: GrubDevice): GrubDevice {
  if (!isAbstractName(device)) return device;
  const k = resolveAbstract(t.aliases, device);
  return k === null ? device : `dev:${k}`;
}

/** Pools a ZFS path on `device` may be on: the device's own, or every mounted pool when the device is not known. */
export function poolsFor(t: DeviceTable, device: GrubDevice): string[] {
  const dev = t.devices.find((d) => d.name === device);
  if (dev !== undefined) return dev.pool === null ? [] : [dev.pool];
  const m = /^zfs:(.*)$/.exec(device);
  if (m !== null) return [m[1] as string];
  const member = /^dev:(.*)$/.exec(device);
  const pool = member === null ? undefined : t.zfsMembers.get(member[1] as string);
  if (pool !== undefined) return pool === null ? [] : [pool];
  return [...new Set(t.zfs.map((z) => poolOf(z.source)))];
}

/** The path inside `base` ("/" for base itself), or null when `path` is not under it. */
function within(path: string, base: string): string | null {
  if (base === '/' || base === '') return path;
  if (path === base) return '/';
  return path.startsWith(`${base}/`) ? path.slice(base.length) : null;
}

/** True for "dev:<k>" when <k> is a ZFS pool member partition. */
export function isZfsMember(t: DeviceTable, device: GrubDevice): boolean {
  return device.startsWith('dev:') && t.zfsMembers.has(device.slice(4));
}

/** GRUB's name of a dataset's root: "/ROOT/pve-1@" for rpool/ROOT/pve-1. */
const zfsRoot = (source: string): string => `/${source.split('/').slice(1).join('/')}@`;

/** An in-root path as (device, GRUB path), through the mount that holds it. */
export function systemToGrub(t: DeviceTable, systemPath: string): { device: GrubDevice; path: string } {
  let best: { device: GrubDevice; path: string; len: number } | null = null;
  for (const d of t.devices) {
    for (const m of d.mounts) {
      const rel = within(systemPath, m.mountpoint);
      if (rel === null || (best !== null && best.len >= m.mountpoint.length)) continue;
      const root = m.fstype === 'zfs' ? zfsRoot(m.source) : subvolOf(m).path;
      best = { device: d.name, path: posix.join(root, rel), len: m.mountpoint.length };
    }
  }
  return best === null ? { device: PROBE_DEVICE, path: systemPath } : { device: best.device, path: best.path };
}

/** In-root candidates for a normal absolute GRUB path on a device, most likely first. */
export function candidates(t: DeviceTable, name: GrubDevice, path: string): string[] {
  const device = canonicalDevice(t, name);
  // An LVM/md/LUKS name no device answers to: GRUB cannot open it either (no guessing under /).
  if (isAbstractName(device)) return [];
  const dev = t.devices.find((d) => d.name === device);
  const zfs = parseZfsPath(path);
  if (dev?.pool != null || device.startsWith('zfs:') || (dev === undefined && isZfsMember(t, device))) {
    // A pool's files are in its mounted datasets only; a pool with none mounted has no files to offer.
    return zfs === null ? [] : zfsCandidates(t.zfs, poolsFor(t, device), zfs);
  }
  if (dev !== undefined) {
    const out = mountCandidates(dev.mounts, path);
    if (dev.btrfsDefault !== null) out.push(...mountCandidates(dev.mounts, posix.join(dev.btrfsDefault, path)).filter((c) => !out.includes(c)));
    return out;
  }
  const out = zfs === null ? [] : zfsCandidates(t.zfs, poolsFor(t, device), zfs);
  out.push(path);
  if (t.rootSubvol !== null) {
    const rel = within(path, t.rootSubvol);
    if (rel !== null && rel !== path) out.push(rel);
  }
  out.push(posix.join('/boot', path));
  return out;
}

/** A GRUB path through the mounts of one device (btrfs: absolute from the top-level subvolume). */
function mountCandidates(mounts: readonly MountRecord[], path: string): string[] {
  const out: string[] = [];
  for (const m of [...mounts].sort((a, b) => b.fsroot.length - a.fsroot.length)) {
    const sv = subvolOf(m);
    // A subvolume deleted while mounted: Linux still shows its files, GRUB can no longer reach them.
    if (sv.deleted) continue;
    const rel = within(path, sv.path);
    if (rel !== null) out.push(posix.join(m.mountpoint, rel));
  }
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
  // A ZFS pool's GRUB uuid is its guid in hex; blkid names its members by the guid in decimal.
  const hit = names.find((a) => (kind === 'fs_uuid' ? a.toLowerCase() === value.toLowerCase() || guidMatches(a, value) : a === value));
  if (hit !== undefined) return `dev:${links[hit] as string}`;
  const key = kind === 'fs_uuid' ? `uuid:${value.toLowerCase()}` : `label:${value}`;
  if (t.devices.some((d) => d.name === key)) return key;
  return names.length > 0 ? null : PROBE_DEVICE;
}
