import { describe, expect, it } from 'vitest';
import { LAST_KEXEC_SCHEMA, type RebootIntent } from '../../../src/fleet/last-kexec.js';
import type { RunningFacts } from '../../../src/fleet/running.js';
import { coldBecauseOfLastKexec, completeBoot, decideBootCheck, KEXEC_BOOT_SCHEMA, type KexecBootState } from '../../../src/reboot/watchdog-boot.js';

const intent = (over: Partial<RebootIntent> = {}): RebootIntent => ({
  schema: LAST_KEXEC_SCHEMA,
  time: '2026-11-26T22:00:00.000Z',
  mode: 'kexec',
  bootId: 'boot-0',
  kernel: '/boot/vmlinuz-6.1.0-56-amd64',
  release: '6.1.0-56-amd64',
  initrds: [],
  cmdline: 'root=/dev/vda1',
  initrdDigest: null,
  by: 'kexecctl exec',
  ...over,
});
const run = (bootId: string, loaderType: number | null): RunningFacts => ({
  release: '6.1.0-56-amd64',
  cmdline: 'root=/dev/vda1',
  bootId,
  loaderType,
  loader: loaderType === null ? 'unknown' : loaderType >> 4 === 0xd ? 'kexec' : loaderType >> 4 === 0x7 ? 'grub' : 'qemu',
});
const now = new Date('2026-11-26T22:05:00.000Z');

describe('boot-check: did the last kexec boot come up (issue 12)', () => {
  it('the boot after a kexec intent claims it when it came through kexec (type_of_loader 0xD0) or cannot tell (arm64)', () => {
    for (const lt of [0xd0, null]) {
      const d = decideBootCheck(intent(), null, run('boot-1', lt), now);
      expect(d).toMatchObject({ action: 'claim', state: { claimedBy: 'boot-1', completedBy: null, failed: null } });
    }
  });

  it('a firmware boot (GRUB 0x72, QEMU 0xB0) after a kexec intent is a failed kexec: this boot reboots cold', () => {
    const d = decideBootCheck(intent(), null, run('boot-1', 0x72), now);
    expect(d.action).toBe('fail');
    if (d.action !== 'fail') return;
    expect(d.reason).toContain('never reached the new kernel');
    expect(d.reason).toContain('came through the firmware (grub, type_of_loader 0x72)');
    expect(coldBecauseOfLastKexec(d.state, run('boot-1', 0x72))).toMatch(/this reboot goes through the firmware$/);
    // Only for the boot that found it: the cold boot after it is back to normal.
    expect(coldBecauseOfLastKexec(d.state, run('boot-2', 0x72))).toBeNull();
    expect(decideBootCheck(intent(), d.state, run('boot-2', 0x72), now)).toMatchObject({ action: 'none' });
    // Running boot-check twice in the failing boot keeps the verdict.
    expect(decideBootCheck(intent(), d.state, run('boot-1', 0x72), now)).toMatchObject({ action: 'fail' });
  });

  it('a claimed kexec boot that never reached boot-complete fails in the next boot; a completed one does not', () => {
    const claimed: KexecBootState = { schema: KEXEC_BOOT_SCHEMA, intentTime: intent().time, claimedBy: 'boot-1', completedBy: null, failed: null };
    expect(decideBootCheck(intent(), claimed, run('boot-1', 0xd0), now)).toMatchObject({ action: 'none' });
    const d = decideBootCheck(intent(), claimed, run('boot-2', 0x72), now);
    expect(d).toMatchObject({ action: 'fail', reason: expect.stringContaining('booted (boot boot-1) but did not reach boot-complete.target') });
    const done = completeBoot(intent(), claimed, run('boot-1', 0xd0));
    expect(done).toMatchObject({ completedBy: 'boot-1' });
    expect(decideBootCheck(intent(), done, run('boot-2', 0x72), now)).toMatchObject({ action: 'none' });
  });

  it('nothing to check: no intent, a cold intent, or no reboot yet; an older state does not count for a newer intent', () => {
    expect(decideBootCheck(null, null, run('b', 0x72), now).action).toBe('none');
    expect(decideBootCheck(intent({ mode: 'cold' }), null, run('b', 0x72), now).action).toBe('none');
    expect(decideBootCheck(intent(), null, run('boot-0', 0x72), now).action).toBe('none');
    const old: KexecBootState = { schema: KEXEC_BOOT_SCHEMA, intentTime: '2026-01-01T00:00:00.000Z', claimedBy: 'x', completedBy: 'x', failed: null };
    expect(decideBootCheck(intent(), old, run('boot-1', 0x72), now).action).toBe('fail');
  });

  it('boot-complete marks only the kexec boot: not a firmware boot without a claim, not a failed one', () => {
    expect(completeBoot(intent(), null, run('boot-1', 0xd0))).toMatchObject({ completedBy: 'boot-1' });
    expect(completeBoot(intent(), null, run('boot-1', 0x72))).toBeNull();
    expect(completeBoot(intent(), null, run('boot-0', 0xd0))).toBeNull();
    const failed = decideBootCheck(intent(), null, run('boot-1', 0x72), now);
    if (failed.action !== 'fail') throw new Error('expected a failure');
    expect(completeBoot(intent(), failed.state, run('boot-1', 0x72))).toBeNull();
  });
});
