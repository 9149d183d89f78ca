/**
 * Why the kernel refused a kexec load, from what it shows under the root; the plain strerror
 * ("Operation not permitted", "Key was rejected by service") says neither, and the reboot path
 * logs this line. The kernel code this follows (Linux 6.1):
 *  - kernel/kexec_core.c kexec_load_permitted(): kexec_load_disabled (a one-way sysctl) → EPERM
 *    from both syscalls, loads and unloads, until the next boot;
 *  - kernel/kexec.c kexec_load_check(): security_locked_down(LOCKDOWN_KEXEC) → EPERM from every
 *    kexec_load under lockdown=integrity or confidentiality (security/lockdown/lockdown.c logs
 *    "Lockdown: <comm>: kexec of unsigned images is restricted");
 *  - kernel/kexec_file.c kimage_validate_signature(): the image's PE signature is checked against
 *    the secondary (built-in + secondary) keyring, then the platform keyring (UEFI db, MokListRT);
 *    on failure, CONFIG_KEXEC_SIG_FORCE returns the verifier's errno (ENODATA unsigned, ENOKEY no
 *    trusted key, EKEYREJECTED bad signature, ...), else lockdown returns EPERM.
 */
import { readKexecLoadDisabled, readLockdown } from '../host/kexec-sysfs.js';
import { RootFs } from '../host/rootfs.js';

const EPERM = 1;
const SECURITYFS = '/sys/kernel/security';

/** The mount point is there (sysfs makes it) but empty: nothing mounted securityfs (systemd does, a busybox init does not). */
export function securityfsUnmounted(fs: RootFs): boolean {
  return fs.isDir(SECURITYFS) && fs.list(SECURITYFS).length === 0;
}

export type DeniedSyscall = 'kexec_load' | 'kexec_file_load';

/** kexec_file_load errnos from the signature verifier when signatures are enforced (KEXEC_SIG_FORCE). */
const SIG_FORCE: ReadonlyMap<number, string> = new Map([
  [61, 'the image carries no signature'], // ENODATA: pefile "Unsigned PE binary"
  [74, 'its signature could not be parsed'], // EBADMSG
  [126, 'no key this kernel trusts signed it'], // ENOKEY
  [127, 'the key that signed it has expired'], // EKEYEXPIRED
  [128, 'the key that signed it is revoked'], // EKEYREVOKED
  [129, 'its signature was rejected'], // EKEYREJECTED
]);

/** Whether deniedWhy already explains this failure as a signature refusal (so callers need not say it again). */
export function explainsSignature(syscall: string | undefined, errno: number | undefined): boolean {
  return syscall === 'kexec_file_load' && errno !== undefined && SIG_FORCE.has(errno);
}

/**
 * A clause to append to the failure message of SYSCALL ("" when the cause is not one of these or
 * is unknown). One line: the callers print it as the whole reason.
 */
export function deniedWhy(root: string, errno: number | undefined, syscall: DeniedSyscall): string {
  if (errno === undefined) return '';
  if (explainsSignature(syscall, errno)) {
    const why = SIG_FORCE.get(errno);
    if (why !== undefined) return ` (this kernel enforces kexec signatures (CONFIG_KEXEC_SIG_FORCE) and ${why}; load a kernel signed by a key it trusts)`;
  }
  if (errno !== EPERM) return '';
  const fs = new RootFs(root);
  if (readKexecLoadDisabled(fs) === true) {
    return ' (kernel.kexec_load_disabled is 1: this kernel refuses every kexec load and unload until the next boot)';
  }
  const lockdown = readLockdown(fs);
  if (lockdown === null && securityfsUnmounted(fs)) {
    // Seen in the kexec-load tier: a busybox init mounts no securityfs, the kernel is locked down all the same.
    return ` (lockdown cannot be read: securityfs is not mounted on ${SECURITYFS}; a locked-down kernel refuses this, see dmesg for "Lockdown:")`;
  }
  if (lockdown === null || lockdown === 'none') return '';
  if (syscall === 'kexec_load') {
    return ` (lockdown=${lockdown}: the kernel refuses kexec_load; only kexec_file_load (kexec -s, kexecctl load --mode file) of a kernel signed by a key it trusts is allowed)`;
  }
  return ` (lockdown=${lockdown}: the kernel could not verify the image's signature with its built-in, secondary or platform keys (UEFI db, MOK); load a kernel signed by a key it trusts)`;
}
