import { describe, expect, it } from 'vitest';
import { parseFailSpec, withInjectedFailure } from '../../../src/sys/fault-injection.js';
import { FakeKernel } from '../../../src/sys/fake-kernel.js';

describe('KEXECCTL_FAIL_SYSCALL (fault injection for the QEMU fallback proof)', () => {
  it('answers the named call with the errno without making it; other calls go through', () => {
    const fake = new FakeKernel();
    const k = withInjectedFailure(fake, 'kexec_file_load:EINVAL');
    expect(k.kexecFileLoad(-1, null, '', 0)).toEqual({ ok: false, syscall: 'kexec_file_load', errno: 22, code: 'EINVAL', message: 'Invalid argument' });
    expect(fake.calls).toEqual([]); // never reached the kernel underneath
    expect(k.kexecLoad(0x1000n, [{ buf: new Uint8Array(1), mem: 0x100000n, memsz: 0x1000n }], 0).ok).toBe(true);
    expect(fake.calls.map((c) => c.syscall)).toEqual(['kexec_load']);
    expect(k.state().loaded).toBe(true);
    expect(k.kind).toBe('fake');
  });
  it('refuses anything but kexec_file_load/kexec_load with a known errno', () => {
    for (const bad of ['reboot:EPERM', 'kexec_file_load:EWHAT', 'kexec_file_load', '']) {
      expect(() => parseFailSpec(bad)).toThrow(/expected kexec_file_load:ERRNO or kexec_load:ERRNO/);
    }
  });
});
