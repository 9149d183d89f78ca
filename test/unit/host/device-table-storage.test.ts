/**
 * The device table over btrfs snapshots, ZFS pools and LVM/md/LUKS names (device-table.ts,
 * device-describe.ts), and RootGrubFs reading those facts from a root tree (grub-fs.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeDevice, explainMissing, unreachable } from '../../../src/host/device-describe.js';
import { PROBE_DEVICE, buildDeviceTable, candidates, findByFs, systemToGrub, type DeviceFacts } from '../../../src/host/device-table.js';
import { RootGrubFs } from '../../../src/host/grub-fs.js';
import { RootFs } from '../../../src/host/rootfs.js';

const NONE: DeviceFacts = { mountinfo: null, fstab: null, cmdline: null, byUuid: {}, byLabel: {}, byPartuuid: {}, nodes: {}, hostRoot: '/' };
const table = (f: Partial<DeviceFacts>) => buildDeviceTable({ ...NONE, ...f });

const SNAPPER = [
  '59 1 0:31 /@/.snapshots/42/snapshot / rw - btrfs /dev/sda2 rw,subvolid=312,subvol=/@/.snapshots/42/snapshot',
  '60 59 0:31 /@/.snapshots /.snapshots rw - btrfs /dev/sda2 rw,subvolid=267,subvol=/@/.snapshots',
  '61 59 0:31 /@/var /var rw - btrfs /dev/sda2 rw,subvolid=258,subvol=/@/var',
].join('\n');
const SNAPPER_FSTAB = 'UUID=b7 / btrfs defaults 0 0\nUUID=b7 /var btrfs subvol=/@/var 0 0\nUUID=b7 /.snapshots btrfs subvol=/@/.snapshots 0 0\n';

describe('btrfs: GRUB paths both ways, whatever the default subvolume', () => {
  const t = table({ mountinfo: SNAPPER, fstab: SNAPPER_FSTAB, nodes: { '/dev/sda2': 'sda2' } });

  // Absolute readings (upstream GRUB, from the top level) come first, then the same path relative to
  // the default subvolume (openSUSE's btrfs_relative_path=y). A nested snapshot is also visible
  // through the /.snapshots mount, so one file can have two in-root paths; the first existing wins.
  it.each<[string, string[]]>([
    ['/boot/vmlinuz', ['/boot/vmlinuz', '/.snapshots/42/snapshot/boot/vmlinuz']],
    [
      '/@/.snapshots/42/snapshot/boot/vmlinuz',
      [
        '/boot/vmlinuz',
        '/.snapshots/42/snapshot/boot/vmlinuz',
        '/@/.snapshots/42/snapshot/boot/vmlinuz',
        '/.snapshots/42/snapshot/@/.snapshots/42/snapshot/boot/vmlinuz',
      ],
    ],
    [
      '/@/.snapshots/40/snapshot/boot/vmlinuz',
      ['/.snapshots/40/snapshot/boot/vmlinuz', '/@/.snapshots/40/snapshot/boot/vmlinuz', '/.snapshots/42/snapshot/@/.snapshots/40/snapshot/boot/vmlinuz'],
    ],
    ['/@/var/lib/x', ['/var/lib/x', '/@/var/lib/x', '/.snapshots/42/snapshot/@/var/lib/x']],
  ])('%s', (path, want) => {
    expect(candidates(t, 'dev:sda2', path)).toEqual(want);
  });

  it('the config is named from the top level (GRUB reads it either way)', () => {
    expect(systemToGrub(t, '/boot/grub2/grub.cfg')).toEqual({ device: 'dev:sda2', path: '/@/.snapshots/42/snapshot/boot/grub2/grub.cfg' });
  });

  it('a root mounted with subvol= in fstab (Debian, Ubuntu) has no relative reading', () => {
    const deb = table({
      mountinfo: '23 1 0:26 /@rootfs / rw - btrfs /dev/nvme0n1p2 rw,subvolid=256,subvol=/@rootfs',
      fstab: 'UUID=d1 / btrfs defaults,subvol=@rootfs 0 0\n',
      nodes: { '/dev/nvme0n1p2': 'nvme0n1p2' },
    });
    expect(candidates(deb, 'dev:nvme0n1p2', '/@rootfs/boot/vmlinuz')).toEqual(['/boot/vmlinuz']);
    expect(candidates(deb, 'dev:nvme0n1p2', '/boot/vmlinuz')).toEqual([]);
  });

  it('offline: rootflags=subvolid= names the root subvolume through mountinfo ids when it has them', () => {
    const live = table({
      mountinfo: '23 1 0:26 /@rootfs / rw - btrfs /dev/sda2 rw,subvolid=256,subvol=/@rootfs',
      cmdline: 'root=UUID=d1 rootflags=subvolid=256 ro',
    });
    expect(live.rootSubvol).toBe('/@rootfs');
  });

  it('a deleted snapshot root: GRUB cannot reach it, and says so', () => {
    const gone = table({
      mountinfo: SNAPPER.replace('/@/.snapshots/42/snapshot / ', '/@/.snapshots/42/snapshot//deleted / '),
      fstab: SNAPPER_FSTAB,
      nodes: { '/dev/sda2': 'sda2' },
    });
    expect(candidates(gone, 'dev:sda2', '/boot/vmlinuz')).toEqual([]);
    expect(candidates(gone, 'dev:sda2', '/@/.snapshots/42/snapshot/boot/vmlinuz')).toEqual(['/.snapshots/42/snapshot/boot/vmlinuz']);
    expect(unreachable(gone, '/boot/grub2/grub.cfg')).toBe(
      '/boot/grub2/grub.cfg is on btrfs subvolume /@/.snapshots/42/snapshot (mounted at /), which was deleted since it was mounted: GRUB cannot read it',
    );
    expect(unreachable(gone, '/var/lib/x')).toBeNull();
    expect(explainMissing(gone, 'dev:sda2', '/boot/vmlinuz')).toBe('btrfs subvolume /@/.snapshots/42/snapshot was deleted (snapshot removed while mounted)');
    expect(describeDevice(gone, 'hd0,gpt2', 'dev:sda2')).toBe(
      'hd0,gpt2 = dev:sda2 (btrfs mounted at / from /@/.snapshots/42/snapshot (deleted since it was mounted), /.snapshots from /@/.snapshots, ' +
        '/var from /@/var; default subvolume: not mounted, or every mount names its subvolume)',
    );
  });
});

const PVE = [
  '22 1 0:21 / / rw - zfs rpool/ROOT/pve-1 rw,xattr,noacl',
  '45 22 0:44 / /rpool rw - zfs rpool rw,xattr,noacl',
  '48 22 0:45 / /boot/efi rw - vfat /dev/sda2 rw',
].join('\n');

describe('ZFS pools as GRUB devices', () => {
  const labelled = table({
    mountinfo: PVE,
    byUuid: { '9260637218372155743': 'sda3', '3A1B-2C4D': 'sda2' },
    byLabel: { rpool: 'sda3' },
    nodes: { '/dev/sda2': 'sda2' },
  });

  it('a pool is one device, named after its member partition when blkid labels it', () => {
    expect(labelled.devices.map((d) => [d.name, d.pool])).toEqual([
      ['dev:sda3', 'rpool'],
      ['dev:sda2', null],
    ]);
    expect(table({ mountinfo: PVE }).devices.map((d) => d.name)).toEqual(['zfs:rpool', 'dev:sda2']);
  });

  it('search --fs-uuid <guid in hex> finds the member partition by its decimal by-uuid link', () => {
    expect(findByFs(labelled, 'fs_uuid', '8084647c32d5795f')).toBe('dev:sda3');
    expect(findByFs(labelled, 'fs_uuid', '8084647c32d5795e')).toBeNull();
  });

  it.each<[string, string, string[]]>([
    ['dev:sda3', '/ROOT/pve-1@/boot/vmlinuz', ['/boot/vmlinuz']],
    ['dev:sda3', '/@/data/x', ['/rpool/data/x']],
    ['dev:sda3', '/boot/vmlinuz', []],
    ['dev:sda3', '/ROOT/pve-2@/boot/vmlinuz', []],
    // A device nobody identified: the path names its dataset, on any mounted pool; then the usual probing.
    [PROBE_DEVICE, '/ROOT/pve-1@/boot/vmlinuz', ['/boot/vmlinuz', '/ROOT/pve-1@/boot/vmlinuz', '/boot/ROOT/pve-1@/boot/vmlinuz']],
  ])('%s %s', (device, path, want) => {
    expect(candidates(labelled, device, path)).toEqual(want);
  });

  it('the config path is named the way GRUB names it on a dataset', () => {
    expect(systemToGrub(labelled, '/boot/grub/grub.cfg')).toEqual({ device: 'dev:sda3', path: '/ROOT/pve-1@/boot/grub/grub.cfg' });
    expect(systemToGrub(labelled, '/rpool/data/x')).toEqual({ device: 'dev:sda3', path: '/@/data/x' });
  });

  it('a pool member with no dataset mounted (bpool not imported) offers no file and says why', () => {
    const t = table({ mountinfo: PVE, byUuid: { '2048717316914613574': 'vda3' }, byLabel: { bpool: 'vda3', rpool: 'sda3' } });
    expect(candidates(t, 'dev:vda3', '/BOOT/ubuntu_x@/vmlinuz')).toEqual([]);
    expect(describeDevice(t, 'hd0,gpt3', 'dev:vda3')).toBe('hd0,gpt3 = dev:vda3 (ZFS pool bpool member: no dataset of the pool is mounted)');
    expect(explainMissing(t, 'dev:vda3', '/BOOT/ubuntu_x@/vmlinuz')).toBe(
      'ZFS dataset bpool/BOOT/ubuntu_x is not mounted: no dataset of pool bpool is (is the pool imported?)',
    );
    expect(explainMissing(t, 'dev:vda3', '/vmlinuz')).toBe('not a ZFS file path: GRUB names the files of a pool /<dataset>@/<file>');
  });

  it('a btrfs "/@/..." path is not read as a ZFS path', () => {
    const t = table({ mountinfo: '30 1 0:40 /@ / rw - btrfs /dev/sda3 rw,subvol=/@', nodes: { '/dev/sda3': 'sda3' } });
    expect(candidates(t, 'dev:sda3', '/@/boot/vmlinuz')).toEqual(['/boot/vmlinuz']);
  });
});

const LVM_INFO = ['21 1 254:0 / / rw - ext4 /dev/mapper/vg-root rw', '30 21 254:2 / /srv/lvboot rw - ext4 /dev/mapper/vg-boot rw'].join('\n');
const VG = 'Ff3c0K3dLYVh1cdYFRpYvq2bBLn83MTd';
const BOOT_LV = 'Wq8ZbN2cRt5vYx7AaDf9GhJk3LmNp6Qs';

describe('LVM, md and LUKS device names', () => {
  const t = table({
    mountinfo: LVM_INFO,
    nodes: { '/dev/mapper/vg-root': 'dm-0', '/dev/mapper/vg-boot': 'dm-2' },
    abstract: {
      dm: { 'dm-0': { name: 'vg-root', uuid: `LVM-${VG}${'A'.repeat(32)}` }, 'dm-2': { name: 'vg-boot', uuid: `LVM-${VG}${BOOT_LV}` } },
      md: {},
      mapper: { 'vg-root': 'dm-0', 'vg-boot': 'dm-2' },
      mdLinks: {},
      byId: {},
    },
  });

  it('(lvm/VG-LV) and (lvmid/…) read from where the LV is mounted, not by probing / and /boot', () => {
    expect(candidates(t, 'lvm/vg-boot', '/vmlinuz')).toEqual(['/srv/lvboot/vmlinuz']);
    expect(candidates(t, 'lvmid/Ff3c0K-3dLY-Vh1c-dYFR-pYvq-2bBL-n83MTd/Wq8ZbN-2cRt-5vYx-7AaD-f9Gh-Jk3L-mNp6Qs', '/vmlinuz')).toEqual(['/srv/lvboot/vmlinuz']);
    expect(describeDevice(t, 'lvm/vg-boot')).toBe('lvm/vg-boot = dev:dm-2 (mounted at /srv/lvboot)');
  });

  it('an LV that is not present has no candidates at all (no guessing) and a message saying so', () => {
    expect(candidates(t, 'lvm/vg-gone', '/vmlinuz')).toEqual([]);
    expect(describeDevice(t, 'lvm/vg-gone')).toBe('lvm/vg-gone (no LVM logical volume by that name under /dev/mapper, /dev/md, /dev/disk/by-id or /sys/block)');
    // The message names the volume GRUB asks for (dm's doubled dashes undone) and what is missing; live tables say "on this machine".
    expect(explainMissing(t, 'lvm/vg--data-root--fs', '/vmlinuz')).toBe('LVM logical volume vg-data/root-fs is not active on this machine');
    expect(explainMissing(t, 'lvm/vg-boot', '/vmlinuz')).toBeNull();
    expect(explainMissing(t, 'lvmid/Ff3c0K-3dLY-Vh1c-dYFR-pYvq-2bBL-n83MTd/Gone00-0000-0000-0000-0000-0000-000000', '/vmlinuz')).toBe(
      'no LVM logical volume with uuid Gone00-0000-0000-0000-0000-0000-000000 in a volume group with uuid Ff3c0K-3dLY-Vh1c-dYFR-pYvq-2bBL-n83MTd is active on this machine',
    );
    expect(explainMissing(t, 'md/data', '/vmlinuz')).toBe('md RAID array data is not assembled on this machine');
    expect(explainMissing(t, 'mduuid/00112233445566778899aabbccddeeff', '/vmlinuz')).toBe(
      'no md RAID array with uuid 00112233445566778899aabbccddeeff is assembled on this machine',
    );
    expect(explainMissing(t, 'cryptouuid/0011', '/vmlinuz')).toBe('no LUKS volume with uuid 0011 is open on this machine (cryptsetup has not mapped it)');
    // An offline root (fstab only) says what it looked under.
    expect(explainMissing(table({ fstab: 'UUID=1 / ext4 defaults 0 1\n' }), 'md/data', '/vmlinuz')).toBe('md RAID array data is not assembled under this root');
  });
});

const tmp: string[] = [];
afterEach(() => {
  for (const d of tmp.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tree(files: Record<string, string>, links: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'storage-'));
  tmp.push(root);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  for (const [p, target] of Object.entries(links)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    symlinkSync(target, join(root, p));
  }
  return root;
}

describe('RootGrubFs over a root tree with md and LUKS devices', () => {
  it('reads /sys/block and /dev links under the root and opens (mduuid/…), (md/…) and (cryptouuid/…)', () => {
    const root = tree(
      {
        'proc/self/mountinfo': '21 1 254:0 / / rw - ext4 /dev/mapper/vda2_crypt rw\n30 21 9:0 / /mnt/raid rw - ext4 /dev/md127 rw\n',
        'sys/block/dm-0/dm/name': 'vda2_crypt\n',
        'sys/block/dm-0/dm/uuid': 'CRYPT-LUKS1-3f8a1c2e4b6d4e8f9a0b1c2d3e4f5a6b-vda2_crypt\n',
        'sys/block/md127/md/uuid': '4d6b8c1f-2e3a-4b5c-6d7e-8f9a0b1c2d3e\n',
        'sys/block/md127/md/metadata_version': '1.2\n',
        'boot/grub/grub.cfg': '',
        'boot/vmlinuz-6.1': 'k',
        'mnt/raid/vmlinuz-6.2': 'k',
        'dev/md127': '',
      },
      { 'dev/mapper/vda2_crypt': '../dm-0', 'dev/md/data': '../md127' },
    );
    const fs = new RootGrubFs(new RootFs(root), '/boot/grub/grub.cfg');
    expect(fs.locate('cryptouuid/3f8a1c2e4b6d4e8f9a0b1c2d3e4f5a6b', '/boot/vmlinuz-6.1')).toBe('/boot/vmlinuz-6.1');
    expect(fs.locate('mduuid/4d6b8c1f2e3a4b5c6d7e8f9a0b1c2d3e', '/vmlinuz-6.2')).toBe('/mnt/raid/vmlinuz-6.2');
    expect(fs.locate('md/data', '/vmlinuz-6.2')).toBe('/mnt/raid/vmlinuz-6.2');
    // Probing would find /boot/vmlinuz-6.1 under /: an array nobody has must not.
    expect(fs.locate('md/other', '/boot/vmlinuz-6.1')).toBeNull();
    expect(fs.explain('md/other', '/boot/vmlinuz-6.1')).toBe('md RAID array other is not assembled on this machine');
    expect(fs.explain('cryptouuid/00000000000000000000000000000000', '/boot/vmlinuz-6.1')).toBe(
      'no LUKS volume with uuid 00000000000000000000000000000000 is open on this machine (cryptsetup has not mapped it)',
    );
    expect(fs.explain('md/data', '/vmlinuz-6.2')).toBeNull();
  });
});

describe('RootGrubFs.explain: snapper snapshots', () => {
  it('names a snapshot that no longer exists, and says nothing about one that does', () => {
    const root = tree(
      {
        'proc/self/mountinfo':
          '59 1 0:31 /@ / rw - btrfs /dev/sda2 rw,subvolid=256,subvol=/@\n60 59 0:31 /@/.snapshots /.snapshots rw - btrfs /dev/sda2 rw,subvolid=267,subvol=/@/.snapshots\n',
        'boot/grub2/grub.cfg': '',
        '.snapshots/41/info.xml': '<snapshot/>',
        '.snapshots/41/snapshot/boot/vmlinuz-6.1': 'k',
        'dev/sda2': '',
      },
      {},
    );
    const fs = new RootGrubFs(new RootFs(root), '/boot/grub2/grub.cfg');
    expect(fs.locate('dev:sda2', '/@/.snapshots/41/snapshot/boot/vmlinuz-6.1')).toBe('/.snapshots/41/snapshot/boot/vmlinuz-6.1');
    expect(fs.explain('dev:sda2', '/@/.snapshots/41/snapshot/boot/vmlinuz-6.1')).toBeNull();
    // The snapshot exists, the file does not: nothing specific to say.
    expect(fs.explain('dev:sda2', '/@/.snapshots/41/snapshot/boot/vmlinuz-9')).toBeNull();
    expect(fs.explain('dev:sda2', '/@/.snapshots/40/snapshot/boot/vmlinuz-6.1')).toBe(
      'snapper snapshot 40 (/@/.snapshots/40/snapshot) does not exist: it was deleted after the menu was written',
    );
  });
});

describe('RootGrubFs.probe over storage layouts', () => {
  it('answers for (lvm/…) through its kernel device and for a ZFS pool with the guid in hex', () => {
    const root = tree(
      {
        'proc/self/mountinfo': '21 1 0:21 / / rw - zfs rpool/ROOT/pve-1 rw\n30 21 254:2 / /boot rw - ext4 /dev/mapper/vg-boot rw\n',
        'sys/block/dm-2/dm/name': 'vg-boot\n',
        'sys/block/dm-2/dm/uuid': `LVM-${VG}${BOOT_LV}\n`,
        'boot/grub/grub.cfg': '',
      },
      {
        'dev/mapper/vg-boot': '../dm-2',
        'dev/disk/by-uuid/c4b3a291-0e1f-4a2b-8c3d-4e5f60718293': '../../dm-2',
        'dev/disk/by-uuid/9260637218372155743': '../../sda3',
        'dev/disk/by-label/rpool': '../../sda3',
      },
    );
    const fs = new RootGrubFs(new RootFs(root), '/boot/grub/grub.cfg');
    expect(fs.probe('lvm/vg-boot', 'fs_uuid', 'pc')).toEqual({ known: true, value: 'c4b3a291-0e1f-4a2b-8c3d-4e5f60718293' });
    expect(fs.probe('lvm/vg-boot', 'fs', 'pc')).toEqual({ known: true, value: 'ext2' });
    expect(fs.probe('dev:sda3', 'fs_uuid', 'pc')).toEqual({ known: true, value: '8084647c32d5795f' });
    expect(fs.probe('dev:sda3', 'label', 'pc')).toEqual({ known: true, value: 'rpool' });
    expect(fs.probe('lvm/vg-gone', 'fs', 'pc')).toBeNull();
  });
});
