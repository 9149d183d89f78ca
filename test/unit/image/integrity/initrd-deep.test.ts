/**
 * Deep initrd verification (issue 18) against archives made by the real tools: GNU cpio -H newc
 * and gzip/zstd/xz/bzip2/lz4 command-line compressors, the way initramfs-tools and dracut build
 * them. A whole archive passes; one cut short anywhere, or with a flipped byte, is refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CpioWalker, verifyInitrd, type InitrdSource } from '../../../../src/image/integrity/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'kexecctl-initrd-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A newc cpio archive of a small tree, made by GNU cpio. */
function cpioArchive(tag: string, bigFile = 200_000): Buffer {
  const dir = join(tmp, `tree-${tag}`);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(join(dir, 'init'), '#!/bin/sh\necho hello\n');
  writeFileSync(join(dir, 'bin', 'big'), Buffer.alloc(bigFile, 0x41 + tag.length));
  const list = 'init\nbin\nbin/big\n';
  return execFileSync('cpio', ['-o', '-H', 'newc', '--quiet'], { cwd: dir, input: list });
}

function compress(tool: string, args: string[], data: Buffer): Buffer {
  return execFileSync(tool, args, { input: data, maxBuffer: 1 << 26 });
}

function source(bytes: Uint8Array, chunk = 4096): InitrdSource {
  return {
    async *chunks(offset: number, end = bytes.length) {
      for (let at = offset; at < end; at += chunk) yield bytes.slice(at, Math.min(at + chunk, end));
    },
    paddingStart: async () => {
      let i = bytes.length;
      while (i > 0 && bytes[i - 1] === 0) i--;
      return { start: i, size: bytes.length };
    },
  };
}

const COMPRESSORS: Array<[string, string, string[]]> = [
  ['gzip', 'gzip', ['-9', '-c']],
  ['zstd', 'zstd', ['-q', '-19', '-c']],
  ['xz', 'xz', ['--check=crc32', '-c']],
  ['bzip2', 'bzip2', ['-c']],
  ['lz4', 'lz4', ['-l', '-c']],
];

describe('verifyInitrd on real archives', () => {
  const raw = cpioArchive('a');

  it('accepts an uncompressed cpio archive', async () => {
    expect(await verifyInitrd(source(raw))).toEqual({ ok: true, warnings: [] });
  });

  it('refuses an uncompressed archive cut short inside a file, and inside a header', async () => {
    const r1 = await verifyInitrd(source(raw.subarray(0, raw.length - 300)), '/boot/initrd.img');
    expect(r1).toMatchObject({ ok: false, code: 'EINITRD_TRUNCATED' });
    if (!r1.ok) expect(r1.message).toMatch(/^\/boot\/initrd\.img: it ends /);
    expect(await verifyInitrd(source(raw.subarray(0, 150)))).toMatchObject({ ok: false, code: 'EINITRD_TRUNCATED' });
  });

  for (const [name, tool, args] of COMPRESSORS) {
    const packed = compress(tool, args, raw);
    it(`accepts a ${name} archive and refuses it cut short`, async () => {
      expect(await verifyInitrd(source(packed))).toEqual({ ok: true, warnings: [] });
      const cut = await verifyInitrd(source(packed.subarray(0, Math.floor(packed.length * 0.6))));
      expect(cut.ok).toBe(false);
      if (!cut.ok) expect(cut.code).toBe('EINITRD_TRUNCATED');
    });
  }

  it('refuses a gzip archive with a flipped byte in the middle', async () => {
    const packed = Buffer.from(compress('gzip', ['-c'], raw));
    const mid = Math.floor(packed.length / 2);
    packed[mid] = (packed[mid] as number) ^ 0xff;
    const r = await verifyInitrd(source(packed));
    expect(r.ok).toBe(false);
  });

  it('walks an early uncompressed cpio followed by a compressed main archive (initramfs-tools layout)', async () => {
    const early = cpioArchive('early', 1000);
    const main = compress('zstd', ['-q', '-c'], cpioArchive('main'));
    const whole = Buffer.concat([early, main]);
    expect(await verifyInitrd(source(whole, 777))).toEqual({ ok: true, warnings: [] });
    const cut = await verifyInitrd(source(whole.subarray(0, whole.length - 100)));
    expect(cut).toMatchObject({ ok: false, code: 'EINITRD_TRUNCATED' });
  });

  for (const [name, tool, args] of COMPRESSORS) {
    it(`accepts a ${name} archive padded with zeros to 4096 bytes, as concatenated initrds are`, async () => {
      const packed = compress(tool, args, raw);
      const padded = Buffer.concat([packed, Buffer.alloc(4096 - (packed.length % 4096))]);
      expect(await verifyInitrd(source(padded))).toEqual({ ok: true, warnings: [] });
    });
  }

  it('refuses a compressed stream that is whole but holds a cut-short cpio archive', async () => {
    const packed = compress('gzip', ['-c'], raw.subarray(0, raw.length - 300));
    const r = await verifyInitrd(source(packed));
    expect(r).toMatchObject({ ok: false, code: 'EINITRD_TRUNCATED' });
    if (!r.ok) expect(r.message).toMatch(/decompresses, but it ends inside "bin\/big"|decompresses, but it ends /);
  });

  it('leaves unknown leading bytes to the structural check (no second warning)', async () => {
    expect(await verifyInitrd(source(new TextEncoder().encode('not an initrd at all')))).toEqual({ ok: true, warnings: [] });
  });
});

describe('CpioWalker', () => {
  it('counts the entries GNU cpio wrote, whatever the chunking', () => {
    const raw = cpioArchive('b');
    for (const size of [1, 7, 110, 4096]) {
      const w = new CpioWalker();
      for (let at = 0; at < raw.length; at += size) w.push(raw.subarray(at, at + size));
      expect(w.end()).toEqual({ ok: true, archives: 1, entries: 3, stoppedAt: null });
    }
  });
  it('refuses garbage where a header should start', () => {
    const w = new CpioWalker();
    w.push(new TextEncoder().encode('070701zzzz'.padEnd(120, 'z')));
    expect(w.end()).toMatchObject({ ok: false, code: 'EINITRD_CPIO' });
  });
});
