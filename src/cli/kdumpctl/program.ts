/** kdumpctl: Red Hat-compatible kdump control, built on kexecctl's loader. */
import { Command } from 'commander';
import { VERSION } from '../../version.js';
import { addCrashCommands } from './crash.js';
import { addCrashkernelCommands } from './crashkernel.js';
import { addPlanCommand } from './plan.js';
import { addServiceCommands } from './service.js';

export function buildKdumpctl(setExit: (code: number) => void): Command {
  const program = new Command('kdumpctl')
    .description('Load a crash kernel (kdump), and save a vmcore after a crash.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run "kdumpctl --help" for usage)');
  addServiceCommands(program, setExit);
  addCrashCommands(program, setExit);
  addPlanCommand(program, setExit);
  addCrashkernelCommands(program, setExit);
  return program;
}

export async function kdumpctlMain(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildKdumpctl((c) => {
    code = c;
  });
  if (argv.length === 0) {
    program.outputHelp();
    return 2;
  }
  await program.parseAsync(argv, { from: 'user' });
  return code;
}
