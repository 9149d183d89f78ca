// The distro tier's scenarios, typed at the serial console of a Debian 12 guest as an admin would.
// Usage: node scenarios.mjs --image-dir DIR --variant systemd|sysvinit|dracut|watchdog --firmware seabios|ovmf
//                           --suite full|basic|bench [--reps N] [--accel tcg] [--times FILE]
// full: scenarios 1-4; basic: 1 and 3 (reboot, coldreboot); bench: N x (reboot, coldreboot), timings only.
// Prints "KXD PLAN <tag> <names>" first (every check this suite reports, see planFor), then one
// "KXD RESULT PASS|FAIL <tag>:<name> <detail>" line per check, "DOWNTIME <kind> <firmware> <init> <ms>"
// lines, and exits non-zero when a check failed. Output read from the guest is printed indented
// ("  | "), so it can never look like a result. run.sh tallies with results.mjs.
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Guest } from './guest.mjs';
import { readImageEnv } from './image-env.mjs';
import { dracutScenario } from './scenario-dracut.mjs';
import { matrixOn, planFor, systemdInit, verifyRowsOn } from './plan.mjs';
import { startQmpEvents, watchdogQemu, wdHandedOver, wdNextCold, wdPrepareHang, wdRecovery, wdStatus } from './scenario-watchdog.mjs';
import { STATE_CMD, parseState, soakShortChecks } from './state-check.mjs';
import { faultMatrix, loadDisabled, loadDisabledRebooted } from './scenario-matrix.mjs';
import { CRASHKERNEL_GUEST_MEM, crashkernelAfterReboot, crashkernelReset } from './scenario-crashkernel.mjs';
import { HIDE_DRY_RUN_CMD, judgeCold, judgeHidden, judgeKexec, parseHidden, verifyRow } from './scenario-verify.mjs';

const { values: a } = parseArgs({
  options: {
    'image-dir': { type: 'string' },
    variant: { type: 'string', default: 'systemd' },
    firmware: { type: 'string', default: 'seabios' },
    suite: { type: 'string', default: 'full' },
    reps: { type: 'string', default: '5' },
    accel: { type: 'string', default: 'tcg' },
    times: { type: 'string' },
  },
});
if (!['full', 'basic', 'bench'].includes(a.suite) || !['systemd', 'sysvinit', 'dracut', 'watchdog'].includes(a.variant) || !/^\d+$/.test(a.reps)) {
  console.error(`scenarios.mjs: bad --suite ${a.suite}, --variant ${a.variant} or --reps ${a.reps}`);
  process.exit(2);
}
const dir = a['image-dir'];
const env = readImageEnv(dir);
const tag = `${a.variant}/${a.firmware}`;
let passed = 0;
let failed = 0;
const t0 = Date.now();

const plan = planFor(a.suite, a.variant, Number(a.reps));
const reported = new Set();

function result(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  reported.add(name);
  const oneLine = String(detail).replace(/[\r\n]+/g, ' | ');
  console.log(`KXD RESULT ${ok ? 'PASS' : 'FAIL'} ${tag}:${name} ${oneLine}`.trimEnd());
}

/** Guest output, indented so that no line of it starts like a result or plan line. */
function guestOut(text) {
  for (const l of String(text).split('\n')) console.log(`  | ${l}`);
}
function downtime(kind, ms) {
  console.log(`DOWNTIME ${kind} ${a.firmware} ${a.variant} ${ms}`);
  if (a.times) appendFileSync(a.times, `${kind} ${a.firmware} ${a.variant} ${ms}\n`);
}

// Issue 12 part 1: the watchdog variant's QEMU has an i6300esb that resets the machine, and a QMP socket.
const wdQemu = a.variant === 'watchdog' ? watchdogQemu(dir) : null;
// The first boot comes from QEMU's -kernel with an -append lacking the GRUB entry's marker, so a
// later kx.grub=1 in /proc/cmdline can only come from the grub.cfg entry kexecctl planned.
const guest = new Guest({
  image: `${dir}/root.img`,
  kernel: `${dir}/vmlinuz`,
  initrd: `${dir}/initrd.img`,
  append: env.FIRST_APPEND ?? 'root=/dev/vda ro console=ttyS0,115200 quiet',
  extraArgs: wdQemu?.extraArgs ?? [],
  firmware: a.firmware,
  accel: a.accel,
  log: `${dir}/console-${a.firmware}.log`,
  fwlog: `${dir}/fw-${a.firmware}.log`,
  // The crashkernel scenario (systemd full suite) needs RAM inside kdump-utils' default 2G-64G range.
  mem: a.suite === 'full' && a.variant === 'systemd' ? CRASHKERNEL_GUEST_MEM : 1024,
});

async function sh(cmd, timeout) {
  const r = await guest.sh(cmd, timeout);
  return r;
}

const soakShort = a.suite === 'full' && a.variant === 'systemd';
/** kexecctl verify rows (issue 12 part 2) and the kexec_loaded-hidden dry run: sysvinit (plan.mjs verifyRowsOn). */
const verifyRows = verifyRowsOn(a.variant);
const stateBoots = [];

/** Types a reboot command; returns the new boot's facts and the downtime (host clock). */
async function rebootWith(cmd, kind) {
  const fwBefore = guest.firmwareBoots();
  const bootBefore = guest.bootId;
  const start = Date.now();
  guest.cursor = guest.buf.length;
  guest.send(cmd);
  const boot = await guest.ready(400000);
  const ms = Date.now() - start;
  downtime(kind, ms);
  await settle();
  // Issue 12 short soak: the state kexecctl keeps, after each plain kexec reboot (see soakShortChecks).
  if (soakShort && kind === 'kexec') stateBoots.push(parseState((await sh(STATE_CMD)).out));
  const fwAfter = guest.firmwareBoots();
  const cmdline = (await sh('cat /proc/cmdline')).out;
  return { ...boot, ms, firmwareAgain: fwAfter > fwBefore, cmdline, bootBefore };
}

/** Lets boot finish (kexec-load.service loads after the login prompt appears). */
async function settle() {
  if (systemdInit(a.variant)) await sh('systemctl is-system-running --wait >/dev/null 2>&1; true', 300000);
}

async function checkCleanKexec(name, r, expectKernel) {
  result(`${name}-no-firmware`, !r.firmwareAgain, r.firmwareAgain ? 'the firmware ran again' : 'firmware banner not seen again');
  result(`${name}-kernel`, r.kernel === expectKernel, `running ${r.kernel}, expected ${expectKernel}`);
  result(`${name}-grub-args`, r.cmdline.includes('kx.grub=1') && r.cmdline.includes(`BOOT_IMAGE=/boot/vmlinuz-${expectKernel}`), r.cmdline);
}

async function checkFsAndShutdown(name, token) {
  const f = await sh('cat /root/persist-token');
  result(`${name}-file-persisted`, f.out === token, `found "${f.out}"`);
  const rec = await sh("dmesg | grep -c 'recovery complete' || true");
  result(`${name}-no-journal-recovery`, rec.out.trim() === '0', `ext4 "recovery complete" lines: ${rec.out.trim()}`);
  if (systemdInit(a.variant)) {
    // journald logs "Journal stopped" only when it is stopped by an orderly shutdown.
    const j = await sh("journalctl -b -1 -o cat --no-pager | grep -E 'Reached target .*(System Reboot|Reboot via kexec|Shutdown)|Journal stopped' | tail -n 3");
    result(`${name}-clean-shutdown-journal`, /Journal stopped/.test(j.out), j.out.replace(/\n/g, ' | ') || 'previous boot journal has no shutdown');
  }
}

/**
 * After grub-reboot, waits until the path-triggered reload has loaded `kernel` (kexec-reload.service
 * no longer activating), so that reboot tests the steady state; grub-set-default below is followed
 * by an immediate reboot instead, which leaves the refresh to kexec-load's ExecStop.
 */
async function waitForReload(name, kernel) {
  const r = await sh(
    `for i in $(seq 150); do s=$(systemctl show -p ActiveState --value kexec-reload.service); ` +
      `if [ "$s" != activating ] && grep -q 'vmlinuz-${kernel}"' /run/kexecctl/loaded.json 2>/dev/null; then echo ready; break; fi; sleep 1; done; ` +
      `systemctl is-active kexec-load.service; cat /sys/kernel/kexec_loaded; grep '"kernel"' /run/kexecctl/loaded.json`,
    200000,
  );
  // The kernel's own kexec_loaded, not only kexecctl's record, must say an image is loaded.
  result(`${name}-reloaded-before-reboot`, r.out.startsWith('ready\nactive\n1\n'), r.out.replace(/\n/g, ' '));
}

/** On a wrong kernel, the previous boot's kexec-load/kexec-reload log says why (for the report). */
async function kexecJournal() {
  const j = await sh('journalctl -b -1 -o short-precise --no-pager -u kexec-load.service -u kexec-reload.service | tail -n 12');
  return j.out.replace(/\n/g, ' | ');
}

async function writeToken() {
  const token = `tok-${Date.now()}`;
  await sh(`echo ${token} > /root/persist-token && sync`);
  return token;
}

/**
 * (5) Issue 18: a kernel upgrade that left a cut-short file (a full /boot) and made it GRUB's
 * default. The path-triggered reload refuses it and keeps the good load; status says so; reboot
 * kexecs into the earlier good kernel (no firmware); the journal says why. Then the damage is undone.
 */
async function corruptUpgrade() {
  const bad = '6.1.0-99-cloud-amd64';
  await sh(
    `cp /boot/grub/grub.cfg /root/grub.cfg.good && head -c 1048576 /boot/vmlinuz-${env.KERNEL_NEW} > /boot/vmlinuz-${bad} && ` +
      `cp /boot/initrd.img-${env.KERNEL_NEW} /boot/initrd.img-${bad} && ` +
      // update-grub's view of it: a first menuentry for the new kernel, the default (saved_entry 0).
      `awk '/^menuentry /{f=1} f{print} f&&/^}/{exit}' /root/grub.cfg.good | sed 's/${env.KERNEL_NEW}/${bad}/g' > /root/new-entry && ` +
      `awk 'FNR==NR{e=e $0 "\\n"; next} /^menuentry /&&!d{printf "%s", e; d=1} {print}' /root/new-entry /root/grub.cfg.good > /boot/grub/grub.cfg.new && ` +
      `mv /boot/grub/grub.cfg.new /boot/grub/grub.cfg && grep -c "vmlinuz-${bad}" /boot/grub/grub.cfg`,
  );
  const reload = await sh(
    // The path unit may have fired on the first new file, before grub.cfg changed: once idle, run
    // the reload as the path unit would, so the check does not depend on inotify timing.
    'sleep 2; for i in $(seq 120); do systemctl -q is-active kexec-reload.service || break; sleep 1; done; ' +
      'systemctl start kexec-reload.service || true; ' +
      `echo "KL=$(cat /sys/kernel/kexec_loaded) KR=$(grep -c 'vmlinuz-${env.KERNEL_NEW}"' /run/kexecctl/loaded.json) ` +
      'KK=$(journalctl -u kexec-reload.service -o cat --no-pager | grep -c "KEEPING the earlier kexec load")"',
    200000,
  );
  const m = /KL=(\d) KR=(\d+) KK=(\d+)/.exec(reload.out);
  result('corrupt-upgrade-good-load-kept', m !== null && m[1] === '1' && m[2] === '1' && Number(m[3]) >= 1, m ? m[0] : reload.out.replace(/\n/g, ' | '));
  const st = await sh('kexecctl status 2>&1 | grep "^next reboot will kexec"');
  result('corrupt-upgrade-status-says-why', st.out.includes(`vmlinuz-${bad}`) && st.out.includes('is kept and booted'), st.out.replace(/\n/g, ' | '));
  const r = await rebootWith('reboot', 'kexec-rescue');
  await checkCleanKexec('corrupt-upgrade', r, env.KERNEL_NEW);
  const j = await sh("journalctl -b -1 -o cat --no-pager | grep 'KEEPING the earlier kexec load' | tail -n 1");
  result('corrupt-upgrade-journal-says-why', j.out.includes(`vmlinuz-${bad}`) && j.out.includes('cut short'), j.out || 'nothing in the journal');
  await sh(
    `cp /root/grub.cfg.good /boot/grub/grub.cfg && rm -f /boot/vmlinuz-${bad} /boot/initrd.img-${bad} && sleep 2; ` +
      'for i in $(seq 120); do systemctl -q is-active kexec-reload.service || break; sleep 1; done',
    200000,
  );
}

async function main() {
  guest.start();
  if (wdQemu) startQmpEvents(wdQemu);
  // Issue 12: the dracut variant has its own scenario (one boot, `systemctl kexec`, `reboot`).
  if (a.variant === 'dracut') return dracutScenario({ guest, sh, result, rebootWith, guestOut, env });
  const first = await guest.ready(400000);
  console.log(`BOOT ${tag} first boot ready in ${Date.now() - t0} ms on ${first.kernel}`);
  await settle();
  if (systemdInit(a.variant)) guestOut((await sh('systemd-analyze | head -n 1')).out);
  if (systemdInit(a.variant)) {
    const u = await sh('systemctl is-active kexec-load.service kexec-load.path; cat /sys/kernel/kexec_loaded');
    result('kexec-load-at-boot', /^active\nactive\n1$/.test(u.out), u.out.replace(/\n/g, ' '));
  }
  const st = await sh('kexecctl status');
  guestOut(st.out);
  if (wdQemu) await wdStatus({ sh, result }, Number(env.WATCHDOG_SEC), st.out);
  if (a.suite === 'bench') {
    for (let i = 0; i < Number(a.reps); i++) {
      const k = await rebootWith('reboot', 'kexec');
      result(`bench-${i}-kexec`, !k.firmwareAgain, `${k.ms} ms`);
      const c = await rebootWith('coldreboot', 'cold');
      result(`bench-${i}-cold`, c.firmwareAgain, `${c.ms} ms`);
    }
    return;
  }

  // (1) reboot → kexec into the GRUB default, cleanly.
  let token = await writeToken();
  const markKexec = guest.buf.length;
  let r = await rebootWith('reboot', 'kexec');
  await checkCleanKexec('reboot-kexec', r, env.KERNEL_NEW);
  await checkFsAndShutdown('reboot-kexec', token);
  // Issue 12 part 2: kexecctl verify under sysvinit (the dracut suite proves it under systemd).
  if (verifyRows)
    await verifyRow({ sh, result }, 'reboot-kexec-verify', judgeKexec, { kernel: env.KERNEL_NEW, bootBefore: r.bootBefore, firmwareAgain: r.firmwareAgain });
  if (systemdInit(a.variant)) {
    // Issue 14: nothing changed since the boot-time load, so kexec-load's ExecStop decided with the
    // shell check (kexecctl-unchanged) and never started node (whose refresh says "up to date").
    const j = await sh(
      'j=$(journalctl -b -1 -u kexec-load.service -o cat --no-pager); ' +
        'echo "NC=$(echo "$j" | grep -c "no input of the plan changed since the load") UP=$(echo "$j" | grep -c "kexec kernel up to date")"; ' +
        'echo "$j" | grep "kexecctl-unchanged: refresh needed" | tail -n 1',
    );
    const m = /NC=(\d+) UP=(\d+)/.exec(j.out);
    result('reboot-kexec-shutdown-without-node', m !== null && m[1] === '1' && m[2] === '0', j.out.replace(/\n/g, ' | '));
  }
  if (wdQemu) {
    await wdPrepareHang({ sh, result, env }); // overlaps the handover check's wait
    await wdHandedOver({ guest, sh, result }, wdQemu, Number(env.WATCHDOG_SEC), markKexec);
  }
  if (a.suite === 'full') {
    const adv = `gnulinux-advanced-${env.GRUB_UUID}>gnulinux-${env.KERNEL_OLD}-advanced-${env.GRUB_UUID}`;
    // (2a) grub-reboot: the other kernel once.
    await sh(`grub-reboot '${adv}'`);
    await waitForReload('grub-reboot', env.KERNEL_OLD);
    r = await rebootWith('reboot', 'kexec');
    await checkCleanKexec('grub-reboot-once', r, env.KERNEL_OLD);
    if (r.kernel !== env.KERNEL_OLD) guestOut(`JOURNAL grub-reboot: ${await kexecJournal()}`);
    const ne = await sh('grub-editenv list');
    result('grub-reboot-next-entry-consumed', !/^next_entry=./m.test(ne.out), ne.out.replace(/\n/g, ' '));
    r = await rebootWith('reboot', 'kexec');
    await checkCleanKexec('grub-reboot-then-default', r, env.KERNEL_NEW);
    // (2b) grub-set-default: the other kernel from now on.
    // Typed at once, while the path-triggered reload may still run: kexec-load's ExecStop refreshes.
    await sh(`grub-set-default '${adv}'`);
    r = await rebootWith('reboot', 'kexec');
    await checkCleanKexec('grub-set-default', r, env.KERNEL_OLD);
    // "Stays" is proven by the next reboot landing on the same kernel, not by what kexecctl records.
    r = await rebootWith('reboot', 'kexec');
    await checkCleanKexec('grub-set-default-stays', r, env.KERNEL_OLD);
    if (r.kernel !== env.KERNEL_OLD) guestOut(`JOURNAL grub-set-default: ${await kexecJournal()}`);
    await sh('grub-set-default 0 && sleep 2');
  }
  // Issue 12 part 1: a kexec into a kernel that hangs, ended by the watchdog; its next reboot must be cold.
  if (wdQemu) await wdRecovery({ guest, sh, result, env }, wdQemu);
  // (3) coldreboot → through the firmware, normal boot. The watchdog variant types `reboot` instead:
  // after the failed kexec it must go through the firmware just as well (and saves a boot: CI budget).
  token = await writeToken();
  // Issue 12 matrix: kexec_loaded hidden (a tmpfs over /sys/kernel, left mounted): what `kexecctl reboot
  // --dry-run` says; the coldreboot below is the next real reboot, made with it still hidden.
  const tHide = Date.now();
  const hidden = verifyRows ? parseHidden((await sh(HIDE_DRY_RUN_CMD, 180000)).out) : null;
  const hideSec = ((Date.now() - tHide) / 1000).toFixed(1);
  r = await rebootWith(wdQemu ? 'reboot' : 'coldreboot', 'cold');
  if (wdQemu) wdNextCold({ result }, r, env);
  result('coldreboot-firmware', r.firmwareAgain, r.firmwareAgain ? 'firmware banner seen' : 'no firmware banner: not a cold reboot');
  result('coldreboot-normal-boot', r.kernel === env.KERNEL_NEW, `running ${r.kernel}`);
  await checkFsAndShutdown('coldreboot', token);
  const flag = await sh('test -e /no-kexec-reboot && echo present || echo cleared; cat /sys/kernel/kexec_loaded');
  // systemd loads at boot (kexec-load.service); sysvinit loads at runlevel 6 only.
  const wantLoaded = systemdInit(a.variant) ? '1' : '0';
  result('coldreboot-flag-cleared', flag.out === `cleared\n${wantLoaded}`, flag.out.replace(/\n/g, ' '));
  if (hidden !== null) {
    await verifyRow({ sh, result }, 'coldreboot-verify', judgeCold, { bootBefore: r.bootBefore, firmwareAgain: r.firmwareAgain });
    const h = judgeHidden(hidden, { bootBefore: r.bootBefore, next: r });
    result('reboot-dry-run-kexec-loaded-hidden', h.ok, `${h.detail} | dry run ${hideSec} s`);
  }
  if (a.suite === 'full' && a.variant === 'systemd') {
    // Issue 15: reset-crashkernel + update-grub; the corrupt-upgrade reboot boots the load made from it.
    const ck = await crashkernelReset({ sh, result, guestOut, kernel: env.KERNEL_NEW });
    await corruptUpgrade();
    await crashkernelAfterReboot({ sh, result, guestOut }, ck);
  }
  // Issue 12 part 5: the fault and bad-input matrix; broken-config's reboot below is the next reboot after it.
  if (matrixOn(a.suite, a.variant)) await faultMatrix({ sh, result, env });
  if (a.suite === 'full') {
    // (4) a broken configuration → reboot still reboots, cold, and says why.
    await sh("sed -i -e 's/^USE_GRUB_CONFIG=.*/USE_GRUB_CONFIG=false/' -e 's|^KERNEL_IMAGE=.*|KERNEL_IMAGE=\"/boot/vmlinuz-missing\"|' /etc/default/kexec");
    // kexec-load.path starts kexec-reload.service; give it time to plan (node under TCG is slow).
    await sh(
      'sleep 2; for i in $(seq 90); do systemctl -q is-active kexec-reload.service || [ "$(cat /sys/kernel/kexec_loaded)" = 1 ] || break; sleep 1; done',
      200000,
    );
    const after = await sh('cat /sys/kernel/kexec_loaded; journalctl -u kexec-reload.service -o cat --no-pager | tail -n 3');
    result('broken-config-unloaded', after.out.startsWith('0'), after.out.replace(/\n/g, ' | '));
    // Issue 12 matrix: kexec_load_disabled=1 now that nothing is loaded; this reboot is its next one too.
    const disabled = matrixOn(a.suite, a.variant) ? await loadDisabled({ sh, result, env }) : null;
    r = await rebootWith('reboot', 'cold-fallback');
    result('broken-config-cold-reboot', r.firmwareAgain, r.firmwareAgain ? 'rebooted through the firmware' : 'no firmware banner');
    const why = await sh("journalctl -b -1 -o cat --no-pager | grep -E 'kexecctl.*(vmlinuz-missing|firmware)' | tail -n 2");
    result('broken-config-logged-why', why.out.includes('vmlinuz-missing'), why.out.replace(/\n/g, ' | ') || 'no reason in the journal');
    if (disabled !== null) loadDisabledRebooted({ result, env }, disabled, r);
  }

  // Last, as it powers the guest off: no growth across the kexec boots, then e2fsck -fn (issue 12).
  if (soakShort) await soakShortChecks({ guest, result, image: `${dir}/root.img`, boots: stateBoots });
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
for (const name of [...reported]) if (name !== 'harness' && !plan.includes(name)) result('plan', false, `${name} reported but not planned: update planFor`);
console.log(`SUMMARY ${tag} passed=${passed} failed=${failed} in ${Math.round((Date.now() - t0) / 1000)} s`);
process.exitCode = failed === 0 ? 0 : 1;
