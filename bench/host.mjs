// Host benchmark: `kexecctl status`, `kexecctl --version` and `kexec --version` (bench/lib/bundle.mjs) against a bare
// `node -e 0`, each run N times (BENCH_RUNS, default 20) after one warm-up; prints medians and
// the ratio to bare node, plus our own time (median minus bare node). Measures only, never asserts.
import { execaSync } from 'execa';
import { join } from 'node:path';
import { benchDist } from './lib/bundle.mjs';

const dist = await benchDist();
const cli = join(dist.dir, 'kexecctl.js');
const kexec = join(dist.dir, 'kexec.js');
const runs = Number(process.env.BENCH_RUNS ?? 20);
// status must never reach the binding; KEXECCTL_TEST makes that a hard error if it tried.
const env = { ...process.env, KEXECCTL_TEST: '1' };

function time(args) {
  execaSync(process.execPath, args, { env, stdio: 'ignore' }); // warm the page cache
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = execaSync(process.execPath, args, { env, stdio: 'ignore', reject: false });
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.exitCode !== 0) throw new Error(`${args.join(' ')} exited ${r.exitCode}`);
  }
  ms.sort((a, b) => a - b);
  const mid = ms.length >> 1;
  return ms.length % 2 ? ms[mid] : (ms[mid - 1] + ms[mid]) / 2;
}

const base = time(['-e', '0']);
const rows = [
  ['node -e 0', base],
  ['kexecctl --version', time([cli, '--version'])],
  ['kexecctl status', time([cli, 'status'])],
  ['kexecctl status --json', time([cli, 'status', '--json'])],
  ['kexec --version', time([kexec, '--version'])],
];
console.log(`host benchmark (${runs} runs each, median wall time, node ${process.version})`);
for (const [name, ms] of rows) {
  const own = name === 'node -e 0' ? '' : `  ratio ${(ms / base).toFixed(2)}x  own ${(ms - base).toFixed(1)} ms`;
  console.log(`  ${name.padEnd(24)} ${ms.toFixed(1).padStart(7)} ms${own}`);
}
dist.cleanup();
