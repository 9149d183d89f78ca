/**
 * kexecctl verify, pure: after a reboot, is the running kernel the one the reboot intent
 * (last-kexec.ts) planned, did the boot come through kexec, and is this a new boot? After a cold
 * reboot (intent mode "cold": coldreboot), the boot must have come through the firmware instead.
 * Stable JSON: schema "kexecctl.verify/1" (docs/fleet-json.md); exit 0 ok, 1 a check failed,
 * 2 nothing to verify (no intent recorded).
 */
import type { RebootIntent } from './last-kexec.js';
import { sameCmdline, type RunningFacts } from './running.js';

export const VERIFY_SCHEMA = 'kexecctl.verify/1';

export type VerifyCheck = { name: 'rebooted' | 'kexec' | 'release' | 'cmdline' | 'initrd'; ok: boolean | null; detail: string };

export type VerifyVerdict = {
  ok: boolean;
  /** How the running boot came up: kexec, cold (firmware + boot loader), unknown (no loader mark), not-rebooted (same boot_id). */
  booted: 'kexec' | 'cold' | 'unknown' | 'not-rebooted' | 'no-intent';
  checks: VerifyCheck[];
  reason: string;
};

/** intentBoot: the boot the intent's reboot led to, when boot-check recorded it (reboot/watchdog-boot.ts bootOfIntent). */
export type VerifyOptions = { allowCold?: boolean; intentBoot?: string | null };

export function decideVerify(intent: RebootIntent | null, run: RunningFacts, digestNow: string | null, o: VerifyOptions = {}): VerifyVerdict {
  if (intent === null)
    return { ok: false, booted: 'no-intent', checks: [], reason: 'no reboot recorded by kexecctl (/var/lib/kexecctl/last-kexec.json missing)' };
  // The intent's reboot led to another boot, and this one came after a reboot kexecctl did not make
  // or see: nothing recorded describes it (judging it against the old intent would blame the wrong reboot).
  if (o.intentBoot != null && run.bootId !== null && o.intentBoot !== run.bootId && intent.bootId !== run.bootId) {
    return {
      ok: false,
      booted: 'no-intent',
      checks: [],
      reason: `no reboot recorded by kexecctl led to this boot (${run.bootId}): the last one (${intent.time}, from boot ${intent.bootId ?? 'unknown'}) led to boot ${o.intentBoot}, and a later reboot was made without kexecctl`,
    };
  }
  const checks: VerifyCheck[] = [];
  const rebooted = intent.bootId === null || run.bootId === null ? null : intent.bootId !== run.bootId;
  checks.push({
    name: 'rebooted',
    ok: rebooted,
    detail:
      rebooted === null
        ? 'boot_id unknown'
        : rebooted
          ? `boot_id ${intent.bootId} → ${run.bootId}`
          : `still boot ${run.bootId}: no reboot since ${intent.time}`,
  });
  const booted: VerifyVerdict['booted'] =
    rebooted === false ? 'not-rebooted' : run.loader === 'kexec' ? 'kexec' : run.loader === 'unknown' ? 'unknown' : 'cold';
  const loaderText = `type_of_loader ${run.loaderType === null ? 'unknown' : `0x${run.loaderType.toString(16)}`} (${run.loader})`;
  if (intent.mode === 'kexec') {
    const kexecOk = booted === 'kexec' ? true : booted === 'cold' ? o.allowCold === true : null;
    const cold = booted === 'cold' ? `booted through the firmware, not kexec${o.allowCold === true ? ' (allowed by --allow-cold)' : ''}: ` : '';
    checks.push({ name: 'kexec', ok: rebooted === false ? false : kexecOk, detail: `${cold}${loaderText}` });
  } else {
    // A cold reboot (coldreboot, or a reboot kexecctl had to make cold): the firmware must have run.
    // A kexec boot is what coldreboot exists to prevent (systemd >= 255 kexecs on its own when a kernel is loaded).
    const asked = `a cold reboot was asked for (${intent.by})`;
    const coldOk = rebooted === false ? null : booted === 'cold' ? true : booted === 'kexec' ? false : null;
    const how = booted === 'cold' ? 'booted through the firmware' : booted === 'kexec' ? 'but the boot came through kexec' : 'how it booted is unknown';
    checks.push({ name: 'kexec', ok: coldOk, detail: `${asked}, ${how}: ${loaderText}` });
  }
  if (intent.release === null) checks.push({ name: 'release', ok: null, detail: 'planned release unknown' });
  else checks.push({ name: 'release', ok: run.release === intent.release, detail: `running ${run.release ?? 'unknown'}, planned ${intent.release}` });
  if (intent.cmdline === null || run.cmdline === null) checks.push({ name: 'cmdline', ok: null, detail: 'command line unknown' });
  else {
    const same = sameCmdline(run.cmdline, intent.cmdline);
    checks.push({ name: 'cmdline', ok: same, detail: same ? run.cmdline : `running "${run.cmdline}", planned "${intent.cmdline}"` });
  }
  if (intent.initrdDigest === null || digestNow === null) checks.push({ name: 'initrd', ok: null, detail: 'initrd digest unknown' });
  else {
    const same = digestNow === intent.initrdDigest;
    const what = intent.initrds.join(' + ') || '(none)';
    checks.push({
      name: 'initrd',
      ok: same,
      detail: same ? `${what} unchanged since the load` : `${what} changed since the load (${intent.initrdDigest} → ${digestNow})`,
    });
  }
  const failed = checks.filter((c) => c.ok === false);
  const ok = failed.length === 0;
  const running = `${run.release ?? 'an unknown kernel'} (booted: ${booted})`;
  const reason = !ok
    ? failed.map((c) => `${c.name}: ${c.detail}`).join('; ')
    : intent.mode === 'cold'
      ? `the cold reboot asked for (${intent.by}) happened: running ${running}`
      : intent.kernel === null
        ? `kexec'd into a kernel kexecctl did not load (no record of it): running ${running}, what was planned is unknown`
        : `running the planned kernel ${running}`;
  return { ok, booted, checks, reason };
}

export function verifyExit(v: VerifyVerdict): 0 | 1 | 2 {
  return v.booted === 'no-intent' ? 2 : v.ok ? 0 : 1;
}
