/**
 * bzip2 payloads through seek-bzip (pure JS), which checks every block's CRC and the stream CRC
 * (bzip2 file format: block header 0x314159265359 + CRC, end marker 0x177245385090 + combined
 * CRC). seek-bzip is synchronous, so the compressed bytes are gathered first (at most
 * payload_length); the output is only counted. Input read past its end means the stream was cut.
 */
import Bunzip from 'seek-bzip';
import { collectAll } from '../payload-input.js';
import { PayloadError, errorText, isPayloadError } from '../payload-error.js';
import type { OutputSink } from '../sink.js';
import type { DecodeReport } from './types.js';

const OUT_BATCH = 64 * 1024;

export async function decodeBzip2(input: AsyncIterable<Uint8Array>, sink: OutputSink): Promise<DecodeReport> {
  const data = await collectAll(input);
  let pos = 0;
  let overrun = false;
  const src = {
    readByte(): number {
      if (pos < data.length) return data[pos++] as number;
      overrun = true;
      return -1;
    },
    read(buf: Uint8Array, off: number, len: number): number {
      if (pos >= data.length) {
        overrun = true;
        return -1;
      }
      const n = Math.min(len, data.length - pos);
      buf.set(data.subarray(pos, pos + n), off);
      pos += n;
      return n;
    },
    eof: (): boolean => pos >= data.length,
  };
  const batch = new Uint8Array(OUT_BATCH);
  let fill = 0;
  const dst = {
    writeByte(b: number): void {
      batch[fill++] = b;
      if (fill === OUT_BATCH) {
        sink.write(batch);
        fill = 0;
      }
    },
  };
  // seek-bzip allocates with the deprecated Buffer() constructor; bundled (outside node_modules)
  // Node would print DEP0005 on stderr. The decode is synchronous, so deprecation warnings are
  // silenced for exactly its duration.
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  try {
    Bunzip.decode(src, dst, false);
    sink.write(batch.subarray(0, fill));
  } catch (e) {
    if (isPayloadError(e)) throw e;
    if (overrun) throw new PayloadError('EPAYLOAD_TRUNCATED', `bzip2: the stream ends after ${data.length} bytes, before its end marker`);
    const text = errorText(e);
    if (/CRC/.test(text)) throw new PayloadError('EPAYLOAD_CHECKSUM', `bzip2: ${text}`);
    throw new PayloadError('EPAYLOAD_CORRUPT', `bzip2: ${text}`);
  } finally {
    process.noDeprecation = quiet ?? false;
  }
  if (overrun) throw new PayloadError('EPAYLOAD_TRUNCATED', `bzip2: the stream ends after ${data.length} bytes, before its end marker`);
  if (pos < data.length) throw new PayloadError('EPAYLOAD_TRAILING', `bzip2: ${data.length - pos} bytes follow the end of the stream`);
  return { checksum: true };
}
