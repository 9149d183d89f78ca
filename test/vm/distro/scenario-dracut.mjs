// Issue 12 part 4, the dracut variant (build-base.sh: the systemd base with dracut replacing
// initramfs-tools): a shutdown that goes through dracut-shutdown.service, whose ExecStop unpacks the
// initrd into /run/initramfs, so systemd-shutdown would switch root into it and run its /shutdown,
// where only dracut's `kexec -e` could jump (ours needs node, which that initramfs has not).
// kexecctl's system-shutdown hook jumps first (systemd/system-shutdown/kexecctl, docs/reboot-paths.md).
// dracut asks for that initramfs (/run/initramfs/.need_shutdown) only when its initrd set up LVM, crypt,
// MD, multipath or dmraid; the guest's plain virtio root needs none, so the scenario asks for it as
// those modules do, before each reboot.
// One boot, then `systemctl kexec` and `reboot`, each checked for:
//   no firmware banner and GRUB's default kernel (the kexec happened, nothing fell back);
//   the test-only hook kxtest-exitrd (build-image.sh), a sibling of ours, saw /run/initramfs/shutdown
//   executable (systemd-shutdown's own test) and put a marker hook into that initramfs;
//   our hook's kernel-log line says it jumped before the switch, and neither the marker
//   ("KXEXITRD entered") nor systemd-shutdown's "changed into root pivot" reached the console.
// After the first, `kexecctl verify --json` against facts the test reads (scenario-verify.mjs).
// The console loglevel is raised to 7 (dmesg -n 7) before each command, as the guest boots `quiet`.
// Checks are planned in plan.mjs (DRACUT_CHECKS); scenarios.mjs calls dracutScenario for --variant dracut.

import { judgeKexec, verifyRow } from './scenario-verify.mjs';

const SETTLE = 'systemctl is-system-running --wait >/dev/null 2>&1; true';
const oneLine = (s) => String(s).replace(/\n/g, ' | ');

/**
 * @param {{ guest: import('./guest.mjs').Guest, sh: Function, result: Function, rebootWith: Function, guestOut: Function, env: Record<string, string> }} h
 */
export async function dracutScenario({ guest, sh, result, rebootWith, guestOut, env }) {
  const first = await guest.ready(400000);
  console.log(`BOOT dracut first boot ready on ${first.kernel}`);
  await sh(SETTLE, 300000);
  const u = await sh('systemctl is-active kexec-load.service kexec-load.path; cat /sys/kernel/kexec_loaded');
  result('kexec-load-at-boot', /^active\nactive\n1$/.test(u.out), oneLine(u.out));
  // The initrd that booted is dracut's, with its shutdown module, and dracut-shutdown.service is
  // active, so its ExecStop will unpack the initrd into /run/initramfs at shutdown.
  const d = await sh(
    'echo "DS=$(systemctl is-active dracut-shutdown.service) MODS=$(lsinitrd /boot/initrd.img-$(uname -r) 2>/dev/null | grep -c -x -e shutdown -e dracut-systemd)"',
  );
  result('dracut-shutdown-armed', d.out === 'DS=active MODS=2', `${d.out} (want DS=active MODS=2: dracut's initrd with its shutdown module)`);

  // `systemctl kexec` first, then `reboot` (systemd 252's sysv-compat reboot starts kexec.target when
  // a kernel is loaded): both reach systemd-shutdown with the verb kexec.
  await viaDracutShutdown('systemctl-kexec', 'systemctl kexec', true);
  await viaDracutShutdown('reboot-kexec', 'reboot', false);

  async function viaDracutShutdown(name, cmd, first) {
    const token = `tok-${Date.now()}`;
    // dracut's initrd asks for the shutdown initramfs only when it set up the root's LVM, crypt, MD,
    // multipath or dmraid (need_shutdown in dracut-lib.sh); a plain virtio disk needs none, so ask
    // for it as those modules (and dracut-shutdown.service(8)) do.
    await sh(`mkdir -p /run/initramfs && touch /run/initramfs/.need_shutdown && echo ${token} > /root/persist-token && sync && dmesg -n 7`);
    const from = guest.buf.length;
    const r = await rebootWith(cmd, `kexec-dracut`);
    await sh(SETTLE, 300000);
    const con = guest.buf.slice(from).replace(/\r/g, '');
    result(`${name}-no-firmware`, !r.firmwareAgain, r.firmwareAgain ? 'the firmware ran again' : 'firmware banner not seen again');
    result(`${name}-kernel`, r.kernel === env.KERNEL_NEW && r.cmdline.includes('kx.grub=1'), `running ${r.kernel}, expected ${env.KERNEL_NEW}; ${r.cmdline}`);
    const hook = /KXHOOK verb=(\S+) exitrd=(\S+)(?: marker=(\S+))?/.exec(con);
    result(`${name}-exitrd-ready`, hook !== null && hook[2] === 'ready' && hook[3] === 'set', hook ? hook[0] : 'no KXHOOK line on the console');
    const ours = con.split('\n').find((l) => l.includes('jumping to it from the system-shutdown hook')) ?? '';
    const entered = /KXEXITRD entered|changed into root pivot/.exec(con);
    result(
      `${name}-jumped-before-pivot`,
      ours.includes('before systemd-shutdown switches to the shutdown initramfs') && entered === null,
      `${ours.trim() || 'no kexecctl hook line'}${entered ? `; but the console shows "${entered[0]}"` : ''}`,
    );
    if (entered !== null || r.firmwareAgain)
      guestOut(
        con
          .split('\n')
          .filter((l) => /KX|kexec|dracut|pivot|shutdown/i.test(l))
          .join('\n'),
      );
    if (first) {
      const f = await sh('echo "T=$(cat /root/persist-token) R=$(dmesg | grep -c \'recovery complete\')"');
      result(`${name}-fs-clean`, f.out === `T=${token} R=0`, `${f.out} (want T=${token} R=0: the synced file is there, no ext4 journal recovery)`);
    }
    // Issue 12 part 2: kexecctl verify under systemd, after the first kexec (scenario-verify.mjs).
    if (first)
      await verifyRow({ sh, result }, `${name}-verify`, judgeKexec, { kernel: env.KERNEL_NEW, bootBefore: r.bootBefore, firmwareAgain: r.firmwareAgain });
  }
}
