/**
 * The boot targets that need no boot loader: Debian's KERNEL_IMAGE/INITRD, and the
 * kexec-load@<name> template (Arch: /boot/vmlinuz-<name>, /boot/initramfs-<name>.img).
 * Both reuse the running command line unless APPEND says otherwise.
 */
import { KexecError } from '../errors.js';
import type { KexecDefaults } from '../config/kexec-defaults.js';
import type { RootFs } from '../host/rootfs.js';
import type { BootChoice } from './types.js';

function absolute(p: string): string {
  return p.startsWith('/') ? p : `/${p}`;
}

export function debianChoice(rootfs: RootFs, d: KexecDefaults): BootChoice {
  const kernelAsSet = absolute(d.kernelImage);
  const kernel = rootfs.realpath(kernelAsSet);
  const initrd = d.initrd.map((p) => rootfs.realpath(absolute(p)));
  const from = d.origins.KERNEL_IMAGE ?? 'the Debian default';
  const reason = `KERNEL_IMAGE=${d.kernelImage} (${from})${kernel !== kernelAsSet ? ` → ${kernel}` : ''}, USE_GRUB_CONFIG is not true`;
  return {
    source: 'debian-default',
    reason,
    kernel,
    initrd,
    ...(d.initrdDefaulted ? { optionalInitrd: initrd } : {}),
    cmdline: null,
    entry: null,
    usedNextEntry: false,
    grubenv: null,
    warnings: [],
  };
}

/** Instance names are file-name parts: no slashes, no dot-dot. */
export function templateChoice(rootfs: RootFs, name: string): BootChoice {
  if (name === '' || name.includes('/') || name === '.' || name === '..') {
    throw new KexecError({ code: 'EPLANTEMPLATE', message: `invalid kexec-load@ instance name "${name}"`, exitCode: 2 });
  }
  return {
    source: 'template',
    reason: `kexec-load@${name}: /boot/vmlinuz-${name} with /boot/initramfs-${name}.img and the running command line`,
    kernel: rootfs.realpath(`/boot/vmlinuz-${name}`),
    initrd: [rootfs.realpath(`/boot/initramfs-${name}.img`)],
    cmdline: null,
    entry: null,
    usedNextEntry: false,
    grubenv: null,
    warnings: [],
  };
}
