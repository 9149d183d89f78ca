/**
 * The arm64-specific invariants of an Image plan on top of checkSegments (kernel/kexec_core.c
 * `sanity_check_segment_list` rules plus "inside usable RAM"): the kernel at a 2 MiB-aligned base +
 * text_offset with memsz >= image_size (booting.rst), kernel and initrd in one 1 GiB-aligned 32 GiB
 * window (kexec-tools' arm64_load_other_segments), a dtb of at most 2 MiB, and the entry on the
 * trampoline.
 */
import { checkSegments } from '../segment-check.js';
import { alignDown, hex, type AddrRange } from '../memmap/range.js';
import { ARM64_DTB_MAX, ARM64_KERNEL_ALIGN, ARM64_KERNEL_INITRD_WINDOW, type Arm64LoadPlan } from './image-plan.js';

export function checkArm64Plan(plan: Arm64LoadPlan, usable: readonly AddrRange[]): string[] {
  const errors = checkSegments(plan.segments, usable);
  const one = (what: string) => plan.segments.filter((s) => s.what === what);
  for (const what of ['kernel', 'dtb', 'trampoline']) {
    if (one(what).length !== 1) errors.push(`expected one ${what} segment, found ${one(what).length}`);
  }
  const k = one('kernel')[0];
  if (k !== undefined) {
    if ((k.mem - plan.header.textOffset) % ARM64_KERNEL_ALIGN !== 0n)
      errors.push(`kernel at ${hex(k.mem)} is not a 2 MiB-aligned base + text_offset ${hex(plan.header.textOffset)}`);
    if (k.memsz < plan.header.imageSize) errors.push(`kernel memsz ${hex(k.memsz)} is below image_size ${hex(plan.header.imageSize)}`);
    if (plan.kernelEntry !== k.mem) errors.push('kernel entry is not the Image load address');
    const i = one('initrd')[0];
    if (i !== undefined && i.mem + i.memsz > alignDown(k.mem - plan.header.textOffset, 1n << 30n) + ARM64_KERNEL_INITRD_WINDOW) {
      errors.push('kernel and initrd are not within one 32 GiB window');
    }
  }
  const d = one('dtb')[0];
  if (d !== undefined) {
    if (BigInt(d.buf?.length ?? 0) > ARM64_DTB_MAX) errors.push('dtb is larger than 2 MiB');
    if (d.mem !== plan.dtbAddr) errors.push('dtb segment and dtbAddr differ');
  }
  const t = one('trampoline')[0];
  if (t !== undefined && plan.entry !== t.mem) errors.push(`entry ${hex(plan.entry)} is not the trampoline (${hex(t.mem)})`);
  return errors;
}
