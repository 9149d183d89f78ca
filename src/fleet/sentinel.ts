/**
 * /var/run/reboot-required, the way Debian's tools keep it: update-notifier-common's
 * notify-reboot-required writes "*** System restart required ***" to it and appends the package
 * asking for the reboot to /var/run/reboot-required.pkgs; unattended-upgrades, motd and kured
 * (its default --reboot-sentinel) only test whether the file exists. Both live in /run (tmpfs):
 * a reboot clears them.
 *
 * Other packages write the same file, so kexecctl clears only what it wrote. Ownership is a
 * marker of ours, /run/kexecctl/reboot-required.ours, written only when *we* created the file
 * (it vanishes with the file at the next boot). We clear the file only when the marker is there
 * and no other package is listed in .pkgs; otherwise we only take our "kexecctl" line out.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { RootFs } from '../host/rootfs.js';

export const SENTINEL = '/var/run/reboot-required';
export const SENTINEL_PKGS = '/var/run/reboot-required.pkgs';
export const SENTINEL_MARK = '/run/kexecctl/reboot-required.ours';
export const SENTINEL_TEXT = '*** System restart required ***\n';
export const OUR_PKG = 'kexecctl';

export type SentinelState = { exists: boolean; pkgs: string[]; ours: boolean };

/** written: we created it; joined: someone else's file, our line added; kept: already ours; cleared: removed (ours, nobody else listed); left: someone else's, not touched; none: absent, nothing to do; untouched: no verdict. */
export type SentinelAction = 'written' | 'joined' | 'kept' | 'cleared' | 'left' | 'none' | 'untouched';

export type SentinelChange = {
  action: SentinelAction;
  /** The .pkgs lines after the change (null: remove the file). */
  pkgs: string[] | null;
  writeFile: boolean;
  removeFile: boolean;
  mark: 'write' | 'remove' | 'keep';
};

export function planSentinel(s: SentinelState, needed: boolean | null): SentinelChange {
  const others = s.pkgs.filter((p) => p !== OUR_PKG);
  const keep: SentinelChange = { action: 'untouched', pkgs: s.pkgs, writeFile: false, removeFile: false, mark: 'keep' };
  if (needed === null) return keep;
  if (needed) {
    const pkgs = s.pkgs.includes(OUR_PKG) ? s.pkgs : [...s.pkgs, OUR_PKG];
    if (!s.exists) return { action: 'written', pkgs, writeFile: true, removeFile: false, mark: 'write' };
    return { action: s.ours ? 'kept' : 'joined', pkgs, writeFile: false, removeFile: false, mark: 'keep' };
  }
  if (!s.exists) return { action: 'none', pkgs: others.length === 0 ? null : others, writeFile: false, removeFile: false, mark: s.ours ? 'remove' : 'keep' };
  if (s.ours && others.length === 0) return { action: 'cleared', pkgs: null, writeFile: false, removeFile: true, mark: 'remove' };
  // Someone else's reboot request (or ours joined by another package since): theirs from now on.
  return { action: 'left', pkgs: others.length === 0 ? null : others, writeFile: false, removeFile: false, mark: s.ours ? 'remove' : 'keep' };
}

export function readSentinel(fs: RootFs): SentinelState {
  const pkgs = (fs.readText(SENTINEL_PKGS) ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return { exists: fs.exists(SENTINEL), pkgs, ours: fs.exists(SENTINEL_MARK) };
}

/** Applies a change under the root (through in-root symlinks: /var/run is usually a link to /run). */
export function applySentinel(fs: RootFs, before: SentinelState, c: SentinelChange, why: string): void {
  const host = (p: string): string => fs.resolve(p);
  const samePkgs = c.pkgs !== null && c.pkgs.join('\n') === before.pkgs.join('\n');
  if (c.writeFile) {
    mkdirSync(posix.dirname(host(SENTINEL)), { recursive: true });
    writeFileSync(host(SENTINEL), SENTINEL_TEXT, { mode: 0o644 });
  }
  if (c.pkgs === null) rmSync(host(SENTINEL_PKGS), { force: true });
  else if (!samePkgs) writeFileSync(host(SENTINEL_PKGS), c.pkgs.map((p) => `${p}\n`).join(''), { mode: 0o644 });
  if (c.removeFile) rmSync(host(SENTINEL), { force: true });
  if (c.mark === 'write') {
    mkdirSync(posix.dirname(host(SENTINEL_MARK)), { recursive: true, mode: 0o755 });
    writeFileSync(host(SENTINEL_MARK), `${why}\n`, { mode: 0o644 });
  } else if (c.mark === 'remove') rmSync(host(SENTINEL_MARK), { force: true });
}

/** For tests and `--root`: the marker's text (our reason), or null. */
export function sentinelReason(fs: RootFs): string | null {
  try {
    return readFileSync(fs.resolve(SENTINEL_MARK), 'utf8').trim();
  } catch {
    return null;
  }
}
