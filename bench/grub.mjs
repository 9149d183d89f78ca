// Times evaluateGrub on a generated 2,000-entry grub.cfg with 500 BLS entries (bench/lib/gen-grub.mjs).
// In-process medians (warm) plus a cold `node` process that imports the bundle and evaluates once,
// against bare `node -e 0`. Measures only; asserts nothing.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateGrubRoot } from './lib/gen-grub.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const COLD = Number(process.env.BENCH_COLD_RUNS ?? 10);
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const ms = (n) => `${n.toFixed(1)} ms`;

const tmp = mkdtempSync(join(tmpdir(), 'kexecctl-bench-grub-'));
try {
  const gen = generateGrubRoot(join(tmp, 'root'));
  const bundle = join(tmp, 'grub.mjs');
  await build({
    entryPoints: [new URL('../src/boot/grub/index.ts', import.meta.url).pathname],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18.19',
    logLevel: 'warning',
  });
  const fsSource = `
    import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
    import { join, normalize } from 'node:path';
    export function dirFs(root) {
      const at = (p) => join(root, normalize('/' + p));
      return {
        prefixDevice: 'root',
        readFile: (d, p) => (d === 'root' && existsSync(at(p)) && statSync(at(p)).isFile() ? readFileSync(at(p), 'utf8') : null),
        listDir: (d, p) => (d === 'root' && existsSync(at(p)) && statSync(at(p)).isDirectory() ? readdirSync(at(p)) : null),
        search: () => null,
      };
    }`;
  const { evaluateGrub, expandMenu } = await import(pathToFileURL(bundle).href);
  const at = (root, p) => join(root, normalize('/' + p));
  const root = join(tmp, 'root');
  const fs = {
    prefixDevice: 'root',
    readFile: (d, p) => (d === 'root' && existsSync(at(root, p)) && statSync(at(root, p)).isFile() ? readFileSync(at(root, p), 'utf8') : null),
    listDir: (d, p) => (d === 'root' && existsSync(at(root, p)) && statSync(at(root, p)).isDirectory() ? readdirSync(at(root, p)) : null),
    search: () => null,
  };
  const opts = { fs, configPath: gen.configPath, flavor: 'redhat' };
  let r = evaluateGrub(opts);
  const count = (nodes) => nodes.reduce((n, x) => n + (x.kind === 'entry' ? 1 : count(x.children)), 0);
  console.log(`grub bench: ${count(expandMenu(r).menu)} entries (${gen.entries} menuentries + ${gen.bls} BLS), default ${r.selection?.idPath}`);
  if (r.selection?.idPath !== gen.savedEntry) console.log(`grub bench: WARNING chose ${r.selection?.idPath}, expected ${gen.savedEntry}`);
  const times = [];
  for (let i = 0; i < RUNS + 3; i++) {
    const t0 = performance.now();
    r = evaluateGrub(opts);
    if (i >= 3) times.push(performance.now() - t0);
  }
  console.log(`grub bench: evaluateGrub warm median ${ms(median(times))} over ${RUNS} runs (min ${ms(Math.min(...times))})`);

  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(tmp, 'dirfs.mjs'), fsSource);
  const script = `import { evaluateGrub } from ${JSON.stringify(pathToFileURL(bundle).href)};
    import { dirFs } from ${JSON.stringify(pathToFileURL(join(tmp, 'dirfs.mjs')).href)};
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = evaluateGrub({ fs: dirFs(${JSON.stringify(root)}), configPath: ${JSON.stringify(gen.configPath)}, flavor: 'redhat' });
    const cpu = process.cpuUsage(c0);
    if (!r.selection) process.exit(1);
    console.log(JSON.stringify({ wall: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000 }));`;
  writeFileSync(join(tmp, 'cold.mjs'), script);
  const wall = (args) => {
    const t0 = performance.now();
    const out = execFileSync(process.execPath, args, { encoding: 'utf8' });
    return { ms: performance.now() - t0, inner: out.trim() === '' ? null : JSON.parse(out) };
  };
  const bare = [];
  const cold = [];
  const inner = [];
  const innerCpu = [];
  for (let i = 0; i < COLD; i++) {
    bare.push(wall(['-e', '0']).ms);
    const c = wall([join(tmp, 'cold.mjs')]);
    cold.push(c.ms);
    inner.push(c.inner.wall);
    innerCpu.push(c.inner.cpu);
  }
  const b = median(bare);
  const c = median(cold);
  console.log(`grub bench: cold process median ${ms(c)} vs node -e 0 ${ms(b)} -> own time ${ms(c - b)} (${COLD} runs)`);
  console.log(`grub bench: cold evaluateGrub alone median ${ms(median(inner))} wall, ${ms(median(innerCpu))} CPU`);
  const [load1] = (await import('node:os')).loadavg();
  console.log(`grub bench: load average ${load1.toFixed(1)} (timings on a busy machine are inflated)`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
