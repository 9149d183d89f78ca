// The distro VM's reboot loops that measure or soak rather than test a feature (issues 14 and 12).
// Usage: node scenario-bench.mjs --image-dir DIR --variant systemd --firmware seabios|ovmf
//                                --suite bench|bench-post|soak [--reps N] [--post-reps N] [--post-ms MS] [--accel tcg] [--times FILE]
//   bench:      N rounds of (w) (a) (b) (c) (d), alternating, in one VM (issue 14 part 1):
//     (w) `reboot` as (a), but from the firmware-booted kernel (the first boot, or the last round's (d)):
//         under OVMF the first kexec after a firmware boot boots slower for any tool; reported alone;
//     (a) `reboot`, kernel preloaded at boot and nothing changed since (kexecctl-unchanged, no node);
//     (b) `reboot` right after grub-set-default to the other kernel (so each run needs a refresh);
//     (c) Debian's own path, with nothing of ours: see debianPath();
//     (d) `coldreboot` (through the firmware).
//   bench-post: --post-reps rounds of (a) (d) with SeaBIOS waiting MS ms in POST (-boot menu=on,splash-time=MS:
//     SeaBIOS's interactive_bootmenu waits fw_cfg etc/boot-menu-wait for a key), as a real server's POST.
//   soak:       N `reboot`s in a row (issue 12 part 5), the state kexecctl keeps recorded at every
//     boot, then `systemctl poweroff` and e2fsck -fn on the image once QEMU has exited.
// Two clocks per reboot, both on the host: typed command → the new boot's KXREADY line, and typed
// command → the old kernel's last line before it leaves: "kexec_core: Starting new kernel"
// (kernel/kexec_core.c kernel_kexec(), pr_notice, after device shutdown) or "reboot: Restarting
// system" (kernel/reboot.c kernel_restart(), pr_emerg). The guest boots with `quiet`, so each boot
// sets the console loglevel to 6 (dmesg -n 6) before the command, for every kind alike.
// Output as scenarios.mjs (KXD PLAN/RESULT lines, tallied by results.mjs); downtimes go to --times
// as "<kind> <firmware> <init> <ready_ms> <jump_ms>" for downtime-report.mjs. Benches assert no time.
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Guest } from './guest.mjs';
import { readImageEnv } from './image-env.mjs';
import { STATE_CMD, parseState, soakShortChecks } from './state-check.mjs';

const { values: a } = parseArgs({
  options: {
    'image-dir': { type: 'string' },
    variant: { type: 'string', default: 'systemd' },
    firmware: { type: 'string', default: 'seabios' },
    suite: { type: 'string', default: 'bench' },
    reps: { type: 'string', default: '5' },
    accel: { type: 'string', default: 'tcg' },
    times: { type: 'string' },
    'post-ms': { type: 'string', default: '15000' },
    'post-reps': { type: 'string', default: '3' },
  },
});
if (
  !['bench', 'bench-post', 'soak'].includes(a.suite) ||
  a.variant !== 'systemd' ||
  !/^\d+$/.test(a.reps) ||
  !/^\d+$/.test(a['post-ms']) ||
  !/^\d+$/.test(a['post-reps'])
) {
  console.error(`scenario-bench.mjs: bad --suite ${a.suite}, --variant ${a.variant} (systemd only), --reps ${a.reps} or --post-ms ${a['post-ms']}`);
  process.exit(2);
}
const reps = Number(a.suite === 'bench-post' ? a['post-reps'] : a.reps);
const dir = a['image-dir'];
const env = readImageEnv(dir);
const post = a.suite === 'bench-post';
const fwLabel = post ? `${a.firmware}+post${Math.round(Number(a['post-ms']) / 1000)}s` : a.firmware;
const tag = `${a.variant}/${a.firmware}`;
const t0 = Date.now();

/** Every check this suite reports, in order (the KXD PLAN line). */
function benchPlan(suite, n) {
  const plan = ['kexec-load-at-boot'];
  for (let i = 0; i < n; i++) {
    if (suite === 'bench') plan.push(`bench-${i}-w-kexec`, `bench-${i}-a-kexec`, `bench-${i}-b-kexec`, `bench-${i}-c-kexec`, `bench-${i}-d-cold`);
    if (suite === 'bench-post') plan.push(`post-${i}-a-kexec`, `post-${i}-d-cold`);
    if (suite === 'soak') plan.push(`soak-${i}-kexec`);
  }
  if (suite === 'soak') plan.push('soak-clean-every-boot', 'soak-state-no-growth', 'soak-fsck-clean');
  return plan;
}
const plan = benchPlan(a.suite, reps);
const reported = new Set();
let failed = 0;
function result(name, ok, detail = '') {
  if (!ok) failed++;
  reported.add(name);
  console.log(`KXD RESULT ${ok ? 'PASS' : 'FAIL'} ${tag}:${name} ${String(detail).replace(/[\r\n]+/g, ' | ')}`.trimEnd());
}

const guest = new Guest({
  image: `${dir}/root.img`,
  kernel: `${dir}/vmlinuz`,
  initrd: `${dir}/initrd.img`,
  append: 'root=/dev/vda ro console=ttyS0,115200 quiet',
  firmware: a.firmware,
  accel: a.accel,
  log: `${dir}/console-${a.firmware}${post ? '-post' : ''}.log`,
  fwlog: `${dir}/fw-${a.firmware}${post ? '-post' : ''}.log`,
  extraArgs: post ? ['-boot', `menu=on,splash-time=${a['post-ms']}`] : [],
});
const sh = (cmd, timeout) => guest.sh(cmd, timeout);
const KEXEC_LINE = /kexec_core: Starting new kernel/;
const RESTART_LINE = /reboot: Restarting system/;

/** Host time at which `re` first shows in the console output past `from` (watches every chunk). */
function watchFor(re, from) {
  const w = { at: null };
  const onData = () => {
    if (w.at === null && re.test(guest.buf.slice(from))) w.at = Date.now();
  };
  guest.proc.stdout.on('data', onData);
  w.stop = () => guest.proc.stdout.off('data', onData);
  return w;
}

/** Types `cmd`; returns both clocks, whether the firmware ran, and the new boot's kernel and cmdline. */
async function timedReboot(cmd, kind, jumpRe) {
  await sh('dmesg -n 6');
  const fwBefore = guest.firmwareBoots();
  const from = guest.buf.length;
  guest.cursor = from;
  const jump = watchFor(jumpRe, from);
  const ready = watchFor(/KXREADY boot=/, from);
  const start = Date.now();
  guest.send(cmd);
  let boot;
  try {
    boot = await guest.ready(400000);
  } finally {
    jump.stop();
    ready.stop();
  }
  const readyMs = (ready.at ?? Date.now()) - start;
  const jumpMs = jump.at === null ? NaN : jump.at - start;
  // The new kernel's time zero on the host clock (host now minus guest uptime; TCG's guest clock
  // follows the host's): splits jump → ready into what ran before the new kernel (purgatory, or the
  // firmware) and the boot itself. Half the round trip is taken off the uptime's reading time.
  const q0 = Date.now();
  const up = Number.parseFloat((await sh('cut -d" " -f1 /proc/uptime')).out);
  const zeroMs = (q0 + Date.now()) / 2 - up * 1000 - start;
  const split = `pre-kernel ${Math.round(zeroMs - jumpMs)} ms, kernel-zero→ready ${Math.round(readyMs - zeroMs)} ms`;
  console.log(`DOWNTIME ${kind} ${fwLabel} ${a.variant} ${readyMs} ${jumpMs}`);
  if (a.times) appendFileSync(a.times, `${kind} ${fwLabel} ${a.variant} ${readyMs} ${jumpMs}\n`);
  await settle();
  const cmdline = (await sh('cat /proc/cmdline')).out;
  // Where the new boot's time went (the ready clock's other half): EFI runtime services present or
  // not (a kexec'd kernel gets them only if its loader passed the EFI memory map and runtime mapping),
  // and systemd's own kernel/userspace split.
  const probe = (
    await sh(
      'echo "EFI=$([ -d /sys/firmware/efi ] && echo yes || echo no)"; dmesg | sed -n -e "s/^\\[[ 0-9.]*\\] Memory: \\([0-9K/]*\\) available.*/mem=\\1/p" -e "s/^\\[[ 0-9.]*\\] node 0 deferred pages initialised in \\(.*\\)/deferred=\\1/p"; echo "init=$(dmesg | sed -n "s/^\\[ *\\([0-9.]*\\)\\] Run \\/init.*/\\1/p" | head -n 1)s"; systemd-analyze 2>/dev/null | head -n 1',
    )
  ).out.replace(/\n/g, '; ');
  // The slowest units of this boot (issue 14: where the ready clock's boot half goes).
  const blame = await sh('systemd-analyze blame --no-pager 2>/dev/null | head -n 8 | tr -s " " | paste -sd ";"');
  console.log(`  | ${kind} blame: ${blame.out.trim()}`);
  // Where the kernel's own time went up to /init: every pause of 0.3 s or more between two lines.
  const gaps = await sh(
    "dmesg | awk -F'[][]' '{ t = $2 + 0; if (NR > 1 && t - p >= 0.3) printf \"%.2f s before [%s]%s; \", t - p, $2, substr($3, 1, 60); p = t } /Run \\/init/ { exit }'",
  );
  console.log(`  | ${kind} kernel gaps: ${gaps.out.trim()}`);
  return { ...boot, readyMs, jumpMs, firmwareAgain: guest.firmwareBoots() > fwBefore, cmdline, probe: `${split}; ${probe}` };
}
const settle = () => sh('systemctl is-system-running --wait >/dev/null 2>&1; true', 300000);
const clocks = (r) => `ready ${r.readyMs} ms, jump ${Number.isNaN(r.jumpMs) ? 'not seen' : `${r.jumpMs} ms`}; ${r.probe}`;

/** What kexec-load.service did at the previous boot's shutdown: sh check only (NC), node refresh (UP). */
async function lastShutdown() {
  const j = await sh(
    'j=$(journalctl -b -1 -u kexec-load.service -o cat --no-pager); ' +
      'echo "NC=$(echo "$j" | grep -c "no input of the plan changed since the load") RN=$(echo "$j" | grep -c "kexecctl-unchanged: refresh needed") ' +
      'UP=$(echo "$j" | grep -c "kexec kernel up to date")"',
  );
  return /NC=\d+ RN=\d+ UP=\d+/.exec(j.out)?.[0] ?? j.out.replace(/\n/g, ' | ');
}

const advId = (k) => `gnulinux-advanced-${env.GRUB_UUID}>gnulinux-${k}-advanced-${env.GRUB_UUID}`;
let current = env.KERNEL_NEW; // GRUB's default: the image's grubenv has no saved_entry, so entry 0.

/** (a) and the soak: our `reboot` with the boot-time load unchanged. */
async function ours(name, kind) {
  const r = await timedReboot('reboot', kind, KEXEC_LINE);
  const sd = await lastShutdown();
  const ok = !r.firmwareAgain && r.kernel === current && / NC=1 RN=0/.test(` ${sd}`);
  result(name, ok, `${clocks(r)}; ${r.firmwareAgain ? 'FIRMWARE RAN' : 'no firmware'}; ${r.kernel}; cmdline ${r.cmdline}; shutdown ${sd}`);
  return r;
}

/** (b): grub-set-default to the other kernel, then `reboot` at once: kexec-load's ExecStop refreshes. */
async function refresh(name) {
  const target = current === env.KERNEL_NEW ? env.KERNEL_OLD : env.KERNEL_NEW;
  await sh(`grub-set-default '${advId(target)}'`);
  current = target;
  const r = await timedReboot('reboot', 'b-refresh', KEXEC_LINE);
  const sd = await lastShutdown();
  // Where the refresh's time went: both units at the previous shutdown, monotonic clock (for the report).
  const j = await sh('journalctl -b -1 -o short-monotonic --no-pager -u kexec-load.service -u kexec-reload.service | tail -n 12');
  for (const l of j.out.split('\n')) console.log(`  | ${name} ${l}`);
  result(
    name,
    !r.firmwareAgain && r.kernel === target,
    `${clocks(r)}; ${r.firmwareAgain ? 'FIRMWARE RAN' : 'no firmware'}; ${r.kernel} (want ${target}); shutdown ${sd}`,
  );
}

/**
 * (c) Debian's own path, as Debian 12 with kexec-tools installed does it under systemd: the admin
 * (or a unit) runs C `kexec -l KERNEL --initrd=INITRD --reuse-cmdline`, then `systemctl kexec`;
 * systemctl sees a kernel loaded and starts kexec.target; systemd-shutdown execs /usr/sbin/kexec -e
 * (Debian's /etc/init.d/kexec skips itself under systemd for that reason). Here /usr/sbin/kexec is
 * our symlink, so for this one boot it points at Debian's binary (unpacked into /opt/c-kexec by
 * run.sh, its libxen* libraries found through ld.so.conf.d as apt's would be in /usr/lib); a symlink,
 * not a bind mount, because systemd-shutdown unmounts everything before it execs kexec. Nothing of
 * ours runs at that shutdown: kexec-load.service gets an empty ExecStop (runtime drop-in, gone with
 * /run), kexec-load.path is stopped, our system-shutdown hook loses its x bit. All is restored right
 * after the new boot. --append=kxbench.c=1 marks the C load, so the new cmdline proves it was booted.
 */
// KEXECCTL_BENCH_C_FLAGS: extra flags for (c)'s C load, e.g. "-s" to make Debian's kexec use
// kexec_file_load as ours does (2.0.25 defaults to kexec_load), which splits a syscall effect from ours.
const cFlagsSet = (process.env.KEXECCTL_BENCH_C_FLAGS ?? '').trim();
const cFlags = cFlagsSet !== '' && /^[-a-z ]+$/.test(cFlagsSet) ? `${cFlagsSet} ` : '';
const cFirst = process.env.KEXECCTL_BENCH_C_FIRST === '1';
async function debianPath(name) {
  const k = current;
  const link = (await sh('readlink /usr/sbin/kexec')).out;
  const prep = await sh(
    '[ -e /etc/ld.so.conf.d/c-kexec.conf ] || { echo /opt/c-kexec/lib > /etc/ld.so.conf.d/c-kexec.conf && ldconfig; }; ' +
      'mkdir -p /run/systemd/system/kexec-load.service.d && printf "[Service]\\nExecStop=\\n" > /run/systemd/system/kexec-load.service.d/kxbench-c.conf && ' +
      'systemctl daemon-reload && systemctl stop kexec-load.path && chmod -x /usr/lib/systemd/system-shutdown/kexecctl && ' +
      `s=$(date +%s%N) && /opt/c-kexec/sbin/kexec ${cFlags}-l /boot/vmlinuz-${k} --initrd=/boot/initrd.img-${k} --reuse-cmdline --append=kxbench.c=1 && ` +
      'echo "CLOAD=$(( ($(date +%s%N) - s) / 1000000 )) KL=$(cat /sys/kernel/kexec_loaded)" && ln -sfn /opt/c-kexec/sbin/kexec /usr/sbin/kexec',
    120000,
  );
  const m = /CLOAD=(\d+) KL=1/.exec(prep.out);
  if (!m) {
    await sh(`ln -sfn '${link}' /usr/sbin/kexec; chmod +x /usr/lib/systemd/system-shutdown/kexecctl`);
    result(name, false, `C kexec -l failed: ${prep.out}`);
    return;
  }
  if (a.times) appendFileSync(a.times, `c-load-only ${fwLabel} ${a.variant} ${m[1]}\n`);
  let r;
  try {
    r = await timedReboot('systemctl kexec', 'c-debian', KEXEC_LINE);
  } finally {
    if (!guest.exited) await sh(`ln -sfn '${link}' /usr/sbin/kexec; chmod +x /usr/lib/systemd/system-shutdown/kexecctl`);
  }
  const sd = await lastShutdown();
  const ok = !r.firmwareAgain && r.cmdline.includes('kxbench.c=1') && / NC=0 RN=0/.test(` ${sd}`);
  result(name, ok, `${clocks(r)}; C kexec -l ${m[1]} ms; ${r.firmwareAgain ? 'FIRMWARE RAN' : 'no firmware'}; cmdline ${r.cmdline}; shutdown ${sd}`);
}

/** (d) */
async function cold(name) {
  const r = await timedReboot('coldreboot', 'd-cold', RESTART_LINE);
  result(name, r.firmwareAgain, `${clocks(r)}; ${r.firmwareAgain ? 'firmware ran' : 'NO FIRMWARE BANNER'}; ${r.kernel}`);
  // A cold boot is QEMU's -kernel (KERNEL_NEW); kexec-load.service then loads GRUB's default again.
}

async function soak() {
  // The state is compared from the first kexec boot on: the first reboot creates the fixed-name
  // records a reboot leaves (/var/lib/kexecctl/last-kexec.json, kexec-boot.json), rewritten in place
  // by every later one; the first boot (through the firmware, nothing recorded yet) has neither.
  const boots = [];
  const wrong = [];
  for (let i = 0; i < reps; i++) {
    await sh(`echo soak-${i} > /root/soak-token && sync`);
    await ours(`soak-${i}-kexec`, 'soak');
    const s = await sh(`cat /root/soak-token; dmesg | grep -c 'recovery complete' || true; ${STATE_CMD}`);
    boots.push(parseState(s.out));
    console.log(`  | boot ${i + 1}: ${s.out.replace(/\n/g, ' ; ')}`);
    // The token written before the reboot is there, and ext4 replayed no journal (a clean unmount).
    if (!s.out.startsWith(`soak-${i}\n0\n`)) wrong.push(`boot ${i + 1}: token or journal recovery wrong: ${s.out.split('\n').slice(0, 2).join(' ')}`);
  }
  result(
    'soak-clean-every-boot',
    wrong.length === 0,
    wrong.join('; ') || `${reps} boots: each had the token written before its reboot, no ext4 journal recovery`,
  );
  await soakShortChecks({ guest, result, image: `${dir}/root.img`, boots });
}

async function main() {
  guest.start();
  const first = await guest.ready(400000);
  console.log(`BOOT ${tag} first boot ready in ${Date.now() - t0} ms on ${first.kernel}${post ? ` (POST wait ${a['post-ms']} ms)` : ''}`);
  await settle();
  const u = await sh('systemctl is-active kexec-load.service kexec-load.path; cat /sys/kernel/kexec_loaded');
  result('kexec-load-at-boot', /^active\nactive\n1$/.test(u.out), u.out.replace(/\n/g, ' '));
  if (a.suite === 'soak') return soak();
  for (let i = 0; i < reps; i++) {
    const p = post ? 'post' : 'bench';
    // Every round starts on a firmware-booted kernel (the first boot, or the last round's (d)). Under
    // OVMF the first kexec after a firmware boot spends about 5 s more in the new kernel's early init
    // (before /init), whichever tool loaded it: with KEXECCTL_BENCH_C_FIRST=1 it is C's (c) that pays
    // it (session 7). So (w), our unchanged `reboot` from the firmware-booted kernel, runs first and is
    // reported on its own; (a) (b) (c) then all start from a kexec-booted kernel.
    if (!post) await ours(`${p}-${i}-w-kexec`, 'w-after-firmware');
    // KEXECCTL_BENCH_C_FIRST=1: (c) first, right after the cold boot, where (a) otherwise runs; this
    // tells an effect of the boot before (firmware or kexec) from one of the path.
    if (!post && cFirst) await debianPath(`${p}-${i}-c-kexec`);
    await ours(`${p}-${i}-a-kexec`, 'a-unchanged');
    if (!post) await refresh(`${p}-${i}-b-kexec`);
    if (!post && !cFirst) await debianPath(`${p}-${i}-c-kexec`);
    await cold(`${p}-${i}-d-cold`);
  }
}

console.log(`KXD PLAN ${tag} ${plan.join(',')}`);
try {
  await main();
} catch (e) {
  result('harness', false, e instanceof Error ? e.message : String(e));
} finally {
  await guest.stop();
}
for (const name of plan) if (!reported.has(name)) result(name, false, 'not reached');
console.log(`SUMMARY ${tag} ${a.suite} failed=${failed} in ${Math.round((Date.now() - t0) / 1000)} s`);
process.exitCode = failed === 0 ? 0 : 1;
