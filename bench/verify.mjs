// The cost of the deep integrity check (issue 18) on Debian's kernel: `kexecctl load --dry-run`
// with the default deep check (payload decompressed with its checksum, the bzImage build CRC-32,
// every initrd read to its end) against `--no-verify` (structural checks only), interleaved runs,
// medians of wall time and of the child's CPU, peak RSS. Dry runs: no system call is made.
// Kernel and initrd: Debian 12's cloud kernel and its initramfs-tools initrd from the VM cache
// (the distro tier's base image); without the cache, the tests' fake bzImage and a 16 MiB newc.
// Measures only; asserts nothing about time.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDist, CHILD_HOOK, importTs, measuredChild, median } from './lib/bundle.mjs';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 7));
const CACHE = '/var/cache/kexecctl-test/distro';
const MiB = 1 << 20;

/** Debian's kernel and initrd from the distro tier's base image, if one was built here. */
function debianFiles() {
  if (!existsSync(CACHE)) return null;
  for (const d of readdirSync(CACHE).filter((n) => n.startsWith('base-'))) {
    const boot = join(CACHE, d, 'systemd/boot');
    if (!existsSync(boot)) continue;
    const k = readdirSync(boot).find((n) => /^vmlinuz-.*-cloud-amd64$/.test(n));
    if (k === undefined) continue;
    const i = join(boot, k.replace('vmlinuz-', 'initrd.img-'));
    if (existsSync(i)) return { kernel: join(boot, k), initrd: i, what: `Debian ${k.slice(8)} and its initrd` };
  }
  return null;
}

const tmp = mkdtempSync(join(tmpdir(), 'kexecctl-bench-verify-'));
const dist = await benchDist();
try {
  const hook = join(tmp, 'hook.cjs');
  writeFileSync(hook, CHILD_HOOK);
  let files = debianFiles();
  if (files === null) {
    const { newcArchive } = await importTs('test/helpers/newc.ts', tmp, 'newc');
    const { fakeBzImage } = await importTs('test/helpers/fake-kernel-image.ts', tmp, 'fake-kernel-image');
    files = { kernel: join(tmp, 'vmlinuz'), initrd: join(tmp, 'initrd.img'), what: 'fake bzImage and a 16 MiB newc initrd (no VM cache)' };
    writeFileSync(files.kernel, fakeBzImage());
    writeFileSync(files.initrd, newcArchive([{ name: 'big', data: Buffer.alloc(16 * MiB, 0x5a) }]));
  }
  const env = { ...process.env, KEXECCTL_TEST: '1' };
  const child = measuredChild(hook, env);
  const kexecctl = join(dist.dir, 'kexecctl.js');
  const load = (...extra) => [kexecctl, 'load', '--dry-run', '--kernel', files.kernel, '--initrd', files.initrd, '--append', 'console=ttyS0', ...extra];
  const rows = [
    ['node -e 0', ['-e', '0']],
    ['load --no-verify', load('--no-verify')],
    ['load (deep check)', load()],
  ];
  rows.forEach(([, args]) => child(args)); // warm-up (page cache)
  const res = rows.map(() => ({ wall: [], cpu: [], rss: [] }));
  for (let i = 0; i < RUNS; i++) {
    rows.forEach(([, args], k) => {
      const r = child(args);
      res[k].wall.push(r.wall);
      res[k].cpu.push(r.cpu);
      res[k].rss.push(r.rssMiB);
    });
  }
  const mb = (p) => (statSync(p).size / MiB).toFixed(1);
  console.log(`deep-check bench: kexecctl load --dry-run, ${files.what} (${mb(files.kernel)} + ${mb(files.initrd)} MiB), ${RUNS} interleaved runs, medians`);
  for (const [k, [name]] of rows.entries()) {
    const r = res[k];
    console.log(
      `  ${name.padEnd(20)} wall ${median(r.wall).toFixed(1).padStart(7)} ms  cpu ${median(r.cpu).toFixed(1).padStart(7)} ms  peak RSS ${Math.max(...r.rss).toFixed(1)} MiB`,
    );
  }
  const [, off, on] = res.map((r) => median(r.wall));
  console.log(`  deep check costs ${(on - off).toFixed(1)} ms of wall time (ratio ${(on / off).toFixed(2)}); load average ${loadavg()[0].toFixed(1)}`);
} finally {
  dist.cleanup();
  rmSync(tmp, { recursive: true, force: true });
}
