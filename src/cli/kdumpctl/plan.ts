/** `kdumpctl plan` and `kexecctl kdump plan`: the crash plan as text or JSON. */
import type { Command } from 'commander';
import { formatDiagnostic } from '../../errors.js';
import { RootFs } from '../../host/rootfs.js';
import { readKdumpPlan } from '../../kdump/control.js';

export type PlanOpts = { root?: string; json?: boolean };

export function runKdumpPlan(opts: PlanOpts, out: (s: string) => void = (s) => process.stdout.write(s)): number {
  const fs = new RootFs(opts.root ?? '/');
  const { plan, diagnostics } = readKdumpPlan(fs);
  const warnings = [...diagnostics.map(formatDiagnostic), ...plan.warnings];
  if (opts.json === true) {
    out(
      `${JSON.stringify({ kernel: plan.kernel, initrd: plan.initrd, cmdline: plan.cmdline, release: plan.release, syscall: plan.syscall, warnings }, null, 2)}\n`,
    );
    return 0;
  }
  out(`kernel:  ${plan.kernel}\n`);
  out(`initrd:  ${plan.initrd.length === 0 ? '(none)' : plan.initrd.join(' ')}\n`);
  out(`cmdline: ${plan.cmdline}\n`);
  out(`syscall: ${plan.syscall}\n`);
  for (const d of diagnostics) out(`${formatDiagnostic(d)}\n`);
  for (const w of plan.warnings) out(`warning: ${w}\n`);
  return 0;
}

export function addPlanCommand(parent: Command, setExit: (code: number) => void): void {
  parent
    .command('plan')
    .description('show the crash kernel, initrd and command line that "start" would load')
    .option('--root <dir>', 'read configuration and /proc under DIR', '/')
    .option('--json', 'print JSON: kernel, initrd (array), cmdline, warnings')
    .action((opts: PlanOpts) => setExit(runKdumpPlan(opts)));
}
