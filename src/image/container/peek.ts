/**
 * The plain kernel's first bytes inside a wrapped kernel file, synchronously and without
 * decompressing it all, for `plan` and `list` (release, command-line size): a UKI's .linux is
 * read in place; a gzip stream (a whole file, or a zboot payload) is inflated only as far as the
 * header needs (zlib with Z_SYNC_FLUSH accepts a cut-off input). Other compressions need the full
 * streaming decoder, which only the load runs: null then. Pure apart from the `readAt` callback.
 */
import { constants, gunzipSync } from 'node:zlib';
import { classifyKernelFile } from './classify.js';

/** Reads `length` bytes at `offset` of the file (fewer at its end). */
export type ReadAt = (offset: number, length: number) => Uint8Array;

/** Compressed bytes read to find the inner header: kernels' setup code and version string sit in the first 64 KiB. */
const GZIP_PREFIX = 1 << 20;

function gunzipPrefix(bytes: Uint8Array, want: number): Uint8Array | null {
  try {
    return gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: Math.max(want, 1 << 20) }).subarray(0, want);
  } catch {
    return null;
  }
}

/** The first `want` bytes of the plain kernel inside the file, or null when only a load can tell. */
export function innerKernelHead(readAt: ReadAt, size: number, want: number, profile = 0): Uint8Array | null {
  let read = readAt;
  let len = size;
  for (let depth = 0; depth < 3; depth++) {
    const head = read(0, want);
    const c = classifyKernelFile(head, len, 'kernel', profile);
    if (c.kind === 'plain') return head;
    if (c.kind === 'uki') {
      const outer = read;
      const base = c.uki.linux.offset;
      const end = c.uki.linux.size;
      read = (off, n) => outer(base + off, Math.max(0, Math.min(n, end - off)));
      len = end;
      continue;
    }
    const gz = c.kind === 'compressed' ? c.format === 'gzip' : c.zboot.compression === 'gzip';
    if (!gz) return null;
    const start = c.kind === 'zboot' ? c.zboot.payloadOffset : 0;
    const avail = c.kind === 'zboot' ? c.zboot.payloadSize : len;
    const inner = gunzipPrefix(read(start, Math.min(GZIP_PREFIX, avail)), want);
    if (inner === null) return null;
    read = (off, n) => inner.subarray(off, off + n);
    len = Number.MAX_SAFE_INTEGER;
  }
  return null;
}
