import { describe, expect, it } from 'vitest';
import { execLoaded } from '../../../src/kexec/exec.js';
import { unloadKernel } from '../../../src/kexec/unload.js';
import { RootFs } from '../../../src/host/rootfs.js';
import { FakeKernel, initialFakeState } from '../../../src/sys/fake-kernel.js';
import { FakeNetControl } from '../../../src/sys/fake-net.js';
import { orderForIfdown } from '../../../src/host/net-ifaces.js';

const fs = new RootFs('/nonexistent-root-for-tests');

describe('unloadKernel', () => {
  it('uses kexec_file_load(UNLOAD) and falls back to kexec_load(0 segments) only on ENOSYS', () => {
    const k = new FakeKernel(initialFakeState({ loaded: true }));
    k.failWith('kexec_file_load', 'ENOSYS');
    const r = unloadKernel(k, { crash: false, mode: 'auto' }, { root: '/nonexistent-root-for-tests' });
    expect(r.syscall).toBe('kexec_load');
    expect(k.calls.map((c) => c.syscall)).toEqual(['kexec_file_load', 'kexec_load']);
    expect(k.calls[1]?.args).toMatchObject({ segments: [], flags: 0 });
    expect(k.state().loaded).toBe(false);
  });
  it('reports other errors without fallback, kexec-tools wording', () => {
    const k = new FakeKernel(initialFakeState({ loaded: true }));
    k.failWith('kexec_file_load', 'EPERM');
    expect(() => unloadKernel(k, { crash: false, mode: 'auto' })).toThrow('kexec_file_load(unload) failed: Operation not permitted');
    expect(k.calls).toHaveLength(1);
    k.failWith('kexec_file_load', 'ENOSYS');
    expect(() => unloadKernel(k, { crash: false, mode: 'file' })).toThrow('syscall kexec_file_load not available.');
  });
  it('-c unloads with kexec_load and the crash flag', () => {
    const k = new FakeKernel(initialFakeState({ crashLoaded: true }));
    unloadKernel(k, { crash: true, mode: 'legacy' }, { root: '/nonexistent-root-for-tests' });
    expect(k.calls.map((c) => [c.syscall, c.args['flags']])).toEqual([['kexec_load', 1]]);
    expect(k.state().crashLoaded).toBe(false);
  });
});

describe('execLoaded', () => {
  const mk = (over = {}) => {
    const k = new FakeKernel(initialFakeState({ loaded: true, interfaces: { eth0: true, lo: true, shaper0: true }, ...over }));
    return { k, net: new FakeNetControl(k) };
  };
  it('downs shaper devices first, never lo', async () => {
    const { k, net } = mk();
    const r = await execLoaded(k, { fs, sync: true, ifdown: true, net });
    expect(r.downed).toEqual(['shaper0', 'eth0']);
    expect(orderForIfdown(['lo', 'a:1', 'b', 'shaper1'])).toEqual(['shaper1', 'b']);
  });
  it('an interface that will not go down is a warning, not a reason to stay', async () => {
    const { k, net } = mk({ failures: { 'ip-link': 'EPERM' } });
    const warnings: string[] = [];
    const r = await execLoaded(k, { fs, sync: false, ifdown: true, net, warn: (l) => warnings.push(l) });
    expect(r.downed).toEqual([]);
    expect(warnings).toHaveLength(2);
    expect(k.calls.at(-1)?.syscall).toBe('reboot');
  });
  it('refuses without touching anything when nothing is loaded', async () => {
    const { k, net } = mk({ loaded: false });
    await expect(execLoaded(k, { fs, sync: true, ifdown: true, net })).rejects.toMatchObject({ code: 'ENOTLOADED', message: 'Nothing has been loaded!' });
    expect(k.calls).toHaveLength(0);
  });
});
