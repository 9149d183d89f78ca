/**
 * Magic numbers of the compressions a Linux kernel payload or initramfs may use, and of cpio.
 *
 * Payload magics are the full signatures each compressor writes (gzip RFC 1952, xz file format,
 * lzma_alone header with lc=3 lp=0 pb=2, lz4 legacy frame, zstd frame, bzip2, lzop). Initrd magics
 * are the two-byte table the kernel itself matches (lib/decompress.c, compressed_formats[]), so we
 * warn exactly where the kernel would not know what to do with an initrd.
 */
import type { CompressionFormat } from './types.js';

type Signature = { format: CompressionFormat; bytes: readonly number[] };

const PAYLOAD_SIGNATURES: readonly Signature[] = [
  { format: 'gzip', bytes: [0x1f, 0x8b, 0x08] },
  { format: 'xz', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { format: 'lzma', bytes: [0x5d, 0x00, 0x00] },
  { format: 'lz4-legacy', bytes: [0x02, 0x21, 0x4c, 0x18] },
  { format: 'zstd', bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { format: 'bzip2', bytes: [0x42, 0x5a, 0x68] },
  { format: 'lzo', bytes: [0x89, 0x4c, 0x5a, 0x4f] },
  { format: 'none', bytes: [0x7f, 0x45, 0x4c, 0x46] },
];

/** lib/decompress.c compressed_formats[]: the kernel looks at two bytes only. */
const INITRD_SIGNATURES: readonly Signature[] = [
  { format: 'gzip', bytes: [0x1f, 0x8b] },
  { format: 'gzip', bytes: [0x1f, 0x9e] },
  { format: 'bzip2', bytes: [0x42, 0x5a] },
  { format: 'lzma', bytes: [0x5d, 0x00] },
  { format: 'xz', bytes: [0xfd, 0x37] },
  { format: 'lzo', bytes: [0x89, 0x4c] },
  { format: 'lz4-legacy', bytes: [0x02, 0x21] },
  { format: 'zstd', bytes: [0x28, 0xb5] },
];

/** cpio "newc", "crc" and old portable ASCII headers (init/initramfs.c accepts 070701 and 070702). */
const CPIO_MAGICS = ['070701', '070702', '070707'] as const;

/** Bytes a caller must read at the payload start for detectPayloadFormat to decide. */
export const PAYLOAD_MAGIC_BYTES = 8;

function startsWith(buf: Uint8Array, sig: readonly number[]): boolean {
  if (buf.length < sig.length) return false;
  return sig.every((b, i) => buf[i] === b);
}

/** The compression of a kernel payload from its first bytes, or null when none matches. */
export function detectPayloadFormat(first: Uint8Array): CompressionFormat | null {
  return PAYLOAD_SIGNATURES.find((s) => startsWith(first, s.bytes))?.format ?? null;
}

export type InitrdKind = { kind: 'cpio'; magic: string } | { kind: 'compressed'; format: CompressionFormat } | { kind: 'unknown' };

/** What an initrd (or one part of a multi-part initrd) starts with. */
export function detectInitrdKind(first: Uint8Array): InitrdKind {
  const head6 = first.length >= 6 ? String.fromCharCode(...first.subarray(0, 6)) : '';
  const cpio = CPIO_MAGICS.find((m) => m === head6);
  if (cpio !== undefined) return { kind: 'cpio', magic: cpio };
  const sig = INITRD_SIGNATURES.find((s) => startsWith(first, s.bytes));
  return sig === undefined ? { kind: 'unknown' } : { kind: 'compressed', format: sig.format };
}

/** Human name of a format for messages. */
export function formatName(f: CompressionFormat): string {
  return f === 'lz4-legacy' ? 'LZ4 (legacy frame)' : f === 'none' ? 'uncompressed ELF' : f;
}

/** Hex of the first n bytes, for messages ("1f 8b 08 00"). */
export function hexBytes(buf: Uint8Array, n = 8): string {
  return Array.from(buf.subarray(0, n), (b) => b.toString(16).padStart(2, '0')).join(' ');
}
