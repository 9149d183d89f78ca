/**
 * The crash-kernel planner (src/image/x86/crash-plan.ts) on a 2 GiB SeaBIOS guest with crashkernel=256M
 * at 0x30000000, placements and the capture kernel's e820 worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { parseSysfsMemmap } from '../../../../src/image/memmap/index.js';
import { BP, CONTROL_RESERVE, checkBzImagePlan, planCrashBzImage64, type CrashPlanInput } from '../../../../src/image/x86/index.js';
import { MEMMAP_SEABIOS_2G, debianLikeImage } from './fixtures.js';

function input(over: Partial<CrashPlanInput> = {}): CrashPlanInput {
  return {
    kernel: debianLikeImage(),
    initrd: new Uint8Array(0x123456).fill(7),
    cmdline: 'console=ttyS0',
    runningBootParams: null,
    efi: null,
    crashRanges: [{ start: 0x30000000n, end: 0x40000000n }],
    systemRam: [
      { start: 0x1000n, end: 0x9fc00n },
      { start: 0x100000n, end: 0x7ffe0000n },
    ],
    memmap: parseSysfsMemmap(MEMMAP_SEABIOS_2G),
    core: {
      cpuNotes: [
        { addr: 0x7fc1d000n, size: 0x150n },
        { addr: 0x7fc3d000n, size: 0x150n },
      ],
      vmcoreinfo: { addr: 0x2a00000n, size: 0x1024n },
      kernelText: null,
      pageOffset: 0n,
    },
    ...over,
  };
}

describe('planCrashBzImage64', () => {
  it('everything in the crash region, top-down, the bottom MiB left for control pages', () => {
    const p = planCrashBzImage64(input());
    // 2 notes + vmcoreinfo + 3 RAM ranges = 6 headers, 64 + 6*56 = 400 bytes: one page at the top
    expect(p.elfcorehdr).toEqual({ addr: 0x3ffff000n, size: 0x1000n, phnum: 6 });
    expect(p.cmdline).toBe('console=ttyS0 elfcorehdr=1048572K'); // 0x3ffff000 / 1024
    expect(p.dumpRam).toEqual([
      { start: 0x1000n, end: 0x9fc00n },
      { start: 0x100000n, end: 0x30000000n },
      { start: 0x40000000n, end: 0x7ffe0000n },
    ]);
    // kernel: alignDown(0x3ffff000 - 0x3378000, 2 MiB); initrd below it (the gap above is 0x87000);
    // boot_params (zero page + 35-byte cmdline = 2 pages) and trampoline in that gap
    expect(p.segments.map((s) => [s.what, s.mem, s.memsz])).toEqual([
      ['initrd', 0x3cadc000n, 0x124000n],
      ['kernel', 0x3cc00000n, 0x3378000n],
      ['trampoline', 0x3fffc000n, 0x1000n],
      ['boot_params', 0x3fffd000n, 0x2000n],
      ['elfcorehdr', 0x3ffff000n, 0x1000n],
    ]);
    expect(p.entry).toBe(0x3fffc000n);
    expect(p.segmentRam).toEqual([{ start: 0x30000000n + CONTROL_RESERVE, end: 0x40000000n }]);
    expect(checkBzImagePlan(p, p.segmentRam)).toEqual([]);
  });

  it('boot_params carries the capture e820: low RAM, the reserved ranges, the crash region minus the header', () => {
    const p = planCrashBzImage64(input());
    const bp = p.segments.find((s) => s.what === 'boot_params')?.buf as Uint8Array;
    const v = new DataView(bp.buffer, bp.byteOffset);
    expect(bp[BP.e820_entries]).toBe(9);
    const e820 = Array.from({ length: 9 }, (_, i) => {
      const at = BP.e820_table + i * 20;
      return [v.getBigUint64(at, true), v.getBigUint64(at + 8, true), v.getUint32(at + 16, true)];
    });
    expect(e820).toEqual([
      [0x0n, 0x9fc00n, 1],
      [0x9fc00n, 0x400n, 2],
      [0xf0000n, 0x10000n, 2],
      [0x30000000n, 0xffff000n, 1],
      [0x7ffe0000n, 0x20000n, 2],
      [0xb0000000n, 0x10000000n, 2],
      [0xfed1c000n, 0x4000n, 2],
      [0xfeffc000n, 0x4000n, 2],
      [0xfffc0000n, 0x40000n, 2],
    ]);
    const cmd = new TextDecoder().decode(bp.subarray(0x1000, 0x1000 + p.cmdline.length + 1));
    expect(cmd).toBe('console=ttyS0 elfcorehdr=1048572K\0');
  });

  it('the header segment holds the notes and RAM ranges', () => {
    const p = planCrashBzImage64(input());
    const h = p.segments.find((s) => s.what === 'elfcorehdr')?.buf as Uint8Array;
    const v = new DataView(h.buffer, h.byteOffset);
    const ph = (i: number): bigint[] => [
      BigInt(v.getUint32(64 + i * 56, true)),
      v.getBigUint64(64 + i * 56 + 24, true),
      v.getBigUint64(64 + i * 56 + 32, true),
    ];
    expect(Array.from({ length: 6 }, (_, i) => ph(i))).toEqual([
      [4n, 0x7fc1d000n, 0x150n],
      [4n, 0x7fc3d000n, 0x150n],
      [4n, 0x2a00000n, 0x1024n],
      [1n, 0x1000n, 0x9ec00n],
      [1n, 0x100000n, 0x2ff00000n],
      [1n, 0x40000000n, 0x3ffe0000n],
    ]);
  });

  it('no crash region: a clear error, nothing planned', () => {
    expect(() => planCrashBzImage64(input({ crashRanges: [] }))).toThrow(/no "Crash kernel" region.*crashkernel=/);
  });

  it('a crash region too small for the kernel: ENOMEM naming the kernel', () => {
    expect(() => planCrashBzImage64(input({ crashRanges: [{ start: 0x30000000n, end: 0x32000000n }] }))).toThrow(/no room for the kernel/);
  });
});
