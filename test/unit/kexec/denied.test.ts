// Issue 12 matrix, lockdown=integrity: what our tools say when the kernel refuses a load
// (kernel/kexec.c kexec_load_check(), kernel/kexec_file.c kimage_validate_signature()).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatStatus } from '../../../src/cli/commands/status.js';
import { RootFs } from '../../../src/host/rootfs.js';
import { deniedWhy } from '../../../src/kexec/denied.js';
import { loadKernel, type LoadMode } from '../../../src/kexec/load.js';
import { readLoadRecord } from '../../../src/kexec/record.js';
import { readStatus } from '../../../src/kexec/status.js';
import { FakeKernel, initialFakeState } from '../../../src/sys/fake-kernel.js';
import { makeKexecFixture, type KexecFixture } from '../../helpers/kexec-fixture.js';
import { qemu2gFacts } from '../../helpers/x86-facts.js';

let fx: KexecFixture;
beforeEach(() => {
  fx = makeKexecFixture();
});
afterEach(() => fx.cleanup());

function lockdown(mode: string): void {
  mkdirSync(join(fx.root, 'sys/kernel/security'), { recursive: true });
  const all = ['none', 'integrity', 'confidentiality'].map((m) => (m === mode ? `[${m}]` : m)).join(' ');
  writeFileSync(join(fx.root, 'sys/kernel/security/lockdown'), `${all}\n`);
}

/** A load of the fixture kernel that the kernel refuses with `code` on `syscall`; an earlier kernel is loaded. */
function refused(syscall: 'kexec_load' | 'kexec_file_load', code: string, mode: LoadMode) {
  const k = new FakeKernel(initialFakeState({ loaded: true }));
  k.failWith(syscall, code);
  let err: { code?: string; message: string } | null = null;
  try {
    loadKernel(
      k,
      { kernelPath: fx.kernel, initrdPaths: [fx.initrd1], cmdline: 'console=ttyS0', crash: false, mode },
      { root: fx.root, trust: fx.trust, arch: 'x86_64', x86Facts: qemu2gFacts },
    );
  } catch (e) {
    err = e as { code?: string; message: string };
  }
  return { k, err };
}

describe('deniedWhy', () => {
  it('EPERM under lockdown names the mode, and what each syscall may still do', () => {
    lockdown('integrity');
    expect(deniedWhy(fx.root, 1, 'kexec_load')).toBe(
      ' (lockdown=integrity: the kernel refuses kexec_load; only kexec_file_load (kexec -s, kexecctl load --mode file) of a kernel signed by a key it trusts is allowed)',
    );
    expect(deniedWhy(fx.root, 1, 'kexec_file_load')).toMatch(/^ \(lockdown=integrity: the kernel could not verify the image's signature .*UEFI db, MOK/);
    lockdown('confidentiality');
    expect(deniedWhy(fx.root, 1, 'kexec_load')).toMatch(/^ \(lockdown=confidentiality: /);
  });
  it('says nothing without lockdown or for other errnos; kexec_load_disabled comes first', () => {
    lockdown('none');
    expect(deniedWhy(fx.root, 1, 'kexec_load')).toBe('');
    lockdown('integrity');
    expect(deniedWhy(fx.root, 99, 'kexec_load')).toBe('');
    expect(deniedWhy(fx.root, undefined, 'kexec_file_load')).toBe('');
    mkdirSync(join(fx.root, 'proc/sys/kernel'), { recursive: true });
    writeFileSync(join(fx.root, 'proc/sys/kernel/kexec_load_disabled'), '1\n');
    expect(deniedWhy(fx.root, 1, 'kexec_load')).toMatch(/^ \(kernel\.kexec_load_disabled is 1/);
  });
  it('EPERM with securityfs not mounted (an empty /sys/kernel/security, as under a busybox init): says lockdown cannot be read', () => {
    mkdirSync(join(fx.root, 'sys/kernel/security'), { recursive: true });
    const want = ' (lockdown cannot be read: securityfs is not mounted on /sys/kernel/security; a locked-down kernel refuses this, see dmesg for "Lockdown:")';
    expect(deniedWhy(fx.root, 1, 'kexec_load')).toBe(want);
    expect(deniedWhy(fx.root, 1, 'kexec_file_load')).toBe(want);
    writeFileSync(join(fx.root, 'sys/kernel/security/lsm'), 'capability,yama\n'); // mounted, no lockdown LSM
    expect(deniedWhy(fx.root, 1, 'kexec_load')).toBe('');
  });
  it('kexec_file_load verifier errnos (CONFIG_KEXEC_SIG_FORCE) name the signature, with or without lockdown', () => {
    expect(deniedWhy(fx.root, 129, 'kexec_file_load')).toBe(
      ' (this kernel enforces kexec signatures (CONFIG_KEXEC_SIG_FORCE) and its signature was rejected; load a kernel signed by a key it trusts)',
    );
    expect(deniedWhy(fx.root, 126, 'kexec_file_load')).toMatch(/no key this kernel trusts signed it/);
    expect(deniedWhy(fx.root, 61, 'kexec_file_load')).toMatch(/the image carries no signature/);
    expect(deniedWhy(fx.root, 129, 'kexec_load')).toBe('');
  });
});

describe('a load refused under lockdown=integrity', () => {
  it('kexec -c (kexec_load): one line naming lockdown, no segment table, the earlier kernel and record kept', () => {
    lockdown('integrity');
    const { err, k } = refused('kexec_load', 'EPERM', 'legacy');
    expect(err?.code).toBe('EKEXECLOAD');
    expect(err?.message).toBe(
      'kexec_load failed: Operation not permitted (lockdown=integrity: the kernel refuses kexec_load; only kexec_file_load (kexec -s, kexecctl load --mode file) of a kernel signed by a key it trusts is allowed)',
    );
    expect(k.calls.map((c) => `${c.syscall}=${c.result}`)).toEqual(['kexec_load=-1 EPERM']);
    expect(k.state().loaded).toBe(true);
    expect(readLoadRecord(fx.root, false)).toBeNull();
  });
  it('kexec -s (kexec_file_load) with an image whose signature is not trusted: one line naming lockdown and the signature, no fallback', () => {
    lockdown('integrity');
    const { err, k } = refused('kexec_file_load', 'EPERM', 'auto');
    expect(err?.code).toBe('EKEXECFILE');
    expect(err?.message.split('\n')).toHaveLength(1);
    expect(err?.message).toMatch(/^kexec_file_load failed: Operation not permitted \(lockdown=integrity: the kernel could not verify the image's signature/);
    expect(k.calls.map((c) => c.syscall)).toEqual(['kexec_file_load']); // kexec_load would sidestep the signature check
    expect(k.state().loaded).toBe(true);
  });
  it("a kexec_load refusal the tool cannot explain keeps kexec-tools' segment table", () => {
    const { err } = refused('kexec_load', 'EPERM', 'legacy');
    expect(err?.message.split('\n')[0]).toBe('kexec_load failed: Operation not permitted');
    expect(err?.message.split('\n')[1]).toMatch(/^entry = 0x[0-9a-f]+$/);
  });
});

describe('kexecctl status under lockdown', () => {
  it('the lockdown row says the mode and what it does to kexec; the JSON field stays the mode', () => {
    lockdown('integrity');
    const s = readStatus(new RootFs(fx.root));
    expect(s.lockdown).toBe('integrity');
    expect(formatStatus(s)).toMatch(
      /\nlockdown: +integrity \(kexec_load refused; kexec_file_load takes only a kernel whose signature this kernel verifies\)\n/,
    );
    lockdown('none');
    expect(formatStatus(readStatus(new RootFs(fx.root)))).toMatch(/\nlockdown: +none\n/);
  });
  it('with securityfs not mounted the lockdown row says unknown, not "not available"', () => {
    mkdirSync(join(fx.root, 'sys/kernel/security'), { recursive: true });
    expect(formatStatus(readStatus(new RootFs(fx.root)))).toMatch(/\nlockdown: +unknown \(securityfs is not mounted on \/sys\/kernel\/security\)\n/);
    writeFileSync(join(fx.root, 'sys/kernel/security/lsm'), 'capability\n');
    expect(formatStatus(readStatus(new RootFs(fx.root)))).toMatch(/\nlockdown: +not available\n/);
  });
});
