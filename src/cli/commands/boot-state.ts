/**
 * kexecctl boot-check / boot-complete (issue 12; units kexecctl-boot-check.service and
 * kexecctl-watchdog-handover.service): did the last kexec boot come up, and the watchdog handover.
 *   boot-check     early in a boot: claim the kexec intent, or find that the kexec boot failed;
 *                  then this boot's reboot is cold (/no-kexec-reboot, kernel unloaded), exit 1.
 *   boot-complete  after boot-complete.target / multi-user.target: stop (hand over) the watchdog
 *                  armed for the jump, and mark the kexec boot complete.
 */
import type { Command } from 'commander';
import { readIntent } from '../../fleet/last-kexec.js';
import { readRunning } from '../../fleet/running.js';
import { NO_KEXEC_FLAG } from '../../reboot/types.js';
import { handOverWatchdog, WATCHDOG_DEVICE } from '../../reboot/watchdog.js';
import { completeBoot, decideBootCheck, readBootState, writeBootState } from '../../reboot/watchdog-boot.js';
import { makeContext } from '../context.js';
import { rebootDeps } from '../reboot-deps.js';

type Opts = { root?: string; dryRun?: boolean; watchdog: boolean; device?: string };

async function bootCheck(o: Opts): Promise<number> {
  const dryRun = o.dryRun === true;
  const ctx = makeContext(o.root, { command: 'kexecctl boot-check' });
  ctx.requireEffects(dryRun);
  const run = readRunning(ctx.fs);
  const d = decideBootCheck(readIntent(ctx.root), readBootState(ctx.root), run);
  const say = (l: string): void => void process.stdout.write(`kexecctl: ${l}\n`);
  if (d.action === 'none') {
    say(`boot-check: ${d.why}`);
    return 0;
  }
  if (d.action === 'claim') {
    if (!dryRun) writeBootState(ctx.root, d.state);
    say(`boot-check: this boot (${run.bootId ?? 'unknown'}) came through kexec; boot-complete marks it good`);
    return 0;
  }
  const { deps } = await rebootDeps(ctx, dryRun);
  if (dryRun) {
    say(`boot-check: would make this boot's reboot cold: ${d.reason}`);
    return 1;
  }
  writeBootState(ctx.root, d.state);
  deps.touch(NO_KEXEC_FLAG);
  if (deps.loaded() === true) await deps.unload().catch((e: unknown) => deps.warn(`cannot unload: ${e instanceof Error ? e.message : String(e)}`));
  deps.warn(`${d.reason}: the next reboot goes through the firmware (${NO_KEXEC_FLAG} created)`);
  return 1;
}

async function bootComplete(o: Opts): Promise<number> {
  const dryRun = o.dryRun === true;
  const ctx = makeContext(o.root, { command: 'kexecctl boot-complete' });
  ctx.requireEffects(dryRun);
  const say = (l: string): void => void process.stdout.write(`kexecctl: ${l}\n`);
  let rc = 0;
  if (o.watchdog) {
    if (dryRun) say(`boot-complete: would stop ${o.device ?? WATCHDOG_DEVICE} (magic close) unless another process holds it`);
    else {
      const h = handOverWatchdog(await ctx.getKernel(), o.device ?? WATCHDOG_DEVICE);
      say(`boot-complete: watchdog: ${h.message}`);
      if (h.state === 'failed') rc = 1;
    }
  }
  const run = readRunning(ctx.fs);
  const done = completeBoot(readIntent(ctx.root), readBootState(ctx.root), run);
  if (done === null) say('boot-complete: no kexec boot to mark');
  else {
    if (!dryRun) writeBootState(ctx.root, done);
    say(`boot-complete: the kexec boot ${run.bootId ?? ''} reached boot-complete`);
  }
  return rc;
}

export function register(program: Command): void {
  program
    .command('boot-check')
    .description("early at boot: did the last kexec boot come up? If not, make this boot's reboot cold (exit 1)")
    .option('-n, --dry-run', 'say what would be done, change nothing')
    .option('--root <dir>', 'read /proc, /sys and /var/lib/kexecctl under DIR (testing)')
    .action(async (o: Opts) => {
      process.exitCode = await bootCheck(o);
    });
  program
    .command('boot-complete')
    .description('after boot: stop (hand over) the watchdog armed for the kexec jump and mark the kexec boot good')
    .option('--no-watchdog', 'leave the watchdog alone')
    .option('--device <dev>', 'watchdog device (default /dev/watchdog0)')
    .option('-n, --dry-run', 'say what would be done, change nothing')
    .option('--root <dir>', 'read /proc, /sys and /var/lib/kexecctl under DIR (testing)')
    .action(async (o: Opts) => {
      process.exitCode = await bootComplete(o);
    });
}
