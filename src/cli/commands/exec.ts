/**
 * kexecctl exec [--no-sync] [--no-ifdown] [--dry-run]: boot the loaded kernel now, like
 * kexec -e, refusing before any sync or network change unless a kernel is verifiably loaded.
 */
import type { Command } from 'commander';
import { assertLoaded, execLoaded } from '../../kexec/exec.js';
import { makeContext } from '../context.js';
import { debugSink } from './load-common.js';

type ExecOpts = { root?: string; dryRun?: boolean; json?: boolean; sync: boolean; ifdown: boolean; debug?: boolean };

export function register(program: Command): void {
  program
    .command('exec')
    .description('boot the loaded kernel now (no shutdown: services are not stopped)')
    .option('--no-sync', 'do not sync file systems first')
    .option('--no-ifdown', 'leave network interfaces up')
    .option('--root <dir>', 'root for /sys and /proc (default /)')
    .option('--dry-run', 'check that a kernel is loaded and print what would be done')
    .option('--json', 'print JSON (the steps of a dry run; what was done when the jump returns under a fake)')
    .option('-d, --debug', 'print each step')
    .action(async (opts: ExecOpts) => {
      const ctx = makeContext(opts.root, { command: 'kexecctl exec' });
      ctx.requireEffects(opts.dryRun === true);
      if (opts.dryRun) {
        const k = ctx.stateKernel();
        assertLoaded(ctx.fs, k);
        const steps = [
          ...(opts.sync ? ['sync()'] : []),
          ...(opts.ifdown ? (await ctx.net(k).listUp()).map((n) => `ioctl(SIOCSIFFLAGS, ${n}, down)`) : []),
          'reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC, NULL)',
        ];
        process.stdout.write(opts.json ? JSON.stringify({ dryRun: true, steps }, null, 2) + '\n' : steps.join('\n') + '\n');
        return;
      }
      assertLoaded(ctx.fs, ctx.stateKernel()); // before even loading the binding
      const kernel = await ctx.getKernel();
      const warn = (l: string): void => void process.stderr.write(`kexecctl: ${l}\n`);
      const done = await execLoaded(kernel, { fs: ctx.fs, sync: opts.sync, ifdown: opts.ifdown, net: ctx.net(kernel), warn, ...debugSink(opts.debug) });
      // Only reached when reboot(KEXEC) returned success without jumping: the recording fake.
      if (opts.json) process.stdout.write(JSON.stringify({ dryRun: false, ...done }, null, 2) + '\n');
    });
}
