/**
 * The fingerprint of a plan's inputs (issue 14): one line per input, each the exact output of a
 * command a POSIX shell can run, so kernel/kexecctl-unchanged checks it with `stat -c`, `cksum`
 * and `ls` alone, and node checks it with the same lineFor():
 *   F DEV INO MODE SIZE MTIME CTIME PATH   stat -c '%d %i %f %s %.9Y %.9Z %n' (files, symlinks, listed dirs)
 *   T MODE MAJOR MINOR PATH                stat -c '%f %t %T %n' (other dirs, devices, anything in /proc, /sys or /dev)
 *   R PATH -> TARGET                       stat -c 'R %N' (a symlink in /dev, /sys or /proc: udev remakes
 *                                          /dev/disk/by-* links at every uevent of the disk, new inode and times)
 *   A PATH                                 must not exist (not even as a dangling symlink)
 *   C CRC SIZE PATH                        cksum PATH (content of a /proc or /sys file)
 *   M CRC SIZE PATH                        mountinfo without virtual file systems' lines, through cksum
 *   L CRC SIZE PATH                        LC_ALL=C ls -A1 PATH | cksum (a listed /proc, /sys or /dev directory)
 *   X REASON                               never unchanged (racy timestamp, a one-shot boot choice ...)
 * Any disagreement between the two formatters can only say "changed": a line either matches
 * byte for byte or not. Racy files (git's is_racy_timestamp): an input whose ctime is not clearly
 * older than the plan's first read may have changed again within the same timestamp tick, so it
 * makes the fingerprint never match rather than risk a wrong "unchanged".
 */
import { isPseudo, type Notes } from './recording-rootfs.js';
import { byteOrder, FINGERPRINT_END, FINGERPRINT_HEADER, lineFor, lstat, type LineKind } from './check.js';

/** Margins before the plan's start inside which a ctime is racy: ns-stamped file systems, and whole-second ones (vfat: 2 s). */
const RACY_NS_MS = 500;
const RACY_COARSE_MS = 2500;

const MOUNTINFO = /^\/proc\/(?:self|thread-self|\d+)\/mountinfo$/;

/**
 * Trees the kernel and udev make up (proc, sysfs, devtmpfs): their inode numbers and times say
 * nothing about what the plan read (udev before systemd 254 replaced every devlink of a disk at
 * each of its uevents: coldplug after the boot-time load, a change event when a writer closes the
 * disk), so links are compared by target, directories by listing, devices by type and number.
 */
export function isKernelTree(inRoot: string): boolean {
  return isPseudo(inRoot) || inRoot === '/dev' || inRoot.startsWith('/dev/');
}

/** /proc/self and /proc/thread-self point at whoever looks: only that they are links counts. */
const PER_READER = new Set(['/proc/self', '/proc/thread-self']);

export type FingerprintInput = {
  root: string;
  /** What the plan touched (RecordingRootFs.notes), in-root canonical paths. */
  notes: Notes;
  /** RecordingRootFs.startedMs; inputs changed after it (minus the margins) are racy. */
  startedMs: number;
  /** In-root paths of state the decision also read (loaded.json, kexec_loaded): noted the same way, never racy. */
  state?: Notes;
  /** Host paths of kexecctl's own code: an upgrade between load and shutdown changes them. */
  code?: readonly string[];
};

/** Every line, sorted by path and kind, with X lines for what cannot be fingerprinted. */
export function fingerprintLines(input: FingerprintInput): string[] {
  const out: string[] = [];
  const host = (p: string): string => (input.root === '/' ? p : `${input.root}${p}`);
  const add = (notes: Notes, racy: boolean): void => {
    for (const p of [...notes.keys()].sort(byteOrder)) {
      const roles = notes.get(p) as Set<string>;
      const h = host(p);
      const pseudo = isPseudo(p);
      const kinds: LineKind[] = [];
      const st = lstat(h);
      if (roles.has('content') && st !== null) kinds.push(MOUNTINFO.test(p) ? 'M' : 'C');
      if (st === null) kinds.push('A');
      else if (isKernelTree(p) && st.isSymbolicLink()) kinds.push(PER_READER.has(p) ? 'T' : 'R');
      else if (pseudo || (isKernelTree(p) && !st.isFile())) {
        kinds.push('T');
        if (roles.has('list') && st.isDirectory()) kinds.push('L');
      } else if (st.isDirectory() && !roles.has('list')) kinds.push('T');
      else if (st.isFile() || st.isSymbolicLink() || st.isDirectory()) kinds.push('F');
      else kinds.push('T');
      for (const k of kinds) {
        const line = lineFor(k, h);
        if (line === null) {
          out.push(`X cannot fingerprint ${JSON.stringify(h)}`);
          continue;
        }
        out.push(line);
      }
      if (racy && st !== null && kinds.includes('F')) {
        const coarse = st.ctimeNs % 1_000_000_000n === 0n;
        const limit = BigInt(input.startedMs - (coarse ? RACY_COARSE_MS : RACY_NS_MS)) * 1_000_000n;
        if (st.ctimeNs >= limit) out.push(`X racy ${JSON.stringify(h)} changed just before or while it was read`);
      }
    }
  };
  add(input.notes, true);
  if (input.state) add(input.state, false);
  for (const c of input.code ?? []) out.push(lineFor('F', c) ?? `X cannot fingerprint ${JSON.stringify(c)}`);
  return out;
}

export function serializeFingerprint(lines: readonly string[]): string {
  return `${FINGERPRINT_HEADER}\n${lines.join('\n')}${lines.length ? '\n' : ''}${FINGERPRINT_END}\n`;
}
