// kexec -l on the host (issue 14, parts 4 and 5), through the file-backed fake kernel (no syscall
// is ever made): own time past a bare `node -e 0` (interleaved runs, medians of wall and of the
// child's own CPU) with a small initrd, and peak RSS with a 64 MiB initrd and with two 64 MiB
// initrds (the second is concatenated through a memfd). The kernel is Debian's vmlinuz from the VM
// cache when present, else the tests' fake bzImage. Measures only; asserts nothing about time.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { benchDist, CHILD_HOOK, importTs, measuredChild, median } from './lib/bundle.mjs';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 11));
const RSS_RUNS = Math.max(1, Number(process.env.BENCH_RSS_RUNS ?? 3));
const REAL_KERNEL = '/var/cache/kexecctl-test/kernels/6.1.0-56-amd64/boot/vmlinuz-6.1.0-56-amd64';
const MiB = 1 << 20;

/** An initramfs-tools initrd from the distro tier's base image, if one was built here. */
function findDebianInitrd() {
  const distro = '/var/cache/kexecctl-test/distro';
  if (!existsSync(distro)) return null;
  for (const base of readdirSync(distro).filter((d) => d.startsWith('base-'))) {
    const boot = join(distro, base, 'systemd/boot');
    const i = existsSync(boot) ? readdirSync(boot).find((f) => f.startsWith('initrd.img-')) : undefined;
    if (i !== undefined) return join(boot, i);
  }
  return null;
}

const tmp = mkdtempSync(join(tmpdir(), 'kexecctl-bench-load-'));
const dist = await benchDist();
try {
  const hook = join(tmp, 'hook.cjs');
  writeFileSync(hook, CHILD_HOOK);
  const { newcArchive } = await importTs('test/helpers/newc.ts', tmp, 'newc');
  const { fakeBzImage } = await importTs('test/helpers/fake-kernel-image.ts', tmp, 'fake-kernel-image');
  const fakeKernel = join(tmp, 'vmlinuz-fake');
  writeFileSync(fakeKernel, fakeBzImage());
  const kernel = existsSync(REAL_KERNEL) ? REAL_KERNEL : fakeKernel;
  const small = join(tmp, 'initrd-small.img');
  writeFileSync(small, newcArchive([{ name: 'init', data: '#!/bin/sh\n' }]));
  const big = (name) => {
    const p = join(tmp, name);
    writeFileSync(p, newcArchive([{ name: 'big', data: Buffer.alloc(64 * MiB - 512, 0x5a) }]));
    return p;
  };
  const i64a = big('initrd-64a.img');
  const i64b = big('initrd-64b.img');
  const fake = join(tmp, 'fake.json');
  const env = { ...process.env, KEXECCTL_TEST: '1', KEXECCTL_FAKE: fake };
  const resetFake = () =>
    writeFileSync(fake, JSON.stringify({ supported: true, loaded: false, crashLoaded: false, crashSize: 0, calls: [], failures: {}, nextFd: 1000 }));

  const child = measuredChild(hook, env, resetFake);
  const kexec = join(dist.dir, 'kexec.js');
  const load = (initrds, k = kernel) => [
    kexec,
    '-l',
    k,
    `--initrd=${initrds[0]}`,
    ...initrds.slice(1).map((i) => `--extra-initrd=${i}`),
    '--append=console=ttyS0 quiet',
  ];
  const rows = [
    ['node -e 0', ['-e', '0']],
    ['kexec --version', [kexec, '--version']],
    ['kexec -l fake bzImage', load([small], fakeKernel)],
    ...(kernel === REAL_KERNEL ? [['kexec -l Debian vmlinuz', load([small])]] : []),
  ];
  rows.forEach(([, args]) => child(args)); // warm-up
  const res = rows.map(() => ({ wall: [], cpu: [] }));
  for (let i = 0; i < RUNS; i++) {
    rows.forEach(([, args], k) => {
      const r = child(args);
      res[k].wall.push(r.wall);
      res[k].cpu.push(r.cpu);
    });
  }
  const bw = median(res[0].wall);
  const bc = median(res[0].cpu);
  console.log(
    `kexec -l bench (${RUNS} interleaved runs, medians, node ${process.version}, 4 KiB initrd, fake kexec syscalls; the Debian kernel's payload is decompressed by the deep check)`,
  );
  rows.forEach(([name], k) => {
    const w = median(res[k].wall);
    const c = median(res[k].cpu);
    const own = k === 0 ? '' : `  own wall ${(w - bw).toFixed(1).padStart(6)} ms  own cpu ${(c - bc).toFixed(1).padStart(6)} ms`;
    console.log(`  ${name.padEnd(26)} wall ${w.toFixed(1).padStart(7)} ms  cpu ${c.toFixed(1).padStart(7)} ms${own}`);
  });
  console.log(`  (target: kexec -l own time <= 20 ms; load average ${loadavg()[0].toFixed(1)})`);

  const peak = (args) => Math.max(...Array.from({ length: RSS_RUNS }, () => child(args).rssMiB));
  console.log(
    `kexec -l peak RSS (VmHWM, max of ${RSS_RUNS} runs, kernel ${kernel === REAL_KERNEL ? 'Debian 6.1.0-56-amd64' : 'fake bzImage'}; target <= 80 MiB)`,
  );
  console.log(`  node -e 0                        ${peak(['-e', '0']).toFixed(1).padStart(6)} MiB`);
  console.log(
    `  kexec -l, one 64 MiB initrd      ${peak(load([i64a]))
      .toFixed(1)
      .padStart(6)} MiB`,
  );
  console.log(
    `  kexec -l, two 64 MiB initrds     ${peak(load([i64a, i64b]))
      .toFixed(1)
      .padStart(6)} MiB  (concatenated through a memfd)`,
  );
  const debianInitrd = findDebianInitrd();
  if (debianInitrd !== null) {
    const size = (statSync(debianInitrd).size / MiB).toFixed(1);
    console.log(
      `  kexec -l, Debian's initrd        ${peak(load([debianInitrd]))
        .toFixed(1)
        .padStart(6)} MiB  (${basename(debianInitrd)}, ${size} MiB, compressed)`,
    );
  }
} finally {
  dist.cleanup();
  rmSync(tmp, { recursive: true, force: true });
}
