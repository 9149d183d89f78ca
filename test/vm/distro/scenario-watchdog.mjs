// Issue 12, the watchdog across the kexec jump, in the distro tier's watchdog variant (build-image.sh
// watchdog: Debian's generic kernel, which has i6300esb, as GRUB's default and QEMU's direct boot, both
// with watchdog.stop_on_reboot=0, and KEXEC_WATCHDOG_SEC=60 in /etc/default/kexec). QEMU runs with
// an i6300esb, `-action watchdog=reset` (a reset goes through the firmware again, as a board's
// watchdog does) and a QMP socket whose events (WATCHDOG, RESET) test/vm/lib/qmp-events.mjs records.
// Rows, in the order scenarios.mjs reports them:
//   first boot          wd-status: status names /dev/watchdog0 and stop_on_reboot=0, as the test reads sysfs
//   after reboot-kexec  wd-load-hang: pre-exec.d hooks and a kernel that hangs (below) are set up, then
//                       wd-handed-over: the reboot armed it; kexecctl-watchdog-handover stopped it (magic
//                       close); the machine is still the same boot well past both timeouts, no WATCHDOG event
//   before the cold one the kernel that hangs (the cloud kernel, no initrd, root=/dev/kxt-nonexistent panic=0);
//                       pre-exec.d hooks run; `kexecctl exec --watchdog 15` jumps; QEMU reports the
//                       watchdog reset within 15 s (+margin); the boot that follows came through the firmware,
//                       boot-check made its reboot cold, status says why; then scenarios.mjs types `reboot`
//                       where the other variants type `coldreboot` (its coldreboot-* rows check that boot,
//                       the `coldreboot` command itself is proven by the systemd and sysvinit suites), and
//                       wd-next-cold: it went through the firmware. One firmware boot fewer (CI budget).
// Reference behaviour: drivers/watchdog/watchdog_core.c (stop_on_reboot), i6300esb.c (its probe disables a
// running timer, so after a kexec the watchdog covers the jump until the new kernel's driver loads).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The hanging target's watchdog timeout (kexecctl exec --watchdog). */
export const HANG_SEC = 15;
/** i6300esb's default heartbeat: the timeout /dev/watchdog0 runs with once the handover unit has opened it. */
const ESB_HEARTBEAT_SEC = 30;

export const WATCHDOG_FIRST_CHECKS = ['wd-status'];
export const WATCHDOG_KEXEC_CHECKS = ['wd-load-hang', 'wd-handed-over'];
export const WATCHDOG_LAST_CHECKS = [
  'wd-hooks',
  'wd-recovery',
  'wd-target-hung',
  'wd-boot-check-cold',
  'wd-status-next-cold',
  'wd-intent',
  'wd-status-default',
];
/** After the cold reboot scenarios.mjs types (`reboot`, not `coldreboot`, in this variant). */
export const WATCHDOG_COLD_CHECKS = ['wd-next-cold'];

/** QEMU arguments and the QMP event log for a guest in DIR. */
export function watchdogQemu(dir) {
  const sock = `${dir}/qmp.sock`;
  const events = `${dir}/qmp-events.jsonl`;
  rmSync(sock, { force: true });
  rmSync(events, { force: true });
  // wait=on: QEMU starts the guest only once the recorder has connected, so no event is missed.
  return { sock, events, extraArgs: ['-device', 'i6300esb', '-action', 'watchdog=reset', '-qmp', `unix:${sock},server=on,wait=on`] };
}

/** Starts the QMP event recorder (it exits when QEMU closes the socket). */
export function startQmpEvents(q) {
  const rec = fileURLToPath(new URL('../lib/qmp-events.mjs', import.meta.url));
  spawn(process.execPath, [rec, q.sock, q.events], { stdio: 'inherit' });
}

/** The recorded QMP events, parsed. */
function events(q) {
  if (!existsSync(q.events)) return [];
  return readFileSync(q.events, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}
const watchdogEvents = (q) => events(q).filter((e) => e.event === 'WATCHDOG');

/** First boot: the status line (from the suite's first `kexecctl status`) against what the test reads from sysfs itself. */
export async function wdStatus({ sh, result }, sec, statusOut) {
  const s = await sh(
    'echo "SOR=$(cat /sys/module/watchdog/parameters/stop_on_reboot) ID=$(cat /sys/class/watchdog/watchdog0/identity) DEV=$(test -c /dev/watchdog0 && echo c)"',
  );
  const line = statusOut.split('\n').find((l) => l.startsWith('watchdog across kexec')) ?? 'no watchdog line in kexecctl status';
  const ok =
    s.out === 'SOR=0 ID=i6300ESB timer DEV=c' &&
    line.includes(`armed for ${sec} s at the jump; /dev/watchdog0 (i6300ESB timer); watchdog.stop_on_reboot=0: it keeps running across the jump`);
  result('wd-status', ok, `${s.out} | ${line}`);
}

/**
 * After the kexec reboot (its console from `mark`): the reboot armed the watchdog for `sec`, the handover
 * unit stopped it, and the machine is still the same boot past both the armed timeout and the heartbeat
 * the handover's open started (a handover without the magic close would reset it then).
 */
export async function wdHandedOver({ guest, sh, result }, q, sec, mark) {
  const armed = guest.buf.slice(mark).includes(`watchdog /dev/watchdog0 armed for ${sec} s across the jump`);
  const fw = guest.firmwareBoots();
  const u = 'systemctl show -p ExecMainExitTimestampMonotonic --value kexecctl-watchdog-handover.service';
  const r = await sh(
    `ho=$(( $(${u}) / 1000000 )); want=$((ho + ${ESB_HEARTBEAT_SEC + 5})); [ "$want" -ge ${sec + 5} ] || want=${sec + 5}; ` +
      'while [ "$ho" -gt 0 ] && [ "$(cut -d. -f1 /proc/uptime)" -lt "$want" ]; do sleep 1; done; ' +
      'echo "HO=$ho UP=$(cut -d" " -f1 /proc/uptime) STATE=$(cat /sys/class/watchdog/watchdog0/state) RES=$(systemctl show -p Result --value kexecctl-watchdog-handover.service) BOOT=$(cat /proc/sys/kernel/random/boot_id)"; ' +
      "journalctl -b -o cat --no-pager -u kexecctl-watchdog-handover.service | grep 'boot-complete:'",
    240000,
  );
  const m = /HO=(\d+) UP=([\d.]+) STATE=(\S*) RES=(\S*) BOOT=(\S+)/.exec(r.out);
  const ok =
    armed &&
    m !== null &&
    Number(m[1]) > 0 &&
    Number(m[2]) >= Math.max(sec, Number(m[1]) + ESB_HEARTBEAT_SEC) &&
    m[3] === 'inactive' &&
    m[4] === 'success' &&
    m[5] === guest.bootId &&
    guest.firmwareBoots() === fw &&
    watchdogEvents(q).length === 0 &&
    r.out.includes('watchdog: /dev/watchdog0: stopped (magic close)');
  result('wd-handed-over', ok, `armed-line=${armed ? 'seen' : 'MISSING'} | ${r.out} | WATCHDOG events ${watchdogEvents(q).length}`);
}

/**
 * Before the handover check (whose wait it overlaps): pre-exec.d hooks and the kernel that hangs,
 * loaded in the kexec'd boot that wdRecovery jumps from.
 */
export async function wdPrepareHang({ sh, result, env }) {
  // Pre-exec hooks (issue 12 part 3): run-parts order, output logged, a name with a dot skipped.
  await sh(
    'mkdir -p /etc/kexecctl/pre-exec.d && cd /etc/kexecctl/pre-exec.d && ' +
      "printf '#!/bin/sh\\necho first hook\\n' > 10-first && printf '#!/bin/sh\\necho second hook\\n' > 50-second && " +
      "printf '#!/bin/sh\\necho must not run\\n' > skip.sh && chmod 755 10-first 50-second skip.sh && cd /",
  );
  const target = `/boot/vmlinuz-${env.KERNEL_OLD}`;
  const ld = await sh(
    // earlyprintk: the target's log reaches the console from its first lines, wherever it stops.
    `kexecctl load --kernel ${target} --append 'console=ttyS0,115200 earlyprintk=serial,ttyS0,115200 panic=0 root=/dev/kxt-nonexistent kxt.target=hang' 2>&1; ` +
      'echo "RC=$? KL=$(cat /sys/kernel/kexec_loaded)"',
    180000,
  );
  result('wd-load-hang', /RC=0 KL=1/.test(ld.out), ld.out);
}

/** The hang, the watchdog reset, and what the boot after it says; scenarios.mjs then types `reboot` (wdNextCold). */
export async function wdRecovery({ guest, sh, result, env }, q) {
  const fw = guest.firmwareBoots();
  const bootBefore = guest.bootId;
  const mark = guest.buf.length;
  guest.cursor = mark;
  guest.send(`sync; echo KXWD-JUMP; kexecctl exec --watchdog ${HANG_SEC}`);
  let t0 = null;
  try {
    await guest.expect(new RegExp(`watchdog /dev/watchdog0 armed for ${HANG_SEC} s across the jump`), 120000);
    t0 = Date.now();
  } catch {
    /* reported below */
  }
  let t1 = null;
  for (let i = 0; t0 !== null && i < (HANG_SEC + 90) * 4; i++) {
    if (watchdogEvents(q).length > 0) {
      t1 = Date.now();
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const ms = t0 !== null && t1 !== null ? t1 - t0 : null;
  if (ms !== null) console.log(`WATCHDOG-RECOVERY jump-to-reset ${ms} ms (timeout ${HANG_SEC} s)`);
  let boot = null;
  try {
    boot = await guest.ready(400000);
  } catch (e) {
    result('harness', false, `no login after the watchdog reset: ${e instanceof Error ? e.message : String(e)}`);
  }
  const ev = events(q);
  const wi = ev.findIndex((e) => e.event === 'WATCHDOG');
  const resetAfter = wi >= 0 && ev.slice(wi + 1).some((e) => e.event === 'RESET');
  const inTime = ms !== null && ms >= (HANG_SEC - 3) * 1000 && ms <= (HANG_SEC + 8) * 1000;
  result(
    'wd-recovery',
    inTime && wi >= 0 && ev[wi].data.action === 'reset' && resetAfter && boot !== null && boot.boot !== bootBefore && guest.firmwareBoots() > fw,
    `jump-to-reset ${ms ?? '?'} ms (timeout ${HANG_SEC} s, want -3/+8 s) | ${wi >= 0 ? JSON.stringify(ev[wi]) : 'no WATCHDOG event'} | RESET after it: ${resetAfter} | firmware boots ${fw} -> ${guest.firmwareBoots()} | boot ${bootBefore} -> ${boot?.boot ?? '?'}`,
  );
  const con = guest.buf.slice(mark).replace(/\r/g, '');
  const jump = con.indexOf('KXWD-JUMP\n');
  const armedAt = con.search(/watchdog \/dev\/watchdog0 armed for/);
  const hooks = jump >= 0 && armedAt > jump ? con.slice(jump, armedAt) : '';
  const f = hooks.indexOf('pre-exec.d/10-first: first hook');
  const s = hooks.indexOf('pre-exec.d/50-second: second hook');
  result(
    'wd-hooks',
    f >= 0 && s > f && !hooks.includes('must not run'),
    hooks
      .split('\n')
      .filter((l) => /pre-exec/.test(l))
      .join(' | ') || 'no hook output before the armed line',
  );
  // Between the jump and the next firmware start: the target's banner with our marker, then its panic (panic=0: it hangs).
  const after = armedAt >= 0 ? con.slice(armedAt) : '';
  // OVMF starts its serial console with ESC[=3h at every firmware boot; else up to the next login.
  const ends = [after.indexOf('\x1b[=3h'), after.indexOf('KXREADY')].filter((n) => n >= 0);
  const hung = after.slice(0, ends.length > 0 ? Math.min(...ends) : after.length);
  // The target started (its command line) and never reached a login; its last line says where it stopped.
  const last =
    hung
      .split('\n')
      .filter((l) => /^\[\s*\d+\.\d+\]/.test(l))
      .pop() ?? 'no kernel line';
  result(
    'wd-target-hung',
    /Command line: .*kxt\.target=hang/.test(hung),
    `${(hung.match(/Kernel panic[^\n]*/) ?? ['no panic line'])[0]} | last line before the reset: ${last.slice(0, 160)}`,
  );
  if (boot === null) return;
  await sh('systemctl is-system-running --wait >/dev/null 2>&1; true', 300000);
  const bc = await sh(
    'echo "FLAG=$(test -e /no-kexec-reboot && echo set) KL=$(cat /sys/kernel/kexec_loaded)"; journalctl -b -o cat --no-pager -u kexecctl-boot-check.service | grep \'kexecctl\' | tail -n 2',
  );
  result('wd-boot-check-cold', bc.out.startsWith('FLAG=set KL=0') && bc.out.includes('came through the firmware'), bc.out);
  const i = await sh('tr -d " \\n" < /var/lib/kexecctl/last-kexec.json');
  result(
    'wd-intent',
    i.out.includes('"mode":"kexec"') && i.out.includes('"by":"kexecctlexec"') && i.out.includes(`vmlinuz-${env.KERNEL_OLD}`),
    i.out.slice(0, 240),
  );
  // One status for three rows. The watchdog core reloaded at its default (stop_on_reboot=-1): insmod,
  // unlike modprobe, does not read watchdog.* from /proc/cmdline.
  const st = await sh(
    'rmmod i6300esb && rmmod watchdog && insmod "$(modinfo -n watchdog)" && insmod "$(modinfo -n i6300esb)"; ' +
      'echo "SOR=$(cat /sys/module/watchdog/parameters/stop_on_reboot)"; kexecctl status 2>&1 | grep -E "^(next reboot will kexec|last kexec boot|watchdog across kexec)"',
  );
  result(
    'wd-status-next-cold',
    /^next reboot will kexec: no \(the kexec into .*never reached/m.test(st.out) &&
      /^last kexec boot: FAILED: .*this reboot goes through the firmware$/m.test(st.out),
    st.out
      .split('\n')
      .filter((l) => !l.startsWith('watchdog'))
      .join(' | '),
  );
  const d = st.out
    .split('\n')
    .filter((l) => l.startsWith('SOR=') || l.startsWith('watchdog across'))
    .join(' | ');
  result('wd-status-default', /^SOR=-1 \| .*stop_on_reboot=-1: the driver decides.*stop it at the kexec reboot.*watchdog\.stop_on_reboot=0/.test(d), d);
}

/** The reboot typed after the failed kexec (scenarios.mjs, `reboot` in place of `coldreboot`): the firmware ran. */
export function wdNextCold({ result }, r, env) {
  result(
    'wd-next-cold',
    r.firmwareAgain && r.kernel === env.KERNEL_NEW,
    `${r.firmwareAgain ? 'firmware banner seen' : 'no firmware banner: the reboot kexeced'}, running ${r.kernel}`,
  );
}
