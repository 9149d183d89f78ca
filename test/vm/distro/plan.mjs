// The checks each distro suite reports, in order (scenarios.mjs prints them as its KXD PLAN line;
// results.mjs fails a run that reports fewer). Keep in step with main() in scenarios.mjs: a check
// reported but not planned, or planned but not reached, fails the suite.
import { MATRIX_CHECKS, MATRIX_LOAD_DISABLED, MATRIX_LOAD_DISABLED_REBOOT } from './scenario-matrix.mjs';

/**
 * The fault matrix (issue 12) runs in the systemd full suite, in CI too. KEXECCTL_DISTRO_MATRIX=0
 * leaves it out of a local run (about 4 min of TCG time).
 */
export const matrixOn = (suite, variant) => suite === 'full' && variant === 'systemd' && process.env['KEXECCTL_DISTRO_MATRIX'] !== '0';
import { CRASHKERNEL_BOOT_CHECKS, CRASHKERNEL_RESET_CHECKS } from './scenario-crashkernel.mjs';
import { SOAK_SHORT_CHECKS } from './state-check.mjs';
import { WATCHDOG_COLD_CHECKS, WATCHDOG_FIRST_CHECKS, WATCHDOG_KEXEC_CHECKS, WATCHDOG_LAST_CHECKS } from './scenario-watchdog.mjs';

/** systemd is the init of the systemd image and of the watchdog variant (the systemd base plus the generic kernel, issue 12). */
export const systemdInit = (variant) => variant === 'systemd' || variant === 'watchdog';

const cleanKexec = (n) => [`${n}-no-firmware`, `${n}-kernel`, `${n}-grub-args`];
const fsAndShutdown = (n, variant) => [`${n}-file-persisted`, `${n}-no-journal-recovery`, ...(systemdInit(variant) ? [`${n}-clean-shutdown-journal`] : [])];

/**
 * Issue 12 part 2: `kexecctl verify` rows (scenario-verify.mjs) on sysvinit, after its kexec reboot and
 * its coldreboot, plus the matrix row "kexecctl reboot --dry-run with kexec_loaded hidden" whose next
 * real reboot is that coldreboot. No reboot is added; the dracut suite has the systemd kexec row.
 */
export const verifyRowsOn = (variant) => variant === 'sysvinit';

/** Issue 12 part 4, the dracut variant (scenario-dracut.mjs): one boot, then `systemctl kexec` and `reboot`. */
const viaDracut = (n) => [`${n}-no-firmware`, `${n}-kernel`, `${n}-exitrd-ready`, `${n}-jumped-before-pivot`];
export const DRACUT_CHECKS = [
  'kexec-load-at-boot',
  'dracut-shutdown-armed',
  ...viaDracut('systemctl-kexec'),
  'systemctl-kexec-fs-clean',
  'systemctl-kexec-verify',
  ...viaDracut('reboot-kexec'),
];

/** Every check a suite reports, in order. */
export function planFor(suite, variant, reps) {
  if (variant === 'dracut') return [...DRACUT_CHECKS];
  const plan = systemdInit(variant) ? ['kexec-load-at-boot'] : [];
  const wd = variant === 'watchdog'; // issue 12 part 1 (scenario-watchdog.mjs)
  if (wd) plan.push(...WATCHDOG_FIRST_CHECKS);
  if (suite === 'bench') {
    for (let i = 0; i < reps; i++) plan.push(`bench-${i}-kexec`, `bench-${i}-cold`);
    return plan;
  }
  plan.push(...cleanKexec('reboot-kexec'), ...fsAndShutdown('reboot-kexec', variant));
  if (systemdInit(variant)) plan.push('reboot-kexec-shutdown-without-node');
  if (wd) plan.push(...WATCHDOG_KEXEC_CHECKS);
  if (verifyRowsOn(variant)) plan.push('reboot-kexec-verify');
  if (suite === 'full') {
    plan.push('grub-reboot-reloaded-before-reboot', ...cleanKexec('grub-reboot-once'), 'grub-reboot-next-entry-consumed');
    plan.push(...cleanKexec('grub-reboot-then-default'), ...cleanKexec('grub-set-default'), ...cleanKexec('grub-set-default-stays'));
  }
  if (wd) plan.push(...WATCHDOG_LAST_CHECKS); // before the cold reboot, which is the `reboot` after the failed kexec
  plan.push('coldreboot-firmware', 'coldreboot-normal-boot', ...fsAndShutdown('coldreboot', variant), 'coldreboot-flag-cleared');
  if (verifyRowsOn(variant)) plan.push('coldreboot-verify', 'reboot-dry-run-kexec-loaded-hidden');
  if (suite === 'full' && variant === 'systemd') {
    plan.push(...CRASHKERNEL_RESET_CHECKS);
    plan.push('corrupt-upgrade-good-load-kept', 'corrupt-upgrade-status-says-why', ...cleanKexec('corrupt-upgrade'), 'corrupt-upgrade-journal-says-why');
    plan.push(...CRASHKERNEL_BOOT_CHECKS);
  }
  if (matrixOn(suite, variant)) plan.push(...MATRIX_CHECKS);
  if (suite === 'full') {
    const m = matrixOn(suite, variant);
    plan.push('broken-config-unloaded', ...(m ? [MATRIX_LOAD_DISABLED] : []), 'broken-config-cold-reboot', 'broken-config-logged-why');
    if (m) plan.push(MATRIX_LOAD_DISABLED_REBOOT);
  }
  if (wd) plan.push(...WATCHDOG_COLD_CHECKS);
  if (suite === 'full' && variant === 'systemd') plan.push(...SOAK_SHORT_CHECKS); // last: powers the guest off
  return plan;
}
