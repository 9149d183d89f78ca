/**
 * The bzImage build CRC (arch/x86/boot/tools/build.c, Linux < 6.15). Expected values come from
 * node's zlib (test/helpers/fake-kernel-image.ts withBuildCrc), never from the code under test.
 */
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BuildCrc, buildCrcPlan, partialCrc32 } from '../../../../src/image/integrity/build-crc.js';
import { fakeBzImage, withBuildCrc } from '../../../helpers/fake-kernel-image.js';

/** fakeBzImage's default kernel_version string, as parseKernelImage would read it. */
const V61 = '6.1.0-18-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)';

function verdict(img: Uint8Array, chunk = 1000, version: string | null = V61): { ok: boolean; complete: boolean } | string {
  const plan = buildCrcPlan(img.subarray(0, 65536), img.length, version);
  if (!plan.check) return plan.reason;
  const c = new BuildCrc(plan);
  for (let i = 0; i < img.length; i += chunk) c.update(img.subarray(i, i + chunk));
  return { ok: c.ok, complete: c.complete };
}

/** A PE header at 0x80 (PE32+), as the EFI stub has, so signing can be simulated. */
function withPe(buf: Buffer): Buffer {
  buf.write('MZ', 0, 'latin1');
  buf.writeUInt32LE(0x80, 0x3c);
  buf.writeUInt32LE(0x00004550, 0x80);
  buf.writeUInt16LE(0x20b, 0x80 + 24);
  return withBuildCrc(buf);
}

describe('partialCrc32', () => {
  it('is zlib crc32 without the final inversion', () => {
    const data = Buffer.from('123456789');
    expect((partialCrc32(data) ^ 0xffffffff) >>> 0).toBe(0xcbf43926);
    expect((partialCrc32(data) ^ 0xffffffff) >>> 0).toBe(crc32(data));
  });

  it('agrees with zlib for every length and alignment around its 8-byte steps, and when continued', () => {
    const data = Buffer.alloc(4099);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131 + (i >> 7) * 17) & 0xff;
    for (const off of [0, 1, 3, 7]) {
      for (const len of [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 4092]) {
        const part = data.subarray(off, off + len);
        expect((partialCrc32(part) ^ 0xffffffff) >>> 0).toBe(crc32(part));
      }
    }
    // Continued over two pieces split inside an 8-byte step, as BuildCrc streams chunks.
    const whole = (partialCrc32(data) ^ 0xffffffff) >>> 0;
    expect((partialCrc32(data.subarray(1003), partialCrc32(data.subarray(0, 1003))) ^ 0xffffffff) >>> 0).toBe(whole);
    expect(whole).toBe(crc32(data));
  });
});

describe('bzImage build CRC', () => {
  it('accepts an image whose CRC build.c would have written, whatever the chunking', () => {
    const img = fakeBzImage({ size: 16384 });
    for (const chunk of [1, 7, 512, 100000]) expect(verdict(img, chunk)).toEqual({ ok: true, complete: true });
  });

  it('refuses one flipped bit anywhere in the region, including the stored CRC', () => {
    const good = fakeBzImage({ size: 16384 });
    for (const at of [0x10, 0x300, 5000, 16384 - 1]) {
      const bad = Buffer.from(good);
      bad[at] = (bad[at] as number) ^ 0x01;
      expect(verdict(bad)).toEqual({ ok: false, complete: true });
    }
  });

  it('ignores the PE CheckSum and Certificate Table entry that sbsign/pesign rewrite, and the signature appended after', () => {
    const img = withPe(fakeBzImage({ size: 16384 }));
    expect(verdict(img)).toEqual({ ok: true, complete: true });
    const signed = Buffer.concat([img, Buffer.alloc(1024, 0x5a)]);
    signed.writeUInt32LE(0x00d8aa4d, 0x80 + 24 + 64); // CheckSum
    signed.writeUInt32LE(0x00d87200, 0x80 + 24 + 112 + 32); // Certificate Table: offset
    signed.writeUInt32LE(0x5c0, 0x80 + 24 + 112 + 36); // and size
    expect(verdict(signed)).toEqual({ ok: true, complete: true });
    signed[0x80 + 24 + 60] = (signed[0x80 + 24 + 60] as number) ^ 0xff; // a field next to CheckSum is still covered
    expect(verdict(signed)).toEqual({ ok: false, complete: true });
  });

  it('does not check what has no CRC: Linux 6.15+, no version string, protocol < 2.08', () => {
    const v615 = fakeBzImage({ size: 16384, version: '6.15.0-1-amd64 (x) #1 SMP' });
    v615[0x300] = (v615[0x300] as number) ^ 1;
    expect(verdict(v615, 1000, '6.15.0-1-amd64 (x) #1 SMP')).toMatch(/6\.15 has no build checksum/);
    expect(verdict(fakeBzImage({ size: 16384, version: null }), 1000, null)).toMatch(/no kernel version/);
    expect(verdict(fakeBzImage({ size: 16384, protocol: 0x0206 }))).toMatch(/below 2\.08/);
    expect(verdict(fakeBzImage({ size: 16384, version: '5.10.0-28-amd64 #1' }), 1000, '5.10.0-28-amd64 #1')).toEqual({ ok: true, complete: true });
  });

  it('a file that stops early is incomplete, not ok', () => {
    const img = fakeBzImage({ size: 16384 });
    const plan = buildCrcPlan(img, img.length, V61);
    if (!plan.check) throw new Error('expected a plan');
    const c = new BuildCrc(plan);
    c.update(img.subarray(0, 8000));
    expect([c.ok, c.complete]).toEqual([false, false]);
  });
});
