/**
 * kx_ensure_built (test/vm/lib/common.sh): every VM/package tier run on its own rebuilds a stale
 * dist/. Runs the real shell function on a scratch repository whose `npm run build` counts its runs.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
let dir = '';

/** The build stand-in: writes dist/<bin>.js for each src/cli/bin/<bin>.ts and counts its runs. */
const BUILD = `const fs = require('fs');
fs.appendFileSync('builds', 'x');
if (process.env.FAIL_BUILD === '1') process.exit(3);
fs.rmSync('dist', { recursive: true, force: true });
fs.mkdirSync('dist');
for (const f of fs.readdirSync('src/cli/bin')) fs.writeFileSync('dist/' + f.replace(/\\.ts$/, '.js'), '');
`;

function put(rel: string, text: string): void {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), text);
}

const past = (rel: string): void => utimesSync(join(dir, rel), new Date(Date.now() - 3600_000), new Date(Date.now() - 3600_000));
const builds = (): number => (existsSync(join(dir, 'builds')) ? readFileSync(join(dir, 'builds'), 'utf8').length : 0);

function ensure(env: Record<string, string> = {}): { status: number | null; stderr: string } {
  const r = spawnSync('bash', ['-c', '. test/vm/lib/common.sh && kx_ensure_built'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, KX_BUILD_LOCK: join(dir, 'build.lock'), ...env },
  });
  return { status: r.status, stderr: r.stderr };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kx-ensure-built-'));
  mkdirSync(join(dir, 'test/vm/lib'), { recursive: true });
  copyFileSync(join(repo, 'test/vm/lib/common.sh'), join(dir, 'test/vm/lib/common.sh'));
  put('package.json', JSON.stringify({ name: 'scratch', private: true, scripts: { build: 'node build.cjs' } }));
  put('build.cjs', BUILD);
  put('src/cli/bin/kexec.ts', '');
  put('src/cli/bin/kexecctl.ts', '');
  put('src/lib/core.ts', '');
  put('scripts/build-options.mjs', '');
  for (const f of ['package.json', 'build.cjs', 'src/cli/bin/kexec.ts', 'src/cli/bin/kexecctl.ts', 'src/lib/core.ts', 'scripts/build-options.mjs']) past(f);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('kx_ensure_built', () => {
  it('builds when dist/ is missing, then not again while it is fresh', () => {
    expect(ensure().status).toBe(0);
    expect(builds()).toBe(1);
    expect(existsSync(join(dir, 'dist/kexec.js'))).toBe(true);
    expect(ensure().status).toBe(0);
    expect(builds()).toBe(1);
  });

  it.each(['src/lib/core.ts', 'scripts/build-options.mjs', 'package.json'])('rebuilds when %s is newer than dist/kexec.js', (input) => {
    expect(ensure().status).toBe(0);
    past('dist/kexec.js');
    utimesSync(join(dir, input), new Date(), new Date());
    const r = ensure();
    expect(r.status).toBe(0);
    expect(builds()).toBe(2);
    expect(r.stderr).toContain(`${input} is newer than dist/kexec.js`);
  });

  it('fails the tier when the build fails', () => {
    const r = ensure({ FAIL_BUILD: '1' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/npm run build failed/);
  });

  it('fails the tier when the build leaves an entry point unbuilt', () => {
    put('src/cli/bin/kdumpctl.ts', '');
    put(
      'build.cjs',
      "const fs = require('fs'); fs.appendFileSync('builds', 'x'); fs.mkdirSync('dist', { recursive: true }); fs.writeFileSync('dist/kexec.js', '');\n",
    );
    const r = ensure();
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/dist\/kdumpctl\.js is missing after npm run build/);
  });
});
