/**
 * The hardware watchdog across a kexec jump (issue 12), through the Kernel port only.
 *
 * Arm: open /dev/watchdog0 (watchdog_open() starts it), WDIOC_SETTIMEOUT, one WDIOC_KEEPALIVE so
 * the full timeout starts now, and keep the descriptor open through reboot(LINUX_REBOOT_CMD_KEXEC):
 * no magic close, so a hang in device shutdown, in the new kernel's early boot or before userspace
 * takes over ends in a firmware reset (drivers/watchdog/watchdog_dev.c: a watchdog closed without
 * the magic 'V' keeps counting). If the jump returns, disarm (magic close) so a failed kexec does
 * not reset the machine later. Handover after boot: magic close, or leave it to whoever holds it.
 * The same idea as systemd's KExecWatchdogSec= (systemd-shutdown keeps its watchdog open for kexec).
 */
import type { Kernel } from '../sys/kernel.js';

export const WATCHDOG_DEVICE = '/dev/watchdog0';
/** kexecctl reboot --watchdog N leaves N here for the final kexec -e (systemd-shutdown keeps /run mounted). */
export const WATCHDOG_RUN_FILE = '/run/kexecctl/watchdog-sec';
/** Upper bound we accept: an hour (most drivers' max_timeout is far lower and WDIOC_SETTIMEOUT says EINVAL). */
export const WATCHDOG_MAX_SEC = 3600;

export type ArmedWatchdog = { device: string; fd: number; timeout: number };
export type ArmResult = { ok: true; armed: ArmedWatchdog } | { ok: false; reason: string };

/** Parses a timeout in whole seconds (0 = off); null when it is not one. */
export function parseWatchdogSec(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,5}$/.test(t)) return null;
  const n = Number(t);
  return n <= WATCHDOG_MAX_SEC ? n : null;
}

export function armWatchdog(kernel: Kernel, seconds: number, device: string = WATCHDOG_DEVICE): ArmResult {
  const open = kernel.watchdogOpen(device);
  if (!open.ok) {
    const why =
      open.code === 'EBUSY'
        ? 'it is held by another process (systemd RuntimeWatchdogSec=/KExecWatchdogSec= or a watchdog daemon)'
        : open.code === 'ENOENT'
          ? 'no such device (no watchdog driver loaded)'
          : `${open.code} (${open.message})`;
    return { ok: false, reason: `cannot open ${device}: ${why}` };
  }
  const fd = open.value;
  const set = kernel.watchdogSetTimeout(fd, seconds);
  if (!set.ok) {
    kernel.watchdogClose(fd, true); // opening started it: stop it again rather than jump with its default timeout
    return { ok: false, reason: `${device}: WDIOC_SETTIMEOUT ${seconds} s = ${set.code} (${set.message}); watchdog stopped again` };
  }
  kernel.watchdogKeepalive(fd); // the full timeout counts from now
  return { ok: true, armed: { device, fd, timeout: set.value } };
}

/** The jump returned: stop the watchdog we armed (magic close). Returns a warning, or null. */
export function disarmWatchdog(kernel: Kernel, armed: ArmedWatchdog): string | null {
  const r = kernel.watchdogClose(armed.fd, true);
  return r.ok ? null : `${armed.device}: could not stop the watchdog (${r.code}): it resets the machine within ${armed.timeout} s`;
}

export type HandoverResult = { state: 'stopped' | 'held' | 'absent' | 'failed'; message: string };

/**
 * After a boot (kexecctl-watchdog-handover.service): stop the watchdog armed for the jump.
 * EBUSY means another process owns it already (systemd's RuntimeWatchdogSec=, watchdog(8)): it
 * is theirs to feed. A driver built with nowayout cannot be stopped; its daemon must take over.
 */
export function handOverWatchdog(kernel: Kernel, device: string = WATCHDOG_DEVICE): HandoverResult {
  const open = kernel.watchdogOpen(device);
  if (!open.ok) {
    if (open.code === 'ENOENT' || open.code === 'ENODEV') return { state: 'absent', message: `${device}: no watchdog device, nothing to hand over` };
    if (open.code === 'EBUSY') return { state: 'held', message: `${device} is held by another process (systemd or a watchdog daemon): it feeds it now` };
    return { state: 'failed', message: `cannot open ${device}: ${open.code} (${open.message})` };
  }
  const r = kernel.watchdogClose(open.value, true);
  if (!r.ok) return { state: 'failed', message: `${device}: magic close failed (${r.code}): the watchdog may still be running` };
  return { state: 'stopped', message: `${device}: stopped (magic close)` };
}
