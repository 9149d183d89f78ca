/**
 * `kexecctl reboot --json`: the reboot for fleet tools (Ansible's reboot_command, kured's
 * --reboot-command). Unlike a plain `kexecctl reboot`, which falls back to a cold reboot, a load
 * that fails stops here, before anything shuts down: exit 3 with the reason in JSON, so the
 * orchestrator can stop the rollout. --cold-on-failure restores the cold fallback.
 * Schema "kexecctl.reboot/1" (docs/fleet-json.md). Progress lines go to stderr, JSON alone to stdout.
 */
import { isKexecError } from '../errors.js';
import { kexecReboot, type RebootOutcome } from '../reboot/reboot.js';
import { describeRefresh, refreshLoad, type RefreshOutcome } from '../reboot/refresh.js';
import type { RebootDeps, WantedLoad } from '../reboot/types.js';

export const REBOOT_SCHEMA = 'kexecctl.reboot/1';
/** Exit status of `kexecctl reboot --json` when the load failed and nothing was shut down. */
export const EXIT_LOAD_FAILED = 3;

export type JsonRebootOptions = { force: boolean; dryRun: boolean; coldOnFailure: boolean };

export type RebootReport = {
  schema: typeof REBOOT_SCHEMA;
  ok: boolean;
  /** Was a reboot started (the init system asked, or the jump made)? Never for a dry run. */
  started: boolean;
  mode: 'kexec' | 'cold' | null;
  init: string | null;
  refresh: RefreshOutcome['state'];
  reason: string;
  steps: string[];
  exitCode: number;
};

/** Would kexecReboot kexec after this refresh? (Its own rule, src/reboot/reboot.ts.) */
export function kexecUsable(r: RefreshOutcome, loaded: boolean | null): boolean {
  return r.state === 'fresh' || r.state === 'loaded' || (r.state === 'skipped' && loaded === true && !r.unloaded);
}

export function reportOf(out: RebootOutcome, dryRun: boolean): RebootReport {
  return {
    schema: REBOOT_SCHEMA,
    ok: true,
    started: !dryRun,
    mode: out.mode,
    init: out.init,
    refresh: out.refresh.state,
    reason: describeRefresh(out.refresh),
    steps: out.steps,
    exitCode: 0,
  };
}

export async function jsonReboot(deps0: RebootDeps, o: JsonRebootOptions, print = (s: string) => process.stdout.write(s)): Promise<RebootReport> {
  let planned: Promise<WantedLoad> | undefined;
  const deps: RebootDeps = { ...deps0, plan: () => (planned ??= deps0.plan()), info: (l) => process.stderr.write(`${l}\n`) };
  const emit = (r: RebootReport): RebootReport => {
    print(`${JSON.stringify(r, null, 2)}\n`);
    process.exitCode = r.exitCode;
    return r;
  };
  const pre = await refreshLoad(deps, { dryRun: o.dryRun });
  if (!kexecUsable(pre, deps.loaded()) && !o.coldOnFailure) {
    const reason = describeRefresh(pre).replace(/; the next reboot goes through the firmware$/, '');
    deps.warn(`${reason}: not rebooting (--json without --cold-on-failure)`);
    return emit({
      schema: REBOOT_SCHEMA,
      ok: false,
      started: false,
      mode: null,
      init: null,
      refresh: pre.state,
      reason,
      steps: [],
      exitCode: EXIT_LOAD_FAILED,
    });
  }
  try {
    return emit(reportOf(await kexecReboot(deps, { force: o.force, dryRun: o.dryRun }), o.dryRun));
  } catch (e) {
    const exitCode = isKexecError(e) ? e.exitCode : 1;
    const reason = e instanceof Error ? e.message : String(e);
    return emit({ schema: REBOOT_SCHEMA, ok: false, started: true, mode: null, init: null, refresh: pre.state, reason, steps: [], exitCode });
  }
}
