/**
 * `kexecctl load` without --kernel loads the system plan (src/plan/system-plan.ts): what a reboot
 * would boot per /etc/default/kexec, GRUB or systemd-boot. Plan paths are inside --root; the
 * loader opens host paths, so they are mapped through the root here.
 */
import { KexecError } from '../../errors.js';
import type { LoadMode, LoadRequest } from '../../kexec/load.js';
import { resolveSystemPlan } from '../../plan/system-plan.js';
import type { CliContext } from '../context.js';

/** The load request for the plan, and the plan's warnings (file:line), which `kexecctl load` prints as `kexecctl plan` does. */
export async function resolvePlanRequest(ctx: CliContext, o: { crash: boolean; mode: LoadMode }): Promise<{ req: LoadRequest; warnings: string[] }> {
  if (o.crash) {
    throw new KexecError({ code: 'EUSAGE', message: "--crash needs --kernel (the crash kernel plan is kdumpctl's: kdumpctl start)", exitCode: 2 });
  }
  const plan = resolveSystemPlan(ctx.fs);
  if (plan.action === 'skip' || plan.kernel === null || plan.cmdline === null) {
    // Not an error: the configuration says not to load (LOAD_KEXEC, /no-kexec-reboot).
    throw new KexecError({ code: 'EPLANSKIP', message: `nothing loaded: ${plan.reason}`, exitCode: 0 });
  }
  const req = {
    kernelPath: ctx.fs.hostPath(plan.kernel),
    initrdPaths: plan.initrd.map((p) => ctx.fs.hostPath(p)),
    cmdline: plan.cmdline,
    crash: false,
    mode: o.mode,
  };
  return { req, warnings: plan.warnings };
}
