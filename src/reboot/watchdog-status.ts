/**
 * For `kexecctl status`: will a watchdog armed for the kexec jump survive it? The watchdog core
 * registers a reboot notifier for every device with WDOG_STOP_ON_REBOOT and stops it on SYS_DOWN,
 * which kernel_kexec() sends too (kernel_restart_prepare → reboot_notifier_list); most drivers set
 * that bit (watchdog_stop_on_reboot(): i6300esb, iTCO_wdt, sp5100_tco ...). The module parameter
 * watchdog.stop_on_reboot (drivers/watchdog/watchdog_core.c: -1 driver's choice, 0 keep watching,
 * 1 stop; read-only, so it is set on the kernel command line or, for a modular core, in modprobe.d)
 * overrides the driver. Read from /sys/module/watchdog/parameters and /sys/class/watchdog.
 */
import type { RootFs } from '../host/rootfs.js';

export type WatchdogFacts = {
  /** /dev/watchdog0 exists. */
  device: boolean;
  /** /sys/class/watchdog/watchdog0/identity, e.g. "i6300ESB timer". */
  identity: string | null;
  /** /sys/module/watchdog/parameters/stop_on_reboot, null when absent (core not loaded, or a kernel without it). */
  stopOnReboot: number | null;
  /** What the kexec jump would arm (seconds, 0 off). */
  configuredSec: number;
};

const text = (fs: RootFs, p: string): string | null => {
  const t = fs.readText(p)?.trim() ?? '';
  return t === '' ? null : t;
};

export function readWatchdogFacts(fs: RootFs, configuredSec: number): WatchdogFacts {
  const s = text(fs, '/sys/module/watchdog/parameters/stop_on_reboot');
  const n = s === null ? NaN : Number(s);
  return {
    device: fs.exists('/dev/watchdog0'),
    identity: text(fs, '/sys/class/watchdog/watchdog0/identity'),
    stopOnReboot: Number.isInteger(n) ? n : null,
    configuredSec,
  };
}

export const STOP_ON_REBOOT_FIX =
  'add watchdog.stop_on_reboot=0 to the kernel command line (GRUB_CMDLINE_LINUX), or "options watchdog stop_on_reboot=0" in /etc/modprobe.d/ when the watchdog core is a module';

/** Does the kernel stop the watchdog at the kexec reboot? true, false, or null (the driver decides and we cannot see its choice). */
export function stopsAtReboot(f: WatchdogFacts): boolean | null {
  if (f.stopOnReboot === 1) return true;
  if (f.stopOnReboot === 0) return false;
  return null;
}

/** One status line. */
export function watchdogStatusLine(f: WatchdogFacts): string {
  const dev = f.device ? `/dev/watchdog0${f.identity === null ? '' : ` (${f.identity})`}` : 'no /dev/watchdog0';
  const armed = f.configuredSec > 0 ? `armed for ${f.configuredSec} s at the jump` : 'off (KEXEC_WATCHDOG_SEC=0)';
  if (f.configuredSec > 0 && !f.device) return `${armed}, but there is ${dev}: it cannot be armed (load the driver, e.g. in the initramfs)`;
  const stop = stopsAtReboot(f);
  let why: string;
  if (stop === true) why = `watchdog.stop_on_reboot=1: the kernel stops it at the kexec reboot, so it cannot catch a hang; ${STOP_ON_REBOOT_FIX}`;
  else if (stop === false) why = 'watchdog.stop_on_reboot=0: it keeps running across the jump';
  else if (f.stopOnReboot === -1)
    why = `watchdog.stop_on_reboot=-1: the driver decides, and most (i6300esb, iTCO_wdt ...) stop it at the kexec reboot; ${STOP_ON_REBOOT_FIX}`;
  else
    why =
      'no watchdog.stop_on_reboot parameter (the watchdog core is not loaded, or this kernel predates it): drivers that stop at reboot cannot be overridden';
  return f.configuredSec > 0 || f.device || f.stopOnReboot !== null ? `${armed}; ${dev}; ${why}` : `${armed}; ${dev}`;
}
