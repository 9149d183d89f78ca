/**
 * kexecctl status rows of issue 12: the watchdog across the kexec jump (and whether the kernel
 * would stop it at reboot), the last kexec boot's assessment (watchdog-boot.ts) and
 * KEXEC_COLD_IF_DRIVERS. `cold` is the reason this boot's reboot is cold, or null.
 */
import { readKexecDefaults } from '../config/kexec-defaults.js';
import { readRunning } from '../fleet/running.js';
import type { RootFs } from '../host/rootfs.js';
import { boundColdDrivers, describeColdDrivers } from './cold-drivers.js';
import { coldBecauseOfLastKexec, readBootState } from './watchdog-boot.js';
import { readWatchdogFacts, stopsAtReboot, watchdogStatusLine, type WatchdogFacts } from './watchdog-status.js';
import { parseWatchdogSec, WATCHDOG_RUN_FILE } from './watchdog.js';

export type Issue12Status = {
  rows: Array<[string, string]>;
  cold: string | null;
  json: { watchdog: WatchdogFacts & { stopsAtReboot: boolean | null; line: string }; lastKexecBoot: string | null; coldDrivers: string | null };
};

export function issue12Status(fs: RootFs): Issue12Status {
  const { value } = readKexecDefaults(fs);
  const run = fs.readText(WATCHDOG_RUN_FILE);
  const sec = (run === null ? null : parseWatchdogSec(run)) ?? value.watchdogSec;
  const facts = readWatchdogFacts(fs, sec);
  const line = watchdogStatusLine(facts);
  const failed = coldBecauseOfLastKexec(readBootState(fs.root), readRunning(fs));
  const drivers = describeColdDrivers(boundColdDrivers(fs, value.coldIfDrivers));
  const rows: Array<[string, string]> = [['watchdog across kexec', line]];
  if (failed !== null) rows.push(['last kexec boot', `FAILED: ${failed}`]);
  if (drivers !== null) rows.push(['cold-if-drivers', drivers]);
  return {
    rows,
    cold: failed ?? drivers,
    json: { watchdog: { ...facts, stopsAtReboot: stopsAtReboot(facts), line }, lastKexecBoot: failed, coldDrivers: drivers },
  };
}
