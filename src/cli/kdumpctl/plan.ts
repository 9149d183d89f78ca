/** `kdumpctl plan` and `kexecctl kdump plan`: the crash plan and the dump settings (with where each came from), as text or JSON. */
import type { Command } from 'commander';
import { formatDiagnostic } from '../../errors.js';
import { RootFs } from '../../host/rootfs.js';
import { readKdumpPlan } from '../../kdump/control.js';
import { readDumpPlan } from '../../kdump/dump-config.js';
import { describeDumpPlan } from '../../kdump/dump-plan.js';
import { statfsFree } from '../../kdump/save-dump.js';
import { configTrustWarnings } from '../../plan/trust-places.js';
import { dirname } from 'node:path';

export type PlanOpts = { root?: string; json?: boolean };

/** mkdumprd check_size: a dump directory on the root file system should have MemTotal free. */
export function spaceWarning(fs: RootFs, path: string, free: (p: string) => number | null = statfsFree): string | null {
  const m = /^MemTotal:\s+(\d+) kB/m.exec(fs.readText('/proc/meminfo') ?? '');
  if (m === null) return null;
  let dir = path;
  while (dir !== '/' && !fs.isDir(dir)) dir = dirname(dir);
  const avail = free(fs.hostPath(dir));
  const memKb = Number(m[1]);
  if (avail === null || avail / 1024 >= memKb) return null;
  return `there might not be enough space to save a vmcore: ${dir} has ${Math.floor(avail / 1048576)} MiB free, less than MemTotal (${Math.floor(memKb / 1024)} MiB); a filtered dump (makedumpfile -d 31) is usually much smaller`;
}

/** The dump settings and their warnings as printed lines (shared with kdumpctl status). */
export function dumpSettingsLines(fs: RootFs): { rows: ReturnType<typeof describeDumpPlan>; warnings: string[] } {
  const { plan, diagnostics } = readDumpPlan(fs);
  const warnings = [...diagnostics.map(formatDiagnostic), ...plan.warnings.map((w) => `warning: ${w}`)];
  const space = plan.target.value.kind === 'rootfs' ? spaceWarning(fs, plan.path.value) : null;
  if (space !== null) warnings.push(`warning: ${space}`);
  // Issue 12: the files that decide what the crash kernel is and where dumps go, owner and mode.
  for (const w of configTrustWarnings(fs, ['/etc/sysconfig/kdump', '/etc/kdump.conf', '/etc/default/kdump-tools'])) warnings.push(`warning: ${w}`);
  return { rows: describeDumpPlan(plan), warnings };
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
