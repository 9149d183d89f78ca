/**
 * Kernel image header reading: which format a file is, whether kexec_file_load can take it,
 * how long a command line it accepts and which release it is. Pure: takes bytes, never paths.
 *
 * x86: the setup header of Documentation/arch/x86/boot.rst ("HdrS" at 0x202). The kernel's
 * own bzImage64 probe (arch/x86/kernel/kexec-bzimage64.c) wants protocol >= 2.12 and
 * XLF_KERNEL_64, so we require the same and say which one is missing.
 * arm64: the 64-byte Image header (Documentation/arch/arm64/booting.rst, magic "ARM\x64" at 0x38).
 */
import { KexecError } from '../errors.js';
import type { Arch } from '../sys/constants.js';

export type KernelImageFormat = 'x86-bzimage' | 'arm64-image';

export type KernelImageInfo = {
  format: KernelImageFormat;
  arch: Arch;
  /** x86 boot protocol as "2.15"; null for arm64. */
  protocol: string | null;
  /** Whether the kernel has a 64-bit entry point kexec_file_load can jump to. */
  entry64: boolean;
  /** Longest command line the kernel keeps, excluding the trailing NUL (setup_header.cmdline_size). */
  cmdlineSize: number;
  /** Full version string ("6.1.0-18-amd64 (debian-kernel@...) #1 SMP ..."), when the header has one. */
  version: string | null;
  /** First word of the version string ("6.1.0-18-amd64"): the /lib/modules directory name. */
  release: string | null;
};

/** How many bytes of the file parseKernelImage needs to see (setup code + version string). */
export const KERNEL_HEADER_BYTES = 64 * 1024;

const X86_HDRS_OFFSET = 0x202;
const XLF_KERNEL_64 = 1 << 0;
/** COMMAND_LINE_SIZE on arm64 (arch/arm64/include/uapi/asm/setup.h). */
const ARM64_COMMAND_LINE_SIZE = 2048;
/** Protocol < 2.06 kernels have no cmdline_size field and accept 255 bytes. */
const OLD_CMDLINE_SIZE = 255;

function notKernel(message: string, detail: string): KexecError {
  return new KexecError({ code: 'ENOTKERNEL', message: `${message}: ${detail}`, exitCode: 2 });
}

function ascii(buf: Uint8Array, off: number, len: number): string {
  if (off + len > buf.length) return '';
  return String.fromCharCode(...buf.subarray(off, off + len));
}

function u16(v: DataView, off: number): number {
  return off + 2 <= v.byteLength ? v.getUint16(off, true) : 0;
}

function u32(v: DataView, off: number): number {
  return off + 4 <= v.byteLength ? v.getUint32(off, true) : 0;
}

/** Reads a NUL-terminated printable string starting at off (at most 512 bytes), or null. */
function cString(buf: Uint8Array, off: number): string | null {
  if (off <= 0 || off >= buf.length) return null;
  let end = off;
  while (end < buf.length && end - off < 512 && buf[end] !== 0) {
    const c = buf[end] as number;
    if (c < 0x20 || c > 0x7e) return null;
    end++;
  }
  if (end === off || end >= buf.length || buf[end] !== 0) return null;
  return ascii(buf, off, end - off);
}

function firstWord(s: string | null): string | null {
  if (s === null) return null;
  const w = s.trim().split(/\s+/)[0];
  return w === undefined || w === '' ? null : w;
}

function parseBzImage(buf: Uint8Array, v: DataView, what: string): KernelImageInfo {
  const protocol = u16(v, 0x206);
  const major = protocol >> 8;
  const minor = protocol & 0xff;
  const protoText = `${major}.${String(minor).padStart(2, '0')}`;
  if (protocol < 0x020c) {
    throw notKernel(`${what} is an x86 kernel with boot protocol ${protoText}`, 'kexec_file_load needs protocol 2.12 or newer');
  }
  const xloadflags = u16(v, 0x236);
  const entry64 = (xloadflags & XLF_KERNEL_64) !== 0;
  if (!entry64) {
    throw notKernel(`${what} is a 32-bit-only x86 kernel`, 'it has no 64-bit entry point (XLF_KERNEL_64 unset)');
  }
  const cmdlineSize = protocol >= 0x0206 ? u32(v, 0x238) : OLD_CMDLINE_SIZE;
  // kernel_version is an offset from the start of the setup code, i.e. file offset + 0x200.
  const kv = u16(v, 0x20e);
  const version = kv === 0 ? null : cString(buf, kv + 0x200);
  return { format: 'x86-bzimage', arch: 'x86_64', protocol: protoText, entry64, cmdlineSize, version, release: firstWord(version) };
}

/** Looks for "Linux version " in an uncompressed image, for arm64 Images (no version pointer). */
function scanLinuxVersion(buf: Uint8Array): string | null {
  const needle = Buffer.from('Linux version ');
  const idx = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).indexOf(needle);
  if (idx < 0) return null;
  const s = cString(buf, idx + needle.length);
  return s;
}

/**
 * Identifies a kernel image from its first bytes (KERNEL_HEADER_BYTES is enough).
 * Throws KexecError code ENOTKERNEL (exit 2) for anything kexec_file_load cannot take.
 */
export function parseKernelImage(buf: Uint8Array, what = 'file'): KernelImageInfo {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (ascii(buf, X86_HDRS_OFFSET, 4) === 'HdrS') return parseBzImage(buf, v, what);
  if (ascii(buf, 0x38, 4) === 'ARM\x64') {
    const version = scanLinuxVersion(buf);
    return {
      format: 'arm64-image',
      arch: 'aarch64',
      protocol: null,
      entry64: true,
      cmdlineSize: ARM64_COMMAND_LINE_SIZE,
      version,
      release: firstWord(version),
    };
  }
  if (buf.length === 0) throw notKernel(`${what} is not a kernel image`, 'it is empty');
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    throw notKernel(`${what} is not a kernel image`, 'it is gzip-compressed (kexecctl load and kexec -l decompress it; this reader takes the image inside)');
  }
  if (ascii(buf, 0, 2) === 'MZ' && ascii(buf, 4, 4) === 'zimg') {
    throw notKernel(
      `${what} is not a kernel image`,
      'it is an EFI zboot image (kexecctl load and kexec -l decompress its payload; this reader takes the Image inside)',
    );
  }
  if (ascii(buf, 0, 4) === '\x7fELF') {
    throw notKernel(`${what} is not a kernel image`, 'it is an ELF file (vmlinux); use the bzImage/Image');
  }
  if (buf.length < X86_HDRS_OFFSET + 4) throw notKernel(`${what} is not a kernel image`, `it is too short (${buf.length} bytes)`);
  throw notKernel(`${what} is not a kernel image`, 'no x86 bzImage header ("HdrS" at 0x202) nor arm64 Image magic ("ARM\\x64" at 0x38)');
}
