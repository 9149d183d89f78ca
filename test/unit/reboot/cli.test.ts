/**
 * kexecctl reboot / coldreboot as processes, on a Debian 12 fixture root with the file-backed
 * fake kernel: every syscall and every command (systemctl, telinit, reboot) is recorded in the
 * fake's state, never run.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, fakeEnv, runNode, type CliBundle } from '../../helpers/cli-bundle.js';
import { materializeFixture, type Materialized } from '../../helpers/fixture-root.js';

let cli: CliBundle;
beforeAll(async () => {
  cli = await bundleCli();
}, 60000);
afterAll(() => cli.cleanup());

type Call = { syscall: string; args: Record<string, unknown>; result: string };

function setup(opts: { systemd?: boolean; nextEntry?: string } = {}): { fx: Materialized; env: Record<string, string>; calls(): Call[]; dir: string } {
  const fx = materializeFixture('debian12');
  const dir = mkdtempSync(join(tmpdir(), 'kexecctl-reboot-'));
  const fe = fakeEnv(dir);
  if (opts.systemd !== false) mkdirSync(join(fx.root, 'run/systemd/system'), { recursive: true });
  else mkdirSync(join(fx.root, 'run'), { recursive: true });
  if (opts.systemd === false) writeFileSync(join(fx.root, 'run/initctl'), '');
  return { fx, dir, env: fe.env, calls: () => (JSON.parse(readFileSync(fe.stateFile, 'utf8')) as { calls: Call[] }).calls };
}

const commands = (calls: Call[]) => calls.filter((c) => c.syscall === 'run').map((c) => (c.args['argv'] as string[]).join(' '));

describe('kexecctl reboot (CLI, fake kernel)', () => {
  it('loads the planned kernel, then asks systemd to kexec', async () => {
    const s = setup();
    const r = await runNode(cli.kexecctl, ['reboot', '--root', s.fx.root], s.env);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const calls = s.calls();
    expect(calls.find((c) => c.syscall === 'kexec_file_load')?.args['cmdline']).toBe(
      'BOOT_IMAGE=/boot/vmlinuz-6.1.0-17-amd64 root=UUID=3f4b6a2e-9d1c-4e8a-b5f7-2c6d8e0a1b34 ro quiet',
    );
    expect(commands(calls)).toEqual(['systemctl kexec']);
    s.fx.cleanup();
    rmSync(s.dir, { recursive: true, force: true });
  }, 30000);
  it('sysvinit: telinit 6; --force: sync and reboot(KEXEC) without the init system', async () => {
    const s = setup({ systemd: false });
    await runNode(cli.kexecctl, ['reboot', '--root', s.fx.root], s.env);
    expect(commands(s.calls())).toEqual(['telinit 6']);
    const f = await runNode(cli.kexecctl, ['reboot', '--force', '--root', s.fx.root], s.env);
    expect(f.exitCode).toBe(0);
    const tail = s
      .calls()
      .slice(-2)
      .map((c) => `${c.syscall} ${JSON.stringify(c.args)}`);
    expect(tail).toEqual(['sync {}', 'reboot {"cmd":"0x45584543"}']);
    s.fx.cleanup();
  }, 30000);
  it('a broken configuration: says why and reboots cold', async () => {
    const s = setup();
    writeFileSync(join(s.fx.root, 'etc/default/kexec'), 'LOAD_KEXEC=true\nUSE_GRUB_CONFIG=false\nKERNEL_IMAGE=/boot/vmlinuz-missing\n');
    const r = await runNode(cli.kexecctl, ['reboot', '--root', s.fx.root], s.env);
    expect(r.stderr).toMatch(/vmlinuz-missing.*firmware/);
    expect(commands(s.calls())).toEqual(['systemctl reboot']);
    expect(s.calls().find((c) => c.syscall === 'run')?.args['env']).toEqual({ SYSTEMCTL_SKIP_AUTO_KEXEC: '1' });
    s.fx.cleanup();
  }, 30000);
  it('--dry-run prints the plan and the command, and changes nothing', async () => {
    const s = setup();
    const r = await runNode(cli.kexecctl, ['reboot', '--dry-run', '--root', s.fx.root], s.env);
    expect(r.stdout).toMatch(/would load \/boot\/vmlinuz-6.1.0-17-amd64/);
    expect(r.stdout).toMatch(/would run: systemctl kexec/);
    expect(s.calls()).toEqual([]);
    s.fx.cleanup();
  }, 30000);
  it('--prepare loads once, then finds the load fresh', async () => {
    const s = setup();
    const a = await runNode(cli.kexecctl, ['reboot', '--prepare', '--root', s.fx.root], s.env);
    expect(a.stdout).toMatch(/^loaded \/boot\/vmlinuz-6.1.0-17-amd64/);
    const b = await runNode(cli.kexecctl, ['reboot', '--prepare', '--root', s.fx.root], s.env);
    expect(b.stdout).toMatch(/^kexec kernel up to date/);
    expect(s.calls().filter((c) => c.syscall === 'kexec_file_load')).toHaveLength(1);
    s.fx.cleanup();
  }, 30000);
});

describe('kexecctl coldreboot (CLI, fake kernel)', () => {
  it('unloads, creates /no-kexec-reboot and runs reboot with the extra arguments', async () => {
    const s = setup();
    await runNode(cli.kexecctl, ['reboot', '--prepare', '--root', s.fx.root], s.env);
    const r = await runNode(cli.kexecctl, ['coldreboot', '--root', s.fx.root, '--', '--no-wall'], s.env);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(s.fx.root, 'no-kexec-reboot'), 'utf8')).toBe('');
    const calls = s.calls();
    const unload = calls.filter((c) => c.syscall === 'kexec_file_load').at(-1);
    expect(unload?.args['flags']).toBe(1);
    expect(commands(calls)).toEqual(['reboot --no-wall']);
    // With the flag present the next reboot is cold, and says so.
    const n = await runNode(cli.kexecctl, ['reboot', '--dry-run', '--root', s.fx.root], s.env);
    expect(n.stderr).toMatch(/no-kexec-reboot/);
    s.fx.cleanup();
  }, 30000);
});
