/**
 * `kexecctl reboot` and issue 12: --watchdog N is left in /run/kexecctl/watchdog-sec for the final
 * `kexec -e` (systemd-shutdown keeps /run mounted; execLoaded reads it), the --force jump goes through
 * execLoaded (pre-exec.d hooks, KEXEC_COLD_IF_DRIVERS, the watchdog), and the reasons that make
 * this reboot cold (a bound KEXEC_COLD_IF_DRIVERS driver, a failed last kexec boot) are handed to
 * kexecReboot.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { RootFs } from '../host/rootfs.js';
import { execLoaded } from '../kexec/exec.js';
import type { Kernel } from '../sys/kernel.js';
import type { RebootDeps } from './types.js';
import { issue12Status } from './watchdog-status-rows.js';
import { WATCHDOG_RUN_FILE } from './watchdog.js';

export async function rebootIssue12(
  ctx: { fs: RootFs; root: string },
  kernel: Kernel,
  deps: RebootDeps,
  o: { dryRun: boolean; watchdog?: number },
): Promise<{ deps: RebootDeps; coldReason: string | null }> {
  const coldReason = issue12Status(ctx.fs).cold;
  if (o.watchdog !== undefined) {
    if (o.dryRun) deps.info(`would arm /dev/watchdog0 for ${o.watchdog} s at the kexec jump (${WATCHDOG_RUN_FILE})`);
    else {
      const file = posix.join(ctx.root, WATCHDOG_RUN_FILE);
      mkdirSync(posix.dirname(file), { recursive: true, mode: 0o755 });
      writeFileSync(file, `${o.watchdog}\n`, { mode: 0o644 });
    }
  }
  const execNow = async (): Promise<string | null> => {
    try {
      await execLoaded(kernel, {
        fs: ctx.fs,
        sync: true,
        ifdown: false,
        warn: (l) => deps.warn(l),
        info: (l) => deps.info(l),
        runner: deps.runner,
        ...(o.watchdog === undefined ? {} : { watchdog: o.watchdog }),
      });
      return null; // only a fake "jumps" and returns
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  };
  return { deps: { ...deps, execNow }, coldReason };
}
