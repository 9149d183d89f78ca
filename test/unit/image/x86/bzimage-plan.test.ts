import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mergeRanges, parseSysfsMemmap, usableRamFromMemmap, type AddrRange } from '../../../../src/image/memmap/index.js';
import { checkSegments, formatSegmentTable } from '../../../../src/image/segment-check.js';
import { checkBzImagePlan, planBzImage64, type X86PlanInput } from '../../../../src/image/x86/index.js';
import { MEMMAP_HOST, MEMMAP_SEABIOS_2G, debianLikeImage } from './fixtures.js';

const get = (b: Uint8Array, off: number, size: number): bigint => {
  let x = 0n;
  for (let i = size - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[off + i] as number);
  return x;
};

function input(over: Partial<X86PlanInput> = {}): X86PlanInput {
  const memmap = parseSysfsMemmap(MEMMAP_SEABIOS_2G);
  return {
    kernel: debianLikeImage(),
    initrd: new Uint8Array(0x123456).fill(7),
    cmdline: 'console=ttyS0',
    usableRam: usableRamFromMemmap(memmap),
    memmap,
    runningBootParams: null,
    efi: null,
    ...over,
  };
}

describe('planBzImage64: placements worked out by hand', () => {
  it('2 GiB SeaBIOS guest: everything top-down under 0x7ffe0000', () => {
    const p = planBzImage64(input());
    // kernel: 0x7ffe0000 - page_align(init_size 0x3378000), rounded down to 2 MiB
    expect(p.kernelAddr).toBe(0x7cc00000n);
    expect(p.kernelEntry).toBe(0x7cc00200n);
    // the gap above the kernel (0x7ff78000-0x7ffe0000) is too small for the initrd (0x124000)
    expect(p.initrd).toEqual({ addr: 0x7cadc000n, size: 0x123456n });
    // boot_params (2 pages: zero page + cmdline) and the trampoline take that gap, top-down
    expect(p.bootParamsAddr).toBe(0x7ffde000n);
    expect(p.entry).toBe(0x7ffdd000n);
    expect(p.segments.map((s) => [s.what, s.mem, s.memsz, s.buf?.length])).toEqual([
      ['initrd', 0x7cadc000n, 0x124000n, 0x123456],
      ['kernel', 0x7cc00000n, 0x3378000n, 0x10000],
      ['trampoline', 0x7ffdd000n, 0x1000n, expect.any(Number)],
      ['boot_params', 0x7ffde000n, 0x2000n, 0x1010],
    ]);
    expect(p.efiFallbackReason).toMatch(/no \/sys\/firmware\/efi/);
    const bp = p.segments.find((s) => s.what === 'boot_params')?.buf as Uint8Array;
    expect(get(bp, 0x218, 4)).toBe(0x7cadc000n);
    expect(get(bp, 0x228, 4)).toBe(0x7ffdf000n);
    const tr = p.segments.find((s) => s.what === 'trampoline')?.buf as Uint8Array;
    const words = Array.from({ length: tr.length / 8 }, (_, i) => get(tr, i * 8, 8));
    expect(words).toContain(0x7ffde000n); // boot_params address in the trampoline's data
    expect(words).toContain(0x7cc00200n); // startup_64
  });

  it('25 GiB machine: kernel and initrd at the top (above 4 GiB), boot_params and trampoline below 4 GiB', () => {
    const memmap = parseSysfsMemmap(MEMMAP_HOST);
    const p = planBzImage64(input({ memmap, usableRam: usableRamFromMemmap(memmap) }));
    expect(p.kernelAddr).toBe(0x63cc00000n);
    expect(p.initrd?.addr).toBe(0x63cadc000n);
    expect(p.bootParamsAddr).toBe(0xbfffe000n);
    expect(p.entry).toBe(0xbfffd000n);
    const bp = p.segments.find((s) => s.what === 'boot_params')?.buf as Uint8Array;
    expect([get(bp, 0x218, 4), get(bp, 0x0c0, 4)]).toEqual([0x3cadc000n, 0x6n]);
  });

  it('below4G keeps the kernel and initrd under 4 GiB', () => {
    const memmap = parseSysfsMemmap(MEMMAP_HOST);
    const p = planBzImage64(input({ memmap, usableRam: usableRamFromMemmap(memmap), below4G: true }));
    expect(p.kernelAddr).toBe(0xbcc00000n);
    expect(p.initrd?.addr).toBe(0xbcadc000n);
  });

  it('the kernel segment is a view of the caller bytes, not a copy', () => {
    const kernel = debianLikeImage();
    const k = planBzImage64(input({ kernel })).segments.find((s) => s.what === 'kernel');
    expect(k?.buf?.buffer).toBe(kernel.buffer);
    expect(k?.buf?.byteOffset).toBe(40 * 512);
  });

  it('no initrd: three segments, ramdisk fields 0', () => {
    const p = planBzImage64(input({ initrd: null }));
    expect(p.segments.map((s) => s.what).sort()).toEqual(['boot_params', 'kernel', 'trampoline']);
    const bp = p.segments.find((s) => s.what === 'boot_params')?.buf as Uint8Array;
    expect([get(bp, 0x218, 4), get(bp, 0x21c, 4)]).toEqual([0n, 0n]);
  });

  it('says what does not fit', () => {
    const small: AddrRange[] = [{ start: 0x100000n, end: 0x2000000n }];
    expect(() => planBzImage64(input({ usableRam: small }))).toThrow(/no room for the kernel \(0x3378000 bytes aligned to 0x200000 between 0x1000000/);
    const noInitrdRoom: AddrRange[] = [{ start: 0x1000000n, end: 0x4400000n }];
    expect(() => planBzImage64(input({ usableRam: noInitrdRoom }))).toThrow(/no room for the initrd/);
  });

  it('refuses a command line longer than cmdline_size', () => {
    expect(() => planBzImage64(input({ cmdline: 'x'.repeat(2048) }))).toThrow(/2048 bytes, this kernel accepts at most 2047/);
    expect(() => planBzImage64(input({ cmdline: 'x'.repeat(2047) }))).not.toThrow();
  });
});

const PAGE = 0x1000n;
const u32 = (b: Uint8Array, off: number, v: number): void => new DataView(b.buffer, b.byteOffset).setUint32(off, v, true);
const u64 = (b: Uint8Array, off: number, v: bigint): void => new DataView(b.buffer, b.byteOffset).setBigUint64(off, v, true);

describe('planBzImage64 invariants (property)', () => {
  const arbRam = fc
    .tuple(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 0x3ff }), fc.integer({ min: 1, max: 0x4000 })), { maxLength: 6 }),
      fc.integer({ min: 0x10, max: 0x3f }),
      fc.integer({ min: 0x400, max: 0x8000 }),
    )
    .map(([parts, bigStart, bigLen]) => [
      ...parts.map(([s, l]) => ({ start: BigInt(s) * 0x1000000n + 0x10n * 0x400n, end: BigInt(s) * 0x1000000n + BigInt(l) * PAGE + 0x123n })),
      { start: BigInt(bigStart) * 0x4000000n, end: BigInt(bigStart) * 0x4000000n + BigInt(bigLen) * 0x100000n },
    ]);

  it('≤ 16 page-aligned disjoint segments inside usable RAM, kernel aligned at/above pref_address with memsz ≥ init_size', () => {
    let runs = 0;
    let placed = 0;
    fc.assert(
      fc.property(
        arbRam,
        fc.integer({ min: 0x1000000, max: 0x6000000 }),
        fc.integer({ min: 12, max: 24 }),
        fc.constantFrom(0n, 0x100000n, 0x1000000n, 0x40000000n),
        fc.integer({ min: 0, max: 0x1000000 }),
        fc.integer({ min: 0, max: 2047 }),
        fc.integer({ min: 1, max: 200 }),
        (ram, initSize, alignBits, pref, initrdLen, cmdLen, e820Count) => {
          const kernel = debianLikeImage({
            patch: (b) => {
              u32(b, 0x260, initSize);
              u32(b, 0x230, 1 << alignBits);
              u64(b, 0x258, pref);
            },
          });
          const memmap = Array.from({ length: e820Count }, (_, i) => ({
            start: BigInt(i) * 0x10000n,
            end: BigInt(i) * 0x10000n + 0x8000n,
            type: 'System RAM',
          }));
          runs++;
          let plan;
          try {
            plan = planBzImage64({
              kernel,
              initrd: initrdLen === 0 ? null : new Uint8Array(initrdLen),
              cmdline: 'a'.repeat(cmdLen),
              usableRam: ram,
              memmap,
              runningBootParams: null,
              efi: null,
            });
          } catch (e) {
            expect((e as { code?: string }).code).toBe('ENOMEM');
            return;
          }
          const segs = plan.segments;
          // Usable RAM is the union of the ranges (they may overlap): a segment may straddle two of them.
          const union = mergeRanges(ram);
          expect(segs.length).toBeLessThanOrEqual(16);
          for (const s of segs) {
            expect(s.mem % PAGE).toBe(0n);
            expect(s.memsz % PAGE).toBe(0n);
            expect(BigInt(s.buf?.length ?? 0) <= s.memsz).toBe(true);
            expect(union.some((r) => r.start <= s.mem && s.mem + s.memsz <= r.end)).toBe(true);
          }
          for (let i = 1; i < segs.length; i++) expect(segs[i - 1]!.mem + segs[i - 1]!.memsz <= segs[i]!.mem).toBe(true);
          const k = segs.find((s) => s.what === 'kernel')!;
          expect(k.mem % (1n << BigInt(alignBits))).toBe(0n);
          expect(k.mem >= (pref > 0x100000n ? pref : 0x100000n)).toBe(true);
          expect(k.memsz >= BigInt(initSize)).toBe(true);
          const bp = segs.find((s) => s.what === 'boot_params')!;
          expect(bp.mem >= 0x3000n && bp.mem + bp.memsz <= 1n << 32n).toBe(true);
          expect(bp.buf![0x1ef]).toBe(0);
          expect(Number(get(bp.buf!, 0x1e8, 1))).toBe(Math.min(128, e820Count));
          if (initrdLen > 0) expect(segs.find((s) => s.what === 'initrd')!.mem >= 0x1000000n).toBe(true);
          expect(plan.entry).toBe(segs.find((s) => s.what === 'trampoline')!.mem);
          expect(checkBzImagePlan(plan, union)).toEqual([]);
          placed++;
        },
      ),
      { numRuns: 200 },
    );
    // the property is not vacuous: most generated machines have room
    expect(placed / runs).toBeGreaterThan(0.5);
  });
});

describe('checkSegments', () => {
  const ram: AddrRange[] = [{ start: 0x100000n, end: 0x10000000n }];
  const seg = (mem: bigint, memsz: bigint, len = 0) => ({ what: 'x', buf: new Uint8Array(len), mem, memsz });
  it('accepts a valid list', () => {
    expect(checkSegments([seg(0x100000n, 0x1000n, 10), seg(0x200000n, 0x2000n)], ram)).toEqual([]);
  });
  it.each([
    ['misaligned mem', [seg(0x100800n, 0x1000n)], /mem 0x100800 is not page-aligned/],
    ['odd memsz', [seg(0x100000n, 0x1800n)], /memsz 0x1800 is not a multiple/],
    ['bufsz > memsz', [seg(0x100000n, 0x1000n, 0x1001)], /bufsz 0x1001 exceeds memsz 0x1000/],
    ['outside RAM', [seg(0x10000000n, 0x1000n)], /not inside usable RAM/],
    ['overlap', [seg(0x100000n, 0x2000n), seg(0x101000n, 0x1000n)], /segments 0 and 1 overlap/],
    ['too many', Array.from({ length: 17 }, (_, i) => seg(0x100000n + BigInt(i) * 0x1000n, 0x1000n)), /17 segments, at most 16/],
  ])('reports %s', (_n, segs, msg) => {
    expect(checkSegments(segs, ram).join('\n')).toMatch(msg);
  });
  it('checkBzImagePlan catches a kernel moved off its alignment or a non-zero sentinel', () => {
    const p = planBzImage64(input());
    const k = p.segments.find((s) => s.what === 'kernel')!;
    const moved = { ...p, segments: p.segments.map((s) => (s === k ? { ...s, mem: s.mem - 0x1000n } : s)) };
    expect(checkBzImagePlan(moved, input().usableRam).join('\n')).toMatch(/not aligned to kernel_alignment 0x200000/);
    const bp = p.segments.find((s) => s.what === 'boot_params')!;
    const dirty = new Uint8Array(bp.buf!);
    dirty[0x1ef] = 0xff;
    const withSentinel = { ...p, segments: p.segments.map((s) => (s === bp ? { ...s, buf: dirty } : s)) };
    expect(checkBzImagePlan(withSentinel, input().usableRam)).toEqual(['boot_params sentinel (0x1ef) is not 0']);
  });
});

describe('formatSegmentTable', () => {
  it('prints the segments as kexec-tools -d does, naming each buffer', () => {
    const lines = formatSegmentTable(0x7ffdd000n, [
      { what: 'kernel', buf: new Uint8Array(0x10), mem: 0x1000000n, memsz: 0x3378000n },
      { what: 'trampoline', buf: null, mem: 0x7ffdd000n, memsz: 0x1000n },
    ]);
    expect(lines).toEqual([
      'entry = 0x7ffdd000',
      'nr_segments = 2',
      'segment[0].buf   = kernel',
      'segment[0].bufsz = 0x10',
      'segment[0].mem   = 0x1000000',
      'segment[0].memsz = 0x3378000',
      'segment[1].buf   = trampoline',
      'segment[1].bufsz = 0x0',
      'segment[1].mem   = 0x7ffdd000',
      'segment[1].memsz = 0x1000',
    ]);
  });
});
