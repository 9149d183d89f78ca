/**
 * Decompressing a kernel (a whole compressed file, or a zboot payload) through the integrity
 * checks' streaming decoders (src/image/integrity/decoders, no second set), into whatever sink the
 * caller gives: the loader's writes each chunk to a memfd. The sink counts and stops at 2 GiB, the
 * kernel's own kexec_file_load limit (kernel/kexec_file.c: kernel_read_file_from_fd(..., INT_MAX)),
 * so a decompression bomb ends there. Failures become one-line KexecErrors (exit 2).
 * Memory: gzip, xz, zstd and LZ4 stream; bzip2 (seek-bzip) holds the compressed input and lzma
 * (lzma1) the compressed input and its output in memory, which their libraries require.
 */
import { KexecError } from '../../errors.js';
import { decoderFor } from '../integrity/decoders/index.js';
import { errorText, isPayloadError } from '../integrity/payload-error.js';
import type { OutputSink } from '../integrity/sink.js';
import { MAX_LZMA_RATIO, MAX_OUTPUT_BYTES } from '../integrity/types.js';
import type { FileCompression } from './compressed.js';

export { MAX_OUTPUT_BYTES };

export type DecompressRequest = {
  format: FileCompression;
  /** Names the file in messages ("/boot/vmlinuz.gz"). */
  what: string;
  /** The uncompressed size stored with the stream (zboot's appended size, a .lzma header's), or -1. */
  knownSize: number;
  /**
   * lzma without a known size (xz-utils' `lzma` always writes "unknown"): the most output to allow,
   * passed to the decoder as its bound (lzma1 otherwise decodes on to the declared size); the stream's
   * end marker ends a good one earlier.
   */
  lzmaBound?: number;
};

function fail(code: string, message: string): KexecError {
  return new KexecError({ code, message, exitCode: 2 });
}

function failure(e: unknown, req: DecompressRequest, sink: OutputSink): KexecError {
  if (e instanceof KexecError) return e;
  const detail = errorText(e);
  const code = isPayloadError(e) ? e.code : 'EPAYLOAD_CORRUPT';
  switch (code) {
    case 'EPAYLOAD_TOO_LARGE':
      return fail(
        'EDECOMPRESS_BOMB',
        `${req.what}: ${req.format} output passed ${MAX_OUTPUT_BYTES} bytes (2 GiB, the kernel's kexec_file_load limit): not a kernel, refusing it`,
      );
    case 'EPAYLOAD_TRUNCATED':
      return fail('EDECOMPRESS_TRUNCATED', `${req.what}: the ${req.format} data ends early (${detail}): the file is cut short`);
    case 'EPAYLOAD_UNSUPPORTED':
      return fail('EDECOMPRESS_UNSUPPORTED', `${req.what}: cannot decompress this ${req.format} data here (${detail})`);
    default:
      return fail('EDECOMPRESS_CORRUPT', `${req.what}: the ${req.format} data is damaged (${detail.replace(/\s+/g, ' ')}) after ${sink.count} bytes out`);
  }
}

/** Streams `input` through the format's decoder into `sink`; returns the decompressed byte count. */
export async function decompressInto(input: AsyncIterable<Uint8Array>, sink: OutputSink, req: DecompressRequest): Promise<number> {
  try {
    const decode = decoderFor(req.format, () => (req.knownSize >= 0 ? req.knownSize : (req.lzmaBound ?? -1)));
    if (decode === null) throw fail('EDECOMPRESS_UNSUPPORTED', `${req.what}: no decoder for ${req.format} data here`);
    await decode(input, sink);
  } catch (e) {
    throw failure(e, req, sink);
  }
  if (sink.count === 0) throw fail('EDECOMPRESS_EMPTY', `${req.what}: the ${req.format} data decompresses to nothing`);
  if (req.knownSize >= 0 && req.knownSize !== sink.count % 2 ** 32) {
    throw fail('EDECOMPRESS_SIZE', `${req.what}: decompresses to ${sink.count} bytes but says ${req.knownSize}: the file is damaged`);
  }
  return sink.count;
}

/** The bound for an lzma stream of `compressed` bytes with no known size: MAX_LZMA_RATIO times it, under 2 GiB. */
export function lzmaBound(compressed: number): number {
  return Math.min(MAX_LZMA_RATIO * compressed, MAX_OUTPUT_BYTES) - 1;
}

/** A .lzma ("LZMA alone") file's header size field (bytes 5..13), or -1 when unknown (all ones) or too large. */
export function lzmaHeaderSize(head: Uint8Array): number {
  if (head.length < 13) return -1;
  const n = new DataView(head.buffer, head.byteOffset, head.byteLength).getBigUint64(5, true);
  return n >= BigInt(MAX_OUTPUT_BYTES) ? -1 : Number(n);
}
