/** The boot-target plan (src/plan) in the reboot paths' terms. */
import { KexecError } from '../errors.js';
import type { KexecPlan } from '../plan/types.js';
import type { WantedLoad } from './types.js';

export function wantedFromPlan(p: KexecPlan): WantedLoad {
  if (p.action === 'skip') return { action: 'skip', reason: p.reason };
  if (p.kernel === null || p.cmdline === null) {
    throw new KexecError({ code: 'EPLAN', message: `the plan has no ${p.kernel === null ? 'kernel' : 'command line'}: ${p.reason}` });
  }
  const want: WantedLoad = {
    action: 'load',
    kernel: p.kernel,
    initrds: [...p.initrd],
    cmdline: p.cmdline,
    source: p.entry ? `${p.source}: ${p.entry.title}` : p.source,
  };
  if (p.usedNextEntry && p.grubenv !== null) want.oneShot = p.grubenv;
  return want;
}
