/**
 * Finding room for a segment: the smallest job of kexec-tools' `locate_hole` (kexec/kexec.c) and
 * of the kernel's `locate_mem_hole_top_down` (kernel/kexec_file.c), both of which place buffers
 * top-down by default. Pure: the free list is data, and taking a hole returns a new list.
 */
import { alignDown, alignUp, subtractRanges, type AddrRange } from './range.js';

export type HoleRequest = {
  size: bigint;
  /** Power of two; the start address is a multiple of it. */
  align: bigint;
  /** Lowest allowed start. */
  min: bigint;
  /** Highest allowed end (exclusive). */
  max: bigint;
  /** Highest suitable address first (the default), or lowest first. */
  topDown?: boolean;
};

/** The start of a hole for `req` inside one of the `free` ranges, or null when none fits. */
export function findHole(free: readonly AddrRange[], req: HoleRequest): bigint | null {
  if (req.size <= 0n) return null;
  const align = req.align > 0n ? req.align : 1n;
  const ranges = [...free].sort((a, b) => (a.start < b.start ? -1 : 1));
  if (req.topDown !== false) ranges.reverse();
  for (const r of ranges) {
    const lo = r.start > req.min ? r.start : req.min;
    const hi = r.end < req.max ? r.end : req.max;
    if (hi - lo < req.size) continue;
    const start = req.topDown === false ? alignUp(lo, align) : alignDown(hi - req.size, align);
    if (start >= lo && start + req.size <= hi) return start;
  }
  return null;
}

/** The free list without [start, start+size). */
export function takeRange(free: readonly AddrRange[], start: bigint, size: bigint): AddrRange[] {
  return subtractRanges(free, [{ start, end: start + size }]);
}
