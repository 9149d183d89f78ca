/**
 * Is what the kernel holds what a fresh plan asks for? Compared: the kernel and initrd paths,
 * the command line, and whether any of those files changed (ctime) after the load — a
 * reinstalled kernel keeps its path and its packaged mtime, but never its ctime.
 */
import type { LoadRecord } from '../kexec/record.js';
import type { WantedLoad } from './types.js';

export type Freshness = { fresh: true } | { fresh: false; reason: string };

export function compareWithRecord(
  want: Extract<WantedLoad, { action: 'load' }>,
  loaded: boolean,
  record: LoadRecord | null,
  ctimeMs: (path: string) => number | null,
): Freshness {
  if (!loaded) return { fresh: false, reason: 'no kexec kernel is loaded' };
  if (record === null) return { fresh: false, reason: 'a kernel is loaded but kexecctl has no record of what (loaded by another tool?)' };
  if (record.kernel !== want.kernel) return { fresh: false, reason: `loaded kernel ${record.kernel}, the plan now says ${want.kernel}` };
  if (record.initrds.join('\n') !== want.initrds.join('\n')) {
    return { fresh: false, reason: `loaded initrd ${record.initrds.join(' + ') || '(none)'}, the plan now says ${want.initrds.join(' + ') || '(none)'}` };
  }
  if (record.cmdline !== want.cmdline) return { fresh: false, reason: `loaded command line "${record.cmdline}", the plan now says "${want.cmdline}"` };
  const loadedAt = Date.parse(record.time);
  if (Number.isNaN(loadedAt)) return { fresh: false, reason: 'the load record has no valid time' };
  for (const f of [want.kernel, ...want.initrds]) {
    const c = ctimeMs(f);
    if (c === null) return { fresh: false, reason: `${f} is missing` };
    if (c > loadedAt) return { fresh: false, reason: `${f} changed after it was loaded` };
  }
  return { fresh: true };
}
