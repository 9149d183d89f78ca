/** Linux UAPI constants used by the kexec port (include/uapi/linux/kexec.h, reboot.h, memfd.h). */
export const KEXEC_FILE_UNLOAD = 0x1;
export const KEXEC_FILE_ON_CRASH = 0x2;
export const KEXEC_FILE_NO_INITRAMFS = 0x4;

export const KEXEC_ON_CRASH = 0x1;
export const KEXEC_PRESERVE_CONTEXT = 0x2;
export const KEXEC_ARCH_DEFAULT = 0;
export const KEXEC_ARCH_X86_64 = 62 << 16;
export const KEXEC_ARCH_AARCH64 = 183 << 16;

export const LINUX_REBOOT_MAGIC1 = 0xfee1dead;
export const LINUX_REBOOT_MAGIC2 = 672274793;
export const LINUX_REBOOT_CMD_KEXEC = 0x45584543;
export const LINUX_REBOOT_CMD_RESTART = 0x01234567;
export const LINUX_REBOOT_CMD_POWER_OFF = 0x4321fedc;
export const LINUX_REBOOT_CMD_HALT = 0xcdef0123;

export const MFD_CLOEXEC = 0x1;
export const MFD_ALLOW_SEALING = 0x2;

export type Arch = 'x86_64' | 'aarch64';

/** Syscall numbers per architecture (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/unistd.h). */
export const SYSCALL_NUMBERS: Record<Arch, Record<'kexec_file_load' | 'kexec_load' | 'reboot' | 'memfd_create' | 'sync', number>> = {
  x86_64: { kexec_file_load: 320, kexec_load: 246, reboot: 169, memfd_create: 319, sync: 162 },
  aarch64: { kexec_file_load: 294, kexec_load: 104, reboot: 142, memfd_create: 279, sync: 81 },
};

/** Maps Node's process.arch to our Arch, or null where we have no syscall table (ENOSYS there). */
export function archFromNode(nodeArch: string): Arch | null {
  if (nodeArch === 'x64') return 'x86_64';
  if (nodeArch === 'arm64') return 'aarch64';
  return null;
}
