/**
 * The arm64 Image planner against hand-computed placements (booting.rst, kexec-tools'
 * kexec-arm64.c rules), the rewritten DTB read back with our FDT reader, and bad input.
 */
import { describe, expect, it } from 'vitest';
import { findNode, parseFdt, propString, serializeFdt, type Fdt } from '../../../../src/image/fdt/index.js';
import { parseIomem, usableRamFromIomem, isArm64ExcludedChild } from '../../../../src/image/memmap/iomem.js';
import { checkArm64Plan, planArm64Image, type Arm64PlanInput } from '../../../../src/image/arm64/index.js';

const MIB = 0x100000n;
const enc = (s: string): Uint8Array => new TextEncoder().encode(`${s}\0`);
const be64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, false);
  return b;
};

/** A fake Image: the 64-byte header (text_offset, image_size, flags, magic) and `fileSize` bytes. */
function image(textOffset: bigint, imageSize: bigint, fileSize = 0x30000): Uint8Array {
  const b = new Uint8Array(fileSize);
  const v = new DataView(b.buffer);
  v.setBigUint64(0x08, textOffset, true);
  v.setBigUint64(0x10, imageSize, true);
  v.setBigUint64(0x18, 0xan, true); // LE, 4K pages, anywhere
  b.set([0x41, 0x52, 0x4d, 0x64], 0x38);
  return b;
}

function dtb(): Uint8Array {
  const fdt: Fdt = {
    bootCpuidPhys: 0,
    reserved: [{ address: 0x4fe00000n, size: 0x1000n }],
    root: {
      name: '',
      props: [{ name: 'compatible', value: enc('linux,dummy-virt') }],
      children: [
        {
          name: 'chosen',
          props: [
            { name: 'bootargs', value: enc('console=ttyAMA0 old') },
            { name: 'linux,elfcorehdr', value: new Uint8Array([...be64(0x7f000000n), ...be64(0x10000n)]) },
            { name: 'linux,usable-memory-range', value: new Uint8Array([...be64(0x70000000n), ...be64(0x10000000n)]) },
            { name: 'linux,uefi-system-table', value: be64(0xbfed0018n) },
            { name: 'kaslr-seed', value: be64(0n) },
            { name: 'linux,initrd-start', value: be64(0x48000000n) },
            { name: 'linux,initrd-end', value: be64(0x48100000n) },
          ],
          children: [],
        },
        { name: 'memory@40000000', props: [{ name: 'device_type', value: enc('memory') }], children: [] },
      ],
    },
  };
  return serializeFdt(fdt);
}

// QEMU virt, 2 GiB at 1 GiB, as /proc/iomem shows it: the running kernel's sections stay usable
// (kexec copies over them at the very end), a reserved child and an unnamed firmware area do not.
const IOMEM = `40000000-bfffffff : System RAM
  40210000-4121ffff : Kernel code
  41220000-4175ffff : Kernel data
  40000000-4001ffff : reserved
  40300000-403fffff : reserved
  bd000000-bdffffff : reserved
`;
const RAM = usableRamFromIomem(parseIomem(IOMEM), { excludeChild: isArm64ExcludedChild });

const seed = (n: number): Uint8Array => new Uint8Array(n).fill(0xa5);
function input(over: Partial<Arm64PlanInput> = {}): Arm64PlanInput {
  return {
    kernel: image(0n, 0x2000000n),
    initrd: new Uint8Array(0x123456).fill(7),
    cmdline: 'console=ttyAMA0 kxt.marker=1',
    usableRam: RAM,
    fdt: dtb(),
    random: seed,
    ...over,
  };
}

describe('arm64 Image plan', () => {
  it('places the kernel at the lowest 2 MiB-aligned base that fits, memsz = image_size', () => {
    const p = planArm64Image(input());
    const k = p.segments[0];
    // 0x40000000 is reserved up to 0x4001ffff and 0x40300000-0x403fffff too: the first 2 MiB
    // boundary with 32 MiB free after it is 0x40400000.
    expect(k).toMatchObject({ what: 'kernel', mem: 0x40400000n, memsz: 0x2000000n });
    expect(p.kernelEntry).toBe(0x40400000n);
    expect(checkArm64Plan(p, RAM)).toEqual([]);
  });

  it('honours text_offset and an image_size of 0 (pre-3.17: 0x80000 and 16 MiB)', () => {
    const p = planArm64Image(input({ kernel: image(0n, 0n) }));
    expect(p.header).toEqual({ textOffset: 0x80000n, imageSize: 16n * MIB, flags: 0n });
    expect(p.segments[0]).toMatchObject({ mem: 0x40480000n, memsz: 16n * MIB });
    expect(checkArm64Plan(p, RAM)).toEqual([]);
  });

  it('puts initrd, dtb and trampoline above the kernel, 64 KiB-aligned, in that order', () => {
    const p = planArm64Image(input());
    expect(p.segments.map((s) => s.what)).toEqual(['kernel', 'initrd', 'dtb', 'trampoline']);
    const [, initrd, d, t] = p.segments;
    expect(initrd).toMatchObject({ mem: 0x42400000n, memsz: 0x130000n });
    expect(p.initrd).toEqual({ addr: 0x42400000n, size: 0x123456n });
    expect(d?.mem).toBe(0x42530000n);
    expect(t?.mem).toBe(0x42540000n);
    expect(p.entry).toBe(0x42540000n);
    for (const s of p.segments) expect(s.mem % 0x10000n).toBe(0n);
  });

  it('rewrites /chosen: bootargs, the new initrd, no crash properties, fresh kaslr-seed, uefi kept', () => {
    const p = planArm64Image(input());
    const out = parseFdt(p.segments[2]?.buf as Uint8Array);
    const chosen = findNode(out.root, '/chosen');
    expect(chosen).not.toBeNull();
    expect(propString(chosen!, 'bootargs')).toBe('console=ttyAMA0 kxt.marker=1');
    const u64 = (name: string) => {
      const v = chosen!.props.find((x) => x.name === name)?.value;
      return v === undefined ? undefined : new DataView(v.buffer, v.byteOffset).getBigUint64(0, false);
    };
    expect(u64('linux,initrd-start')).toBe(0x42400000n);
    expect(u64('linux,initrd-end')).toBe(0x42400000n + 0x123456n);
    expect(chosen!.props.map((x) => x.name)).not.toContain('linux,elfcorehdr');
    expect(chosen!.props.map((x) => x.name)).not.toContain('linux,usable-memory-range');
    expect(chosen!.props.find((x) => x.name === 'kaslr-seed')?.value).toEqual(seed(8));
    expect(u64('linux,uefi-system-table')).toBe(0xbfed0018n);
    expect(out.reserved).toEqual([{ address: 0x4fe00000n, size: 0x1000n }]);
    expect(findNode(out.root, '/memory@40000000')).not.toBeNull();
  });

  it('drops the initrd properties when there is no initrd', () => {
    const p = planArm64Image(input({ initrd: null }));
    expect(p.segments.map((s) => s.what)).toEqual(['kernel', 'dtb', 'trampoline']);
    const chosen = findNode(parseFdt(p.segments[1]?.buf as Uint8Array).root, '/chosen');
    expect(chosen!.props.map((x) => x.name)).not.toContain('linux,initrd-start');
    expect(chosen!.props.map((x) => x.name)).not.toContain('linux,initrd-end');
  });

  it('the trampoline jumps to the kernel with x0 = the dtb', () => {
    const p = planArm64Image(input());
    const t = p.segments[3]?.buf as Uint8Array;
    const v = new DataView(t.buffer, t.byteOffset);
    expect(v.getBigUint64(0x18, true)).toBe(0x40400000n);
    expect(v.getBigUint64(0x20, true)).toBe(0x42530000n);
  });

  it('keeps kernel and initrd within one 32 GiB window', () => {
    const ram = [
      { start: 0x40000000n, end: 0x40000000n + 40n * MIB },
      { start: 0x10_0000_0000n, end: 0x10_4000_0000n },
    ];
    expect(() => planArm64Image(input({ usableRam: ram, initrd: new Uint8Array(Number(16n * MIB)) }))).toThrow(/initrd .*32 GiB/);
  });

  it('refuses a file without the arm64 magic and RAM without room, with one clear line', () => {
    expect(() => planArm64Image(input({ kernel: new Uint8Array(4096) }))).toThrow(/not an arm64 Image/);
    expect(() => planArm64Image(input({ usableRam: [{ start: 0x40000000n, end: 0x41000000n }] }))).toThrow(/no 2 MiB-aligned room for the kernel/);
  });
});
