/** buildDeviceTable and the pure lookups over it (src/host/device-table.ts): table tests, no files. */
import { describe, expect, it } from 'vitest';
import { PROBE_DEVICE, buildDeviceTable, candidates, findByFs, sourcePaths, systemToGrub, type DeviceFacts } from '../../../src/host/device-table.js';
import { describeDevice } from '../../../src/host/device-describe.js';

const NONE: DeviceFacts = { mountinfo: null, fstab: null, cmdline: null, byUuid: {}, byLabel: {}, byPartuuid: {}, nodes: {}, hostRoot: '/' };
const facts = (f: Partial<DeviceFacts>): DeviceFacts => ({ ...NONE, ...f });

const SEPARATE_BOOT = [
  '22 1 254:2 / / rw,relatime shared:1 - ext4 /dev/mapper/vg-root rw',
  '23 22 254:1 / /boot rw,relatime shared:2 - ext4 /dev/vda1 rw',
  '24 22 0:5 / /proc rw - proc proc rw',
].join('\n');

const BTRFS = [
  '30 1 0:40 /@ / rw - btrfs /dev/sda3 rw,subvol=/@',
  '31 30 0:40 /@home /home rw - btrfs /dev/sda3 rw,subvol=/@home',
  '32 30 8:1 / /boot/efi rw - vfat /dev/sda1 rw',
  '33 30 0:40 / /mnt/top rw - btrfs /dev/sda3 rw,subvolid=5',
].join('\n');

describe('buildDeviceTable: device names', () => {
  it.each<[string, Partial<DeviceFacts>, string[], boolean]>([
    [
      'live: kernel names of path sources',
      { mountinfo: SEPARATE_BOOT, nodes: { '/dev/mapper/vg-root': 'dm-0', '/dev/vda1': 'vda1' } },
      ['dev:dm-0', 'dev:vda1'],
      true,
    ],
    ['live: an unresolved path source keeps its base name', { mountinfo: SEPARATE_BOOT }, ['dev:vg-root', 'dev:vda1'], true],
    [
      'offline: fstab specs, UUID lower-cased, LABEL as written',
      { fstab: 'UUID=AB-CD / ext4 defaults 0 1\nLABEL=Boot /boot ext4 defaults 0 2\nPARTUUID=X1 /srv ext4 defaults 0 2\n' },
      ['uuid:ab-cd', 'label:Boot', 'partuuid:x1'],
      false,
    ],
    [
      'offline: specs named by /dev/disk/by-* links',
      {
        fstab: 'UUID=ab-cd / ext4 defaults 0 1\nLABEL=Boot /boot ext4 defaults 0 2\nPARTUUID=x1 /srv ext4 defaults 0 2\n',
        byUuid: { 'ab-cd': 'vda2' },
        byLabel: { Boot: 'vda1' },
        byPartuuid: { x1: 'vdb1' },
      },
      ['dev:vda2', 'dev:vda1', 'dev:vdb1'],
      false,
    ],
    ['a link matches its exact name only', { fstab: 'UUID=AB-CD / ext4 defaults 0 1\n', byUuid: { 'ab-cd': 'vda2' } }, ['uuid:ab-cd'], false],
    [
      'mountinfo without block filesystems: fstab is used',
      { mountinfo: '24 22 0:5 / /proc rw - proc proc rw', fstab: '/dev/vda2 / ext4 defaults 0 1\n', nodes: { '/dev/vda2': 'vda2' } },
      ['dev:vda2'],
      false,
    ],
    [
      'names like Object.prototype keys are plain names',
      { fstab: 'LABEL=constructor / ext4 defaults 0 1\nUUID=__proto__ /boot ext4 defaults 0 2\n' },
      ['label:constructor', 'uuid:__proto__'],
      false,
    ],
    ['one filesystem mounted twice is one device', { mountinfo: BTRFS, nodes: { '/dev/sda3': 'sda3', '/dev/sda1': 'sda1' } }, ['dev:sda3', 'dev:sda1'], true],
  ])('%s', (_name, f, names, live) => {
    const t = buildDeviceTable(facts(f));
    expect(t.devices.map((d) => d.name)).toEqual(names);
    expect(t.live).toBe(live);
  });

  it('mount points of the host table are made relative to the root directory', () => {
    const t = buildDeviceTable(
      facts({ mountinfo: '30 1 8:2 / /mnt/t rw - ext4 /dev/sdb2 rw\n31 30 8:1 / /mnt/t/boot rw - ext4 /dev/sdb1 rw', hostRoot: '/mnt/t' }),
    );
    expect(t.devices.flatMap((d) => d.mounts.map((m) => m.mountpoint))).toEqual(['/', '/boot']);
  });
});

describe('buildDeviceTable: partition UUIDs', () => {
  it('carries the /dev/disk/by-partuuid links for probe --part-uuid', () => {
    const t = buildDeviceTable(facts({ mountinfo: SEPARATE_BOOT, byPartuuid: { '1234abcd-01': 'vda1' } }));
    expect(t.byPartuuid).toEqual({ '1234abcd-01': 'vda1' });
    expect(buildDeviceTable(NONE).byPartuuid).toEqual({});
  });
});

describe('buildDeviceTable: the root subvolume', () => {
  it.each<[string, Partial<DeviceFacts>, string | null]>([
    ['rootflags=subvol= on the command line', { cmdline: 'root=/dev/sda3 rootflags=subvol=@root ro' }, '/@root'],
    ['quoted rootflags with more options', { cmdline: 'rootflags="compress=zstd,subvol=/@" quiet' }, '/@'],
    ["else fstab's root subvolume", { fstab: 'UUID=1 / btrfs subvol=@,noatime 0 0\n' }, '/@'],
    ['none', { fstab: 'UUID=1 / ext4 defaults 0 0\n', cmdline: 'root=UUID=1 ro' }, null],
  ])('%s', (_name, f, subvol) => {
    expect(buildDeviceTable(facts(f)).rootSubvol).toBe(subvol);
  });
});

describe('GRUB paths and system paths', () => {
  const separate = buildDeviceTable(facts({ mountinfo: SEPARATE_BOOT, nodes: { '/dev/mapper/vg-root': 'dm-0', '/dev/vda1': 'vda1' } }));
  const btrfs = buildDeviceTable(facts({ mountinfo: BTRFS, nodes: { '/dev/sda3': 'sda3', '/dev/sda1': 'sda1' } }));

  it.each<[string, ReturnType<typeof buildDeviceTable>, string, { device: string; path: string }]>([
    ['separate /boot', separate, '/boot/grub/grub.cfg', { device: 'dev:vda1', path: '/grub/grub.cfg' }],
    ['/boot inside /', separate, '/etc/grub.cfg', { device: 'dev:dm-0', path: '/etc/grub.cfg' }],
    ['btrfs subvolume', btrfs, '/boot/grub2/grub.cfg', { device: 'dev:sda3', path: '/@/boot/grub2/grub.cfg' }],
    ['ESP', btrfs, '/boot/efi/EFI/fedora/grub.cfg', { device: 'dev:sda1', path: '/EFI/fedora/grub.cfg' }],
    ['no mounts: probed', buildDeviceTable(NONE), '/boot/grub/grub.cfg', { device: PROBE_DEVICE, path: '/boot/grub/grub.cfg' }],
  ])('systemToGrub: %s', (_name, t, system, grub) => {
    expect(systemToGrub(t, system)).toEqual(grub);
  });

  it.each<[string, ReturnType<typeof buildDeviceTable>, string, string, string[]]>([
    ['separate /boot', separate, 'dev:vda1', '/vmlinuz-6.1', ['/boot/vmlinuz-6.1']],
    ['longest fs root first', btrfs, 'dev:sda3', '/@home/u/x', ['/home/u/x', '/mnt/top/@home/u/x']],
    ['only through the top-level mount', btrfs, 'dev:sda3', '/@snapshots/1/vmlinuz', ['/mnt/top/@snapshots/1/vmlinuz']],
    [
      'a path in no mounted part of the device',
      buildDeviceTable(facts({ mountinfo: BTRFS.split('\n').slice(0, 3).join('\n') })),
      'dev:sda3',
      '/@snapshots/1/vmlinuz',
      [],
    ],
    ['unknown device: /, then /boot', separate, 'hd0,msdos1', '/vmlinuz', ['/vmlinuz', '/boot/vmlinuz']],
    [
      'unknown device with a root subvolume',
      buildDeviceTable(facts({ cmdline: 'rootflags=subvol=@' })),
      'hd0,gpt2',
      '/@/boot/vmlinuz',
      ['/@/boot/vmlinuz', '/boot/vmlinuz', '/boot/@/boot/vmlinuz'],
    ],
  ])('candidates: %s', (_name, t, device, path, out) => {
    expect(candidates(t, device, path)).toEqual(out);
  });
});

describe('findByFs (search --fs-uuid / --label)', () => {
  const listed = buildDeviceTable(
    facts({ fstab: 'UUID=1111 / ext4 defaults 0 1\n', byUuid: { 'aaaa-bbbb': 'vda1', 'cccc-dddd': 'vda2' }, byLabel: { ESP: 'vda3' } }),
  );
  const offline = buildDeviceTable(facts({ fstab: 'UUID=1111 / ext4 defaults 0 1\nLABEL=Boot /boot ext4 defaults 0 2\n' }));
  it.each<[string, ReturnType<typeof buildDeviceTable>, 'fs_uuid' | 'fs_label', string, string | null]>([
    ['UUIDs compare case-insensitively', listed, 'fs_uuid', 'CCCC-DDDD', 'dev:vda2'],
    ['labels compare exactly', listed, 'fs_label', 'ESP', 'dev:vda3'],
    ['a label in another case is another label', listed, 'fs_label', 'esp', null],
    ['the root lists its disks and this one is absent', listed, 'fs_uuid', 'ffff', null],
    ['offline: a filesystem of fstab', offline, 'fs_uuid', '1111', 'uuid:1111'],
    ['offline: a label of fstab', offline, 'fs_label', 'Boot', 'label:Boot'],
    ['offline: anything else is probed', offline, 'fs_uuid', '9999', PROBE_DEVICE],
  ])('%s', (_name, t, kind, value, device) => {
    expect(findByFs(t, kind, value)).toBe(device);
  });
});

describe('describeDevice and sourcePaths', () => {
  it('says how a name was bound and where the device is mounted', () => {
    const t = buildDeviceTable(facts({ mountinfo: SEPARATE_BOOT, nodes: { '/dev/mapper/vg-root': 'dm-0', '/dev/vda1': 'vda1' } }));
    expect(describeDevice(t, 'hd0,gpt1', 'dev:vda1')).toBe('hd0,gpt1 = dev:vda1 (mounted at /boot)');
    expect(describeDevice(t, 'dev:dm-0')).toBe('dev:dm-0 (mounted at /)');
    expect(describeDevice(t, 'hd0,gpt9')).toBe('hd0,gpt9 (probed under / and /boot)');
  });

  it('lists the path sources gatherDeviceFacts must resolve, once each', () => {
    expect(sourcePaths({ mountinfo: BTRFS, fstab: null, hostRoot: '/' })).toEqual(['/dev/sda3', '/dev/sda1']);
    expect(sourcePaths({ mountinfo: null, fstab: 'UUID=1 / ext4 d 0 1\n/dev/vdb1 /srv ext4 d 0 2\nPARTLABEL=x /x ext4 d 0 2\n', hostRoot: '/' })).toEqual([
      '/dev/vdb1',
      'PARTLABEL=x',
    ]);
  });
});
