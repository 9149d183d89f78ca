/**
 * Builds the reboot paths' dependencies for a CLI process. With a fake kernel (KEXECCTL_FAKE or
 * --dry-run) child processes are recorded in the fake instead of run, so no test and no dry run
 * can ever start systemctl kexec, telinit 6 or reboot on the machine it runs on.
 * host-deps (execa) and the planner (GRUB evaluator) load on first use: `kexecctl --help` and a
 * `status` that never needs the plan stay light.
 */
import { systemdVersion } from '../reboot/init-system.js';
import { nextRebootWillKexec, type NextReboot } from '../reboot/next-reboot.js';
import { wantedFromPlan } from '../reboot/plan-adapter.js';
import type { RebootDeps } from '../reboot/types.js';
import { execProcesses } from '../sys/exec-processes.js';
import type { Kernel } from '../sys/kernel.js';
import type { CliContext } from './context.js';
import { FingerprintSession, type RefreshState } from '../fingerprint/session.js';

/** The intent `kexecctl reboot --prepare --at-shutdown` would record for this outcome, for kernel/kexecctl-unchanged to put in place. */
async function shutdownIntent(deps: RebootDeps, ctx: CliContext, state: RefreshState): Promise<string> {
  const [{ initrdDigest }, { intentFromRecord }, { readRunning }] = await Promise.all([
    import('../fleet/planned.js'),
    import('../fleet/last-kexec.js'),
    import('../fleet/running.js'),
  ]);
  const mode = state === 'fresh' || state === 'loaded' ? 'kexec' : 'cold';
  const rec = mode === 'kexec' ? deps.record() : null;
  const digest = rec === null ? null : initrdDigest(ctx.fs, rec.initrds);
  const intent = intentFromRecord(rec, { mode, bootId: readRunning(ctx.fs).bootId, initrdDigest: digest, by: 'shutdown refresh' });
  return `${JSON.stringify(intent, null, 2)}\n`;
}

export async function rebootDeps(ctx: CliContext, dryRun: boolean): Promise<{ deps: RebootDeps; kernel: Kernel }> {
  const { kernel, processes, recording } = await ctx.effects(dryRun);
  const { hostRebootDeps } = await import('../reboot/host-deps.js');
  const fakeState = ctx.fake ? process.env['KEXECCTL_FAKE'] : undefined;
  const fingerprint = new FingerprintSession(ctx.fs, {
    ...(fakeState !== undefined && fakeState !== '' ? { stateFiles: [fakeState] } : {}),
    intent: (state) => shutdownIntent(deps, ctx, state),
  });
  const deps = hostRebootDeps({
    kernel,
    // With KEXECCTL_FAKE the kernel *is* the file-backed fake: read its state from that same
    // instance (another instance would not see our own unload). Otherwise /sys (null).
    stateKernel: ctx.fake ? kernel : null,
    root: ctx.root,
    trust: ctx.trust,
    plan: async () => {
      // Issue 14: the plan reads through a recording view; refreshed() keeps the fingerprint of what it read.
      const plan = (await import('../plan/system-plan.js')).resolveSystemPlan(fingerprint.recordingFs());
      fingerprint.planned(plan);
      return wantedFromPlan(plan);
    },
    runner: processes,
    ...(recording ? { syslog: false } : {}),
  });
  if (!dryRun) deps.refreshed = (state, oneShot) => fingerprint.refreshed(state, oneShot);
  return { deps, kernel };
}

/** For `kexecctl status`: reads only (a dry-run kernel, /sys or the KEXECCTL_FAKE state, systemctl --version). */
export async function nextRebootStatus(ctx: CliContext): Promise<NextReboot> {
  const { deps, kernel } = await rebootDeps(ctx, true);
  // Issue 18: a stale load is only replaced if the planned files pass the load's checks.
  // Loaded on first use: only a stale load needs it, and it brings the decoders.
  deps.verify = async (want) => (await import('./checked-load.js')).checkedVerify(kernel, ctx, true)(want);
  // Ask the host's systemctl only about the host: never under --root or a fake (refused in test runs).
  const onHost = ctx.readOnlyRoot === undefined && !ctx.fake;
  const version = onHost && deps.exists('/run/systemd/system') ? await systemdVersion(execProcesses()) : null;
  return nextRebootWillKexec(deps, version);
}
