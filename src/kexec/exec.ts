/**
 * kexec -e, stricter than kexec-tools (kexec/kexec.c main(), my_exec()): refuse before any sync
 * or network change unless a kernel is verifiably loaded (/sys/kernel/kexec_loaded present and
 * 1; kexec-tools counts a missing file as loaded). Then sync, take the interfaces down as
 * kexec-tools' ifdown() does, through the Kernel port (remembering which were up),
 * reboot(LINUX_REBOOT_CMD_KEXEC); and if that returns, bring those interfaces back up.
 * Issue 12 adds, before the sync: KEXEC_COLD_IF_DRIVERS (refuse, so the caller's reboot goes through
 * the firmware), the /etc/kexecctl/pre-exec.d hooks; and after ifdown, the hardware watchdog armed
 * for the jump (--watchdog N, /run/kexecctl/watchdog-sec from `kexecctl reboot --watchdog N`, or
 * KEXEC_WATCHDOG_SEC), stopped again if the jump returns.
 */
import { KexecError } from '../errors.js';
import { KernelNetControl, type NetControl } from '../host/net-ifaces.js';
import type { RootFs } from '../host/rootfs.js';
import { LINUX_REBOOT_CMD_KEXEC } from '../sys/constants.js';
import { strerror } from '../sys/errno.js';
import type { Kernel } from '../sys/kernel.js';
import { readKexecState } from './state.js';
import { readKexecDefaults } from '../config/kexec-defaults.js';
import { boundColdDrivers, describeColdDrivers } from '../reboot/cold-drivers.js';
import { runPreExecHooks } from '../reboot/pre-exec.js';
import { armWatchdog, disarmWatchdog, parseWatchdogSec, WATCHDOG_DEVICE, WATCHDOG_RUN_FILE, type ArmedWatchdog } from '../reboot/watchdog.js';
import type { Processes } from '../sys/processes.js';

export type ExecOptions = {
  fs: RootFs;
  /** sync() first (kexec without -y). */
  sync: boolean;
  /** Take network interfaces down first (kexec without -x). */
  ifdown: boolean;
  /**
   * @deprecated Ignored: interfaces are changed through the Kernel port that makes the jump
   * (KernelNetControl), so a fake kernel can never be paired with real interface changes.
   */
  net?: NetControl;
  debug?: (line: string) => void;
  warn?: (line: string) => void;
  /** Seconds to arm the hardware watchdog for (0 = off); undefined: /run/kexecctl/watchdog-sec, else KEXEC_WATCHDOG_SEC. */
  watchdog?: number;
  /** Watchdog device (default /dev/watchdog0). */
  watchdogDevice?: string;
  /** Runs the pre-exec.d hooks; without it the hooks are not run (the caller says why). */
  runner?: Processes;
  /** Progress lines (hook output); default: debug. */
  info?: (line: string) => void;
};

export type ExecSettings = { watchdog: number; coldIfDrivers: string[] };

/** What the configuration asks of the jump: the watchdog timeout and the cold-if-bound drivers. */
export function execSettings(fs: RootFs, watchdog: number | undefined): ExecSettings {
  const { value } = readKexecDefaults(fs);
  let wd = watchdog;
  if (wd === undefined) {
    const run = fs.readText(WATCHDOG_RUN_FILE);
    wd = (run === null ? null : parseWatchdogSec(run)) ?? value.watchdogSec;
  }
  return { watchdog: wd, coldIfDrivers: value.coldIfDrivers };
}

/** What exec did before the jump; only seen when the jump "returns" (the fake, or a failure). */
export type ExecResult = { synced: boolean; downed: string[]; watchdog: ArmedWatchdog | null; hooks: string[] };

/** One line: why -e refuses when the kernel cannot say whether anything is loaded (a deliberate difference). */
export const NO_KEXEC_LOADED_FILE =
  '/sys/kernel/kexec_loaded is missing (no kexec support in this kernel, or /sys not mounted): refusing to sync, take interfaces down or reboot without a kernel known to be loaded';

/** Throws unless a kernel is loaded; used by -e and by the shutdown path of `kexec KERNEL`. */
export function assertLoaded(fs: RootFs, kernel: Kernel | null): void {
  const st = readKexecState(fs, kernel);
  if (!st.supported) throw new KexecError({ code: 'ENOKEXEC', message: NO_KEXEC_LOADED_FILE });
  if (!st.loaded) throw new KexecError({ code: 'ENOTLOADED', message: 'Nothing has been loaded!' });
}

const firstLine = (e: unknown): string => (e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e));

export async function execLoaded(kernel: Kernel, opts: ExecOptions): Promise<ExecResult> {
  const debug = opts.debug ?? (() => undefined);
  const warn = opts.warn ?? (() => undefined);
  const info = opts.info ?? debug;
  assertLoaded(opts.fs, kernel);
  const settings = execSettings(opts.fs, opts.watchdog);
  const cold = describeColdDrivers(boundColdDrivers(opts.fs, settings.coldIfDrivers));
  if (cold !== null) throw new KexecError({ code: 'ECOLDDRIVER', message: `${cold}: not jumping`, exitCode: 1 });
  const hooks = opts.runner === undefined ? [] : (await runPreExecHooks({ fs: opts.fs, runner: opts.runner, log: info, warn })).map((h) => h.name);
  if (opts.sync) {
    debug('sync()');
    kernel.sync();
  }
  const net = new KernelNetControl(kernel);
  const downed: string[] = [];
  if (opts.ifdown) {
    let up: string[] = [];
    try {
      up = await net.listUp();
    } catch (e) {
      warn(`ifdown: ${firstLine(e)}`); // kexec-tools prints "ifdown: if_nameindex: ..." and jumps anyway
    }
    for (const name of up) {
      try {
        await net.setUp(name, false);
        downed.push(name);
        debug(`ioctl(SIOCSIFFLAGS, ${name}): down`);
      } catch (e) {
        warn(`ifdown: could not take ${firstLine(e)}`);
      }
    }
  }
  let armed: ArmedWatchdog | null = null;
  if (settings.watchdog > 0) {
    const a = armWatchdog(kernel, settings.watchdog, opts.watchdogDevice ?? WATCHDOG_DEVICE);
    if (a.ok) {
      armed = a.armed;
      info(`watchdog ${armed.device} armed for ${armed.timeout} s across the jump`);
    } else warn(`watchdog not armed: ${a.reason}; jumping without it`);
  }
  debug(`reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC, NULL)`);
  const res = kernel.reboot(LINUX_REBOOT_CMD_KEXEC);
  if (res.ok) return { synced: opts.sync, downed, watchdog: armed, hooks };
  if (armed !== null) {
    const w = disarmWatchdog(kernel, armed);
    if (w !== null) warn(w);
  }
  const restored: string[] = [];
  for (const name of downed) {
    try {
      await net.setUp(name, true);
      restored.push(name);
    } catch (e) {
      warn(`could not bring ${firstLine(e)} back up`);
    }
  }
  const note = downed.length === 0 ? '' : `\nbrought back up: ${restored.join(' ') || '(none)'}`;
  throw new KexecError({ code: 'EKEXECEXEC', errno: res.errno, syscall: 'reboot', message: `kexec failed: ${strerror(res.errno)}${note}` });
}
