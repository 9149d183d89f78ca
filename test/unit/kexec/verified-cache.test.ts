/**
 * Issue 14: the deep check is made once per file version (src/kexec/verified-cache.ts). The proof
 * that a check is skipped is a damaged kernel whose version the cache holds: it loads; without the
 * cache, or after any change to the file (ctime), it is refused as before.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKernelChecked, type LoadRequest } from '../../../src/kexec/load.js';
import { FileVerifiedCache, fileVersionKey, formatVerified, parseVerified, VERIFIED_FILE, withVerified } from '../../../src/kexec/verified-cache.js';
import { FakeKernel } from '../../../src/sys/fake-kernel.js';
import { FAKE_KERN16, FAKE_PAYLOAD_OFFSET, fakeBzPayload } from '../../helpers/fake-kernel-image.js';
import { makeKexecFixture, type KexecFixture } from '../../helpers/kexec-fixture.js';

let fx: KexecFixture;
beforeEach(() => {
  fx = makeKexecFixture();
});
afterEach(() => fx.cleanup());

const req = (over: Partial<LoadRequest> = {}): LoadRequest => ({
  kernelPath: fx.kernel,
  initrdPaths: [fx.initrd1],
  cmdline: 'root=/dev/vda',
  crash: false,
  mode: 'auto',
  verify: true,
  ...over,
});
const keyOf = (p: string): string => {
  const fd = openSync(p, 'r');
  try {
    return fileVersionKey(fd);
  } finally {
    closeSync(fd);
  }
};
/** The fixture's kernel with one payload byte flipped: the deep check refuses it (EPAYLOAD_*). */
function damagedKernel(): string {
  const p = join(fx.dir, 'vmlinuz-damaged');
  const b = readFileSync(fx.kernel);
  const at = FAKE_KERN16 + FAKE_PAYLOAD_OFFSET + fakeBzPayload().length - 8;
  b[at] = (b[at] as number) ^ 0x01;
  writeFileSync(p, b);
  chmodSync(p, 0o644);
  return p;
}
const cache = (write = true): FileVerifiedCache => new FileVerifiedCache(fx.root, { write, trustedUids: fx.trust.trustedUids });
const cacheFile = (): string => join(fx.root, VERIFIED_FILE);
function writeCache(text: string): void {
  mkdirSync(dirname(cacheFile()), { recursive: true });
  writeFileSync(cacheFile(), text, { mode: 0o644 });
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the verified file (pure)', () => {
  it('keeps KEY PATH lines, drops anything else', () => {
    expect(parseVerified('1:2:3:4:5 /boot/vmlinuz\nnot a key\n1:2:3:4 /short\n\n9:9:9:9:9 /with space\n')).toEqual([
      { key: '1:2:3:4:5', path: '/boot/vmlinuz' },
      { key: '9:9:9:9:9', path: '/with space' },
    ]);
  });

  it('moves a key last and keeps the newest 16', () => {
    const e = Array.from({ length: 16 }, (_, i) => ({ key: `${i}:0:0:0:0`, path: `/f${i}` }));
    const moved = withVerified(e, '3:0:0:0:0', '/f3');
    expect(moved.map((x) => x.key).slice(-2)).toEqual(['15:0:0:0:0', '3:0:0:0:0']);
    expect(moved).toHaveLength(16);
    const added = withVerified(e, '99:0:0:0:0', '/new\nline');
    expect(added[0]).toEqual({ key: '1:0:0:0:0', path: '/f1' });
    expect(added.at(-1)).toEqual({ key: '99:0:0:0:0', path: '/new?line' });
    expect(formatVerified(added.slice(-1))).toBe('99:0:0:0:0 /new?line\n');
  });
});

describe('loadKernelChecked with the cache', () => {
  it('remembers a good kernel and initrd after their deep check, in a root-owned 0644 file', async () => {
    await loadKernelChecked(new FakeKernel(), req(), { root: fx.root, trust: fx.trust, verified: cache() });
    const keys = parseVerified(readFileSync(cacheFile(), 'utf8')).map((e) => e.key);
    expect(keys).toEqual([keyOf(fx.kernel), keyOf(fx.initrd1)]);
    expect(statSync(cacheFile()).mode & 0o777).toBe(0o644);
  });

  it('skips the deep check of a file version it holds (a damaged kernel then loads), refuses it without the cache', async () => {
    const bad = damagedKernel();
    await expect(loadKernelChecked(new FakeKernel(), req({ kernelPath: bad }), { root: fx.root, trust: fx.trust, verified: cache() })).rejects.toMatchObject({
      code: expect.stringMatching(/^EPAYLOAD_/),
    });
    expect(existsSync(cacheFile()) ? readFileSync(cacheFile(), 'utf8') : '').not.toContain(keyOf(bad)); // a refusal is never remembered
    writeCache(`${keyOf(bad)} ${bad}\n`);
    const k = new FakeKernel();
    await loadKernelChecked(k, req({ kernelPath: bad }), { root: fx.root, trust: fx.trust, verified: cache() });
    expect(k.state().loaded).toBe(true);
    await expect(loadKernelChecked(new FakeKernel(), req({ kernelPath: bad }), { root: fx.root, trust: fx.trust })).rejects.toMatchObject({
      code: expect.stringMatching(/^EPAYLOAD_/),
    });
  });

  it('checks again a file rewritten in place with its old size and mtime (the ctime moved)', async () => {
    const bad = damagedKernel();
    const good = readFileSync(fx.kernel);
    writeFileSync(bad, good);
    utimesSync(bad, 1_700_000_000, 1_700_000_000);
    await loadKernelChecked(new FakeKernel(), req({ kernelPath: bad }), { root: fx.root, trust: fx.trust, verified: cache() });
    const before = statSync(bad);
    await sleep(30);
    const damaged = readFileSync(damagedKernel()); // same size, one byte flipped
    writeFileSync(bad, damaged);
    utimesSync(bad, 1_700_000_000, 1_700_000_000);
    expect(statSync(bad).size).toBe(before.size);
    expect(statSync(bad).mtimeMs).toBe(before.mtimeMs);
    await expect(loadKernelChecked(new FakeKernel(), req({ kernelPath: bad }), { root: fx.root, trust: fx.trust, verified: cache() })).rejects.toMatchObject({
      code: expect.stringMatching(/^EPAYLOAD_/),
    });
  });

  it('ignores a cache file writable by others (a forged line must not switch a check off)', async () => {
    const bad = damagedKernel();
    await expect(loadKernelChecked(new FakeKernel(), req({ kernelPath: bad }), { root: fx.root, trust: fx.trust, verified: cache() })).rejects.toThrow();
    writeCache(`${keyOf(bad)} ${bad}\n`);
    chmodSync(cacheFile(), 0o666);
    await expect(loadKernelChecked(new FakeKernel(), req({ kernelPath: bad }), { root: fx.root, trust: fx.trust, verified: cache() })).rejects.toMatchObject({
      code: expect.stringMatching(/^EPAYLOAD_/),
    });
  });

  it('a dry run reads the cache and writes nothing', async () => {
    await loadKernelChecked(new FakeKernel(), req(), { root: fx.root, trust: fx.trust, dryRun: true, verified: cache(false) });
    expect(existsSync(cacheFile())).toBe(false);
  });
});
