/**
 * The x86_64-specific invariants of a bzImage plan on top of checkSegments: the kernel where
 * startup_64 will not move it (arch/x86/boot/compressed/head_64.S aligns its own address up to
 * kernel_alignment and decompresses within [load, load + init_size)), boot_params and the trampoline
 * reachable with 32-bit pointers, and the entry on the trampoline.
 */
import { checkSegments } from '../segment-check.js';
import { GIB4, hex, type AddrRange } from '../memmap/range.js';
import { MIN_BOOTPARAM_ADDR, MIN_KERNEL_LOAD_ADDR, STARTUP_64_OFFSET, type X86LoadPlan } from './bzimage-plan.js';

export function checkBzImagePlan(plan: X86LoadPlan, usable: readonly AddrRange[]): string[] {
  const errors = checkSegments(plan.segments, usable);
  const one = (what: string) => plan.segments.filter((s) => s.what === what);
  for (const what of ['kernel', 'boot_params', 'trampoline']) {
    if (one(what).length !== 1) errors.push(`expected one ${what} segment, found ${one(what).length}`);
  }
  const k = one('kernel')[0];
  const h = plan.header;
  if (k !== undefined) {
    const min = h.prefAddress > MIN_KERNEL_LOAD_ADDR ? h.prefAddress : MIN_KERNEL_LOAD_ADDR;
    if (k.mem % h.kernelAlignment !== 0n) errors.push(`kernel at ${hex(k.mem)} is not aligned to kernel_alignment ${hex(h.kernelAlignment)}`);
    if (k.mem < min) errors.push(`kernel at ${hex(k.mem)} is below ${hex(min)}`);
    if (k.memsz < h.initSize) errors.push(`kernel memsz ${hex(k.memsz)} is below init_size ${hex(h.initSize)}`);
    if (plan.kernelEntry !== k.mem + STARTUP_64_OFFSET) errors.push('kernel entry is not load address + 0x200');
  }
  const bp = one('boot_params')[0];
  if (bp !== undefined) {
    if (bp.mem < MIN_BOOTPARAM_ADDR || bp.mem + bp.memsz > GIB4) errors.push(`boot_params at ${hex(bp.mem)} is not within [0x3000, 4 GiB)`);
    if (bp.mem !== plan.bootParamsAddr) errors.push('boot_params segment and bootParamsAddr differ');
    if (bp.buf !== null && bp.buf[0x1ef] !== 0) errors.push('boot_params sentinel (0x1ef) is not 0');
  }
  const t = one('trampoline')[0];
  if (t !== undefined && plan.entry !== t.mem) errors.push(`entry ${hex(plan.entry)} is not the trampoline (${hex(t.mem)})`);
  const i = one('initrd')[0];
  if (plan.initrd !== null && (i === undefined || i.mem !== plan.initrd.addr || BigInt(i.buf?.length ?? 0) !== plan.initrd.size)) {
    errors.push('initrd segment does not match the ramdisk fields');
  }
  return errors;
}
