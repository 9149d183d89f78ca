import { describe, expect, it } from 'vitest';
import { probeBzImage64 } from '../../../../src/image/x86/index.js';
import { debianLikeImage } from './fixtures.js';

describe('probeBzImage64', () => {
  it('reads the recorded Debian 6.1 cloud kernel header', () => {
    const img = debianLikeImage();
    expect(probeBzImage64(img)).toEqual({
      version: 0x020f,
      setupSects: 0x27,
      kern16Size: 40 * 512,
      headerEnd: 0x26c,
      loadflags: 0x01,
      xloadflags: 0x7f,
      kernelAlignment: 0x200000n,
      prefAddress: 0x1000000n,
      initSize: 0x3378000n,
      cmdlineSize: 2047,
      initrdAddrMax: 0x7fffffffn,
      efiKexec: true,
      fiveLevel: true,
    });
  });

  it('setup_sects 0 means 4', () => {
    const h = probeBzImage64(debianLikeImage({ patch: (b) => (b[0x1f1] = 0) }));
    expect(h.setupSects).toBe(4);
    expect(h.kern16Size).toBe(5 * 512);
  });

  const u16 = (b: Uint8Array, off: number, v: number): void => {
    b[off] = v & 0xff;
    b[off + 1] = v >> 8;
  };
  it.each<[string, (b: Uint8Array) => void, RegExp]>([
    ['no HdrS', (b) => (b[0x202] = 0x41), /no "HdrS"/],
    ['no boot sector flag', (b) => u16(b, 0x1fe, 0), /0xAA55/],
    ['protocol 2.11', (b) => u16(b, 0x206, 0x020b), /boot protocol 2\.11; at least 2\.12/],
    ['a zImage', (b) => (b[0x211] = 0), /LOADED_HIGH/],
    ['32-bit only', (b) => u16(b, 0x236, 0x7e), /XLF_KERNEL_64/],
    ['not loadable above 4G', (b) => u16(b, 0x236, 0x7d), /XLF_CAN_BE_LOADED_ABOVE_4G/],
    ['odd kernel_alignment', (b) => (b[0x230] = 3), /not a power of two/],
  ])('refuses %s with a clear message', (_name, patch, msg) => {
    expect(() => probeBzImage64(debianLikeImage({ patch }), { what: '/boot/x' })).toThrow(msg);
    try {
      probeBzImage64(debianLikeImage({ patch }));
    } catch (e) {
      expect(e).toMatchObject({ code: 'ENOEXEC', exitCode: 2 });
    }
  });

  it('refuses short and truncated files', () => {
    expect(() => probeBzImage64(new Uint8Array(1000))).toThrow(/too short/);
    const img = debianLikeImage();
    expect(() => probeBzImage64(img.subarray(0, 4096), { fileLength: 4096 })).toThrow(/truncated/);
  });

  it('refuses a kernel without XLF_5LEVEL only when the running one uses 5-level paging', () => {
    const img = debianLikeImage({ patch: (b) => u16(b, 0x236, 0x5f) });
    expect(probeBzImage64(img).fiveLevel).toBe(false);
    expect(() => probeBzImage64(img, { la57: true })).toThrow(/5-level/);
  });
});
