/**
 * kexecctl load [--kernel K --initrd I... --append S] [--crash] [--dry-run] [--json]
 * With no --kernel it loads the system plan (what a reboot would boot), when a plan
 * provider exists.
 */
import type { Command } from 'commander';
import { KexecError } from '../../errors.js';
import { loadKernelChecked, type LoadResult } from '../../kexec/load.js';
import { makeContext } from '../context.js';
import { addCommon, collect, debugSink, type CommonOpts } from './load-common.js';

type LoadOpts = CommonOpts & { kernel?: string; initrd: string[]; append?: string; verify: boolean };

export function printLoad(r: LoadResult, json: boolean | undefined): void {
  for (const w of r.warnings) process.stderr.write(`kexecctl: warning: ${w}\n`);
  if (json) {
    process.stdout.write(
      JSON.stringify(
        { dryRun: r.dryRun, syscall: r.syscall, call: r.call, attempts: r.attempts, image: r.image, record: r.record, warnings: r.warnings },
        null,
        2,
      ) + '\n',
    );
    return;
  }
  if (r.dryRun) process.stdout.write(`${r.call}\n`);
  else
    process.stdout.write(
      `loaded ${r.record.crash ? 'crash kernel ' : ''}${r.record.kernel}${r.image.release === null ? '' : ` (${r.image.release})`} via ${r.syscall}\n`,
    );
}

export function register(program: Command): void {
  const cmd = program
    .command('load')
    .description('load a kernel to boot later (kexecctl exec, reboot); without --kernel, the planned one')
    .option('--kernel <file>', 'kernel image (bzImage or arm64 Image)')
    .option('--initrd <file>', 'initial ramdisk; repeat to concatenate several, in order', collect, [] as string[])
    .option('--append <cmdline>', 'the new kernel command line (the last one wins)')
    .option('--crash', 'load as the crash (panic) kernel')
    .option('--no-verify', "skip the kernel payload's deep check (decompressing it before the load); the structural checks always run");
  addCommon(cmd).action(async (opts: LoadOpts) => {
    const ctx = makeContext(opts.root, { command: 'kexecctl load' });
    ctx.requireEffects(opts.dryRun === true);
    let req;
    let planWarnings: string[] = [];
    if (opts.kernel === undefined) {
      if (opts.initrd.length > 0 || opts.append !== undefined) {
        throw new KexecError({ code: 'EUSAGE', message: '--initrd and --append need --kernel', exitCode: 2 });
      }
      const { resolvePlanRequest } = await import('./plan-hook.js'); // lazy: the GRUB evaluator
      ({ req, warnings: planWarnings } = await resolvePlanRequest(ctx, { crash: opts.crash === true, mode: opts.mode }));
    } else {
      req = {
        kernelPath: opts.kernel,
        initrdPaths: opts.initrd,
        cmdline: opts.append ?? '',
        crash: opts.crash === true,
        mode: opts.mode,
      };
    }
    // Issue 18: a planned or named load decompresses the kernel first unless --no-verify.
    req = { ...req, verify: opts.verify };
    const kernel = await ctx.getKernel(opts.dryRun);
    const r = await loadKernelChecked(kernel, req, { root: ctx.root, trust: ctx.trust, dryRun: opts.dryRun === true, ...debugSink(opts.debug) });
    // Then the plan's own warnings (a garbage grubenv, a self-sourcing grub.cfg …), as `kexecctl plan` prints them.
    printLoad({ ...r, warnings: [...r.warnings, ...planWarnings] }, opts.json);
  });
}
