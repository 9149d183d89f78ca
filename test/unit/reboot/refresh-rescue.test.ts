/**
 * Issue 18 on the reboot path: when the refresh finds the newly planned kernel damaged, a
 * bootable earlier load is kept and booted (loudly); with nothing good loaded the reboot is cold
 * and the warning says the firmware meets the same file. Never a jump into an image that failed.
 */
import { describe, expect, it } from 'vitest';
import { describeRefresh, refreshLoad } from '../../../src/reboot/refresh.js';
import { kexecReboot } from '../../../src/reboot/reboot.js';
import { nextRebootWillKexec } from '../../../src/reboot/next-reboot.js';
import type { LoadRecord } from '../../../src/kexec/record.js';
import { WANT, fakeDeps, recordOf, wantFiles, world, type FakeWorld } from './fake-deps.js';

const OLD = { ...WANT, kernel: '/boot/vmlinuz-6.1.0-55-cloud-amd64', initrds: ['/boot/initrd.img-6.1.0-55-cloud-amd64'] };
const CUT = `${WANT.kernel} is cut short: 1048576 bytes, its header says at least 14184960 (7% there); free space in /boot and reinstall the kernel package`;

function oldRecord(release: string | null = '6.1.0-55-cloud-amd64'): LoadRecord {
  return { ...recordOf(OLD), release };
}

function damaged(over: Partial<FakeWorld> = {}): FakeWorld {
  const files = wantFiles();
  files.set('/lib/modules/6.1.0-55-cloud-amd64', 0);
  files.set('/run/systemd/system', 0);
  return world({ plan: WANT, loaded: true, record: oldRecord(), files, loadError: CUT, loadErrorCode: 'EKERNEL_TRUNCATED', ...over });
}

describe('refresh meets a damaged planned kernel', () => {
  it('keeps a bootable earlier load, unloads nothing, and says so', async () => {
    const w = damaged();
    const r = await refreshLoad(fakeDeps(w));
    expect(r).toMatchObject({ state: 'kept', kept: { kernel: OLD.kernel, release: '6.1.0-55-cloud-amd64' } });
    expect(w.events).toEqual([`load ${WANT.kernel}`]);
    expect(w.loaded).toBe(true);
    expect(describeRefresh(r)).toBe(
      `KEEPING the earlier kexec load ${OLD.kernel} (6.1.0-55-cloud-amd64): the planned ${WANT.kernel} (${WANT.source}) failed its check: ${CUT}; the next reboot kexecs into the earlier kernel`,
    );
  });

  it('reboot then kexecs into the earlier kernel, with the reason on the log', async () => {
    const w = damaged();
    const out = await kexecReboot(fakeDeps(w));
    expect(out.mode).toBe('kexec');
    expect(w.events).toEqual([`load ${WANT.kernel}`, 'run systemctl kexec']);
    expect(w.warnings.join('\n')).toMatch(/^KEEPING the earlier kexec load \/boot\/vmlinuz-6.1.0-55/);
  });

  it('goes cold when the earlier load is stale (its modules are gone) and names the file the firmware meets', async () => {
    const w = damaged();
    w.files.delete('/lib/modules/6.1.0-55-cloud-amd64');
    const out = await kexecReboot(fakeDeps(w));
    expect(out.mode).toBe('cold');
    expect(w.events).toEqual([`load ${WANT.kernel}`, 'unload', 'run SYSTEMCTL_SKIP_AUTO_KEXEC=1 systemctl reboot']);
    expect(w.warnings.join('\n')).toMatch(
      /modules are no longer installed; a firmware reboot meets the same broken file \(the boot loader's default is \/boot\/vmlinuz-6.1.0-56/,
    );
  });

  it("goes cold when nothing, or a load of unknown release, or another tool's load is there", async () => {
    for (const over of [{ loaded: false, record: null }, { record: oldRecord(null) }, { record: null }] as Partial<FakeWorld>[]) {
      const w = damaged(over);
      const r = await refreshLoad(fakeDeps(w));
      expect(r.state).toBe('failed');
      expect(w.loaded).not.toBe(true);
    }
  });

  it('a load that fails for another reason (key rejected) is not a rescue: unload, cold', async () => {
    const w = damaged({ loadError: 'Key was rejected by service', loadErrorCode: 'EKEYREJECTED' });
    expect((await refreshLoad(fakeDeps(w))).state).toBe('failed');
    expect(w.events).toEqual([`load ${WANT.kernel}`, 'unload']);
  });

  it('a dry run and status ask verify() and tell the same story without touching anything', async () => {
    const w = damaged();
    const deps = { ...fakeDeps(w), verify: async () => CUT };
    expect(await refreshLoad(deps, { dryRun: true })).toMatchObject({ state: 'kept' });
    expect(w.events).toEqual([]);
    const next = await nextRebootWillKexec(deps, 256);
    expect(next.kexec).toBe(true);
    expect(next.reason).toMatch(
      /failed its check .*cut short.*the earlier load \/boot\/vmlinuz-6.1.0-55-cloud-amd64 \(6.1.0-55-cloud-amd64\) is kept and booted/,
    );
    w.files.delete('/lib/modules/6.1.0-55-cloud-amd64');
    const cold = await nextRebootWillKexec(deps, 256);
    expect(cold).toMatchObject({ kexec: false, reason: expect.stringMatching(/firmware reboot meets the same file/) });
  });
});
