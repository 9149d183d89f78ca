import { describe, expect, it } from 'vitest';
import { DEBIAN_61_CLOUD_HDR_HEX } from '../x86/fixtures.js';
import { bzImageIntegrityPlan, checkArm64ImageIntegrity, checkBzImageIntegrity, checkInitrdIntegrity } from '../../../../src/image/integrity/index.js';
import type { Probe, StructuralResult } from '../../../../src/image/integrity/index.js';
import { fakeArm64Image, fakeBzImage, headOf } from './images.js';

/** What the I/O side does: pread each planned range of the (possibly cut) file. */
function check(file: Uint8Array, fileSize = file.length): StructuralResult {
  const head = headOf(file.subarray(0, fileSize));
  const probes: Probe[] = bzImageIntegrityPlan(head).needBytesAt.map((r) => ({
    offset: r.offset,
    bytes: file.subarray(Math.min(r.offset, fileSize), Math.min(r.offset + r.length, fileSize)),
  }));
  return checkBzImageIntegrity(head, fileSize, probes, '/boot/vmlinuz-test');
}

function code(r: StructuralResult): string {
  return r.ok ? 'ok' : r.failure.code;
}

const LZ4_PAYLOAD = (n: number): Uint8Array => {
  const p = new Uint8Array(n);
  p.set([0x02, 0x21, 0x4c, 0x18], 0);
  new DataView(p.buffer).setUint32(n - 4, 0x123456, true);
  return p;
};

describe('bzImage structural check, recorded Debian 6.1 cloud header', () => {
  // Header bytes 0x1f1.. of vmlinuz-6.1.0-56-cloud-amd64; file size, payload magic (02 21 4c 18) and the 4 bytes
  // ending the payload (34 6e 2c 03 = 53243444, the size `lz4 -d` produced) measured on the real file.
  const head = new Uint8Array(0x1f1 + DEBIAN_61_CLOUD_HDR_HEX.length / 2);
  head.set(Buffer.from(DEBIAN_61_CLOUD_HDR_HEX, 'hex'), 0x1f1);
  const probes = (r = bzImageIntegrityPlan(head).needBytesAt): Probe[] => [
    { offset: r[0]?.offset ?? -1, bytes: Buffer.from('02214c1810c13a00', 'hex') },
    { offset: r[1]?.offset ?? -1, bytes: Buffer.from('346e2c03', 'hex') },
  ];

  it('plans the payload magic at 20480 + 0x2cc and the appended size at its end', () => {
    expect(bzImageIntegrityPlan(head).needBytesAt).toEqual([
      { offset: 21196, length: 8 },
      { offset: 21196 + 14063308 - 4, length: 4 },
    ]);
  });

  it('accepts the whole file and finds the LZ4 payload and its size', () => {
    expect(checkBzImageIntegrity(head, 14186432, probes())).toEqual({
      ok: true,
      warnings: [],
      payload: { offset: 21196, length: 14063308, format: 'lz4-legacy', appendedSize: 53243444 },
    });
  });

  it('refuses the first MiB of it (the cut file of the issue) and says what to do', () => {
    const r = checkBzImageIntegrity(head, 1 << 20, probes(), '/boot/vmlinuz-6.1.0-56-cloud-amd64');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.code).toBe('EKERNEL_TRUNCATED');
    expect(r.failure.message).toBe(
      '/boot/vmlinuz-6.1.0-56-cloud-amd64 is cut short: 1048576 bytes, its header says at least 14184960 (7% there); free space in /boot and reinstall the kernel package',
    );
  });
});

describe('bzImage structural check, synthetic files', () => {
  const img = fakeBzImage(LZ4_PAYLOAD(4000));

  it('accepts a whole image', () => {
    expect(check(img.bytes)).toMatchObject({ ok: true, payload: { offset: img.payloadStart, length: 4000, format: 'lz4-legacy', appendedSize: 0x123456 } });
  });

  it('refuses a file cut inside the payload, or by one byte', () => {
    expect(code(check(img.bytes, img.payloadStart + 100))).toBe('EKERNEL_TRUNCATED');
    expect(code(check(img.bytes, img.bytes.length - 1))).toBe('EKERNEL_TRUNCATED');
  });

  it('refuses a header-only file with its own code', () => {
    expect(code(check(img.bytes, img.kern16))).toBe('EKERNEL_HEADER_ONLY');
    expect(code(check(img.bytes, 0x230))).toBe('EKERNEL_HEADER_ONLY');
    const r = check(img.bytes, img.kern16);
    expect(r.ok ? '' : r.failure.message).toMatch(/holds only its setup code: 2048 bytes.*reinstall the kernel package$/);
  });

  it('refuses a payload range outside syssize', () => {
    const b = img.bytes.slice();
    new DataView(b.buffer).setUint32(0x24c, 4000 + 200, true);
    expect(code(check(b))).toBe('EKERNEL_PAYLOAD_RANGE');
  });

  it('refuses a payload with no known compression magic', () => {
    const b = img.bytes.slice();
    b.fill(0, img.payloadStart, img.payloadStart + 8);
    const r = check(b);
    expect(code(r)).toBe('EKERNEL_PAYLOAD_MAGIC');
    expect(r.ok ? '' : r.failure.message).toContain('starts with 00 00 00 00 00 00 00 00');
  });

  it.each([
    ['gzip', [0x1f, 0x8b, 0x08, 0]],
    ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]],
    ['lzma', [0x5d, 0, 0, 0x80]],
    ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
    ['bzip2', [0x42, 0x5a, 0x68, 0x39]],
    ['lzo', [0x89, 0x4c, 0x5a, 0x4f]],
  ])('names a %s payload', (format, magic) => {
    const p = LZ4_PAYLOAD(64);
    p.set(magic, 0);
    expect(check(fakeBzImage(p).bytes)).toMatchObject({ ok: true, payload: { format } });
  });

  it('refuses an appended size of zero or above 2 GiB', () => {
    for (const size of [0, 0x80000001]) {
      const p = LZ4_PAYLOAD(64);
      new DataView(p.buffer).setUint32(60, size, true);
      expect(code(check(fakeBzImage(p).bytes))).toBe('EKERNEL_PAYLOAD_SIZE');
    }
  });

  it('refuses a signed image whose signature table is cut, with its own code', () => {
    const signed = fakeBzImage(LZ4_PAYLOAD(4000), { signature: 1472 });
    expect(check(signed.bytes).ok).toBe(true);
    const r = check(signed.bytes, signed.bytes.length - 1);
    expect(code(r)).toBe('EKERNEL_PE_RANGE');
    expect(r.ok ? '' : r.failure.message).toContain(`signature table ends at byte ${signed.need + 1472} but the file has ${signed.need + 1471}`);
  });

  it('only size-checks protocol < 2.08, with a warning', () => {
    const b = img.bytes.slice();
    new DataView(b.buffer).setUint16(0x206, 0x0207, true);
    expect(check(b)).toMatchObject({ ok: true, payload: null, warnings: [{ code: 'WKERNEL_OLD_PROTOCOL' }] });
    expect(code(check(b, b.length - 16))).toBe('EKERNEL_TRUNCATED');
  });
});

describe('arm64 Image structural check', () => {
  it('does not compare the file with image_size, which counts the BSS', () => {
    const r = checkArm64ImageIntegrity(fakeArm64Image(0x20000, { imageSize: 0x40000n, pe: { textEnd: 0x1f000, signature: 0x800 } }), 0x20000);
    expect(r).toEqual({ ok: true, warnings: [], payload: null });
  });

  it('refuses a file cut inside the EFI stub sections and a header-only file', () => {
    const img = fakeArm64Image(0x20000, { pe: { textEnd: 0x1f000, signature: 0x800 } });
    expect(code(checkArm64ImageIntegrity(img, 0x1f400))).toBe('EKERNEL_PE_RANGE');
    expect(code(checkArm64ImageIntegrity(img.subarray(0, 40), 40))).toBe('EKERNEL_HEADER_ONLY');
  });

  it('warns that an Image without EFI stub cannot be checked further', () => {
    expect(checkArm64ImageIntegrity(fakeArm64Image(0x1000), 0x1000)).toMatchObject({ ok: true, warnings: [{ code: 'WKERNEL_ARM64_NO_PE' }] });
  });
});

describe('initrd structural check', () => {
  const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');

  it('refuses an empty initrd', () => {
    const r = checkInitrdIntegrity(new Uint8Array(0), 0, '/boot/initrd.img-6.1.0-56-cloud-amd64');
    expect(r).toEqual({
      ok: false,
      warnings: [],
      failure: {
        code: 'EINITRD_EMPTY',
        message:
          '/boot/initrd.img-6.1.0-56-cloud-amd64 is empty (0 bytes); free space in /boot and regenerate it (update-initramfs -u -k <release>, or dracut -f)',
      },
    });
  });

  it.each([
    ['newc cpio', ascii('07070100')],
    ['crc cpio', ascii('07070200')],
    ['gzip', [0x1f, 0x8b, 8, 0]],
    ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
    ['xz', [0xfd, 0x37, 0x7a, 0x58]],
    ['lz4 legacy', [0x02, 0x21, 0x4c, 0x18]],
    ['bzip2', ascii('BZh9')],
    ['lzma', [0x5d, 0, 0, 0x80]],
  ])('accepts an initrd starting as %s without warnings', (_name, first) => {
    expect(checkInitrdIntegrity(Uint8Array.from(first), 1000)).toEqual({ ok: true, warnings: [], payload: null });
  });

  it.each([
    ['unknown bytes', ascii('PK\x03\x04abcd'), 'starts with 50 4b 03 04 61 62 63 64, neither a cpio header'],
    ['zeros', new Uint8Array(8), 'starts with zero bytes'],
    ['old binary cpio', ascii('070707xx'), 'old binary-portable cpio header'],
  ])('loads an initrd of %s but warns', (_name, first, text) => {
    const r = checkInitrdIntegrity(first, 1000, 'initrd.img');
    expect(r.ok).toBe(true);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]?.code).toBe('WINITRD_UNKNOWN_MAGIC');
    expect(r.warnings[0]?.message).toContain(text);
  });
});
