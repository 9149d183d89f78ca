/**
 * Issue 12 through the CLI and the file-backed fake: kexecctl exec --watchdog, boot-check after a
 * firmware boot, status, boot-complete's handover. Nothing here can reach a real watchdog or reboot.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, fakeEnv, runNode, type CliBundle } from '../../helpers/cli-bundle.js';
import { materializeFixture } from '../../helpers/fixture-root.js';

let cli: CliBundle;
beforeAll(async () => {
  cli = await bundleCli();
}, 60000);
afterAll(() => cli.cleanup());

function put(root: string, p: string, data: string | Buffer): void {
  mkdirSync(join(root, p, '..'), { recursive: true });
  writeFileSync(join(root, p), data);
}
/** /sys/kernel/boot_params/data with type_of_loader (setup header 0x210) set. */
const bootParams = (loader: number): Buffer => {
  const b = Buffer.alloc(0x300);
  b[0x210] = loader;
  return b;
};

describe('kexecctl exec --watchdog, boot-check, status, boot-complete (issue 12)', () => {
  it('the whole round: armed at the jump, the firmware boot after it makes the next reboot cold, status says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kexecctl-wdcli-'));
    const fe = fakeEnv(dir);
    const root = fe.root;
    fe.setState({ loaded: true, watchdogs: { '/dev/watchdog0': { timeout: 30, running: false, maxTimeout: 600 } } });
    put(root, 'proc/sys/kernel/random/boot_id', 'boot-a\n');
    put(root, 'sys/kernel/boot_params/data', bootParams(0x72));
    put(root, 'sys/module/watchdog/parameters/stop_on_reboot', '-1\n');
    put(root, 'dev/watchdog0', '');
    put(root, 'sys/class/watchdog/watchdog0/identity', 'i6300ESB timer\n');

    const bad = await runNode(cli.kexecctl, ['exec', '--watchdog', '10s'], fe.env);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--watchdog 10s: expected whole seconds from 0 (off) to 3600');
    expect(fe.state().calls).toEqual([]);

    const st0 = await runNode(cli.kexecctl, ['status'], fe.env);
    expect(st0.stdout).toMatch(
      /^watchdog across kexec: off \(KEXEC_WATCHDOG_SEC=0\); \/dev\/watchdog0 \(i6300ESB timer\); watchdog\.stop_on_reboot=-1: .*watchdog\.stop_on_reboot=0/m,
    );

    const ex = await runNode(cli.kexecctl, ['exec', '--no-ifdown', '--watchdog', '10'], fe.env);
    expect(ex.exitCode).toBe(0);
    const calls = fe.state().calls.map((c) => (c.syscall === 'ioctl' ? String(c.args['request']) : c.syscall));
    expect(calls).toEqual(['sync', 'watchdog_open', 'WDIOC_SETTIMEOUT', 'WDIOC_KEEPALIVE', 'reboot']);
    const intent = JSON.parse(readFileSync(join(root, 'var/lib/kexecctl/last-kexec.json'), 'utf8')) as Record<string, unknown>;
    expect(intent).toMatchObject({ mode: 'kexec', bootId: 'boot-a', by: 'kexecctl exec' });

    // The "next boot" came through the firmware (GRUB's 0x72), not kexec: the hang was reset.
    put(root, 'proc/sys/kernel/random/boot_id', 'boot-b\n');
    const bc = await runNode(cli.kexecctl, ['boot-check'], fe.env);
    expect(bc.exitCode).toBe(1);
    expect(bc.stderr).toContain('came through the firmware (grub, type_of_loader 0x72)');
    expect(existsSync(join(root, 'no-kexec-reboot'))).toBe(true);
    expect(fe.state().loaded).toBe(false); // unloaded
    const st = await runNode(cli.kexecctl, ['status'], fe.env);
    expect(st.stdout).toMatch(/^next reboot will kexec: no \(the kexec into .* asked at .* never reached the new kernel's userspace/m);
    expect(st.stdout).toMatch(/^last kexec boot: FAILED: /m);
    const js = JSON.parse((await runNode(cli.kexecctl, ['status', '--json'], fe.env)).stdout) as Record<string, unknown>;
    expect(js['nextReboot']).toMatchObject({ kexec: false });
    expect(js['watchdog']).toMatchObject({ stopOnReboot: -1, stopsAtReboot: null, device: true });

    // boot-complete stops a running watchdog with the magic close.
    fe.setState({ watchdogFds: {}, watchdogs: { '/dev/watchdog0': { timeout: 10, running: true } } });
    const done = await runNode(cli.kexecctl, ['boot-complete'], fe.env);
    expect(done.exitCode).toBe(0);
    expect(done.stdout).toContain('/dev/watchdog0: stopped (magic close)');
    expect(fe.state().watchdogs?.['/dev/watchdog0']?.running).toBe(false);
    expect(fe.state().calls.at(-1)).toMatchObject({ syscall: 'watchdog_close', args: { magic: true } });
    rmSync(dir, { recursive: true, force: true });
  }, 60000);

  it('exec --dry-run lists the hooks, the watchdog and refuses nothing; KEXEC_COLD_IF_DRIVERS bound refuses the real jump', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kexecctl-wdcli-'));
    const fe = fakeEnv(dir);
    fe.setState({ loaded: true });
    put(fe.root, 'etc/default/kexec', 'KEXEC_WATCHDOG_SEC=15\nKEXEC_COLD_IF_DRIVERS="mlx4_core"\n');
    const dry = await runNode(cli.kexecctl, ['exec', '--dry-run', '--no-ifdown'], fe.env);
    expect(dry.stdout.trim().split('\n')).toEqual([
      'sync()',
      'open(/dev/watchdog0), ioctl(WDIOC_SETTIMEOUT, 15), left running',
      'reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC, NULL)',
    ]);
    mkdirSync(join(fe.root, 'sys/module/mlx4_core/drivers/pci:mlx4_core'), { recursive: true });
    mkdirSync(join(fe.root, 'sys/bus/pci/drivers/mlx4_core'), { recursive: true });
    const { symlinkSync } = await import('node:fs');
    symlinkSync('../../../../devices/pci0000:00/0000:03:00.0', join(fe.root, 'sys/bus/pci/drivers/mlx4_core/0000:03:00.0'));
    const ex = await runNode(cli.kexecctl, ['exec', '--no-ifdown'], fe.env);
    expect(ex.exitCode).toBe(1);
    expect(ex.stderr).toContain('pci:mlx4_core (0000:03:00.0) is bound, so this reboot goes through the firmware: not jumping');
    expect(fe.state().calls.map((c) => c.syscall)).toEqual([]);
    const st = await runNode(cli.kexecctl, ['status'], fe.env);
    expect(st.stdout).toMatch(/^cold-if-drivers: KEXEC_COLD_IF_DRIVERS: pci:mlx4_core/m);
    rmSync(dir, { recursive: true, force: true });
  }, 60000);
});

describe('kexecctl reboot and issue 12', () => {
  type Call = { syscall: string; args: Record<string, unknown> };
  const commands = (calls: Call[]): string[] => calls.filter((c) => c.syscall === 'run').map((c) => (c.args['argv'] as string[]).join(' '));

  it('--watchdog N is left in /run/kexecctl/watchdog-sec for the final kexec -e; --force arms it itself; bad N: one line, nothing done', async () => {
    const fx = materializeFixture('debian12');
    const dir = mkdtempSync(join(tmpdir(), 'kexecctl-wdreboot-'));
    const fe = fakeEnv(dir);
    mkdirSync(join(fx.root, 'run/systemd/system'), { recursive: true });
    fe.setState({ watchdogs: { '/dev/watchdog0': { timeout: 30, running: false, maxTimeout: 600 } } });
    const bad = await runNode(cli.kexecctl, ['reboot', '--watchdog', '-1', '--root', fx.root], fe.env);
    expect(bad.exitCode).toBe(2);
    expect(fe.state().calls).toEqual([]);
    const r = await runNode(cli.kexecctl, ['reboot', '--watchdog', '20', '--root', fx.root], fe.env);
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(fx.root, 'run/kexecctl/watchdog-sec'), 'utf8')).toBe('20\n');
    expect(commands(fe.state().calls)).toEqual(['systemctl kexec']);
    const f = await runNode(cli.kexecctl, ['reboot', '--force', '--watchdog', '25', '--root', fx.root], fe.env);
    expect(f.exitCode).toBe(0);
    const tail = fe
      .state()
      .calls.slice(-4)
      .map((c) => (c.syscall === 'ioctl' ? `${String(c.args['request'])} ${String(c.args['seconds'] ?? '')}`.trim() : c.syscall));
    expect(tail).toEqual(['watchdog_open', 'WDIOC_SETTIMEOUT 25', 'WDIOC_KEEPALIVE', 'reboot']);
    fx.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }, 60000);

  it('after a failed kexec boot (boot-check), kexecctl reboot goes through the firmware and says why', async () => {
    const fx = materializeFixture('debian12');
    const dir = mkdtempSync(join(tmpdir(), 'kexecctl-wdreboot-'));
    const fe = fakeEnv(dir);
    mkdirSync(join(fx.root, 'run/systemd/system'), { recursive: true });
    put(fx.root, 'proc/sys/kernel/random/boot_id', 'boot-b\n');
    put(
      fx.root,
      'var/lib/kexecctl/kexec-boot.json',
      JSON.stringify({
        schema: 'kexecctl.kexec-boot/1',
        intentTime: 't',
        claimedBy: null,
        completedBy: null,
        failed: { reason: 'the kexec into 6.1.0-17-amd64 never reached userspace', foundIn: 'boot-b', time: 't' },
      }),
    );
    const r = await runNode(cli.kexecctl, ['reboot', '--root', fx.root], fe.env);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('the kexec into 6.1.0-17-amd64 never reached userspace: this reboot goes through the firmware');
    expect(commands(fe.state().calls)).toEqual(['systemctl reboot']);
    fx.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }, 60000);
});
