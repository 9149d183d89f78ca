/** `kexecctl kdump plan`: the same crash plan as `kdumpctl plan`. */
import type { Command } from 'commander';
import { addPlanCommand } from '../kdumpctl/plan.js';

export function register(program: Command): void {
  const kdump = program.command('kdump').description('kdump (crash kernel) commands; see also kdumpctl(8)');
  addPlanCommand(kdump, (code) => {
    process.exitCode = code;
  });
}
