import { describe, expect, it } from 'vitest';
import { parseBlsEntry, parseBootCounter } from '../../../../src/boot/bls/entry.js';
import { globMatch, parseLoaderConf, selectSdBootDefault, sortSdBoot } from '../../../../src/boot/bls/order.js';

const entry = (name: string, body = 'linux /vmlinuz\n') => parseBlsEntry(body, name).value;

describe('parseBlsEntry', () => {
  it('reads keys, keeps initrds in order, joins every options line', () => {
    const { value, diagnostics } = parseBlsEntry(
      [
        '# Arch',
        'title   Arch Linux',
        'linux   /vmlinuz-linux',
        'initrd  /intel-ucode.img',
        'initrd  /initramfs-linux.img',
        'options root=UUID=x rw',
        'options quiet',
        'frobnicate 1',
      ].join('\n'),
      'Arch.conf',
    );
    expect(value).toMatchObject({
      id: 'arch.conf',
      title: 'Arch Linux',
      linux: '/vmlinuz-linux',
      initrd: ['/intel-ucode.img', '/initramfs-linux.img'],
      options: 'root=UUID=x rw quiet',
    });
    expect(diagnostics).toEqual([expect.objectContaining({ line: 8, message: 'unknown key "frobnicate", ignored' })]);
  });

  it('strips boot counters from the id', () => {
    expect(parseBootCounter('fedora+3-1.conf')).toEqual({ id: 'fedora.conf', left: 3, done: 1 });
    expect(parseBootCounter('a+0.conf')).toEqual({ id: 'a.conf', left: 0, done: 0 });
  });
});

describe('sd-boot order and default', () => {
  it('orders sort-key entries first, then by machine-id, version newest first, then id', () => {
    const a = entry('b-6.1.conf', 'sort-key debian\nmachine-id m1\nversion 6.1.0\nlinux /a\n');
    const b = entry('b-6.5.conf', 'sort-key debian\nmachine-id m1\nversion 6.5.0\nlinux /a\n');
    const c = entry('a-other.conf', 'sort-key arch\nmachine-id m1\nversion 1\nlinux /a\n');
    const old1 = entry('linux-5.conf');
    const old2 = entry('linux-6.conf');
    const dead = entry('zz+0-3.conf', 'sort-key aaa\nlinux /z\n');
    expect(sortSdBoot([old1, a, dead, old2, b, c]).map((e) => e.id)).toEqual([
      'a-other.conf',
      'b-6.5.conf',
      'b-6.1.conf',
      'linux-6.conf',
      'linux-5.conf',
      'zz.conf',
    ]);
  });

  it('picks one-shot, then EFI default, then loader.conf glob, then the first', () => {
    const sorted = sortSdBoot([entry('arch.conf'), entry('arch-lts.conf'), entry('windows.conf', 'efi /EFI/x.efi\n')]);
    // Without sort-keys the id decides, "newest" first: w > a, and "-" makes arch-lts older than arch.
    expect(sorted.map((e) => e.id)).toEqual(['windows.conf', 'arch.conf', 'arch-lts.conf']);
    expect(selectSdBootDefault(sorted, { configDefault: 'arch-*' })).toEqual({ index: 2, by: 'loader.conf' });
    expect(selectSdBootDefault(sorted, { configDefault: 'arch-*', efiDefault: 'Windows.conf' })).toEqual({ index: 0, by: 'efi-default' });
    expect(selectSdBootDefault(sorted, { oneShot: 'arch.conf', efiDefault: 'windows.conf' })).toEqual({ index: 1, by: 'oneshot' });
    expect(selectSdBootDefault(sorted, { configDefault: 'nomatch' })).toEqual({ index: 0, by: 'first' });
    expect(selectSdBootDefault([], {})).toBeNull();
  });

  it('globs like the firmware fnmatch', () => {
    expect(globMatch('arch*', 'arch-lts.conf')).toBe(true);
    expect(globMatch('a?ch.conf', 'ARCH.conf')).toBe(true);
    expect(globMatch('[a-c]rch.conf', 'arch.conf')).toBe(true);
    expect(globMatch('[!a]rch.conf', 'arch.conf')).toBe(false);
    expect(globMatch('arch', 'arch.conf')).toBe(false);
    expect(parseLoaderConf('timeout 3\ndefault  arch.conf \n#default x\n').default).toBe('arch.conf');
  });
});
