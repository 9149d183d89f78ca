/**
 * Test inputs for the integrity checks, made in the test run: a fake ELF "vmlinux", compressed by
 * node:zlib or by the system tools the kernel build itself uses (lz4 -l, xz, zstd, bzip2, lzma,
 * lzop) and framed the way scripts/Makefile.lib size_append does. A missing tool makes the test
 * fail (execFileSync throws ENOENT), never skip.
 */
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';

/** A deterministic, moderately compressible fake vmlinux: an ELF64 x86-64 ident, then text and noise. */
export function fakeVmlinux(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  const ident = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0];
  out.set(ident.slice(0, Math.min(size, ident.length)), 0);
  const words = Buffer.from('mov rax, [rbp-8]; call printk; ret; push rbx; xor eax, eax; lea rdi, [rip+0x100]; ');
  let x = seed >>> 0;
  for (let i = ident.length; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 28 === 0 ? (x >>> 16) & 0xff : (words[i % words.length] as number);
  }
  return out;
}

export type Tool = 'gzip' | 'lz4' | 'xz' | 'xz-bcj' | 'zstd' | 'bzip2' | 'lzma' | 'lzo';

/** The kernel build's compressor command for each format (scripts/Makefile.lib, scripts/xz_wrap.sh). */
const COMMANDS: Record<Exclude<Tool, 'gzip'>, [string, string[]]> = {
  lz4: ['lz4', ['-l', '-9', '-c']],
  xz: ['xz', ['--check=crc32', '--lzma2=dict=1MiB', '-c']],
  'xz-bcj': ['xz', ['--check=crc32', '--x86', '--lzma2=dict=1MiB', '-c']],
  zstd: ['zstd', ['-q', '-19', '-c']],
  bzip2: ['bzip2', ['-9', '-c']],
  lzma: ['lzma', ['-9', '-c']],
  lzo: ['lzop', ['-9', '-c']],
};

/** The compressed stream alone, as the tool writes it from a pipe. */
export function compressWith(tool: Tool, data: Uint8Array): Uint8Array {
  if (tool === 'gzip') return new Uint8Array(gzipSync(data, { level: 9 }));
  const [cmd, args] = COMMANDS[tool];
  return new Uint8Array(execFileSync(cmd, args, { input: data, maxBuffer: 256 << 20 }));
}

function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

/** A bzImage payload: the stream plus, except for gzip (its ISIZE is the trailer), the appended size. */
export function kernelPayload(tool: Tool, data: Uint8Array, appended = data.length): Uint8Array {
  const z = compressWith(tool, data);
  if (tool === 'gzip') return z;
  return Buffer.concat([z, u32le(appended)]);
}

/** The payload as the caller would stream it from its fd, in chunks of `size` bytes (fresh buffers). */
export async function* chunked(buf: Uint8Array, size = 65536): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.slice(i, Math.min(buf.length, i + size));
}

/** A copy with one byte XORed. */
export function flip(buf: Uint8Array, at: number, mask = 0x20): Uint8Array {
  const c = buf.slice();
  const i = at < 0 ? c.length + at : at;
  c[i] = (c[i] as number) ^ mask;
  return c;
}
