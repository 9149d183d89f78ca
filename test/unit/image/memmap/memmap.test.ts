import { describe, expect, it } from 'vitest';
import {
  crashKernelRanges,
  isArm64ExcludedChild,
  memmapFromIomem,
  parseIomem,
  parseSysfsMemmap,
  usableRamFromIomem,
  usableRamFromMemmap,
} from '../../../../src/image/memmap/index.js';
import { IOMEM_HOST, IOMEM_OVMF_CRASH, MEMMAP_HOST } from '../x86/fixtures.js';

describe('parseSysfsMemmap', () => {
  it('reads start/end (inclusive) and type, and makes the end exclusive', () => {
    expect(parseSysfsMemmap(MEMMAP_HOST)).toEqual([
      { start: 0x0n, end: 0x9fc00n, type: 'System RAM' },
      { start: 0x9fc00n, end: 0x100000n, type: 'Reserved' },
      { start: 0x100000n, end: 0xc0000000n, type: 'System RAM' },
      { start: 0xeec00000n, end: 0xfec00000n, type: 'Reserved' },
      { start: 0x100000000n, end: 0x640000000n, type: 'System RAM' },
    ]);
  });
  it('sorts by address, not by directory name (10 sorts before 2 as text)', () => {
    const got = parseSysfsMemmap([
      { name: '10', start: '0x200000', end: '0x2fffff', type: 'System RAM' },
      { name: '2', start: '0x100000', end: '0x1fffff', type: 'ACPI Tables' },
    ]);
    expect(got.map((e) => e.type)).toEqual(['ACPI Tables', 'System RAM']);
  });
  it.each([
    [{ name: '3', start: 'zz', end: '0x1', type: 'System RAM' }, /memmap\/3\/start: not a number/],
    [{ name: '4', start: '0x2000', end: '0x1000', type: 'System RAM' }, /memmap\/4: end 0x1000 is below start 0x2000/],
    [{ name: '5', start: '0x0', end: '0x1000', type: '  \n' }, /memmap\/5\/type is empty/],
  ])('rejects bad entries with one clear message (%#)', (rec, msg) => {
    expect(() => parseSysfsMemmap([rec])).toThrow(msg);
  });
  it('usable RAM is System RAM from 1 MiB up', () => {
    expect(usableRamFromMemmap(parseSysfsMemmap(MEMMAP_HOST))).toEqual([
      { start: 0x100000n, end: 0xc0000000n },
      { start: 0x100000000n, end: 0x640000000n },
    ]);
  });
});

describe('parseIomem', () => {
  it('builds the tree from the indentation', () => {
    const t = parseIomem(IOMEM_HOST);
    expect(t.map((n) => n.name)).toEqual([
      'Reserved',
      'System RAM',
      'Reserved',
      'System RAM',
      'PCI Bus 0000:00',
      'Reserved',
      'IOAPIC 0',
      'System RAM',
      'PCI Bus 0000:00',
    ]);
    expect(t[3]?.children.map((c) => c.name)).toEqual(['Kernel code', 'Kernel rodata', 'Kernel data', 'Kernel bss']);
    expect(t[5]?.children[0]?.children[0]).toEqual({ start: 0xeec00000n, end: 0xeed00000n, name: 'PCI Bus 0000:00', children: [] });
    expect(t[7]).toMatchObject({ start: 0x100000000n, end: 0x640000000n });
  });
  it('says when it was read without privileges (all zeros)', () => {
    expect(() => parseIomem('00000000-00000000 : System RAM\n  00000000-00000000 : Kernel code\n')).toThrow(/needs root/);
  });
  it('names the line it cannot read', () => {
    expect(() => parseIomem('00000000-00000fff : Reserved\nnonsense\n')).toThrow(/line 2: cannot read/);
  });
  it('usable RAM on x86: System RAM minus reserved children and the first MiB; kernel sections stay usable', () => {
    const t = parseIomem(IOMEM_OVMF_CRASH);
    expect(usableRamFromIomem(t)).toEqual([
      { start: 0x100000n, end: 0x800000n },
      { start: 0x808000n, end: 0x80b000n },
      { start: 0x80c000n, end: 0x810000n },
      { start: 0x900000n, end: 0x7c9b5018n },
      { start: 0x7c9c4c58n, end: 0x7d8b4000n },
      { start: 0x7d8b5000n, end: 0x7e8ef000n },
      { start: 0x7ebef000n, end: 0x7fe70000n },
    ]);
  });
  it('keeps a loaded crash kernel out when asked', () => {
    const t = parseIomem(IOMEM_OVMF_CRASH);
    const u = usableRamFromIomem(t, { excludeCrashKernel: true });
    expect(u.find((x) => x.start === 0x900000n)).toEqual({ start: 0x900000n, end: 0x2b000000n });
    expect(u.find((x) => x.start === 0x3b000000n)).toEqual({ start: 0x3b000000n, end: 0x7c9b5018n });
    expect(crashKernelRanges(t)).toEqual([{ start: 0x2b000000n, end: 0x3b000000n }]);
  });
  it('arm64 rule: every child but the kernel sections is excluded', () => {
    const t = parseIomem(IOMEM_OVMF_CRASH);
    const u = usableRamFromIomem(t, { excludeChild: isArm64ExcludedChild });
    expect(u.some((x) => x.start <= 0x2b000000n && x.end > 0x2b000000n)).toBe(false);
    expect(u.some((x) => x.start <= 0x43600000n && x.end > 0x43600000n)).toBe(true);
  });
  it('memmap fallback keeps memory kinds and skips device windows', () => {
    expect(memmapFromIomem(parseIomem(IOMEM_HOST))).toEqual([
      { start: 0x0n, end: 0x1000n, type: 'Reserved' },
      { start: 0x1000n, end: 0x9fc00n, type: 'System RAM' },
      { start: 0x9fc00n, end: 0x100000n, type: 'Reserved' },
      { start: 0x100000n, end: 0xc0000000n, type: 'System RAM' },
      { start: 0xeec00000n, end: 0xfec00000n, type: 'Reserved' },
      { start: 0x100000000n, end: 0x640000000n, type: 'System RAM' },
    ]);
  });
});
