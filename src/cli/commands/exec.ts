/**
 * kexecctl exec [--no-sync] [--no-ifdown] [--watchdog N] [--dry-run]: boot the loaded kernel now,
 * like kexec -e, refusing before any sync or network change unless a kernel is verifiably loaded.
 * Before the jump: KEXEC_COLD_IF_DRIVERS, the /etc/kexecctl/pre-exec.d hooks, the reboot intent
 * for `kexecctl verify`/`boot-check`, and the watchdog (issue 12).
 */
import type { Command } from 'commander';
import { KexecError } from '../../errors.js';
import { execLoaded, assertLoaded, execSettings } from '../../kexec/exec.js';
import { boundColdDrivers, describeColdDrivers } from '../../reboot/cold-drivers.js';
import { listPreExecHooks, PRE_EXEC_DIR } from '../../reboot/pre-exec.js';
import { parseWatchdogSec, WATCHDOG_DEVICE } from '../../reboot/watchdog.js';
import { recordExecIntent } from '../../reboot/watchdog-intent.js';
import { makeContext } from '../context.js';
import { debugSink } from './load-common.js';

type ExecOpts = { root?: string; dryRun?: boolean; json?: boolean; sync: boolean; ifdown: boolean; debug?: boolean; watchdog?: string };

/** --watchdog N: whole seconds, 0 (off) to 3600; one clear line otherwise. */
export function watchdogOption(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = parseWatchdogSec(v);
  if (n === null) throw new KexecError({ code: 'EUSAGE', exitCode: 2, message: `--watchdog ${v}: expected whole seconds from 0 (off) to 3600` });
  return n;
}

export function register(program: Command): void {
  program
    .command('exec')
    .description('boot the loaded kernel now (no shutdown: services are not stopped)')
    .option('--no-sync', 'do not sync file systems first')
    .option('--no-ifdown', 'leave network interfaces up')
    .option('--watchdog <sec>', 'arm /dev/watchdog0 for SEC seconds across the jump (0: off; default KEXEC_WATCHDOG_SEC)')
    .option('--root <dir>', 'root for /sys and /proc (default /)')
    .option('--dry-run', 'check that a kernel is loaded and print what would be done')
    .option('--json', 'print JSON (the steps of a dry run; what was done when the jump returns under a fake)')
    .option('-d, --debug', 'print each step')
    .action(async (opts: ExecOpts) => {
      const watchdog = watchdogOption(opts.watchdog);
      const ctx = makeContext(opts.root, { command: 'kexecctl exec' });
      ctx.requireEffects(opts.dryRun === true);
      if (opts.dryRun) {
        const k = ctx.stateKernel();
        assertLoaded(ctx.fs, k);
        const set = execSettings(ctx.fs, watchdog);
        const cold = describeColdDrivers(boundColdDrivers(ctx.fs, set.coldIfDrivers));
        const steps = [
          ...(cold === null ? [] : [`refuse: ${cold}`]),
          ...listPreExecHooks(ctx.fs).run.map((h) => `run ${PRE_EXEC_DIR}/${h}`),
          ...(opts.sync ? ['sync()'] : []),
          ...(opts.ifdown ? (await ctx.net(k).listUp()).map((n) => `ioctl(SIOCSIFFLAGS, ${n}, down)`) : []),
          ...(set.watchdog > 0 ? [`open(${WATCHDOG_DEVICE}), ioctl(WDIOC_SETTIMEOUT, ${set.watchdog}), left running`] : []),
          'reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC, NULL)',
        ];
        process.stdout.write(opts.json ? JSON.stringify({ dryRun: true, steps }, null, 2) + '\n' : steps.join('\n') + '\n');
        return;
      }
      assertLoaded(ctx.fs, ctx.stateKernel()); // before even loading the binding
      const { kernel, processes } = await ctx.effects(false);
      const warn = (l: string): void => void process.stderr.write(`kexecctl: ${l}\n`);
      const info = (l: string): void => void process.stderr.write(`kexecctl: ${l}\n`);
      recordExecIntent(ctx.fs, warn);
      const done = await execLoaded(kernel, {
        fs: ctx.fs,
        sync: opts.sync,
        ifdown: opts.ifdown,
        net: ctx.net(kernel),
        warn,
        info,
        runner: processes,
        ...(watchdog === undefined ? {} : { watchdog }),
        ...debugSink(opts.debug),
      });
      // Only reached when reboot(KEXEC) returned success without jumping: the recording fake.
      if (opts.json) process.stdout.write(JSON.stringify({ dryRun: false, ...done }, null, 2) + '\n');
    });
}
