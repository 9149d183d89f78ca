/**
 * Issue 12, security: the files that decide what boots, and the places the planned kernel and
 * initrds live, checked for owner and mode the way kernels already are (build-plan.ts checkSafe).
 *  - Configuration (/etc/default/kexec + kexec.d, grub.cfg and every file GRUB read — sourced
 *    scripts, grubenv —, BLS entries and loader.conf, /etc/sysconfig/kexec): owned by someone other
 *    than root, or writable by group or others, is a warning naming the file: whoever can write it
 *    chooses the next kernel.
 *  - Kernel and initrds: their resolved path (symlinks followed, as the load opens it) must not
 *    lie in a directory a user can write (owned by a non-root uid, or group/other-writable, /tmp's
 *    sticky mode included): a symlink out of /boot into such a place lets that user swap what the
 *    next reboot boots. Refused on the running system, a warning when planning another root.
 */
import type { RootFs } from '../host/rootfs.js';

export type OwnerMode = { path: string; uid: number; mode: number };

const modeText = (m: number): string => (m & 0o7777).toString(8).padStart(4, '0');

/** Pure: why this file is not safe to decide what boots, or null. `checkOwner`: only on the running system (fixture roots belong to their user). */
export function configProblem(f: OwnerMode, checkOwner: boolean): string | null {
  if ((f.mode & 0o022) !== 0) {
    const who = (f.mode & 0o002) !== 0 ? 'others' : 'its group';
    return `${f.path} is writable by ${who} (mode ${modeText(f.mode)}), and it decides what boots: chmod go-w ${f.path}`;
  }
  if (checkOwner && f.uid !== 0) return `${f.path} is owned by uid ${f.uid}, not root, and it decides what boots: chown root: ${f.path}`;
  return null;
}

/** Pure: the first directory (root first) a non-root user could write in, or null. */
export function userWritableDir(dirs: readonly OwnerMode[], checkOwner: boolean): string | null {
  for (const d of dirs) {
    if ((d.mode & 0o022) !== 0) return `${d.path} is writable by ${(d.mode & 0o002) !== 0 ? 'others' : 'its group'} (mode ${modeText(d.mode)})`;
    if (checkOwner && d.uid !== 0) return `${d.path} is owned by uid ${d.uid}`;
  }
  return null;
}

function ownerMode(fs: RootFs, path: string): OwnerMode | null {
  const st = fs.stat(path);
  return st === null ? null : { path, uid: st.uid, mode: st.mode };
}

/** Warnings for the configuration files given (in-root paths; missing ones are skipped; each once). */
export function configTrustWarnings(fs: RootFs, files: readonly string[]): string[] {
  const out: string[] = [];
  for (const f of new Set(files)) {
    const om = ownerMode(fs, f);
    const p = om === null ? null : configProblem(om, fs.isHost);
    if (p !== null) out.push(p);
  }
  return out;
}

/** Why the resolved kernel/initrd path lies in a user-writable place, or null. */
export function untrustedPlace(fs: RootFs, role: string, asWritten: string): string | null {
  const real = fs.realpath(asWritten);
  const parts = real.split('/').filter(Boolean);
  const dirs: OwnerMode[] = [];
  for (let i = 1; i < parts.length; i++) {
    const om = ownerMode(fs, `/${parts.slice(0, i).join('/')}`);
    if (om !== null) dirs.push(om);
  }
  const why = userWritableDir(dirs, fs.isHost);
  if (why === null) return null;
  const via = real === asWritten ? real : `${asWritten} → ${real}`;
  return `${role} ${via} lies in a place a user can write (${why}): that user could replace what the next reboot boots`;
}
