/**
 * What the evaluator does with each GRUB command that is not evaluated (docs/grub-commands.md is
 * the full table, and test/unit/boot/grub/command-table.test.ts keeps the two in step).
 * No-op by design: GRUB does something that cannot change which kernel, initrd or command line
 * is booted (modules, terminals, graphics, sound, hardware, passwords, firmware-only loaders);
 * status 0, silently. Unsupported: it can change the result and we do not model it; a warning
 * at file:line and status 1, so a plan built on it fails visibly rather than guessing.
 */
import type { Command } from './context.js';

export const NO_OP = [
  // modules, terminals, fonts, graphics, sound
  'insmod',
  'rmmod',
  'lsmod',
  'terminfo',
  'terminal_output',
  'terminal_input',
  'terminal',
  'serial',
  'loadfont',
  'font',
  'background_image',
  'background_color',
  'set_background_image',
  'gfxterm',
  'efi_gop',
  'efi_uga',
  'vbe',
  'vga',
  'videoinfo',
  'load_video',
  'play',
  'sleep',
  'echo',
  'clear',
  'pager',
  'help',
  'ls',
  'cat',
  'sendkey',
  'keystatus',
  'hwmatch',
  // hardware, firmware tables, memory maps: nothing the kexec'd kernel gets from GRUB
  'cmostest',
  'cmosclean',
  'acpi',
  'badram',
  'cutmem',
  'smbios',
  'devicetree',
  'drivemap',
  'parttool',
  'usb',
  'nativedisk',
  'connectefi',
  'outb',
  'inb',
  'write_byte',
  'read_byte',
  'fakebios',
  'gptsync',
  // devices the running Linux already sees (unlocked, assembled): the device table names them
  'cryptomount',
  'lvm',
  'mdraid',
  'zfskey',
  'tpm2_key_protector_init',
  'tpm2_key_protector_clear',
  // passwords, menu-level actions, firmware-only or non-Linux loaders (the entry loads no kernel)
  'password',
  'password_pbkdf2',
  'fwsetup',
  'chainloader',
  'boot',
  'reboot',
  'halt',
  'exit',
  'appleloader',
  'kfreebsd',
  'knetbsd',
  'kopenbsd',
  'xnu_kernel',
  'xnu_kernel64',
  'ntldr',
  'freedos',
  'plan9',
  'truecrypt',
  'functional_test',
  'configfile_reset',
  'savedefault_internal',
  'hashsum',
  'sha256sum',
  'sha512sum',
  'md5sum',
  'verify_detached',
];

/** Unsupported commands and why they matter. */
export const UNSUPPORTED: Record<string, string> = {
  loopback: 'files inside a loop-mounted image (ISO boot) are not read',
  read: 'it waits for keyboard input',
  legacy_configfile: 'GRUB Legacy menus are not read',
  legacy_source: 'GRUB Legacy menus are not read',
  syslinux_configfile: 'syslinux menus are not read from GRUB',
  syslinux_source: 'syslinux menus are not read from GRUB',
  extract_entries_source: 'entries extracted from another config are not read',
  extract_entries_configfile: 'entries extracted from another config are not read',
  bls_import: 'BLS entries imported this way are not read',
  uki: 'unified kernel images listed by GRUB are not read',
  tr: 'its --set result is not computed',
  file: 'file type tests are not evaluated',
  cpuid: 'CPU feature tests are not evaluated',
  'efi-load-env': 'variables from EFI NVRAM are not read',
  'efi-export-env': 'variables from EFI NVRAM are not read',
  'zfs-bootfs': 'the ZFS boot file system variable is not computed',
  net_bootp: 'network boot is not followed',
  net_dhcp: 'network boot is not followed',
  net_add_addr: 'network boot is not followed',
  xen_hypervisor: 'Xen on arm64 is not planned',
  xen_module: 'Xen on arm64 is not planned',
};

/** Handlers for both lists, added to the command table by commands.ts. */
export function statusCommands(): Record<string, Command> {
  const out: Record<string, Command> = {};
  for (const n of NO_OP) out[n] = () => 0;
  for (const [n, why] of Object.entries(UNSUPPORTED)) {
    out[n] = (sh) => {
      sh.unsure(`${n} is not evaluated: ${why} (treated as failing)`);
      return 1;
    };
  }
  return out;
}
