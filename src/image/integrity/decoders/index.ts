/**
 * The streaming decoder for each compression, in one table for the kernel payload check, the
 * initrd check and the unpacking of compressed kernels (src/image/container/decompress.ts).
 * lzma needs the uncompressed size the caller knows (a kernel's appended size); LZO has no
 * maintained decoder here (null).
 *
 * Each decoder module is imported on first use: together with their libraries (fzstd, xz-decompress,
 * seek-bzip, lzma1, xxhash-wasm) they are about 320 KB of JavaScript, and most commands that reach
 * the load path (`kexecctl status`, a reboot whose load is unchanged) never decode anything; the
 * bundler puts each behind its own chunk, so node compiles none of them until a check needs one.
 */
import type { CompressionFormat } from '../types.js';
import type { OutputSink } from '../sink.js';
import type { DecodeReport } from './types.js';

export type Decoder = (input: AsyncIterable<Uint8Array>, sink: OutputSink) => Promise<DecodeReport>;

export function decoderFor(format: CompressionFormat, appendedSize: () => number): Decoder | null {
  switch (format) {
    case 'gzip':
      return async (input, sink) => (await import('./gzip.js')).decodeGzip(input, sink);
    case 'zstd':
      return async (input, sink) => (await import('./zstd.js')).decodeZstd(input, sink);
    case 'xz':
      return async (input, sink) => (await import('./xz.js')).decodeXz(input, sink);
    case 'lz4-legacy':
      return async (input, sink) => (await import('./lz4-legacy.js')).decodeLz4Legacy(input, sink);
    case 'bzip2':
      return async (input, sink) => (await import('./bzip2.js')).decodeBzip2(input, sink);
    case 'lzma':
      return async (input, sink) => (await import('./lzma.js')).decodeLzma(input, sink, appendedSize());
    default:
      return null;
  }
}
