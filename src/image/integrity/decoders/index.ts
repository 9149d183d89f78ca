/**
 * The streaming decoder for each compression, in one table for the kernel payload check and the
 * initrd check. lzma needs the uncompressed size the caller knows (a kernel's appended size);
 * LZO has no maintained decoder here (null).
 */
import type { CompressionFormat } from '../types.js';
import type { OutputSink } from '../sink.js';
import { decodeBzip2 } from './bzip2.js';
import { decodeGzip } from './gzip.js';
import { decodeLz4Legacy } from './lz4-legacy.js';
import { decodeLzma } from './lzma.js';
import type { DecodeReport } from './types.js';
import { decodeXz } from './xz.js';
import { decodeZstd } from './zstd.js';

export type Decoder = (input: AsyncIterable<Uint8Array>, sink: OutputSink) => Promise<DecodeReport>;

export function decoderFor(format: CompressionFormat, appendedSize: () => number): Decoder | null {
  switch (format) {
    case 'gzip':
      return decodeGzip;
    case 'zstd':
      return decodeZstd;
    case 'xz':
      return decodeXz;
    case 'lz4-legacy':
      return decodeLz4Legacy;
    case 'bzip2':
      return decodeBzip2;
    case 'lzma':
      return (input, sink) => decodeLzma(input, sink, appendedSize());
    default:
      return null;
  }
}
