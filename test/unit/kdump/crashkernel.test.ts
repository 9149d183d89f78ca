import { describe, expect, it } from 'vitest';
import {
  crashkernelAdd,
  crashkernelParams,
  crashSize,
  defaultCrashkernel,
  memparse,
  parseCrashkernel,
  systemRamFromIomem,
} from '../../../src/kdump/crashkernel.js';
import { blsEntryMatches, editBlsEntry, grubSnippet, snippetValue } from '../../../src/kdump/reset-crashkernel.js';

const M = 1n << 20n;
const G = 1n << 30n;

describe('crashkernel= (crash_reserve.c)', () => {
  it('memparse', () => {
    expect(memparse('256M')).toBe(256n * M);
    expect(memparse('0x1000')).toBe(4096n);
    expect(memparse('2g')).toBe(2n * G);
    expect(memparse('12X')).toBeNull();
  });
  it('parses size, size@offset, ranges, and the ,high ,low ,cma suffixes', () => {
    expect(parseCrashkernel('256M')).toEqual({ kind: 'size', size: 256n * M, offset: null });
    expect(parseCrashkernel('128M@16M')).toEqual({ kind: 'size', size: 128n * M, offset: 16n * M });
    expect(parseCrashkernel('1G-4G:192M,4G-64G:256M,64G-:512M')).toEqual({
      kind: 'ranges',
      ranges: [
        { start: G, end: 4n * G, size: 192n * M },
        { start: 4n * G, end: 64n * G, size: 256n * M },
        { start: 64n * G, end: null, size: 512n * M },
      ],
      offset: null,
    });
    expect(parseCrashkernel('512M,high')).toEqual({ kind: 'high', size: 512n * M });
    expect(parseCrashkernel('72M,low')).toEqual({ kind: 'low', size: 72n * M });
    expect(parseCrashkernel('1G,cma')).toEqual({ kind: 'cma', size: G });
    expect(parseCrashkernel('4G-2G:128M')).toBeNull(); // end <= start
    expect(parseCrashkernel('256Q')).toBeNull();
    expect(parseCrashkernel('1G-4G:192M,high')).toBeNull(); // suffixes take a plain size only
  });
  it('a range is chosen by system RAM rounded up to 128 MiB; [start, end)', () => {
    const ck = parseCrashkernel('2G-64G:256M,64G-:512M');
    if (ck === null) throw new Error('parse');
    expect(crashSize(ck, 2n * G - 100n * M)).toBe(256n * M); // 1948M rounds up to 2048M = 2G
    expect(crashSize(ck, 1792n * M)).toBe(0n);
    expect(crashSize(ck, 64n * G)).toBe(512n * M);
    expect(crashSize(ck, 63n * G)).toBe(256n * M);
  });
  it('the last crashkernel= of each kind counts', () => {
    expect(crashkernelParams(['ro', 'crashkernel=128M', 'crashkernel=1G,cma', 'crashkernel=256M', 'crashkernel=72M,low'])).toEqual({
      base: '256M',
      high: null,
      low: '72M,low',
      cma: '1G,cma',
    });
  });
});

describe("kdump-utils' defaults (kdump_get_arch_recommend_crashkernel)", () => {
  it('per architecture', () => {
    expect(defaultCrashkernel({ arch: 'x86_64' })).toBe('2G-64G:256M,64G-:512M');
    expect(defaultCrashkernel({ arch: 'x86_64', smeOrSev: true })).toBe('2G-64G:320M,64G-:576M');
    expect(defaultCrashkernel({ arch: 'aarch64', release: '6.1.0-27-arm64' })).toBe('2G-4G:256M,4G-64G:320M,64G-:576M');
    expect(defaultCrashkernel({ arch: 'aarch64', release: '5.14.0-312.el9.aarch64+64k', aarch64Smmu: true })).toBe('2G-4G:740M,4G-64G:804M,64G-:1060M');
    expect(defaultCrashkernel({ arch: 'ppc64le', nrCpus: 1 })).toBe('2G-4G:385M,4G-16G:513M,16G-64G:1025M,64G-128G:2049M,128G-:4097M');
    expect(defaultCrashkernel({ arch: 'riscv64' })).toBeNull();
  });
  it('_crashkernel_add keeps whole units', () => {
    expect(crashkernelAdd('1G-4G:1G', 1024)).toBe('1G-4G:2G');
    expect(crashkernelAdd('256M', 64)).toBe('320M');
  });
  it('System RAM from /proc/iomem', () => {
    const iomem = '00001000-0009fbff : System RAM\n000a0000-000bffff : PCI Bus 0000:00\n00100000-bffdffff : System RAM\n  2b000000-3affffff : Crash kernel\n';
    expect(systemRamFromIomem(iomem)).toBe(0x9fbffn - 0x1000n + 1n + (0xbffdffffn - 0x100000n + 1n));
  });
});

describe('reset-crashkernel edits', () => {
  const entry =
    'title Fedora\nversion 6.8.5-301.fc40.x86_64\nlinux /vmlinuz-6.8.5-301.fc40.x86_64\noptions root=UUID=abc ro crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M rhgb quiet\n';
  it('BLS: replaces crashkernel= in options and keeps the rest', () => {
    const e = editBlsEntry(entry, '2G-64G:256M,64G-:512M');
    expect(e.changed).toBe(true);
    expect(e.old).toEqual(['crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M']);
    expect(e.text).toBe(
      'title Fedora\nversion 6.8.5-301.fc40.x86_64\nlinux /vmlinuz-6.8.5-301.fc40.x86_64\noptions root=UUID=abc ro rhgb quiet crashkernel=2G-64G:256M,64G-:512M\n',
    );
    expect(editBlsEntry(e.text, '2G-64G:256M,64G-:512M').changed).toBe(false);
  });
  it('BLS: warns when a ,cma or ,high value is dropped', () => {
    const e = editBlsEntry('options ro crashkernel=256M crashkernel=1G,cma\n', '512M', 'x.conf');
    expect(e.warnings).toEqual(['x.conf: crashkernel=1G,cma removed; set it again if it is still wanted']);
  });
  it('BLS: --kernel=ALL, DEFAULT, a path or a release', () => {
    expect(blsEntryMatches(entry, 'ALL', 'x')).toBe(true);
    expect(blsEntryMatches(entry, 'DEFAULT', '6.8.5-301.fc40.x86_64')).toBe(true);
    expect(blsEntryMatches(entry, 'DEFAULT', '6.9.0')).toBe(false);
    expect(blsEntryMatches(entry, '/boot/vmlinuz-6.8.5-301.fc40.x86_64', '')).toBe(true);
  });
  it('Debian: the grub.d snippet appends to GRUB_CMDLINE_LINUX_DEFAULT', () => {
    const s = grubSnippet('2G-64G:256M,64G-:512M');
    expect(s).toMatch(/^GRUB_CMDLINE_LINUX_DEFAULT="\$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=2G-64G:256M,64G-:512M"$/m);
    expect(snippetValue(s)).toBe('2G-64G:256M,64G-:512M');
  });
});
