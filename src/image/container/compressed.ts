/**
 * Whole-file compressed kernels (vmlinuz.gz, Image.gz, bzImage.xz …): which compression a kernel
 * file starts with. kexec-tools decompresses such files before probing them (kexec/kexec.c
 * slurp_decompress_file(): zlib, then zstd, then lzma/xz); we also take bzip2 and LZ4 legacy,
 * through the integrity checks' decoders. Pure: bytes in, a name out.
 */
import { detectPayloadFormat } from '../integrity/magic.js';
import type { CompressionFormat } from '../integrity/types.js';

/** The compressions a whole kernel file may use here (LZO has no maintained decoder, ELF is no compression). */
export type FileCompression = Exclude<CompressionFormat, 'none' | 'lzo'>;

export const FILE_COMPRESSIONS: readonly FileCompression[] = ['gzip', 'xz', 'lzma', 'zstd', 'bzip2', 'lz4-legacy'];

/** The compression `head` (the file's first bytes) starts with, or null. */
export function detectFileCompression(head: Uint8Array): FileCompression | null {
  const f = detectPayloadFormat(head);
  return f === null || f === 'none' || f === 'lzo' ? null : f;
}

/** Whether the head is LZO-compressed (recognised, but nothing here can decompress it). */
export function isLzo(head: Uint8Array): boolean {
  return detectPayloadFormat(head) === 'lzo';
}
