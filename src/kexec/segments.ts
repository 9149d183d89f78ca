/**
 * The kexec_load (legacy syscall) path needs user space to lay out the kernel, setup data,
 * initrd and purgatory as segments. That builder does not exist yet (the kexec_load issue);
 * until then it reports exactly that, and the fallback attempt fails with this error instead
 * of calling kexec_load with no segments (which would *unload* the current kernel).
 */
import { KexecError } from '../errors.js';
import type { KexecSegment } from '../sys/kernel.js';
import type { KernelImageInfo } from '../image/kernel-image.js';

export type SegmentPlan = { entry: bigint; segments: KexecSegment[] };

export function buildKexecSegments(info: KernelImageInfo): SegmentPlan {
  throw new KexecError({
    code: 'ENOLEGACY',
    errno: 38,
    syscall: 'kexec_load',
    message: `kexec_load fallback: segment builder not implemented for ${info.format}`,
  });
}
