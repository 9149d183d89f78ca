/**
 * Builds small byte images that look like kernels to parseKernelImage, for tests.
 * Not bootable: the headers kexecctl reads, and a bzImage payload that passes the integrity checks
 * (src/image/integrity): a gzip member of a tiny "ELF" at payload_offset, with syssize and
 * payload_length consistent with the file (Documentation/arch/x86/boot.rst; mkpiggy.c).
 */
import { crc32, gzipSync } from 'node:zlib';
export type FakeBzImageOpts = {
  protocol?: number;
  xloadflags?: number;
  cmdlineSize?: number;
  version?: string | null;
  size?: number;
};

/** setup_sects 4: the protected-mode part starts at (4 + 1) * 512. */
export const FAKE_KERN16 = 2560;
/** payload_offset: the compressed kernel starts this far into the protected-mode part. */
export const FAKE_PAYLOAD_OFFSET = 0x100;

/** The gzip'ed "vmlinux" every fake bzImage carries: ELF magic, then zeros (deterministic: mtime 0). */
export function fakeBzPayload(): Buffer {
  const elf = Buffer.alloc(4096);
  elf.write('\x7fELF', 0, 'latin1');
  return gzipSync(elf, { level: 9 });
}

export function fakeBzImage(o: FakeBzImageOpts = {}): Buffer {
  const buf = Buffer.alloc(o.size ?? 8192);
  buf[0x1f1] = 4; // setup_sects
  const payload = fakeBzPayload();
  const pmSize = Math.floor((buf.length - FAKE_KERN16) / 16) * 16;
  if (FAKE_PAYLOAD_OFFSET + payload.length > pmSize) throw new Error(`fakeBzImage: size ${buf.length} leaves no room for the payload`);
  buf.writeUInt32LE(pmSize / 16, 0x1f4); // syssize
  buf.writeUInt32LE(FAKE_PAYLOAD_OFFSET, 0x248); // payload_offset
  buf.writeUInt32LE(payload.length, 0x24c); // payload_length
  payload.copy(buf, FAKE_KERN16 + FAKE_PAYLOAD_OFFSET);
  buf.writeUInt16LE(0xaa55, 0x1fe);
  buf[0x200] = 0xeb; // jmp over the header: its length byte at 0x201 ends the header at 0x26c
  buf[0x201] = 0x6a;
  buf.write('HdrS', 0x202, 'latin1');
  buf[0x211] = 0x01; // loadflags: LOADED_HIGH
  buf.writeUInt32LE(0x200000, 0x230); // kernel_alignment
  buf[0x234] = 1; // relocatable_kernel
  buf[0x235] = 21; // min_alignment
  buf.writeBigUInt64LE(0x1000000n, 0x258); // pref_address
  buf.writeUInt32LE(0x800000, 0x260); // init_size: 8 MiB
  buf.writeUInt16LE(o.protocol ?? 0x020f, 0x206);
  buf.writeUInt16LE(o.xloadflags ?? 0x7f, 0x236);
  buf.writeUInt32LE(o.cmdlineSize ?? 2047, 0x238);
  const version = o.version === undefined ? '6.1.0-18-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)' : o.version;
  if (version !== null) {
    const at = 0x3c0;
    buf.write(version + '\0', at, 'latin1');
    buf.writeUInt16LE(at - 0x200, 0x20e);
  }
  return withBuildCrc(buf);
}

/**
 * Stores the CRC-32 arch/x86/boot/tools/build.c appends (Linux before 6.15): its partial_crc32 is
 * zlib's crc32 without the final inversion, over everything before the last 4 bytes of the
 * (setup_sects + 1) * 512 + syssize * 16 region. Computed with node's zlib, not with our code.
 */
export function withBuildCrc(buf: Buffer): Buffer {
  const end = ((buf[0x1f1] || 4) + 1) * 512 + buf.readUInt32LE(0x1f4) * 16;
  buf.writeUInt32LE(~crc32(buf.subarray(0, end - 4)) >>> 0, end - 4);
  return buf;
}

export function fakeArm64Image(version: string | null = '6.1.0-18-arm64 (debian-kernel@lists.debian.org) #1 SMP'): Buffer {
  const buf = Buffer.alloc(4096);
  buf.write('ARM\x64', 0x38, 'latin1');
  if (version !== null) buf.write(`Linux version ${version}\0`, 0x800, 'latin1');
  return buf;
}
