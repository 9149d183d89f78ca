/**
 * coldreboot [--dry-run] [reboot args...] (also `kexecctl coldreboot`): a firmware reboot. Unloads
 * the kexec kernel, creates /no-kexec-reboot, then runs reboot with the remaining arguments.
 */
import type { Command } from 'commander';
import { coldReboot } from '../../reboot/coldreboot.js';
import { makeContext } from '../context.js';
import { rebootDeps } from '../reboot-deps.js';

export async function coldrebootMain(args: readonly string[], dryRun: boolean, root?: string): Promise<number> {
  const ctx = makeContext(root, { command: 'coldreboot' });
  ctx.requireEffects(dryRun);
  const { deps } = await rebootDeps(ctx, dryRun);
  return coldReboot(deps, args, { dryRun });
}

export function register(program: Command): void {
  program
    .command('coldreboot')
    .description('reboot through the firmware: unload the kexec kernel, create /no-kexec-reboot, run reboot [ARGS]')
    .option('-n, --dry-run', 'print what would be done, change nothing')
    .option('--root <dir>', 'the flag file and /run/kexecctl under DIR (testing)')
    .argument('[args...]', 'passed to reboot')
    .allowUnknownOption(true)
    .action(async (args: string[], o: { dryRun?: boolean; root?: string }) => {
      process.exitCode = await coldrebootMain(args, o.dryRun === true, o.root);
    });
}
