/**
 * Synthetic kernel files for the structural checks: a bzImage around a given payload, built on the
 * setup header recorded from Debian's 6.1 cloud kernel (test/unit/image/x86/fixtures.ts) with the
 * size fields patched, optionally with a PE/COFF header (two sections and a signature table) like
 * the EFI stub's; and an arm64 Image header.
 */
import { DEBIAN_61_CLOUD_HDR_HEX } from '../x86/fixtures.js';

export type FakeBzImage = { bytes: Uint8Array; kern16: number; payloadStart: number; need: number };

export type FakeOptions = { setupSects?: number; payloadOffset?: number; pad?: number; signature?: number; pe?: boolean };

function le32(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(at, v >>> 0, true);
}

function le16(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint16(at, v, true);
}

/** MZ + PE32+ header: sections .setup [0x200, kern16) and .text [kern16, need), and the signature table after. */
function writePe(b: Uint8Array, kern16: number, need: number, signature: number): void {
  b[0] = 0x4d;
  b[1] = 0x5a;
  le32(b, 0x3c, 0x40);
  b.set([0x50, 0x45, 0, 0], 0x40);
  le16(b, 0x44, 0x8664);
  le16(b, 0x46, 2);
  le16(b, 0x54, 0xa0);
  const opt = 0x58;
  le16(b, opt, 0x20b);
  le32(b, opt + 108, 6);
  if (signature > 0) {
    le32(b, opt + 112 + 4 * 8, need);
    le32(b, opt + 112 + 4 * 8 + 4, signature);
  }
  const sec = opt + 0xa0;
  const sections: [string, number, number][] = [
    ['.setup', 0x200, kern16 - 0x200],
    ['.text', kern16, need - kern16],
  ];
  sections.forEach(([name, ptr, size], i) => {
    const s = sec + i * 40;
    b.set(Buffer.from(name), s);
    le32(b, s + 8, size);
    le32(b, s + 12, ptr);
    le32(b, s + 16, size);
    le32(b, s + 20, ptr);
  });
}

export function fakeBzImage(payload: Uint8Array, opts: FakeOptions = {}): FakeBzImage {
  const ss = opts.setupSects ?? 3;
  const kern16 = (ss + 1) * 512;
  const payloadOffset = opts.payloadOffset ?? 0x2cc;
  const pmRaw = payloadOffset + payload.length + (opts.pad ?? 100);
  const pmSize = Math.ceil(pmRaw / 16) * 16;
  const need = kern16 + pmSize;
  const signature = opts.signature ?? 0;
  const bytes = new Uint8Array(need + signature);
  bytes.set(Buffer.from(DEBIAN_61_CLOUD_HDR_HEX, 'hex'), 0x1f1);
  bytes[0x1f1] = ss;
  le32(bytes, 0x1f4, pmSize / 16);
  le32(bytes, 0x248, payloadOffset);
  le32(bytes, 0x24c, payload.length);
  bytes.fill(0x90, kern16, kern16 + payloadOffset);
  bytes.set(payload, kern16 + payloadOffset);
  bytes.fill(0x5a, need);
  if (opts.pe === true || signature > 0) writePe(bytes, kern16, need, signature);
  return { bytes, kern16, payloadStart: kern16 + payloadOffset, need };
}

/** The first `n` bytes of a file (what the caller reads as its head). */
export function headOf(file: Uint8Array, n = 64 * 1024): Uint8Array {
  return file.subarray(0, Math.min(n, file.length));
}

/** An arm64 Image header (64 bytes) at the start of `size` bytes, optionally with the EFI stub's PE header. */
export function fakeArm64Image(size: number, opts: { imageSize?: bigint; pe?: { textEnd: number; signature: number } } = {}): Uint8Array {
  const b = new Uint8Array(Math.max(size, 0));
  if (b.length >= 64) {
    new DataView(b.buffer).setBigUint64(0x10, opts.imageSize ?? BigInt(size + 0x100000), true);
    b.set(Buffer.from('ARM\x64', 'latin1'), 0x38);
  }
  if (opts.pe !== undefined && b.length >= 0x200) writePe(b, 0x10000, opts.pe.textEnd, opts.pe.signature);
  return b;
}
