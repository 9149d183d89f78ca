/**
 * arm64 (and riscv, loongarch) EFI zboot images: a small PE decompressor with the compressed
 * Image inside. Header (drivers/firmware/efi/libstub/zboot-header.S, struct
 * linux_pe_zboot_header in kexec-tools' include/pe.h): "MZ" at 0, "zimg" at 4, u32 LE
 * payload_offset at 8 and payload_size at 12, 8 reserved bytes, then the compression's name,
 * NUL-padded, at 24: Makefile.zboot's comp-type ("gzip", "lz4", "lzma", "lzo", "xzkern",
 * "zstd22"). Every method but gzip appends the 4-byte uncompressed size after the stream, and
 * payload_size leaves it out (ZBOOT_SIZE_LEN), so it lies just past the payload.
 * kexec-tools (kexec/kexec-pe-zboot.c pez_prepare()) takes gzip, lzma and zstd; we take every
 * compression our decoders read. Pure.
 */
import { KexecError } from '../../errors.js';
import type { FileCompression } from './compressed.js';

export type ZbootHeader = {
  payloadOffset: number;
  payloadSize: number;
  compression: FileCompression;
  compressionName: string;
  /** File offset of the appended uncompressed size (every method but gzip), or null. */
  sizeAt: number | null;
};

const NAMES: Record<string, FileCompression> = { gzip: 'gzip', lzma: 'lzma', xzkern: 'xz', xz: 'xz', zstd22: 'zstd', zstd: 'zstd', lz4: 'lz4-legacy' };

function ascii(b: Uint8Array, off: number, len: number): string {
  return off + len <= b.length ? String.fromCharCode(...b.subarray(off, off + len)) : '';
}

export function isZboot(head: Uint8Array): boolean {
  return ascii(head, 0, 2) === 'MZ' && ascii(head, 4, 4) === 'zimg';
}

function bad(what: string, detail: string): KexecError {
  return new KexecError({ code: 'EZBOOT', message: `${what} is an EFI zboot image ${detail}`, exitCode: 2 });
}

/** Reads the zboot header; throws EZBOOT (exit 2) for a payload outside the file or a compression we cannot read. */
export function parseZboot(head: Uint8Array, fileSize: number, what = 'kernel'): ZbootHeader {
  if (!isZboot(head) || head.length < 56) throw bad(what, 'with a cut-short header');
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const payloadOffset = v.getUint32(8, true);
  const payloadSize = v.getUint32(12, true);
  const raw = ascii(head, 24, 32);
  const compressionName = raw.replace(/\0.*$/s, '');
  if (!/^[a-z0-9]{1,16}$/.test(compressionName)) throw bad(what, 'whose compression name is not readable');
  const compression = NAMES[compressionName];
  if (compression === undefined) {
    throw bad(what, `compressed with ${compressionName}, which kexecctl cannot decompress (it reads ${Object.keys(NAMES).join(', ')})`);
  }
  const sizeLen = compression === 'gzip' ? 0 : 4;
  if (payloadSize === 0 || payloadOffset < 64 || payloadOffset + payloadSize + sizeLen > fileSize) {
    throw bad(what, `whose payload (${payloadSize} bytes at ${payloadOffset}) does not lie inside its ${fileSize} bytes: the file is cut short`);
  }
  return { payloadOffset, payloadSize, compression, compressionName, sizeAt: sizeLen === 0 ? null : payloadOffset + payloadSize };
}
