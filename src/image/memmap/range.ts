/**
 * Physical address ranges as half-open intervals [start, end) of bigint, and the set operations
 * the segment planners need (sort/merge, subtract, intersect, clamp). Pure.
 *
 * The kernel and kexec-tools print inclusive ends ("0x100000-0x7fffffff"); every parser in
 * src/image/memmap converts to exclusive ends once, at the edge, so no code here adds or subtracts 1.
 */
export type AddrRange = { start: bigint; end: bigint };

export const PAGE_SIZE = 0x1000n;
export const MIB = 0x100000n;
export const GIB4 = 0x1_0000_0000n;
/** Largest physical address + 1 we ever consider (2^64). */
export const ADDR_LIMIT = 1n << 64n;

export function alignUp(v: bigint, align: bigint): bigint {
  return align <= 1n ? v : ((v + align - 1n) / align) * align;
}

export function alignDown(v: bigint, align: bigint): bigint {
  return align <= 1n ? v : (v / align) * align;
}

export function rangeSize(r: AddrRange): bigint {
  return r.end > r.start ? r.end - r.start : 0n;
}

export function totalSize(ranges: readonly AddrRange[]): bigint {
  return ranges.reduce((sum, r) => sum + rangeSize(r), 0n);
}

/** Sorted, non-empty, with overlapping or touching ranges joined. */
export function mergeRanges(ranges: readonly AddrRange[]): AddrRange[] {
  const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: AddrRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r.start <= last.end) {
      if (r.end > last.end) last.end = r.end;
    } else {
      out.push({ start: r.start, end: r.end });
    }
  }
  return out;
}

/** The parts of `from` not covered by any range of `minus` (result merged and sorted). */
export function subtractRanges(from: readonly AddrRange[], minus: readonly AddrRange[]): AddrRange[] {
  const holes = mergeRanges(minus);
  const out: AddrRange[] = [];
  for (const r of mergeRanges(from)) {
    let cur = r.start;
    for (const h of holes) {
      if (h.end <= cur || h.start >= r.end) continue;
      if (h.start > cur) out.push({ start: cur, end: h.start });
      if (h.end > cur) cur = h.end;
      if (cur >= r.end) break;
    }
    if (cur < r.end) out.push({ start: cur, end: r.end });
  }
  return out;
}

/** The parts of `a` also inside `b`. */
export function intersectRanges(a: readonly AddrRange[], b: readonly AddrRange[]): AddrRange[] {
  const out: AddrRange[] = [];
  for (const x of mergeRanges(a)) {
    for (const y of mergeRanges(b)) {
      const start = x.start > y.start ? x.start : y.start;
      const end = x.end < y.end ? x.end : y.end;
      if (end > start) out.push({ start, end });
    }
  }
  return mergeRanges(out);
}

/** Keeps only [min, max) of each range. */
export function clampRanges(ranges: readonly AddrRange[], min: bigint, max: bigint): AddrRange[] {
  return intersectRanges(ranges, [{ start: min, end: max }]);
}

/** Whether [start, end) lies entirely inside one of the (merged) ranges. */
export function rangeInside(r: AddrRange, ranges: readonly AddrRange[]): boolean {
  return mergeRanges(ranges).some((x) => x.start <= r.start && r.end <= x.end);
}

export function rangesOverlap(a: AddrRange, b: AddrRange): boolean {
  return a.start < b.end && b.start < a.end;
}

export function hex(v: bigint | number): string {
  return `0x${v.toString(16)}`;
}
