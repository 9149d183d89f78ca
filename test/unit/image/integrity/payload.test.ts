import { describe, expect, it } from 'vitest';
import { verifyKernelPayload } from '../../../../src/image/integrity/index.js';
import type { PayloadRefused, PayloadVerified } from '../../../../src/image/integrity/index.js';
import { chunked, compressWith, fakeVmlinux, flip, kernelPayload } from './payloads.js';
import type { Tool } from './payloads.js';

const VMLINUX = fakeVmlinux(300_000);
const WHAT = '/boot/vmlinuz-test';

async function verify(payload: Uint8Array, chunk = 65536, opts: { maxOutputBytes?: number } = {}): Promise<PayloadVerified | PayloadRefused> {
  return verifyKernelPayload(chunked(payload, chunk), { what: WHAT, ...opts });
}

function codeOf(r: PayloadVerified | PayloadRefused): string {
  return r.ok ? 'ok' : r.code;
}

const FORMATS: [Tool, string, boolean][] = [
  ['gzip', 'gzip', true],
  ['zstd', 'zstd', true],
  ['xz', 'xz', true],
  ['bzip2', 'bzip2', true],
  ['lz4', 'lz4-legacy', false],
  ['lzma', 'lzma', false],
];

describe.each(FORMATS)('%s payload', (tool, format, checksum) => {
  const payload = kernelPayload(tool, VMLINUX);

  it('verifies a good payload, whatever the chunk size', async () => {
    for (const chunk of [payload.length, 65536, 4099, 7]) {
      expect(await verify(payload, chunk)).toEqual({
        ok: true,
        format,
        compressedBytes: payload.length,
        decompressedBytes: VMLINUX.length,
        checksum,
      });
    }
  });

  it('refuses a payload whose stream is cut short (the appended size kept)', async () => {
    const z = compressWith(tool, VMLINUX);
    const half = z.subarray(0, Math.floor(z.length / 2));
    const cut = tool === 'gzip' ? half : Buffer.concat([half, payload.subarray(-4)]);
    const r = await verify(cut);
    expect(r.ok).toBe(false);
    // LZ4 legacy and lzma have no end marker the decoder must meet: the appended-size check catches them.
    expect(['EPAYLOAD_TRUNCATED', ...(checksum ? [] : ['EPAYLOAD_SIZE'])]).toContain(codeOf(r));
    expect(r.ok ? '' : r.message).toMatch(/^\/boot\/vmlinuz-test: its .* kernel .*; free space in \/boot and reinstall the kernel package$/);
  });

  it('refuses a wrong appended size', async () => {
    const wrong = tool === 'gzip' ? flip(payload, -1, 0x01) : kernelPayload(tool, VMLINUX, VMLINUX.length + 16);
    const r = await verify(wrong);
    // gzip's appended size is its ISIZE, which zlib checks first.
    expect(codeOf(r)).toBe(tool === 'gzip' ? 'EPAYLOAD_CHECKSUM' : 'EPAYLOAD_SIZE');
    if (tool !== 'gzip') expect(r.ok ? '' : r.message).toContain(`decompresses to ${VMLINUX.length} bytes but the image says ${VMLINUX.length + 16}`);
  });

  it('refuses output that is not an ELF vmlinux', async () => {
    const notElf = VMLINUX.slice();
    notElf[1] = 0x46;
    const r = await verify(kernelPayload(tool, notElf));
    expect(codeOf(r)).toBe('EPAYLOAD_NOT_ELF');
    expect(r.ok ? '' : r.message).toContain('it starts with 7f 46 4c 46');
  });

  it('stops at the output cap', async () => {
    const r = await verify(payload, 65536, { maxOutputBytes: 100_000 });
    expect(codeOf(r)).toBe('EPAYLOAD_TOO_LARGE');
    expect(r.decompressedBytes).toBeGreaterThan(100_000);
    expect(r.ok ? '' : r.message).toContain('past the output cap (more than 100000 bytes came out; kexec takes at most 2 GiB)');
  });
});

describe('a corrupted payload byte is refused for each format with a checksum', () => {
  const stream = (tool: Tool): Uint8Array => compressWith(tool, VMLINUX);

  it('gzip: a data byte, and the stored CRC32', async () => {
    const p = kernelPayload('gzip', VMLINUX);
    expect(['EPAYLOAD_CHECKSUM', 'EPAYLOAD_CORRUPT']).toContain(codeOf(await verify(flip(p, Math.floor(p.length / 2)))));
    expect(codeOf(await verify(flip(p, -8)))).toBe('EPAYLOAD_CHECKSUM');
  });

  it('zstd: a literal byte deep in the frame, and the stored XXH64', async () => {
    const z = stream('zstd');
    const withSize = (s: Uint8Array): Uint8Array => Buffer.concat([s, Buffer.from(kernelPayload('zstd', VMLINUX).subarray(-4))]);
    const mid = await verify(withSize(flip(z, Math.floor(z.length * 0.6))));
    expect(['EPAYLOAD_CHECKSUM', 'EPAYLOAD_CORRUPT', 'EPAYLOAD_SIZE']).toContain(codeOf(mid));
    const r = await verify(withSize(flip(z, -2)));
    expect(codeOf(r)).toBe('EPAYLOAD_CHECKSUM');
    expect(r.ok ? '' : r.message).toMatch(/fails its checksum \(zstd: content checksum [0-9a-f]+, frame says [0-9a-f]+\)/);
  });

  it('xz: a data byte, and the stored CRC32 of the block', async () => {
    const p = kernelPayload('xz', VMLINUX);
    expect(codeOf(await verify(flip(p, Math.floor(p.length / 2))))).toBe('EPAYLOAD_CORRUPT');
    // Stream footer (12) + index (>= 12) precede the 4 appended bytes; the block's CRC32 sits before the index.
    const z = stream('xz');
    const indexStart = z.length - 12 - (new DataView(z.buffer, z.byteOffset).getUint32(z.length - 8, true) + 1) * 4;
    const r = await verify(flip(p, indexStart - 1));
    expect(codeOf(r)).toBe('EPAYLOAD_CORRUPT');
    expect(r.ok ? '' : r.message).toContain('failed CRC check');
  });

  it('bzip2: a data byte, and the stored stream CRC', async () => {
    const p = kernelPayload('bzip2', VMLINUX);
    expect(['EPAYLOAD_CHECKSUM', 'EPAYLOAD_CORRUPT']).toContain(codeOf(await verify(flip(p, Math.floor(p.length / 2)))));
    // The stream CRC is the last 32 bits before the byte padding: the top bit of the stream's last byte is one of them.
    expect(codeOf(await verify(flip(p, -5, 0x80)))).toBe('EPAYLOAD_CHECKSUM');
  });
});

describe('formats and options the verifier cannot check', () => {
  it('reports xz with the x86 BCJ filter (kernel builds) as unsupported, not damaged', async () => {
    const r = await verify(kernelPayload('xz-bcj', VMLINUX));
    expect(codeOf(r)).toBe('EPAYLOAD_UNSUPPORTED');
    expect(r.ok ? '' : r.message).toContain('cannot be verified here (xz: a filter this verifier lacks');
  });

  it('reports lzo as unsupported', async () => {
    expect(codeOf(await verify(kernelPayload('lzo', VMLINUX)))).toBe('EPAYLOAD_UNSUPPORTED');
  });

  it('refuses a payload with no known magic and an empty one', async () => {
    expect(codeOf(await verify(new Uint8Array(64)))).toBe('EPAYLOAD_CORRUPT');
    expect(codeOf(await verify(new Uint8Array(0)))).toBe('EPAYLOAD_CORRUPT');
  });
});

describe('LZ4 legacy framing', () => {
  it('verifies a multi-block stream (blocks of 8 MiB) and refuses a dropped block', async () => {
    const big = fakeVmlinux((8 << 20) + 123_457, 7);
    const p = kernelPayload('lz4', big);
    expect(await verify(p, 1 << 20)).toMatchObject({ ok: true, decompressedBytes: big.length });
    const firstBlock = new DataView(p.buffer, p.byteOffset).getUint32(4, true);
    const dropped = Buffer.concat([p.subarray(0, 4), p.subarray(8 + firstBlock)]);
    expect(codeOf(await verify(dropped))).toBe('EPAYLOAD_SIZE');
  });

  it('refuses a block size no LZ4 block can have', async () => {
    const p = kernelPayload('lz4', VMLINUX).slice();
    new DataView(p.buffer).setUint32(4, 0x7fffffff, true);
    expect(codeOf(await verify(p))).toBe('EPAYLOAD_CORRUPT');
  });
});

describe('options and bounds', () => {
  it('verifies a payload without appended size or ELF (a gzip arm64 Image)', async () => {
    const image = fakeVmlinux(50_000).fill(0x41, 0, 4);
    const r = await verifyKernelPayload(chunked(compressWith('gzip', image)), { sizeTrailer: false, expectElf: false });
    expect(r).toMatchObject({ ok: true, format: 'gzip', decompressedBytes: 50_000, checksum: true });
  });

  it('declines an lzma payload whose appended size is over 64:1, before decoding it', async () => {
    const r = await verify(kernelPayload('lzma', VMLINUX, 0x7fff0000));
    expect(codeOf(r)).toBe('EPAYLOAD_UNSUPPORTED');
    expect(r.decompressedBytes).toBe(0);
  });

  it('cannot bound an lzma payload without appended size', async () => {
    const r = await verifyKernelPayload(chunked(compressWith('lzma', VMLINUX)), { sizeTrailer: false });
    expect(codeOf(r)).toBe('EPAYLOAD_UNSUPPORTED');
  });
});
