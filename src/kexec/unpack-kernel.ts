/**
 * Taking a kernel file apart before the load (issue 11): a compressed file or a zboot payload is
 * stream-decompressed into a memfd, a UKI's .linux is copied into one and its .ucode + .initrd
 * into another, its .cmdline read; the result is unpacked again (a UKI's .linux may be a zboot
 * image) until a plain bzImage / arm64 Image remains, at most MAX_LAYERS deep. kexec-tools does
 * the same with temp files in /tmp (kexec-uki.c, kexec-pe-zboot.c, slurp_decompress_file()); a
 * memfd leaves nothing behind. A plain kernel is not touched: it keeps going to the kernel as its
 * own fd (IMA can appraise that one; a memfd has no xattrs).
 */
import { fstatSync, readSync, writeSync } from 'node:fs';
import { KexecError } from '../errors.js';
import { closeQuietly, preadFully, readHead, type OpenedFile } from '../host/open-checked.js';
import { INITRD_ALIGN } from '../host/memfd-concat.js';
import { classifyKernelFile, containerTypeName, type KernelContainer } from '../image/container/classify.js';
import { decompressInto, lzmaBound, lzmaHeaderSize, MAX_OUTPUT_BYTES } from '../image/container/decompress.js';
import { ukiText, type FileRange } from '../image/container/uki.js';
import { OutputSink } from '../image/integrity/sink.js';
import { KERNEL_HEADER_BYTES } from '../image/kernel-image.js';
import { MFD_CLOEXEC } from '../sys/constants.js';
import type { Kernel } from '../sys/kernel.js';

const MAX_LAYERS = 3;
const CHUNK = 1 << 20;
/** Longest .cmdline / .osrel / .uname we read. */
const MAX_TEXT = 64 * 1024;

export type Unpacked = {
  /** The plain kernel: the file itself, or a memfd holding it. */
  kernel: OpenedFile;
  /** The UKI's initrd (.ucode + .initrd) in a memfd; empty otherwise. */
  initrds: OpenedFile[];
  /** The UKI's .cmdline, or null. */
  cmdline: string | null;
  /** What was taken off, outermost first ("uki", "zboot gzip", "gzip"). */
  layers: string[];
  /** kexec -t name of the outermost wrapper ("uki", "vmlinuz"), null when none or only a compression. */
  typeName: string | null;
  /** A UKI was split: its signature no longer covers the parts handed to the kernel. */
  splitUki: boolean;
  /** Every memfd made, for the caller to close. */
  memfds: number[];
};

/** Writes decompressed chunks to a memfd as they come; counts and caps through OutputSink. */
class MemfdSink extends OutputSink {
  constructor(
    readonly fd: number,
    cap: number,
  ) {
    super(Math.min(cap, MAX_OUTPUT_BYTES));
  }
  override write(chunk: Uint8Array): void {
    super.write(chunk);
    for (let off = 0; off < chunk.length;) off += writeSync(this.fd, chunk, off, chunk.length - off);
  }
}

function memfd(kernel: Kernel, name: string, memfds: number[]): number {
  const res = kernel.memfdCreate(name, MFD_CLOEXEC);
  if (!res.ok) throw new KexecError({ code: 'EMEMFD', message: `memfd_create failed: ${res.message}`, errno: res.errno, syscall: 'memfd_create' });
  memfds.push(res.value);
  return res.value;
}

function asOpened(fd: number, label: string): OpenedFile {
  const stat = fstatSync(fd);
  return { path: label, fd, size: stat.size, stat };
}

/** The range's bytes in fresh chunks of at most 1 MiB (the decoders may hold a chunk while reading the next). */
async function* rangeChunks(fd: number, r: FileRange): AsyncGenerator<Uint8Array> {
  for (let at = r.offset, end = r.offset + r.size; at < end;) {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, end - at));
    const n = readSync(fd, buf, 0, buf.length, at);
    if (n === 0) return;
    at += n;
    yield buf.subarray(0, n);
  }
}

function pread(fd: number, r: FileRange): Buffer {
  return preadFully(fd, r.offset, r.size);
}

/** Copies ranges back to back into `dst` (each but the last zero-padded to 4 bytes, as memfd-concat does). */
function copyRanges(src: number, ranges: readonly FileRange[], dst: number): void {
  const buf = Buffer.allocUnsafe(CHUNK);
  let size = 0;
  ranges.forEach((r, i) => {
    for (let at = r.offset, end = r.offset + r.size; at < end;) {
      const n = readSync(src, buf, 0, Math.min(CHUNK, end - at), at);
      if (n === 0) throw new KexecError({ code: 'EUKITRUNCATED', message: `UKI section at ${r.offset} ends early: the file shrank`, exitCode: 2 });
      for (let off = 0; off < n;) off += writeSync(dst, buf, off, n - off);
      at += n;
      size += n;
    }
    const pad = (INITRD_ALIGN - (size % INITRD_ALIGN)) % INITRD_ALIGN;
    if (pad > 0 && i < ranges.length - 1) size += writeSync(dst, Buffer.alloc(pad));
  });
}

type Step = { next: OpenedFile; layer: string; initrd?: OpenedFile; cmdline?: string | null };

type UnpackOptions = { profile: number; maxOutputBytes: number };

async function unwrap(kernel: Kernel, cur: OpenedFile, c: KernelContainer, origin: string, memfds: number[], opts: UnpackOptions): Promise<Step> {
  if (c.kind === 'compressed') {
    const fd = memfd(kernel, 'kexecctl-kernel', memfds);
    const knownSize = c.format === 'lzma' ? lzmaHeaderSize(readHead(cur.fd, 13)) : -1;
    await decompressInto(rangeChunks(cur.fd, { offset: 0, size: cur.size }), new MemfdSink(fd, opts.maxOutputBytes), {
      format: c.format,
      what: cur.path,
      knownSize,
      lzmaBound: lzmaBound(cur.size),
    });
    return { next: asOpened(fd, `${origin} (${c.format}-decompressed)`), layer: c.format };
  }
  if (c.kind === 'zboot') {
    const z = c.zboot;
    const fd = memfd(kernel, 'kexecctl-kernel', memfds);
    // Makefile.zboot appends the 4-byte size after every payload but gzip's, outside payload_size.
    const body = { offset: z.payloadOffset, size: z.payloadSize };
    const knownSize = z.sizeAt === null ? -1 : pread(cur.fd, { offset: z.sizeAt, size: 4 }).readUInt32LE(0);
    await decompressInto(rangeChunks(cur.fd, body), new MemfdSink(fd, opts.maxOutputBytes), {
      format: z.compression,
      what: `${cur.path} (zboot payload)`,
      knownSize,
    });
    return { next: asOpened(fd, `${origin} (zboot ${z.compressionName} payload)`), layer: `zboot ${z.compressionName}` };
  }
  if (c.kind !== 'uki') throw new Error('unwrap: plain kernel');
  const u = c.uki;
  const kfd = memfd(kernel, 'kexecctl-uki-linux', memfds);
  copyRanges(cur.fd, [u.linux], kfd);
  const step: Step = { next: asOpened(kfd, `${origin} (.linux)`), layer: u.profiles > 0 ? `uki profile ${u.profile}` : 'uki' };
  if (u.initrds.length > 0) {
    const ifd = memfd(kernel, 'kexecctl-uki-initrd', memfds);
    copyRanges(cur.fd, u.initrds, ifd);
    step.initrd = asOpened(ifd, `${origin} (${u.initrds.length === 2 ? '.ucode + .initrd' : 'initrd'})`);
  }
  if (u.cmdline !== null) step.cmdline = ukiText(pread(cur.fd, { offset: u.cmdline.offset, size: Math.min(u.cmdline.size, MAX_TEXT) }));
  return step;
}

/**
 * Unpacks `file` (already opened and trust-checked); on failure closes the memfds it made.
 * maxOutputBytes: tests lower the 2 GiB cap (it is never raised past it).
 */
export async function unpackKernel(kernel: Kernel, file: OpenedFile, options: Partial<UnpackOptions> = {}): Promise<Unpacked> {
  const opts: UnpackOptions = { profile: options.profile ?? 0, maxOutputBytes: options.maxOutputBytes ?? MAX_OUTPUT_BYTES };
  const profile = opts.profile;
  const out: Unpacked = { kernel: file, initrds: [], cmdline: null, layers: [], typeName: null, splitUki: false, memfds: [] };
  try {
    for (let depth = 0; ; depth++) {
      const c = classifyKernelFile(readHead(out.kernel.fd, KERNEL_HEADER_BYTES), out.kernel.size, out.kernel.path, profile);
      if (c.kind === 'plain') return out;
      if (depth === MAX_LAYERS) {
        throw new KexecError({
          code: 'ETOODEEP',
          message: `${file.path}: more than ${MAX_LAYERS} layers of compression/containers around the kernel`,
          exitCode: 2,
        });
      }
      if (depth === 0) out.typeName = containerTypeName(c);
      if (c.kind === 'uki' && out.splitUki) throw new KexecError({ code: 'ENOTUKI', message: `${file.path}: a UKI inside a UKI`, exitCode: 2 });
      const step = await unwrap(kernel, out.kernel, c, file.path, out.memfds, opts);
      out.kernel = step.next;
      out.layers.push(step.layer);
      if (c.kind === 'uki') out.splitUki = true;
      if (step.initrd !== undefined) out.initrds.push(step.initrd);
      if (step.cmdline !== undefined) out.cmdline = step.cmdline;
    }
  } catch (e) {
    for (const fd of out.memfds) closeQuietly(fd);
    throw e;
  }
}

/** Whether the file needs unpacking at all (cheap: the head only), so a plain kernel keeps the synchronous path. */
export function needsUnpacking(file: OpenedFile): boolean {
  return classifyKernelFile(readHead(file.fd, KERNEL_HEADER_BYTES), file.size, file.path).kind !== 'plain';
}
