/**
 * The reboot intent, kept across the reboot. /run/kexecctl/loaded.json (the load record) lives in
 * tmpfs and is gone after a kexec; kexec-load.service then loads again and writes a new one. So
 * just before kexecctl hands the reboot to the init system (`kexecctl reboot`, and the shutdown
 * refresh `kexecctl reboot --prepare --at-shutdown`, both while / is still writable: systemd's
 * final `kexec -e` runs after / is remounted read-only), it writes
 * /var/lib/kexecctl/last-kexec.json: what is loaded (the load record: kernel, release, initrds,
 * cmdline), a digest of the initrds, the boot_id of the boot that is ending and the mode asked.
 * `kexecctl verify` reads it in the next boot. Nothing is added to the new kernel's command line.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { LoadRecord } from '../kexec/record.js';

export const LAST_KEXEC = '/var/lib/kexecctl/last-kexec.json';
export const LAST_KEXEC_SCHEMA = 'kexecctl.last-kexec/1';

export type RebootIntent = {
  schema: typeof LAST_KEXEC_SCHEMA;
  /** ISO 8601 time the reboot was handed to the init system (or the shutdown refresh ran). */
  time: string;
  /** How this reboot was meant to go: kexec into the record, or through the firmware. */
  mode: 'kexec' | 'cold';
  /** boot_id of the boot that asked for the reboot. */
  bootId: string | null;
  /** The kexec kernel loaded at that moment (null for a cold reboot with nothing loaded). */
  kernel: string | null;
  release: string | null;
  initrds: string[];
  cmdline: string | null;
  initrdDigest: string | null;
  /** Who wrote it: "kexecctl reboot" or "shutdown refresh". */
  by: string;
};

export function intentFromRecord(
  rec: LoadRecord | null,
  o: { mode: 'kexec' | 'cold'; bootId: string | null; initrdDigest: string | null; by: string; now?: Date },
): RebootIntent {
  return {
    schema: LAST_KEXEC_SCHEMA,
    time: (o.now ?? new Date()).toISOString(),
    mode: o.mode,
    bootId: o.bootId,
    kernel: rec?.kernel ?? null,
    release: rec?.release ?? null,
    initrds: rec?.initrds ?? [],
    cmdline: rec?.cmdline ?? null,
    initrdDigest: rec === null ? null : o.initrdDigest,
    by: o.by,
  };
}

/** Atomic write (rename) under a root directory ("/" on a real system). */
export function writeIntent(root: string, intent: RebootIntent): string {
  const file = posix.join(root, LAST_KEXEC);
  mkdirSync(posix.dirname(file), { recursive: true, mode: 0o755 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(intent, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
  return file;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The intent, or null when missing or not ours (a file that fails the shape check counts as missing). */
export function readIntent(root: string): RebootIntent | null {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(readFileSync(posix.join(root, LAST_KEXEC), 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (v['schema'] !== LAST_KEXEC_SCHEMA || (v['mode'] !== 'kexec' && v['mode'] !== 'cold') || typeof v['time'] !== 'string') return null;
  return {
    schema: LAST_KEXEC_SCHEMA,
    time: v['time'],
    mode: v['mode'],
    bootId: str(v['bootId']),
    kernel: str(v['kernel']),
    release: str(v['release']),
    initrds: Array.isArray(v['initrds']) ? v['initrds'].filter((s): s is string => typeof s === 'string') : [],
    cmdline: str(v['cmdline']),
    initrdDigest: str(v['initrdDigest']),
    by: str(v['by']) ?? 'unknown',
  };
}
