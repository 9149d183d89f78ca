/**
 * Deep verification of an initrd (issue 18): is it whole, the way init/initramfs.c
 * unpack_to_rootfs() will read it? That function takes, in a loop: an uncompressed cpio archive
 * (a '0' at a header boundary), zero padding, or a compressed segment (lib/decompress.c magic)
 * whose output is again a cpio stream, failing with "decompressor failed" or "junk at the end of
 * compressed archive". We reproduce that walk without keeping any data: uncompressed archives
 * must reach their TRAILER!!!, a compressed segment must decompress to its end with its
 * checksum, and its output must be whole cpio archives. A cut-short initrd is refused; a segment
 * we cannot decode here (LZO, lzma, bytes after a compressed stream) is a warning.
 *
 * Simplification, said aloud: a compressed segment is taken to run to the end of the file (the
 * decoders do not report how much input they used); Debian's and dracut's layouts (uncompressed
 * early cpio, then one compressed archive) are covered completely.
 */
import { CpioWalker, type CpioVerdict } from './cpio-walk.js';
import { decoderFor } from './decoders/index.js';
import { detectInitrdKind, formatName, hexBytes } from './magic.js';
import { errorText, isPayloadError } from './payload-error.js';
import { OutputSink } from './sink.js';
import { INITRD_ADVICE, MAX_OUTPUT_BYTES } from './types.js';

export type InitrdCode = 'EINITRD_TRUNCATED' | 'EINITRD_CORRUPT';

/**
 * The file, as the caller reads it: fresh chunks from an offset to `end` (default: the file's end),
 * and where its trailing zero padding starts (the file's size when there is none).
 */
export type InitrdSource = { chunks(offset: number, end?: number): AsyncIterable<Uint8Array>; paddingStart(): Promise<{ start: number; size: number }> };

export type InitrdVerdict = { ok: true; warnings: string[] } | { ok: false; code: InitrdCode; message: string };

/** Output sink that also walks the decompressed bytes as cpio. */
class CpioSink extends OutputSink {
  readonly walker = new CpioWalker();
  override write(chunk: Uint8Array): void {
    super.write(chunk);
    this.walker.push(chunk);
  }
}

function refuse(code: InitrdCode, what: string, detail: string): InitrdVerdict {
  return { ok: false, code, message: `${what}: ${detail}; ${INITRD_ADVICE}` };
}

function cpioRefusal(v: Extract<CpioVerdict, { ok: false }>, what: string, inside: string): InitrdVerdict {
  return v.code === 'EINITRD_TRUNCATED'
    ? refuse('EINITRD_TRUNCATED', what, `${inside}${v.detail}, so the new kernel would miss files`)
    : refuse('EINITRD_CORRUPT', what, `${inside}${v.detail}`);
}

async function firstBytes(src: InitrdSource, offset: number, n: number): Promise<Uint8Array> {
  for await (const c of src.chunks(offset)) return c.subarray(0, n);
  return new Uint8Array(0);
}

async function decodeWithoutPadding(src: InitrdSource, at: number, decode: NonNullable<ReturnType<typeof decoderFor>>, first: unknown): Promise<CpioSink> {
  const pad = await src.paddingStart();
  if (pad.start >= pad.size) throw first;
  for (let keep = 0; keep <= Math.min(4, pad.size - pad.start); keep++) {
    const sink = new CpioSink(MAX_OUTPUT_BYTES);
    try {
      await decode(src.chunks(at, pad.start + keep), sink);
      return sink;
    } catch {
      // try with one more byte of the zeros
    }
  }
  throw first;
}

/** Walks the whole initrd; never throws for bad data. */
export async function verifyInitrd(src: InitrdSource, what = 'initrd'): Promise<InitrdVerdict> {
  const raw = new CpioWalker({ stopAtForeign: true });
  for await (const chunk of src.chunks(0)) {
    raw.push(chunk);
    if (raw.done) break;
  }
  const top = raw.end();
  if (!top.ok) return cpioRefusal(top, what, '');
  if (top.stoppedAt === null) return { ok: true, warnings: [] };

  const at = top.stoppedAt;
  const head = await firstBytes(src, at, 8);
  const kind = detectInitrdKind(head);
  if (kind.kind !== 'compressed') {
    // At offset 0 checkInitrdIntegrity (the structural check) has already warned about these bytes.
    if (at === 0) return { ok: true, warnings: [] };
    return {
      ok: true,
      warnings: [`${what}: bytes ${hexBytes(head)} at offset ${at} are neither cpio nor a known compression; the kernel stops unpacking there`],
    };
  }
  const name = formatName(kind.format);
  const decode = decoderFor(kind.format, () => -1);
  if (decode === null || kind.format === 'lzma') {
    return { ok: true, warnings: [`${what}: its ${name} part at offset ${at} cannot be verified here; only its start was checked`] };
  }
  const inside = `its ${name} archive${at > 0 ? ` at offset ${at}` : ''} `;
  let sink = new CpioSink(MAX_OUTPUT_BYTES);
  try {
    try {
      await decode(src.chunks(at), sink);
    } catch (first) {
      // unpack_to_rootfs skips zero bytes after a compressed segment (concatenated initrds are
      // often padded to 512 or 4096): decode again without the padding. The stream's own last
      // bytes (gzip ISIZE, zstd checksum) may themselves end in zeros, so up to 4 are given back.
      sink = await decodeWithoutPadding(src, at, decode, first);
    }
  } catch (e) {
    const code = isPayloadError(e) ? e.code : 'EPAYLOAD_CORRUPT';
    const detail = isPayloadError(e) ? e.message : errorText(e);
    if (code === 'EPAYLOAD_TRAILING')
      return { ok: true, warnings: [`${what}: ${inside}is followed by more data (${detail}); only the first part was verified`] };
    if (code === 'EPAYLOAD_TRUNCATED') return refuse('EINITRD_TRUNCATED', what, `${inside}ends early (${detail})`);
    if (code === 'EPAYLOAD_CHECKSUM') return refuse('EINITRD_CORRUPT', what, `${inside}fails its checksum (${detail})`);
    if (code === 'EPAYLOAD_TOO_LARGE') return refuse('EINITRD_CORRUPT', what, `${inside}decompresses past 2 GiB (${detail})`);
    return refuse('EINITRD_CORRUPT', what, `${inside}is damaged (${detail})`);
  }
  const inner = sink.walker.end();
  if (!inner.ok) return cpioRefusal(inner, what, `${inside}decompresses, but `);
  return { ok: true, warnings: [] };
}
