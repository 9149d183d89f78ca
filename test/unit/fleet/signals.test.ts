/**
 * Fleet signals, pure: needs-reboot's verdict, the reboot-required sentinel's ownership rules and
 * verify's checks. Expected values are written out by hand from the rules in docs/fleet-json.md.
 */
import { describe, expect, it } from 'vitest';
import { decideNeedsReboot, needsRebootExit } from '../../../src/fleet/needs-reboot.js';
import { planSentinel } from '../../../src/fleet/sentinel.js';
import { decideVerify, verifyExit } from '../../../src/fleet/verify.js';
import { loaderKind, type RunningFacts } from '../../../src/fleet/running.js';
import type { RebootIntent } from '../../../src/fleet/last-kexec.js';

const planned = {
  kernel: '/boot/vmlinuz-6.1.0-17-amd64',
  initrds: ['/boot/initrd.img-6.1.0-17-amd64'],
  cmdline: 'BOOT_IMAGE=/boot/vmlinuz-6.1.0-17-amd64 ro quiet',
  release: '6.1.0-17-amd64',
  source: 'grub',
};

describe('needs-reboot verdict', () => {
  it('release differs: needed, exit 0', () => {
    const v = decideNeedsReboot({ release: '6.1.0-18-amd64', cmdline: planned.cmdline }, planned);
    expect([v.needed, v.cause, needsRebootExit(v)]).toEqual([true, 'release', 0]);
    expect(v.reason).toContain('running 6.1.0-18-amd64, the plan boots 6.1.0-17-amd64');
  });
  it('same kernel, command line differs only in spacing: not needed, exit 1', () => {
    const v = decideNeedsReboot({ release: '6.1.0-17-amd64', cmdline: ' BOOT_IMAGE=/boot/vmlinuz-6.1.0-17-amd64  ro quiet\n' }, planned);
    expect([v.needed, v.cause, needsRebootExit(v)]).toEqual([false, 'none', 1]);
  });
  it('command line differs: needed', () => {
    const v = decideNeedsReboot({ release: '6.1.0-17-amd64', cmdline: 'root=/dev/vda ro' }, planned);
    expect([v.needed, v.cause]).toEqual([true, 'cmdline']);
  });
  it('no plan or unreadable running kernel: cannot tell, exit 2', () => {
    expect(needsRebootExit(decideNeedsReboot({ release: 'x', cmdline: 'y' }, null, 'LOAD_KEXEC=false'))).toBe(2);
    expect(decideNeedsReboot({ release: null, cmdline: 'y' }, planned).needed).toBeNull();
  });
});

describe('reboot-required sentinel ownership', () => {
  it('needed and absent: we write it and own it', () => {
    expect(planSentinel({ exists: false, pkgs: [], ours: false }, true)).toMatchObject({
      action: 'written',
      pkgs: ['kexecctl'],
      writeFile: true,
      mark: 'write',
    });
  });
  it("needed, someone else's file: our line joins theirs, no ownership", () => {
    expect(planSentinel({ exists: true, pkgs: ['libc6'], ours: false }, true)).toMatchObject({
      action: 'joined',
      pkgs: ['libc6', 'kexecctl'],
      writeFile: false,
      mark: 'keep',
    });
  });
  it('not needed, ours, nobody else: cleared', () => {
    expect(planSentinel({ exists: true, pkgs: ['kexecctl'], ours: true }, false)).toMatchObject({
      action: 'cleared',
      pkgs: null,
      removeFile: true,
      mark: 'remove',
    });
  });
  it('not needed, ours but another package asked since: left, only our line goes', () => {
    expect(planSentinel({ exists: true, pkgs: ['kexecctl', 'linux-base'], ours: true }, false)).toMatchObject({
      action: 'left',
      pkgs: ['linux-base'],
      removeFile: false,
      mark: 'remove',
    });
  });
  it("not needed, someone else's file: never removed", () => {
    expect(planSentinel({ exists: true, pkgs: ['dbus'], ours: false }, false)).toMatchObject({ action: 'left', removeFile: false });
    expect(planSentinel({ exists: true, pkgs: [], ours: false }, false).removeFile).toBe(false);
  });
  it('no verdict: untouched', () => {
    expect(planSentinel({ exists: true, pkgs: ['kexecctl'], ours: true }, null).action).toBe('untouched');
  });
});

const intent: RebootIntent = {
  schema: 'kexecctl.last-kexec/1',
  time: '2026-11-26T20:00:00.000Z',
  mode: 'kexec',
  bootId: 'aaaa',
  kernel: planned.kernel,
  release: planned.release,
  initrds: planned.initrds,
  cmdline: planned.cmdline,
  initrdDigest: 'sha256:11',
  by: 'kexecctl reboot',
};
const run = (over: Partial<RunningFacts>): RunningFacts => ({
  release: planned.release,
  cmdline: planned.cmdline,
  bootId: 'bbbb',
  loaderType: 0xd0,
  loader: 'kexec',
  ...over,
});

describe('verify', () => {
  it('type_of_loader: 0xD0 kexec, 0x72 GRUB, 0xB0 QEMU, none unknown', () => {
    expect([loaderKind(0xd0), loaderKind(0x72), loaderKind(0xb0), loaderKind(0x21), loaderKind(null)]).toEqual(['kexec', 'grub', 'qemu', 'other', 'unknown']);
  });
  it('new boot, kexec, planned kernel, same initrd: ok, exit 0', () => {
    const v = decideVerify(intent, run({}), 'sha256:11');
    expect([v.ok, v.booted, verifyExit(v)]).toEqual([true, 'kexec', 0]);
  });
  it('booted cold onto the right kernel: fails, unless --allow-cold', () => {
    const cold = run({ loaderType: 0x72, loader: 'grub' });
    const v = decideVerify(intent, cold, 'sha256:11');
    expect([v.ok, v.booted, verifyExit(v)]).toEqual([false, 'cold', 1]);
    expect(v.reason).toMatch(/^kexec: booted through the firmware/);
    expect(decideVerify(intent, cold, 'sha256:11', { allowCold: true }).ok).toBe(true);
  });
  it('same boot_id: not rebooted, fails', () => {
    const v = decideVerify(intent, run({ bootId: 'aaaa' }), 'sha256:11');
    expect([v.ok, v.booted]).toEqual([false, 'not-rebooted']);
  });
  it('wrong release, changed initrd: each named', () => {
    const v = decideVerify(intent, run({ release: '6.1.0-18-amd64' }), 'sha256:22');
    expect(v.checks.filter((c) => c.ok === false).map((c) => c.name)).toEqual(['release', 'initrd']);
  });
  it('no intent: exit 2', () => {
    expect(verifyExit(decideVerify(null, run({}), null))).toBe(2);
  });
});
