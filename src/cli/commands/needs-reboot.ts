/**
 * kexecctl needs-reboot [--json] [--root DIR] [--dry-run] [--no-sentinel]: does the running
 * kernel differ from what the plan would boot? Exit 0 yes, 1 no, 2 cannot tell (docs/fleet-json.md,
 * man/kexecctl-needs-reboot.8). Keeps /var/run/reboot-required as Debian's tools do (src/fleet/sentinel.ts).
 */
import type { Command, CommanderError } from 'commander';
import { isKexecError } from '../../errors.js';
import { makeContext } from '../context.js';

type Opts = { json?: boolean; root?: string; dryRun?: boolean; sentinel: boolean };

/** Usage errors exit 2: 1 means "no reboot needed" here. */
export function usageExit2(err: CommanderError): never {
  throw Object.assign(err, { exitCode: err.exitCode === 0 ? 0 : 2 });
}

export function register(program: Command): void {
  program
    .command('needs-reboot')
    .description('exit 0 when the running kernel differs from what the plan would boot, 1 when not, 2 when it cannot tell')
    .option('--json', 'print JSON (schema kexecctl.needs-reboot/1)')
    .option('--root <dir>', 'read (and keep the sentinel) under DIR')
    .option('-n, --dry-run', 'never write or clear /var/run/reboot-required')
    .option('--no-sentinel', 'leave /var/run/reboot-required alone')
    .exitOverride(usageExit2)
    .action(async (o: Opts) => {
      const ctx = makeContext(o.root, { command: 'kexecctl needs-reboot' });
      const { readRunning } = await import('../../fleet/running.js');
      const { plannedBoot } = await import('../../fleet/planned.js');
      const { decideNeedsReboot, needsRebootExit, NEEDS_REBOOT_SCHEMA } = await import('../../fleet/needs-reboot.js');
      const sentinel = await import('../../fleet/sentinel.js');
      const running = readRunning(ctx.fs);
      let planned: ReturnType<typeof plannedBoot> = { boot: null, reason: '' };
      let planError: string | null = null;
      try {
        const { resolveSystemPlan } = await import('../../plan/system-plan.js');
        planned = plannedBoot(ctx.fs, resolveSystemPlan(ctx.fs));
      } catch (e) {
        if (!isKexecError(e) && !(e instanceof Error)) throw e;
        planError = `cannot plan: ${e.message}`;
      }
      const v = decideNeedsReboot(running, planned.boot, planned.boot === null ? ('reason' in planned ? planned.reason : '') : '');
      const verdict = planError === null ? v : { needed: null, cause: 'no-plan' as const, reason: planError };
      const before = sentinel.readSentinel(ctx.fs);
      const change = sentinel.planSentinel(before, o.sentinel ? verdict.needed : null);
      let action: string = change.action;
      if (o.dryRun === true && change.action !== 'untouched') action = `${change.action} (dry run: not done)`;
      else if (change.action !== 'untouched') {
        try {
          sentinel.applySentinel(ctx.fs, before, change, verdict.reason);
        } catch (e) {
          action = `${change.action} failed: ${e instanceof Error ? e.message : String(e)}`;
          process.stderr.write(`kexecctl needs-reboot: cannot update ${sentinel.SENTINEL}: ${e instanceof Error ? e.message : String(e)}\n`);
        }
      }
      const out = {
        schema: NEEDS_REBOOT_SCHEMA,
        needed: verdict.needed,
        cause: verdict.cause,
        reason: verdict.reason,
        running: { release: running.release, cmdline: running.cmdline, bootId: running.bootId },
        planned: planned.boot,
        sentinel: { path: sentinel.SENTINEL, action, exists: ctx.fs.exists(sentinel.SENTINEL), packages: sentinel.readSentinel(ctx.fs).pkgs },
      };
      if (o.json === true) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      else {
        const word = verdict.needed === true ? 'yes' : verdict.needed === false ? 'no' : 'unknown';
        process.stdout.write(`${word}: ${verdict.reason}\n${sentinel.SENTINEL}: ${action}\n`);
      }
      process.exitCode = needsRebootExit(verdict);
    });
}
