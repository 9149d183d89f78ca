import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  alignDown,
  alignUp,
  clampRanges,
  findHole,
  intersectRanges,
  mergeRanges,
  rangeInside,
  subtractRanges,
  takeRange,
  totalSize,
  type AddrRange,
} from '../../../../src/image/memmap/index.js';

const r = (start: number, end: number): AddrRange => ({ start: BigInt(start), end: BigInt(end) });

describe('range operations', () => {
  it.each([
    ['joins overlapping and touching, drops empty, sorts', [r(20, 30), r(0, 10), r(10, 15), r(25, 40), r(50, 50)], [r(0, 15), r(20, 40)]],
    ['keeps gaps', [r(0, 1), r(2, 3)], [r(0, 1), r(2, 3)]],
  ])('mergeRanges %s', (_n, input, want) => {
    expect(mergeRanges(input)).toEqual(want);
  });

  it.each([
    ['hole in the middle', [r(0, 100)], [r(10, 20)], [r(0, 10), r(20, 100)]],
    ['hole over an edge', [r(0, 100)], [r(90, 200)], [r(0, 90)]],
    ['holes across two ranges', [r(0, 50), r(60, 100)], [r(40, 70)], [r(0, 40), r(70, 100)]],
    ['everything', [r(0, 100)], [r(0, 100)], []],
    ['nothing', [r(0, 100)], [], [r(0, 100)]],
  ])('subtractRanges: %s', (_n, from, minus, want) => {
    expect(subtractRanges(from, minus)).toEqual(want);
  });

  it('intersects and clamps', () => {
    expect(intersectRanges([r(0, 50), r(60, 100)], [r(40, 70)])).toEqual([r(40, 50), r(60, 70)]);
    expect(clampRanges([r(0, 0x200000)], 0x100000n, 1n << 64n)).toEqual([r(0x100000, 0x200000)]);
  });

  it('aligns', () => {
    expect(alignUp(0x1001n, 0x1000n)).toBe(0x2000n);
    expect(alignUp(0x1000n, 0x1000n)).toBe(0x1000n);
    expect(alignDown(0x1fffn, 0x1000n)).toBe(0x1000n);
  });

  it('subtract keeps exactly the addresses outside the holes (property)', () => {
    const arb = fc.array(
      fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 40 })).map(([s, l]) => r(s, s + l)),
      { maxLength: 6 },
    );
    fc.assert(
      fc.property(arb, arb, fc.integer({ min: 0, max: 250 }), (from, minus, x) => {
        const inFrom = from.some((a) => BigInt(x) >= a.start && BigInt(x) < a.end);
        const inMinus = minus.some((a) => BigInt(x) >= a.start && BigInt(x) < a.end);
        const res = subtractRanges(from, minus);
        const inRes = res.some((a) => BigInt(x) >= a.start && BigInt(x) < a.end);
        expect(inRes).toBe(inFrom && !inMinus);
        for (let i = 1; i < res.length; i++) expect((res[i] as AddrRange).start > (res[i - 1] as AddrRange).end).toBe(true);
      }),
    );
  });
});

describe('findHole', () => {
  const free = [r(0x100000, 0x800000), r(0x1000000, 0x2000000)];
  it('places top-down at the highest aligned address that fits', () => {
    expect(findHole(free, { size: 0x1000n, align: 0x1000n, min: 0n, max: 1n << 64n })).toBe(0x1fff000n);
    expect(findHole(free, { size: 0x300000n, align: 0x200000n, min: 0n, max: 1n << 64n })).toBe(0x1c00000n);
  });
  it('honours min and max', () => {
    expect(findHole(free, { size: 0x1000n, align: 0x1000n, min: 0n, max: 0x900000n })).toBe(0x7ff000n);
    expect(findHole(free, { size: 0x1000n, align: 0x1000n, min: 0x1800000n, max: 0x1900000n })).toBe(0x18ff000n);
    expect(findHole(free, { size: 0x2000000n, align: 0x1000n, min: 0n, max: 1n << 64n })).toBeNull();
    expect(findHole(free, { size: 0x1000n, align: 0x1000n, min: 0x2000000n, max: 1n << 64n })).toBeNull();
  });
  it('bottom-up when asked', () => {
    expect(findHole(free, { size: 0x1000n, align: 0x10000n, min: 0x100001n, max: 1n << 64n, topDown: false })).toBe(0x110000n);
  });
  it('found holes are aligned and inside free memory (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 << 20 }), fc.integer({ min: 1, max: 1 << 16 })), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 1 << 16 }),
        fc.integer({ min: 0, max: 16 }),
        fc.boolean(),
        (parts, size, alignBits, topDown) => {
          const ranges = parts.map(([s, l]) => r(s, s + l));
          const align = 1n << BigInt(alignBits);
          const at = findHole(ranges, { size: BigInt(size), align, min: 0n, max: 1n << 64n, topDown });
          if (at === null) return;
          expect(at % align).toBe(0n);
          expect(rangeInside({ start: at, end: at + BigInt(size) }, ranges)).toBe(true);
          const rest = takeRange(ranges, at, BigInt(size));
          expect(totalSize(rest)).toBe(totalSize(mergeRanges(ranges)) - BigInt(size));
        },
      ),
    );
  });
});
