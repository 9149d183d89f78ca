/**
 * Issue 9 §1: --root DIR is a pure "read under DIR" mode. Without a test fake and without
 * --dry-run, every command that could load, unload, exec or reboot refuses with exit 2 and a
 * one-line reason before it reads a kernel or starts a process. The spawned processes also carry
 * KEXECCTL_TEST=1, so a broken --root rule would end in the test guard (a different message and
 * exit code), never on this machine's kernel.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntries } from '../../../scripts/build-options.mjs';
import { runNode } from '../../helpers/cli-bundle.js';

let dir: string;
let empty: string;
let bin: (name: string) => string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kexecctl-rootsafety-'));
  await bundleEntries(build, { entries: ['kexecctl.ts', 'coldreboot.ts', 'kdumpctl.ts'], outdir: join(dir, 'dist'), version: '9.9.9-test', logLevel: 'error' });
  bin = (name) => join(dir, 'dist', `${name}.js`);
  empty = join(dir, 'empty');
  mkdirSync(empty);
}, 60000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// No KEXECCTL_FAKE: the only thing between these commands and the machine is the --root rule
// (and, behind it, the test guard).
const env = { KEXECCTL_TEST: '1', KEXECCTL_FAKE: '' };

const cases: Array<[string, string[]]> = [
  ['kexecctl', ['reboot', '--root', '<root>']],
  ['kexecctl', ['reboot', '--force', '--root', '<root>']],
  ['kexecctl', ['reboot', '--prepare', '--root', '<root>']],
  ['kexecctl', ['coldreboot', '--root', '<root>']],
  ['kexecctl', ['exec', '--root', '<root>']],
  ['kexecctl', ['load', '--root', '<root>']],
  ['kexecctl', ['unload', '--root', '<root>']],
  ['kdumpctl', ['start', '--root', '<root>']],
  ['kdumpctl', ['stop', '--root', '<root>']],
  ['kdumpctl', ['restart', '--root', '<root>']],
  ['kdumpctl', ['test', '--force', '--root', '<root>']],
  ['kdumpctl', ['save', '--root', '<root>']],
];

describe('--root never reaches this machine', () => {
  for (const [prog, args] of cases) {
    it(`${prog} ${args.join(' ')} with an empty DIR refuses with exit 2`, async () => {
      const r = await runNode(
        bin(prog),
        args.map((a) => (a === '<root>' ? empty : a)),
        env,
      );
      expect(r.stderr).toMatch(new RegExp(`^${prog}: --root ${empty} only reads files under ${empty}: .* add --dry-run`));
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.exitCode).toBe(2);
      expect(readdirSync(empty)).toEqual([]); // nothing written under DIR either (no sysrq, no record)
    }, 30000);
  }
  it('kdumpctl save --root with a capture core and --final-action reboot refuses before writing the dump', async () => {
    const root = join(dir, 'capture');
    mkdirSync(join(root, 'proc'), { recursive: true });
    writeFileSync(join(root, 'proc/vmcore'), 'not really a core');
    writeFileSync(join(root, 'proc/cmdline'), 'root=/dev/vda kexecctl.kdump=save\n');
    const r = await runNode(bin('kdumpctl'), ['save', '--root', root], env);
    expect(r.exitCode).toBe(2);
    expect(readdirSync(root).sort()).toEqual(['proc']);
  }, 30000);
  it('--dry-run under --root still shows what would be done', async () => {
    const r = await runNode(bin('kexecctl'), ['coldreboot', '--dry-run', '--root', empty], env);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/would run: SYSTEMCTL_SKIP_AUTO_KEXEC=1 reboot/);
  }, 30000);
});

describe('the test guard covers processes, not only the binding', () => {
  it('kdumpctl save on / inside a test run is refused before anything is saved or run', async () => {
    const out = join(dir, 'crash-out');
    const core = join(dir, 'core');
    writeFileSync(core, 'x');
    const r = await runNode(bin('kdumpctl'), ['save', '--vmcore', core, '--dir', out], env);
    expect(r.stderr).toMatch(/^kdumpctl: refusing .* inside a test run/);
    expect(r.exitCode).not.toBe(0);
    expect(() => readdirSync(out)).toThrow(/ENOENT/);
  }, 30000);
  it('coldreboot on / inside a test run is refused by the guard (no reboot process)', async () => {
    const r = await runNode(bin('coldreboot'), [], env);
    expect(r.stderr).toMatch(/^coldreboot: refusing .* inside a test run/);
    expect(r.exitCode).not.toBe(0);
  }, 30000);
  it('NODE_ENV=test and VITEST do not make a test run: only KEXECCTL_TEST=1 does', async () => {
    // Asked through --root so that the answer is the --root refusal, proving the guard did not
    // switch on (the guard's message would come first otherwise).
    const r = await runNode(bin('kexecctl'), ['reboot', '--root', empty], { KEXECCTL_TEST: '', KEXECCTL_FAKE: '', NODE_ENV: 'test', VITEST: 'true' });
    expect(r.stderr).toMatch(/only reads files under/);
    expect(r.exitCode).toBe(2);
  }, 30000);
});
