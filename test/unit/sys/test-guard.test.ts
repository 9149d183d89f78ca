import { describe, expect, it } from 'vitest';
import { execProcesses } from '../../../src/sys/exec-processes.js';
import { getEffects, getKernel, isTestRun } from '../../../src/sys/get-kernel.js';

describe('test guard', () => {
  it('knows it is inside a test run (vitest.config.ts sets KEXECCTL_TEST=1)', () => {
    expect(isTestRun()).toBe(true);
  });
  it("only the project's own variable counts", () => {
    expect(isTestRun({ KEXECCTL_TEST: '1' })).toBe(true);
    expect(isTestRun({ NODE_ENV: 'test' })).toBe(false);
    expect(isTestRun({ VITEST: 'true' })).toBe(false);
  });
  it('refuses the real binding during tests', async () => {
    await expect(getKernel({ env: { KEXECCTL_TEST: '1' } })).rejects.toMatchObject({ code: 'ETESTGUARD' });
  });
  it('refuses every child process during tests (systemctl, reboot, shutdown ...)', async () => {
    for (const [cmd, args] of [
      ['systemctl', ['kexec']],
      ['reboot', []],
      ['shutdown', ['-r', 'now']],
      ['telinit', ['6']],
      ['true', []],
    ] as const) {
      await expect(execProcesses({ KEXECCTL_TEST: '1' }).run(cmd, args)).rejects.toMatchObject({ code: 'ETESTGUARD' });
    }
  });
  it('--root is read-only: no effects without a fake or --dry-run, even outside a test run', async () => {
    await expect(getEffects({ env: {}, readOnlyRoot: '/tmp/x', command: 'kexecctl reboot' })).rejects.toMatchObject({ code: 'EREADONLYROOT', exitCode: 2 });
    expect((await getEffects({ env: {}, readOnlyRoot: '/tmp/x', dryRun: true })).kernel.kind).toBe('fake');
  });
  it('hands out the fake for dry runs, with processes recorded in it', async () => {
    const e = await getEffects({ dryRun: true, env: { KEXECCTL_TEST: '1' } });
    expect(e.kernel.kind).toBe('fake');
    expect(e.recording).toBe(true);
    await e.processes.run('systemctl', ['kexec']);
    expect((e.kernel as unknown as { calls: Array<{ syscall: string; args: unknown }> }).calls).toEqual([
      { syscall: 'run', args: { argv: ['systemctl', 'kexec'] }, result: '0' },
    ]);
  });
});
