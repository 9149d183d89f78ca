/**
 * Messages about GRUB devices: which filesystem a name stood for, and why a GRUB path on it has
 * no file under the root (an LV that is not present, a ZFS dataset that is not mounted, a btrfs
 * snapshot deleted while mounted). Pure, over the device table.
 */
import type { GrubDevice } from '../boot/grub/types.js';
import { subvolOf } from './btrfs-paths.js';
import { canonicalDevice, isZfsMember, poolsFor, type DeviceTable } from './device-table.js';
import { abstractKind, isAbstractName, missingVolume } from './grub-abstract-names.js';
import { parseZfsPath, zfsMissing } from './zfs-paths.js';

/** "hd0,gpt2 = dev:vda2": how the script named a device, what that was bound to, what it stands for. */
export function deviceChain(t: DeviceTable, name: GrubDevice, device: GrubDevice = name): string {
  return [...new Set([name, device, canonicalDevice(t, device)])].join(' = ');
}

/** "hd0,gpt2 = dev:vda2 (mounted at /boot)"; `name` is how the script named it, `device` what it was bound to. */
export function describeDevice(t: DeviceTable, name: GrubDevice, device: GrubDevice = name): string {
  const canonical = canonicalDevice(t, device);
  const chain = deviceChain(t, name, device);
  if (isAbstractName(canonical)) return `${chain} (no ${abstractKind(canonical)} by that name under /dev/mapper, /dev/md, /dev/disk/by-id or /sys/block)`;
  const dev = t.devices.find((d) => d.name === canonical);
  if (dev === undefined && (canonical.startsWith('zfs:') || isZfsMember(t, canonical))) {
    const pool = poolsFor(t, canonical)[0];
    return `${chain} (ZFS pool ${pool ?? '(unnamed)'} member: no dataset of the pool is mounted)`;
  }
  if (dev === undefined) return `${chain} (probed under / and /boot)`;
  if (dev.pool !== null) return `${chain} (ZFS pool ${dev.pool}: ${dev.mounts.map((m) => `${m.source} at ${m.mountpoint}`).join(', ')})`;
  if (!dev.mounts.some((m) => m.fstype === 'btrfs')) return `${chain} (mounted at ${dev.mounts.map((m) => m.mountpoint).join(', ')})`;
  // btrfs: which subvolume each mount shows, and the default one openSUSE's btrfs_relative_path reads from.
  const at = dev.mounts.map((m) => {
    const sv = subvolOf(m);
    return `${m.mountpoint} from ${sv.path}${sv.deleted ? ' (deleted since it was mounted)' : ''}`;
  });
  const def = dev.btrfsDefault === null ? 'not mounted, or every mount names its subvolume' : dev.btrfsDefault;
  return `${chain} (btrfs mounted at ${at.join(', ')}; default subvolume: ${def})`;
}

/**
 * Why a GRUB path on a device cannot be mapped to a file, or null when nothing specific is
 * known. The reason names neither the device nor the path (the caller does).
 */
export function explainMissing(t: DeviceTable, device: GrubDevice, path: string): string | null {
  const canonical = canonicalDevice(t, device);
  if (isAbstractName(canonical)) return missingVolume(canonical, t.live ? 'on this machine' : 'under this root');
  const zfs = parseZfsPath(path);
  const dev = t.devices.find((d) => d.name === canonical);
  if (dev === undefined && zfs === null && isZfsMember(t, canonical)) return 'not a ZFS file path: GRUB names the files of a pool /<dataset>@/<file>';
  if (zfs !== null && (dev === undefined || dev.pool !== null)) return zfsMissing(t.zfs, poolsFor(t, canonical), zfs);
  const gone = dev?.mounts.map(subvolOf).find((sv) => sv.deleted);
  if (gone !== undefined) return `btrfs subvolume ${gone.path} was deleted (snapshot removed while mounted)`;
  return null;
}

/**
 * Why GRUB could not read an in-root file at all, or null: it lies on a btrfs subvolume deleted
 * while mounted (a removed snapper snapshot the system still runs from). Linux still shows the
 * files; GRUB, reading the disk, has no such subvolume.
 */
export function unreachable(t: DeviceTable, systemPath: string): string | null {
  let best: { mountpoint: string; subvol: string; deleted: boolean } | null = null;
  for (const d of t.devices) {
    for (const m of d.mounts) {
      const under = m.mountpoint === '/' || systemPath === m.mountpoint || systemPath.startsWith(`${m.mountpoint}/`);
      if (!under || (best !== null && best.mountpoint.length >= m.mountpoint.length)) continue;
      const sv = subvolOf(m);
      best = { mountpoint: m.mountpoint, subvol: sv.path, deleted: sv.deleted };
    }
  }
  if (best === null || !best.deleted) return null;
  return `${systemPath} is on btrfs subvolume ${best.subvol} (mounted at ${best.mountpoint}), which was deleted since it was mounted: GRUB cannot read it`;
}
