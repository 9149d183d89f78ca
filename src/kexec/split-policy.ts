/**
 * Secure Boot truth for kernels we take apart (issue 11). Under lockdown (integrity or
 * confidentiality) kexec_file_load accepts only a kernel whose own signature verifies
 * (kernel/kexec_file.c kimage_validate_signature(), arch_kexec_kernel_verify_sig: the bzImage's or
 * arm64 Image's PE signature). A UKI is signed as a whole; the .linux taken out of it carries no
 * signature of the UKI's, and its initrd and command line are signed by nothing, so a split UKI
 * is refused here with that reason instead of the kernel's bare EPERM / EKEYREJECTED.
 * IMA: a policy rule "appraise func=KEXEC_KERNEL_CHECK" (or KEXEC_INITRAMFS_CHECK) wants a
 * security.ima signature on the file, which a memfd cannot carry (security/integrity/ima/
 * ima_appraise.c): such loads fail with EACCES. A plain kernel is passed as its own fd for that reason.
 */
import { readLockdown } from '../host/kexec-sysfs.js';
import { RootFs } from '../host/rootfs.js';

export const IMA_POLICY_FILES = ['/sys/kernel/security/ima/policy', '/sys/kernel/security/integrity/ima/policy'];

export type SplitFacts = { lockdown: string | null; imaPolicy: string | null };

/** Which kexec hooks an IMA policy appraises: the rules' func= of every "appraise" line. */
export function imaAppraisedHooks(policy: string | null): { kernel: boolean; initramfs: boolean } {
  const lines = (policy ?? '').split('\n').filter((l) => /^\s*appraise\b/.test(l));
  return {
    kernel: lines.some((l) => /\bfunc=KEXEC_KERNEL_CHECK\b/.test(l)),
    initramfs: lines.some((l) => /\bfunc=KEXEC_INITRAMFS_CHECK\b/.test(l)),
  };
}

function locked(lockdown: string | null): boolean {
  return lockdown === 'integrity' || lockdown === 'confidentiality';
}

/** The reason a split UKI cannot load, or null. Pure. */
export function splitUkiReason(facts: SplitFacts, what: string): string | null {
  if (locked(facts.lockdown)) {
    return `${what} is a UKI and the kernel is locked down (${facts.lockdown}): taken apart, its .linux, initrd and command line are no longer covered by the UKI's signature, so kexec_file_load would reject them; boot it through the firmware, or load a separately signed kernel`;
  }
  const ima = imaAppraisedHooks(facts.imaPolicy);
  if (ima.kernel || ima.initramfs) {
    return `${what} is a UKI and the IMA policy appraises kexec ${ima.kernel ? 'kernels' : 'initramfs'} (func=${ima.kernel ? 'KEXEC_KERNEL_CHECK' : 'KEXEC_INITRAMFS_CHECK'}): its parts would be handed over as memfds, which carry no IMA signature; load a signed kernel file instead`;
  }
  return null;
}

/** Lines for kexecctl status: what lockdown and IMA do to kernels handed over in a memfd. Pure. */
export function memfdPolicyNotes(facts: SplitFacts): string[] {
  const notes: string[] = [];
  if (locked(facts.lockdown)) {
    notes.push(
      `lockdown (${facts.lockdown}): UKIs are not taken apart (their signature would not cover the parts); a decompressed kernel loads only if it carries its own signature`,
    );
  }
  const ima = imaAppraisedHooks(facts.imaPolicy);
  if (ima.kernel)
    notes.push('IMA appraises kexec kernels (KEXEC_KERNEL_CHECK): compressed kernels, zboot images and UKIs (loaded from a memfd) will be rejected');
  if (ima.initramfs) notes.push('IMA appraises kexec initramfs (KEXEC_INITRAMFS_CHECK): several initrds (joined in a memfd) and UKI initrds will be rejected');
  return notes;
}

export function readSplitFacts(fs: RootFs): SplitFacts {
  let imaPolicy: string | null = null;
  for (const p of IMA_POLICY_FILES) imaPolicy ??= fs.readText(p);
  return { lockdown: readLockdown(fs), imaPolicy };
}

/** The refusal for this load, or null (plain kernels, compressed kernels: the kernel checks their own signature). */
export function splitUkiRefusal(unpacked: { path: string; splitUki: boolean }, root: string): string | null {
  return unpacked.splitUki ? splitUkiReason(readSplitFacts(new RootFs(root)), unpacked.path) : null;
}
