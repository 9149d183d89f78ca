// Guest benchmark (runs inside the QEMU guest under Debian's node 18, as /kxt/bench.mjs):
// times our `kexec -l` against C kexec-tools' `kexec -s -l` (kexec_file_load), and our `kexec -c -l`
// against C's `kexec -c -l` (kexec_load: each lays the kernel out in user space), on the same kernel,
// initrd and cmdline; and (issue 11) our load of the gzip'ed kernel and of the UKI (its own initrd and
// command line) against C kexec-tools 2.0.25 where it can load them (its -s path decompresses gzip;
// it has no UKI loader; a tool that cannot load a file is reported, not counted as a failed run).
// Each sample spawns the command and measures wall time with hrtime; both tools pay the same spawn
// cost. Between samples the kernel is unloaded (`kexec-c -u`, not timed). Runs alternate so drift
// affects both equally; a bare `node -e 0` is sampled in the same rotation. Prints
// "KXT BENCH <tool> <median ms> <min> <max> <n>", the ratio ours/C, and ours minus node startup.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const runs = Number(process.argv[2] ?? '7');
const kernel = '/payload/vmlinuz';
const initrd = '/payload/base.img';
const append = 'console=ttyS0 panic=-1 kxt.stage=never';
const tools = {
  kexecctl: ['/usr/sbin/kexec', ['-l', kernel, '--initrd', initrd, '--append', append]],
  'kexec-tools': ['/usr/local/sbin/kexec-c', ['-s', '-l', kernel, `--initrd=${initrd}`, `--append=${append}`]],
  'kexecctl-c': ['/usr/sbin/kexec', ['-c', '-l', kernel, '--initrd', initrd, '--append', append]],
  'kexec-tools-c': ['/usr/local/sbin/kexec-c', ['-c', '-l', kernel, `--initrd=${initrd}`, `--append=${append}`]],
  'kexecctl-gz': ['/usr/sbin/kexec', ['-l', '/payload/vmlinuz.gz', '--initrd', initrd, '--append', append]],
  'kexec-tools-gz': ['/usr/local/sbin/kexec-c', ['-s', '-l', '/payload/vmlinuz.gz', `--initrd=${initrd}`, `--append=${append}`]],
  'kexecctl-uki': ['/usr/sbin/kexec', ['-l', '/payload/uki.efi']],
  'node-e-0': ['/usr/bin/node', ['-e', '0']],
};
const loads = (name) => name !== 'node-e-0';
/** Rows whose tool may be unable to load the file at all (C kexec-tools 2.0.25 and a gzip'ed kernel). */
const optional = new Set(['kexec-tools-gz']);
const loaded = () => readFileSync('/sys/kernel/kexec_loaded', 'utf8').trim();
const samples = Object.fromEntries(Object.keys(tools).map((name) => [name, []]));
let errors = 0;
for (let i = 0; i < runs; i++) {
  for (const [name, [cmd, args]] of Object.entries(tools)) {
    spawnSync('/usr/local/sbin/kexec-c', ['-u'], { stdio: 'ignore' });
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0 || (loads(name) && loaded() !== '1')) {
      if (optional.has(name)) {
        if (i === 0) console.log(`KXT LOG bench ${name} cannot load it: exit ${r.status} ${String(r.stderr).slice(0, 200)}`);
        continue;
      }
      errors++;
      console.log(`KXT LOG bench ${name} run ${i} failed: exit ${r.status} ${String(r.stderr).slice(0, 200)}`);
      continue;
    }
    samples[name].push(ms);
  }
}
spawnSync('/usr/local/sbin/kexec-c', ['-u'], { stdio: 'ignore' });
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const med = {};
for (const [name, xs] of Object.entries(samples)) {
  if (xs.length === 0) continue;
  med[name] = median(xs);
  console.log(`KXT BENCH ${name} ${med[name].toFixed(1)} ${Math.min(...xs).toFixed(1)} ${Math.max(...xs).toFixed(1)} ${xs.length}`);
}
if (med.kexecctl !== undefined && med['kexec-tools'] !== undefined) {
  console.log(`KXT BENCH ratio ${(med.kexecctl / med['kexec-tools']).toFixed(2)}`);
  if (med['node-e-0'] !== undefined) {
    // Our time minus a bare node start: the part of our cost that is not the runtime's startup.
    const own = med.kexecctl - med['node-e-0'];
    console.log(`KXT BENCH own-vs-c ${own.toFixed(1)} ${(own / med['kexec-tools']).toFixed(2)}`);
  }
}
if (med['kexecctl-c'] !== undefined && med['kexec-tools-c'] !== undefined) {
  console.log(`KXT BENCH ratio-c ${(med['kexecctl-c'] / med['kexec-tools-c']).toFixed(2)}`);
}
for (const [ours, c] of [['kexecctl-gz', 'kexec-tools-gz']]) {
  if (med[ours] !== undefined && med[c] !== undefined) console.log(`KXT BENCH ratio-gz ${(med[ours] / med[c]).toFixed(2)}`);
}
console.log(`KXT RESULT bench-runs ${errors === 0 ? 'PASS' : 'FAIL'} ${errors} failed runs of ${runs * (Object.keys(tools).length - optional.size)}`);
