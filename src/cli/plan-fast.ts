/**
 * `kexecctl plan [--json] [--root DIR]` straight from /run/kexecctl/plan-cache.json (issue 14),
 * before commander and the subcommand modules load: while every input of the cached plan holds
 * (its fingerprint, src/fingerprint), the answer is the cached plan, printed as `plan` prints it.
 * Any other argument, a missing root, a miss or an error: false, and the normal path runs.
 */
import { statSync } from 'node:fs';
import { posix } from 'node:path';
import { readPlanCache, SYSTEM_PLAN_KEY } from '../fingerprint/cached-plan.js';
import type { KexecPlan } from '../plan/types.js';

function parse(args: readonly string[]): { root: string; json: boolean } | null {
  let root = '/';
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--json') json = true;
    else if (a === '--root' && i + 1 < args.length) root = args[++i] as string;
    else if (a.startsWith('--root=')) root = a.slice('--root='.length);
    else return null;
  }
  return root === '' ? null : { root, json };
}

export async function planFromCache(args: readonly string[]): Promise<boolean> {
  try {
    const o = parse(args);
    if (o === null || !statSync(o.root).isDirectory()) return false;
    const plan = readPlanCache(posix.resolve(o.root), SYSTEM_PLAN_KEY) as KexecPlan | null; // as RootFs resolves --root
    if (plan === null) return false;
    process.stdout.write(o.json ? `${JSON.stringify(plan, null, 2)}\n` : (await import('./commands/plan.js')).formatPlan(plan));
    return true;
  } catch {
    return false;
  }
}
