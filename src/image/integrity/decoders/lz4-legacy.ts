/**
 * LZ4 legacy-frame payloads (`lz4 -l`, scripts/Makefile.lib cmd_lz4; the kernel's reader is
 * lib/decompress_unlz4.c): the magic 0x184C2102, then blocks of [u32 LE compressed size][raw LZ4
 * block], each decompressing to at most 8 MiB; a repeated magic starts a new stream; the stream
 * ends with the input. The format has no checksum: what is checked is the framing, each block's
 * decoding (lz4js's block decoder) and, by the caller, the total length against the appended size.
 */
import { decompressBlock } from 'lz4js';
import { ExactReader } from '../payload-input.js';
import { PayloadError } from '../payload-error.js';
import type { OutputSink } from '../sink.js';
import type { DecodeReport } from './types.js';

const LEGACY_MAGIC = 0x184c2102;
/** LEGACY_BLOCKSIZE of the lz4 tool (programs/lz4io.c) and uncomp_chunksize of unlz4. */
export const LZ4_LEGACY_BLOCK = 8 << 20;
/** LZ4_compressBound(8 MiB): the largest a legal block can be. */
const MAX_COMPRESSED_BLOCK = LZ4_LEGACY_BLOCK + Math.floor(LZ4_LEGACY_BLOCK / 255) + 16;

function u32(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
}

export async function decodeLz4Legacy(input: AsyncIterable<Uint8Array>, sink: OutputSink): Promise<DecodeReport> {
  const r = new ExactReader(input);
  const magic = await r.read(4);
  if (magic.length < 4 || u32(magic) !== LEGACY_MAGIC) throw new PayloadError('EPAYLOAD_CORRUPT', 'lz4: no legacy frame magic');
  const dst = new Uint8Array(LZ4_LEGACY_BLOCK);
  for (let block = 0; ; block++) {
    const hdr = await r.read(4);
    if (hdr.length === 0) break;
    if (hdr.length < 4) throw new PayloadError('EPAYLOAD_TRUNCATED', `lz4: block ${block} header cut short`);
    const size = u32(hdr);
    if (size === LEGACY_MAGIC) continue;
    // Zero padding after the last block (concatenated initrds are padded to 512/4096 bytes) ends the frame.
    if (size === 0 && (await r.read(LZ4_LEGACY_BLOCK)).every((b) => b === 0)) break;
    if (size === 0 || size > MAX_COMPRESSED_BLOCK) throw new PayloadError('EPAYLOAD_CORRUPT', `lz4: block ${block} claims ${size} compressed bytes`);
    const data = await r.read(size);
    if (data.length < size) throw new PayloadError('EPAYLOAD_TRUNCATED', `lz4: block ${block} has ${data.length} of its ${size} bytes`);
    const n = decompressBlock(data, dst, 0, size, 0);
    if (!Number.isInteger(n) || n <= 0 || n > LZ4_LEGACY_BLOCK) {
      throw new PayloadError('EPAYLOAD_CORRUPT', `lz4: block ${block} does not decode to 1 byte..8 MiB`);
    }
    sink.write(dst.subarray(0, n));
  }
  return { checksum: false };
}
