/**
 * Why the kernel said EPERM to a kexec load, from what it shows under the root: kexec_load_disabled
 * (kernel/kexec_core.c kexec_load_permitted(): a one-way sysctl, set until the next boot) or
 * lockdown (security/lockdown: kexec_load refused, kexec_file_load only with a signed kernel).
 * The plain strerror ("Operation not permitted") says neither, and the reboot path logs this line.
 */
import { readKexecLoadDisabled, readLockdown } from '../host/kexec-sysfs.js';
import { RootFs } from '../host/rootfs.js';

const EPERM = 1;

/** A clause to append to the failure message ("" when EPERM is not the answer or the cause is unknown). */
export function deniedWhy(root: string, errno: number | undefined): string {
  if (errno !== EPERM) return '';
  const fs = new RootFs(root);
  if (readKexecLoadDisabled(fs) === true) {
    return ' (kernel.kexec_load_disabled is 1: this kernel refuses every kexec load and unload until the next boot)';
  }
  const lockdown = readLockdown(fs);
  if (lockdown !== null && lockdown !== 'none') return ` (lockdown=${lockdown}: only a signed kernel loads, through kexec_file_load)`;
  return '';
}
