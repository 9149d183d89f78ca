// Times `kexecctl plan --root <dir> --json` (issue 14, part 3) on two trees: the debian12 fixture
// (a normal Debian tree: grub.cfg, grubenv, /vmlinuz links) and a generated 2,000-entry grub.cfg
// with 500 BLS entries (bench/lib/gen-grub.mjs, plus fake bzImages and initrds so the plan
// validates); each without a cache (no /run/kexecctl under the root) and from the plan cache
// (/run/kexecctl/plan-cache.json, written by the first run, kept while the inputs' fingerprint
// holds). Interleaved with a bare `node -e 0` over BENCH_RUNS runs (default 15) after a warm-up;
// prints medians of wall time and of the child's own CPU (user+sys), and our own time (median
// minus bare node). Measures only; asserts nothing except that plan succeeds.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDist, CHILD_HOOK, importTs, median } from './lib/bundle.mjs';
import { generateGrubRoot } from './lib/gen-grub.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 15));
const ms = (n) => `${n.toFixed(1)} ms`;

/** Enough of a bzImage for kexecctl's header checks: boot sector, "HdrS", protocol 2.15, 64-bit, version. */
function fakeBzImage(version) {
  const buf = Buffer.alloc(16384);
  buf[0x1f1] = 4; // setup_sects
  buf.writeUInt16LE(0xaa55, 0x1fe);
  buf.write('HdrS', 0x202, 'latin1');
  buf.writeUInt16LE(0x020f, 0x206);
  buf.writeUInt16LE(0x7f, 0x236); // xloadflags
  buf.writeUInt32LE(2048, 0x238); // cmdline_size
  buf.write(`${version} (bench@example.invalid) #1 SMP\0`, 0x3c0, 'latin1');
  buf.writeUInt16LE(0x3c0 - 0x200, 0x20e);
  return buf;
}

/** The generated tree plus a kernel and initrd for every path its entries name. */
function makeRoot(dir) {
  const gen = generateGrubRoot(dir);
  const boot = join(dir, 'boot');
  const wanted = new Set();
  const cfg = readFileSync(join(dir, gen.configPath), 'utf8');
  for (const m of cfg.matchAll(/\/boot\/(vmlinuz-\S+|initramfs-\S+\.img|intel-ucode\.img)/g)) wanted.add(m[1]);
  const blsDir = join(boot, 'loader/entries');
  for (const f of readdirSync(blsDir)) {
    for (const m of readFileSync(join(blsDir, f), 'utf8').matchAll(/\/boot\/(vmlinuz-\S+|initramfs-\S+\.img)/g)) wanted.add(m[1]);
  }
  mkdirSync(boot, { recursive: true });
  const initrd = Buffer.alloc(4096, 0x30);
  for (const name of wanted) {
    writeFileSync(join(boot, name), name.startsWith('vmlinuz-') ? fakeBzImage(name.slice('vmlinuz-'.length)) : initrd);
  }
  return { gen, files: wanted.size };
}

/** One child run: wall ms and the child's own CPU ms (read inside the child at exit). */
function runCpu(args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', hookFile, ...args], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const m = /@@cpu ([\d.]+)/.exec(r.stderr);
  return { wall, cpu: m ? Number(m[1]) : NaN, stdout: r.stdout };
}

/** The debian12 fixture tree with its fake kernels (as test/helpers/fixture-root.ts lays it out). */
async function debianRoot(dir, helpers) {
  const fx = join(repo, 'test/fixtures/roots/debian12');
  cpSync(join(fx, 'root'), dir, { recursive: true, verbatimSymlinks: true });
  const kernels = JSON.parse(readFileSync(join(fx, 'kernels.json'), 'utf8'));
  for (const [path, version] of Object.entries(kernels)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), helpers.fakeKernelFile({ version }));
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'kexecctl-bench-plan-'));
const hookFile = join(tmp, 'hook.cjs');
const dist = await benchDist();
try {
  writeFileSync(hookFile, CHILD_HOOK);
  const cli = join(dist.dir, 'kexecctl.js');
  const env = { ...process.env, KEXECCTL_TEST: '1' };
  const helpers = await importTs('test/helpers/fake-bzimage.ts', tmp, 'fake-bzimage');
  const trees = [];
  for (const [name, make] of [
    ['debian12 tree', (d) => debianRoot(d, helpers)],
    ['2,000 entries', (d) => makeRoot(d)],
  ]) {
    for (const cached of [false, true]) {
      const root = join(tmp, `${trees.length}`);
      const made = await make(root);
      if (cached) mkdirSync(join(root, 'run/kexecctl'), { recursive: true });
      trees.push({ label: `${name}, ${cached ? 'cached' : 'no cache'}`, root, made });
    }
  }
  // Inputs younger than the fingerprint's racy margin (0.5 s) are never cached: let them age.
  await new Promise((r) => setTimeout(r, 700));
  for (const t of trees) {
    const first = JSON.parse(runCpu([cli, 'plan', '--root', t.root, '--json'], env).stdout); // warm-up (writes the cache)
    if (t.made?.gen) {
      if (first.entry?.path !== t.made.gen.savedEntry) console.log(`plan bench: WARNING chose ${first.entry?.path}, expected ${t.made.gen.savedEntry}`);
      t.about = `${t.made.gen.entries} menuentries + ${t.made.gen.bls} BLS, ${t.made.files} kernel/initrd files`;
    }
    t.plan = `${first.action} ${first.kernel ?? ''}`;
  }
  runCpu(['-e', '0'], env);
  const bare = { wall: [], cpu: [] };
  for (const t of trees) t.res = { wall: [], cpu: [] };
  for (let i = 0; i < RUNS; i++) {
    const b = runCpu(['-e', '0'], env);
    bare.wall.push(b.wall);
    bare.cpu.push(b.cpu);
    for (const t of trees) {
      const p = runCpu([cli, 'plan', '--root', t.root, '--json'], env);
      t.res.wall.push(p.wall);
      t.res.cpu.push(p.cpu);
    }
  }
  const bw = median(bare.wall);
  const bc = median(bare.cpu);
  console.log(
    `plan bench (${RUNS} interleaved runs each, medians, node ${process.version}; targets: own <= 15 ms on a normal tree, <= 30 ms on 2,000 entries)`,
  );
  for (const t of trees.filter((x, i) => x.about && i % 2 === 0)) console.log(`  ${t.label.replace(/, .*/, '')}: ${t.about}`);
  console.log(`  ${'node -e 0'.padEnd(28)} wall ${ms(bw).padStart(9)}  cpu ${ms(bc).padStart(9)}`);
  for (const t of trees) {
    const w = median(t.res.wall);
    const c = median(t.res.cpu);
    console.log(
      `  ${t.label.padEnd(28)} wall ${ms(w).padStart(9)}  cpu ${ms(c).padStart(9)}  own wall ${ms(w - bw).padStart(9)}  own cpu ${ms(c - bc).padStart(9)}  (${t.plan.trim()})`,
    );
  }
  console.log(`plan bench: load average ${loadavg()[0].toFixed(1)} (wall times on a busy machine are inflated; CPU is steadier)`);
} finally {
  dist.cleanup();
  rmSync(tmp, { recursive: true, force: true });
}
