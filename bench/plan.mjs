// Times `kexecctl plan --root <dir> --json` (built dist) on a generated 2,000-entry grub.cfg with
// 500 BLS entries (bench/lib/gen-grub.mjs, plus fake bzImages and initrds so the plan validates)
// against a bare `node -e 0`, interleaved over BENCH_RUNS runs (default 15) after one warm-up.
// Prints medians of wall time and of CPU time (user+sys of the child), and our own time
// (median minus bare node). Measures only; asserts nothing except that plan succeeds.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateGrubRoot } from './lib/gen-grub.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const cli = join(repo, 'dist/kexecctl.js');
if (!existsSync(cli)) {
  console.error(`bench plan: ${cli} is missing; run npm run build first`);
  process.exit(1);
}
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 15));
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
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

/** One child run: wall ms and the child's own CPU ms (user + sys, from wait4 via resourceUsage). */
function run(args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wall, stdout: r.stdout };
}

/** CPU time is read inside the child at exit so it is the child's alone (no shared rusage). */
const CPU_HOOK = `process.on('exit',()=>{const u=process.cpuUsage();require('node:fs').writeSync(2,'\\n@@cpu '+((u.user+u.system)/1000)+'\\n')})`;

function runCpu(args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', cpuHookFile, ...args], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const m = /@@cpu ([\d.]+)/.exec(r.stderr);
  return { wall, cpu: m ? Number(m[1]) : NaN, stdout: r.stdout };
}

const tmp = mkdtempSync(join(tmpdir(), 'kexecctl-bench-plan-'));
const cpuHookFile = join(tmp, 'cpu-hook.cjs');
try {
  writeFileSync(cpuHookFile, CPU_HOOK);
  const root = join(tmp, 'root');
  const { gen, files } = makeRoot(root);
  const env = { ...process.env, KEXECCTL_TEST: '1' };
  const planArgs = [cli, 'plan', '--root', root, '--json'];
  const first = JSON.parse(run(planArgs, env).stdout); // warm-up, and a sanity check
  console.log(`plan bench: ${gen.entries} menuentries + ${gen.bls} BLS, ${files} kernel/initrd files; plan ${first.action} ${first.entry?.path ?? ''}`);
  if (first.entry?.path !== gen.savedEntry) console.log(`plan bench: WARNING chose ${first.entry?.path}, expected ${gen.savedEntry}`);
  run(['-e', '0'], env);
  const bare = { wall: [], cpu: [] };
  const plan = { wall: [], cpu: [] };
  for (let i = 0; i < RUNS; i++) {
    const b = runCpu(['-e', '0'], env);
    const p = runCpu(planArgs, env);
    bare.wall.push(b.wall);
    bare.cpu.push(b.cpu);
    plan.wall.push(p.wall);
    plan.cpu.push(p.cpu);
  }
  const bw = median(bare.wall);
  const pw = median(plan.wall);
  const bc = median(bare.cpu);
  const pc = median(plan.cpu);
  console.log(`plan bench (${RUNS} interleaved runs each, medians, node ${process.version})`);
  console.log(`  node -e 0                 wall ${ms(bw).padStart(9)}  cpu ${ms(bc).padStart(9)}`);
  console.log(`  kexecctl plan --json      wall ${ms(pw).padStart(9)}  cpu ${ms(pc).padStart(9)}`);
  console.log(`  own time                  wall ${ms(pw - bw).padStart(9)}  cpu ${ms(pc - bc).padStart(9)}  (target < 30 ms)`);
  console.log(`plan bench: load average ${loadavg()[0].toFixed(1)} (wall times on a busy machine are inflated; CPU is steadier)`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
