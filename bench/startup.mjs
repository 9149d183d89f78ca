// Start-up experiments (issue 14, part 4): the same commands from three builds of src, against a
// bare `node -e 0`, interleaved, medians of wall and of the child's own CPU:
//   split     — the shipped layout (scripts/build-options.mjs: ESM, code splitting, lazy chunks);
//   single    — one self-contained ESM file per entry (no splitting; lazy imports inlined);
//   snapshot  — one CommonJS bundle of both CLIs in a V8 startup snapshot (node --build-snapshot,
//               Node >= 18.20 / 20; Debian's 18.19 has no v8.startupSnapshot, so it is skipped
//               there and the package keeps the split build). Commands: kexec --version,
//               kexec -l (fake bzImage, file-backed fake kernel), kexecctl status, kexecctl plan
//               (debian12 tree, from the plan cache). Measures only; asserts nothing.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import v8 from 'node:v8';
import { bundleEntries } from '../scripts/build-options.mjs';
import { benchDist, CHILD_HOOK, importTs, median } from './lib/bundle.mjs';

const repo = new URL('..', import.meta.url).pathname;
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 11));
const tmp = mkdtempSync(join(tmpdir(), 'kexecctl-bench-startup-'));
const dist = await benchDist();
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version;
const inRepo = (over) => (opts) => build({ ...opts, absWorkingDir: repo, ...over });

// The snapshot's entry: both mains, loaded eagerly so their modules are in the heap image.
const SNAP_ENTRY = `
import { runCli } from './src/cli/run.ts';
import { kexecctlMain } from './src/cli/kexecctl.ts';
import { kexecMain } from './src/cli/kexec/main.ts';
import './src/cli/commands/status.ts';
import './src/cli/commands/plan.ts';
import './src/cli/plan-fast.ts';
import v8 from 'node:v8';
v8.startupSnapshot.setDeserializeMainFunction(() => {
  const [prog, ...args] = process.argv.slice(1);
  if (prog === 'kexec') return runCli('kexec', kexecMain, args);
  return runCli('kexecctl', kexecctlMain, args);
});
`;

try {
  writeFileSync(join(tmp, 'hook.cjs'), CHILD_HOOK);
  const single = join(tmp, 'single');
  await bundleEntries(inRepo({ splitting: false, chunkNames: undefined }), {
    entries: ['kexec.ts', 'kexecctl.ts'],
    outdir: single,
    version,
    logLevel: 'error',
  });
  let snapshot = null;
  if (typeof v8.startupSnapshot?.setDeserializeMainFunction === 'function') {
    const entry = join(repo, `.bench-snapshot-entry-${process.pid}.ts`);
    writeFileSync(entry, SNAP_ENTRY);
    try {
      await build({
        entryPoints: [entry],
        outfile: join(tmp, 'snap.cjs'),
        absWorkingDir: repo,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node18.19',
        external: ['koffi'],
        define: { __KEXECCTL_VERSION__: JSON.stringify(version), 'import.meta.url': '"file:///usr/lib/kexecctl/dist/snap.cjs"' },
        logLevel: 'error',
      });
    } finally {
      rmSync(entry, { force: true });
    }
    const blob = join(tmp, 'snap.blob');
    const r = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', join(tmp, 'snap.cjs')], { encoding: 'utf8' });
    if (r.status === 0) snapshot = blob;
    else console.log(`startup bench: snapshot build failed: ${(r.stderr || '').split('\n').filter(Boolean).slice(-3).join(' | ')}`);
  } else console.log(`startup bench: node ${process.version} has no v8.startupSnapshot: snapshot variant skipped`);

  // Inputs: a fake bzImage + tiny initrd for kexec -l, the debian12 tree with a plan cache.
  const { fakeBzImage } = await importTs('test/helpers/fake-kernel-image.ts', tmp, 'fki');
  const { newcArchive } = await importTs('test/helpers/newc.ts', tmp, 'newc');
  const { fakeKernelFile } = await importTs('test/helpers/fake-bzimage.ts', tmp, 'fbz');
  writeFileSync(join(tmp, 'vmlinuz'), fakeBzImage());
  writeFileSync(join(tmp, 'initrd'), newcArchive([{ name: 'init', data: 'x' }]));
  const root = join(tmp, 'root');
  cpSync(join(repo, 'test/fixtures/roots/debian12/root'), root, { recursive: true, verbatimSymlinks: true });
  for (const [p, v] of Object.entries(JSON.parse(readFileSync(join(repo, 'test/fixtures/roots/debian12/kernels.json'), 'utf8')))) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), fakeKernelFile({ version: v }));
  }
  mkdirSync(join(root, 'run/kexecctl'), { recursive: true });
  const fake = join(tmp, 'fake.json');
  const env = { ...process.env, KEXECCTL_TEST: '1', KEXECCTL_FAKE: fake };
  const resetFake = () =>
    writeFileSync(fake, JSON.stringify({ supported: true, loaded: false, crashLoaded: false, crashSize: 0, calls: [], failures: {}, nextFd: 1000 }));
  await new Promise((r) => setTimeout(r, 700)); // past the fingerprint's racy margin

  const cmds = [
    ['kexec --version', 'kexec', ['--version']],
    ['kexec -l', 'kexec', ['-l', join(tmp, 'vmlinuz'), `--initrd=${join(tmp, 'initrd')}`, '--append=quiet']],
    ['kexecctl status', 'kexecctl', ['status']],
    ['kexecctl plan (cached)', 'kexecctl', ['plan', '--root', root, '--json']],
  ];
  const variants = [
    ['split', (prog, args) => [join(dist.dir, `${prog}.js`), ...args]],
    ['single', (prog, args) => [join(single, `${prog}.js`), ...args]],
    ...(snapshot ? [['snapshot', (prog, args) => ['--snapshot-blob', snapshot, prog, ...args]]] : []),
  ];
  const child = (args) => {
    resetFake();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--require', join(tmp, 'hook.cjs'), ...args], { env, encoding: 'utf8' });
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const m = /@@cpu ([\d.]+)/.exec(r.stderr);
    return { ok: r.status === 0, wall, cpu: m ? Number(m[1]) : NaN, err: r.stderr };
  };
  const rows = [{ name: 'node -e 0', args: ['-e', '0'] }];
  for (const [c, prog, args] of cmds) for (const [v, argv] of variants) rows.push({ name: `${c} [${v}]`, args: argv(prog, args) });
  for (const row of rows) {
    const r = child(row.args); // warm-up (and the plan cache)
    row.ok = r.ok;
    if (!r.ok) row.err = r.err.split('\n').filter(Boolean).slice(-2).join(' | ');
    row.wall = [];
    row.cpu = [];
  }
  for (let i = 0; i < RUNS; i++) {
    for (const row of rows.filter((x) => x.ok)) {
      const r = child(row.args);
      row.wall.push(r.wall);
      row.cpu.push(r.cpu);
    }
  }
  const bw = median(rows[0].wall);
  const bc = median(rows[0].cpu);
  console.log(
    `startup bench (${RUNS} interleaved runs, medians, node ${process.version}, load average ${loadavg()[0].toFixed(1)}; target: status and kexec -l own <= 20 ms)`,
  );
  for (const row of rows) {
    if (!row.ok) {
      console.log(`  ${row.name.padEnd(34)} FAILED: ${row.err}`);
      continue;
    }
    const w = median(row.wall);
    const c = median(row.cpu);
    const own = row.name === 'node -e 0' ? '' : `  own wall ${(w - bw).toFixed(1).padStart(6)} ms  own cpu ${(c - bc).toFixed(1).padStart(6)} ms`;
    console.log(`  ${row.name.padEnd(34)} wall ${w.toFixed(1).padStart(7)} ms  cpu ${c.toFixed(1).padStart(7)} ms${own}`);
  }
} finally {
  dist.cleanup();
  rmSync(tmp, { recursive: true, force: true });
}
