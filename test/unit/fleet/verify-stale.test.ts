/**
 * kexecctl verify after a reboot kexecctl never saw (issue 12: verify judging a stale record). The
 * intent says which boot asked for the kexec; boot-check's state says which boot it led to. In any
 * later boot the record describes an older reboot: nothing to verify (exit 2), never "FAILED: booted
 * through the firmware" for a reset or power cut kexecctl had no part in. Expected values by hand.
 */
import { describe, expect, it } from 'vitest';
import { decideVerify, verifyExit } from '../../../src/fleet/verify.js';
import type { RunningFacts } from '../../../src/fleet/running.js';
import type { RebootIntent } from '../../../src/fleet/last-kexec.js';
import { bootOfIntent, type KexecBootState } from '../../../src/reboot/watchdog-boot.js';

const intent: RebootIntent = {
  schema: 'kexecctl.last-kexec/1',
  time: '2026-11-27T06:00:00.000Z',
  mode: 'kexec',
  bootId: 'boot-a',
  kernel: '/boot/vmlinuz-6.1.0-17-amd64',
  release: '6.1.0-17-amd64',
  initrds: ['/boot/initrd.img-6.1.0-17-amd64'],
  cmdline: 'root=/dev/vda ro quiet',
  initrdDigest: 'sha256:11',
  by: 'kexecctl reboot',
};
const run = (over: Partial<RunningFacts>): RunningFacts => ({
  release: '6.1.0-17-amd64',
  cmdline: 'root=/dev/vda ro quiet',
  bootId: 'boot-b',
  loaderType: 0xd0,
  loader: 'kexec',
  ...over,
});
const state = (over: Partial<KexecBootState>): KexecBootState => ({
  schema: 'kexecctl.kexec-boot/1',
  intentTime: intent.time,
  claimedBy: 'boot-b',
  completedBy: 'boot-b',
  failed: null,
  ...over,
});

describe('bootOfIntent', () => {
  it('is the boot that claimed the intent, else the one that found it failed, and only for this intent', () => {
    expect(bootOfIntent(state({}), intent)).toBe('boot-b');
    expect(bootOfIntent(state({ claimedBy: null, completedBy: null, failed: { reason: 'hang', foundIn: 'boot-c', time: 't' } }), intent)).toBe('boot-c');
    expect(bootOfIntent(state({ intentTime: '2026-11-26T00:00:00.000Z' }), intent)).toBeNull();
    expect(bootOfIntent(null, intent)).toBeNull();
    expect(bootOfIntent(state({}), null)).toBeNull();
  });
});

describe('verify with boot-check state', () => {
  it('in the boot the kexec led to: the normal verdict', () => {
    const v = decideVerify(intent, run({}), 'sha256:11', { intentBoot: 'boot-b' });
    expect([v.ok, v.booted, verifyExit(v)]).toEqual([true, 'kexec', 0]);
  });
  it('in a later boot (a reset kexecctl did not see): nothing to verify, exit 2, and says which boots', () => {
    const v = decideVerify(intent, run({ bootId: 'boot-c', loaderType: 0x72, loader: 'grub' }), 'sha256:11', { intentBoot: 'boot-b' });
    expect([v.ok, v.booted, verifyExit(v), v.checks]).toEqual([false, 'no-intent', 2, []]);
    expect(v.reason).toBe(
      'no reboot recorded by kexecctl led to this boot (boot-c): the last one (2026-11-27T06:00:00.000Z, from boot boot-a) led to boot boot-b, and a later reboot was made without kexecctl',
    );
  });
  it('a kexec that failed is still reported in the boot that found it, and not in the boots after', () => {
    const found = run({ bootId: 'boot-c', loaderType: 0xb0, loader: 'qemu' });
    const inC = decideVerify(intent, found, 'sha256:11', { intentBoot: 'boot-c' });
    expect([inC.booted, verifyExit(inC)]).toEqual(['cold', 1]);
    const inD = decideVerify(intent, { ...found, bootId: 'boot-d' }, 'sha256:11', { intentBoot: 'boot-c' });
    expect(verifyExit(inD)).toBe(2);
  });
  it('before any reboot (same boot as the intent): still "not rebooted", whatever the state says', () => {
    const v = decideVerify(intent, run({ bootId: 'boot-a' }), 'sha256:11', { intentBoot: 'boot-b' });
    expect([v.booted, verifyExit(v)]).toEqual(['not-rebooted', 1]);
  });
  it('without boot-check state (sysvinit): judged as before', () => {
    const v = decideVerify(intent, run({ bootId: 'boot-c', loaderType: 0x72, loader: 'grub' }), 'sha256:11', { intentBoot: null });
    expect([v.booted, verifyExit(v)]).toEqual(['cold', 1]);
  });
});
