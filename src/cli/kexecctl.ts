/**
 * kexecctl: the commander program. Each subcommand lives in src/cli/commands/<name>.ts
 * and exports register(program).
 */
import { Command } from 'commander';
import { VERSION } from '../version.js';

type Register = (program: Command) => void;

/**
 * Subcommand modules, loaded on demand: `kexecctl plan` loads only plan's module (and the GRUB
 * evaluator it needs), `status` never loads the evaluator; `--help` loads every module's
 * registration (each keeps its heavy imports inside its action).
 */
const COMMANDS: Array<[string, () => Promise<{ register: Register }>]> = [
  ['plan', () => import('./commands/plan.js')],
  ['list', () => import('./commands/list.js')],
  ['load', () => import('./commands/load.js')],
  ['unload', () => import('./commands/unload.js')],
  ['status', () => import('./commands/status.js')],
  ['exec', () => import('./commands/exec.js')],
  ['reboot', () => import('./commands/reboot.js')],
  ['coldreboot', () => import('./commands/coldreboot.js')],
  ['kdump', () => import('./commands/kdump.js')],
  ['config', () => import('./commands/config.js')],
  // fleet signals (issue 13)
  ['needs-reboot', () => import('./commands/needs-reboot.js')],
  ['verify', () => import('./commands/verify.js')],
  // kexec boot assessment and the watchdog handover (issue 12)
  ['boot-check', () => import('./commands/boot-state.js')],
  ['boot-complete', () => import('./commands/boot-state.js')],
];

function newProgram(): Command {
  return new Command('kexecctl')
    .description('Fast reboots through kexec: plan, load and boot the kernel your boot loader would boot.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run "kexecctl --help" for usage)');
}

/**
 * The program with every subcommand, or (when `only` names one) with that one alone: commander
 * dispatches `kexecctl NAME ...` to NAME without looking at the others, so the result is the same.
 */
export async function buildKexecctl(only?: string): Promise<Command> {
  const program = newProgram();
  const wanted = COMMANDS.filter(([name]) => only === undefined || name === only);
  const modules = await Promise.all((wanted.length > 0 ? wanted : COMMANDS).map(([, load]) => load()));
  for (const m of new Set(modules)) m.register(program); // one module may register several commands (boot-state.ts)
  return program;
}

export async function kexecctlMain(argv: string[]): Promise<number> {
  const program = await buildKexecctl(argv[0] !== undefined && COMMANDS.some(([n]) => n === argv[0]) ? argv[0] : undefined);
  await program.parseAsync(argv, { from: 'user' });
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
