/**
 * Answers for GRUB's `probe` from the device table (pure; reads DeviceTable, changes nothing).
 * GRUB's own names: filesystem names are its fs drivers' (grub-core/fs/*.c: ext2/3/4 are "ext2",
 * vfat is "fat", squashfs is "squash4"); UUIDs as its fs drivers print them, which is what
 * /dev/disk/by-uuid shows except for ZFS (GRUB prints the pool GUID as 16 hex digits, blkid in
 * decimal); labels as /dev/disk/by-label names them, with udev's \xHH escapes decoded.
 * Partition UUIDs come from /dev/disk/by-partuuid, and so does the partition map (the UUID's
 * shape); whole disks are not in the table (the evaluator answers what a GRUB name like
 * "hd0,gpt2" or "hd0" already says).
 */
import type { GrubDevice, ProbeAnswer, ProbeTarget } from '../boot/grub/types.js';
import type { DeviceTable } from './device-table.js';

/** Linux fstype → GRUB fs driver name (grub-core/fs/*.c `.name`). */
const GRUB_FS: Record<string, string> = {
  ext2: 'ext2',
  ext3: 'ext2',
  ext4: 'ext2',
  vfat: 'fat',
  msdos: 'fat',
  fat: 'fat',
  exfat: 'exfat',
  btrfs: 'btrfs',
  xfs: 'xfs',
  zfs: 'zfs',
  f2fs: 'f2fs',
  ntfs: 'ntfs',
  ntfs3: 'ntfs',
  iso9660: 'iso9660',
  udf: 'udf',
  squashfs: 'squash4',
  jfs: 'jfs',
  reiserfs: 'reiserfs',
  hfsplus: 'hfsplus',
  nilfs2: 'nilfs2',
  erofs: 'erofs',
};

const unknown = (why: string): ProbeAnswer => ({ known: false, why });
const known = (value: string): ProbeAnswer => ({ known: true, value });

/** udev's by-label escaping ("boot\x20fs" → "boot fs"). */
const unescapeLink = (s: string): string => s.replace(/\\x([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));

/** The /dev/disk/by-* link names that point at kernel device `kname`. */
const linksTo = (links: Readonly<Record<string, string>>, kname: string): string[] =>
  Object.keys(links)
    .filter((k) => links[k] === kname)
    .sort();

/** ZFS: blkid gives the pool GUID in decimal, GRUB's zfs.c prints it as %016llx. */
function grubUuid(fs: string, uuid: string): string {
  if (fs === 'zfs' && /^[0-9]+$/.test(uuid)) return BigInt(uuid).toString(16).padStart(16, '0');
  return uuid;
}

/**
 * What `probe --<target>` says about a table device, null when the table has no such device.
 * `platform`: grub_platform, for the firmware disk driver of plain disks.
 */
export function probeDevice(t: DeviceTable, device: GrubDevice, target: ProbeTarget, platform = 'pc'): ProbeAnswer | null {
  const dev = t.devices.find((d) => d.name === device);
  if (dev === undefined) return null;
  const fstype = dev.mounts[0]?.fstype ?? '';
  const fs = Object.hasOwn(GRUB_FS, fstype) ? GRUB_FS[fstype] : undefined;
  const kname = device.startsWith('dev:') ? device.slice(4) : null;
  switch (target) {
    case 'fs':
      return fs === undefined ? unknown(`filesystem type "${fstype}" has no GRUB driver`) : known(fs);
    case 'fs_uuid': {
      if (device.startsWith('uuid:')) return known(grubUuid(fstype, device.slice(5)));
      const uuid = kname === null ? undefined : linksTo(t.byUuid, kname)[0];
      return uuid === undefined ? unknown('no /dev/disk/by-uuid link names it') : known(grubUuid(fstype, uuid));
    }
    case 'label': {
      if (device.startsWith('label:')) return known(device.slice(6));
      const label = kname === null ? undefined : linksTo(t.byLabel, kname)[0];
      return label === undefined ? unknown('no /dev/disk/by-label link names it') : known(unescapeLink(label));
    }
    case 'part_uuid': {
      // GRUB (probe.c) prints a GPT partition GUID in lower case and an MBR one as
      // <signature>-<NN> (%08x-%02x), the names /dev/disk/by-partuuid has (udev's
      // ID_PART_ENTRY_UUID from blkid; grub-emu 2.06, test/grub-emu/probe-cases.json).
      if (device.startsWith('partuuid:')) return known(device.slice(9));
      const part = kname === null ? undefined : linksTo(t.byPartuuid, kname)[0];
      return part === undefined ? unknown('no /dev/disk/by-partuuid link names it (not a partition, or not on a partition table)') : known(part.toLowerCase());
    }
    case 'driver':
      if (kname !== null && /^md[0-9]/.test(kname)) return known('diskfilter');
      if (kname !== null && /^(sd|vd|hd|xvd|nvme|mmcblk)/.test(kname)) {
        const firmware: Record<string, string> = { pc: 'biosdisk', efi: 'efidisk', emu: 'hostdisk' };
        const driver = firmware[platform];
        return driver === undefined ? unknown(`no disk driver known for platform ${platform}`) : known(driver);
      }
      return unknown('which GRUB disk driver reads it is not known (device-mapper or unnamed device)');
    case 'partmap': {
      // The partition UUID's shape says which table holds the partition: an MBR one is
      // <disk signature>-<NN> (blkid), a GPT one the entry's GUID. GRUB names them msdos and gpt.
      const part = kname === null ? undefined : linksTo(t.byPartuuid, kname)[0];
      if (part !== undefined && /^[0-9a-f]{8}-[0-9a-f]{2}$/i.test(part)) return known('msdos');
      if (part !== undefined && /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(part)) return known('gpt');
      return unknown('which partition table holds it is not known (no /dev/disk/by-partuuid link names it)');
    }
  }
}
