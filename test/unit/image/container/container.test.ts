import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { classifyKernelFile, containerTypeName } from '../../../../src/image/container/classify.js';
import { detectFileCompression } from '../../../../src/image/container/compressed.js';
import { peSections } from '../../../../src/image/container/pe-sections.js';
import { parseUki, ukiText } from '../../../../src/image/container/uki.js';
import { parseZboot } from '../../../../src/image/container/zboot.js';
import { fakeArm64Image, fakeBzImage } from '../../../helpers/fake-kernel-image.js';
import { fakePe, text } from '../../../helpers/fake-pe.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('detectFileCompression', () => {
  it('names every compression by its magic and leaves kernels and ELF alone', () => {
    expect(detectFileCompression(Uint8Array.from([0x1f, 0x8b, 0x08, 0]))).toBe('gzip');
    expect(detectFileCompression(Uint8Array.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))).toBe('xz');
    expect(detectFileCompression(Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe('zstd');
    expect(detectFileCompression(Uint8Array.from([0x42, 0x5a, 0x68, 0x39]))).toBe('bzip2');
    expect(detectFileCompression(Uint8Array.from([0x5d, 0x00, 0x00, 0x80]))).toBe('lzma');
    expect(detectFileCompression(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46]))).toBeNull();
    expect(detectFileCompression(fakeBzImage())).toBeNull();
  });
});

describe('classifyKernelFile', () => {
  it('keeps bzImages and arm64 Images plain, even though both are PE files', () => {
    expect(classifyKernelFile(fakeBzImage(), 8192).kind).toBe('plain');
    expect(classifyKernelFile(fakeArm64Image(), 8192).kind).toBe('plain');
  });

  it('finds a gzip file, a zboot image and a UKI', () => {
    expect(classifyKernelFile(gzipSync(fakeBzImage()), 100)).toEqual({ kind: 'compressed', format: 'gzip' });
    const z = fakePe([], { zboot: { payload: gzipSync(fakeArm64Image()), compression: 'gzip' } });
    const zc = classifyKernelFile(z, z.length);
    expect(zc.kind).toBe('zboot');
    expect(containerTypeName(zc)).toBe('vmlinuz');
    const u = fakePe([
      { name: '.osrel', data: text('ID=debian\n') },
      { name: '.linux', data: fakeBzImage() },
    ]);
    const uc = classifyKernelFile(u, u.length);
    expect(uc.kind).toBe('uki');
    expect(containerTypeName(uc)).toBe('uki');
  });

  it('refuses a PE that is not a UKI, a UKI without .linux and a cut-short UKI, each with its code', () => {
    const pe = fakePe([{ name: '.text', data: text('code') }]);
    expect(codeOf(() => classifyKernelFile(pe, pe.length))).toBe('ENOTUKI');
    const noLinux = fakePe([
      { name: '.osrel', data: text('ID=x\n') },
      { name: '.cmdline', data: text('quiet') },
    ]);
    expect(codeOf(() => classifyKernelFile(noLinux, noLinux.length))).toBe('EUKINOLINUX');
    const u = fakePe([{ name: '.linux', data: fakeBzImage() }]);
    expect(codeOf(() => classifyKernelFile(u, u.length - 600))).toBe('EUKITRUNCATED');
  });
});

describe('parseZboot', () => {
  it('reads offset, size and compression, and refuses an unknown compression in one line', () => {
    const payload = Buffer.alloc(100, 1);
    const z = fakePe([], { zboot: { payload, compression: 'zstd22', trailer: Buffer.from([100, 0, 0, 0]) } });
    expect(parseZboot(z, z.length)).toEqual({ payloadOffset: 512, payloadSize: 100, compression: 'zstd', compressionName: 'zstd22', sizeAt: 612 });
    const bad = fakePe([], { zboot: { payload, compression: 'lzo' } });
    let msg = '';
    try {
      parseZboot(bad, bad.length, '/boot/vmlinuz');
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/^\/boot\/vmlinuz is an EFI zboot image compressed with lzo, which kexecctl cannot decompress/);
    expect(msg).not.toContain('\n');
    expect(codeOf(() => parseZboot(z, 600))).toBe('EZBOOT');
  });
});

describe('parseUki', () => {
  const linux = new Uint8Array(1000).fill(7);
  it('takes .linux, .ucode before .initrd, .cmdline, at the offsets the section table gives', () => {
    const f = fakePe([
      { name: '.osrel', data: text('ID=debian\n') },
      { name: '.cmdline', data: text('root=/dev/vda quiet\n\0') },
      { name: '.initrd', data: new Uint8Array(10).fill(2) },
      { name: '.ucode', data: new Uint8Array(20).fill(3) },
      { name: '.linux', data: linux },
    ]);
    const p = parseUki(peSections(f) ?? [], f.length);
    // headers end at 0x80 + 24 + 240 + 5 * 40 = 592 -> 1024; then each section at the next 512 boundary:
    // osrel 1024, cmdline 1536, initrd 2048, ucode 2560, linux 3072
    expect(p.linux).toEqual({ offset: 3072, size: 1000 });
    expect(p.initrds).toEqual([
      { offset: 2560, size: 20 },
      { offset: 2048, size: 10 },
    ]);
    expect(p.cmdline).toEqual({ offset: 1536, size: 21 });
    expect(ukiText(f.subarray(1536, 1536 + 21))).toBe('root=/dev/vda quiet');
    expect(p.profiles).toBe(0);
  });

  it('multi-profile: a profile replaces the base sections it has, keeps the others', () => {
    const f = fakePe([
      { name: '.linux', data: linux },
      { name: '.cmdline', data: text('base') },
      { name: '.profile', data: text('ID=default') },
      { name: '.profile', data: text('ID=rescue') },
      { name: '.cmdline', data: text('rescue') },
    ]);
    const s = peSections(f) ?? [];
    const p0 = parseUki(s, f.length, 'k', 0);
    const p1 = parseUki(s, f.length, 'k', 1);
    expect(p0.profiles).toBe(2);
    // linux 1024 (1000 bytes), cmdline "base" 2048, .profile 2560, .profile 3072, cmdline "rescue" 3584
    expect(p0.cmdline?.offset).toBe(2048);
    expect(p1.cmdline?.offset).toBe(3584);
    expect(p1.linux).toEqual(p0.linux);
    expect(codeOf(() => parseUki(s, f.length, 'k', 2))).toBe('EUKIPROFILE');
  });
});
