import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKernel, type LoadRequest } from '../../../src/kexec/load.js';
import { readLoadRecord } from '../../../src/kexec/record.js';
import { FakeKernel, initialFakeState } from '../../../src/sys/fake-kernel.js';
import { makeKexecFixture, type KexecFixture } from '../../helpers/kexec-fixture.js';

let fx: KexecFixture;
beforeEach(() => {
  fx = makeKexecFixture();
});
afterEach(() => fx.cleanup());

function req(over: Partial<LoadRequest> = {}): LoadRequest {
  return { kernelPath: fx.kernel, initrdPaths: [fx.initrd1], cmdline: 'root=/dev/vda ro quiet', crash: false, mode: 'auto', ...over };
}

describe('loadKernel', () => {
  it('calls kexec_file_load with the opened fds and records what was loaded', () => {
    const k = new FakeKernel();
    const r = loadKernel(k, req(), { root: fx.root, trust: fx.trust, now: () => new Date('2026-01-02T03:04:05Z') });
    expect(k.calls).toHaveLength(1);
    const c = k.calls[0]!;
    expect(c.syscall).toBe('kexec_file_load');
    expect(c.args).toMatchObject({ cmdline: 'root=/dev/vda ro quiet', cmdlineLen: 23, flags: 0 });
    expect(String(c.args['kernel'])).toContain(fx.kernel);
    expect(String(c.args['initrd'])).toContain(fx.initrd1);
    expect(k.state().loaded).toBe(true);
    expect(r.call).toMatch(
      /^kexec_file_load\(kernel_fd=\d+<.*vmlinuz>, initrd_fd=\d+<.*initrd1.img>, cmdline_len=23, cmdline="root=\/dev\/vda ro quiet", flags=0x0\)$/,
    );
    expect(readLoadRecord(fx.root, false)).toEqual({
      kernel: fx.kernel,
      initrds: [fx.initrd1],
      cmdline: 'root=/dev/vda ro quiet',
      time: '2026-01-02T03:04:05.000Z',
      syscall: 'kexec_file_load',
      crash: false,
      release: '6.1.0-18-amd64',
      format: 'x86-bzimage',
    });
  });

  it('sets KEXEC_FILE_NO_INITRAMFS without initrd and KEXEC_FILE_ON_CRASH for crash loads', () => {
    const k = new FakeKernel(initialFakeState({ crashSize: 256 << 20 }));
    loadKernel(k, req({ initrdPaths: [], crash: true }), { root: fx.root, trust: fx.trust });
    expect(k.calls[0]!.args).toMatchObject({ initrd: '-1', flags: 0x6 });
    expect(k.state()).toMatchObject({ crashLoaded: true, loaded: false });
    expect(readLoadRecord(fx.root, true)?.crash).toBe(true);
  });

  it('refuses a crash load without a crash reservation before it opens any file, in kexec-tools words', () => {
    const k = new FakeKernel();
    let err: unknown;
    try {
      loadKernel(k, req({ crash: true, kernelPath: join(fx.dir, 'missing') }), { root: fx.root, trust: fx.trust });
    } catch (e) {
      err = e;
    }
    // kexec/kexec.c main(): die(...) with no space before the quote.
    expect(err).toMatchObject({
      code: 'ENOCRASHMEM',
      message:
        'Memory for crashkernel is not reserved\nPlease reserve memory by passing"crashkernel=Y@X" parameter to kernel\nThen try to loading kdump kernel',
    });
    expect(k.calls).toHaveLength(0);
  });

  it('-t TYPE is ignored by kexec_file_load, as kexec-tools does', () => {
    const k = new FakeKernel();
    loadKernel(k, req({ type: 'bogus' }), { root: fx.root, trust: fx.trust });
    expect(k.calls.map((c) => c.syscall)).toEqual(['kexec_file_load']);
    expect(k.state().loaded).toBe(true);
  });

  it('passes --no-cma/--force-dtb flags to kexec_file_load; refuses --real-mode before opening the initrds', () => {
    const k = new FakeKernel();
    loadKernel(k, req({ fileFlags: 0x10 }), { root: fx.root, trust: fx.trust });
    expect(k.calls[0]?.args['flags']).toBe(0x10);
    const k2 = new FakeKernel();
    expect(() => loadKernel(k2, req({ x86Entry: 'real-mode', initrdPaths: [join(fx.dir, 'nope')] }), { root: fx.root, trust: fx.trust })).toThrow(
      expect.objectContaining({ code: 'EX86ENTRY', message: 'Kexec2 syscall does not support 16bit or 32bit entry yet' }),
    );
    expect(k2.calls).toHaveLength(0);
  });

  it('an explicit trust.warn turns owner/mode refusals into warnings and loads', () => {
    const k = new FakeKernel();
    chmodSync(fx.initrd1, 0o646);
    const warnings: string[] = [];
    loadKernel(k, req(), { root: fx.root, trust: { trustedUids: [4242], warn: (m) => warnings.push(m) } });
    expect(warnings).toEqual([
      expect.stringMatching(/^kernel .*vmlinuz is owned by uid \d+, not root: loading it anyway$/),
      expect.stringMatching(/^initrd .*initrd1.img is owned by uid \d+, not root: loading it anyway$/),
      expect.stringMatching(/^initrd .*initrd1.img is world-writable \(mode 0646\): loading it anyway$/),
    ]);
    expect(k.state().loaded).toBe(true);
  });

  it('concatenates several initrds in order through a memfd, 4-byte aligned as GRUB does', () => {
    const k = new FakeKernel();
    let memfdContent: Buffer | null = null;
    const orig = k.kexecFileLoad.bind(k);
    k.kexecFileLoad = (kfd, ifd, cmd, fl) => {
      memfdContent = readFileSync(`/proc/self/fd/${ifd}`);
      return orig(kfd, ifd, cmd, fl);
    };
    const r = loadKernel(k, req({ initrdPaths: [fx.initrd1, fx.initrd2] }), { root: fx.root, trust: fx.trust });
    expect(k.calls.map((c) => c.syscall)).toEqual(['memfd_create', 'kexec_file_load']);
    // Zero bytes align initrd2 to the next multiple of 4 after initrd1; nothing follows the last file.
    const first = readFileSync(fx.initrd1);
    const expected = Buffer.concat([first, Buffer.alloc((4 - (first.length % 4)) % 4), readFileSync(fx.initrd2)]);
    expect(memfdContent!.equals(expected)).toBe(true);
    expect(r.call).toContain(`memfd:kexecctl-initrd = ${fx.initrd1} + ${fx.initrd2}`);
    expect(r.record.initrds).toEqual([fx.initrd1, fx.initrd2]);
  });

  it('dry run checks everything but makes no syscall and writes no record', () => {
    const k = new FakeKernel();
    const r = loadKernel(k, req({ initrdPaths: [fx.initrd1, fx.initrd2] }), { root: fx.root, trust: fx.trust, dryRun: true });
    expect(k.calls).toHaveLength(0);
    expect(r.dryRun).toBe(true);
    expect(r.call).toContain('initrd_fd=<memfd:kexecctl-initrd = ');
    expect(existsSync(join(fx.root, 'run/kexecctl/loaded.json'))).toBe(false);
    expect(() => loadKernel(k, req({ cmdline: 'x'.repeat(5000) }), { root: fx.root, trust: fx.trust, dryRun: true })).toThrow(/command line too long/);
  });

  it('rejects bad input with its own code, loading nothing', () => {
    const cases: Array<[() => LoadRequest, string, RegExp]> = [
      [() => req({ kernelPath: join(fx.dir, 'missing') }), 'EFILEOPEN', /Failed to open kernel file .*missing: No such file or directory/],
      [() => req({ initrdPaths: [join(fx.dir, 'nope')] }), 'EFILEOPEN', /Failed to open initrd file/],
      [() => req({ initrdPaths: [''] }), 'EFILEOPEN', /Failed to open initrd file : No such file or directory/],
      [() => req({ kernelPath: fx.dir }), 'EFILETYPE', /is a directory/],
      [
        () => {
          writeFileSync(join(fx.dir, 'text'), 'hello');
          chmodSync(join(fx.dir, 'text'), 0o644);
          return req({ kernelPath: join(fx.dir, 'text') });
        },
        'EUNKNOWNFORMAT',
        /is not a kernel image/,
      ],
      [
        () => {
          writeFileSync(join(fx.dir, 'gz'), Buffer.from([0x1f, 0x8b, 8, 0]));
          chmodSync(join(fx.dir, 'gz'), 0o644);
          return req({ kernelPath: join(fx.dir, 'gz') });
        },
        'ENEEDSUNPACK',
        /is compressed or a UKI\/zboot image; this caller loads plain kernels only/,
      ],
      [() => req({ cmdline: 'a'.repeat(2047) }), 'ECMDLINE2BIG', /command line too long: 2048 bytes/],
      [
        () => {
          chmodSync(fx.kernel, 0o666);
          return req();
        },
        'EFILEMODE',
        /world-writable \(mode 0666\)/,
      ],
      [
        () => {
          chmodSync(fx.initrd1, 0o664);
          return req();
        },
        'EFILEMODE',
        /initrd .* is group-writable/,
      ],
      [() => req({ type: 'elf-x86_64', mode: 'legacy' }), 'EBADTYPE', /^Wrong file type elf-x86_64, file matches type bzImage64$/],
      [() => req({ type: 'zImage', mode: 'legacy' }), 'EBADTYPE', /^Unsupported kernel type zImage$/],
    ];
    for (const [mk, code, re] of cases) {
      const k = new FakeKernel(initialFakeState({ loaded: true }));
      const r = mk();
      let err: unknown;
      try {
        loadKernel(k, r, { root: fx.root, trust: fx.trust, arch: 'x86_64' });
      } catch (e) {
        err = e;
      }
      expect(err, code).toMatchObject({ code });
      expect((err as Error).message).toMatch(re);
      expect(k.calls).toHaveLength(0);
      expect(k.state().loaded).toBe(true); // what was loaded before stays loaded
      chmodSync(fx.kernel, 0o644);
      chmodSync(fx.initrd1, 0o644);
    }
  });

  it('refuses a kernel built for another architecture before any syscall', () => {
    const k = new FakeKernel();
    expect(() => loadKernel(k, req(), { root: fx.root, trust: fx.trust, arch: 'aarch64' })).toThrow(/vmlinuz is a kernel for x86_64, this machine is aarch64/);
    expect(k.calls).toHaveLength(0);
    expect(loadKernel(k, req(), { root: fx.root, trust: fx.trust, arch: 'x86_64' }).image.arch).toBe('x86_64');
  });

  it('refuses files not owned by a trusted uid', () => {
    const k = new FakeKernel();
    expect(() => loadKernel(k, req(), { root: fx.root, trust: { trustedUids: [4242] } })).toThrow(/owned by uid \d+, not root/);
  });
});

describe('loadKernel record', () => {
  it('a record that cannot be written is a warning: the load itself succeeded', () => {
    const k = new FakeKernel();
    writeFileSync(join(fx.dir, 'run-is-a-file'), '');
    const r = loadKernel(k, req(), { root: join(fx.dir, 'run-is-a-file'), trust: fx.trust });
    expect(k.state().loaded).toBe(true);
    expect(r.recordFile).toBeNull();
    expect(r.warnings[0]).toMatch(/loaded, but could not record it/);
  });
});
