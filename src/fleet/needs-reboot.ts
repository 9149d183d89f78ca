/**
 * Does this host need a reboot? Pure: the running kernel (release + /proc/cmdline) against what
 * the plan would boot. The answer and its JSON shape are the stable contract of docs/fleet-json.md
 * (schema "kexecctl.needs-reboot/1"); exit codes: 0 needed, 1 not needed, 2 cannot tell.
 */
import type { PlannedBoot } from './planned.js';
import { sameCmdline, type RunningFacts } from './running.js';

export const NEEDS_REBOOT_SCHEMA = 'kexecctl.needs-reboot/1';

export type NeedsRebootVerdict = {
  /** true: reboot to get the planned kernel; false: running it already; null: cannot tell. */
  needed: boolean | null;
  /** Machine-readable cause: release, cmdline, both, none, no-plan, unknown-running. */
  cause: 'release' | 'cmdline' | 'release+cmdline' | 'none' | 'no-plan' | 'unknown-running';
  reason: string;
};

export function decideNeedsReboot(running: Pick<RunningFacts, 'release' | 'cmdline'>, planned: PlannedBoot | null, noPlanReason = ''): NeedsRebootVerdict {
  if (planned === null) return { needed: null, cause: 'no-plan', reason: `the plan loads nothing: ${noPlanReason || 'no reason given'}` };
  if (running.release === null || running.cmdline === null) {
    return { needed: null, cause: 'unknown-running', reason: `cannot read the running kernel's ${running.release === null ? 'release' : 'command line'}` };
  }
  // A planned kernel whose release cannot be read is compared by command line alone (said so).
  const releaseDiffers = planned.release !== null && planned.release !== running.release;
  const cmdlineDiffers = !sameCmdline(running.cmdline, planned.cmdline);
  const parts: string[] = [];
  if (releaseDiffers) parts.push(`running ${running.release}, the plan boots ${planned.release} (${planned.kernel})`);
  if (cmdlineDiffers) parts.push(`running command line "${running.cmdline}", the plan boots "${planned.cmdline}"`);
  if (parts.length === 0) {
    const unknown = planned.release === null ? ` (release of ${planned.kernel} unknown: compared the command line only)` : '';
    return { needed: false, cause: 'none', reason: `running the planned kernel ${running.release}${unknown}` };
  }
  const cause = releaseDiffers && cmdlineDiffers ? 'release+cmdline' : releaseDiffers ? 'release' : 'cmdline';
  return { needed: true, cause, reason: parts.join('; ') };
}

/** The documented exit status of `kexecctl needs-reboot`. */
export function needsRebootExit(v: NeedsRebootVerdict): 0 | 1 | 2 {
  return v.needed === true ? 0 : v.needed === false ? 1 : 2;
}
