import { execFileSync } from 'node:child_process';
import { chmodSync, fstatSync, mkdirSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openChecked } from '../../../src/host/open-checked.js';
import { loadKernel, loadKernelChecked, type LoadRequest } from '../../../src/kexec/load.js';
import { readLoadRecord } from '../../../src/kexec/record.js';
import { unpackKernel } from '../../../src/kexec/unpack-kernel.js';
import { FakeKernel } from '../../../src/sys/fake-kernel.js';
import { fakeArm64Image, fakeBzImage } from '../../helpers/fake-kernel-image.js';
import { fakePe, text } from '../../helpers/fake-pe.js';
import { makeKexecFixture, type KexecFixture } from '../../helpers/kexec-fixture.js';

/** A FakeKernel that keeps the bytes behind the kernel and initrd fds of each kexec_file_load. */
class PeekingKernel extends FakeKernel {
  seen: { kernel: Buffer; initrd: Buffer | null; cmdline: string }[] = [];
  override kexecFileLoad(kernelFd: number, initrdFd: number, cmdline: string, flags: number) {
    const read = (fd: number): Buffer => {
      const b = Buffer.alloc(fstatSync(fd).size);
      readSync(fd, b, 0, b.length, 0);
      return b;
    };
    this.seen.push({ kernel: read(kernelFd), initrd: initrdFd < 0 ? null : read(initrdFd), cmdline });
    return super.kexecFileLoad(kernelFd, initrdFd, cmdline, flags);
  }
}

let fx: KexecFixture;
beforeEach(() => {
  fx = makeKexecFixture();
});
afterEach(() => fx.cleanup());

function file(name: string, data: Uint8Array): string {
  const p = join(fx.dir, name);
  writeFileSync(p, data);
  chmodSync(p, 0o644);
  return p;
}

function req(kernelPath: string, over: Partial<LoadRequest> = {}): LoadRequest {
  return { kernelPath, initrdPaths: [fx.initrd1], cmdline: 'root=/dev/vda', crash: false, mode: 'auto', ...over };
}

async function failure(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error('expected a failure');
}

const bz = fakeBzImage();

describe('compressed kernel files', () => {
  for (const [fmt, tool] of [
    ['gzip', ['gzip', '-9c']],
    ['xz', ['xz', '-c', '--check=crc32']],
    ['zstd', ['zstd', '-19', '-c', '-q']],
    ['bzip2', ['bzip2', '-c']],
    ['lzma', ['lzma', '-c']],
  ] as const) {
    it(`a ${fmt} bzImage is decompressed into a memfd and loaded as the bzImage, recorded under its own name`, async () => {
      const k = new PeekingKernel();
      const packed = execFileSync(tool[0], tool.slice(1), { input: bz });
      const path = file(`vmlinuz.${fmt}`, packed);
      const r = await loadKernelChecked(k, req(path), { root: fx.root, trust: fx.trust });
      expect(k.seen).toHaveLength(1);
      expect(Buffer.compare(k.seen[0]!.kernel, bz)).toBe(0);
      expect(r.image.format).toBe('x86-bzimage');
      expect(readLoadRecord(fx.root, false)?.kernel).toBe(path);
    });
  }

  it('a plain bzImage is still handed over as its own file, not copied', async () => {
    const k = new FakeKernel();
    await loadKernelChecked(k, req(fx.kernel), { root: fx.root, trust: fx.trust });
    expect(String(k.calls[0]!.args['kernel'])).toContain(fx.kernel);
    expect(k.calls.some((c) => c.syscall === 'memfd_create')).toBe(false);
  });

  it('a truncated gzip kernel: one line, nothing loaded, no kexec call', async () => {
    const k = new FakeKernel();
    const gz = gzipSync(Buffer.concat([bz, Buffer.alloc(200000, 1)]));
    const path = file('vmlinuz.gz', gz.subarray(0, gz.length - 30));
    const e = await failure(loadKernelChecked(k, req(path), { root: fx.root, trust: fx.trust }));
    expect(e.code).toBe('EDECOMPRESS_TRUNCATED');
    expect(e.message).not.toContain('\n');
    expect(k.calls.filter((c) => c.syscall.startsWith('kexec'))).toEqual([]);
    expect(k.state().loaded).toBe(false);
  });

  it('a decompression bomb stops at the output cap', async () => {
    const path = file('bomb.gz', gzipSync(Buffer.alloc(8 << 20), { level: 1 }));
    const f = openChecked(path, 'kernel', fx.trust);
    const e = await failure(unpackKernel(new FakeKernel(), f, { maxOutputBytes: 1 << 20 }));
    expect(e.code).toBe('EDECOMPRESS_BOMB');
    expect(e.message).toMatch(/2 GiB, the kernel's kexec_file_load limit/);
  });

  it('the synchronous loadKernel refuses a compressed kernel instead of loading it whole', () => {
    const k = new FakeKernel();
    const path = file('vmlinuz.gz', gzipSync(bz));
    expect(() => loadKernel(k, req(path), { root: fx.root, trust: fx.trust })).toThrow(/compressed or a UKI/);
    expect(k.calls).toEqual([]);
  });
});

describe('UKIs', () => {
  const uki = (extra: { name: string; data: Uint8Array }[] = []): Buffer =>
    fakePe([
      { name: '.osrel', data: text('ID=debian\nVERSION_ID=12\n') },
      { name: '.cmdline', data: text('root=/dev/vda console=ttyS0 uki-marker\n') },
      { name: '.ucode', data: text('070701ucode') },
      { name: '.initrd', data: text('070701initrd-from-uki') },
      { name: '.linux', data: bz },
      ...extra,
    ]);

  it('splits into kernel, .ucode + .initrd and .cmdline when the load names neither', async () => {
    const k = new PeekingKernel();
    const path = file('uki.efi', uki());
    const r = await loadKernelChecked(k, req(path, { initrdPaths: [], cmdline: '' }), { root: fx.root, trust: fx.trust });
    const seen = k.seen[0]!;
    expect(Buffer.compare(seen.kernel, bz)).toBe(0);
    // .ucode (11 bytes) padded to 12, then .initrd
    expect(seen.initrd?.toString('latin1')).toBe('070701ucode\x00070701initrd-from-uki');
    expect(seen.cmdline).toBe('root=/dev/vda console=ttyS0 uki-marker');
    expect(r.record.kernel).toBe(path);
  });

  it('--initrd and --append replace the UKI own ones (kexec-tools kexec-uki.c)', async () => {
    const k = new PeekingKernel();
    const path = file('uki.efi', uki());
    await loadKernelChecked(k, req(path, { cmdline: 'mine' }), { root: fx.root, trust: fx.trust });
    expect(Buffer.compare(k.seen[0]!.initrd ?? Buffer.alloc(0), readFileSync(fx.initrd1))).toBe(0);
    expect(k.seen[0]!.cmdline).toBe('mine');
  });

  it('-t uki on the kexec_load path matches, -t bzImage64 says which type the file is', async () => {
    const path = file('uki.efi', uki());
    const e = await failure(
      loadKernelChecked(new FakeKernel(), req(path, { mode: 'legacy', type: 'bzImage64' }), { root: fx.root, trust: fx.trust, dryRun: true }),
    );
    expect(e.message).toBe('Wrong file type bzImage64, file matches type uki');
    const r = await loadKernelChecked(new FakeKernel(), req(path, { mode: 'legacy', type: 'uki' }), { root: fx.root, trust: fx.trust, dryRun: true });
    expect(r.image.format).toBe('x86-bzimage');
  });

  it('refuses a split UKI under lockdown, and under an IMA kexec appraisal policy, before any call', async () => {
    const path = file('uki.efi', uki());
    mkdirSync(join(fx.root, 'sys/kernel/security/ima'), { recursive: true });
    writeFileSync(join(fx.root, 'sys/kernel/security/lockdown'), 'none [integrity] confidentiality\n');
    const k = new FakeKernel();
    const e = await failure(loadKernelChecked(k, req(path), { root: fx.root, trust: fx.trust }));
    expect(e.code).toBe('ELOCKDOWNUKI');
    expect(e.message).toMatch(/locked down \(integrity\).*no longer covered by the UKI's signature/);
    writeFileSync(join(fx.root, 'sys/kernel/security/lockdown'), '[none] integrity confidentiality\n');
    writeFileSync(join(fx.root, 'sys/kernel/security/ima/policy'), 'measure func=KEXEC_KERNEL_CHECK\nappraise func=KEXEC_KERNEL_CHECK appraise_type=imasig\n');
    const e2 = await failure(loadKernelChecked(k, req(path), { root: fx.root, trust: fx.trust }));
    expect(e2.message).toMatch(/IMA policy appraises kexec kernels/);
    expect(k.calls.filter((c) => c.syscall.startsWith('kexec'))).toEqual([]);
    // A plain kernel under the same lockdown is not our business: the kernel checks its signature.
    writeFileSync(join(fx.root, 'sys/kernel/security/lockdown'), 'none [integrity] confidentiality\n');
    writeFileSync(join(fx.root, 'sys/kernel/security/ima/policy'), '');
    await loadKernelChecked(k, req(fx.kernel), { root: fx.root, trust: fx.trust });
    expect(k.state().loaded).toBe(true);
  });

  it('a PE that is not a UKI and a UKI without .linux: one line each, nothing loaded', async () => {
    const k = new FakeKernel();
    const notUki = file('grub.efi', fakePe([{ name: '.text', data: text('code') }]));
    const e = await failure(loadKernelChecked(k, req(notUki), { root: fx.root, trust: fx.trust }));
    expect(e.message).toMatch(/is a PE\/EFI program but not a kernel image nor a UKI/);
    const noLinux = file('broken.efi', fakePe([{ name: '.osrel', data: text('ID=x') }]));
    const e2 = await failure(loadKernelChecked(k, req(noLinux), { root: fx.root, trust: fx.trust }));
    expect(e2.code).toBe('EUKINOLINUX');
    expect(k.calls.filter((c) => c.syscall.startsWith('kexec'))).toEqual([]);
  });
});

describe('arm64 zboot and arch checks', () => {
  it('a zboot image with a gzip payload loads its Image on arm64; refused on x86_64', async () => {
    const img = fakeArm64Image();
    const path = file('vmlinuz-zboot', fakePe([], { zboot: { payload: gzipSync(img), compression: 'gzip' } }));
    const k = new PeekingKernel();
    const r = await loadKernelChecked(k, req(path), { root: fx.root, trust: fx.trust, arch: 'aarch64' });
    expect(r.image.format).toBe('arm64-image');
    expect(Buffer.compare(k.seen[0]!.kernel, img)).toBe(0);
    const e = await failure(loadKernelChecked(new FakeKernel(), req(path), { root: fx.root, trust: fx.trust, arch: 'x86_64' }));
    expect(e.code).toBe('EWRONGARCH');
  });

  it('a zstd22 zboot payload with its appended size past payload_size (Makefile.zboot); a gzip bzImage refused on arm64', async () => {
    const img = fakeArm64Image();
    const z = execFileSync('zstd', ['-19', '-c', '-q'], { input: img });
    const size = Buffer.alloc(4);
    size.writeUInt32LE(img.length);
    const path = file('vmlinuz-zst', fakePe([], { zboot: { payload: z, compression: 'zstd22', trailer: size } }));
    const r = await loadKernelChecked(new FakeKernel(), req(path), { root: fx.root, trust: fx.trust, arch: 'aarch64' });
    expect(r.image.format).toBe('arm64-image');
    const gz = file('vmlinuz.gz', gzipSync(bz));
    const e = await failure(loadKernelChecked(new FakeKernel(), req(gz), { root: fx.root, trust: fx.trust, arch: 'aarch64' }));
    expect(e.code).toBe('EWRONGARCH');
  });

  it('-t on the kexec_load path: a zboot image answers to vmlinuz, a gzip Image to Image (kexec-tools probes the decompressed buffer)', async () => {
    const img = fakeArm64Image();
    const zb = file('vmlinuz-zb', fakePe([], { zboot: { payload: gzipSync(img), compression: 'gzip' } }));
    const gz = file('Image.gz', gzipSync(img));
    const o = { root: fx.root, trust: fx.trust, arch: 'aarch64' as const, dryRun: true };
    const e = await failure(loadKernelChecked(new FakeKernel(), req(zb, { mode: 'legacy', type: 'Image' }), o));
    expect(e.message).toBe('Wrong file type Image, file matches type vmlinuz');
    expect((await loadKernelChecked(new FakeKernel(), req(zb, { mode: 'legacy', type: 'vmlinuz' }), o)).image.format).toBe('arm64-image');
    expect((await loadKernelChecked(new FakeKernel(), req(gz, { mode: 'legacy', type: 'Image' }), o)).image.format).toBe('arm64-image');
  });

  it('a zboot image with an unknown compression: one line, nothing loaded', async () => {
    const path = file('vmlinuz-lzo', fakePe([], { zboot: { payload: Buffer.alloc(64, 1), compression: 'lzo' } }));
    const k = new FakeKernel();
    const e = await failure(loadKernelChecked(k, req(path), { root: fx.root, trust: fx.trust, arch: 'aarch64' }));
    expect(e.code).toBe('EZBOOT');
    expect(k.calls).toEqual([]);
  });
});
