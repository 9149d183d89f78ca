import { describe, expect, it } from 'vitest';
import { checkCmdlineFits, cmdlineFit, parseKernelImage } from '../../../src/image/index.js';
import { fakeArm64Image, fakeBzImage } from '../../helpers/fake-kernel-image.js';

describe('parseKernelImage', () => {
  it('reads an x86 bzImage: protocol, 64-bit entry, cmdline_size, version and release', () => {
    const info = parseKernelImage(fakeBzImage());
    expect(info).toEqual({
      format: 'x86-bzimage',
      arch: 'x86_64',
      protocol: '2.15',
      entry64: true,
      cmdlineSize: 2047,
      version: '6.1.0-18-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)',
      release: '6.1.0-18-amd64',
    });
  });
  it('tolerates a bzImage without a version string', () => {
    const info = parseKernelImage(fakeBzImage({ version: null }));
    expect(info.version).toBeNull();
    expect(info.release).toBeNull();
  });
  it('refuses kernels without a 64-bit entry or with an old protocol', () => {
    expect(() => parseKernelImage(fakeBzImage({ xloadflags: 0 }), '/boot/x')).toThrow(/32-bit-only.*XLF_KERNEL_64/);
    expect(() => parseKernelImage(fakeBzImage({ protocol: 0x020a }))).toThrow(/protocol 2\.10.*2\.12/);
  });
  it('reads an arm64 Image', () => {
    const info = parseKernelImage(fakeArm64Image());
    expect(info.format).toBe('arm64-image');
    expect(info.arch).toBe('aarch64');
    expect(info.cmdlineSize).toBe(2048);
    expect(info.release).toBe('6.1.0-18-arm64');
    expect(parseKernelImage(fakeArm64Image(null)).release).toBeNull();
  });
  it('names what a non-kernel is', () => {
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.alloc(0), /empty/],
      [Buffer.from([0x1f, 0x8b, 8, 0, ...new Array(600).fill(0)]), /gzip/],
      [Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.alloc(1000)]), /ELF/],
      [Buffer.from('#!/bin/sh\necho hi\n'), /too short/],
      [Buffer.alloc(4096, 0x41), /no x86 bzImage header/],
    ];
    for (const [buf, re] of cases) {
      try {
        parseKernelImage(buf, '/tmp/f');
        expect.unreachable();
      } catch (e) {
        expect(e).toMatchObject({ code: 'ENOTKERNEL', exitCode: 2 });
        expect((e as Error).message).toMatch(/^\/tmp\/f /);
        expect((e as Error).message).toMatch(re);
      }
    }
  });
});

describe('checkCmdlineFits', () => {
  const info = parseKernelImage(fakeBzImage({ cmdlineSize: 100 }));
  it('counts the trailing NUL and the elfcorehdr room on x86', () => {
    expect(cmdlineFit(info, 'x'.repeat(69))).toEqual({ ok: true, length: 70, limit: 70 });
    expect(cmdlineFit(info, 'x'.repeat(70)).ok).toBe(false);
    expect(() => checkCmdlineFits(info, 'x'.repeat(70))).toThrow(/71 bytes.*at most 70 \(cmdline_size 100\)/);
  });
  it('counts UTF-8 bytes, not characters', () => {
    expect(cmdlineFit(info, 'é'.repeat(35)).length).toBe(71);
  });
  it('uses COMMAND_LINE_SIZE on arm64', () => {
    const arm = parseKernelImage(fakeArm64Image());
    expect(cmdlineFit(arm, 'x'.repeat(2047)).ok).toBe(true);
    expect(cmdlineFit(arm, 'x'.repeat(2048)).ok).toBe(false);
  });
});
