/**
 * needs-reboot, verify and reboot --json as processes on the Debian 12 fixture root (running
 * 6.1.0-18, GRUB's saved default 6.1.0-17) with the file-backed fake kernel: nothing is run.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, fakeEnv, runNode, type CliBundle, type FakeEnv } from '../../helpers/cli-bundle.js';
import { materializeFixture, type Materialized } from '../../helpers/fixture-root.js';

let cli: CliBundle;
beforeAll(async () => {
  cli = await bundleCli();
}, 60000);
afterAll(() => cli.cleanup());

type Call = { syscall: string; args: Record<string, unknown> };
let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

function setup(): { fx: Materialized; env: Record<string, string>; calls(): Call[]; at(p: string): string; setState: FakeEnv['setState'] } {
  const fx = materializeFixture('debian12');
  const dir = mkdtempSync(join(tmpdir(), 'kexecctl-fleet-'));
  const fe = fakeEnv(dir);
  cleanups.push(
    () => fx.cleanup(),
    () => rmSync(dir, { recursive: true, force: true }),
  );
  mkdirSync(join(fx.root, 'run/systemd/system'), { recursive: true });
  mkdirSync(join(fx.root, 'var'), { recursive: true });
  symlinkSync('/run', join(fx.root, 'var/run')); // as on Debian: /var/run -> /run
  mkdirSync(join(fx.root, 'proc/sys/kernel/random'), { recursive: true });
  writeFileSync(join(fx.root, 'proc/sys/kernel/osrelease'), '6.1.0-18-amd64\n');
  writeFileSync(join(fx.root, 'proc/sys/kernel/random/boot_id'), 'boot-one\n');
  return {
    fx,
    env: fe.env,
    setState: (o) => fe.setState(o),
    at: (p) => join(fx.root, p),
    calls: () => (JSON.parse(readFileSync(fe.stateFile, 'utf8')) as { calls: Call[] }).calls,
  };
}

const json = (s: string): Record<string, unknown> => JSON.parse(s) as Record<string, unknown>;

/** boot_params with type_of_loader (0x210) set, as /sys/kernel/boot_params/data shows it. */
function bootParams(at: (p: string) => string, type: number): void {
  mkdirSync(at('sys/kernel/boot_params'), { recursive: true });
  const b = Buffer.alloc(4096);
  b[0x210] = type;
  writeFileSync(at('sys/kernel/boot_params/data'), b);
}

describe('kexecctl needs-reboot', () => {
  it('grub default changed: exit 0, JSON says why, writes the sentinel, and clears it once running the plan', async () => {
    const s = setup();
    const r = await runNode(cli.kexecctl, ['needs-reboot', '--json', '--root', s.fx.root], s.env);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const j = json(r.stdout);
    expect(j).toMatchObject({ schema: 'kexecctl.needs-reboot/1', needed: true, cause: 'release+cmdline' });
    expect((j['planned'] as Record<string, unknown>)['release']).toBe('6.1.0-17-amd64');
    expect(readFileSync(s.at('run/reboot-required'), 'utf8')).toBe('*** System restart required ***\n');
    expect(readFileSync(s.at('run/reboot-required.pkgs'), 'utf8')).toBe('kexecctl\n');
    // Now "running" the planned kernel: exit 1 and our sentinel goes.
    writeFileSync(s.at('proc/sys/kernel/osrelease'), '6.1.0-17-amd64\n');
    writeFileSync(s.at('proc/cmdline'), 'BOOT_IMAGE=/boot/vmlinuz-6.1.0-17-amd64 root=UUID=3f4b6a2e-9d1c-4e8a-b5f7-2c6d8e0a1b34 ro quiet\n');
    const n = await runNode(cli.kexecctl, ['needs-reboot', '--root', s.fx.root], s.env);
    expect(n.exitCode).toBe(1);
    expect(n.stdout).toMatch(/^no: running the planned kernel 6.1.0-17-amd64\n.*cleared/);
    expect(existsSync(s.at('run/reboot-required'))).toBe(false);
    expect(existsSync(s.at('run/reboot-required.pkgs'))).toBe(false);
  }, 30000);
  it("never clears another package's sentinel; --dry-run writes nothing", async () => {
    const s = setup();
    const d = await runNode(cli.kexecctl, ['needs-reboot', '--dry-run', '--root', s.fx.root], s.env);
    expect(d.exitCode).toBe(0);
    expect(existsSync(s.at('run/reboot-required'))).toBe(false);
    writeFileSync(s.at('run/reboot-required'), '*** System restart required ***\n');
    writeFileSync(s.at('run/reboot-required.pkgs'), 'libc6\n');
    writeFileSync(s.at('proc/sys/kernel/osrelease'), '6.1.0-17-amd64\n');
    writeFileSync(s.at('proc/cmdline'), 'BOOT_IMAGE=/boot/vmlinuz-6.1.0-17-amd64 root=UUID=3f4b6a2e-9d1c-4e8a-b5f7-2c6d8e0a1b34 ro quiet\n');
    const n = await runNode(cli.kexecctl, ['needs-reboot', '--root', s.fx.root], s.env);
    expect(n.exitCode).toBe(1);
    expect(readFileSync(s.at('run/reboot-required.pkgs'), 'utf8')).toBe('libc6\n');
    expect(existsSync(s.at('run/reboot-required'))).toBe(true);
  }, 30000);
  it('cannot plan: exit 2 with the reason; an unknown option exits 2 too', async () => {
    const s = setup();
    writeFileSync(s.at('etc/default/kexec'), 'LOAD_KEXEC=false\n');
    const r = await runNode(cli.kexecctl, ['needs-reboot', '--json', '--root', s.fx.root], s.env);
    expect(r.exitCode).toBe(2);
    expect(json(r.stdout)).toMatchObject({ needed: null, cause: 'no-plan' });
    const u = await runNode(cli.kexecctl, ['needs-reboot', '--bogus'], s.env);
    expect(u.exitCode).toBe(2);
  }, 30000);
});

describe('kexecctl reboot --json and kexecctl verify', () => {
  it('a load that fails: exit 3, reason in JSON, nothing shut down; --cold-on-failure reboots cold', async () => {
    const s = setup();
    writeFileSync(s.at('etc/default/kexec'), 'LOAD_KEXEC=true\nUSE_GRUB_CONFIG=false\nKERNEL_IMAGE=/boot/vmlinuz-missing\n');
    const r = await runNode(cli.kexecctl, ['reboot', '--json', '--root', s.fx.root], s.env);
    expect(r.exitCode).toBe(3);
    const j = json(r.stdout);
    expect(j).toMatchObject({ schema: 'kexecctl.reboot/1', ok: false, started: false, mode: null, exitCode: 3 });
    expect(String(j['reason'])).toContain('vmlinuz-missing');
    expect(s.calls().filter((c) => c.syscall === 'run' || c.syscall === 'reboot')).toEqual([]);
    const c = await runNode(cli.kexecctl, ['reboot', '--json', '--cold-on-failure', '--root', s.fx.root], s.env);
    expect(c.exitCode).toBe(0);
    expect(json(c.stdout)).toMatchObject({ ok: true, started: true, mode: 'cold' });
    expect(
      s
        .calls()
        .filter((x) => x.syscall === 'run')
        .map((x) => (x.args['argv'] as string[]).join(' ')),
    ).toEqual(['systemctl reboot']);
  }, 30000);
  it('reboot records the intent; verify passes after a kexec boot and fails after a cold one', async () => {
    const s = setup();
    const r = await runNode(cli.kexecctl, ['reboot', '--json', '--root', s.fx.root], s.env);
    expect(r.exitCode).toBe(0);
    expect(json(r.stdout)).toMatchObject({ ok: true, mode: 'kexec', steps: ['systemctl kexec'] });
    const intent = json(readFileSync(s.at('var/lib/kexecctl/last-kexec.json'), 'utf8'));
    expect(intent).toMatchObject({ mode: 'kexec', bootId: 'boot-one', release: '6.1.0-17-amd64', kernel: '/boot/vmlinuz-6.1.0-17-amd64' });
    expect(String(intent['initrdDigest'])).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Before the reboot: same boot_id, not rebooted.
    const same = await runNode(cli.kexecctl, ['verify', '--json', '--root', s.fx.root], s.env);
    expect([same.exitCode, json(same.stdout)['booted']]).toEqual([1, 'not-rebooted']);
    // "After" a kexec: new boot_id, the planned release and cmdline, type_of_loader 0xD0.
    writeFileSync(s.at('proc/sys/kernel/random/boot_id'), 'boot-two\n');
    writeFileSync(s.at('proc/sys/kernel/osrelease'), '6.1.0-17-amd64\n');
    writeFileSync(s.at('proc/cmdline'), 'BOOT_IMAGE=/boot/vmlinuz-6.1.0-17-amd64 root=UUID=3f4b6a2e-9d1c-4e8a-b5f7-2c6d8e0a1b34 ro quiet\n');
    bootParams(s.at, 0xd0);
    const ok = await runNode(cli.kexecctl, ['verify', '--json', '--root', s.fx.root], s.env);
    expect(ok.exitCode).toBe(0);
    expect(json(ok.stdout)).toMatchObject({ schema: 'kexecctl.verify/1', ok: true, booted: 'kexec' });
    bootParams(s.at, 0x72); // GRUB: a firmware boot
    const cold = await runNode(cli.kexecctl, ['verify', '--root', s.fx.root], s.env);
    expect(cold.exitCode).toBe(1);
    expect(cold.stdout).toMatch(/^FAILED: kexec: booted through the firmware/);
    writeFileSync(s.at('boot/initrd.img-6.1.0-17-amd64'), 'another initrd');
    bootParams(s.at, 0xd0);
    const changed = await runNode(cli.kexecctl, ['verify', '--json', '--root', s.fx.root], s.env);
    expect(json(changed.stdout)['reason']).toMatch(/^initrd: .* changed since the load/);
  }, 30000);
  it('shutdown refresh with LOAD_KEXEC=false: a kernel another tool loaded makes it a kexec reboot, nothing loaded a cold one', async () => {
    const s = setup();
    writeFileSync(s.at('etc/default/kexec'), 'LOAD_KEXEC=false\n');
    s.setState({ loaded: true }); // loaded by another tool: no record of ours
    const env = { ...s.env, RUNLEVEL: '6' }; // sysv-rc's runlevel 6: a reboot is pending
    const r = await runNode(cli.kexecctl, ['reboot', '--prepare', '--at-shutdown', '--root', s.fx.root], env);
    expect(r.exitCode).toBe(0);
    expect(s.calls().filter((c) => c.syscall === 'kexec_file_load' || c.syscall === 'kexec_load')).toEqual([]); // the foreign load stays
    const intent = json(readFileSync(s.at('var/lib/kexecctl/last-kexec.json'), 'utf8'));
    expect(intent).toMatchObject({ mode: 'kexec', kernel: null, release: null, by: 'shutdown refresh' });
    writeFileSync(s.at('proc/sys/kernel/random/boot_id'), 'boot-two\n');
    bootParams(s.at, 0xd0);
    const v = await runNode(cli.kexecctl, ['verify', '--json', '--root', s.fx.root], s.env);
    expect(v.exitCode).toBe(0);
    expect(json(v.stdout)['reason']).toBe(
      "kexec'd into a kernel kexecctl did not load (no record of it): running 6.1.0-18-amd64 (booted: kexec), what was planned is unknown",
    );
    s.setState({ loaded: false });
    writeFileSync(s.at('proc/sys/kernel/random/boot_id'), 'boot-one\n');
    expect((await runNode(cli.kexecctl, ['reboot', '--prepare', '--at-shutdown', '--root', s.fx.root], env)).exitCode).toBe(0);
    expect(json(readFileSync(s.at('var/lib/kexecctl/last-kexec.json'), 'utf8'))).toMatchObject({ mode: 'cold', kernel: null });
  }, 30000);
  it('verify in a boot after a reboot kexecctl did not make: exit 2, the old intent is not judged against it', async () => {
    const s = setup();
    expect((await runNode(cli.kexecctl, ['reboot', '--json', '--root', s.fx.root], s.env)).exitCode).toBe(0);
    const intent = json(readFileSync(s.at('var/lib/kexecctl/last-kexec.json'), 'utf8'));
    // boot-check in boot-two claimed the kexec (what kexecctl-boot-check.service writes); this is boot-three, cold.
    mkdirSync(s.at('var/lib/kexecctl'), { recursive: true });
    const state = { schema: 'kexecctl.kexec-boot/1', intentTime: intent['time'], claimedBy: 'boot-two', completedBy: 'boot-two', failed: null };
    writeFileSync(s.at('var/lib/kexecctl/kexec-boot.json'), JSON.stringify(state));
    writeFileSync(s.at('proc/sys/kernel/random/boot_id'), 'boot-three\n');
    bootParams(s.at, 0x72);
    const r = await runNode(cli.kexecctl, ['verify', '--json', '--root', s.fx.root], s.env);
    expect(r.exitCode).toBe(2);
    expect(json(r.stdout)).toMatchObject({ ok: false, booted: 'no-intent', checks: [] });
    expect(String(json(r.stdout)['reason'])).toBe(
      `no reboot recorded by kexecctl led to this boot (boot-three): the last one (${String(intent['time'])}, from boot boot-one) led to boot boot-two, and a later reboot was made without kexecctl`,
    );
    // In boot-two itself the same files give the normal verdict.
    writeFileSync(s.at('proc/sys/kernel/random/boot_id'), 'boot-two\n');
    expect((await runNode(cli.kexecctl, ['verify', '--root', s.fx.root], s.env)).exitCode).toBe(1); // cold loader, other release
  }, 30000);
  it('verify with nothing recorded: exit 2', async () => {
    const s = setup();
    const r = await runNode(cli.kexecctl, ['verify', '--root', s.fx.root], s.env);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/no reboot recorded/);
  }, 30000);
});
