/**
 * Issue 18 in process: loadKernel / loadKernelChecked refuse damaged files with the integrity
 * check's code, before any system call, for every syscall mode, and a dry run too.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KexecError } from '../../../src/errors.js';
import { loadKernel, loadKernelChecked, type LoadMode, type LoadRequest } from '../../../src/kexec/load.js';
import { FakeKernel, initialFakeState } from '../../../src/sys/fake-kernel.js';
import { FAKE_KERN16, FAKE_PAYLOAD_OFFSET, fakeBzPayload } from '../../helpers/fake-kernel-image.js';
import { makeKexecFixture, type KexecFixture } from '../../helpers/kexec-fixture.js';

let fx: KexecFixture;
beforeEach(() => {
  fx = makeKexecFixture();
});
afterEach(() => fx.cleanup());

function file(name: string, bytes: Uint8Array): string {
  const p = join(fx.dir, name);
  writeFileSync(p, bytes);
  chmodSync(p, 0o644);
  return p;
}

function req(over: Partial<LoadRequest> = {}): LoadRequest {
  return { kernelPath: fx.kernel, initrdPaths: [fx.initrd1], cmdline: 'root=/dev/vda', crash: false, mode: 'auto', ...over };
}

function codeOf(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(KexecError);
    expect((e as KexecError).exitCode).toBe(2);
    return (e as KexecError).code;
  }
}

const payloadByte = (): number => FAKE_KERN16 + FAKE_PAYLOAD_OFFSET + fakeBzPayload().length - 8;

describe('structural checks in loadKernel (always on)', () => {
  const modes: LoadMode[] = ['auto', 'file', 'legacy'];
  for (const mode of modes) {
    it(`mode ${mode}: truncated, header-only kernel and empty initrd refused with their codes, no syscall, the old load kept`, () => {
      const k = new FakeKernel(initialFakeState({ loaded: true }));
      const good = readFileSync(fx.kernel);
      const cases: Array<[Partial<LoadRequest>, string]> = [
        [{ kernelPath: file('cut', good.subarray(0, good.length - 100)) }, 'EKERNEL_TRUNCATED'],
        [{ kernelPath: file('head', good.subarray(0, FAKE_KERN16)) }, 'EKERNEL_HEADER_ONLY'],
        [{ initrdPaths: [fx.initrd1, file('empty', new Uint8Array(0))] }, 'EINITRD_EMPTY'],
      ];
      for (const [over, code] of cases) {
        expect(codeOf(() => loadKernel(k, req({ mode, ...over }), { root: fx.root, trust: fx.trust, arch: 'x86_64' }))).toBe(code);
        expect(codeOf(() => loadKernel(k, req({ mode, ...over }), { root: fx.root, trust: fx.trust, dryRun: true }))).toBe(code);
      }
      expect(k.calls).toEqual([]);
      expect(k.state().loaded).toBe(true);
    });
  }

  it('a payload without a compression magic is refused (EKERNEL_PAYLOAD_MAGIC)', () => {
    const bad = readFileSync(fx.kernel);
    bad[FAKE_KERN16 + FAKE_PAYLOAD_OFFSET] = 0;
    const k = new FakeKernel();
    expect(codeOf(() => loadKernel(k, req({ kernelPath: file('nomagic', bad) }), { root: fx.root, trust: fx.trust }))).toBe('EKERNEL_PAYLOAD_MAGIC');
    expect(k.calls).toEqual([]);
  });

  it('the good fake kernel passes, with no warnings', () => {
    const r = loadKernel(new FakeKernel(), req(), { root: fx.root, trust: fx.trust });
    expect(r.warnings).toEqual([]);
  });

  it('loadKernel will not pretend to verify', () => {
    expect(() => loadKernel(new FakeKernel(), req({ verify: true }), { root: fx.root, trust: fx.trust })).toThrow(/loadKernelChecked/);
  });
});

describe('loadKernelChecked: the deep check', () => {
  it('refuses a flipped payload byte with verify, loads it without', async () => {
    const bad = readFileSync(fx.kernel);
    bad[payloadByte()] = (bad[payloadByte()] as number) ^ 0x01;
    const path = file('flipped', bad);
    const k = new FakeKernel(initialFakeState({ loaded: true }));
    await expect(loadKernelChecked(k, req({ kernelPath: path, verify: true }), { root: fx.root, trust: fx.trust })).rejects.toMatchObject({
      code: 'EPAYLOAD_CHECKSUM',
      exitCode: 2,
    });
    expect(k.calls).toEqual([]);
    const r = await loadKernelChecked(k, req({ kernelPath: path, verify: false }), { root: fx.root, trust: fx.trust });
    expect(r.syscall).toBe('kexec_file_load');
    expect(k.calls).toHaveLength(1);
  });

  it('refuses a flipped byte outside the payload (setup code) by the build CRC, keeps what is loaded', async () => {
    const bad = readFileSync(fx.kernel);
    bad[0x300] = (bad[0x300] as number) ^ 0x40;
    const path = file('setup-flip', bad);
    const k = new FakeKernel(initialFakeState({ loaded: true }));
    await expect(loadKernelChecked(k, req({ kernelPath: path, verify: true }), { root: fx.root, trust: fx.trust })).rejects.toMatchObject({
      code: 'EKERNEL_CHECKSUM',
      exitCode: 2,
      message: expect.stringMatching(/build checksum .* does not match; free space in \/boot and reinstall the kernel package$/),
    });
    expect(k.calls).toEqual([]);
    expect(k.state().loaded).toBe(true);
  });

  it('verifies a good kernel and loads it', async () => {
    const k = new FakeKernel();
    const r = await loadKernelChecked(k, req({ verify: true }), { root: fx.root, trust: fx.trust });
    expect(r.warnings).toEqual([]);
    expect(k.state().loaded).toBe(true);
  });
});
