// The bundle every bench runs: BENCH_DIST when set (bench/run.sh builds one for the whole run),
// else a private build in a temp dir with scripts/build.mjs's own options. Never the shared dist/,
// which another build may be replacing while a bench runs.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleEntries } from '../../scripts/build-options.mjs';

const repo = new URL('../..', import.meta.url).pathname;

/** { dir, cleanup } of a bundle holding kexecctl.js and kexec.js. */
export async function benchDist() {
  if (process.env.BENCH_DIST) return { dir: process.env.BENCH_DIST, cleanup: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'kexecctl-bench-dist-'));
  const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version;
  // bundleEntries names entries relative to the repository.
  const inRepo = (opts) => build({ ...opts, absWorkingDir: repo });
  await bundleEntries(inRepo, { entries: ['kexec.ts', 'kexecctl.ts'], outdir: dir, version, logLevel: 'error' });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Bundles one TypeScript module (a test helper) to an .mjs file in dir and imports it. */
export async function importTs(entry, dir, name) {
  const outfile = join(dir, `${name}.mjs`);
  await build({ entryPoints: [join(repo, entry)], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node18.19', logLevel: 'error' });
  return import(outfile);
}

export const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Preloaded in each child: at exit, its own CPU time (user+sys, ms) and peak RSS (KiB) on stderr.
 * Peak RSS is VmHWM from /proc/self/status, this process's own since its exec: getrusage's
 * ru_maxrss would carry the parent's size across fork + exec.
 */
export const CHILD_HOOK = `process.on('exit',()=>{const fs=require('node:fs');const u=process.cpuUsage();const m=/VmHWM:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status','utf8'));fs.writeSync(2,'\\n@@cpu '+((u.user+u.system)/1000)+' rss '+(m?m[1]:'NaN')+'\\n')})`;

/**
 * A runner of measured node children: `run(args)` spawns node with the CHILD_HOOK file `hook`
 * preloaded and `env`, calls `before()` first (e.g. to reset a fake's state), and returns
 * { wall (ms, this side's clock), cpu (ms, the child's own), rssMiB (its peak) }. A child that
 * fails throws with its stderr.
 */
export function measuredChild(hook, env, before = () => {}) {
  return (args) => {
    before();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--require', hook, ...args], { env, encoding: 'utf8', maxBuffer: 16 << 20 });
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    const m = /@@cpu ([\d.]+) rss (\d+)/.exec(r.stderr);
    return { wall, cpu: m ? Number(m[1]) : NaN, rssMiB: m ? Number(m[2]) / 1024 : NaN };
  };
}
