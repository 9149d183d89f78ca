/**
 * Did the last kexec boot come up? Boot assessment in the style of systemd's (a boot counts as good
 * only once boot-complete.target is reached), kept in /var/lib/kexecctl/kexec-boot.json next to the
 * reboot intent (fleet/last-kexec.ts), which says when a kexec reboot was asked and from which boot.
 *
 *  - `kexecctl boot-check` (kexecctl-boot-check.service, early in every boot): the first boot after
 *    a kexec intent claims it when it came through kexec (x86 type_of_loader 0xD0) or cannot tell
 *    (arm64). A boot that came through the firmware instead (the watchdog, or a reset, after a hang
 *    in shutdown or in the new kernel), or a later boot finding the claim of a boot that never
 *    completed, marks the kexec failed: this boot's reboot is then cold (/no-kexec-reboot, which
 *    every reboot path obeys and the next boot clears) and `status` says why.
 *  - `kexecctl boot-complete` (kexecctl-watchdog-handover.service, after boot-complete.target or
 *    multi-user.target): hands the watchdog over and marks the claimed kexec boot complete.
 * Nothing here touches BLS boot counting: a kexec boot never marks boot loader entries good.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { RebootIntent } from '../fleet/last-kexec.js';
import type { RunningFacts } from '../fleet/running.js';

export const KEXEC_BOOT_STATE = '/var/lib/kexecctl/kexec-boot.json';
export const KEXEC_BOOT_SCHEMA = 'kexecctl.kexec-boot/1';

export type KexecBootState = {
  schema: typeof KEXEC_BOOT_SCHEMA;
  /** The intent (its time) this state is about. */
  intentTime: string;
  /** boot_id of the boot that came up after the kexec and claimed it. */
  claimedBy: string | null;
  /** boot_id of the boot that reached boot-complete. */
  completedBy: string | null;
  /** Set when the kexec boot did not come up: why, and in which boot that was found. */
  failed: { reason: string; foundIn: string | null; time: string } | null;
};

export type BootCheck =
  { action: 'none'; why: string } | { action: 'claim'; state: KexecBootState } | { action: 'fail'; state: KexecBootState; reason: string };

const loaderText = (run: RunningFacts): string => (run.loaderType === null ? run.loader : `${run.loader}, type_of_loader 0x${run.loaderType.toString(16)}`);

/** Pure: what this boot finds about the last kexec intent. */
export function decideBootCheck(intent: RebootIntent | null, state: KexecBootState | null, run: RunningFacts, now: Date = new Date()): BootCheck {
  if (intent === null || intent.mode !== 'kexec') return { action: 'none', why: 'the last reboot was not a kexec' };
  if (intent.bootId !== null && intent.bootId === run.bootId) return { action: 'none', why: 'no reboot since the kexec was asked' };
  const mine = state !== null && state.intentTime === intent.time ? state : null;
  const what = `the kexec into ${intent.release ?? intent.kernel ?? 'the loaded kernel'} asked at ${intent.time}`;
  const fail = (reason: string): BootCheck => ({
    action: 'fail',
    reason,
    state: {
      schema: KEXEC_BOOT_SCHEMA,
      intentTime: intent.time,
      claimedBy: mine?.claimedBy ?? null,
      completedBy: null,
      failed: { reason, foundIn: run.bootId, time: now.toISOString() },
    },
  });
  if (mine?.completedBy != null) return { action: 'none', why: `${what} reached boot-complete (boot ${mine.completedBy})` };
  if (mine?.failed != null) {
    return mine.failed.foundIn === run.bootId
      ? { action: 'fail', reason: mine.failed.reason, state: mine }
      : { action: 'none', why: 'a cold boot has happened since the failed kexec' };
  }
  if (mine?.claimedBy != null) {
    if (mine.claimedBy === run.bootId) return { action: 'none', why: 'this is the kexec boot; it has not reached boot-complete yet' };
    return fail(`${what} booted (boot ${mine.claimedBy}) but did not reach boot-complete.target; this boot came up through ${loaderText(run)}`);
  }
  if (run.loader === 'kexec' || run.loader === 'unknown') {
    return { action: 'claim', state: { schema: KEXEC_BOOT_SCHEMA, intentTime: intent.time, claimedBy: run.bootId, completedBy: null, failed: null } };
  }
  return fail(
    `${what} never reached the new kernel's userspace: this boot came through the firmware (${loaderText(run)}), after a hang in shutdown or early boot (watchdog or reset)`,
  );
}

/** Pure: boot-complete marks the claimed (or, without boot-check, this kexec) boot complete; null when there is nothing to mark. */
export function completeBoot(intent: RebootIntent | null, state: KexecBootState | null, run: RunningFacts): KexecBootState | null {
  if (intent === null || intent.mode !== 'kexec' || run.bootId === null || intent.bootId === run.bootId) return null;
  const mine = state !== null && state.intentTime === intent.time ? state : null;
  if (mine?.failed != null) return null;
  if (mine?.claimedBy === run.bootId || (mine === null && run.loader === 'kexec')) {
    return { schema: KEXEC_BOOT_SCHEMA, intentTime: intent.time, claimedBy: run.bootId, completedBy: run.bootId, failed: null };
  }
  return null;
}

/**
 * The boot the intent's reboot led to, as boot-check recorded it (the boot that claimed it, or the
 * boot that found it failed), or null when boot-check has not seen it (sysvinit, or no boot since).
 * `kexecctl verify` in any other boot judges a reboot kexecctl never saw (a reset, a power cut, a
 * reboot by another tool), so it must not compare that boot with this intent.
 */
export function bootOfIntent(state: KexecBootState | null, intent: RebootIntent | null): string | null {
  if (state === null || intent === null || state.intentTime !== intent.time) return null;
  return state.claimedBy ?? state.failed?.foundIn ?? null;
}

/** The reason this boot's reboot must be cold, or null. */
export function coldBecauseOfLastKexec(state: KexecBootState | null, run: RunningFacts): string | null {
  if (state?.failed == null || state.failed.foundIn !== run.bootId) return null;
  return `${state.failed.reason}: this reboot goes through the firmware`;
}

export function readBootState(root: string): KexecBootState | null {
  try {
    const v = JSON.parse(readFileSync(posix.join(root, KEXEC_BOOT_STATE), 'utf8')) as Partial<KexecBootState>;
    if (v.schema !== KEXEC_BOOT_SCHEMA || typeof v.intentTime !== 'string') return null;
    const f = v.failed;
    return {
      schema: KEXEC_BOOT_SCHEMA,
      intentTime: v.intentTime,
      claimedBy: typeof v.claimedBy === 'string' ? v.claimedBy : null,
      completedBy: typeof v.completedBy === 'string' ? v.completedBy : null,
      failed:
        f !== null && typeof f === 'object' && typeof f.reason === 'string'
          ? { reason: f.reason, foundIn: typeof f.foundIn === 'string' ? f.foundIn : null, time: String(f.time) }
          : null,
    };
  } catch {
    return null;
  }
}

export function writeBootState(root: string, s: KexecBootState): void {
  const file = posix.join(root, KEXEC_BOOT_STATE);
  mkdirSync(posix.dirname(file), { recursive: true, mode: 0o755 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
}
