/** kdumpctl start | stop | restart | reload | status | showmem (the first kernel's side). */
import type { Command } from 'commander';
import { formatDiagnostic, KexecError } from '../../errors.js';
import { readSysInt, KEXEC_CRASH_SIZE } from '../../host/kexec-sysfs.js';
import { kdumpStatus, startKdump, stopKdump } from '../../kdump/control.js';
import { readKexecState } from '../../kexec/state.js';
import { makeContext, type CliContext } from '../context.js';
import { dumpSettingsLines } from './plan.js';

type Common = { root?: string; dryRun?: boolean; verify?: boolean };

/** One context per kdumpctl command; --root DIR is read-only (start/stop refuse without --dry-run). */
function context(opts: Common, command: string): CliContext {
  return makeContext(opts.root, { command: `kdumpctl ${command}` });
}
const say = (s: string): void => void process.stdout.write(`${s}\n`);
const warn = (s: string): void => void process.stderr.write(`kdumpctl: warning: ${s}\n`);

async function start(opts: Common & { debug?: boolean }): Promise<number> {
  const ctx = context(opts, 'start');
  ctx.requireEffects(opts.dryRun === true);
  const kernel = await ctx.getKernel(opts.dryRun === true);
  const sink = (l: string): void => void process.stderr.write(`kdumpctl: ${l}\n`);
  const r = await startKdump(kernel, ctx.fs, {
    dryRun: opts.dryRun === true,
    trust: ctx.trust,
    verify: opts.verify !== false,
    debugSink: sink,
    ...(opts.debug === true ? { debug: sink } : {}),
  });
  for (const d of r.diagnostics) warn(formatDiagnostic(d));
  for (const w of r.plan.warnings) warn(w);
  if (r.alreadyLoaded) {
    say('Kdump already running');
    return 0;
  }
  if (r.load?.dryRun === true) {
    say(`would load: ${r.load.call}`);
    return 0;
  }
  say(`kexec: loaded kdump kernel ${r.plan.kernel} (${r.load?.syscall ?? 'kexec_file_load'})`);
  say('Starting kdump: [OK]');
  return 0;
}

async function stop(opts: Common): Promise<number> {
  const ctx = context(opts, 'stop');
  ctx.requireEffects(opts.dryRun === true);
  const kernel = await ctx.getKernel(opts.dryRun === true);
  const was = stopKdump(kernel, ctx.root);
  say(was ? 'kexec: unloaded kdump kernel' : 'kexec: no kdump kernel was loaded');
  say('Stopping kdump: [OK]');
  return 0;
}

async function status(opts: Common & { json?: boolean }): Promise<number> {
  const ctx = context(opts, 'status');
  const st = kdumpStatus(readKexecState(ctx.fs, ctx.stateKernel()), ctx.root);
  const dump = dumpSettingsLines(ctx.fs);
  if (opts.json === true) {
    say(
      JSON.stringify(
        {
          operational: st.operational,
          loaded: st.loaded,
          reservedBytes: st.reservedBytes,
          loadedKernel: st.record?.kernel ?? null,
          cmdline: st.record?.cmdline ?? null,
          message: st.message,
          dump: Object.fromEntries(dump.rows.map((r) => [r.name, { value: r.value, from: r.from }])),
          warnings: dump.warnings,
        },
        null,
        2,
      ),
    );
  } else {
    say(st.message);
    if (st.record !== null) say(`  kernel ${st.record.kernel} loaded ${st.record.time}`);
    for (const r of dump.rows) say(`  ${`${r.name}:`.padEnd(16)}${r.value}  (${r.from})`);
    for (const w of dump.warnings) process.stderr.write(`kdumpctl: ${w}\n`);
  }
  return st.operational ? 0 : 3;
}

function showmem(opts: Common): number {
  const fs = context(opts, 'showmem').fs;
  const size = readSysInt(fs, KEXEC_CRASH_SIZE);
  if (size === null) throw new KexecError({ code: 'ENOCRASHSIZE', message: `cannot read ${KEXEC_CRASH_SIZE}: this kernel has no kexec crash support` });
  say(`Reserved ${Math.floor(size / 1048576)}MB memory for crash kernel`);
  return size > 0 ? 0 : 1;
}

export function addServiceCommands(program: Command, setExit: (code: number) => void): void {
  const rootOpt = ['--root <dir>', 'read configuration, /sys and /run records under DIR (start/stop then need --dry-run)'] as const;
  const dry = ['--dry-run', 'check and print the load, change nothing'] as const;
  const noVerify = ['--no-verify', "skip the deep check of the crash kernel's payload and initrds (the structural checks always run)"] as const;
  program
    .command('start')
    .description('load the crash kernel into the crashkernel= reservation')
    .option(...rootOpt)
    .option(...dry)
    .option('-d, --debug', 'print each system call')
    .option(...noVerify)
    .action(async (o: Common & { debug?: boolean }) => setExit(await start(o)));
  program
    .command('stop')
    .description('unload the crash kernel')
    .option(...rootOpt)
    .option(...dry)
    .action(async (o: Common) => setExit(await stop(o)));
  for (const name of ['restart', 'reload']) {
    program
      .command(name)
      .description('unload, then load the crash kernel again')
      .option(...rootOpt)
      .option(...dry)
      .option(...noVerify)
      .action(async (o: Common) => {
        await stop(o);
        setExit(await start(o));
      });
  }
  program
    .command('status')
    .description('exit 0 when kdump is operational, 3 when not')
    .option(...rootOpt)
    .option('--json', 'print JSON')
    .option(...dry)
    .action(async (o: Common & { json?: boolean }) => setExit(await status(o)));
  program
    .command('showmem')
    .description('show the memory reserved for the crash kernel')
    .option(...rootOpt)
    .action((o: Common) => setExit(showmem(o)));
}
