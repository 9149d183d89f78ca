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

function redhatLike(rootfs: RootFs): boolean {
  const os = rootfs.readText('/etc/os-release') ?? rootfs.readText('/usr/lib/os-release') ?? '';
  const ids = [...os.matchAll(/^(?:ID|ID_LIKE)=["']?([^"'\n]*)/gm)].flatMap((m) => (m[1] ?? '').split(/\s+/));
  return ids.some((id) => ['fedora', 'rhel', 'centos', 'rocky', 'almalinux', 'ol'].includes(id));
}

export function findGrubConfig(rootfs: RootFs): GrubConfigLocation | null {
  const flavor = redhatLike(rootfs) ? 'redhat' : 'upstream';
  for (const path of ['/boot/grub/grub.cfg', '/boot/grub2/grub.cfg']) {
    if (rootfs.isFile(path)) return { path, where: 'boot', flavor };
  }
  for (const esp of ESP_MOUNTS) {
    const dirs = rootfs.list(`${esp}/EFI`).filter((d) => d.toUpperCase() !== 'BOOT');
    for (const d of [...dirs, 'BOOT']) {
      const path = `${esp}/EFI/${d}/grub.cfg`;
      if (rootfs.isFile(path)) return { path, where: 'esp', flavor };
    }
  }
  return null;
}

/** GRUB's $grub_platform for this root: 'efi' when it booted through UEFI. */
export function grubPlatform(rootfs: RootFs): 'efi' | 'pc' {
  return rootfs.isDir('/sys/firmware/efi') ? 'efi' : 'pc';
}
