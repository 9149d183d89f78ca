import { describe, expect, it } from 'vitest';
import { KexecError } from '../../../src/errors.js';
import { describeRefresh, refreshLoad } from '../../../src/reboot/refresh.js';
import { compareWithRecord } from '../../../src/reboot/staleness.js';
import { WANT, fakeDeps, recordOf, wantFiles, world } from './fake-deps.js';

describe('compareWithRecord', () => {
  const ctime = (m: Map<string, number>) => (p: string) => m.get(p) ?? null;
  it('is fresh when paths, cmdline match and the files did not change since the load', () => {
    expect(compareWithRecord(WANT, true, recordOf(WANT), ctime(wantFiles()))).toEqual({ fresh: true });
  });
  it('is stale when nothing is loaded, or loaded by someone else', () => {
    expect(compareWithRecord(WANT, false, recordOf(WANT), ctime(wantFiles()))).toMatchObject({ fresh: false, reason: 'no kexec kernel is loaded' });
    expect(compareWithRecord(WANT, true, null, ctime(wantFiles()))).toMatchObject({ fresh: false, reason: expect.stringContaining('no record') });
  });
  it('is stale when the plan names another kernel, initrd or command line', () => {
    expect(compareWithRecord({ ...WANT, kernel: '/boot/vmlinuz-old' }, true, recordOf(WANT), ctime(wantFiles()))).toMatchObject({
      reason: expect.stringContaining('/boot/vmlinuz-old'),
    });
    expect(compareWithRecord({ ...WANT, initrds: [] }, true, recordOf(WANT), ctime(wantFiles()))).toMatchObject({ reason: expect.stringContaining('(none)') });
    expect(compareWithRecord({ ...WANT, cmdline: 'x' }, true, recordOf(WANT), ctime(wantFiles()))).toMatchObject({
      reason: expect.stringContaining('command line'),
    });
  });
  it('is stale when a file was replaced in place after the load (ctime), or vanished', () => {
    const later = wantFiles();
    later.set(WANT.kernel, Date.parse('2026-01-01T00:01:00.000Z'));
    expect(compareWithRecord(WANT, true, recordOf(WANT), ctime(later))).toMatchObject({ reason: `${WANT.kernel} changed after it was loaded` });
    const gone = wantFiles();
    gone.delete(WANT.initrds[0] as string);
    expect(compareWithRecord(WANT, true, recordOf(WANT), ctime(gone))).toMatchObject({ reason: expect.stringContaining('is missing') });
  });
});

describe('refreshLoad', () => {
  it('does nothing when the load is fresh', async () => {
    const w = world({ plan: WANT, loaded: true, record: recordOf(WANT), files: wantFiles() });
    const r = await refreshLoad(fakeDeps(w));
    expect(r.state).toBe('fresh');
    expect(w.events).toEqual([]);
  });
  it('loads when nothing is loaded', async () => {
    const w = world({ plan: WANT, files: wantFiles() });
    const r = await refreshLoad(fakeDeps(w));
    expect(r).toMatchObject({ state: 'loaded', why: 'no kexec kernel is loaded' });
    expect(w.events).toEqual([`load ${WANT.kernel}`]);
  });
  it('on a failed load unloads the stale kernel and reports why', async () => {
    const w = world({
      plan: WANT,
      loaded: true,
      record: recordOf({ ...WANT, kernel: '/boot/vmlinuz-old' }),
      files: wantFiles(),
      loadError: 'kexec_file_load failed: Key was rejected by service',
    });
    const r = await refreshLoad(fakeDeps(w));
    expect(r).toMatchObject({ state: 'failed', unloaded: true });
    expect(w.events).toEqual([`load ${WANT.kernel}`, 'unload']);
    expect(describeRefresh(r)).toMatch(/Key was rejected.*unloaded the stale kexec kernel.*firmware/);
  });
  it('when planning fails (broken config) unloads and reports why', async () => {
    const w = world({ plan: new KexecError({ code: 'EPLAN', message: 'kernel /boot/vmlinuz-missing does not exist' }), loaded: true, record: recordOf(WANT) });
    const r = await refreshLoad(fakeDeps(w));
    expect(r).toMatchObject({ state: 'failed', unloaded: true, reason: expect.stringContaining('vmlinuz-missing') });
  });
  it('on skip unloads only what kexecctl loaded', async () => {
    const ours = world({ loaded: true, record: recordOf(WANT) });
    expect(await refreshLoad(fakeDeps(ours))).toMatchObject({ state: 'skipped', unloaded: true });
    const admins = world({ loaded: true, record: null });
    expect(await refreshLoad(fakeDeps(admins))).toMatchObject({ state: 'skipped', unloaded: false });
    expect(admins.events).toEqual([]);
    // After coldreboot nothing may stay loaded, whoever loaded it.
    const cold = world({ loaded: true, record: null, files: new Map([['/no-kexec-reboot', 0]]) });
    expect(await refreshLoad(fakeDeps(cold))).toMatchObject({ state: 'skipped', unloaded: true });
  });
  it('dry run describes and changes nothing', async () => {
    const w = world({ plan: WANT, files: wantFiles() });
    await refreshLoad(fakeDeps(w), { dryRun: true });
    expect(w.events).toEqual([]);
    expect(w.infos[0]).toMatch(/^would load \/boot\/vmlinuz-6.1.0-56-cloud-amd64/);
  });
  it("consumes grub-reboot's one-shot entry only at shutdown and only for a reboot", async () => {
    const one = { ...WANT, oneShot: '/boot/grub/grubenv' };
    const notShutdown = world({ plan: one, files: wantFiles(), rebootPending: true });
    await refreshLoad(fakeDeps(notShutdown));
    expect(notShutdown.events).not.toContain('clear-one-shot /boot/grub/grubenv');
    const poweroff = world({ plan: one, files: wantFiles(), rebootPending: false });
    await refreshLoad(fakeDeps(poweroff), { atShutdown: true });
    expect(poweroff.events).not.toContain('clear-one-shot /boot/grub/grubenv');
    const reboot = world({ plan: one, loaded: true, record: recordOf(one), files: wantFiles(), rebootPending: true });
    await refreshLoad(fakeDeps(reboot), { atShutdown: true });
    expect(reboot.events).toEqual(['clear-one-shot /boot/grub/grubenv']);
  });
});
