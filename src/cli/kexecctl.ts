/**
 * kexecctl: the commander program. Each subcommand lives in src/cli/commands/<name>.ts
 * and exports register(program).
 */
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerLoad } from './commands/load.js';
import { register as registerUnload } from './commands/unload.js';
import { register as registerExec } from './commands/exec.js';
import { register as registerPlan } from './commands/plan.js';
import { register as registerList } from './commands/list.js';
import { register as registerReboot } from './commands/reboot.js';
import { register as registerColdreboot } from './commands/coldreboot.js';
import { register as registerKdump } from './commands/kdump.js';

export function buildKexecctl(): Command {
  const program = new Command('kexecctl')
    .description('Fast reboots through kexec: plan, load and boot the kernel your boot loader would boot.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run "kexecctl --help" for usage)');
  for (const register of [registerPlan, registerList, registerLoad, registerUnload, registerStatus, registerExec, registerReboot, registerColdreboot, registerKdump]) {
    register(program);
  }
  return program;
}

export async function kexecctlMain(argv: string[]): Promise<number> {
  const program = buildKexecctl();
  await program.parseAsync(argv, { from: 'user' });
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
