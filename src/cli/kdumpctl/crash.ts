/** kdumpctl test (crash the machine on purpose) and save (capture kernel: write the dump, then reboot). */
import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { writeFileSync } from 'node:fs';
import { formatDiagnostic, KexecError } from '../../errors.js';
import type { RootFs } from '../../host/rootfs.js';
import { isCaptureCmdline } from '../../kdump/cmdline-edit.js';
import { kdumpStatus } from '../../kdump/control.js';
import { capture, dumpHost, hostIp, type PipeRunner } from '../../kdump/capture.js';
import { readDumpPlan } from '../../kdump/dump-config.js';
import type { Runner } from '../../kdump/save-dump.js';
import { readKexecState } from '../../kexec/state.js';
import { LINUX_REBOOT_CMD_HALT, LINUX_REBOOT_CMD_POWER_OFF, LINUX_REBOOT_CMD_RESTART } from '../../sys/constants.js';
import type { Effects } from '../../sys/get-kernel.js';
import { makeContext } from '../context.js';
import { onStopSignals, stoppedSave } from '../stop-signals.js';
type FinalAction = 'reboot' | 'poweroff' | 'halt' | 'none';
const FINAL_ACTIONS: readonly FinalAction[] = ['reboot', 'poweroff', 'halt', 'none'];

const say = (s: string): void => void process.stdout.write(`${s}\n`);
const log = (s: string): void => void process.stderr.write(`kdumpctl: ${s}\n`);

async function confirm(question: string, input: NodeJS.ReadableStream): Promise<boolean> {
  const rl = createInterface({ input, output: process.stderr });
  try {
    // End of input (stdin closed or empty) counts as "no".
    const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
    const answer = await Promise.race([rl.question(question), closed]);
    return answer.trim() === 'yes';
  } catch {
    return false; // stdin closed
  } finally {
    rl.close();
  }
}

export async function crashTest(opts: { root?: string; force?: boolean }, input: NodeJS.ReadableStream = process.stdin): Promise<number> {
  const ctx = makeContext(opts.root, { command: 'kdumpctl test' });
  // The effects first: a test run, or --root without a fake, is refused before anything is read or asked.
  await ctx.effects(false);
  const fs = ctx.fs;
  const st = kdumpStatus(readKexecState(fs, ctx.stateKernel()), fs.root);
  if (!st.operational) throw new KexecError({ code: 'EKDUMPNOTREADY', message: `${st.message}\nnot crashing: the dump would be lost`, exitCode: 3 });
  if (opts.force !== true) {
    process.stderr.write(
      'kdumpctl test panics the kernel now (echo c > /proc/sysrq-trigger): the machine stops, the capture kernel saves a vmcore, then it reboots.\n',
    );
    if (!(await confirm("Type 'yes' to continue: ", input))) {
      log('aborted, nothing was done');
      return 1;
    }
  }
  log('triggering a kernel panic through /proc/sysrq-trigger');
  writeFileSync(fs.hostPath('/proc/sysrq-trigger'), 'c');
  return 0; // only reached with --root or when sysrq is refused
}

/** After saving: through systemd when it runs the capture system, else reboot(2) directly. */
async function finalAction(action: FinalAction, fs: RootFs, effects: Effects): Promise<void> {
  if (action === 'none') return;
  log(`final action: ${action}`);
  if (fs.isDir('/run/systemd/system')) {
    const r = await effects.processes.run('systemctl', ['--no-block', action]);
    if (r.exitCode === 0) return;
    log(`systemctl --no-block ${action} exited with ${r.exitCode}; calling reboot(2) directly`);
  }
  const kernel = effects.kernel;
  kernel.sync();
  const cmd = action === 'reboot' ? LINUX_REBOOT_CMD_RESTART : action === 'poweroff' ? LINUX_REBOOT_CMD_POWER_OFF : LINUX_REBOOT_CMD_HALT;
  const res = kernel.reboot(cmd);
  if (!res.ok) throw new KexecError({ code: 'EREBOOT', errno: res.errno, syscall: 'reboot', message: `${action} failed: ${res.message}` });
}

type SaveCli = { root?: string; dir?: string; vmcore: string; finalAction?: string };

/** Runs a capture-side program (collector, mount, kdump_pre/post) as argv, its output on our console. */
function runnerOf(effects: Effects | null): Runner {
  return async (argv) => {
    if (effects === null) throw new KexecError({ code: 'EREADONLYROOT', message: `cannot run ${argv.join(' ')}: no process runner here` });
    const [cmd, ...args] = argv;
    try {
      return (await effects.processes.run(cmd ?? '', args, undefined, { inherit: true })).exitCode;
    } catch (e) {
      log(`${argv.join(' ')}: ${e instanceof Error ? e.message : String(e)}`);
      return 127;
    }
  };
}

/** `producer | consumer` through the Processes port (ssh targets). */
export function piperOf(effects: Effects | null): PipeRunner {
  return async (producer, consumer) => {
    if (effects === null)
      throw new KexecError({ code: 'EREADONLYROOT', message: `cannot run ${producer.join(' ')} | ${consumer.join(' ')}: no process runner here` });
    try {
      return await effects.processes.pipe(producer, consumer);
    } catch (e) {
      log(`${producer.join(' ')} | ${consumer.join(' ')}: ${e instanceof Error ? e.message : String(e)}`);
      return { producer: 127, consumer: 127 };
    }
  };
}

async function save(opts: SaveCli): Promise<number> {
  const ac = new AbortController();
  const off = onStopSignals(ac);
  try {
    return await saveUntilStopped(opts, ac.signal);
  } finally {
    off();
  }
}

async function saveUntilStopped(opts: SaveCli, signal: AbortSignal): Promise<number> {
  if (opts.finalAction !== undefined && !FINAL_ACTIONS.includes(opts.finalAction as FinalAction))
    throw new KexecError({ code: 'EUSAGE', message: `--final-action must be one of ${FINAL_ACTIONS.join(', ')}`, exitCode: 2 });
  const ctx = makeContext(opts.root, { command: 'kdumpctl save' });
  const fs = ctx.fs;
  const { plan, diagnostics } = readDumpPlan(fs);
  for (const d of diagnostics) log(formatDiagnostic(d));
  for (const w of plan.warnings) log(`warning: ${w}`);
  if (opts.dir !== undefined) {
    plan.path = { value: opts.dir, from: '--dir' };
    plan.target = { value: { kind: 'rootfs' }, from: '--dir' };
  }
  const override = opts.finalAction as FinalAction | undefined;
  const needsProcesses = plan.collector.argv !== null || plan.pre !== null || plan.post !== null || plan.target.value.kind !== 'rootfs';
  // The effects (collector, mount, reboot/poweroff at the end) first: refused in a test run or under
  // --root without a fake before anything is written, so no code path can save and then reboot the
  // wrong machine.
  const effects = override === 'none' && !needsProcesses ? null : await ctx.effects(false);
  const trigger = isCaptureCmdline(fs.readText('/proc/cmdline') ?? '');
  if (!trigger && !fs.exists(opts.vmcore)) {
    // Not a capture kernel: nothing to save, and above all no reboot of a healthy machine.
    throw new KexecError({
      code: 'ENOTCAPTURE',
      message: `not a capture kernel: ${opts.vmcore} does not exist and /proc/cmdline has no kexecctl.kdump=save; nothing saved, no ${override ?? plan.finalAction.value}`,
    });
  }
  if (!trigger) log('note: /proc/cmdline has no kexecctl.kdump=save; saving anyway');
  let code = 0;
  let action: FinalAction = override ?? plan.finalAction.value;
  let stopped: { bytes: number; vmcoreFile: string } | null = null;
  try {
    const r = await capture({
      fs,
      plan,
      run: runnerOf(effects),
      pipe: piperOf(effects),
      log,
      host: dumpHost(fs),
      ip: hostIp(),
      now: new Date(),
      vmcore: opts.vmcore,
      signal,
    });
    if (r.saved !== null) {
      const s = r.saved;
      if (s.interrupted !== undefined && !s.complete) stopped = s;
      say(`vmcore: ${s.vmcoreFile} (${s.bytes} bytes, ${s.complete ? 'complete' : 'INCOMPLETE'}, ${s.filtered ? 'filtered' : 'copied'} in ${s.copyMs} ms)`);
      say(`dmesg: ${s.dmesgFile || '(not saved)'}`);
    }
    if (r.remote !== undefined) say(`vmcore: ${r.remote}`);
    if (!r.ok) code = 1;
    if (override === undefined) action = r.action;
  } catch (e) {
    log(e instanceof Error ? e.message : String(e));
    code = 1;
  }
  if (signal.aborted) {
    const s = stoppedSave(signal.reason, stopped);
    log(`${s.line}; no final action`);
    return s.exitCode;
  }
  if (effects !== null) await finalAction(action, fs, effects);
  return code;
}

export function addCrashCommands(program: Command, setExit: (code: number) => void): void {
  program
    .command('test')
    .description('panic the kernel on purpose to test kdump (asks for confirmation)')
    .option('--root <dir>', 'read /sys and write proc/sysrq-trigger under DIR (only with a test fake)')
    .option('--force', 'do not ask for confirmation')
    .action(async (o: { root: string; force?: boolean }) => setExit(await crashTest(o)));
  program
    .command('save')
    .description('capture kernel: save /proc/vmcore and its kernel log under /var/crash, then reboot')
    .option('--root <dir>', 'read and write under DIR (the final action needs a test fake)')
    .option('--dir <dir>', 'dump directory on the root file system (default: path and target from /etc/kdump.conf, else /var/crash)')
    .option('--vmcore <file>', 'core to save', '/proc/vmcore')
    .option('--final-action <action>', `after saving: ${FINAL_ACTIONS.join(', ')} (default: final_action/failure_action from /etc/kdump.conf, else reboot)`)
    .action(async (o: SaveCli) => setExit(await save(o)));
}
