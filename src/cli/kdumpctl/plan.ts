/** `kdumpctl plan` and `kexecctl kdump plan`: the crash plan and the dump settings (with where each came from), as text or JSON. */
import type { Command } from 'commander';
import { formatDiagnostic } from '../../errors.js';
import { RootFs } from '../../host/rootfs.js';
import { readKdumpPlan } from '../../kdump/control.js';
import { readDumpPlan } from '../../kdump/dump-config.js';
import { describeDumpPlan } from '../../kdump/dump-plan.js';

export type PlanOpts = { root?: string; json?: boolean };

/** The dump settings and their warnings as printed lines (shared with kdumpctl status). */
export function dumpSettingsLines(fs: RootFs): { rows: ReturnType<typeof describeDumpPlan>; warnings: string[] } {
  const { plan, diagnostics } = readDumpPlan(fs);
  return { rows: describeDumpPlan(plan), warnings: [...diagnostics.map(formatDiagnostic), ...plan.warnings.map((w) => `warning: ${w}`)] };
}

export function runKdumpPlan(opts: PlanOpts, out: (s: string) => void = (s) => process.stdout.write(s)): number {
  const fs = new RootFs(opts.root ?? '/');
  const { plan, diagnostics } = readKdumpPlan(fs);
  const dump = dumpSettingsLines(fs);
  const warnings = [...diagnostics.map(formatDiagnostic), ...plan.warnings, ...dump.warnings];
  if (opts.json === true) {
    const dumpObj = Object.fromEntries(dump.rows.map((r) => [r.name, { value: r.value, from: r.from }]));
    out(
      `${JSON.stringify({ kernel: plan.kernel, initrd: plan.initrd, cmdline: plan.cmdline, release: plan.release, syscall: plan.syscall, dump: dumpObj, warnings }, null, 2)}\n`,
    );
    return 0;
  }
  out(`kernel:  ${plan.kernel}\n`);
  out(`initrd:  ${plan.initrd.length === 0 ? '(none)' : plan.initrd.join(' ')}\n`);
  out(`cmdline: ${plan.cmdline}\n`);
  out(`syscall: ${plan.syscall}\n`);
  for (const r of dump.rows) out(`${`${r.name}:`.padEnd(16)}${r.value}  (${r.from})\n`);
  for (const d of diagnostics) out(`${formatDiagnostic(d)}\n`);
  for (const w of plan.warnings) out(`warning: ${w}\n`);
  for (const w of dump.warnings) out(`${w}\n`);
  return 0;
}

export function addPlanCommand(parent: Command, setExit: (code: number) => void): void {
  parent
    .command('plan')
    .description('show the crash kernel, initrd and command line that "start" would load, and where and how a dump is saved')
    .option('--root <dir>', 'read configuration and /proc under DIR', '/')
    .option('--json', 'print JSON: kernel, initrd (array), cmdline, dump settings with their origin, warnings')
    .action((opts: PlanOpts) => setExit(runKdumpPlan(opts)));
}
