/**
 * kexecctl verify after a reboot recorded as cold (coldreboot, or a reboot kexecctl had to make
 * cold): the record plans no kernel, so the only question is whether the boot came through the
 * firmware. Expected values are written out by hand from docs/fleet-json.md (exit 0: the cold
 * reboot happened; exit 1: it was asked cold and came through kexec).
 */
import { describe, expect, it } from 'vitest';
import { decideVerify, verifyExit } from '../../../src/fleet/verify.js';
import type { RunningFacts } from '../../../src/fleet/running.js';
import type { RebootIntent } from '../../../src/fleet/last-kexec.js';

const cold: RebootIntent = {
  schema: 'kexecctl.last-kexec/1',
  time: '2026-11-27T06:00:00.000Z',
  mode: 'cold',
  bootId: 'aaaa',
  kernel: null,
  release: null,
  initrds: [],
  cmdline: null,
  initrdDigest: null,
  by: 'shutdown refresh',
};
const run = (over: Partial<RunningFacts>): RunningFacts => ({
  release: '6.1.0-17-cloud-amd64',
  cmdline: 'root=/dev/vda ro console=ttyS0,115200 quiet',
  bootId: 'bbbb',
  loaderType: 0xb0,
  loader: 'qemu',
  ...over,
});
const kexecCheck = (v: ReturnType<typeof decideVerify>) => v.checks.find((c) => c.name === 'kexec');

describe('verify after a cold reboot', () => {
  it('came through the firmware: ok, exit 0, and the reason says a cold reboot, not "the planned kernel"', () => {
    const v = decideVerify(cold, run({}), null);
    expect([v.ok, v.booted, verifyExit(v)]).toEqual([true, 'cold', 0]);
    expect(kexecCheck(v)?.ok).toBe(true);
    expect(kexecCheck(v)?.detail).toBe('a cold reboot was asked for (shutdown refresh), booted through the firmware: type_of_loader 0xb0 (qemu)');
    expect(v.reason).toBe('the cold reboot asked for (shutdown refresh) happened: running 6.1.0-17-cloud-amd64 (booted: cold)');
  });

  it('through GRUB counts as the firmware too', () => {
    const v = decideVerify(cold, run({ loaderType: 0x72, loader: 'grub' }), null);
    expect([v.ok, v.booted, verifyExit(v)]).toEqual([true, 'cold', 0]);
  });

  it('asked cold, came through kexec (what coldreboot exists to prevent): fails, exit 1', () => {
    const v = decideVerify(cold, run({ loaderType: 0xd0, loader: 'kexec' }), null);
    expect([v.ok, v.booted, verifyExit(v)]).toEqual([false, 'kexec', 1]);
    expect(v.reason).toBe('kexec: a cold reboot was asked for (shutdown refresh), but the boot came through kexec: type_of_loader 0xd0 (kexec)');
  });

  it('no loader mark (arm64): not failed, the kexec check unknown', () => {
    const v = decideVerify(cold, run({ loaderType: null, loader: 'unknown' }), null);
    expect([v.ok, v.booted, verifyExit(v), kexecCheck(v)?.ok]).toEqual([true, 'unknown', 0, null]);
  });

  it('same boot_id: not rebooted, fails on that alone', () => {
    const v = decideVerify(cold, run({ bootId: 'aaaa' }), null);
    expect([v.ok, v.booted, verifyExit(v)]).toEqual([false, 'not-rebooted', 1]);
    expect(v.checks.filter((c) => c.ok === false).map((c) => c.name)).toEqual(['rebooted']);
  });
});
