/**
 * kdump-config: Debian kdump-tools' command, on kexecctl. Reads /etc/default/kdump-tools as data
 * and prints what kdump-tools' kdump-config prints (kdump_show, kdump_test, status): show, status,
 * load, unload, savecore, test. As in kdump-tools, `test` is a dry run that only prints the kexec
 * command (it never crashes or loads anything), `status` exits 0 whatever the state, and a refused
 * load exits 1. Effects go through makeContext like kdumpctl's: --root DIR never touches the host.
 */
import { Command } from 'commander';
import { formatDiagnostic, KexecError } from '../../errors.js';
import type { RootFs } from '../../host/rootfs.js';
import { capture, dumpHost, hostIp } from '../../kdump/capture.js';
import { startKdump, stopKdump, readKdumpPlan } from '../../kdump/control.js';
import { readDumpPlan, readKdumpTools } from '../../kdump/dump-config.js';
import type { KdumpPlan } from '../../kdump/plan.js';
import { readLoadRecord } from '../../kexec/record.js';
import { readKexecState } from '../../kexec/state.js';
import { VERSION } from '../../version.js';
import { makeContext, type CliContext } from '../context.js';
import { onStopSignals, stoppedSave } from '../stop-signals.js';

const NAME = 'kdump-config';
const say = (s: string): void => void process.stdout.write(`${s}\n`);
/** lsb's log_failure_msg / log_success_msg / log_action_msg, without colour. */
const failure = (s: string): void => void process.stdout.write(`${s} ... failed!\n`);
const success = (s: string): void => void process.stdout.write(`${s}.\n`);
const action = (s: string): void => void process.stdout.write(`${s}\n`);

type Opts = { root?: string };

function context(o: Opts, cmd: string): CliContext {
  return makeContext(o.root, { command: `${NAME} ${cmd}` });
}

/** "Crash kernel" start from /proc/iomem, as kdump-config's IOMEM_ADDR (0x...); '' when absent. */
export function crashKernelAddr(iomem: string | null): string {
  const line = (iomem ?? '').split('\n').find((l) => /crash kernel/i.test(l));
  if (line === undefined) return '';
  const start = line.trim().split('-')[0] ?? '';
  return `0x${start.replace(/^0+(?=.)/, '')}`;
}

/** The kexec command kdump-tools would run for this plan (kdump_load's KEXEC_CMD). */
export function kexecCommand(plan: Pick<KdumpPlan, 'kernel' | 'initrd' | 'cmdline' | 'syscall'>): string {
  const flag = plan.syscall === 'kexec_file_load' ? ' -s' : plan.syscall === 'kexec_load' ? ' -c' : '';
  const initrd = plan.initrd[0] === undefined ? '' : ` --initrd=${plan.initrd[0]}`;
  return `/sbin/kexec -p${flag} --command-line="${plan.cmdline}"${initrd} ${plan.kernel}`;
}

/** check_kdump_support(): false (after saying why) when USE_KDUMP, kexec support or crashkernel= is missing. */
function checkSupport(ctx: CliContext): boolean {
  const { tools, diagnostics } = readKdumpTools(ctx.fs);
  for (const d of diagnostics) process.stderr.write(`${NAME}: ${formatDiagnostic(d)}\n`);
  let ok = true;
  if (tools === null || !tools.useKdump.value) {
    failure('/etc/default/kdump-tools: USE_KDUMP is not set or zero');
    ok = false;
  }
  if (!ctx.fs.exists('/sys/kernel/kexec_crash_loaded') && ctx.stateKernel() === null) {
    failure('kdump is not supported by this kernel');
    ok = false;
  }
  if (!/(^|\s)crashkernel=/.test(ctx.fs.readText('/proc/cmdline') ?? '')) {
    failure('no crashkernel= parameter in the kernel cmdline');
    ok = false;
  }
  return ok;
}

function header(fs: RootFs): { use: string; coredir: string } {
  const { tools } = readKdumpTools(fs);
  return { use: tools === null ? '' : tools.useKdump.value ? '1' : '0', coredir: tools?.coredir.value ?? '/var/crash' };
}

function show(o: Opts): number {
  const ctx = context(o, 'show');
  checkSupport(ctx);
  const h = header(ctx.fs);
  const { tools } = readKdumpTools(ctx.fs);
  const { plan } = readKdumpPlan(ctx.fs, 'kdump-tools');
  say(`DUMP_MODE:\t\tkdump`);
  say(`USE_KDUMP:\t\t${h.use}`);
  say(`KDUMP_COREDIR:\t\t${h.coredir}`);
  say(`crashkernel addr: ${crashKernelAddr(ctx.fs.readText('/proc/iomem'))}`);
  say(`   ${plan.kernel}`);
  say('kdump initrd: ');
  say(`   ${plan.initrd[0] ?? ''}`);
  if (tools?.ssh != null) {
    say(`SSH:              ${tools.ssh.value}`);
    say(`SSH_KEY:          ${tools.sshKey?.value ?? '/root/.ssh/kdump_id_rsa'}`);
  }
  if (tools?.nfs != null) say(`NFS:              ${tools.nfs.value}`);
  if (tools?.ssh != null || tools?.nfs != null) say(`HOSTTAG:          ${tools.hostTag.value}`);
  const st = readKexecState(ctx.fs, ctx.stateKernel());
  say(`current state:    ${st.crashLoaded ? 'ready to kdump' : 'Not ready to kdump'}`);
  say('');
  say('kexec command:');
  const rec = st.crashLoaded ? readLoadRecord(ctx.root, true) : null;
  // The record holds host paths; under --root show them as the system sees them.
  const inRoot = (p: string): string => (ctx.root !== '/' && p.startsWith(`${ctx.root}/`) ? p.slice(ctx.root.length) : p);
  const cmd = rec === null ? null : kexecCommand({ kernel: inRoot(rec.kernel), initrd: rec.initrds.map(inRoot), cmdline: rec.cmdline, syscall: rec.syscall });
  say(`  ${cmd ?? 'no kexec command recorded'}`);
  return 0;
}

function test(o: Opts): number {
  const ctx = context(o, 'test');
  checkSupport(ctx);
  const h = header(ctx.fs);
  const { plan, diagnostics } = readKdumpPlan(ctx.fs, 'kdump-tools');
  for (const d of diagnostics) process.stderr.write(`${NAME}: ${formatDiagnostic(d)}\n`);
  for (const w of plan.warnings) process.stderr.write(`${NAME}: warning: ${w}\n`);
  say(`USE_KDUMP:\t\t${h.use}`);
  say(`KDUMP_COREDIR:\t\t${h.coredir}`);
  say(`crashkernel addr\t\t${crashKernelAddr(ctx.fs.readText('/proc/iomem'))}`);
  say('kdump kernel addr\t\trelocatable');
  say('kdump kernel:');
  say(`   ${plan.kernel}`);
  say('kdump initrd: ');
  say(`   ${plan.initrd[0] ?? ''}`);
  say('kexec command to be used:');
  say(`  ${kexecCommand(plan)}`);
  return 0;
}

function status(o: Opts): number {
  const ctx = context(o, 'status');
  checkSupport(ctx);
  const st = readKexecState(ctx.fs, ctx.stateKernel());
  say(`current state   : ${st.crashLoaded ? 'ready to kdump' : 'Not ready to kdump'}`);
  return 0;
}

async function load(o: Opts & { dryRun?: boolean }): Promise<number> {
  const ctx = context(o, 'load');
  ctx.requireEffects(o.dryRun === true);
  if (!checkSupport(ctx)) return 1;
  const kernel = await ctx.getKernel(o.dryRun === true);
  try {
    const r = await startKdump(kernel, ctx.fs, { dryRun: o.dryRun === true, trust: ctx.trust, source: 'kdump-tools' });
    for (const d of r.diagnostics) process.stderr.write(`${NAME}: ${formatDiagnostic(d)}\n`);
    for (const w of r.plan.warnings) process.stderr.write(`${NAME}: warning: ${w}\n`);
    if (r.load?.dryRun === true) say(`would load: ${r.load.call}`);
    else success('loaded kdump kernel');
    return 0;
  } catch (e) {
    process.stderr.write(`${NAME}: ${e instanceof Error ? e.message : String(e)}\n`);
    failure('failed to load kdump kernel');
    return 1;
  }
}

async function unload(o: Opts & { dryRun?: boolean }): Promise<number> {
  const ctx = context(o, 'unload');
  ctx.requireEffects(o.dryRun === true);
  const kernel = await ctx.getKernel(o.dryRun === true);
  try {
    stopKdump(kernel, ctx.root);
    success('unloaded kdump kernel');
    return 0;
  } catch (e) {
    process.stderr.write(`${NAME}: ${e instanceof Error ? e.message : String(e)}\n`);
    failure('failed to unload kdump kernel');
    return 1;
  }
}

/** savecore: save the dump as configured, no reboot (the kdump-tools service reboots afterwards). */
async function savecore(o: Opts & { vmcore: string }): Promise<number> {
  const ctx = context(o, 'savecore');
  const fs = ctx.fs;
  if (!fs.exists(o.vmcore))
    throw new KexecError({ code: 'ENOVMCORE', message: `${o.vmcore} does not exist: savecore runs in the capture kernel, after a crash` });
  const { plan, diagnostics } = readDumpPlan(fs);
  for (const d of diagnostics) process.stderr.write(`${NAME}: ${formatDiagnostic(d)}\n`);
  const effects = await ctx.effects(false);
  const run = async (argv: readonly string[]): Promise<number> =>
    (await effects.processes.run(argv[0] ?? '', argv.slice(1), undefined, { inherit: true })).exitCode;
  const pipe = (producer: readonly string[], consumer: readonly string[]) => effects.processes.pipe(producer, consumer);
  // SIGTERM/SIGINT mid-copy: the partial dump keeps its -incomplete name, one line says so (stop-signals.ts).
  const ac = new AbortController();
  const off = onStopSignals(ac);
  let r: Awaited<ReturnType<typeof capture>>;
  try {
    r = await capture({ fs, plan, run, pipe, log: action, host: dumpHost(fs), ip: hostIp(), now: new Date(), vmcore: o.vmcore, signal: ac.signal });
  } finally {
    off();
  }
  if (ac.signal.aborted) {
    const s = stoppedSave(ac.signal.reason, r.saved !== null && !r.saved.complete ? r.saved : null);
    process.stderr.write(`${NAME}: ${s.line}\n`);
    return s.exitCode;
  }
  if (r.ok && r.remote !== undefined) success(`${NAME}: saved vmcore in ${r.remote}`);
  else if (r.ok && r.saved !== null) success(`${NAME}: saved vmcore in ${r.saved.dumpDir}`);
  else failure(`${NAME}: failed to save vmcore${r.saved === null ? '' : ` in ${r.saved.dumpDir}`}`);
  return r.ok ? 0 : 1;
}

export function buildKdumpConfig(setExit: (code: number) => void): Command {
  const program = new Command(NAME)
    .description("Debian kdump-tools' kdump-config on kexecctl: manage the crash kernel and save dumps.")
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showHelpAfterError(`(run "${NAME} help" for usage)`);
  const root = ['--root <dir>', 'read configuration, /proc and /sys under DIR (load/unload then need --dry-run)'] as const;
  program
    .command('show')
    .description('show dump mode, status and the current kexec command')
    .option(...root)
    .action((x: Opts) => setExit(show(x)));
  program
    .command('status')
    .description('say whether a crash kernel is loaded (exit 0 either way)')
    .option(...root)
    .action((x: Opts) => setExit(status(x)));
  program
    .command('test')
    .description('dry run: show the kernel, initrd and kexec command that load would use (nothing is loaded)')
    .option(...root)
    .action((x: Opts) => setExit(test(x)));
  program
    .command('load')
    .description('load the crash kernel')
    .option(...root)
    .option('--dry-run', 'check and print the load, change nothing')
    .action(async (x: Opts) => setExit(await load(x)));
  program
    .command('unload')
    .description('unload the crash kernel')
    .option(...root)
    .option('--dry-run', 'change nothing')
    .action(async (x: Opts) => setExit(await unload(x)));
  program
    .command('savecore')
    .description('capture kernel: save /proc/vmcore as /etc/default/kdump-tools and /etc/kdump.conf say (no reboot)')
    .option(...root)
    .option('--vmcore <file>', 'core to save', '/proc/vmcore')
    .action(async (x: Opts & { vmcore: string }) => setExit(await savecore(x)));
  program
    .command('help')
    .description('print usage')
    .action(() => {
      program.outputHelp();
      setExit(0);
    });
  return program;
}

export async function kdumpConfigMain(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildKdumpConfig((c) => {
    code = c;
  });
  if (argv.length === 0) {
    say(`Usage: ${NAME} {help|test|show|status|load|unload|savecore}`);
    return 1;
  }
  await program.parseAsync(argv, { from: 'user' });
  return code;
}
