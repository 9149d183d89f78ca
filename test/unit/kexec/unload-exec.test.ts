import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertLoaded, execLoaded, NO_KEXEC_LOADED_FILE } from '../../../src/kexec/exec.js';
import { unloadKernel } from '../../../src/kexec/unload.js';
import { RootFs } from '../../../src/host/rootfs.js';
import { FakeKernel, initialFakeState } from '../../../src/sys/fake-kernel.js';
import { KernelNetControl, orderForIfdown, SysfsNetControl } from '../../../src/host/net-ifaces.js';

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
  const mk = (over = {}) =>
    new FakeKernel(initialFakeState({ loaded: true, interfaces: { lo: true, eth0: true, 'eth0:1': true, shaper0: true, eth1: false }, ...over }));
  const ioctls = (k: FakeKernel) => k.calls.filter((c) => c.syscall === 'ioctl').map((c) => `${c.args['name']} ${c.args['flags']} ${c.result}`);

  it('takes interfaces down as kexec-tools ifdown(): shaper first, not lo nor aliases, SIOCSIFFLAGS without IFF_UP', async () => {
    const k = mk();
    const r = await execLoaded(k, { fs, sync: true, ifdown: true });
    expect(r.downed).toEqual(['shaper0', 'eth0']);
    // 0x1043 (UP|BROADCAST|RUNNING|MULTICAST) read with SIOCGIFFLAGS, written back without IFF_UP.
    expect(ioctls(k)).toEqual(['shaper0 0x1042 0', 'eth0 0x1042 0']);
    expect(k.calls.map((c) => c.syscall)).toEqual(['sync', 'ioctl', 'ioctl', 'reboot']);
    expect(k.st.interfaces).toEqual({ lo: true, eth0: false, 'eth0:1': true, shaper0: false, eth1: false });
    expect(orderForIfdown(['lo', 'a:1', 'b', 'shaper1'])).toEqual(['shaper1', 'b']);
  });

  it('an interface that will not go down is a warning, not a reason to stay; neither is if_nameindex failing', async () => {
    const k = mk({ failures: { 'SIOCSIFFLAGS:eth0': 'EPERM' } });
    const warnings: string[] = [];
    const r = await execLoaded(k, { fs, sync: false, ifdown: true, warn: (l) => warnings.push(l) });
    expect(r.downed).toEqual(['shaper0']);
    expect(warnings).toEqual(['ifdown: could not take eth0: SIOCSIFFLAGS: Operation not permitted']);
    expect(k.calls.at(-1)?.syscall).toBe('reboot');
    const k2 = mk({ failures: { if_nameindex: 'ENOMEM' } });
    const w2: string[] = [];
    await execLoaded(k2, { fs, sync: false, ifdown: true, warn: (l) => w2.push(l) });
    expect(w2).toEqual(['ifdown: if_nameindex: Cannot allocate memory']);
    expect(k2.calls.map((c) => c.syscall)).toEqual(['reboot']);
  });

  it('when reboot(KEXEC) fails, the interfaces it took down come back up, through the same ioctls', async () => {
    const k = mk({ failures: { reboot: 'EPERM' } });
    await expect(execLoaded(k, { fs, sync: true, ifdown: true })).rejects.toMatchObject({
      code: 'EKEXECEXEC',
      message: 'kexec failed: Operation not permitted\nbrought back up: shaper0 eth0',
    });
    // A down interface reads 0x1002 (the kernel clears RUNNING too); IFF_UP is set back on that.
    expect(ioctls(k)).toEqual(['shaper0 0x1042 0', 'eth0 0x1042 0', 'shaper0 0x1003 0', 'eth0 0x1003 0']);
    expect(k.st.interfaces).toEqual({ lo: true, eth0: true, 'eth0:1': true, shaper0: true, eth1: false });
  });

  it('refuses without touching anything when nothing is loaded', async () => {
    const k = mk({ loaded: false });
    await expect(execLoaded(k, { fs, sync: true, ifdown: true })).rejects.toMatchObject({ code: 'ENOTLOADED', message: 'Nothing has been loaded!' });
    expect(k.calls).toHaveLength(0);
  });

  it('refuses in one line, before any sync or ifdown, when /sys/kernel/kexec_loaded is missing (a deliberate difference)', async () => {
    const k = mk({ supported: false });
    const e = await execLoaded(k, { fs, sync: true, ifdown: true }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ENOKEXEC', message: NO_KEXEC_LOADED_FILE });
    expect(NO_KEXEC_LOADED_FILE).not.toContain('\n');
    expect(NO_KEXEC_LOADED_FILE).toMatch(/^\/sys\/kernel\/kexec_loaded is missing .*: refusing to sync, take interfaces down or reboot/);
    expect(k.calls).toHaveLength(0);
  });
});

describe('assertLoaded on a real /sys (no fake): the check -e makes before it loads the binding', () => {
  it('reads kexec_loaded under the root: 1 passes, 0 is "Nothing has been loaded!", missing refuses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kexecctl-sysfs-'));
    try {
      const root = new RootFs(dir);
      expect(() => assertLoaded(root, null)).toThrow(NO_KEXEC_LOADED_FILE);
      mkdirSync(join(dir, 'sys/kernel'), { recursive: true });
      writeFileSync(join(dir, 'sys/kernel/kexec_loaded'), '0\n');
      expect(() => assertLoaded(root, null)).toThrow('Nothing has been loaded!');
      writeFileSync(join(dir, 'sys/kernel/kexec_loaded'), '1\n');
      expect(() => assertLoaded(root, null)).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('network control', () => {
  it('KernelNetControl lists up interfaces through the port without logging reads', async () => {
    const k = new FakeKernel(initialFakeState({ interfaces: { lo: true, eth0: true, eth1: false } }));
    expect(await new KernelNetControl(k).listUp()).toEqual(['eth0']);
    expect(k.calls).toEqual([]);
  });
  it('SysfsNetControl can no longer change interfaces (no `ip` command path left)', async () => {
    await expect(new SysfsNetControl(fs).setUp('eth0', false)).rejects.toMatchObject({ code: 'EIFDOWN' });
  });
});
