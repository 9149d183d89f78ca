/**
 * Deep verification of a kernel's compressed payload (issue 18): stream it through its
 * decompressor, keep nothing but a count and the first bytes, and refuse a payload that ends
 * early, fails its checksum, decompresses to a length other than the one the build appended
 * (scripts/Makefile.lib size_append, read back by arch/x86/boot/compressed/mkpiggy.c as
 * z_output_len; for gzip the member's own ISIZE), or is not an ELF vmlinux.
 *
 * The caller streams the payload bytes (PayloadLocation.offset, .length from
 * checkBzImageIntegrity) as an async iterable of chunks from its fd; each chunk must be a fresh
 * buffer (as fs.createReadStream yields), since chunks may be held while the next is read.
 */
import { decoderFor } from './decoders/index.js';
import type { DecodeReport } from './decoders/types.js';
import { detectPayloadFormat, formatName, hexBytes, PAYLOAD_MAGIC_BYTES } from './magic.js';
import { errorText, isPayloadError } from './payload-error.js';
import { PayloadInput } from './payload-input.js';
import { OutputSink } from './sink.js';
import { KERNEL_ADVICE, MAX_OUTPUT_BYTES } from './types.js';
import type { CompressionFormat, PayloadCode } from './types.js';

export type VerifyPayloadOptions = {
  /** Names the file in messages (default "kernel"). */
  what?: string;
  /** Output cap in bytes (default and maximum 2 GiB, the kernel's kexec_file_load limit). */
  maxOutputBytes?: number;
  /** Whether the payload ends with the 4-byte uncompressed size (x86 bzImage: yes, the default). */
  sizeTrailer?: boolean;
  /** Whether the output must start with an ELF header (x86 vmlinux: yes, the default). */
  expectElf?: boolean;
};

export type PayloadVerified = {
  ok: true;
  format: CompressionFormat;
  /** Payload bytes read, the appended size included. */
  compressedBytes: number;
  decompressedBytes: number;
  /** The format's own checksum was verified (false for LZ4 legacy and lzma, which have none). */
  checksum: boolean;
};

export type PayloadRefused = {
  ok: false;
  code: PayloadCode;
  /** One line: what is wrong and what to do. */
  message: string;
  format: CompressionFormat | null;
  compressedBytes: number;
  decompressedBytes: number;
};

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

function message(code: PayloadCode, what: string, fmt: string, detail: string): string {
  switch (code) {
    case 'EPAYLOAD_TRUNCATED':
      return `${what}: its ${fmt} kernel ends early (${detail}); ${KERNEL_ADVICE}`;
    case 'EPAYLOAD_CHECKSUM':
      return `${what}: its ${fmt} kernel fails its checksum (${detail}); ${KERNEL_ADVICE}`;
    case 'EPAYLOAD_SIZE':
      return `${what}: its ${fmt} kernel ${detail}; ${KERNEL_ADVICE}`;
    case 'EPAYLOAD_TRAILING':
      return `${what}: its ${fmt} kernel has stray bytes (${detail}); ${KERNEL_ADVICE}`;
    case 'EPAYLOAD_NOT_ELF':
      return `${what}: its ${fmt} kernel decompresses to something else than an ELF vmlinux (${detail}); ${KERNEL_ADVICE}`;
    case 'EPAYLOAD_TOO_LARGE':
      return `${what}: its ${fmt} kernel decompresses past the output cap (${detail}; kexec takes at most 2 GiB); refusing a damaged or hostile file`;
    case 'EPAYLOAD_UNSUPPORTED':
      return `${what}: its ${fmt} kernel cannot be verified here (${detail}); only its structure was checked`;
    default:
      return `${what}: its ${fmt} kernel is damaged (${detail}); ${KERNEL_ADVICE}`;
  }
}

/** Streams `chunks` (the payload) through its decompressor; never throws for bad data. */
export async function verifyKernelPayload(chunks: AsyncIterable<Uint8Array>, opts: VerifyPayloadOptions = {}): Promise<PayloadVerified | PayloadRefused> {
  const what = opts.what ?? 'kernel';
  const cap = Math.min(opts.maxOutputBytes ?? MAX_OUTPUT_BYTES, MAX_OUTPUT_BYTES);
  const trailer = opts.sizeTrailer ?? true;
  const input = new PayloadInput(chunks);
  const sink = new OutputSink(cap);
  let format: CompressionFormat | null = null;
  const refuse = (code: PayloadCode, detail: string): PayloadRefused => ({
    ok: false,
    code,
    format,
    message: message(code, what, format === null ? 'compressed' : formatName(format), detail),
    compressedBytes: input.total,
    decompressedBytes: sink.count,
  });
  try {
    const first = await input.peek(PAYLOAD_MAGIC_BYTES);
    format = detectPayloadFormat(first);
    if (format === null) return refuse('EPAYLOAD_CORRUPT', `it starts with ${hexBytes(first)}, the magic of no known compression`);
    // gzip's last 4 bytes are its ISIZE, part of the stream; the other formats get the size appended.
    const holdBack = trailer && format !== 'gzip' ? 4 : 0;
    const appended = (): number => {
      const t = holdBack === 4 ? input.tail : input.last4;
      return t.length === 4 ? new DataView(t.buffer, t.byteOffset, 4).getUint32(0, true) : -1;
    };
    const decode = decoderFor(format, () => {
      const t = input.tail;
      return holdBack === 4 && t.length === 4 ? new DataView(t.buffer, t.byteOffset, 4).getUint32(0, true) : -1;
    });
    if (decode === null) return refuse('EPAYLOAD_UNSUPPORTED', format === 'lzo' ? 'no maintained LZO decoder is bundled' : 'nothing to decompress');
    const body = input.body(holdBack);
    // lzma needs the appended size before decoding: gather the body first so the tail is known.
    const report = format === 'lzma' ? await decodeAfterTail(body, decode, sink) : await decode(body, sink);
    if (trailer) {
      const size = appended();
      if (size < 0) return refuse('EPAYLOAD_TRUNCATED', `only ${input.total} bytes, no room for the appended size`);
      if (size !== sink.count % 2 ** 32) return refuse('EPAYLOAD_SIZE', `decompresses to ${sink.count} bytes but the image says ${size}`);
    }
    const head = sink.first();
    if ((opts.expectElf ?? true) && !ELF_MAGIC.every((b, i) => head[i] === b)) return refuse('EPAYLOAD_NOT_ELF', `it starts with ${hexBytes(head)}`);
    return { ok: true, format, compressedBytes: input.total, decompressedBytes: sink.count, checksum: report.checksum };
  } catch (e) {
    if (isPayloadError(e)) return refuse(e.code, e.message);
    return refuse('EPAYLOAD_CORRUPT', errorText(e));
  }
}

/** Drains `body` into memory first (so the held-back tail is known), then decodes it. */
async function decodeAfterTail(
  body: AsyncIterable<Uint8Array>,
  decode: (i: AsyncIterable<Uint8Array>, s: OutputSink) => Promise<DecodeReport>,
  sink: OutputSink,
): Promise<DecodeReport> {
  const parts: Uint8Array[] = [];
  for await (const c of body) parts.push(c);
  async function* replay(): AsyncGenerator<Uint8Array> {
    yield* parts;
  }
  return decode(replay(), sink);
}
