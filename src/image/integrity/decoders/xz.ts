/**
 * xz payloads through xz-decompress (xz-embedded compiled to WebAssembly, inlined in its JS): it
 * checks block and index CRCs and the stream's CRC32/CRC64 check, and reports input that ends
 * early. xz-embedded's return codes (linux/include/linux/xz.h enum xz_ret) name the failure.
 *
 * The x86 kernel build compresses with the x86 BCJ filter (scripts/xz_wrap.sh), which this build
 * of xz-embedded lacks: such a payload is reported as EPAYLOAD_UNSUPPORTED, not as damaged.
 */
import { XzReadableStream } from 'xz-decompress';
import { PayloadError, errorText, isPayloadError } from '../payload-error.js';
import type { OutputSink } from '../sink.js';
import type { DecodeReport } from './types.js';

const XZ_MEM_ERROR = 3;
const XZ_MEMLIMIT_ERROR = 4;
const XZ_FORMAT_ERROR = 5;
const XZ_OPTIONS_ERROR = 6;
const XZ_DATA_ERROR = 7;
const XZ_BUF_ERROR = 8;

function xzFailure(e: unknown): PayloadError {
  if (isPayloadError(e)) return e;
  const text = errorText(e);
  const m = /error code (\d+)/.exec(text);
  const code = m === null ? -1 : Number(m[1]);
  switch (code) {
    case XZ_BUF_ERROR:
      return new PayloadError('EPAYLOAD_TRUNCATED', 'xz: the stream ends before its index and footer');
    case XZ_DATA_ERROR:
      return new PayloadError('EPAYLOAD_CORRUPT', 'xz: data error (damaged data or a failed CRC check)');
    case XZ_OPTIONS_ERROR:
      return new PayloadError('EPAYLOAD_UNSUPPORTED', 'xz: a filter this verifier lacks (the x86 BCJ filter of kernel builds)');
    case XZ_FORMAT_ERROR:
      return new PayloadError('EPAYLOAD_CORRUPT', 'xz: not a valid xz stream header');
    case XZ_MEM_ERROR:
    case XZ_MEMLIMIT_ERROR:
      return new PayloadError('EPAYLOAD_UNSUPPORTED', 'xz: dictionary too large for the verifier');
    default:
      return new PayloadError('EPAYLOAD_CORRUPT', `xz: ${text}`);
  }
}

/** A web ReadableStream over an async iterable, pulled on demand. */
function toWebStream(input: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const it = input[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const r = await it.next();
      if (r.done === true) controller.close();
      else controller.enqueue(r.value);
    },
  });
}

export async function decodeXz(input: AsyncIterable<Uint8Array>, sink: OutputSink): Promise<DecodeReport> {
  try {
    for await (const chunk of new XzReadableStream(toWebStream(input))) sink.write(chunk);
  } catch (e) {
    throw xzFailure(e);
  }
  return { checksum: true };
}
