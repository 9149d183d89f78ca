/**
 * Issue 14 end to end on a Debian 12 fixture root with the file-backed fake kernel:
 * `kexecctl reboot --prepare` leaves a fingerprint, kexec-load.service's own ExecStop line (run
 * with sh, the check and kexecctl swapped for the script under test and a recording stub) starts
 * kexecctl only when an input changed; `kexecctl plan` answers from the cache while nothing did.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, fakeEnv, runNode, type CliBundle } from '../../helpers/cli-bundle.js';
import { materializeFixture, type Materialized } from '../../helpers/fixture-root.js';

const repo = join(import.meta.dirname, '../../..');
const SCRIPT = join(repo, 'kernel/kexecctl-unchanged');

let cli: CliBundle;
beforeAll(async () => {
  cli = await bundleCli();
}, 60000);
afterAll(() => cli.cleanup());

type Setup = { fx: Materialized; dir: string; env: Record<string, string>; cleanup(): void };

/** A fixture root whose files are older than the racy margin, with /run/kexecctl present. */
async function setup(): Promise<Setup> {
  const fx = materializeFixture('debian12');
  const dir = mkdtempSync(join(tmpdir(), 'kexecctl-fp-cli-'));
  const fe = fakeEnv(dir);
  mkdirSync(join(fx.root, 'run/kexecctl'), { recursive: true });
  await new Promise((r) => setTimeout(r, 700));
  return {
    fx,
    dir,
    env: fe.env,
    cleanup: () => {
      fx.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** kexec-load.service's ExecStop, as systemd would run it, with the check and kexecctl swapped: the stub's argv, or null when it was not started. */
function execStop(s: Setup): string | null {
  const unit = readFileSync(join(repo, 'systemd/kexec-load.service'), 'utf8');
  const line = /^ExecStop=(.*)$/m.exec(unit)?.[1];
  if (line === undefined) throw new Error('no ExecStop');
  const stub = join(s.dir, 'kexecctl-stub');
  const log = join(s.dir, 'stub.log');
  rmSync(log, { force: true });
  writeFileSync(stub, `#!/bin/sh\necho "$*" >"${log}"\n`);
  chmodSync(stub, 0o755);
  const cmd = line.replaceAll('$$', '$').replace('/usr/lib/kexecctl/kexecctl-unchanged', `${SCRIPT} --root ${s.fx.root}`).replace('/usr/sbin/kexecctl', stub);
  const r = spawnSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ExecStop exited ${r.status}: ${r.stderr}`);
  return existsSync(log) ? readFileSync(log, 'utf8').trim() : null;
}

describe('fingerprint through the CLI', () => {
  it('reboot --prepare fingerprints the load: ExecStop skips node until grubenv changes', async () => {
    const s = await setup();
    const a = await runNode(cli.kexecctl, ['reboot', '--prepare', '--root', s.fx.root], s.env);
    expect(a.exitCode).toBe(0);
    expect(a.stdout).toMatch(/^loaded \/boot\/vmlinuz-6.1.0-17-amd64/);
    expect(execStop(s)).toBeNull();
    // grub-set-default rewrites grubenv in place (same 1024 bytes).
    const env = join(s.fx.root, 'boot/grub/grubenv');
    const t = readFileSync(env, 'latin1');
    const pad = t.indexOf('\n#') + 1; // the '#' padding after the variables
    writeFileSync(env, `${t.slice(0, pad)}saved_entry=1\n${t.slice(pad + 14)}`, 'latin1');
    expect(execStop(s)).toBe('reboot --prepare --at-shutdown');
    s.cleanup();
  }, 30000);

  it('a one-shot choice (grub-reboot) always leaves the shutdown refresh to node', async () => {
    const s = await setup();
    const env = join(s.fx.root, 'boot/grub/grubenv');
    const t = readFileSync(env, 'latin1');
    const pad = t.indexOf('\n#') + 1;
    writeFileSync(env, `${t.slice(0, pad)}next_entry=1\n${t.slice(pad + 13)}`, 'latin1');
    await new Promise((r) => setTimeout(r, 700));
    const a = await runNode(cli.kexecctl, ['reboot', '--prepare', '--root', s.fx.root], s.env);
    expect(a.stdout).toMatch(/^loaded \/boot\/vmlinuz-6.1.0-18-amd64/);
    expect(a.exitCode).toBe(0);
    expect(readFileSync(join(s.fx.root, 'run/kexecctl/fingerprint'), 'utf8')).toMatch(/^X the plan boots the one-shot choice/m);
    expect(execStop(s)).toBe('reboot --prepare --at-shutdown');
    s.cleanup();
  }, 30000);

  it('a failed refresh removes the fingerprint', async () => {
    const s = await setup();
    await runNode(cli.kexecctl, ['reboot', '--prepare', '--root', s.fx.root], s.env);
    expect(existsSync(join(s.fx.root, 'run/kexecctl/fingerprint'))).toBe(true);
    writeFileSync(join(s.fx.root, 'etc/default/kexec'), 'LOAD_KEXEC=true\nUSE_GRUB_CONFIG=false\nKERNEL_IMAGE=/boot/vmlinuz-missing\n');
    const b = await runNode(cli.kexecctl, ['reboot', '--prepare', '--root', s.fx.root], s.env);
    expect(b.exitCode).toBe(1);
    expect(existsSync(join(s.fx.root, 'run/kexecctl/fingerprint'))).toBe(false);
    expect(execStop(s)).toBe('reboot --prepare --at-shutdown');
    s.cleanup();
  }, 30000);

  it('kexecctl plan answers from the cache while its inputs hold, and plans again after a change', async () => {
    const s = await setup();
    const cache = join(s.fx.root, 'run/kexecctl/plan-cache.json');
    const fresh = await runNode(cli.kexecctl, ['plan', '--json', '--root', s.fx.root], s.env);
    expect(fresh.exitCode).toBe(0);
    expect(existsSync(cache)).toBe(true);
    const again = await runNode(cli.kexecctl, ['plan', '--json', '--root', s.fx.root], s.env);
    expect(again.stdout).toBe(fresh.stdout);
    // Mark the cached plan: the mark shows only if the cache is what answers.
    writeFileSync(cache, readFileSync(cache, 'utf8').replace('"reason":"', '"reason":"CACHED '));
    const cached = await runNode(cli.kexecctl, ['plan', '--root', s.fx.root], s.env);
    expect(cached.stdout).toMatch(/^reason: +CACHED /m);
    writeFileSync(join(s.fx.root, 'boot/grub/grub.cfg'), `${readFileSync(join(s.fx.root, 'boot/grub/grub.cfg'), 'utf8')}\n`);
    const replanned = await runNode(cli.kexecctl, ['plan', '--json', '--root', s.fx.root], s.env);
    expect(replanned.stdout).not.toMatch(/CACHED/);
    expect(replanned.stdout).toBe(fresh.stdout);
    s.cleanup();
  }, 30000);

  it('an argument the fast path does not know goes to the full CLI (which still says what is wrong)', async () => {
    const s = await setup();
    await runNode(cli.kexecctl, ['plan', '--root', s.fx.root], s.env);
    const cache = join(s.fx.root, 'run/kexecctl/plan-cache.json');
    writeFileSync(cache, readFileSync(cache, 'utf8').replace('"reason":"', '"reason":"CACHED '));
    const bad = await runNode(cli.kexecctl, ['plan', '--root', s.fx.root, '--bogus'], s.env);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toMatch(/unknown option '--bogus'/);
    const missing = await runNode(cli.kexecctl, ['plan', '--root', join(s.dir, 'nowhere')], s.env);
    expect(missing.stderr).toMatch(/no such directory/);
    const relative = await runNode(cli.kexecctl, ['plan', '--root', 'root'], s.env, dirname(s.fx.root));
    expect(relative.stdout).toMatch(/^reason: +CACHED /m);
    s.cleanup();
  }, 30000);

  it('never writes a cache into a root without /run/kexecctl (fixture trees stay untouched)', async () => {
    const fx = materializeFixture('debian12');
    const r = await runNode(cli.kexecctl, ['plan', '--root', fx.root], { KEXECCTL_TEST: '1' });
    expect(r.exitCode).toBe(0);
    expect(existsSync(join(fx.root, 'run'))).toBe(false);
    fx.cleanup();
  }, 30000);
});
