/**
 * RootFs: every read of a system file goes through here, under a root directory
 * (default "/"), like systemd's --root. Paths given to it are absolute paths *inside*
 * the root; symlinks are chased inside the root and can never escape it.
 *
 * withCache() gives a view that remembers what it looked up (resolved directories, directory
 * entries and their types) for one pass over files that do not change while it runs: a GRUB
 * evaluation reads hundreds of files from a few directories (blscfg, a 2,000-entry grub.cfg).
 */
import { lstatSync, readFileSync, readdirSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { posix } from 'node:path';

const MAX_LINKS = 40;

/** A directory entry's type, symlinks not followed. */
export type EntryType = 'file' | 'dir' | 'link' | 'other';

type Cache = {
  /** In-root directory path → its canonical in-root path. */
  dirs: Map<string, string>;
  /** Canonical directory → its entries (null when unreadable). */
  entries: Map<string, ReadonlyMap<string, EntryType> | null>;
  /** Canonical path → its type (null: absent), for paths in directories not listed. */
  types: Map<string, EntryType | null>;
};

/** Matches what posix.normalize would change in an absolute path: "//", "/./", "/../", a final "/." or "/..". */
const NOT_NORMAL = /\/\/|\/\.\.?(?:\/|$)/;

/** posix.normalize(posix.join('/', p)) without a trailing "/", cheap when p is already normal. */
function normal(p: string): string {
  let n = p.startsWith('/') && !NOT_NORMAL.test(p) ? p : posix.normalize(posix.join('/', p));
  while (n.length > 1 && n.endsWith('/')) n = n.slice(0, -1);
  return n;
}

const joinName = (dir: string, name: string): string => (dir === '/' ? `/${name}` : `${dir}/${name}`);

function typeOf(st: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryType {
  return st.isSymbolicLink() ? 'link' : st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
}

export class RootFs {
  readonly root: string;
  private readonly cache: Cache | null;

  constructor(root = '/', opts: { cache?: boolean } = {}) {
    this.root = root === '/' ? '/' : posix.resolve(root);
    this.cache = opts.cache === true ? { dirs: new Map(), entries: new Map(), types: new Map() } : null;
  }

  get isHost(): boolean {
    return this.root === '/';
  }

  /** The same root, remembering lookups (see the file comment). */
  withCache(): RootFs {
    return new RootFs(this.root, { cache: true });
  }

  /** Host path for an in-root absolute path, without following symlinks. */
  hostPath(inRoot: string): string {
    const norm = posix.normalize(posix.join('/', inRoot));
    return this.root === '/' ? norm : posix.join(this.root, norm);
  }

  /**
   * Resolves symlinks inside the root (absolute link targets are taken relative to the root).
   * Returns the in-root canonical path; a dangling tail is kept as written.
   */
  realpath(inRoot: string): string {
    if (this.cache === null) return this.walk(inRoot);
    const p = normal(inRoot);
    if (p === '/') return p;
    const slash = p.lastIndexOf('/');
    const dir = slash === 0 ? '/' : p.slice(0, slash);
    let realDir = this.cache.dirs.get(dir);
    if (realDir === undefined) {
      realDir = this.realpath(dir);
      this.cache.dirs.set(dir, realDir);
    }
    const real = joinName(realDir, p.slice(slash + 1));
    return this.entryType(real) === 'link' ? this.walk(real) : real;
  }

  /** realpath without the cache: one lstat per component, links followed as met. */
  private walk(inRoot: string): string {
    const parts = posix.normalize(posix.join('/', inRoot)).split('/').filter(Boolean);
    let done: string[] = [];
    let links = 0;
    while (parts.length > 0) {
      const part = parts.shift() as string;
      if (part === '..') {
        done.pop();
        continue;
      }
      if (part === '.') continue;
      const candidate = [...done, part];
      const host = this.hostPath('/' + candidate.join('/'));
      let st: Stats | undefined;
      try {
        st = lstatSync(host);
      } catch {
        st = undefined;
      }
      if (st?.isSymbolicLink() === true) {
        if (++links > MAX_LINKS) return '/' + [...candidate, ...parts].join('/');
        const target = readlinkSync(host);
        const tparts = target.split('/').filter(Boolean);
        if (target.startsWith('/')) done = [];
        parts.unshift(...tparts);
        continue;
      }
      done = candidate;
    }
    return '/' + done.join('/');
  }

  /** Type of a path whose directory part is canonical: from a cached listing, else an lstat. */
  private entryType(real: string): EntryType | null {
    const slash = real.lastIndexOf('/');
    const listed = this.cache?.entries.get(slash === 0 ? '/' : real.slice(0, slash));
    if (listed !== undefined && listed !== null) return listed.get(real.slice(slash + 1)) ?? null;
    const known = this.cache?.types.get(real);
    if (known !== undefined) return known;
    let t: EntryType | null;
    try {
      const st = lstatSync(this.hostPath(real), { throwIfNoEntry: false });
      t = st === undefined ? null : typeOf(st);
    } catch {
      t = null;
    }
    this.cache?.types.set(real, t);
    return t;
  }

  /** Host path after chasing symlinks inside the root. */
  resolve(inRoot: string): string {
    return this.hostPath(this.realpath(inRoot));
  }

  readText(inRoot: string): string | null {
    try {
      return readFileSync(this.resolve(inRoot), 'utf8');
    } catch {
      return null;
    }
  }

  readBytes(inRoot: string, max?: number): Buffer | null {
    try {
      const buf = readFileSync(this.resolve(inRoot));
      return max !== undefined && buf.length > max ? buf.subarray(0, max) : buf;
    } catch {
      return null;
    }
  }

  stat(inRoot: string): Stats | null {
    try {
      return statSync(this.resolve(inRoot));
    } catch {
      return null;
    }
  }

  exists(inRoot: string): boolean {
    return this.stat(inRoot) !== null;
  }

  isFile(inRoot: string): boolean {
    return this.stat(inRoot)?.isFile() === true;
  }

  isDir(inRoot: string): boolean {
    return this.stat(inRoot)?.isDirectory() === true;
  }

  /** The canonical in-root path of a regular file (symlinks followed), or null. */
  regularFile(inRoot: string): string | null {
    const real = this.realpath(inRoot);
    const t = this.entryType(real);
    if (t === 'file') return real;
    if (t !== 'link') return null;
    return this.stat(real)?.isFile() === true ? real : null;
  }

  /** Directory entries sorted by name (C locale), or [] when unreadable. */
  list(inRoot: string): string[] {
    const e = this.entries(inRoot);
    return e === null ? [] : [...e.keys()];
  }

  /** Entries of a directory (symlinks not followed) in name order, or null when unreadable. */
  entries(inRoot: string): ReadonlyMap<string, EntryType> | null {
    const real = this.realpath(inRoot);
    const hit = this.cache?.entries.get(real);
    if (hit !== undefined) return hit;
    let out: Map<string, EntryType> | null;
    try {
      const dirents = readdirSync(this.hostPath(real), { withFileTypes: true });
      dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      out = new Map(dirents.map((d) => [d.name, typeOf(d)]));
    } catch {
      out = null;
    }
    this.cache?.entries.set(real, out);
    return out;
  }
}
