/**
 * Where "is something loaded?" comes from: the recording fake keeps its own state (so CLI
 * tests chain processes through KEXECCTL_FAKE); otherwise /sys/kernel under the root.
 */
import { readKexecSysfs } from '../host/kexec-sysfs.js';
import type { RootFs } from '../host/rootfs.js';
import type { Kernel, KexecState } from '../sys/kernel.js';

export function readKexecState(fs: RootFs, kernel?: Kernel | null): KexecState {
  return kernel === undefined || kernel === null ? readKexecSysfs(fs) : kernel.state();
}
