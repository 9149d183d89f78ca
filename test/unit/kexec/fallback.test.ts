import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileLoadMayFallBack } from '../../../src/kexec/fallback.js';
import { loadKernel, type LoadMode } from '../../../src/kexec/load.js';
import { readLoadRecord } from '../../../src/kexec/record.js';
import { FakeKernel, initialFakeState } from '../../../src/sys/fake-kernel.js';
import { errnoNumber } from '../../../src/sys/errno.js';
import { makeKexecFixture, type KexecFixture } from '../../helpers/kexec-fixture.js';

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
    loadKernel(k, { kernelPath: fx.kernel, initrdPaths: [fx.initrd1], cmdline: 'console=ttyS0', crash: false, mode }, { root: fx.root, trust: fx.trust, arch: 'x86_64' });
  } catch (e) {
    err = e;
  }
  return { k, err: err as { code?: string; message: string; errno?: number } | null };
}

// kexec-tools 2.0.27 do_kexec_file_load(): ENOSYS, EINVAL, ENOEXEC and ENOTSUP return EFALLBACK.
describe('kexec_file_load → kexec_load fallback rule (kexec-tools)', () => {
  it.each(['ENOSYS', 'EINVAL', 'ENOEXEC', 'ENOTSUP', 'EOPNOTSUPP'])(
    '%s: kexec_load is next; until it exists the load stops at "kexec_load not implemented" and keeps the old kernel',
    (code) => {
      expect(fileLoadMayFallBack(errnoNumber(code)!)).toBe(true);
      const { err, k } = attempt(code);
      // What happened: exactly one kexec_file_load, with the opened files and the command line, failing with code.
      expect(k.calls).toHaveLength(1);
      expect(k.calls[0]).toMatchObject({ syscall: 'kexec_file_load', args: { cmdline: 'console=ttyS0', flags: 0 }, result: `-1 ${code === 'ENOTSUP' ? 'EOPNOTSUPP' : code}` });
      expect(String(k.calls[0]?.args['kernel'])).toContain(fx.kernel);
      expect(String(k.calls[0]?.args['initrd'])).toContain(fx.initrd1);
      // Then the kexec_load attempt, which has no segment builder yet: no kexec_load syscall (with no
      // segments it would unload the old kernel), a distinct error, nothing changed.
      expect(err?.code).toBe('ENOLEGACY');
      expect(err?.message).toMatch(/^kexec_load not implemented: kexecctl has no segment builder for x86-bzimage yet \(kexec_file_load failed: /);
      expect(k.state().loaded).toBe(true);
      expect(readLoadRecord(fx.root, false)).toBeNull();
    },
  );

  it.todo('EINVAL falls back to kexec_load and loads the kernel (needs the kexec_load segment builder)');

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

  it('-c (kexec_load only) never calls kexec_file_load and stops at "kexec_load not implemented"', () => {
    const { err, k } = attempt(null, 'legacy');
    expect(err).toMatchObject({ code: 'ENOLEGACY', message: 'kexec_load not implemented: kexecctl has no segment builder for x86-bzimage yet' });
    expect(k.calls).toHaveLength(0);
    expect(k.state().loaded).toBe(true);
  });
});
