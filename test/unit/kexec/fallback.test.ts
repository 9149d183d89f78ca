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

function attempt(code: string, mode: LoadMode = 'auto') {
  const k = new FakeKernel(initialFakeState({ loaded: true }));
  k.failWith('kexec_file_load', code);
  let err: unknown = null;
  let result = null;
  try {
    result = loadKernel(k, { kernelPath: fx.kernel, initrdPaths: [], cmdline: 'x', crash: false, mode }, { root: fx.root, trust: fx.trust });
  } catch (e) {
    err = e;
  }
  return { k, err: err as { code?: string; message: string; errno?: number } | null, result };
}

describe('kexec_file_load → kexec_load fallback rule (kexec-tools)', () => {
  it.each(['ENOSYS', 'EINVAL', 'ENOEXEC', 'ENOTSUP', 'EOPNOTSUPP'])('%s falls back to kexec_load', (code) => {
    expect(fileLoadMayFallBack(errnoNumber(code)!)).toBe(true);
    const { err } = attempt(code);
    expect(err?.code).toBe('ENOLEGACY');
    expect(err?.message).toMatch(/^kexec_load fallback: segment builder not implemented for x86-bzimage \(after kexec_file_load failed: /);
  });

  it.each(['EPERM', 'EKEYREJECTED', 'EKEYEXPIRED', 'EKEYREVOKED', 'ENOKEY', 'EBADMSG', 'EBUSY', 'EADDRNOTAVAIL', 'ENOMEM'])('%s never falls back', (code) => {
    expect(fileLoadMayFallBack(errnoNumber(code)!)).toBe(false);
    const { err, k } = attempt(code);
    expect(err?.code).toBe('EKEXECFILE');
    expect(err?.message).toMatch(/^kexec_file_load failed: /);
    expect(k.calls.map((c) => c.syscall)).toEqual(['kexec_file_load']);
  });

  it('EPERM says "kexec_file_load failed: Operation not permitted" and keeps the old load', () => {
    const { err, k } = attempt('EPERM');
    expect(err?.message).toBe('kexec_file_load failed: Operation not permitted');
    expect(k.state().loaded).toBe(true);
    expect(readLoadRecord(fx.root, false)).toBeNull();
  });

  it('-s (file only) does not fall back on EINVAL', () => {
    const { err } = attempt('EINVAL', 'file');
    expect(err?.code).toBe('EFALLBACK');
    expect(err?.message).toContain('syscall kexec_file_load not available.');
  });

  it('-c (legacy only) never calls kexec_file_load', () => {
    const { err, k } = attempt('EPERM', 'legacy');
    expect(err?.code).toBe('ENOLEGACY');
    expect(k.calls).toHaveLength(0);
  });
});
