/**
 * kexecctl status: what the kernel says (loaded, crash loaded, reservation, support), what may
 * stop a load (lockdown, Secure Boot, kexec_load_disabled) and what our own load recorded.
 * To add a field: extend KexecStatus, fill it here, and add a row in cli/commands/status.ts.
 */
import { readKexecLoadDisabled, readLockdown, readSecureBoot, type SecureBootState } from '../host/kexec-sysfs.js';
import type { RootFs } from '../host/rootfs.js';
import type { Kernel } from '../sys/kernel.js';
import { securityfsUnmounted } from './denied.js';
import { readLoadRecord, type LoadRecord } from './record.js';
import { memfdPolicyNotes, readSplitFacts } from './split-policy.js';
import { readKexecState } from './state.js';

export type KexecStatus = {
  kexecSupported: boolean;
  loaded: boolean;
  crashLoaded: boolean;
  /** Bytes reserved with crashkernel=, 0 if none. */
  crashSize: number;
  /** Active lockdown mode, or null when the LSM is absent or securityfs is not mounted. */
  lockdown: string | null;
  /** securityfs is not mounted on /sys/kernel/security: lockdown null means unknown, not absent. */
  lockdownUnreadable: boolean;
  secureBoot: SecureBootState;
  /** kernel.kexec_load_disabled; null when the sysctl is absent. */
  kexecLoadDisabled: boolean | null;
  /** What our last load recorded (null if none, or if the kernel says nothing is loaded). */
  record: LoadRecord | null;
  crashRecord: LoadRecord | null;
  /** What lockdown / an IMA appraisal policy do to kernels we hand over in a memfd (UKI, zboot, compressed); empty: nothing. */
  memfdPolicy: string[];
};

export function readStatus(fs: RootFs, kernel?: Kernel | null): KexecStatus {
  const st = readKexecState(fs, kernel);
  const record = readLoadRecord(fs.root, false);
  const crashRecord = readLoadRecord(fs.root, true);
  return {
    kexecSupported: st.supported,
    loaded: st.loaded,
    crashLoaded: st.crashLoaded,
    crashSize: st.crashSize,
    lockdown: readLockdown(fs),
    lockdownUnreadable: securityfsUnmounted(fs),
    secureBoot: readSecureBoot(fs),
    kexecLoadDisabled: readKexecLoadDisabled(fs),
    // A record outlives a reboot only if /run is not a tmpfs, or someone else unloaded: trust the kernel.
    record: st.loaded ? record : null,
    crashRecord: st.crashLoaded ? crashRecord : null,
    memfdPolicy: memfdPolicyNotes(readSplitFacts(fs)),
  };
}
