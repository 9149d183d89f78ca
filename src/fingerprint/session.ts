/**
 * One refresh's fingerprint bookkeeping (issue 14): the plan runs on a RecordingRootFs, and when
 * the refresh is over (load done, or found fresh, or nothing to load) the fingerprint of what the
 * plan read and of what the decision read (the load record, kexec_loaded or the fake's state
 * file, kexecctl's own code) goes to /run/kexecctl, with the plan cache for `kexecctl plan`.
 * A failed refresh removes the fingerprint: the shutdown check then always runs node.
 */
import { realpathSync } from 'node:fs';
import type { RootFs } from '../host/rootfs.js';
import type { FingerprintInput } from './fingerprint.js';
import { RecordingRootFs, type Notes } from './recording-rootfs.js';
import { SYSTEM_PLAN_KEY } from './cached-plan.js';
import { removeFingerprint, writeFingerprint, writeIntentForShutdown, writePlanCache } from './store.js';

export type RefreshState = 'fresh' | 'loaded' | 'skipped' | 'failed';

/** Host paths of the running kexecctl (the entry script): a package upgrade replaces it. */
export function codeFiles(): string[] {
  const entry = process.argv[1];
  if (entry === undefined) return [];
  try {
    return [realpathSync(entry)];
  } catch {
    return [];
  }
}

export type SessionOptions = {
  /** Host files the "is it loaded" answer comes from besides /sys (the KEXECCTL_FAKE state file). */
  stateFiles?: readonly string[];
  /** The reboot intent the shutdown refresh would record for this outcome (JSON text), or null. */
  intent?: (state: RefreshState) => Promise<string | null>;
};

export class FingerprintSession {
  private fs: RecordingRootFs | null = null;
  private plan: unknown = undefined;

  constructor(
    private readonly base: RootFs,
    private readonly opts: SessionOptions = {},
  ) {}

  /** A fresh recording view for one plan; the last one made is the one fingerprinted. */
  recordingFs(): RecordingRootFs {
    this.fs = new RecordingRootFs(this.base.root);
    this.plan = undefined;
    return this.fs;
  }

  /** The plan computed on recordingFs(), kept for the plan cache. */
  planned(plan: unknown): void {
    this.plan = plan;
  }

  private input(fs: RecordingRootFs, withState: boolean): FingerprintInput {
    const state: Notes = new Map([['/run/kexecctl/loaded.json', new Set(['stat'] as const)]]);
    const extra = this.opts.stateFiles ?? [];
    if (extra.length === 0) state.set('/sys/kernel/kexec_loaded', new Set(['stat', 'content'] as const));
    return {
      root: fs.root,
      notes: fs.notes,
      startedMs: fs.startedMs,
      ...(withState ? { state } : {}),
      code: withState ? [...codeFiles(), ...extra] : codeFiles(),
    };
  }

  /** Called once the refresh is over (never for a dry run). */
  async refreshed(state: RefreshState, oneShot: string | undefined): Promise<void> {
    const fs = this.fs;
    const root = this.base.root;
    try {
      if (fs === null || state === 'failed') {
        removeFingerprint(root);
        return;
      }
      const intent = (await this.opts.intent?.(state)) ?? null;
      if (intent !== null) writeIntentForShutdown(root, intent);
      // A one-shot choice (grub-reboot) must be consumed by the shutdown refresh itself.
      const never = oneShot !== undefined ? `the plan boots the one-shot choice in ${oneShot}` : undefined;
      writeFingerprint(root, this.input(fs, true), never);
      if (this.plan !== undefined) writePlanCache(root, SYSTEM_PLAN_KEY, this.input(fs, false), this.plan);
    } catch {
      // Best effort: without a fingerprint the shutdown check runs node, which is always right.
      try {
        removeFingerprint(root);
      } catch {
        /* nothing more to do */
      }
    }
  }
}
