/**
 * The arm64 crash (kdump) planner against placements and bytes computed by hand from kexec-tools'
 * crashdump-arm64.c / kexec-arm64.c rules, the ELF64 layout (64-byte Ehdr, 56-byte Phdr, e_machine
 * EM_AARCH64 = 183) and the chosen.txt binding: the header at the top of the region, the kernel at
 * its first 2 MiB boundary, the DTB's linux,elfcorehdr / linux,usable-memory-range, and bad input.
 */
import { describe, expect, it } from 'vitest';
import { findNode, parseFdt, propString, serializeFdt, type Fdt } from '../../../../src/image/fdt/index.js';
import { checkArm64Plan, planArm64Crash, type Arm64CrashPlanInput } from '../../../../src/image/arm64/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(`${s}\0`);
const u32 = (n: number): Uint8Array => Uint8Array.from([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
const hexBytes = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');

function image(imageSize: bigint, textOffset = 0n): Uint8Array {
  const b = new Uint8Array(0x30000);
  const v = new DataView(b.buffer);
  v.setBigUint64(0x08, textOffset, true);
  v.setBigUint64(0x10, imageSize, true);
  v.setBigUint64(0x18, 0xan, true);
  b.set([0x41, 0x52, 0x4d, 0x64], 0x38);
  return b;
}

function dtb(cells: 1 | 2 | null): Uint8Array {
  const props =
    cells === null
      ? []
      : [
          { name: '#address-cells', value: u32(cells) },
          { name: '#size-cells', value: u32(cells) },
        ];
  const fdt: Fdt = {
    bootCpuidPhys: 0,
    reserved: [],
    root: { name: '', props, children: [{ name: 'chosen', props: [{ name: 'bootargs', value: enc('console=ttyAMA0 crashkernel=256M') }], children: [] }] },
  };
  return serializeFdt(fdt);
}

const RAM = [{ start: 0x40000000n, end: 0xc0000000n }]; // QEMU virt, 2 GiB at 1 GiB
const CRASH = [{ start: 0xa0000000n, end: 0xb0000000n }]; // crashkernel=256M

function input(over: Partial<Arm64CrashPlanInput> = {}): Arm64CrashPlanInput {
  return {
    kernel: image(0x1000000n),
    initrd: new Uint8Array(0x12345).fill(7),
    cmdline: 'console=ttyAMA0 reset_devices kxt.marker=abc',
    fdt: dtb(2),
    random: (n) => new Uint8Array(n).fill(0x5a),
    crashRanges: CRASH,
    systemRam: RAM,
    cpuNotes: [
      { addr: 0xbf7d1000n, size: 0x1a8n },
      { addr: 0xbf7e1000n, size: 0x1a8n },
    ],
    vmcoreinfo: { addr: 0x41a30000n, size: 0x1000n },
    ...over,
  };
}

describe('planArm64Crash', () => {
  it('puts every segment in the crash region: kernel at its bottom, ELF header at its top, 64 KiB control page under the header', () => {
    const plan = planArm64Crash(input());
    const at = Object.fromEntries(plan.segments.map((s) => [s.what, [s.mem, s.memsz]]));
    expect(at.kernel).toEqual([0xa0000000n, 0x1000000n]);
    expect(at.initrd).toEqual([0xa1000000n, 0x20000n]); // 0x12345 bytes -> 2 x 64 KiB
    expect(at.dtb).toEqual([0xa1020000n, 0x10000n]);
    expect(at.trampoline).toEqual([0xa1030000n, 0x10000n]);
    // 2 notes + vmcoreinfo + 2 RAM ranges = 5 phdrs: 64 + 5 * 56 = 344 bytes -> one 64 KiB segment at 0xb0000000 - 0x10000
    expect(at.elfcorehdr).toEqual([0xafff0000n, 0x10000n]);
    expect(plan.elfcorehdr).toEqual({ addr: 0xafff0000n, size: 0x10000n, phnum: 5 });
    expect(plan.entry).toBe(0xa1030000n);
    expect(plan.dumpRam).toEqual([
      { start: 0x40000000n, end: 0xa0000000n },
      { start: 0xb0000000n, end: 0xc0000000n },
    ]);
    expect(checkArm64Plan(plan, CRASH)).toEqual([]);
  });

  it('writes an EM_AARCH64 ET_CORE header: PT_NOTEs for the CPUs and vmcoreinfo, a PT_LOAD per RAM range outside the region', () => {
    const plan = planArm64Crash(input());
    const h = plan.segments.find((s) => s.what === 'elfcorehdr')?.buf as Uint8Array;
    expect(h.length).toBe(344);
    const v = new DataView(h.buffer, h.byteOffset, h.byteLength);
    expect(hexBytes(h.subarray(0, 8))).toBe('7f454c4602010100'); // ELF, 64-bit, little endian, version 1
    expect(v.getUint16(16, true)).toBe(4); // ET_CORE
    expect(v.getUint16(18, true)).toBe(183); // EM_AARCH64
    expect(v.getUint16(56, true)).toBe(5); // e_phnum
    const ph = (i: number) => ({
      type: v.getUint32(64 + i * 56, true),
      offset: v.getBigUint64(64 + i * 56 + 8, true),
      filesz: v.getBigUint64(64 + i * 56 + 32, true),
    });
    expect([0, 1, 2, 3, 4].map(ph)).toEqual([
      { type: 4, offset: 0xbf7d1000n, filesz: 0x1a8n },
      { type: 4, offset: 0xbf7e1000n, filesz: 0x1a8n },
      { type: 4, offset: 0x41a30000n, filesz: 0x1000n },
      { type: 1, offset: 0x40000000n, filesz: 0x60000000n },
      { type: 1, offset: 0xb0000000n, filesz: 0x10000000n },
    ]);
  });

  it('gives the capture kernel linux,elfcorehdr and linux,usable-memory-range in two-cell form, and no elfcorehdr= on its command line', () => {
    const plan = planArm64Crash(input());
    const chosen = findNode(parseFdt(plan.segments.find((s) => s.what === 'dtb')?.buf as Uint8Array).root, '/chosen');
    const prop = (n: string) => chosen?.props.find((p) => p.name === n)?.value;
    expect(hexBytes(prop('linux,elfcorehdr'))).toBe('00000000afff0000' + '0000000000010000');
    expect(hexBytes(prop('linux,usable-memory-range'))).toBe('00000000a0000000' + '0000000010000000');
    expect(propString(chosen!, 'bootargs')).toBe('console=ttyAMA0 reset_devices kxt.marker=abc');
    expect(hexBytes(prop('linux,initrd-start'))).toBe('00000000a1000000');
    expect(hexBytes(prop('linux,initrd-end'))).toBe('00000000a1012345');
  });

  it('uses one cell each when the root node says nothing (the kernel default)', () => {
    const plan = planArm64Crash(input({ fdt: dtb(null) }));
    const chosen = findNode(parseFdt(plan.segments.find((s) => s.what === 'dtb')?.buf as Uint8Array).root, '/chosen');
    expect(hexBytes(chosen?.props.find((p) => p.name === 'linux,elfcorehdr')?.value)).toBe('afff0000' + '00010000');
    expect(hexBytes(chosen?.props.find((p) => p.name === 'linux,usable-memory-range')?.value)).toBe('a0000000' + '10000000');
  });

  it('with a low and a high region: segments in the high one, both in usable-memory-range, both left out of the dump', () => {
    const low = { start: 0x50000000n, end: 0x52000000n };
    const plan = planArm64Crash(input({ crashRanges: [CRASH[0]!, low] }));
    expect(plan.region).toEqual(CRASH[0]);
    for (const s of plan.segments) expect(s.mem >= 0xa0000000n && s.mem + s.memsz <= 0xb0000000n).toBe(true);
    const chosen = findNode(parseFdt(plan.segments.find((s) => s.what === 'dtb')?.buf as Uint8Array).root, '/chosen');
    expect(hexBytes(chosen?.props.find((p) => p.name === 'linux,usable-memory-range')?.value)).toBe(
      '0000000050000000' + '0000000002000000' + '00000000a0000000' + '0000000010000000',
    );
    expect(plan.dumpRam).toEqual([
      { start: 0x40000000n, end: 0x50000000n },
      { start: 0x52000000n, end: 0xa0000000n },
      { start: 0xb0000000n, end: 0xc0000000n },
    ]);
  });

  it("starts the kernel at the region's first 2 MiB boundary plus text_offset", () => {
    const plan = planArm64Crash(input({ crashRanges: [{ start: 0xa0010000n, end: 0xb0000000n }], kernel: image(0x1000000n, 0x80000n) }));
    expect(plan.kernelEntry).toBe(0xa0280000n);
  });

  it('refuses, one line each: no crash region, a region too small, an address one cell cannot hold', () => {
    expect(() => planArm64Crash(input({ crashRanges: [] }))).toThrow(/^kexec_load: no "Crash kernel" region in \/proc\/iomem: boot with crashkernel=/);
    // 16 MiB region, 16 MiB kernel image: no room for the rest
    expect(() => planArm64Crash(input({ crashRanges: [{ start: 0xa0000000n, end: 0xa1000000n }] }))).toThrow(
      /^kexec_load: the crash region 0xa0000000-0xa0ffffff \(16 MiB\) is too small: this kernel, initrd and device tree need at least 17 MiB; boot with a larger crashkernel=$/,
    );
    const high = { start: 0x1_a0000000n, end: 0x1_b0000000n };
    expect(() => planArm64Crash(input({ fdt: dtb(1), crashRanges: [high], systemRam: [...RAM, { start: 0x1_00000000n, end: 0x2_00000000n }] }))).toThrow(
      /linux,elfcorehdr address 0x1afff0000 does not fit the root node's one 32-bit cell/,
    );
  });
});
