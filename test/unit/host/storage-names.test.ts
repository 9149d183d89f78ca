/**
 * GRUB's names for LVM, md and LUKS devices (grub-abstract-names.ts), ZFS paths (zfs-paths.ts) and
 * btrfs subvolumes (btrfs-paths.ts): table tests. Expected names are written from GRUB's sources
 * (lvm.c, diskfilter.c, mdraid_linux.c, cryptodisk.c, zfs.c) and the kernel's sysfs formats.
 */
import { describe, expect, it } from 'vitest';
import { defaultSubvol, namedSubvol, subvolIds, subvolOf } from '../../../src/host/btrfs-paths.js';
import { NO_ABSTRACT, abstractAliases, isAbstractName, lvmDashed, resolveAbstract, type AbstractFacts } from '../../../src/host/grub-abstract-names.js';
import { parseFstab, parseMountinfo } from '../../../src/host/mounts.js';
import { guidMatches, parseZfsPath, zfsCandidates, zfsMissing } from '../../../src/host/zfs-paths.js';

const VG = 'Ff3c0K3dLYVh1cdYFRpYvq2bBLn83MTd';
const LV = 'sK4c7aykKU0iMX1t3M2SWAX2Eji9Mb4Q';
const VG_DASHED = 'Ff3c0K-3dLY-Vh1c-dYFR-pYvq-2bBL-n83MTd';
const LV_DASHED = 'sK4c7a-ykKU-0iMX-1t3M-2SWA-X2Ej-i9Mb4Q';
const facts = (f: Partial<AbstractFacts>): AbstractFacts => ({ ...NO_ABSTRACT, ...f });
const resolve = (f: Partial<AbstractFacts>, name: string): string | null => resolveAbstract(abstractAliases(facts(f)), name);

describe('GRUB names of LVM, md and LUKS devices', () => {
  it('LVM ids take the 6-4-4-4-4-4-6 dashes lvm.c puts in', () => {
    expect(lvmDashed(VG)).toBe(VG_DASHED);
    expect(lvmDashed(LV)).toBe(LV_DASHED);
  });

  it.each<[string, Partial<AbstractFacts>, string, string | null]>([
    [
      'lvm/ from the dm name (dashes inside VG/LV names doubled, as dm does)',
      { dm: { 'dm-3': { name: 'vg--data-lv--root', uuid: `LVM-${VG}${LV}` } } },
      'lvm/vg--data-lv--root',
      'dm-3',
    ],
    ['lvmid/ from dm/uuid', { dm: { 'dm-3': { name: 'vg-root', uuid: `LVM-${VG}${LV}` } } }, `lvmid/${VG_DASHED}/${LV_DASHED}`, 'dm-3'],
    ['lvmid/ from /dev/disk/by-id/dm-uuid-LVM-*', { byId: { [`dm-uuid-LVM-${VG}${LV}`]: 'dm-1' } }, `lvmid/${VG_DASHED}/${LV_DASHED}`, 'dm-1'],
    [
      'a snapshot origin sub-device (-real) is not the LV',
      { dm: { 'dm-4': { name: 'vg-root-real', uuid: `LVM-${VG}${LV}-real` } } },
      `lvmid/${VG_DASHED}/${LV_DASHED}`,
      null,
    ],
    ['lvm/ from /dev/mapper when nothing says it is not an LV', { mapper: { 'debian--vg-root': 'dm-0' } }, 'lvm/debian--vg-root', 'dm-0'],
    [
      'a LUKS mapping is not lvm/',
      { mapper: { luks: 'dm-0' }, dm: { 'dm-0': { name: 'luks', uuid: 'CRYPT-LUKS2-3f8a1c2e4b6d4e8f9a0b1c2d3e4f5a6b-luks' } } },
      'lvm/luks',
      null,
    ],
    [
      'cryptouuid/ without dashes (GRUB 2.06)',
      { dm: { 'dm-0': { name: 'luks-x', uuid: 'CRYPT-LUKS2-3f8a1c2e4b6d4e8f9a0b1c2d3e4f5a6b-luks-x' } } },
      'cryptouuid/3f8a1c2e4b6d4e8f9a0b1c2d3e4f5a6b',
      'dm-0',
    ],
    [
      'cryptouuid/ with dashes and upper case (GRUB 2.12 compares ignoring both)',
      { byId: { 'dm-uuid-CRYPT-LUKS1-3f8a1c2e4b6d4e8f9a0b1c2d3e4f5a6b-vda2_crypt': 'dm-0' } },
      'cryptouuid/3F8A1C2E-4B6D-4E8F-9A0B-1C2D3E4F5A6B',
      'dm-0',
    ],
    [
      'mduuid/ from md-uuid-* (mdadm words, colons dropped)',
      { byId: { 'md-uuid-4d6b8c1f:2e3a4b5c:6d7e8f9a:0b1c2d3e': 'md0' } },
      'mduuid/4d6b8c1f2e3a4b5c6d7e8f9a0b1c2d3e',
      'md0',
    ],
    [
      'mduuid/ from sysfs md/uuid, metadata 1.2: bytes in order',
      { md: { md127: { uuid: '4d6b8c1f-2e3a-4b5c-6d7e-8f9a0b1c2d3e', metadata: '1.2' } } },
      'mduuid/4d6b8c1f2e3a4b5c6d7e8f9a0b1c2d3e',
      'md127',
    ],
    [
      'mduuid/ from sysfs md/uuid, metadata 0.90: each 32-bit word byte-swapped (mdraid_linux.c)',
      { md: { md0: { uuid: '67452301-efcd-ab89-98ba-dcfe10325476', metadata: '0.90' } } },
      'mduuid/0123456789abcdeffedcba9876543210',
      'md0',
    ],
    ['md/md<minor> for a 0.90 array', { md: { md0: { uuid: '67452301-efcd-ab89-98ba-dcfe10325476', metadata: '0.90' } } }, 'md/md0', 'md0'],
    ['md/<name> from md-name-<homehost>:<name>, homehost stripped (diskfilter.c)', { byId: { 'md-name-debian:0': 'md127' } }, 'md/0', 'md127'],
    ['md/<name> from /dev/md/<name>', { mdLinks: { data: 'md126' } }, 'md/data', 'md126'],
    ['an LV that is not present', { dm: { 'dm-3': { name: 'vg-root', uuid: `LVM-${VG}${LV}` } } }, 'lvm/vg-gone', null],
  ])('%s', (_what, f, name, kname) => {
    expect(resolve(f, name)).toBe(kname);
  });

  it('only volume-manager names are abstract', () => {
    expect(['lvm/a-b', 'lvmid/x/y', 'md/0', 'mduuid/00', 'cryptouuid/00'].every(isAbstractName)).toBe(true);
    expect(['hd0,gpt2', 'md0', 'dev:dm-0', 'probe', 'lvm'].some(isAbstractName)).toBe(false);
  });
});

describe('ZFS paths', () => {
  it.each<[string, ReturnType<typeof parseZfsPath>]>([
    ['/ROOT/pve-1@/boot/vmlinuz-6.8.12-4-pve', { dataset: 'ROOT/pve-1', snapshot: null, file: '/boot/vmlinuz-6.8.12-4-pve' }],
    ['/BOOT/ubuntu_8ae1cq@/vmlinuz', { dataset: 'BOOT/ubuntu_8ae1cq', snapshot: null, file: '/vmlinuz' }],
    ['/@/vmlinuz', { dataset: '', snapshot: null, file: '/vmlinuz' }],
    ['/ROOT/ubuntu@autozsys_x1/boot/vmlinuz', { dataset: 'ROOT/ubuntu', snapshot: 'autozsys_x1', file: '/boot/vmlinuz' }],
    ['//ROOT//pve-1@', { dataset: 'ROOT/pve-1', snapshot: null, file: '/' }],
    ['/boot/vmlinuz', null],
  ])('%s', (path, want) => {
    expect(parseZfsPath(path)).toEqual(want);
  });

  it("a pool's GRUB uuid (hex guid) matches blkid's decimal guid", () => {
    // 9260637218372155743 = 0x8084647c32d5795f
    expect(guidMatches('9260637218372155743', '8084647c32d5795f')).toBe(true);
    expect(guidMatches('9260637218372155743', '8084647C32D5795F')).toBe(true);
    expect(guidMatches('9260637218372155744', '8084647c32d5795f')).toBe(false);
    expect(guidMatches('b7c8d9e0-f1a2', 'b7c8d9e0')).toBe(false);
  });

  const mounts = [
    { source: 'rpool/ROOT/pve-1', mountpoint: '/' },
    { source: 'rpool', mountpoint: '/rpool' },
    { source: 'bpool/BOOT/ubuntu_x', mountpoint: '/boot' },
  ];
  it.each<[string, string[], string[]]>([
    ['/ROOT/pve-1@/boot/vmlinuz', ['rpool'], ['/boot/vmlinuz']],
    ['/@/data/x', ['rpool'], ['/rpool/data/x']],
    ['/ROOT/pve-1@snap/boot/vmlinuz', ['rpool'], ['/.zfs/snapshot/snap/boot/vmlinuz']],
    ['/BOOT/ubuntu_x@/vmlinuz', ['bpool'], ['/boot/vmlinuz']],
    ['/BOOT/ubuntu_x@/vmlinuz', ['rpool'], []],
    ['/ROOT@/boot/vmlinuz', ['rpool'], []],
  ])('%s on %j', (path, pools, want) => {
    expect(zfsCandidates(mounts, pools, parseZfsPath(path) ?? { dataset: 'x', snapshot: null, file: '/' })).toEqual(want);
  });

  it('says which dataset is not mounted and what is', () => {
    const p = parseZfsPath('/ROOT/pve-2@/boot/vmlinuz') ?? { dataset: '', snapshot: null, file: '/' };
    expect(zfsMissing(mounts, ['rpool'], p)).toBe('ZFS dataset rpool/ROOT/pve-2 is not mounted (mounted: rpool/ROOT/pve-1 at /, rpool at /rpool)');
    expect(zfsMissing(mounts, [], p)).toBe('ZFS dataset ROOT/pve-2: no ZFS pool is mounted');
    expect(zfsMissing(mounts, ['tank'], p)).toBe('ZFS dataset tank/ROOT/pve-2 is not mounted: no dataset of pool tank is (is the pool imported?)');
  });

  it('mountinfo keeps zfs datasets (no /dev source) and drops their snapshots', () => {
    const info = [
      '22 1 0:21 / / rw - zfs rpool/ROOT/pve-1 rw,xattr',
      '23 22 0:30 / /mnt rw - zfs rpool/ROOT/pve-1@snap rw',
      '24 22 0:5 / /proc rw - proc proc rw',
    ];
    expect(parseMountinfo(info.join('\n')).map((m) => [m.mountpoint, m.source, m.fstype])).toEqual([['/', 'rpool/ROOT/pve-1', 'zfs']]);
  });
});

describe('btrfs subvolumes', () => {
  const info = parseMountinfo(
    [
      '59 1 0:31 /@/.snapshots/42/snapshot / rw - btrfs /dev/sda2 rw,subvolid=312,subvol=/@/.snapshots/42/snapshot',
      '60 59 0:31 /@/.snapshots /.snapshots rw - btrfs /dev/sda2 rw,subvolid=267,subvol=/@/.snapshots',
      '61 59 0:31 /@/home /home rw - btrfs /dev/sda2 rw,subvolid=263,subvol=/@/home',
    ].join('\n'),
  );
  const fstab = parseFstab('UUID=x / btrfs defaults 0 0\nUUID=x /home btrfs subvol=/@/home 0 0\nUUID=x /.snapshots btrfs subvol=/@/.snapshots 0 0\n');

  it('a mount without subvol= in fstab shows the default subvolume', () => {
    expect(defaultSubvol(info, fstab, [])).toBe('/@/.snapshots/42/snapshot');
  });

  it('no default when / was mounted with rootflags=subvol= (a snapshot booted from the GRUB menu)', () => {
    expect(defaultSubvol(info, fstab, ['subvol=@/.snapshots/40/snapshot'])).toBeNull();
  });

  it('no default when fstab names the subvolume of every mount (Debian/Ubuntu: subvol=@)', () => {
    expect(defaultSubvol(info, parseFstab('UUID=x / btrfs subvolid=312 0 0\n'), [])).toBeNull();
  });

  it('a subvolume deleted while mounted is marked (dentry_path\'s "//deleted")', () => {
    const [m] = parseMountinfo('59 1 0:31 /@/.snapshots/42/snapshot//deleted / rw - btrfs /dev/sda2 rw,subvolid=312');
    expect(m === undefined ? null : subvolOf(m)).toEqual({ path: '/@/.snapshots/42/snapshot', deleted: true });
    expect(m === undefined ? null : defaultSubvol([m], fstab, [])).toBeNull();
  });

  it('subvolid= names a subvolume through the ids mountinfo shows; 5 is the top level', () => {
    const ids = subvolIds(info);
    expect(namedSubvol(['subvolid=263'], ids)).toBe('/@/home');
    expect(namedSubvol(['subvolid=5'], ids)).toBe('/');
    expect(namedSubvol(['subvolid=999'], ids)).toBeNull();
    expect(namedSubvol(['subvol=@', 'subvolid=263'], ids)).toBe('/@');
  });
});
