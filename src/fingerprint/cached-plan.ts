/**
 * The plan cache's names and its reader (issue 14): /run/kexecctl/plan-cache.json under the root
 * holds the last plan and the fingerprint of its inputs; the plan is handed back only while every
 * line of that fingerprint still holds. The writer is store.ts; this file stays small because
 * `kexecctl plan` loads it before anything else.
 */
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fingerprintHolds } from './check.js';

export const RUN_DIR = '/run/kexecctl';
export const PLAN_CACHE_FILE = `${RUN_DIR}/plan-cache.json`;
export const PLAN_CACHE_SCHEMA = 'kexecctl.plan-cache/1';
/** The cache key of a plan for the configuration (not a --instance template). */
export const SYSTEM_PLAN_KEY = 'system';

export type PlanCache = { schema: string; key: string; fingerprint: string; plan: unknown };

export const underRoot = (root: string, p: string): string => (root === '/' ? p : posix.join(root, p));

/** The cached plan when its key matches and every input is as it was, else null. */
export function readPlanCache(root: string, key: string): unknown {
  const file = underRoot(root, PLAN_CACHE_FILE);
  if (!existsSync(file)) return null;
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as Partial<PlanCache>;
    if (c.schema !== PLAN_CACHE_SCHEMA || c.key !== key || typeof c.fingerprint !== 'string' || c.plan === undefined) return null;
    return fingerprintHolds(c.fingerprint) ? c.plan : null;
  } catch {
    return null;
  }
}
