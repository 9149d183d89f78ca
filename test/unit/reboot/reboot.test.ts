import { describe, expect, it } from 'vitest';
import { coldReboot } from '../../../src/reboot/coldreboot.js';
import { parseSystemdVersion, rebootPathKexecs } from '../../../src/reboot/init-system.js';
import { nextRebootWillKexec } from '../../../src/reboot/next-reboot.js';
import { kexecReboot } from '../../../src/reboot/reboot.js';
import { withoutNextEntry } from '../../../src/reboot/grubenv.js';
import { WANT, fakeDeps, recordOf, wantFiles, world } from './fake-deps.js';

const systemd = () => {
  const f = wantFiles();
  f.set('/run/systemd/system', 0);
  return f;
};
const sysv = () => {
  const f = wantFiles();
  f.set('/run/initctl', 0);
  f.set('/etc/init.d/kexec', 0);
  return f;
};

describe('kexecctl reboot', () => {
  it('systemd: refreshes a stale load, then systemctl kexec', async () => {
    const w = world({ plan: WANT, files: systemd() });
    const r = await kexecReboot(fakeDeps(w));
    expect(r).toMatchObject({ init: 'systemd', mode: 'kexec' });
    expect(w.events).toEqual([`load ${WANT.kernel}`, 'run systemctl kexec']);
  });
  it('warns when /sys/kernel/kexec_loaded cannot be read: the init system may not see the load', async () => {
    const w = world({ plan: WANT, loaded: null, files: sysv() });
    const r = await kexecReboot(fakeDeps(w), { dryRun: true });
    expect(r.mode).toBe('kexec');
    expect(w.warnings).toEqual([expect.stringMatching(/^cannot read \/sys\/kernel\/kexec_loaded .*goes through the firmware$/)]);
    const ok = world({ plan: WANT, loaded: true, record: recordOf(WANT), files: sysv() });
    await kexecReboot(fakeDeps(ok), { dryRun: true });
    expect(ok.warnings).toEqual([]);
  });
  it('sysvinit: telinit 6 (the kexec init script jumps)', async () => {
    const w = world({ plan: WANT, loaded: true, record: recordOf(WANT), files: sysv() });
    await kexecReboot(fakeDeps(w));
    expect(w.events).toEqual(['run telinit 6']);
  });
  it('--force syncs and jumps at once, without the init system', async () => {
    const w = world({ plan: WANT, loaded: true, record: recordOf(WANT), files: systemd() });
    await kexecReboot(fakeDeps(w), { force: true });
    expect(w.events).toEqual(['exec']);
  });
  it('a failed load logs why and reboots cold instead — never nothing', async () => {
    const w = world({ plan: WANT, files: systemd(), loadError: 'kexec_file_load failed: Operation not permitted' });
    const r = await kexecReboot(fakeDeps(w));
    expect(r.mode).toBe('cold');
    expect(w.events).toEqual([`load ${WANT.kernel}`, 'run SYSTEMCTL_SKIP_AUTO_KEXEC=1 systemctl reboot']);
    expect(w.warnings.join('\n')).toMatch(/Operation not permitted.*firmware/);
  });
  it('a failed load with --force restarts at once', async () => {
    const w = world({ plan: WANT, files: systemd(), loadError: 'EPERM' });
    await kexecReboot(fakeDeps(w), { force: true });
    expect(w.events).toEqual([`load ${WANT.kernel}`, 'restart']);
  });
  it('systemctl kexec failing falls back to a cold reboot, and a refused reboot to an immediate one', async () => {
    const w = world({ plan: WANT, loaded: true, record: recordOf(WANT), files: systemd(), runExit: { 'systemctl kexec': 1, 'systemctl reboot': 1 } });
    const r = await kexecReboot(fakeDeps(w));
    expect(r.mode).toBe('cold');
    expect(w.events).toEqual(['run systemctl kexec', 'run SYSTEMCTL_SKIP_AUTO_KEXEC=1 systemctl reboot', 'restart']);
  });
  it('--dry-run prints every step and does nothing', async () => {
    const w = world({ plan: WANT, files: systemd() });
    const r = await kexecReboot(fakeDeps(w), { dryRun: true });
    expect(w.events).toEqual([]);
    expect(r.steps).toEqual(['systemctl kexec']);
    expect(w.infos).toEqual([expect.stringMatching(/^would load /), 'would run: systemctl kexec']);
  });
  it('LOAD_KEXEC=false: cold reboot with the reason', async () => {
    const w = world({ files: systemd() });
    const r = await kexecReboot(fakeDeps(w));
    expect(r.mode).toBe('cold');
    expect(w.warnings[0]).toMatch(/LOAD_KEXEC is not true/);
  });
});

describe('coldreboot', () => {
  it('unloads, creates /no-kexec-reboot and runs reboot with the arguments, auto-kexec off', async () => {
    const w = world({ loaded: true, record: recordOf(WANT) });
    const code = await coldReboot(fakeDeps(w), ['--no-wall']);
    expect(code).toBe(0);
    expect(w.events).toEqual(['touch /no-kexec-reboot', 'unload', 'run SYSTEMCTL_SKIP_AUTO_KEXEC=1 reboot --no-wall']);
  });
  it('still reboots when unloading fails (the flag keeps kexec away)', async () => {
    const w = world({ loaded: true, unloadError: 'EPERM' });
    await coldReboot(fakeDeps(w), [], { retries: 2, retryDelayMs: 1 });
    expect(w.events).toEqual(['touch /no-kexec-reboot', 'unload', 'unload', 'unload', 'run SYSTEMCTL_SKIP_AUTO_KEXEC=1 reboot']);
    expect(w.warnings[0]).toMatch(/EPERM.*no-kexec-reboot/);
  });
  it('retries an unload that races with a load in progress (EBUSY)', async () => {
    const w = world({ loaded: true, unloadError: 'Device or resource busy' });
    const d = fakeDeps(w);
    const unload = d.unload.bind(d);
    let n = 0;
    d.unload = async () => {
      if (++n === 2) delete w.unloadError;
      await unload();
    };
    await coldReboot(d, [], { retries: 5, retryDelayMs: 1 });
    expect(w.events).toEqual(['touch /no-kexec-reboot', 'unload', 'unload', 'run SYSTEMCTL_SKIP_AUTO_KEXEC=1 reboot']);
    expect(w.warnings).toEqual([]);
  });
  it('--dry-run changes nothing', async () => {
    const w = world({ loaded: true });
    await coldReboot(fakeDeps(w), ['-f'], { dryRun: true });
    expect(w.files.has('/no-kexec-reboot')).toBe(false);
    expect(w.events).toEqual([]);
    expect(w.infos).toEqual(['would unload the loaded kexec kernel', 'would create /no-kexec-reboot', 'would run: SYSTEMCTL_SKIP_AUTO_KEXEC=1 reboot -f']);
  });
});

describe('next reboot will kexec (status)', () => {
  it('yes when a fresh kernel is loaded and the reboot path kexecs', async () => {
    const f = systemd();
    f.set('/usr/lib/systemd/system-shutdown/kexecctl', 0);
    const w = world({ plan: WANT, loaded: true, record: recordOf(WANT), files: f });
    expect(await nextRebootWillKexec(fakeDeps(w), 252)).toMatchObject({ kexec: true, reason: expect.stringContaining('system-shutdown hook') });
  });
  it('no on systemd < 255 without the hook, yes on >= 255', async () => {
    const w = world({ plan: WANT, loaded: true, record: recordOf(WANT), files: systemd() });
    expect(await nextRebootWillKexec(fakeDeps(w), 252)).toMatchObject({ kexec: false, reason: expect.stringContaining('< 255') });
    expect(await nextRebootWillKexec(fakeDeps(w), 256)).toMatchObject({ kexec: true });
  });
  it('no after coldreboot, or when nothing can be loaded', async () => {
    const f = systemd();
    f.set('/no-kexec-reboot', 0);
    expect(await nextRebootWillKexec(fakeDeps(world({ plan: WANT, loaded: true, files: f })), 256)).toMatchObject({
      kexec: false,
      reason: expect.stringContaining('coldreboot'),
    });
    expect(await nextRebootWillKexec(fakeDeps(world({ plan: new Error('no grub.cfg'), files: systemd() })), 256)).toMatchObject({
      kexec: false,
      reason: expect.stringContaining('no grub.cfg'),
    });
    expect(await nextRebootWillKexec(fakeDeps(world({ loaded: null })), 256)).toMatchObject({
      kexec: false,
      reason: expect.stringContaining('no kexec support'),
    });
  });
  it('sysvinit: kexec-load loads at runlevel 6', async () => {
    expect(await nextRebootWillKexec(fakeDeps(world({ plan: WANT, files: sysv() })), null)).toMatchObject({
      kexec: true,
      reason: expect.stringContaining('runlevel 6'),
    });
  });
});

describe('helpers', () => {
  it('parses systemctl --version', () => {
    expect(parseSystemdVersion('systemd 252 (252.38-1~deb12u1)\n+PAM +AUDIT')).toBe(252);
    expect(parseSystemdVersion('busybox')).toBeNull();
  });
  it('knows which reboot paths kexec', () => {
    expect(rebootPathKexecs('unknown', null, { exists: () => false }).yes).toBe(false);
    expect(rebootPathKexecs('sysvinit', null, { exists: () => false }).yes).toBe(false);
  });
  it('clears grubenv next_entry in place, keeping the 1024-byte block', () => {
    const block = (body: string) => body + '#'.repeat(1024 - body.length);
    const env = block('# GRUB Environment Block\nsaved_entry=0\nnext_entry=gnulinux-advanced-x>gnulinux-old\n');
    const out = withoutNextEntry(env);
    expect(out).not.toBeNull();
    expect(out?.length).toBe(1024);
    expect(out).toContain('\nnext_entry=\n');
    expect(out).toContain('saved_entry=0\n');
    expect(withoutNextEntry(block('# GRUB Environment Block\nnext_entry=\n'))).toBeNull();
  });
});
