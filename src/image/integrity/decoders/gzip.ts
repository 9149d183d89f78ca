/**
 * gzip payloads through node:zlib's streaming gunzip, which checks the member's CRC32 and ISIZE
 * itself (RFC 1952 section 2.3.1) and reports a stream that ends before them.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { PayloadError, errorText, isPayloadError } from '../payload-error.js';
import type { OutputSink } from '../sink.js';
import type { DecodeReport } from './types.js';

function zlibFailure(e: unknown): PayloadError {
  if (isPayloadError(e)) return e;
  const code = (e as { code?: unknown }).code;
  const text = errorText(e);
  if (code === 'Z_BUF_ERROR') return new PayloadError('EPAYLOAD_TRUNCATED', `gzip: ${text}`);
  if (/incorrect (data|length) check/.test(text)) return new PayloadError('EPAYLOAD_CHECKSUM', `gzip: ${text}`);
  return new PayloadError('EPAYLOAD_CORRUPT', `gzip: ${text}`);
}

/** Output chunk size: zlib's default (16 KiB) made a 52 MB initramfs 3,300 thread-pool round trips. */
const GUNZIP_CHUNK = 1 << 20;

export async function decodeGzip(input: AsyncIterable<Uint8Array>, sink: OutputSink): Promise<DecodeReport> {
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      try {
        sink.write(chunk);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
  try {
    await pipeline(Readable.from(input, { objectMode: false }), createGunzip({ chunkSize: GUNZIP_CHUNK }), out);
  } catch (e) {
    throw zlibFailure(e);
  }
  return { checksum: true };
}
