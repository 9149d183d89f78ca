/**
 * Ports of the reboot paths. The library decides; everything with a side effect (plan, load,
 * unload, child processes, logging) comes in through RebootDeps, so unit tests drive it with
 * the fake kernel and a recording runner, and --dry-run swaps the effects for descriptions.
 */
import type { LoadRecord } from '../kexec/record.js';
import type { Processes as Runner } from '../sys/processes.js';

export type InitSystem = 'systemd' | 'sysvinit' | 'unknown';

/** What the configuration asks the next reboot to boot, in the reboot paths' own terms. */
export type WantedLoad =
  | {
      action: 'load';
      kernel: string;
      initrds: string[];
      cmdline: string;
      source: string;
      /** The boot loader consumed a one-shot choice (grubenv next_entry, from grub-reboot) kept in this file. */
      oneShot?: string;
    }
  | { action: 'skip'; reason: string };

/** The Processes port (src/sys/processes.ts) under the name the reboot paths use. */
export type { RunResult, Processes as Runner } from '../sys/processes.js';

export interface RebootDeps {
  /** Fresh plan from /etc/default/kexec + the boot loader; throws KexecError when it cannot plan. */
  plan(): Promise<WantedLoad>;
  /** Issue 14: told how a refresh that was not a dry run ended, to keep the fingerprint of its plan's inputs. */
  refreshed?(state: 'fresh' | 'loaded' | 'skipped' | 'failed', oneShot: string | undefined): Promise<void> | void;
  /**
   * Issue 18: the checks a load would run on the planned files (structural + deep), without
   * loading; the refusal's message, or null when they pass. Used by dry runs and `status`.
   */
  verify?(want: Extract<WantedLoad, { action: 'load' }>): Promise<string | null>;
  /** Loads (replacing what is loaded); throws KexecError with the kernel's reason on failure. */
  load(want: Extract<WantedLoad, { action: 'load' }>): Promise<void>;
  /** Unloads the kexec kernel (not the crash kernel) and removes our record. */
  unload(): Promise<void>;
  /** /sys/kernel/kexec_loaded, or null when the kernel has no kexec support. */
  loaded(): boolean | null;
  /** Our /run/kexecctl record of the last load, or null. */
  record(): LoadRecord | null;
  /** ctime (ms) of a file as the running system sees it, or null when missing. */
  ctimeMs(path: string): number | null;
  /** Does a path exist on the running system (/no-kexec-reboot, /run/systemd/system ...). */
  exists(path: string): boolean;
  /** Creates /no-kexec-reboot (or another flag file). */
  touch(path: string): void;
  /** sync(2) then reboot(LINUX_REBOOT_CMD_KEXEC). Returns the reason on failure; null only when a fake kernel "jumped". */
  execNow(): Promise<string | null>;
  /** sync(2) then reboot(LINUX_REBOOT_CMD_RESTART). Returns the reason on failure; null only with a fake kernel. */
  restartNow(): Promise<string | null>;
  /** Is a reboot (not a poweroff) under way? Asked at shutdown, before a one-shot choice is consumed. */
  rebootPending(): Promise<boolean>;
  /** Clears the one-shot choice (grubenv next_entry), as GRUB does when it boots it. */
  clearOneShot(file: string): void;
  runner: Runner;
  /** Says why something went differently than asked: stderr and the system log. */
  warn(message: string): void;
  /** Progress lines (stdout). */
  info(message: string): void;
}

export const NO_KEXEC_FLAG = '/no-kexec-reboot';
export const SHUTDOWN_HOOK = '/usr/lib/systemd/system-shutdown/kexecctl';
