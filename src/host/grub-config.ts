/**
 * Where GRUB's configuration is on a root: /boot/grub/grub.cfg (Debian, Ubuntu, Arch, SUSE),
 * /boot/grub2/grub.cfg (Fedora, RHEL, SUSE), or an ESP stub under <esp>/EFI/<distro>/grub.cfg
 * that `configfile`s one of those (it is evaluated as is, so its search/configfile decide).
 */
import type { RootFs } from './rootfs.js';

export type GrubConfigLocation = {
  /** In-root path of the first file GRUB reads. */
  path: string;
  where: 'boot' | 'esp';
  flavor: 'upstream' | 'redhat';
};

const ESP_MOUNTS = ['/boot/efi', '/efi', '/boot'];

const RH_IDS = ['fedora', 'rhel', 'centos', 'rocky', 'almalinux', 'ol'];

/**
 * Whose GRUB reads the config: Red Hat's patched menu.c (ids matched before numbers, so a BLS id
 * starting with digits is not taken as an entry number) or upstream's. os-release decides; a root
 * without one is Red Hat-like when it has /etc/redhat-release, or a /boot/grub2 config calling blscfg.
 */
export function grubFlavor(rootfs: RootFs, configPath: string): 'upstream' | 'redhat' {
  const os = rootfs.readText('/etc/os-release') ?? rootfs.readText('/usr/lib/os-release');
  if (os !== null) {
    const ids = [...os.matchAll(/^(?:ID|ID_LIKE)=["']?([^"'\n]*)/gm)].flatMap((m) => (m[1] ?? '').split(/\s+/));
    return ids.some((id) => RH_IDS.includes(id)) ? 'redhat' : 'upstream';
  }
  if (rootfs.isFile('/etc/redhat-release')) return 'redhat';
  const text = configPath.startsWith('/boot/grub2/') ? (rootfs.readText(configPath) ?? '') : '';
  return /^\s*blscfg\b/m.test(text) ? 'redhat' : 'upstream';
}

export function findGrubConfig(rootfs: RootFs): GrubConfigLocation | null {
  for (const path of ['/boot/grub/grub.cfg', '/boot/grub2/grub.cfg']) {
    if (rootfs.isFile(path)) return { path, where: 'boot', flavor: grubFlavor(rootfs, path) };
  }
  for (const esp of ESP_MOUNTS) {
    const dirs = rootfs.list(`${esp}/EFI`).filter((d) => d.toUpperCase() !== 'BOOT');
    for (const d of [...dirs, 'BOOT']) {
      const path = `${esp}/EFI/${d}/grub.cfg`;
      if (rootfs.isFile(path)) return { path, where: 'esp', flavor: grubFlavor(rootfs, path) };
    }
  }
  return null;
}

/** GRUB's $grub_platform for this root: 'efi' when it booted through UEFI. */
export function grubPlatform(rootfs: RootFs): 'efi' | 'pc' {
  return rootfs.isDir('/sys/firmware/efi') ? 'efi' : 'pc';
}
