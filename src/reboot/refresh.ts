/**
 * Make what is loaded match a fresh plan, so that the next reboot boots the kernel the boot
 * loader would boot — or, when that cannot be, nothing stale: unload and let the firmware do it.
 *   plan says load, loaded is fresh  → nothing
 *   plan says load, stale or absent  → load (a failed load unloads, logs why)
 *   plan says skip                   → unload what *we* loaded (an admin's manual kexec -l stays)
 *   planning fails                   → unload, log why
 */
import { isKexecError } from '../errors.js';
import { compareWithRecord } from './staleness.js';
import { NO_KEXEC_FLAG, type RebootDeps, type WantedLoad } from './types.js';

export type RefreshOutcome =
  | { state: 'fresh'; want: Extract<WantedLoad, { action: 'load' }> }
  | { state: 'loaded'; want: Extract<WantedLoad, { action: 'load' }>; why: string }
  | { state: 'skipped'; reason: string; unloaded: boolean }
  | { state: 'failed'; reason: string; unloaded: boolean };

export type RefreshOptions = {
  dryRun?: boolean;
  /** Called at shutdown (ExecStop, runlevel 6, --force): also consume a one-shot boot choice, as GRUB would. */
  atShutdown?: boolean;
};

function reasonOf(e: unknown): string {
  if (isKexecError(e)) return e.message;
  return e instanceof Error ? e.message : String(e);
}

async function unloadQuietly(deps: RebootDeps, onlyOurs: boolean, dryRun: boolean): Promise<boolean> {
  if (deps.loaded() !== true) return false;
  if (onlyOurs && deps.record() === null) return false;
  if (dryRun) {
    deps.info('would unload the loaded kexec kernel');
    return true;
  }
  try {
    await deps.unload();
    return true;
  } catch (e) {
    deps.warn(`cannot unload the stale kexec kernel: ${reasonOf(e)}`);
    return false;
  }
}

export async function refreshLoad(deps: RebootDeps, opts: RefreshOptions = {}): Promise<RefreshOutcome> {
  const o = await refreshOnce(deps, opts);
  // Issue 14 hook: the fingerprint the shutdown check (kernel/kexecctl-unchanged) compares, kept by src/fingerprint.
  if (opts.dryRun !== true) await deps.refreshed?.(o.state, o.state === 'fresh' || o.state === 'loaded' ? o.want.oneShot : undefined);
  return o;
}

async function refreshOnce(deps: RebootDeps, opts: RefreshOptions): Promise<RefreshOutcome> {
  const dryRun = opts.dryRun === true;
  let want: WantedLoad;
  try {
    want = await deps.plan();
  } catch (e) {
    const reason = `cannot plan the kexec kernel: ${reasonOf(e)}`;
    return { state: 'failed', reason, unloaded: await unloadQuietly(deps, false, dryRun) };
  }
  if (want.action === 'skip') {
    // After coldreboot (/no-kexec-reboot) nothing at all may stay loaded; otherwise only our own load goes.
    const onlyOurs = !deps.exists(NO_KEXEC_FLAG);
    return { state: 'skipped', reason: want.reason, unloaded: await unloadQuietly(deps, onlyOurs, dryRun) };
  }
  const freshness = compareWithRecord(want, deps.loaded() === true, deps.record(), (p) => deps.ctimeMs(p));
  if (freshness.fresh) {
    await consumeOneShot(deps, want, opts);
    return { state: 'fresh', want };
  }
  if (dryRun) {
    deps.info(`would load ${want.kernel}${want.initrds.length ? ` with ${want.initrds.join(' + ')}` : ''} cmdline "${want.cmdline}" (${freshness.reason})`);
    return { state: 'loaded', want, why: freshness.reason };
  }
  try {
    await deps.load(want);
    await consumeOneShot(deps, want, opts);
    return { state: 'loaded', want, why: freshness.reason };
  } catch (e) {
    const reason = `cannot load ${want.kernel}: ${reasonOf(e)}`;
    return { state: 'failed', reason, unloaded: await unloadQuietly(deps, false, dryRun) };
  }
}

/** The kernel about to be booted came from grub-reboot's next_entry: clear it, once, when rebooting. */
async function consumeOneShot(deps: RebootDeps, want: Extract<WantedLoad, { action: 'load' }>, opts: RefreshOptions): Promise<void> {
  if (want.oneShot === undefined || opts.atShutdown !== true || opts.dryRun === true) return;
  if (!(await deps.rebootPending())) return;
  try {
    deps.clearOneShot(want.oneShot);
    deps.info(`cleared the one-shot next_entry in ${want.oneShot} (booting it now, as GRUB would)`);
  } catch (e) {
    deps.warn(`cannot clear next_entry in ${want.oneShot}: ${reasonOf(e)}`);
  }
}

/** One line for logs and --prepare's output. */
export function describeRefresh(o: RefreshOutcome): string {
  switch (o.state) {
    case 'fresh':
      return `kexec kernel up to date: ${o.want.kernel} (${o.want.source})`;
    case 'loaded':
      return `loaded ${o.want.kernel} (${o.want.source}); was: ${o.why}`;
    case 'skipped':
      return `not loading: ${o.reason}${o.unloaded ? ' (unloaded the previous kexec kernel)' : ''}`;
    case 'failed':
      return `${o.reason}${o.unloaded ? '; unloaded the stale kexec kernel' : ''}; the next reboot goes through the firmware`;
  }
}
