/**
 * Bundles the CLI entries into a temp dir with scripts/build.mjs's own options so CLI tests spawn real
 * processes without depending on, or racing with, the shared dist/. The koffi binding is never
 * reached: every spawned process gets KEXECCTL_TEST=1 and a KEXECCTL_FAKE state file.
 */
import { build } from 'esbuild';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleEntries } from '../../scripts/build-options.mjs';
import { initialFakeState, type FakeState } from '../../src/sys/fake-kernel.js';

export type CliBundle = { dir: string; kexec: string; kexecctl: string; cleanup(): void };

export async function bundleCli(): Promise<CliBundle> {
  const dir = mkdtempSync(join(tmpdir(), 'kexecctl-cli-'));
  await bundleEntries(build, { entries: ['kexec.ts', 'kexecctl.ts'], outdir: dir, version: '9.9.9-test', logLevel: 'error' });
  return { dir, kexec: join(dir, 'kexec.js'), kexecctl: join(dir, 'kexecctl.js'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export type FakeEnv = { stateFile: string; root: string; env: Record<string, string>; state(): FakeState; setState(over: Partial<FakeState>): void };

export function fakeEnv(dir: string): FakeEnv {
  const stateFile = join(dir, 'fake.json');
  const root = join(dir, 'root');
  writeFileSync(stateFile, JSON.stringify(initialFakeState()));
  return {
    stateFile,
    root,
    env: { KEXECCTL_TEST: '1', KEXECCTL_FAKE: stateFile, KEXECCTL_ROOT: root },
    state: () => JSON.parse(readFileSync(stateFile, 'utf8')) as FakeState,
    setState: (over) => writeFileSync(stateFile, JSON.stringify({ ...(JSON.parse(readFileSync(stateFile, 'utf8')) as FakeState), ...over })),
  };
}

export type RunResult = { exitCode: number; stdout: string; stderr: string };

export async function runNode(script: string, args: string[], env: Record<string, string>, cwd?: string): Promise<RunResult> {
  const r = await execa(process.execPath, [script, ...args], {
    env: { ...env, VITEST: '' },
    extendEnv: true,
    reject: false,
    stdin: 'ignore',
    cwd: cwd ?? process.cwd(),
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
