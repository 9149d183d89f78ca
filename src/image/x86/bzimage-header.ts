/**
 * The x86_64 bzImage probe for kexec_load: the same checks, in the same order, as the kernel's
 * `bzImage64_probe` (arch/x86/kernel/kexec-bzimage64.c) and kexec-tools' `bzImage64_probe`
 * (kexec/arch/x86_64/kexec-bzImage64.c), and the header fields `bzImage64_load` lays out with.
 * Pure: takes the file's first bytes (KERNEL_HEADER_BYTES is plenty) and the file length.
 */
import { KexecError } from '../../errors.js';
import { HDR, LOADED_HIGH, XLF_CAN_BE_LOADED_ABOVE_4G, XLF_EFI_KEXEC, XLF_5LEVEL, XLF_KERNEL_64 } from './bootparam-offsets.js';

export type BzImageHeader = {
  /** Boot protocol, e.g. 0x020f. */
  version: number;
  /** setup_sects as the kernel uses it (0 in the file means 4). */
  setupSects: number;
  /** Bytes of real-mode setup before the protected-mode kernel: (setup_sects + 1) * 512. */
  kern16Size: number;
  /** End of the setup header in the file: 0x202 + byte at 0x201. */
  headerEnd: number;
  loadflags: number;
  xloadflags: number;
  kernelAlignment: bigint;
  prefAddress: bigint;
  /** Memory the kernel needs from its load address until it has decompressed itself. */
  initSize: bigint;
  cmdlineSize: number;
  initrdAddrMax: bigint;
  /** XLF_EFI_KEXEC: the kernel accepts EFI runtime data from a kexec loader. */
  efiKexec: boolean;
  /** XLF_5LEVEL: the kernel can be entered with 5-level paging on. */
  fiveLevel: boolean;
};

function notBzImage(detail: string, what: string): KexecError {
  return new KexecError({ code: 'ENOEXEC', message: `${what} cannot be loaded with kexec_load: ${detail}`, exitCode: 2 });
}

export type ProbeOptions = {
  /** Length of the whole file (the bytes passed may be only its head). */
  fileLength?: number;
  /** The running kernel uses 5-level paging (CR4.LA57; "la57" in /proc/cpuinfo flags). */
  la57?: boolean;
  /** Name used in error messages. */
  what?: string;
};

/** Checks the image can take the 64-bit entry and returns the fields the planner uses. */
export function probeBzImage64(head: Uint8Array, opts: ProbeOptions = {}): BzImageHeader {
  const what = opts.what ?? 'kernel';
  const fileLength = opts.fileLength ?? head.length;
  if (fileLength < 2 * 512 || head.length < 2 * 512) throw notBzImage('file is too short to be a bzImage', what);
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = String.fromCharCode(...head.subarray(HDR.header, HDR.header + 4));
  if (magic !== 'HdrS') throw notBzImage('not a bzImage (no "HdrS" at 0x202)', what);
  if (v.getUint16(HDR.boot_flag, true) !== 0xaa55) throw notBzImage('no x86 boot sector (0xAA55 at 0x1fe)', what);
  const version = v.getUint16(HDR.version, true);
  if (version < 0x020c) {
    throw notBzImage(`boot protocol ${version >> 8}.${String(version & 0xff).padStart(2, '0')}; at least 2.12 is needed`, what);
  }
  const headerEnd = 0x202 + (head[HDR.jump + 1] as number);
  if (headerEnd > head.length) throw notBzImage(`setup header runs past the ${head.length} bytes read`, what);
  const loadflags = head[HDR.loadflags] as number;
  if ((loadflags & LOADED_HIGH) === 0) throw notBzImage('zImage, not a bzImage (LOADED_HIGH unset)', what);
  const xloadflags = v.getUint16(HDR.xloadflags, true);
  if ((xloadflags & XLF_KERNEL_64) === 0) throw notBzImage('no 64-bit entry point (XLF_KERNEL_64 unset)', what);
  if ((xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G) === 0) throw notBzImage('XLF_CAN_BE_LOADED_ABOVE_4G unset', what);
  const fiveLevel = (xloadflags & XLF_5LEVEL) !== 0;
  if (opts.la57 === true && !fiveLevel) throw notBzImage('the running kernel uses 5-level paging and this one cannot (XLF_5LEVEL unset)', what);
  const raw = head[HDR.setup_sects] as number;
  const setupSects = raw === 0 ? 4 : raw;
  const kern16Size = (setupSects + 1) * 512;
  if (fileLength < kern16Size) throw notBzImage(`bzImage truncated (${fileLength} bytes, setup alone is ${kern16Size})`, what);
  const kernelAlignment = BigInt(v.getUint32(HDR.kernel_alignment, true));
  if (kernelAlignment === 0n || (kernelAlignment & (kernelAlignment - 1n)) !== 0n) {
    throw notBzImage(`kernel_alignment 0x${kernelAlignment.toString(16)} is not a power of two`, what);
  }
  const initSize = BigInt(v.getUint32(HDR.init_size, true));
  if (initSize === 0n) throw notBzImage('init_size is 0', what);
  return {
    version,
    setupSects,
    kern16Size,
    headerEnd,
    loadflags,
    xloadflags,
    kernelAlignment,
    prefAddress: v.getBigUint64(HDR.pref_address, true),
    initSize,
    cmdlineSize: v.getUint32(HDR.cmdline_size, true),
    initrdAddrMax: BigInt(v.getUint32(HDR.initrd_addr_max, true)),
    efiKexec: (xloadflags & XLF_EFI_KEXEC) !== 0,
    fiveLevel,
  };
}
