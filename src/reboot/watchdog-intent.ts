/**
 * `kexecctl exec` jumps without the init system, so nothing else writes the reboot intent
 * (fleet/last-kexec.ts) that `kexecctl verify` and `kexecctl boot-check` read in the next boot:
 * write it here, from the load record, while / is still writable. Best effort: a read-only
 * /var/lib only costs those checks their answer, never the jump.
 */
import type { RootFs } from '../host/rootfs.js';
import { readLoadRecord } from '../kexec/record.js';
import { intentFromRecord, writeIntent } from '../fleet/last-kexec.js';
import { initrdDigest } from '../fleet/planned.js';
import { readRunning } from '../fleet/running.js';

export function recordExecIntent(fs: RootFs, warn: (l: string) => void): void {
  try {
    const rec = readLoadRecord(fs.root, false);
    const digest = rec === null ? null : initrdDigest(fs, rec.initrds);
    writeIntent(fs.root, intentFromRecord(rec, { mode: 'kexec', bootId: readRunning(fs).bootId, initrdDigest: digest, by: 'kexecctl exec' }));
  } catch (e) {
    warn(`cannot record the reboot for kexecctl verify: ${e instanceof Error ? e.message : String(e)}`);
  }
}
