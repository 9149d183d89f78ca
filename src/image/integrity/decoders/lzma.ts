/**
 * lzma ("LZMA alone", `lzma -9`, scripts/Makefile.lib cmd_lzma) payloads through lzma1 (pure JS,
 * a maintained TypeScript fork of LZMA-JS). Its header is 13 bytes: properties, u32 dictionary
 * size, u64 uncompressed size (all ones when unknown, as the kernel build writes it since it
 * compresses a pipe). The format has no checksum.
 *
 * lzma1 decodes a whole buffer, so the input is gathered (at most payload_length) and the output
 * exists once. To bound it, an unknown size in the header is replaced by appendedSize + 1 (itself
 * at most MAX_LZMA_RATIO times the input): a good stream still ends at its end marker after
 * appendedSize bytes, a bad one stops just past it and fails the length check.
 */
import { decompress } from 'lzma1';
import { collectAll } from '../payload-input.js';
import { PayloadError, errorText, isPayloadError } from '../payload-error.js';
import type { OutputSink } from '../sink.js';
import type { DecodeReport } from './types.js';
import { MAX_LZMA_RATIO } from '../types.js';

const HEADER = 13;
/** lc + lp * 9 + pb * 45 must stay below 9 * 5 * 5. */
const MAX_PROPS = 225;
/**
 * lzma1 does not stop when its input runs out (it decodes on until the declared size), so a
 * damaged appended size would have it produce that much garbage in memory. A vmlinux.bin.all
 * compresses 3-6:1 with lzma; past 64:1 we decline to verify (unsupported, not a refusal: a
 * legitimate but unusual stream must not be refused).
 */

/** `appendedSize`: the size the build appended after the stream, or -1 when the payload has none. */
export async function decodeLzma(input: AsyncIterable<Uint8Array>, sink: OutputSink, appendedSize: number): Promise<DecodeReport> {
  const data = await collectAll(input);
  if (data.length < HEADER) throw new PayloadError('EPAYLOAD_TRUNCATED', `lzma: ${data.length} bytes, less than its 13-byte header`);
  if (appendedSize < 0) throw new PayloadError('EPAYLOAD_UNSUPPORTED', 'lzma: without the appended size its output cannot be bounded');
  if (appendedSize > MAX_LZMA_RATIO * data.length) {
    throw new PayloadError(
      'EPAYLOAD_UNSUPPORTED',
      `lzma: its appended size of ${appendedSize} bytes is over ${MAX_LZMA_RATIO} times the ${data.length} compressed bytes, too much to decode in memory`,
    );
  }
  if ((data[0] as number) >= MAX_PROPS) throw new PayloadError('EPAYLOAD_CORRUPT', `lzma: invalid properties byte ${data[0]}`);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (v.getBigUint64(5, true) === 0xffffffffffffffffn) v.setBigUint64(5, BigInt(appendedSize + 1), true);
  let out: Uint8Array;
  try {
    out = decompress(data);
  } catch (e) {
    if (isPayloadError(e)) throw e;
    const text = errorText(e);
    if (/truncated/.test(text)) throw new PayloadError('EPAYLOAD_TRUNCATED', `lzma: ${text}`);
    throw new PayloadError('EPAYLOAD_CORRUPT', `lzma: ${text}`);
  }
  sink.write(out);
  return { checksum: false };
}
