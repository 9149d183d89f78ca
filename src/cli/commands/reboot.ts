/**
 * kexecctl reboot [--force] [--dry-run]: refresh the load if stale, then reboot with kexec through
 * the init system (or at once with --force); a cold reboot, with the reason logged, when no kernel
 * can be loaded. --prepare only refreshes the load (used by kexec-load.service and the sysv script).
 * Every load it makes decompresses the kernel's payload first (issue 18), unless --no-verify.
 */
import type { Command } from 'commander';
import { describeRefresh, refreshLoad } from '../../reboot/refresh.js';
import { checkedLoad, checkedVerify } from '../checked-load.js';
import { kexecReboot } from '../../reboot/reboot.js';
import { makeContext } from '../context.js';
import { rebootDeps } from '../reboot-deps.js';
import { recordRebootIntent, withIntentRecording } from '../../fleet/intent-hook.js';
import { jsonReboot } from '../../fleet/json-reboot.js';
import { rebootIssue12 } from '../../reboot/reboot-issue12.js';
import { watchdogOption } from './exec.js';

type Opts = {
  force?: boolean;
  dryRun?: boolean;
  prepare?: boolean;
  atShutdown?: boolean;
  root?: string;
  verify: boolean;
  json?: boolean;
  coldOnFailure?: boolean;
  watchdog?: string;
};

export function register(program: Command): void {
  program
    .command('reboot')
    .description('reboot into the planned kernel with kexec (refreshing a stale load); cold reboot if it cannot be loaded')
    .option('-f, --force', 'do not go through the init system: sync and jump at once (like kexec -f)')
    .option('-n, --dry-run', 'print what would be done, change nothing')
    .option('--prepare', 'only make the loaded kernel match the plan (load, reload or unload); never reboot')
    .option('--at-shutdown', "with --prepare: the system is shutting down (consume grub-reboot's one-shot entry if rebooting)")
    .option('--root <dir>', 'read configuration and boot files under DIR (testing)')
    .option('--no-verify', "skip the kernel payload's deep check before a load (the structural checks always run)")
    .option('--json', 'print the outcome as JSON (schema kexecctl.reboot/1); a failed load exits 3 before any shutdown begins')
    .option('--cold-on-failure', 'with --json: reboot through the firmware when the load fails (the default without --json)')
    .option('--watchdog <sec>', 'arm /dev/watchdog0 for SEC seconds across the kexec jump (0: off; default KEXEC_WATCHDOG_SEC)')
    .action(async (o: Opts) => {
      const watchdog = watchdogOption(o.watchdog);
      const ctx = makeContext(o.root, { command: 'kexecctl reboot' });
      const dryRun = o.dryRun === true;
      ctx.requireEffects(dryRun);
      const made = await rebootDeps(ctx, dryRun);
      const kernel = made.kernel;
      let deps = made.deps;
      deps.load = checkedLoad(kernel, ctx, o.verify);
      deps.verify = checkedVerify(kernel, ctx, o.verify);
      if (o.prepare === true) {
        const r = await refreshLoad(deps, { dryRun, atShutdown: o.atShutdown === true });
        if (r.state === 'failed' || r.state === 'kept') {
          deps.warn(describeRefresh(r));
          process.exitCode = 1;
        } else deps.info(describeRefresh(r));
        // --- fleet hook (issue 13): the shutdown refresh of a reboot records the intent for `kexecctl verify`.
        // A kernel still loaded after a skipped refresh (LOAD_KEXEC=false, loaded by another tool) is
        // exec'd all the same by the stop hook, as Debian's /etc/init.d/kexec does: the reboot is a kexec.
        if (!dryRun && o.atShutdown === true && (await deps.rebootPending())) {
          const kexec = r.state === 'fresh' || r.state === 'loaded' || r.state === 'kept' || deps.loaded() === true;
          recordRebootIntent(deps, ctx.fs, kexec ? 'kexec' : 'cold', 'shutdown refresh');
        }
        return;
      }
      // --- issue 12 hook: --watchdog for the final kexec -e (via /run), and the --force jump through execLoaded.
      const i12 = await rebootIssue12(ctx, kernel, deps, { dryRun, ...(watchdog === undefined ? {} : { watchdog }) });
      deps = i12.deps;
      // --- fleet hook (issue 13): intent recorded just before the init system is asked; --json fails fast.
      if (!dryRun) deps = withIntentRecording(deps, ctx.fs, 'kexecctl reboot');
      if (o.json === true) {
        await jsonReboot(deps, { force: o.force === true, dryRun, coldOnFailure: o.coldOnFailure === true });
        return;
      }
      const out = await kexecReboot(deps, { force: o.force === true, dryRun, coldReason: i12.coldReason });
      if (dryRun) deps.info(`would reboot with ${out.mode === 'kexec' ? 'kexec' : 'the firmware (cold)'} via ${out.init}`);
    });
}
