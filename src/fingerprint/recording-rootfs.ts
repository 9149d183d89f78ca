/**
 * A RootFs that notes every path a plan touches (issue 14), so that a fingerprint of exactly those
 * inputs can be kept in /run/kexecctl and checked at shutdown without node:
 *   - each path resolved (every read, stat, existence test goes through realpath), and every
 *     symlink met on the way to it (a retargeted /vmlinuz or /boot/grub link changes the answer);
 *   - each directory listed (kexec.d, loader/entries, /dev/disk/by-uuid, /sys/block ...);
 *   - the content of each /proc and /sys file read (their stat says nothing about their content);
 *   - a path reached through /proc/self or /proc/thread-self under that name, not the reader's own
 *     /proc/PID: the plan reads /proc/self/mountinfo, which resolves to node's pid, gone when the
 *     shutdown check runs (in the distro VM every check said "changed" for that reason alone).
 * Like git's index (read-cache.c, ie_match_stat / is_racy_timestamp), what is kept is stat data;
 * the racy case is handled by fingerprint.ts.
 */
import { posix } from 'node:path';
import { RootFs } from '../host/rootfs.js';

/** What was done with a canonical in-root path. */
export type NoteRole = 'stat' | 'list' | 'content';

export type Notes = Map<string, Set<NoteRole>>;

/** /proc and /sys: content and listings are compared, never inode times (they are made up on lookup). */
export function isPseudo(inRoot: string): boolean {
  return inRoot === '/proc' || inRoot === '/sys' || inRoot.startsWith('/proc/') || inRoot.startsWith('/sys/');
}

function normalAbs(p: string): string {
  let n = posix.normalize(posix.join('/', p));
  while (n.length > 1 && n.endsWith('/')) n = n.slice(0, -1);
  return n;
}

export class RecordingRootFs extends RootFs {
  readonly notes: Notes;
  /** Date.now() before the first read: files changed after this are racy (fingerprint.ts). */
  readonly startedMs: number;
  private depth = 0;
  private readonly seen: Set<string>;

  constructor(root = '/', opts: { cache?: boolean; notes?: Notes; seen?: Set<string>; startedMs?: number } = {}) {
    super(root, opts.cache === true ? { cache: true } : {});
    this.notes = opts.notes ?? new Map();
    this.seen = opts.seen ?? new Set();
    this.startedMs = opts.startedMs ?? Date.now();
  }

  /** The same root, remembering lookups, noting into the same notes. */
  override withCache(): RootFs {
    return new RecordingRootFs(this.root, { cache: true, notes: this.notes, seen: this.seen, startedMs: this.startedMs });
  }

  /** [own dir, name] for /proc/thread-self and /proc/self when they are links here (fs/proc/self.c, thread_self.c). */
  private selfDirs: Array<[string, string]> | null = null;

  /** The name a canonical path has for any reader: /proc/PID/... of this process as /proc/self/... */
  private stable(canonical: string): string {
    if (!canonical.startsWith('/proc/')) return canonical;
    if (this.selfDirs === null) {
      this.selfDirs = [];
      this.depth++; // a lookup of our own, not the plan's: noted nowhere
      try {
        for (const name of ['/proc/thread-self', '/proc/self']) {
          const own = super.realpath(name);
          if (own !== name && /^\/proc\/\d+(?:\/task\/\d+)?$/.test(own)) this.selfDirs.push([own, name]);
        }
      } finally {
        this.depth--;
      }
    }
    for (const [own, name] of this.selfDirs) {
      if (canonical === own || canonical.startsWith(`${own}/`)) return name + canonical.slice(own.length);
    }
    return canonical;
  }

  private note(path: string, role: NoteRole): void {
    const canonical = this.stable(path);
    let roles = this.notes.get(canonical);
    if (roles === undefined) this.notes.set(canonical, (roles = new Set()));
    roles.add(role);
  }

  override realpath(inRoot: string): string {
    if (this.depth > 0) return super.realpath(inRoot);
    this.depth++;
    try {
      const real = super.realpath(inRoot);
      const n = normalAbs(inRoot);
      if (!this.seen.has(n)) {
        this.seen.add(n);
        this.noteChain(n, real);
      }
      return real;
    } finally {
      this.depth--;
    }
  }

  /** Every component of n as it is met (canonical parent + name): the symlinks among them, and the end. */
  private noteChain(n: string, real: string): void {
    // Resolved to itself: no component was a symlink (one would have been replaced by its target).
    if (real === n) {
      this.note(real, 'stat');
      return;
    }
    let parent = '/';
    const parts = n.split('/').filter(Boolean);
    parts.forEach((name, i) => {
      const met = parent === '/' ? `/${name}` : `${parent}/${name}`;
      const canon = i === parts.length - 1 ? real : super.realpath(met);
      if (canon !== met || i === parts.length - 1) this.note(met, 'stat');
      parent = canon;
    });
    this.note(real, 'stat');
  }

  override entries(inRoot: string): ReturnType<RootFs['entries']> {
    const e = super.entries(inRoot);
    if (this.depth === 0) this.note(this.realpath(inRoot), 'list');
    return e;
  }

  override readText(inRoot: string): string | null {
    const t = super.readText(inRoot);
    const real = this.realpath(inRoot);
    if (isPseudo(real)) this.note(real, 'content');
    return t;
  }

  override readBytes(inRoot: string, max?: number): Buffer | null {
    const b = super.readBytes(inRoot, max);
    const real = this.realpath(inRoot);
    if (isPseudo(real)) this.note(real, 'content');
    return b;
  }
}
