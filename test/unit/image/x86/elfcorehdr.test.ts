/**
 * The ELF core header (src/image/x86/elfcorehdr.ts) against bytes written out by hand from the ELF64
 * layout (Elf64_Ehdr 64 bytes, Elf64_Phdr 56 bytes, little endian), and read back by binutils' readelf
 * as an independent parser. crash-facts.ts parses the sysfs text in the kernel's formats.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildElfCoreHeader, parseCrashNotes, parseVmcoreinfo, type ElfCoreHeaderInput } from '../../../../src/image/x86/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const squash = (s: string): string => s.replace(/[\s|]/g, '');

const INPUT: ElfCoreHeaderInput = {
  cpuNotes: [{ addr: 0x7fc1d000n, size: 0x150n }],
  vmcoreinfo: { addr: 0x2a00000n, size: 0x1024n },
  kernelText: null,
  ram: [
    { start: 0x1000n, end: 0x9fc00n },
    { start: 0x40000000n, end: 0x7ffe0000n },
  ],
  pageOffset: 0n,
};

describe('buildElfCoreHeader', () => {
  it('Elf64_Ehdr and four Elf64_Phdr, byte for byte', () => {
    const b = buildElfCoreHeader(INPUT);
    expect(b.length).toBe(64 + 4 * 56);
    const ehdr = squash(`7f454c46 02010100 00000000 00000000 | 0400 3e00 01000000 | 0000000000000000 | 4000000000000000 |
      0000000000000000 | 00000000 | 4000 3800 0400 0000 0000 0000`);
    // p_type p_flags | p_offset | p_vaddr | p_paddr | p_filesz | p_memsz | p_align
    const cpu = squash(`04000000 00000000 | 00d0c17f00000000 | 0000000000000000 | 00d0c17f00000000 | 5001000000000000 | 5001000000000000 | 0000000000000000`);
    const vmci = squash(`04000000 00000000 | 0000a00200000000 | 0000000000000000 | 0000a00200000000 | 2410000000000000 | 2410000000000000 | 0000000000000000`);
    // 0x1000..0x9fc00: size 0x9ec00; 0x40000000..0x7ffe0000: size 0x3ffe0000; flags 7 = RWX
    const low = squash(`01000000 07000000 | 0010000000000000 | 0000000000000000 | 0010000000000000 | 00ec090000000000 | 00ec090000000000 | 0000000000000000`);
    const high = squash(`01000000 07000000 | 0000004000000000 | 0000000000000000 | 0000004000000000 | 0000fe3f00000000 | 0000fe3f00000000 | 0000000000000000`);
    expect(hex(b)).toBe(ehdr + cpu + vmci + low + high);
  });

  it('p_vaddr is PAGE_OFFSET + start when the direct-map base is known; kernel text comes before RAM', () => {
    const b = buildElfCoreHeader({
      ...INPUT,
      pageOffset: 0xffff888000000000n,
      kernelText: { vaddr: 0xffffffff81000000n, paddr: 0x1000000n, size: 0x2000000n },
    });
    const v = new DataView(b.buffer);
    expect(v.getUint16(56, true)).toBe(5);
    const ph = (i: number, off: number): bigint => v.getBigUint64(64 + i * 56 + off, true);
    expect([ph(2, 16), ph(2, 24), ph(2, 32)]).toEqual([0xffffffff81000000n, 0x1000000n, 0x2000000n]);
    expect(ph(3, 16)).toBe(0xffff888000001000n);
    expect(ph(4, 16)).toBe(0xffff888040000000n);
  });

  it('readelf reads it as a core file with the same program headers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kexecctl-elfcorehdr-'));
    try {
      writeFileSync(join(dir, 'hdr'), buildElfCoreHeader(INPUT));
      const out = execFileSync('readelf', ['-hlW', join(dir, 'hdr')], { encoding: 'utf8' });
      expect(out).toMatch(/Type:\s+CORE \(Core file\)/);
      expect(out).toMatch(/Machine:\s+Advanced Micro Devices X86-64/);
      const rows = out
        .split('\n')
        .filter((l) => /^\s+(NOTE|LOAD)\s/.test(l))
        .map((l) => {
          const [type, ...nums] = l.trim().split(/\s+/).slice(0, 6);
          return [type, ...nums.map((n) => BigInt(n))];
        });
      // Type, Offset, VirtAddr, PhysAddr, FileSiz, MemSiz
      expect(rows).toEqual([
        ['NOTE', 0x7fc1d000n, 0n, 0x7fc1d000n, 0x150n, 0x150n],
        ['NOTE', 0x2a00000n, 0n, 0x2a00000n, 0x1024n, 0x1024n],
        ['LOAD', 0x1000n, 0n, 0x1000n, 0x9ec00n, 0x9ec00n],
        ['LOAD', 0x40000000n, 0n, 0x40000000n, 0x3ffe0000n, 0x3ffe0000n],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('crash facts in the kernel sysfs formats', () => {
  it('crash_notes "%llx" and crash_notes_size "%zu"', () => {
    expect(
      parseCrashNotes([
        { cpu: 0, addr: '7fc1d000', size: '336' },
        { cpu: 1, addr: '7fc3d000', size: '336' },
      ]),
    ).toEqual([
      { addr: 0x7fc1d000n, size: 336n },
      { addr: 0x7fc3d000n, size: 336n },
    ]);
  });
  it('vmcoreinfo "%pa %x"', () => {
    expect(parseVmcoreinfo('0x0000000100ba0000 1024')).toEqual({ addr: 0x100ba0000n, size: 0x1024n });
    expect(parseVmcoreinfo(null)).toBeNull();
  });
  it('refuses what it cannot read, with the file named', () => {
    expect(() => parseCrashNotes([])).toThrow(/without crash dump support/);
    expect(() => parseCrashNotes([{ cpu: 3, addr: 'zz', size: '336' }])).toThrow(/cpu3\/crash_notes: not a hex number/);
    expect(() => parseCrashNotes([{ cpu: 0, addr: '1000', size: '0x150' }])).toThrow(/crash_notes_size: not a number/);
    expect(() => parseVmcoreinfo('garbage')).toThrow(/vmcoreinfo: expected/);
  });
});
