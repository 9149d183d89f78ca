/**
 * RootFs: every read of a system file goes through here, under a root directory
 * (default "/"), like systemd's --root. Paths given to it are absolute paths *inside*
 * the root; symlinks are chased inside the root and can never escape it.
 */
import { lstatSync, readFileSync, readdirSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { posix } from 'node:path';

const MAX_LINKS = 40;

export class RootFs {
  readonly root: string;

  constructor(root = '/') {
    this.root = root === '/' ? '/' : posix.resolve(root);
  }

  get isHost(): boolean {
    return this.root === '/';
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

  /** Directory entries sorted by name (C locale), or [] when unreadable. */
  list(inRoot: string): string[] {
    try {
      return readdirSync(this.resolve(inRoot)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    } catch {
      return [];
    }
  }
}
