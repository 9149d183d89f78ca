/** probe answers from the device table: GRUB's fs names and UUID forms (grub-core/fs/*.c). */
import { describe, expect, it } from 'vitest';
import { buildDeviceTable } from '../../../src/host/device-table.js';
import { probeDevice } from '../../../src/host/probe-facts.js';

const table = buildDeviceTable({
  mountinfo: null,
  fstab: [
    'UUID=3f1c5a2e-0b7d-4d8e-9a61-2c4b7e9f0a13 / ext4 defaults 0 1',
    'UUID=7C2E-1A9B /boot/efi vfat umask=0077 0 1',
    'LABEL=DATA /data xfs defaults 0 2',
    'PARTUUID=0d0c0b0a-02 /srv btrfs defaults 0 2',
    'UUID=5a5b5c5d-0000-4000-8000-000000000001 /opt reiser4 defaults 0 2',
  ].join('\n'),
  cmdline: null,
  byUuid: { '3f1c5a2e-0b7d-4d8e-9a61-2c4b7e9f0a13': 'nvme0n1p2', '7C2E-1A9B': 'nvme0n1p1', '12345678901234567890': 'sdb1' },
  byLabel: { 'my\\x20root': 'nvme0n1p2', DATA: 'md0' },
  byPartuuid: { '3B5F6D1E-8A2C-4F4E-9B7D-1C2E3F4A5B6C': 'nvme0n1p2', '1234abcd-01': 'md0' },
  nodes: {},
  hostRoot: '/',
});

describe('probeDevice', () => {
  it.each([
    ['dev:nvme0n1p2', 'fs', 'ext2'],
    ['dev:nvme0n1p2', 'fs_uuid', '3f1c5a2e-0b7d-4d8e-9a61-2c4b7e9f0a13'],
    ['dev:nvme0n1p2', 'label', 'my root'],
    ['dev:nvme0n1p2', 'driver', 'biosdisk'],
    ['dev:nvme0n1p1', 'fs', 'fat'],
    ['dev:nvme0n1p1', 'fs_uuid', '7C2E-1A9B'],
    ['dev:md0', 'fs', 'xfs'],
    ['dev:md0', 'driver', 'diskfilter'],
    ['dev:md0', 'label', 'DATA'],
    ['partuuid:0d0c0b0a-02', 'part_uuid', '0d0c0b0a-02'],
    ['partuuid:0d0c0b0a-02', 'fs', 'btrfs'],
    // /dev/disk/by-partuuid: a GPT GUID in lower case as GRUB prints it (probe.c %pG), an MBR one as <signature>-<NN>.
    ['dev:nvme0n1p2', 'part_uuid', '3b5f6d1e-8a2c-4f4e-9b7d-1c2e3f4a5b6c'],
    ['dev:md0', 'part_uuid', '1234abcd-01'],
    // The partition map from the partition UUID's shape: a GUID is on a GPT, <signature>-<NN> on an MBR (GRUB's "msdos").
    ['dev:nvme0n1p2', 'partmap', 'gpt'],
    ['dev:md0', 'partmap', 'msdos'],
  ] as const)('%s --%s = %s', (dev, target, value) => {
    expect(probeDevice(table, dev, target)).toEqual({ known: true, value });
  });
  it('efi firmware disks are efidisk', () => {
    expect(probeDevice(table, 'dev:nvme0n1p2', 'driver', 'efi')).toEqual({ known: true, value: 'efidisk' });
  });
  it('an unknown device is null; an unknown fact says why', () => {
    expect(probeDevice(table, 'dev:sdz9', 'fs')).toBeNull();
    expect(probeDevice(table, 'dev:nvme0n1p1', 'partmap')).toEqual({
      known: false,
      why: 'which partition table holds it is not known (no /dev/disk/by-partuuid link names it)',
    });
    // A device no by-partuuid link names (a whole disk, a dm device): not known, never a guess.
    expect(probeDevice(table, 'dev:nvme0n1p1', 'part_uuid')).toEqual({
      known: false,
      why: 'no /dev/disk/by-partuuid link names it (not a partition, or not on a partition table)',
    });
    expect(probeDevice(table, 'uuid:5a5b5c5d-0000-4000-8000-000000000001', 'fs')).toEqual({
      known: false,
      why: 'filesystem type "reiser4" has no GRUB driver',
    });
  });
  it('ZFS pool GUIDs: blkid decimal, GRUB %016llx', () => {
    const zfs = buildDeviceTable({
      mountinfo: '29 1 0:25 / / rw,relatime shared:1 - zfs rpool/ROOT/pve-1 rw,xattr,posixacl\n',
      fstab: null,
      cmdline: null,
      byUuid: { '12345678901234567890': 'sda3' },
      byLabel: { rpool: 'sda3' },
      byPartuuid: {},
      nodes: {},
      hostRoot: '/',
    });
    expect(probeDevice(zfs, 'dev:sda3', 'fs_uuid')).toEqual({ known: true, value: 'ab54a98ceb1f0ad2' });
  });
});
