/**
 * Builds small byte images that look like kernels to parseKernelImage, for tests.
 * Not bootable: just the headers kexecctl reads.
 */
export type FakeBzImageOpts = {
  protocol?: number;
  xloadflags?: number;
  cmdlineSize?: number;
  version?: string | null;
  size?: number;
};

export function fakeBzImage(o: FakeBzImageOpts = {}): Buffer {
  const buf = Buffer.alloc(o.size ?? 8192);
  buf[0x1f1] = 4; // setup_sects
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
  return buf;
}

export function fakeArm64Image(version: string | null = '6.1.0-18-arm64 (debian-kernel@lists.debian.org) #1 SMP'): Buffer {
  const buf = Buffer.alloc(4096);
  buf.write('ARM\x64', 0x38, 'latin1');
  if (version !== null) buf.write(`Linux version ${version}\0`, 0x800, 'latin1');
  return buf;
}
