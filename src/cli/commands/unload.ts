/** kexecctl unload [--crash] [--dry-run] [--json]: kexec -u [-p]. */
import type { Command } from 'commander';
import { unloadKernel } from '../../kexec/unload.js';
import { makeContext } from '../context.js';
import { addCommon, debugSink, type CommonOpts } from './load-common.js';

export function register(program: Command): void {
  const cmd = program
    .command('unload')
    .description('unload the loaded kernel (or, with --crash, the crash kernel)')
    .option('--crash', 'unload the crash kernel');
  addCommon(cmd).action(async (opts: CommonOpts) => {
    const ctx = makeContext(opts.root, { command: 'kexecctl unload' });
    ctx.requireEffects(opts.dryRun === true);
    const kernel = await ctx.getKernel(opts.dryRun);
    const r = unloadKernel(kernel, { crash: opts.crash === true, mode: opts.mode }, { root: ctx.root, dryRun: opts.dryRun === true, ...debugSink(opts.debug) });
    if (opts.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    else process.stdout.write(r.dryRun ? `${r.call}\n` : `unloaded${opts.crash ? ' crash kernel' : ''} via ${r.syscall}\n`);
  });
}
