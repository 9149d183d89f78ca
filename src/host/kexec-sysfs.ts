/**
 * What the running kernel says about kexec, read under a root (so tests use fixture trees):
 * /sys/kernel/kexec_loaded, kexec_crash_loaded, kexec_crash_size,
 * /proc/sys/kernel/kexec_load_disabled, /sys/kernel/security/lockdown and the SecureBoot
 * EFI variable.
 */
import type { KexecState } from '../sys/kernel.js';
import type { RootFs } from './rootfs.js';

export const KEXEC_LOADED = '/sys/kernel/kexec_loaded';
export const KEXEC_CRASH_LOADED = '/sys/kernel/kexec_crash_loaded';
export const KEXEC_CRASH_SIZE = '/sys/kernel/kexec_crash_size';
export const KEXEC_LOAD_DISABLED = '/proc/sys/kernel/kexec_load_disabled';
export const LOCKDOWN = '/sys/kernel/security/lockdown';
export const SECURE_BOOT_VAR = '/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c';

/** Integer value of a sysfs file, or null when absent or not a number. */
export function readSysInt(fs: RootFs, path: string): number | null {
  const t = fs.readText(path);
  if (t === null) return null;
  const m = /^\s*(-?\d+)/.exec(t);
  return m?.[1] === undefined ? null : Number(m[1]);
}

export function readKexecSysfs(fs: RootFs): KexecState {
  const loaded = readSysInt(fs, KEXEC_LOADED);
  return {
    supported: loaded !== null,
    loaded: loaded === 1,
    crashLoaded: readSysInt(fs, KEXEC_CRASH_LOADED) === 1,
    crashSize: readSysInt(fs, KEXEC_CRASH_SIZE) ?? 0,
  };
}

/** "none" | "integrity" | "confidentiality", the bracketed one in the lockdown file; null if absent. */
export function readLockdown(fs: RootFs): string | null {
  const t = fs.readText(LOCKDOWN);
  if (t === null) return null;
  return /\[([a-z]+)\]/.exec(t)?.[1] ?? t.trim();
}

export type SecureBootState = 'enabled' | 'disabled' | 'not-efi' | 'unknown';

/** The SecureBoot efivar is 4 attribute bytes then one data byte (1 = enabled). */
export function readSecureBoot(fs: RootFs): SecureBootState {
  const b = fs.readBytes(SECURE_BOOT_VAR);
  if (b === null) return fs.isDir('/sys/firmware/efi') ? 'unknown' : 'not-efi';
  if (b.length < 5) return 'unknown';
  return b[4] === 1 ? 'enabled' : 'disabled';
}

/** kernel.kexec_load_disabled: true, false, or null when the sysctl is absent. */
export function readKexecLoadDisabled(fs: RootFs): boolean | null {
  const v = readSysInt(fs, KEXEC_LOAD_DISABLED);
  return v === null ? null : v !== 0;
}
