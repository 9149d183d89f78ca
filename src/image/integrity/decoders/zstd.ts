/**
 * zstd payloads: fzstd (pure JS) decodes the frame in a streaming way; it does not verify the
 * frame's content checksum, so we do: the low 32 bits of XXH64 (seed 0) over the decompressed
 * data, stored in the frame's last 4 bytes when Content_Checksum_flag is set (RFC 8878 3.1.1).
 * The kernel build writes one frame (`zstd -22 --ultra`, scripts/Makefile.lib cmd_zstd22), whose
 * checksum the zstd tool enables by default.
 */
import { Decompress } from 'fzstd';
import xxhash from 'xxhash-wasm';
import { PayloadError, errorText, isPayloadError } from '../payload-error.js';
import type { OutputSink } from '../sink.js';
import type { DecodeReport } from './types.js';

/** fzstd's ZstdErrorCode.UnexpectedEOF. */
const FZSTD_UNEXPECTED_EOF = 5;
const FHD_CHECKSUM_FLAG = 1 << 2;

let hasher: ReturnType<typeof xxhash> | null = null;

function zstdFailure(e: unknown): PayloadError {
  if (isPayloadError(e)) return e;
  const code = (e as { code?: unknown }).code;
  if (code === FZSTD_UNEXPECTED_EOF) return new PayloadError('EPAYLOAD_TRUNCATED', `zstd: ${errorText(e)}`);
  return new PayloadError('EPAYLOAD_CORRUPT', `zstd: ${errorText(e)}`);
}

/** The last `keep` bytes of a followed by b (all of them when keep is Infinity). */
function joinTail(a: Uint8Array, b: Uint8Array, keep: number): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return keep === Infinity ? out : out.slice(Math.max(0, out.length - keep));
}

export async function decodeZstd(input: AsyncIterable<Uint8Array>, sink: OutputSink): Promise<DecodeReport> {
  hasher ??= xxhash();
  const h64 = (await hasher).create64(0n);
  let prefix: Uint8Array = new Uint8Array(0);
  let last4: Uint8Array = new Uint8Array(0);
  const d = new Decompress((chunk) => {
    sink.write(chunk);
    h64.update(chunk);
  });
  let held: Uint8Array | null = null;
  try {
    for await (const chunk of input) {
      if (prefix.length < 5) prefix = joinTail(prefix, chunk, Infinity).subarray(0, 5);
      last4 = joinTail(last4, chunk.subarray(Math.max(0, chunk.length - 4)), 4);
      if (held !== null) d.push(held, false);
      held = chunk;
    }
    d.push(held ?? new Uint8Array(0), true);
  } catch (e) {
    throw zstdFailure(e);
  }
  const fhd = prefix[4];
  if (fhd === undefined || (fhd & FHD_CHECKSUM_FLAG) === 0) return { checksum: false };
  const want = new DataView(last4.buffer, last4.byteOffset, last4.byteLength).getUint32(0, true);
  const got = Number(h64.digest() & 0xffffffffn);
  if (got !== want) {
    throw new PayloadError('EPAYLOAD_CHECKSUM', `zstd: content checksum ${got.toString(16)}, frame says ${want.toString(16)}`);
  }
  return { checksum: true };
}
