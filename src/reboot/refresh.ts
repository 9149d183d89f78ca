/**
 * Make what is loaded match a fresh plan, so that the next reboot boots the kernel the boot
 * loader would boot — or, when that cannot be, nothing stale: unload and let the firmware do it.
 *   plan says load, loaded is fresh  → nothing
 *   plan says load, stale or absent  → load (a failed load unloads, logs why)
 *   plan says skip                   → unload what *we* loaded (an admin's manual kexec -l stays)
 *   planning fails                   → unload, log why
 *   the planned files fail their integrity check (issue 18) and the earlier load is still
 *   bootable (its release's modules are installed) → keep it, say so loudly ('kept'): kexec
 *   then rescues a machine whose default kernel on disk is broken. Nothing good loaded → unload
 *   and go cold, warning that the firmware meets the same broken file.
 */
import { isKexecError } from '../errors.js';
import type { LoadRecord } from '../kexec/record.js';
import { compareWithRecord } from './staleness.js';
import { NO_KEXEC_FLAG, type RebootDeps, type WantedLoad } from './types.js';

export type RefreshOutcome =
  | { state: 'fresh'; want: Extract<WantedLoad, { action: 'load' }> }
  | { state: 'loaded'; want: Extract<WantedLoad, { action: 'load' }>; why: string }
  | { state: 'skipped'; reason: string; unloaded: boolean }
  | { state: 'failed'; reason: string; unloaded: boolean }
  | { state: 'kept'; want: Extract<WantedLoad, { action: 'load' }>; kept: LoadRecord; reason: string };

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
  // A kept earlier load records no fingerprint: the next refresh must look again (and say so again).
  if (opts.dryRun !== true && o.state !== 'kept') await deps.refreshed?.(o.state, o.state === 'fresh' || o.state === 'loaded' ? o.want.oneShot : undefined);
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
    const bad = deps.verify === undefined ? null : await deps.verify(want);
    if (bad !== null) return refusedLoad(deps, want, bad, true);
    deps.info(`would load ${want.kernel}${want.initrds.length ? ` with ${want.initrds.join(' + ')}` : ''} cmdline "${want.cmdline}" (${freshness.reason})`);
    return { state: 'loaded', want, why: freshness.reason };
  }
  try {
    await deps.load(want);
    await consumeOneShot(deps, want, opts);
    return { state: 'loaded', want, why: freshness.reason };
  } catch (e) {
    if (isIntegrityRefusal(e)) return refusedLoad(deps, want, reasonOf(e), false);
    const reason = `cannot load ${want.kernel}: ${reasonOf(e)}`;
    return { state: 'failed', reason, unloaded: await unloadQuietly(deps, false, dryRun) };
  }
}

/** Refusals of the integrity checks (src/image/integrity codes): the file is damaged, not the system. */
export function isIntegrityRefusal(e: unknown): boolean {
  return isKexecError(e) && /^E(KERNEL|PAYLOAD|INITRD)_/.test(e.code) && e.code !== 'EPAYLOAD_UNSUPPORTED';
}

/**
 * Is what the kernel holds now a load of ours that can still boot this system: a non-crash
 * record with a known release whose modules are installed (a kernel without its modules would
 * come up without its drivers, which is no rescue). Returns the record, or why not.
 */
export function bootableEarlierLoad(deps: Pick<RebootDeps, 'loaded' | 'record' | 'exists'>): { record: LoadRecord } | { why: string } {
  if (deps.loaded() !== true) return { why: 'no earlier kexec kernel is loaded' };
  const r = deps.record();
  if (r === null) return { why: 'the loaded kexec kernel is not ours (no record of what it is)' };
  if (r.release === null) return { why: `the loaded ${r.kernel} has no known release, so its modules cannot be checked` };
  if (!deps.exists(`/lib/modules/${r.release}`) && !deps.exists(`/usr/lib/modules/${r.release}`))
    return { why: `the loaded ${r.kernel} (${r.release}) is stale: its modules are no longer installed` };
  return { record: r };
}

/** The planned files failed their check: keep a bootable earlier load, else unload and go cold. */
async function refusedLoad(deps: RebootDeps, want: Extract<WantedLoad, { action: 'load' }>, why: string, dryRun: boolean): Promise<RefreshOutcome> {
  const reason = `the planned ${want.kernel} (${want.source}) failed its check: ${why}`;
  const earlier = bootableEarlierLoad(deps);
  if ('record' in earlier) return { state: 'kept', want, kept: earlier.record, reason };
  const cold = `${reason}; ${earlier.why}; a firmware reboot meets the same broken file (the boot loader's default is ${want.kernel})`;
  return { state: 'failed', reason: cold, unloaded: await unloadQuietly(deps, false, dryRun) };
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
    case 'kept':
      return `KEEPING the earlier kexec load ${o.kept.kernel} (${o.kept.release ?? 'release unknown'}): ${o.reason}; the next reboot kexecs into the earlier kernel`;
  }
}
