import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROBE_DEVICE, RootGrubFs, gatherDeviceFacts } from '../../../src/host/grub-fs.js';
import { findGrubConfig } from '../../../src/host/grub-config.js';
import { parseMountinfo } from '../../../src/host/mounts.js';
import { RootFs } from '../../../src/host/rootfs.js';
import { evaluateSystemGrub, grubFilePath } from '../../../src/plan/grub-source.js';

const tmp: string[] = [];
afterEach(() => {
  for (const d of tmp.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>, links: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'grubfs-'));
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

const MOUNTINFO = [
  '22 1 254:2 / / rw,relatime shared:1 - ext4 /dev/vda2 rw',
  '23 22 254:1 / /boot rw,relatime shared:2 - ext4 /dev/vda1 rw',
  '24 22 0:5 / /proc rw - proc proc rw',
].join('\n');

describe('parseMountinfo', () => {
  it('keeps block filesystems with their fs root and strips a host root prefix', () => {
    const m = parseMountinfo('30 1 0:40 /@ /mnt/t rw - btrfs /dev/sda3 rw,subvol=/@\n31 30 0:41 / /mnt/t/proc rw - proc proc rw\n', '/mnt/t');
    expect(m).toEqual([{ mountpoint: '/', fsroot: '/@', source: '/dev/sda3', fstype: 'btrfs', options: ['rw', 'rw', 'subvol=/@'] }]);
  });
});

describe('parseFstab', () => {
  it('reads specs, octal escapes and btrfs subvolumes, skipping swap and pseudo filesystems', async () => {
    const { parseFstab } = await import('../../../src/host/mounts.js');
    const m = parseFstab(
      '# c\nUUID=1 / btrfs subvol=@,noatime 0 0\nLABEL=My\\040Boot /boot ext4 defaults 0 2\nUUID=2 none swap sw 0 0\ntmpfs /tmp tmpfs defaults 0 0\n/dev/sr0 /media/cdrom0 udf,iso9660 user,noauto 0 0\n',
    );
    expect(m.map((x) => [x.source, x.mountpoint, x.fsroot])).toEqual([
      ['UUID=1', '/', '/@'],
      ['LABEL=My Boot', '/boot', '/'],
      ['/dev/sr0', '/media/cdrom0', '/'],
    ]);
  });
});

describe('RootGrubFs', () => {
  it('maps a separate /boot through mountinfo and by-uuid', () => {
    const root = tree(
      { 'proc/self/mountinfo': MOUNTINFO, 'boot/grub/grub.cfg': '#cfg', 'boot/vmlinuz-6.1': 'k' },
      { 'dev/disk/by-uuid/AAAA-1111': '../../vda1', 'dev/disk/by-uuid/bbbb': '../../vda2' },
    );
    const fs = new RootGrubFs(new RootFs(root), '/boot/grub/grub.cfg');
    expect(fs.prefixDevice).toBe('dev:vda1');
    expect(fs.configPath).toBe('/grub/grub.cfg');
    expect(fs.readFile(fs.prefixDevice, '/grub/grub.cfg')).toBe('#cfg');
    expect(fs.search('fs_uuid', 'aaaa-1111')).toEqual({ device: 'dev:vda1', name: 'dev:vda1' });
    expect(fs.search('fs_uuid', 'ffff')).toBeNull();
    expect(fs.locate('dev:vda1', '/vmlinuz-6.1')).toBe('/boot/vmlinuz-6.1');
    expect(fs.locate('dev:vda2', '/vmlinuz-6.1')).toBeNull();
    expect(fs.search('file', '/vmlinuz-6.1')).toEqual({ device: 'dev:vda1', name: 'dev:vda1' });
    expect(fs.listDir('dev:vda1', '/')).toContain('vmlinuz-6.1');
  });

  it('uses fstab offline and strips a btrfs subvolume', () => {
    const root = tree({
      'etc/fstab': 'UUID=1234 / btrfs subvol=@,compress=zstd 0 0\nUUID=ESP1 /boot/efi vfat umask=0077 0 1\n',
      'boot/grub/grub.cfg': '#cfg',
      'boot/vmlinuz-6.8': 'k',
    });
    const fs = new RootGrubFs(new RootFs(root), '/boot/grub/grub.cfg');
    expect(fs.prefixDevice).toBe('uuid:1234');
    expect(fs.configPath).toBe('/@/boot/grub/grub.cfg');
    expect(fs.search('fs_uuid', '1234')?.device).toBe('uuid:1234');
    expect(fs.locate('uuid:1234', '/@/boot/vmlinuz-6.8')).toBe('/boot/vmlinuz-6.8');
    // unknown disk on an offline root: probed
    expect(fs.search('fs_uuid', '9999')?.device).toBe(PROBE_DEVICE);
  });

  it('probes / then /boot, honouring rootflags=subvol=, and resolves symlinks inside the root', () => {
    const root = tree(
      { 'proc/cmdline': 'root=/dev/sda2 rootflags=subvol=@root ro', 'boot/vmlinuz-6.1.0-18-amd64': 'k', 'boot/grub/grub.cfg': '' },
      { vmlinuz: 'boot/vmlinuz-6.1.0-18-amd64' },
    );
    const fs = new RootGrubFs(new RootFs(root), '/boot/grub/grub.cfg');
    expect(fs.prefixDevice).toBe(PROBE_DEVICE);
    expect(fs.locate('hd0,msdos1', '/vmlinuz-6.1.0-18-amd64')).toBe('/boot/vmlinuz-6.1.0-18-amd64');
    expect(fs.locate('hd0,msdos1', '/@root/boot/vmlinuz-6.1.0-18-amd64')).toBe('/boot/vmlinuz-6.1.0-18-amd64');
    expect(fs.locate(PROBE_DEVICE, '/vmlinuz')).toBe('/boot/vmlinuz-6.1.0-18-amd64');
    expect(fs.locate(PROBE_DEVICE, '/missing')).toBeNull();
  });
});

describe('RootGrubFs probe --part-uuid', () => {
  it('answers from /dev/disk/by-partuuid: the script builds root=PARTUUID= from it', () => {
    const cfg = 'probe --set=pu --part-uuid ($root)\nmenuentry x { linux /vmlinuz-6.1 root=PARTUUID=$pu }\n';
    const root = tree(
      { 'proc/self/mountinfo': MOUNTINFO, 'boot/grub/grub.cfg': cfg, 'boot/vmlinuz-6.1': 'k' },
      { 'dev/disk/by-partuuid/3B5F6D1E-8A2C-4F4E-9B7D-1C2E3F4A5B6C': '../../vda1', 'dev/disk/by-partuuid/1234abcd-02': '../../vda2' },
    );
    const menu = evaluateSystemGrub(new RootFs(root));
    expect(menu?.result.uncertain).toEqual([]);
    expect(menu?.result.selection?.entry.boot?.args).toEqual(['root=PARTUUID=3b5f6d1e-8a2c-4f4e-9b7d-1c2e3f4a5b6c']);
    expect(menu?.fs.probe('dev:vda2', 'part_uuid', 'pc')).toEqual({ known: true, value: '1234abcd-02' });
    expect(menu?.fs.probe('dev:vda2', 'partmap', 'pc')).toEqual({ known: true, value: 'msdos' });
    expect(menu?.fs.probe('dev:vda1', 'partmap', 'pc')).toEqual({ known: true, value: 'gpt' });
  });
});

describe('gatherDeviceFacts', () => {
  it('reads the mount tables, /proc/cmdline, the by-* links and the kernel names of path sources', () => {
    const info = '22 1 254:0 / / rw - ext4 /dev/mapper/vg-root rw\n23 22 254:1 / /boot rw - ext4 /dev/vda1 rw\n';
    const root = tree(
      { 'proc/self/mountinfo': info, 'etc/fstab': 'UUID=x / ext4 defaults 0 1\n', 'proc/cmdline': 'ro quiet', 'dev/dm-0': '', 'dev/vda1': '' },
      {
        'dev/disk/by-uuid/AAAA-1111': '../../vda1',
        'dev/disk/by-label/My\\x20Boot': '../../vda1',
        'dev/disk/by-partuuid/p-1': '../../vda1',
        'dev/mapper/vg-root': '../dm-0',
      },
    );
    const rootfs = new RootFs(root);
    expect(gatherDeviceFacts(rootfs)).toEqual({
      mountinfo: info,
      fstab: 'UUID=x / ext4 defaults 0 1\n',
      cmdline: 'ro quiet',
      hostRoot: rootfs.root,
      byUuid: { 'AAAA-1111': 'vda1' },
      byLabel: { 'My\\x20Boot': 'vda1' },
      byPartuuid: { 'p-1': 'vda1' },
      nodes: { '/dev/mapper/vg-root': 'dm-0', '/dev/vda1': 'vda1' },
      abstract: { dm: {}, md: {}, mapper: { 'vg-root': 'dm-0' }, mdLinks: {}, byId: {} },
    });
    expect(gatherDeviceFacts(new RootFs(tree({})))).toEqual({
      mountinfo: null,
      fstab: null,
      cmdline: null,
      hostRoot: expect.any(String),
      byUuid: {},
      byLabel: {},
      byPartuuid: {},
      nodes: {},
      abstract: { dm: {}, md: {}, mapper: {}, mdLinks: {}, byId: {} },
    });
  });
});

describe('findGrubConfig', () => {
  it('prefers /boot/grub, then /boot/grub2, then an ESP stub; flavour from os-release', () => {
    const esp = tree({ 'boot/efi/EFI/ubuntu/grub.cfg': 'configfile x', 'etc/os-release': 'ID=ubuntu\nID_LIKE=debian\n' });
    expect(findGrubConfig(new RootFs(esp))).toEqual({ path: '/boot/efi/EFI/ubuntu/grub.cfg', where: 'esp', flavor: 'upstream' });
    const rh = tree({ 'boot/grub2/grub.cfg': '', 'boot/efi/EFI/fedora/grub.cfg': '', 'etc/os-release': 'ID=fedora\n' });
    expect(findGrubConfig(new RootFs(rh))).toEqual({ path: '/boot/grub2/grub.cfg', where: 'boot', flavor: 'redhat' });
    expect(findGrubConfig(new RootFs(tree({})))).toBeNull();
    // No os-release: a /boot/grub2 config that runs blscfg is Fedora-family GRUB.
    const bare = tree({ 'boot/grub2/grub.cfg': 'insmod blscfg\nblscfg\n' });
    expect(findGrubConfig(new RootFs(bare))?.flavor).toBe('redhat');
    const suse = tree({ 'boot/grub2/grub.cfg': 'blscfg\n', 'etc/os-release': 'ID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"\n' });
    expect(findGrubConfig(new RootFs(suse))?.flavor).toBe('upstream');
  });
});

describe('RootGrubFs search hints', () => {
  const MOUNTS = `${MOUNTINFO}\n25 22 254:3 / /srv/bootpart rw,relatime shared:3 - ext4 /dev/vda3 rw`;
  const CFG = 'search --no-floppy --fs-uuid --set=root --hint-bios=hd0,gpt3 CCCC-3333\nmenuentry x { linux /vmlinuz-7 quiet }\n';

  it('names the found device after the first hint; it binds nothing itself', () => {
    const root = tree({ 'proc/self/mountinfo': MOUNTINFO, 'boot/grub/grub.cfg': '', 'boot/vmlinuz-6.1': 'k' }, { 'dev/disk/by-uuid/AAAA-1111': '../../vda1' });
    const fs = new RootGrubFs(new RootFs(root), '/boot/grub/grub.cfg');
    expect(fs.search('fs_uuid', 'AAAA-1111', ['hd0,gpt1'])).toEqual({ device: 'dev:vda1', name: 'hd0,gpt1' });
    expect(fs.search('fs_uuid', 'AAAA-1111')).toEqual({ device: 'dev:vda1', name: 'dev:vda1' });
    expect(fs.search('fs_uuid', 'nope', ['hd0,gpt9'])).toBeNull();
  });

  it('the evaluator binds the hint name: the kernel keeps (hd0,gpt3) and is found on the device', () => {
    const root = tree(
      { 'proc/self/mountinfo': MOUNTS, 'boot/grub/grub.cfg': CFG, 'srv/bootpart/vmlinuz-7': 'k' },
      { 'dev/disk/by-uuid/CCCC-3333': '../../vda3', 'dev/disk/by-uuid/AAAA-1111': '../../vda1' },
    );
    const menu = evaluateSystemGrub(new RootFs(root));
    expect(menu?.result.deviceNames).toEqual({ 'hd0,gpt3': 'dev:vda3' });
    const boot = menu?.result.selection?.entry.boot;
    // `at`: the line of grub.cfg that loads it, named by its running-system path (GRUB's own path on the separate /boot is /grub/grub.cfg).
    expect(boot?.kernel).toEqual({ device: 'hd0,gpt3', path: '/vmlinuz-7', written: '/vmlinuz-7', at: '/boot/grub/grub.cfg:2' });
    expect(menu === null || boot == null ? null : grubFilePath(menu, boot.kernel)).toBe('/srv/bootpart/vmlinuz-7');
    // Without the binding the name is an unknown device, probed under / and /boot: not found.
    expect(menu?.fs.locate('hd0,gpt3', '/vmlinuz-7')).toBeNull();
  });
});
