import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { execLoaded } from '../../../src/kexec/exec.js';
import { RootFs } from '../../../src/host/rootfs.js';
import { armWatchdog, handOverWatchdog } from '../../../src/reboot/watchdog.js';
import { FakeKernel, initialFakeState, type FakeWatchdog } from '../../../src/sys/fake-kernel.js';
import type { Processes } from '../../../src/sys/processes.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});
function root(files: Record<string, string> = {}): RootFs {
  const r = mkdtempSync(join(tmpdir(), 'kexecctl-wd-'));
  roots.push(r);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(r, p, '..'), { recursive: true });
    writeFileSync(join(r, p), text);
  }
  return new RootFs(r);
}
const wd = (over: Partial<FakeWatchdog> = {}): Record<string, FakeWatchdog> => ({
  '/dev/watchdog0': { timeout: 30, running: false, maxTimeout: 600, ...over },
});
const kernel = (over = {}) => new FakeKernel(initialFakeState({ loaded: true, watchdogs: wd(), ...over }));
const seq = (k: FakeKernel) => k.calls.map((c) => (c.syscall === 'ioctl' ? String(c.args['request']) : c.syscall));

describe('watchdog across the kexec jump (issue 12)', () => {
  it('KEXEC_WATCHDOG_SEC arms /dev/watchdog0 after sync and leaves it running through reboot(KEXEC): no close', async () => {
    const k = kernel();
    const r = await execLoaded(k, { fs: root({ 'etc/default/kexec': 'KEXEC_WATCHDOG_SEC=10\n' }), sync: true, ifdown: false });
    expect(seq(k)).toEqual(['sync', 'watchdog_open', 'WDIOC_SETTIMEOUT', 'WDIOC_KEEPALIVE', 'reboot']);
    expect(k.calls.find((c) => c.args['request'] === 'WDIOC_SETTIMEOUT')?.args['seconds']).toBe(10);
    expect(k.st.watchdogs?.['/dev/watchdog0']).toMatchObject({ running: true, timeout: 10 });
    expect(r.watchdog).toMatchObject({ device: '/dev/watchdog0', timeout: 10 });
  });

  it('off by default; --watchdog beats the /run file, which beats the config; 0 turns it off', async () => {
    const k0 = kernel();
    await execLoaded(k0, { fs: root(), sync: false, ifdown: false });
    expect(seq(k0)).toEqual(['reboot']);
    const fs = root({ 'etc/default/kexec': 'KEXEC_WATCHDOG_SEC=10\n', 'run/kexecctl/watchdog-sec': '20\n' });
    const k1 = kernel();
    await execLoaded(k1, { fs, sync: false, ifdown: false });
    expect(k1.st.watchdogs?.['/dev/watchdog0']?.timeout).toBe(20);
    const k2 = kernel();
    await execLoaded(k2, { fs, sync: false, ifdown: false, watchdog: 45 });
    expect(k2.st.watchdogs?.['/dev/watchdog0']?.timeout).toBe(45);
    const k3 = kernel();
    await execLoaded(k3, { fs, sync: false, ifdown: false, watchdog: 0 });
    expect(seq(k3)).toEqual(['reboot']);
  });

  it('a failed jump stops the watchdog again (magic close), so it cannot reset the machine later', async () => {
    const k = kernel({ failures: { reboot: 'EPERM' } });
    await expect(execLoaded(k, { fs: root(), sync: false, ifdown: false, watchdog: 10 })).rejects.toMatchObject({ code: 'EKEXECEXEC' });
    expect(seq(k)).toEqual(['watchdog_open', 'WDIOC_SETTIMEOUT', 'WDIOC_KEEPALIVE', 'reboot', 'watchdog_close']);
    expect(k.calls.at(-1)?.args).toMatchObject({ magic: true });
    expect(k.st.watchdogs?.['/dev/watchdog0']?.running).toBe(false);
  });

  it('a watchdog held by systemd, missing, or refusing the timeout is a warning: the jump goes on', async () => {
    for (const [over, want] of [
      [{ watchdogs: wd({ busy: true }) }, /held by another process/],
      [{ watchdogs: {} }, /no such device/],
      [{ watchdogs: wd({ maxTimeout: 5 }) }, /WDIOC_SETTIMEOUT 10 s = EINVAL.*stopped again/],
    ] as const) {
      const k = kernel(over);
      const warnings: string[] = [];
      const r = await execLoaded(k, { fs: root(), sync: false, ifdown: false, watchdog: 10, warn: (l) => warnings.push(l) });
      expect(r.watchdog).toBeNull();
      expect(warnings.join('\n')).toMatch(want);
      expect(k.calls.at(-1)?.syscall).toBe('reboot');
      expect(k.st.watchdogs?.['/dev/watchdog0']?.running ?? false).toBe(false);
    }
  });

  it('armWatchdog reports the timeout the driver kept; handover stops it, or leaves it to its holder', () => {
    const k = kernel();
    const a = armWatchdog(k, 12);
    expect(a).toMatchObject({ ok: true, armed: { timeout: 12 } });
    // The jump never closes it; after the "boot" a new process opens it: the fake frees the old descriptor first.
    k.st.watchdogFds = {};
    expect(handOverWatchdog(k)).toMatchObject({ state: 'stopped' });
    expect(k.st.watchdogs?.['/dev/watchdog0']?.running).toBe(false);
    expect(handOverWatchdog(kernel({ watchdogs: wd({ busy: true, running: true }) }))).toMatchObject({ state: 'held' });
    expect(handOverWatchdog(kernel({ watchdogs: {} }))).toMatchObject({ state: 'absent' });
    const nowayout = kernel({ watchdogs: wd({ nowayout: true }) });
    handOverWatchdog(nowayout);
    expect(nowayout.st.watchdogs?.['/dev/watchdog0']?.running).toBe(true);
  });
});

describe('KEXEC_COLD_IF_DRIVERS and pre-exec.d in the exec path (issue 12)', () => {
  const sysfs = {
    'sys/module/mlx4_core/drivers/pci:mlx4_core': '',
    'sys/bus/pci/drivers/mlx4_core/bind': '',
    'sys/bus/pci/drivers/nvidia/bind': '',
  };
  function withDevice(fs: RootFs, dir: string, dev: string): void {
    symlinkSync('../../../../devices/pci0000:00/' + dev, join(fs.root, dir, dev));
  }

  it('refuses before any sync, hook, network change or watchdog when a listed driver has a device bound', async () => {
    const fs = root({ ...sysfs, 'etc/default/kexec': 'KEXEC_COLD_IF_DRIVERS="nvidia mlx4-core"\nKEXEC_WATCHDOG_SEC=10\n' });
    const k0 = kernel();
    await execLoaded(k0, { fs, sync: true, ifdown: false }); // nothing bound yet: jumps
    expect(seq(k0).at(-1)).toBe('reboot');
    withDevice(fs, 'sys/bus/pci/drivers/mlx4_core', '0000:03:00.0');
    const k = kernel();
    const ran: string[] = [];
    const runner: Processes = {
      run: async (cmd, args) => (ran.push([cmd, ...args].join(' ')), { exitCode: 0, stdout: '', stderr: '' }),
      pipe: async () => ({ producer: 0, consumer: 0 }),
    };
    await expect(execLoaded(k, { fs, sync: true, ifdown: false, runner })).rejects.toMatchObject({
      code: 'ECOLDDRIVER',
      message: expect.stringContaining('pci:mlx4_core (0000:03:00.0) is bound'),
    });
    expect(k.calls).toEqual([]);
    expect(ran).toEqual([]);
  });

  it('runs the hooks just before the sync, in run-parts order, under timeout, output logged', async () => {
    const fs = root({ 'etc/kexecctl/pre-exec.d/20-b': '#!/bin/sh\n', 'etc/kexecctl/pre-exec.d/10-a': '#!/bin/sh\n' });
    for (const n of ['10-a', '20-b']) chmodSync(join(fs.root, 'etc/kexecctl/pre-exec.d', n), 0o755);
    const k = kernel();
    const order: string[] = [];
    const runner: Processes = {
      run: async (cmd, args) => {
        order.push(`${cmd} ${args.join(' ')}`);
        k.note('hook', {});
        return { exitCode: 0, stdout: `out of ${String(args.at(-1)).split('/').at(-1)}\n`, stderr: '' };
      },
      pipe: async () => ({ producer: 0, consumer: 0 }),
    };
    const logged: string[] = [];
    await execLoaded(k, { fs, sync: true, ifdown: false, runner, info: (l) => logged.push(l) });
    expect(order).toEqual([`timeout -k 5 30 ${fs.root}/etc/kexecctl/pre-exec.d/10-a`, `timeout -k 5 30 ${fs.root}/etc/kexecctl/pre-exec.d/20-b`]);
    expect(seq(k)).toEqual(['hook', 'hook', 'sync', 'reboot']);
    expect(logged).toContain('pre-exec.d/10-a: out of 10-a');
  });
});
