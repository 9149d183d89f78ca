/** kdumpctl test (crash the machine on purpose) and save (capture kernel: write the dump, then reboot). */
import type { Command } from 'commander';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { KexecError } from '../../errors.js';
import { RootFs } from '../../host/rootfs.js';
import { isCaptureCmdline } from '../../kdump/cmdline-edit.js';
import { kdumpStatus } from '../../kdump/control.js';
import { saveVmcore } from '../../kdump/save.js';
import { LINUX_REBOOT_CMD_RESTART } from '../../sys/constants.js';
import { getKernel, isTestRun } from '../../sys/get-kernel.js';

const LINUX_REBOOT_CMD_POWER_OFF = 0x4321fedc;
const LINUX_REBOOT_CMD_HALT = 0xcdef0123;
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

export async function crashTest(opts: { root: string; force?: boolean }, input: NodeJS.ReadableStream = process.stdin): Promise<number> {
  const fs = new RootFs(opts.root);
  if (fs.isHost && isTestRun()) {
    throw new KexecError({ code: 'ETESTGUARD', message: 'refusing to crash the machine inside a test run; use --root DIR' });
  }
  const st = kdumpStatus(await getKernel(), fs.root);
  if (!st.operational) throw new KexecError({ code: 'EKDUMPNOTREADY', message: `${st.message}\nnot crashing: the dump would be lost`, exitCode: 3 });
  if (opts.force !== true) {
    process.stderr.write('kdumpctl test panics the kernel now (echo c > /proc/sysrq-trigger): the machine stops, the capture kernel saves a vmcore, then it reboots.\n');
    if (!(await confirm("Type 'yes' to continue: ", input))) {
      log('aborted, nothing was done');
      return 1;
    }
  }
  log('triggering a kernel panic through /proc/sysrq-trigger');
  writeFileSync(fs.hostPath('/proc/sysrq-trigger'), 'c');
  return 0; // only reached with --root or when sysrq is refused
}

function dumpHost(fs: RootFs): string {
  const h = hostname();
  if (h !== '' && h !== '(none)' && h !== 'localhost') return h;
  return fs.readText('/etc/hostname')?.trim() || h || 'localhost';
}

async function finalAction(action: FinalAction, fs: RootFs): Promise<void> {
  if (action === 'none') return;
  log(`final action: ${action}`);
  if (fs.isHost && fs.isDir('/run/systemd/system')) {
    await execa('systemctl', ['--no-block', action]);
    return;
  }
  const kernel = await getKernel();
  kernel.sync();
  const cmd = action === 'reboot' ? LINUX_REBOOT_CMD_RESTART : action === 'poweroff' ? LINUX_REBOOT_CMD_POWER_OFF : LINUX_REBOOT_CMD_HALT;
  const res = kernel.reboot(cmd);
  if (!res.ok) throw new KexecError({ code: 'EREBOOT', errno: res.errno, syscall: 'reboot', message: `${action} failed: ${res.message}` });
}

type SaveCli = { root: string; dir: string; vmcore: string; finalAction: string };

async function save(opts: SaveCli): Promise<number> {
  const action = opts.finalAction as FinalAction;
  if (!FINAL_ACTIONS.includes(action)) throw new KexecError({ code: 'EUSAGE', message: `--final-action must be one of ${FINAL_ACTIONS.join(', ')}`, exitCode: 2 });
  const fs = new RootFs(opts.root);
  const trigger = isCaptureCmdline(fs.readText('/proc/cmdline') ?? '');
  if (!trigger && !fs.exists(opts.vmcore)) {
    // Not a capture kernel: nothing to save, and above all no reboot of a healthy machine.
    throw new KexecError({ code: 'ENOTCAPTURE', message: `not a capture kernel: ${opts.vmcore} does not exist and /proc/cmdline has no kexecctl.kdump=save; nothing saved, no ${action}` });
  }
  if (!trigger) log('note: /proc/cmdline has no kexecctl.kdump=save; saving anyway');
  let code = 0;
  try {
    const r = saveVmcore({ vmcore: fs.hostPath(opts.vmcore), dir: fs.hostPath(opts.dir), host: dumpHost(fs), now: new Date(), log });
    say(`vmcore: ${r.vmcoreFile} (${r.bytes} bytes, ${r.complete ? 'complete' : 'INCOMPLETE'}, copied in ${r.copyMs} ms)`);
    say(`dmesg: ${r.dmesgFile}`);
    if (!r.complete) code = 1;
  } catch (e) {
    log(e instanceof Error ? e.message : String(e));
    code = 1;
  }
  await finalAction(action, fs);
  return code;
}

export function addCrashCommands(program: Command, setExit: (code: number) => void): void {
  program.command('test').description('panic the kernel on purpose to test kdump (asks for confirmation)').option('--root <dir>', 'system root', '/').option('--force', 'do not ask for confirmation')
    .action(async (o: { root: string; force?: boolean }) => setExit(await crashTest(o)));
  program.command('save').description('capture kernel: save /proc/vmcore and its kernel log under /var/crash, then reboot')
    .option('--root <dir>', 'system root', '/')
    .option('--dir <dir>', 'dump directory', '/var/crash')
    .option('--vmcore <file>', 'core to save', '/proc/vmcore')
    .option('--final-action <action>', `after saving: ${FINAL_ACTIONS.join(', ')}`, 'reboot')
    .action(async (o: SaveCli) => setExit(await save(o)));
}
