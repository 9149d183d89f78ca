/**
 * kexec_load segments for an arm64 Image, the layout of kexec-tools' kexec/arch/arm64/kexec-arm64.c
 * (`arm64_process_image_header`, `arm64_locate_kernel_segment`, `arm64_load_other_segments`) and of
 * Documentation/arch/arm64/booting.rst, with our trampoline (trampoline.ts) in place of purgatory:
 *
 *   kernel      the Image at a 2 MiB-aligned base + text_offset, memsz image_size (it counts the
 *               BSS), the lowest such place in usable RAM (booting.rst: as low as possible when
 *               flags bit 3 is clear; kexec-tools always takes the lowest hole);
 *   initrd      above the kernel; kernel and initrd inside one 1 GiB-aligned 32 GiB window
 *               (arm64_load_other_segments);
 *   dtb         the running kernel's /sys/firmware/fdt with /chosen rewritten (fdt/chosen.ts
 *               updateChosen): bootargs, linux,initrd-start/-end, the previous elfcorehdr and
 *               usable-memory-range dropped (a crash plan, crash-plan.ts, passes new ones),
 *               kaslr-seed / rng-seed refreshed when they were there; at most 2 MiB, above the initrd;
 *   trampoline  above the dtb; the kexec entry: x0 = dtb, x1..x3 = 0, br to the kernel.
 *
 * Every segment starts and ends on 64 KiB, a page for 4K, 16K and 64K kernels alike (the kernel's
 * sanity_check_segment_list wants page-aligned segments). Pure: bytes and ranges in, plain data out.
 */
import { KexecError } from '../../errors.js';
import { findHole, takeRange } from '../memmap/allocate.js';
import { ADDR_LIMIT, MIB, alignDown, alignUp, hex, type AddrRange } from '../memmap/range.js';
import { findNode, parseFdt, serializeFdt } from '../fdt/fdt.js';
import { updateChosen } from '../fdt/chosen.js';
import type { CrashChosen } from '../fdt/crash-props.js';
import { ARM64_TRAMPOLINE_MEMSZ, buildArm64Trampoline } from './trampoline.js';

export const ARM64_SEGMENT_ALIGN = 0x10000n;
export const ARM64_KERNEL_ALIGN = 2n * MIB;
/** booting.rst: the dtb must not exceed 2 megabytes. */
export const ARM64_DTB_MAX = 2n * MIB;
const GIB = 1024n * MIB;
/** kexec-tools: kernel and initrd within one 32 GiB window starting at a 1 GiB boundary. */
export const ARM64_KERNEL_INITRD_WINDOW = 32n * GIB;

export type Arm64SegmentKind = 'kernel' | 'initrd' | 'dtb' | 'trampoline' | 'elfcorehdr';
export type Arm64Segment = { what: Arm64SegmentKind; buf: Uint8Array | null; mem: bigint; memsz: bigint };

export type Arm64ImageHeader = { textOffset: bigint; imageSize: bigint; flags: bigint };

export type Arm64PlanInput = {
  /** The whole (uncompressed) Image file. */
  kernel: Uint8Array;
  /** The initrd bytes (several files already joined), or null. */
  initrd: Uint8Array | null;
  cmdline: string;
  /** Free RAM: /proc/iomem "System RAM" minus its excluded children. */
  usableRam: readonly AddrRange[];
  /** The running kernel's DTB (/sys/firmware/fdt). */
  fdt: Uint8Array;
  /** n fresh random bytes (kaslr-seed / rng-seed refresh). */
  random: (n: number) => Uint8Array;
  /** kexec -p: the /chosen properties of a crash kernel (crash-plan.ts), else absent. */
  crash?: CrashChosen;
};

export type Arm64LoadPlan = {
  entry: bigint;
  kernelEntry: bigint;
  dtbAddr: bigint;
  header: Arm64ImageHeader;
  initrd: { addr: bigint; size: bigint } | null;
  segments: Arm64Segment[];
};

function fail(message: string): KexecError {
  return new KexecError({ code: 'EARM64PLAN', exitCode: 1, message: `kexec_load: ${message}` });
}

/** The 64-byte Image header; image_size 0 (kernels before 3.17) means text_offset 0x80000 and 16 MiB, as kexec-tools assumes. */
export function parseArm64ImageHeader(kernel: Uint8Array): Arm64ImageHeader {
  if (kernel.length < 64 || String.fromCharCode(...kernel.subarray(0x38, 0x3c)) !== 'ARM\x64') {
    throw fail('not an arm64 Image (no "ARM\\x64" magic at 0x38)');
  }
  const v = new DataView(kernel.buffer, kernel.byteOffset, kernel.byteLength);
  const imageSize = v.getBigUint64(0x10, true);
  if (imageSize === 0n) return { textOffset: 0x80000n, imageSize: 16n * MIB, flags: 0n };
  return { textOffset: v.getBigUint64(0x08, true), imageSize, flags: v.getBigUint64(0x18, true) };
}

const seg = (n: bigint): bigint => alignUp(n, ARM64_SEGMENT_ALIGN);

export function planArm64Image(input: Arm64PlanInput): Arm64LoadPlan {
  const header = parseArm64ImageHeader(input.kernel);
  if (header.textOffset % ARM64_SEGMENT_ALIGN !== 0n) throw fail(`text_offset ${hex(header.textOffset)} is not 64 KiB-aligned`);
  let free = [...input.usableRam];
  const kernelMemsz = seg(header.imageSize > BigInt(input.kernel.length) ? header.imageSize : BigInt(input.kernel.length));
  const base = findHole(free, { size: header.textOffset + kernelMemsz, align: ARM64_KERNEL_ALIGN, min: 0n, max: ADDR_LIMIT, topDown: false });
  if (base === null) throw fail(`no 2 MiB-aligned room for the kernel (${hex(header.textOffset + kernelMemsz)} bytes) in usable RAM`);
  const kernelAddr = base + header.textOffset;
  free = takeRange(free, base, header.textOffset + kernelMemsz);
  const kernelEnd = kernelAddr + kernelMemsz;
  const segments: Arm64Segment[] = [{ what: 'kernel', buf: input.kernel, mem: kernelAddr, memsz: kernelMemsz }];

  let initrd: Arm64LoadPlan['initrd'] = null;
  if (input.initrd !== null && input.initrd.length > 0) {
    const size = BigInt(input.initrd.length);
    const windowEnd = alignDown(base, GIB) + ARM64_KERNEL_INITRD_WINDOW;
    const at = findHole(free, { size: seg(size), align: ARM64_SEGMENT_ALIGN, min: kernelEnd, max: windowEnd, topDown: false });
    if (at === null) throw fail(`no room for the initrd (${hex(size)} bytes) above the kernel within 32 GiB of it`);
    free = takeRange(free, at, seg(size));
    initrd = { addr: at, size };
    segments.push({ what: 'initrd', buf: input.initrd, mem: at, memsz: seg(size) });
  }
  const above = initrd === null ? kernelEnd : initrd.addr + seg(initrd.size);

  const fdt = parseFdt(input.fdt);
  const chosen = findNode(fdt.root, '/chosen');
  const had = (name: string): number | null => chosen?.props.find((p) => p.name === name)?.value.length ?? null;
  const kaslrLen = had('kaslr-seed');
  const rngLen = had('rng-seed');
  const dtb = serializeFdt(
    updateChosen(fdt, {
      bootargs: input.cmdline,
      initrd: initrd === null ? null : { start: initrd.addr, end: initrd.addr + initrd.size },
      kaslrSeed: kaslrLen === null ? null : input.random(kaslrLen),
      rngSeed: rngLen === null ? null : input.random(rngLen),
      crash: input.crash ?? null,
    }),
  );
  if (BigInt(dtb.length) > ARM64_DTB_MAX) throw fail(`the device tree is ${dtb.length} bytes, more than the 2 MiB an arm64 kernel accepts`);
  const dtbAddr = findHole(free, { size: seg(BigInt(dtb.length)), align: ARM64_SEGMENT_ALIGN, min: above, max: ADDR_LIMIT, topDown: false });
  if (dtbAddr === null) throw fail('no room for the device tree above the kernel and initrd');
  free = takeRange(free, dtbAddr, seg(BigInt(dtb.length)));
  segments.push({ what: 'dtb', buf: dtb, mem: dtbAddr, memsz: seg(BigInt(dtb.length)) });

  const trampAddr = findHole(free, { size: ARM64_TRAMPOLINE_MEMSZ, align: ARM64_SEGMENT_ALIGN, min: dtbAddr, max: ADDR_LIMIT, topDown: false });
  if (trampAddr === null) throw fail('no room for the trampoline above the device tree');
  segments.push({ what: 'trampoline', buf: buildArm64Trampoline(kernelAddr, dtbAddr), mem: trampAddr, memsz: ARM64_TRAMPOLINE_MEMSZ });

  return { entry: trampAddr, kernelEntry: kernelAddr, dtbAddr, header, initrd, segments };
}
