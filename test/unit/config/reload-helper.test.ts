/**
 * Issue 9 §3: kernel/kexecctl-reload asks kexecctl for LOAD_KEXEC instead of parsing
 * /etc/default/kexec itself. The stub kexecctl below answers `config get` with the real bundled
 * kexecctl reading a fixture root, and records every other call (load/unload) instead of acting.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, type CliBundle } from '../../helpers/cli-bundle.js';

let cli: CliBundle;
let dir: string;
beforeAll(async () => {
  cli = await bundleCli();
  dir = mkdtempSync(join(tmpdir(), 'kexecctl-reload-'));
}, 60000);
afterAll(() => {
  cli.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function reloadWith(files: Record<string, string>, args: string[] = []): Promise<{ calls: string[]; stderr: string; exitCode: number }> {
  const case_ = mkdtempSync(join(dir, 'case-'));
  const root = join(case_, 'root');
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  mkdirSync(root, { recursive: true });
  const calls = join(case_, 'calls');
  const stub = join(case_, 'kexecctl');
  writeFileSync(
    stub,
    `#!/bin/sh\nif [ "$1" = config ]; then shift; exec "${process.execPath}" "${cli.kexecctl}" config --root "${root}" "$@"; fi\necho "$*" >>"${calls}"\n`,
  );
  chmodSync(stub, 0o755);
  const r = await execa('sh', [resolve('kernel/kexecctl-reload'), ...args, '--reason', 'test'], {
    env: { KEXECCTL_BIN: stub, KEXECCTL_FAKE: join(case_, 'fake.json'), KEXECCTL_TEST: '1', PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    extendEnv: false,
    reject: false,
  });
  return { calls: existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : [], stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
}

describe('kexecctl-reload asks kexecctl, never parses the file itself', () => {
  it('export LOAD_KEXEC=true (a shell assignment kexecctl accepts) loads', async () => {
    const r = await reloadWith({ 'etc/default/kexec': 'export LOAD_KEXEC=true\n' });
    expect(r.calls).toEqual(['load']);
    expect(r.exitCode).toBe(0);
  });
  it('LOAD_KEXEC: true is ignored by kexecctl, so nothing is loaded', async () => {
    const r = await reloadWith({ 'etc/default/kexec': 'LOAD_KEXEC: true\n' });
    expect(r.calls).toEqual([]);
    expect(r.exitCode).toBe(0);
  });
  it('kexec.d overrides the main file, in run-parts order', async () => {
    const r = await reloadWith({
      'etc/default/kexec': 'LOAD_KEXEC=false\n',
      'etc/default/kexec.d/50-on': 'LOAD_KEXEC=true\n',
      'etc/default/kexec.d/x.conf': 'LOAD_KEXEC=false\n',
    });
    expect(r.calls).toEqual(['load']);
  });
  it('--unload never asks about LOAD_KEXEC', async () => {
    const r = await reloadWith({ 'etc/default/kexec': 'LOAD_KEXEC=false\n' }, ['--unload']);
    expect(r.calls).toEqual(['unload']);
  });
});
