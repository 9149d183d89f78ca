/**
 * The arm64 kexec_load assembler (src/kexec/legacy-arm64.ts) and the dispatcher's arm64 branch
 * (src/kexec/segments.ts) over a recorded machine under a temp root: /proc/iomem's reserved and
 * crash children kept free, the recorded /sys/firmware/fdt rewritten, initrds joined GRUB's way,
 * KEXEC_ARCH_AARCH64 in the flags, and clear refusals when a fact is missing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeQuietly, openChecked, type OpenedFile } from '../../../src/host/open-checked.js';
import { RootFs } from '../../../src/host/rootfs.js';
import { readArm64BootFacts } from '../../../src/host/arm64-boot-facts.js';
import { findNode, parseFdt, propString, serializeFdt } from '../../../src/image/fdt/index.js';
import { parseKernelImage } from '../../../src/image/kernel-image.js';
import { buildArm64LegacyPlan } from '../../../src/kexec/legacy-arm64.js';
import { buildKexecSegments } from '../../../src/kexec/segments.js';
import { loadKernel } from '../../../src/kexec/load.js';
import { readLoadRecord } from '../../../src/kexec/record.js';
import { FakeKernel, initialFakeState } from '../../../src/sys/fake-kernel.js';

const IOMEM = `09000000-09000fff : pl011@9000000
40000000-7fffffff : System RAM
  40210000-4121ffff : Kernel code
  41220000-4175ffff : Kernel data
  40000000-401fffff : reserved
  48000000-4fffffff : Crash kernel
`;

let dir = '';
const opened: OpenedFile[] = [];
afterEach(() => {
  for (const f of opened.splice(0)) closeQuietly(f.fd);
  rmSync(dir, { recursive: true, force: true });
});

const enc = (s: string): Uint8Array => new TextEncoder().encode(`${s}\0`);
function fdtBytes(): Uint8Array {
  return serializeFdt({
    bootCpuidPhys: 0,
    reserved: [],
    root: { name: '', props: [], children: [{ name: 'chosen', props: [{ name: 'bootargs', value: enc('old') }], children: [] }] },
  });
}

function image(): Uint8Array {
  const b = new Uint8Array(0x20000).fill(0x11);
  const v = new DataView(b.buffer);
  v.setBigUint64(0x08, 0n, true);
  v.setBigUint64(0x10, 0x1000000n, true); // image_size 16 MiB
  v.setBigUint64(0x18, 0xan, true);
  b.set([0x41, 0x52, 0x4d, 0x64], 0x38);
  return b;
}

function machine(withFdt = true, crashNotes = true): RootFs {
  dir = mkdtempSync(join(tmpdir(), 'kexecctl-a64-'));
  mkdirSync(join(dir, 'proc'), { recursive: true });
  mkdirSync(join(dir, 'sys/firmware'), { recursive: true });
  writeFileSync(join(dir, 'proc/iomem'), IOMEM);
  if (withFdt) writeFileSync(join(dir, 'sys/firmware/fdt'), fdtBytes());
  if (crashNotes) {
    // drivers/base/cpu.c: crash_notes "%llx", crash_notes_size "%zu"; kernel/ksysfs.c vmcoreinfo "%pa %x"
    for (const [cpu, addr] of [
      [0, '7f7d1000'],
      [1, '7f7e1000'],
    ] as const) {
      mkdirSync(join(dir, `sys/devices/system/cpu/cpu${cpu}`), { recursive: true });
      writeFileSync(join(dir, `sys/devices/system/cpu/cpu${cpu}/crash_notes`), `${addr}\n`);
      writeFileSync(join(dir, `sys/devices/system/cpu/cpu${cpu}/crash_notes_size`), '424\n');
    }
    mkdirSync(join(dir, 'sys/kernel'), { recursive: true });
    writeFileSync(join(dir, 'sys/kernel/vmcoreinfo'), '0x0000000041a30000 1000\n');
  }
  return new RootFs(dir);
}

function file(name: string, bytes: Uint8Array): OpenedFile {
  const p = join(dir, name);
  writeFileSync(p, bytes, { mode: 0o644 });
  const f = openChecked(p, name, { trustedUids: [0, process.getuid?.() ?? 0] });
  opened.push(f);
  return f;
}

describe('buildArm64LegacyPlan', () => {
  it('places the kernel in free RAM (not the reserved start, not the crash region) and rewrites the recorded DTB', () => {
    const fs = machine();
    const img = image();
    const plan = buildArm64LegacyPlan({
      kernel: file('Image', img),
      initrds: [file('a', Uint8Array.from([1, 2, 3, 4, 5])), file('b', Uint8Array.from([9]))],
      cmdline: 'console=ttyAMA0 x=1',
      facts: readArm64BootFacts(fs),
      random: (n) => new Uint8Array(n),
    });
    const byWhat = Object.fromEntries(plan.segments.map((s) => [s.what, s]));
    // 0x40000000-0x401fffff is reserved: the first 2 MiB base is 0x40200000 (over the running kernel's code: allowed)
    expect(byWhat.kernel?.mem).toBe(0x40200000n);
    expect(Buffer.from(byWhat.kernel?.buf ?? [])).toEqual(Buffer.from(img));
    expect(Array.from(byWhat.initrd?.buf ?? [])).toEqual([1, 2, 3, 4, 5, 0, 0, 0, 9]);
    for (const s of plan.segments) expect(s.mem + s.memsz <= 0x48000000n || s.mem >= 0x50000000n).toBe(true);
    const chosen = findNode(parseFdt(byWhat.dtb?.buf as Uint8Array).root, '/chosen');
    expect(propString(chosen!, 'bootargs')).toBe('console=ttyAMA0 x=1');
    expect(plan.table[0]).toBe(`entry = 0x${plan.entry.toString(16)}`);
    expect(plan.entry).toBe(byWhat.trampoline?.mem);
  });

  it('refuses with one clear line when /sys/firmware/fdt is missing', () => {
    const fs = machine(false);
    expect(() => buildArm64LegacyPlan({ kernel: file('Image', image()), initrds: [], cmdline: '', facts: readArm64BootFacts(fs) })).toThrow(
      /\/sys\/firmware\/fdt is missing/,
    );
  });
});

describe('buildKexecSegments, arm64 branch', () => {
  it('builds arm64 segments with KEXEC_ARCH_AARCH64 (183 << 16), and crash kernels inside the crash region', () => {
    const fs = machine();
    const img = image();
    const req = {
      image: parseKernelImage(img, 'Image'),
      kernel: file('Image', img),
      initrds: [],
      cmdline: 'c',
      crash: false,
      x86Facts: () => {
        throw new Error('x86 facts read on arm64');
      },
      arm64Facts: () => readArm64BootFacts(fs),
    };
    const plan = buildKexecSegments(req);
    expect(plan.archFlags).toBe(183 << 16);
    expect(plan.segments.map((s) => (s as { what?: string }).what)).toEqual(['kernel', 'dtb', 'trampoline']);
    const crash = buildKexecSegments({ ...req, crash: true });
    expect(crash.segments.map((s) => (s as { what?: string }).what)).toEqual(['kernel', 'dtb', 'trampoline', 'elfcorehdr']);
    for (const s of crash.segments) expect(s.mem >= 0x48000000n && s.mem + s.memsz <= 0x50000000n).toBe(true);
    expect(crash.notes[1]).toBe(
      'crash kernel: region 0x48000000-0x4fffffff, elfcorehdr at 0x4fff0000 (5 program headers, 2 RAM ranges) in the DTB with linux,usable-memory-range',
    );
  });
});

describe('buildArm64LegacyPlan with crash: true', () => {
  it('sysfs crash_notes and vmcoreinfo become the PT_NOTEs; System RAM minus the crash region the PT_LOADs; the DTB names both', () => {
    const fs = machine();
    const plan = buildArm64LegacyPlan({
      kernel: file('Image', image()),
      initrds: [],
      cmdline: 'console=ttyAMA0 kxt.m=1',
      facts: readArm64BootFacts(fs),
      crash: true,
    });
    // 128 MiB region at 0x48000000: kernel at its start, header in its top 64 KiB
    expect(plan.kernelEntry).toBe(0x48000000n);
    const hdr = plan.segments.find((s) => s.what === 'elfcorehdr');
    expect(hdr?.mem).toBe(0x4fff0000n);
    const v = new DataView((hdr?.buf as Uint8Array).buffer);
    const ph = (i: number): [number, bigint, bigint] => [
      v.getUint32(64 + i * 56, true),
      v.getBigUint64(64 + i * 56 + 8, true),
      v.getBigUint64(64 + i * 56 + 32, true),
    ];
    expect([0, 1, 2, 3, 4].map(ph)).toEqual([
      [4, 0x7f7d1000n, 424n],
      [4, 0x7f7e1000n, 424n],
      [4, 0x41a30000n, 0x1000n],
      [1, 0x40000000n, 0x8000000n], // reserved and kernel children are dumped too
      [1, 0x50000000n, 0x30000000n],
    ]);
    const chosen = findNode(parseFdt(plan.segments.find((s) => s.what === 'dtb')?.buf as Uint8Array).root, '/chosen');
    // the recorded DTB's root has no #address-cells / #size-cells: one cell each
    expect(Buffer.from(chosen?.props.find((p) => p.name === 'linux,elfcorehdr')?.value ?? []).toString('hex')).toBe('4fff000000010000');
    expect(Buffer.from(chosen?.props.find((p) => p.name === 'linux,usable-memory-range')?.value ?? []).toString('hex')).toBe('4800000008000000');
    expect(propString(chosen!, 'bootargs')).toBe('console=ttyAMA0 kxt.m=1');
  });

  it('not root (/proc/iomem shows every address as 0): one clear error before any planning', () => {
    const fs = machine();
    writeFileSync(join(dir, 'proc/iomem'), IOMEM.replace(/[0-9a-f]{8}/g, '00000000'));
    expect(() => buildArm64LegacyPlan({ kernel: file('Image', image()), initrds: [], cmdline: '', facts: readArm64BootFacts(fs), crash: true })).toThrow(
      /^\/proc\/iomem: every address reads as 0 \(it needs root to show real addresses\)$/,
    );
  });

  it('a kernel without crash_notes: one clear error', () => {
    const fs = machine(true, false);
    expect(() => buildArm64LegacyPlan({ kernel: file('Image', image()), initrds: [], cmdline: '', facts: readArm64BootFacts(fs), crash: true })).toThrow(
      /no \/sys\/devices\/system\/cpu\/cpuN\/crash_notes/,
    );
  });
});

describe('kexec -c -l on arm64 (loadKernel, legacy mode, the recorded machine under --root)', () => {
  it('makes one kexec_load with KEXEC_ARCH_AARCH64, the trampoline as entry, segments in free RAM', () => {
    const fs = machine();
    const kpath = join(dir, 'Image');
    writeFileSync(kpath, image(), { mode: 0o644 });
    const k = new FakeKernel(initialFakeState());
    loadKernel(
      k,
      { kernelPath: kpath, initrdPaths: [], cmdline: 'console=ttyAMA0', crash: false, mode: 'legacy' },
      { root: fs.root, trust: { trustedUids: [0, process.getuid?.() ?? 0] }, arch: 'aarch64' },
    );
    expect(k.calls.map((c) => c.syscall)).toEqual(['kexec_load']);
    const load = k.calls[0] as unknown as {
      args: { entry: string; flags: number; segments: Array<{ bufsz: number; mem: string; memsz: string }> };
      result: string;
    };
    expect(load.result).toBe('0');
    expect(load.args.flags).toBe(0xb70000); // KEXEC_ARCH_AARCH64 = 183 << 16
    expect(load.args.segments).toHaveLength(3);
    expect(load.args.segments[0]).toMatchObject({ bufsz: 0x20000, mem: '0x40200000', memsz: '0x1000000' });
    expect(load.args.segments.map((s) => s.mem)).toContain(load.args.entry);
    expect(readLoadRecord(fs.root, false)).toMatchObject({ syscall: 'kexec_load' });
  });

  it('kexec -c -p: KEXEC_ON_CRASH | KEXEC_ARCH_AARCH64, every segment in the crash region; no reservation: nothing loaded', () => {
    const fs = machine();
    const kpath = join(dir, 'Image');
    writeFileSync(kpath, image(), { mode: 0o644 });
    const opts = { root: fs.root, trust: { trustedUids: [0, process.getuid?.() ?? 0] }, arch: 'aarch64' } as const;
    const req = { kernelPath: kpath, initrdPaths: [], cmdline: 'console=ttyAMA0', crash: true, mode: 'legacy' } as const;
    const none = new FakeKernel(initialFakeState());
    expect(() => loadKernel(none, req, opts)).toThrow(/Memory for crashkernel is not reserved/);
    expect(none.calls).toEqual([]);
    const k = new FakeKernel(initialFakeState({ crashSize: 0x8000000 }));
    loadKernel(k, req, opts);
    const load = k.calls[0] as unknown as { args: { flags: number; segments: Array<{ mem: string; memsz: string }> } };
    expect(load.args.flags).toBe(0xb70001); // KEXEC_ARCH_AARCH64 | KEXEC_ON_CRASH (1)
    expect(load.args.segments.map((s) => s.mem)).toEqual(['0x48000000', '0x49000000', '0x49010000', '0x4fff0000']);
    expect(k.state().crashLoaded).toBe(true);
    expect(k.state().loaded).toBe(false);
  });
});
