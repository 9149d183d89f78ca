// Issue 15, crashkernel management on a real Debian system: `kdumpctl reset-crashkernel` writes
// /etc/default/grub.d/kdump.cfg (as kdump-tools' kdump-tools.cfg does) and runs the guest's own
// update-grub (grub-mkconfig from /etc/default/grub, see build-image.sh); kexecctl's evaluation of
// that regenerated grub.cfg makes the next kexec load, so the next boot's /proc/cmdline must carry
// the crashkernel= value `kdumpctl get-default-crashkernel` printed, and the kernel must have
// reserved it (kernel/crash_reserve.c: "Crash kernel" in /proc/iomem, /sys/kernel/kexec_crash_size).
// A cold boot never reads grub.cfg (QEMU boots with -kernel/-append): only the kexec path can bring
// the new command line, which is the point of the proof.
// No reboot of its own: crashkernelReset runs before the corrupt-upgrade scenario, whose kexec reboot
// boots the load made from update-grub's grub.cfg (a refused upgrade keeps it), and
// crashkernelAfterReboot checks that boot, then puts the image's grub.cfg back for the later scenarios.
// The reservation is checked against kdump-utils' x86_64 table (kdump-lib.sh
// kdump_get_arch_recommend_crashkernel: 2G-64G:256M), written here, not taken from kdumpctl: the
// suite's guest has CRASHKERNEL_GUEST_MEM MiB, inside the 2G-64G range.

/** Guest memory (MiB) of the suite that runs this scenario: kdump-utils' default reserves nothing below 2 GiB. */
export const CRASHKERNEL_GUEST_MEM = 2304;
const EXPECTED_RESERVATION = 256 * 1048576;

/** The checks crashkernelReset reports, in order (plan.mjs). */
export const CRASHKERNEL_RESET_CHECKS = ['crashkernel-dry-run-unchanged', 'crashkernel-update-grub', 'crashkernel-reloaded'];
/** The checks crashkernelAfterReboot reports, in order (plan.mjs). */
export const CRASHKERNEL_BOOT_CHECKS = ['crashkernel-next-boot-cmdline', 'crashkernel-reserved'];

// Every file the reset may touch: its inputs and update-grub's outputs (names and contents).
const SNAPSHOT = 'find /etc/default/grub /etc/default/grub.d /boot/grub -maxdepth 1 -type f -exec cksum {} + | sort -k3';
const crashTokens = (cmdline) =>
  cmdline
    .trim()
    .split(/\s+/)
    .filter((t) => t.startsWith('crashkernel='));
const oneLine = (s) => s.replace(/\n/g, ' | ');

/**
 * --dry-run, then the real reset (snippet + update-grub), then waits for the path-triggered reload.
 * @param {{ sh: Function, result: Function, guestOut: Function, kernel: string }} h  kernel: GRUB's default (newest) release
 * @returns {Promise<{ value: string, before: string, boot: string }>}
 */
export async function crashkernelReset({ sh, result, guestOut, kernel }) {
  const t0 = Date.now();
  const facts = await sh('cat /proc/sys/kernel/random/boot_id; cat /proc/cmdline; kdumpctl get-default-crashkernel');
  const [boot = '', before = '', value = ''] = facts.out.split('\n').map((l) => l.trim());
  guestOut(`crashkernel: default ${value}; running cmdline: ${before}`);

  await sh('cp -p /boot/grub/grub.cfg /root/grub.cfg.pre-crashkernel');
  const snap0 = (await sh(SNAPSHOT)).out;
  const dry = await sh('kdumpctl reset-crashkernel --dry-run 2>&1');
  const snap1 = (await sh(SNAPSHOT)).out;
  result(
    'crashkernel-dry-run-unchanged',
    dry.code === 0 && dry.out.includes(`crashkernel=${value} (dry run)`) && snap0 !== '' && snap0 === snap1,
    `exit ${dry.code}: ${oneLine(dry.out)}; files ${snap0 === snap1 ? 'unchanged' : `CHANGED: ${snap0} => ${snap1}`}`,
  );

  const reset = await sh(
    's=$(date +%s); kdumpctl reset-crashkernel >/root/reset.log 2>&1; echo "RC=$? in $(($(date +%s) - s)) s"; tail -n 8 /root/reset.log',
    400000,
  );
  guestOut(reset.out);
  const cfg = await sh(
    'echo "DEFAULT: $(grep -m1 -E \'^\\s*linux\\s\' /boot/grub/grub.cfg)"; ' +
      `echo "WITH=$(grep -cE '^\\s*linux\\s.* crashkernel=${value}( |$)' /boot/grub/grub.cfg) ALL=$(grep -cE '^\\s*linux\\s' /boot/grub/grub.cfg)"; ` +
      'echo "MKCONFIG=$(head -n 5 /boot/grub/grub.cfg | grep -c grub-mkconfig)"; grep -v "^#" /etc/default/grub.d/kdump.cfg',
  );
  const first = /DEFAULT: (.*)$/m.exec(cfg.out)?.[1] ?? '';
  result(
    'crashkernel-update-grub',
    /RC=0 /.test(reset.out) && crashTokens(first).at(-1) === `crashkernel=${value}` && first.includes(`/boot/vmlinuz-${kernel} `) && /MKCONFIG=1/.test(cfg.out),
    `${/RC=\d+ in \d+ s/.exec(reset.out)?.[0] ?? 'no exit status'} | ${oneLine(cfg.out)}`,
  );

  // kexec-load.path saw update-grub replace grub.cfg; the refreshed load must carry the value.
  const rl = await sh(
    'sleep 2; for i in $(seq 150); do s=$(systemctl show -p ActiveState --value kexec-reload.service); ' +
      `if [ "$s" != activating ] && grep -q 'crashkernel=${value}' /run/kexecctl/loaded.json 2>/dev/null; then echo reloaded; break; fi; sleep 1; done; ` +
      'cat /sys/kernel/kexec_loaded; grep -o \'"cmdline": *"[^"]*"\' /run/kexecctl/loaded.json',
    200000,
  );
  result('crashkernel-reloaded', /reloaded\n1\n/.test(rl.out), oneLine(rl.out));
  guestOut(`crashkernel reset: ${Math.round((Date.now() - t0) / 1000)} s`);
  return { value, before, boot };
}

/**
 * After the next (kexec) reboot: the new command line and the kernel's reservation.
 * @param {{ sh: Function, result: Function, guestOut: Function }} h
 * @param {{ value: string, before: string, boot: string }} st  what crashkernelReset returned
 */
export async function crashkernelAfterReboot({ sh, result, guestOut }, st) {
  const now = await sh('cat /proc/sys/kernel/random/boot_id; cat /proc/cmdline');
  const [boot = '', cmdline = ''] = now.out.split('\n').map((l) => l.trim());
  result(
    'crashkernel-next-boot-cmdline',
    boot !== st.boot && crashTokens(st.before).length === 0 && crashTokens(cmdline).at(-1) === `crashkernel=${st.value}`,
    `${boot === st.boot ? 'NO REBOOT; ' : ''}before: ${st.before} | after: ${cmdline}`,
  );
  const res = await sh("cat /sys/kernel/kexec_crash_size; grep -i 'crash kernel' /proc/iomem; grep MemTotal /proc/meminfo");
  const size = Number(res.out.split('\n')[0]);
  result('crashkernel-reserved', size === EXPECTED_RESERVATION && /Crash kernel/.test(res.out), oneLine(res.out));
  guestOut((await sh('kdumpctl estimate 2>&1 | head -n 2')).out);
  // Later scenarios expect the image's own grub.cfg: put it back and let the path-triggered reload settle.
  // Once the path unit's own reload (if any) is idle, run the reload as it would (as corruptUpgrade
  // does): a 150 s poll for the path unit alone was seen to wait its whole length.
  const back = await sh(
    'rm -f /etc/default/grub.d/kdump.cfg; cp /root/grub.cfg.pre-crashkernel /boot/grub/grub.cfg; sleep 2; ' +
      'for i in $(seq 120); do systemctl -q is-active kexec-reload.service || break; sleep 1; done; ' +
      'systemctl start kexec-reload.service || true; ' +
      'if grep -q crashkernel= /run/kexecctl/loaded.json 2>/dev/null; then echo "load still carries crashkernel="; else echo restored; fi',
    200000,
  );
  guestOut(`crashkernel: grub.cfg ${back.out}`);
}
