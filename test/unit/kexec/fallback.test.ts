import { statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileLoadMayFallBack } from '../../../src/kexec/fallback.js';
import { loadKernel, type LoadMode } from '../../../src/kexec/load.js';
import { readLoadRecord } from '../../../src/kexec/record.js';
import { FakeKernel, initialFakeState } from '../../../src/sys/fake-kernel.js';
import { errnoNumber } from '../../../src/sys/errno.js';
import { makeKexecFixture, type KexecFixture } from '../../helpers/kexec-fixture.js';
import { qemu2gFacts } from '../../helpers/x86-facts.js';
import type { X86BootFacts } from '../../../src/host/x86-boot-facts.js';
import { KEXEC_ARCH_X86_64, KEXEC_ON_CRASH } from '../../../src/sys/constants.js';

let fx: KexecFixture;
beforeEach(() => {
  fx = makeKexecFixture();
});
afterEach(() => fx.cleanup());

/** Loads fx.kernel with kexec_file_load scripted to fail with `code`; an old kernel is loaded before. */
function attempt(code: string | null, mode: LoadMode = 'auto') {
  const k = new FakeKernel(initialFakeState({ loaded: true }));
  if (code !== null) k.failWith('kexec_file_load', code);
  let err: unknown = null;
  try {
    loadKernel(
      k,
      { kernelPath: fx.kernel, initrdPaths: [fx.initrd1], cmdline: 'console=ttyS0', crash: false, mode },
      { root: fx.root, trust: fx.trust, arch: 'x86_64', x86Facts: qemu2gFacts },
    );
  } catch (e) {
    err = e;
  }
  return { k, err: err as { code?: string; message: string; errno?: number } | null };
}

// kexec-tools 2.0.27 do_kexec_file_load(): ENOSYS, EINVAL, ENOEXEC and ENOTSUP return EFALLBACK.
describe('kexec_file_load → kexec_load fallback rule (kexec-tools)', () => {
  it.each(['ENOSYS', 'EINVAL', 'ENOEXEC', 'ENOTSUP', 'EOPNOTSUPP'])('%s falls back to kexec_load, which loads the kernel with our segments', (code) => {
    expect(fileLoadMayFallBack(errnoNumber(code)!)).toBe(true);
    const { err, k } = attempt(code);
    expect(err).toBeNull();
    // What happened: one kexec_file_load with the opened files, failing with code, then one kexec_load.
    expect(k.calls.map((c) => c.syscall)).toEqual(['kexec_file_load', 'kexec_load']);
    expect(k.calls[0]).toMatchObject({ args: { cmdline: 'console=ttyS0', flags: 0 }, result: `-1 ${code === 'ENOTSUP' ? 'EOPNOTSUPP' : code}` });
    expect(String(k.calls[0]?.args['kernel'])).toContain(fx.kernel);
    const load = k.calls[1] as unknown as {
      args: { entry: string; flags: number; segments: Array<{ bufsz: number; mem: string; memsz: string }> };
      result: string;
    };
    expect(load.result).toBe('0');
    expect(load.args.flags).toBe(0x3e0000); // KEXEC_ARCH_X86_64, as kexec-tools passes it
    // kernel, boot_params, trampoline and the initrd (the fixture's cpio archive, whole), inside RAM above 1 MiB.
    expect(load.args.segments).toHaveLength(4);
    expect(load.args.segments.map((s) => s.bufsz)).toContain(statSync(fx.initrd1).size);
    for (const s of load.args.segments) {
      expect(BigInt(s.mem) >= 0x100000n && BigInt(s.mem) + BigInt(s.memsz) <= 0x7ffe0000n).toBe(true);
    }
    expect(load.args.segments.map((s) => s.mem)).toContain(load.args.entry); // the trampoline is the entry
    expect(k.state().loaded).toBe(true);
    expect(readLoadRecord(fx.root, false)).toMatchObject({ syscall: 'kexec_load', kernel: fx.kernel });
  });

  it('a kexec_load refusal prints "kexec_load failed: <strerror>" then the segment table, and keeps the old kernel', () => {
    const k = new FakeKernel(initialFakeState({ loaded: true }));
    k.failWith('kexec_load', 'EADDRNOTAVAIL');
    let err: { code?: string; message: string } | null = null;
    try {
      loadKernel(
        k,
        { kernelPath: fx.kernel, initrdPaths: [], cmdline: '', crash: false, mode: 'legacy' },
        { root: fx.root, trust: fx.trust, arch: 'x86_64', x86Facts: qemu2gFacts },
      );
    } catch (e) {
      err = e as { code?: string; message: string };
    }
    expect(err?.code).toBe('EKEXECLOAD');
    expect(err?.message.split('\n').slice(0, 3)).toEqual([
      'kexec_load failed: Cannot assign requested address',
      expect.stringMatching(/^entry = 0x[0-9a-f]+$/),
      'nr_segments = 3',
    ]);
    expect(k.state().loaded).toBe(true);
    expect(readLoadRecord(fx.root, false)).toBeNull();
  });

  it('x86_64 crash kernels through kexec_load: one KEXEC_ON_CRASH call, entry and segments in the crash region', () => {
    const k = new FakeKernel(initialFakeState({ crashSize: 256 << 20 }));
    const facts = (): X86BootFacts => ({ ...qemu2gFacts(), crashNotes: [{ cpu: 0, addr: '7fc1d000', size: '336' }], vmcoreinfo: '0x2a0c000 1024' });
    loadKernel(
      k,
      { kernelPath: fx.kernel, initrdPaths: [], cmdline: 'root=/dev/vda', crash: true, mode: 'legacy' },
      { root: fx.root, trust: fx.trust, arch: 'x86_64', x86Facts: facts },
    );
    expect(k.calls.map((c) => `${c.syscall}=${c.result}`)).toEqual(['kexec_load=0']);
    const args = k.calls[0]?.args as { entry: string; flags: number };
    expect(args.flags).toBe(KEXEC_ON_CRASH | KEXEC_ARCH_X86_64);
    const entry = BigInt(args.entry);
    expect(entry >= 0x30100000n && entry < 0x40000000n).toBe(true); // QEMU_2G_IOMEM's crash region, above the control reserve
    expect(k.state().crashLoaded).toBe(true);
  });

  it('x86_64 crash kernel through kexec_load without crash_notes: one clear error, no call, the old crash kernel stays', () => {
    const k = new FakeKernel(initialFakeState({ crashLoaded: true, crashSize: 256 << 20 }));
    let err: { code?: string; message: string } | null = null;
    try {
      loadKernel(
        k,
        { kernelPath: fx.kernel, initrdPaths: [], cmdline: '', crash: true, mode: 'legacy' },
        { root: fx.root, trust: fx.trust, arch: 'x86_64', x86Facts: qemu2gFacts },
      );
    } catch (e) {
      err = e as { code?: string; message: string };
    }
    expect(err).toMatchObject({ code: 'ECRASHNOTES', message: expect.stringMatching(/crash_notes: this kernel was built without crash dump support/) });
    expect(k.calls).toHaveLength(0);
    expect(k.state().crashLoaded).toBe(true);
  });

  it.each(['EPERM', 'EKEYREJECTED', 'EKEYEXPIRED', 'EKEYREVOKED', 'ENOKEY', 'EBADMSG', 'ELIBBAD', 'ENOPKG', 'EMSGSIZE', 'EBUSY', 'ENOMEM'])(
    '%s never falls back: "kexec_file_load failed: <strerror>", one call, old kernel kept',
    (code) => {
      expect(fileLoadMayFallBack(errnoNumber(code)!)).toBe(false);
      const { err, k } = attempt(code);
      expect(err?.code).toBe('EKEXECFILE');
      expect(err?.message).toMatch(/^kexec_file_load failed: [A-Z][a-z]/);
      expect(err?.message).not.toMatch(/Unknown error/);
      expect(k.calls.map((c) => `${c.syscall}=${c.result}`)).toEqual([`kexec_file_load=-1 ${code}`]);
      expect(k.state().loaded).toBe(true);
    },
  );

  it('EPERM says "kexec_file_load failed: Operation not permitted" and writes no record', () => {
    const { err } = attempt('EPERM');
    expect(err?.message).toBe('kexec_file_load failed: Operation not permitted');
    expect(readLoadRecord(fx.root, false)).toBeNull();
  });

  it('-s (file only) on EINVAL: the single line "syscall kexec_file_load not available.", no kexec_load attempt', () => {
    const { err, k } = attempt('EINVAL', 'file');
    expect(err).toMatchObject({ code: 'EFALLBACK', message: 'syscall kexec_file_load not available.' });
    expect(k.calls.map((c) => c.syscall)).toEqual(['kexec_file_load']);
  });

  it('-c (kexec_load only) never calls kexec_file_load', () => {
    const { err, k } = attempt(null, 'legacy');
    expect(err).toBeNull();
    expect(k.calls.map((c) => `${c.syscall}=${c.result}`)).toEqual(['kexec_load=0']);
  });
});
