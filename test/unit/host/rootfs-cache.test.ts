/**
 * RootFs.withCache(): the same answers as the plain RootFs (symlinks chased inside the root,
 * dangling tails kept, loops ended), and what it looked up once is not looked up again.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RootFs } from '../../../src/host/rootfs.js';

const root = mkdtempSync(join(tmpdir(), 'rootfs-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const FILES = ['boot/vmlinuz-6.1', 'boot/loader/entries/a.conf', 'etc/os-release', 'srv/part/vmlinuz-7'];
const LINKS: Record<string, string> = {
  vmlinuz: 'boot/vmlinuz-6.1',
  'boot/abs': '/boot/vmlinuz-6.1',
  'boot/up': '../etc/os-release',
  'boot/escape': '../../../../../etc/os-release',
  'boot/dangling': 'nowhere/file',
  'boot/loop1': 'loop2',
  'boot/loop2': 'loop1',
  'boot/chain': 'abs',
  bootlink: 'boot',
  'srv/p': '/srv/part',
  'boot/dirlink': '../srv/p',
};
for (const f of FILES) {
  mkdirSync(dirname(join(root, f)), { recursive: true });
  writeFileSync(join(root, f), f);
}
for (const [p, target] of Object.entries(LINKS)) symlinkSync(target, join(root, p));

const PATHS = [
  '/',
  '/boot',
  '/boot/',
  '/boot//vmlinuz-6.1',
  '/boot/./vmlinuz-6.1',
  '/boot/../boot/vmlinuz-6.1',
  '/vmlinuz',
  '/boot/abs',
  '/boot/up',
  '/boot/escape',
  '/boot/dangling',
  '/boot/loop1',
  '/boot/chain',
  '/bootlink/vmlinuz-6.1',
  '/bootlink/abs',
  '/boot/dirlink/vmlinuz-7',
  '/boot/dirlink/../etc/os-release',
  '/missing/x',
  '/boot/missing',
  '/boot/loader/entries/a.conf',
  '/etc/os-release/x',
  'relative/boot',
];

describe('RootFs.withCache', () => {
  it.each(PATHS)('%s: realpath, regularFile, readText and entries agree with the plain RootFs', (p) => {
    const plain = new RootFs(root);
    const cached = plain.withCache();
    cached.entries('/boot'); // a listed directory answers entry types from the listing
    for (const fs of [cached, cached]) {
      expect(fs.realpath(p)).toBe(plain.realpath(p));
      expect(fs.regularFile(p)).toBe(plain.regularFile(p));
      expect(fs.readText(p)).toBe(plain.readText(p));
      expect(fs.entries(p)).toEqual(plain.entries(p));
    }
  });

  it('answers regularFile from what it saw: a later change on disk is not seen, a new RootFs sees it', () => {
    const plain = new RootFs(root);
    const cached = plain.withCache();
    expect(cached.regularFile('/srv/part/vmlinuz-7')).toBe('/srv/part/vmlinuz-7');
    writeFileSync(join(root, 'srv/part/late'), 'x');
    unlinkSync(join(root, 'srv/part/vmlinuz-7'));
    try {
      expect(cached.regularFile('/srv/part/vmlinuz-7')).toBe('/srv/part/vmlinuz-7');
      expect(plain.regularFile('/srv/part/vmlinuz-7')).toBeNull();
      expect(plain.withCache().regularFile('/srv/part/late')).toBe('/srv/part/late');
    } finally {
      writeFileSync(join(root, 'srv/part/vmlinuz-7'), 'srv/part/vmlinuz-7');
    }
  });

  it('keeps every path inside the root', () => {
    const cached = new RootFs(root).withCache();
    expect(cached.realpath('/boot/escape')).toBe('/etc/os-release');
    expect(cached.resolve('/boot/escape')).toBe(join(root, 'etc/os-release'));
    expect(cached.list('/bootlink')).toEqual(['abs', 'chain', 'dangling', 'dirlink', 'escape', 'loader', 'loop1', 'loop2', 'up', 'vmlinuz-6.1']);
  });
});
