/**
 * The files issue 14 keeps in /run/kexecctl (under the root), each written atomically (rename):
 *   fingerprint      the plan's inputs + what the refresh decided on: checked at shutdown by
 *                    kernel/kexecctl-unchanged (no node) before `kexecctl reboot --prepare --at-shutdown`;
 *   intent.json      the reboot intent the shutdown refresh would write, copied by that check;
 *   plan-cache.json  the last plan with the fingerprint of its inputs alone, for `kexecctl plan`
 *                    (read by cached-plan.ts).
 */
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { PLAN_CACHE_FILE, PLAN_CACHE_SCHEMA, RUN_DIR, underRoot as at, type PlanCache } from './cached-plan.js';
import { fingerprintLines, serializeFingerprint, type FingerprintInput } from './fingerprint.js';

export const FINGERPRINT_FILE = `${RUN_DIR}/fingerprint`;
export const INTENT_FILE = `${RUN_DIR}/intent.json`;

function writeAtomic(file: string, text: string): void {
  mkdirSync(posix.dirname(file), { recursive: true, mode: 0o755 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, file);
}

/** Writes the shutdown fingerprint, or (with a reason) one that never matches. */
export function writeFingerprint(root: string, input: FingerprintInput, never?: string): void {
  const lines = fingerprintLines(input);
  if (never !== undefined) lines.unshift(`X ${never}`);
  writeAtomic(at(root, FINGERPRINT_FILE), serializeFingerprint(lines));
}

export function removeFingerprint(root: string): void {
  rmSync(at(root, FINGERPRINT_FILE), { force: true });
  rmSync(at(root, INTENT_FILE), { force: true });
}

export function writeIntentForShutdown(root: string, intentJson: string): void {
  writeAtomic(at(root, INTENT_FILE), intentJson);
}

/**
 * Keeps a plan for `kexecctl plan` — only where /run/kexecctl already exists under the root (a
 * fixture tree or a read-only root is never written to), and never when an input is racy.
 */
export function writePlanCache(root: string, key: string, input: FingerprintInput, plan: unknown): boolean {
  const dir = at(root, RUN_DIR);
  try {
    if (!statSync(dir).isDirectory()) return false;
    const lines = fingerprintLines(input);
    if (lines.some((l) => l.startsWith('X '))) {
      rmSync(at(root, PLAN_CACHE_FILE), { force: true });
      return false;
    }
    const cache: PlanCache = { schema: PLAN_CACHE_SCHEMA, key, fingerprint: serializeFingerprint(lines), plan };
    writeAtomic(at(root, PLAN_CACHE_FILE), `${JSON.stringify(cache)}\n`);
    return true;
  } catch {
    return false;
  }
}
