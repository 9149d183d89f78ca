/**
 * GrubFs over a RootFs: lets the pure GRUB evaluator read "(device)/path" files and run
 * `search`, answering from the running system (or an offline root tree).
 *
 * Devices are the mounted filesystems, found in /proc/self/mountinfo (live) or /etc/fstab
 * (offline), identified through /dev/disk/by-uuid|by-label|by-partuuid when those exist.
 * A GRUB path on a device maps to <mountpoint>/<path minus the mounted fs root>, which turns
 * "/vmlinuz-X" on a separate /boot into /boot/vmlinuz-X and "/@/boot/x" on a btrfs root mounted
 * with subvol=@ into /boot/x. Devices nobody can identify (offline roots, `set root='hd0,gpt2'`
 * after a failed search) are "probed": the path under /, then without the root's btrfs subvolume
 * prefix, then under /boot.
 */
import { lstatSync, readFileSync, readdirSync, statSync, type Stats } from 'node:fs';
import { posix } from 'node:path';
import type { GrubDevice, GrubFs } from '../boot/grub/types.js';
import { parseFstab, parseMountinfo, subvolOption, type MountRecord } from './mounts.js';
import type { RootFs } from './rootfs.js';

export const PROBE_DEVICE = 'probe';

type Device = { name: GrubDevice; mounts: MountRecord[] };
export type GrubFsRead = { device: GrubDevice; path: string; systemPath: string };

/** Matches what posix.normalize would change in an absolute path: "//", "/./", "/../", a final "/." or "/..". */
const NOT_NORMAL = /\/\/|\/\.\.?(?:\/|$)/;

/** posix.normalize(posix.join('/', p)), without the cost when p is already normal (the common case). */
function normAbs(p: string): string {
  return p.startsWith('/') && !NOT_NORMAL.test(p) ? p : posix.normalize(posix.join('/', p));
}

/** posix.join(dir, name) for a normal absolute dir and a plain file name. */
function joinName(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function within(path: string, base: string): string | null {
  if (base === '/' || base === '') return path;
  if (path === base) return '/';
  return path.startsWith(`${base}/`) ? path.slice(base.length) : null;
}

export class RootGrubFs implements GrubFs {
  readonly prefixDevice: GrubDevice;
  /** GRUB path of the config on prefixDevice. */
  readonly configPath: string;
  /** Every file the evaluator read, with where it was found (grubenv, sourced files). */
  readonly reads: GrubFsRead[] = [];
  readonly live: boolean;
  private readonly devices: Device[] = [];
  private readonly rootSubvol: string | null;
  /** GRUB names (search hints such as "hd0,gpt2") bound to the device a search found. */
  private readonly aliases = new Map<GrubDevice, GrubDevice>();
  /** One reading of /dev/disk/by-* per plan: a 2,000-entry grub.cfg runs search 2,000 times. */
  private readonly dirCache = new Map<string, string[]>();
  private readonly locateCache = new Map<string, string | null>();
  private readonly realDirs = new Map<string, string>();
  /** Entry types of directories listed through listDir (by resolved path): saves an lstat per BLS file. */
  private readonly dirTypes = new Map<string, Map<string, 'file' | 'link' | 'other'>>();

  constructor(
    private readonly rootfs: RootFs,
    configSystemPath: string,
  ) {
    const info = rootfs.readText('/proc/self/mountinfo');
    const mountinfo = info === null ? [] : parseMountinfo(info, rootfs.root);
    this.live = mountinfo.length > 0;
    const fstab = parseFstab(rootfs.readText('/etc/fstab') ?? '');
    for (const m of this.live ? mountinfo : fstab) this.addMount(m);
    this.rootSubvol = this.findRootSubvol(fstab);
    const at = this.systemToGrub(configSystemPath);
    this.prefixDevice = at.device;
    this.configPath = at.path;
  }

  private deviceKey(source: string): GrubDevice {
    const m = /^(UUID|LABEL|PARTUUID)=(.*)$/i.exec(source);
    if (m !== null) {
      const kind = (m[1] as string).toLowerCase();
      const dir = kind === 'uuid' ? 'by-uuid' : kind === 'label' ? 'by-label' : 'by-partuuid';
      const link = `/dev/disk/${dir}/${m[2] as string}`;
      if (this.rootfs.exists(link) || this.rootfs.realpath(link) !== link) return `dev:${posix.basename(this.rootfs.realpath(link))}`;
      return `${kind}:${kind === 'label' ? (m[2] as string) : (m[2] as string).toLowerCase()}`;
    }
    return `dev:${posix.basename(this.rootfs.realpath(source))}`;
  }

  private addMount(m: MountRecord): void {
    const name = this.deviceKey(m.source);
    const dev = this.devices.find((d) => d.name === name);
    if (dev === undefined) this.devices.push({ name, mounts: [m] });
    else dev.mounts.push(m);
  }

  private findRootSubvol(fstab: MountRecord[]): string | null {
    const cmdline = this.rootfs.readText('/proc/cmdline') ?? '';
    const flags = /(?:^|\s)rootflags=("[^"]*"|\S+)/.exec(cmdline);
    const fromCmdline = flags === null ? null : subvolOption((flags[1] as string).replace(/"/g, '').split(','));
    if (fromCmdline !== null) return fromCmdline;
    const root = fstab.find((m) => m.mountpoint === '/');
    return root !== undefined && root.fsroot !== '/' ? root.fsroot : null;
  }

  /** Maps an in-root path to (device, GRUB path) through the mount that holds it. */
  systemToGrub(systemPath: string): { device: GrubDevice; path: string } {
    let best: { device: GrubDevice; path: string; len: number } | null = null;
    for (const d of this.devices) {
      for (const m of d.mounts) {
        const rel = within(systemPath, m.mountpoint);
        if (rel === null || (best !== null && best.len >= m.mountpoint.length)) continue;
        best = { device: d.name, path: posix.join(m.fsroot, rel), len: m.mountpoint.length };
      }
    }
    return best === null ? { device: PROBE_DEVICE, path: systemPath } : { device: best.device, path: best.path };
  }

  /** In-root candidates for a GRUB path on a device, most likely first. */
  candidates(device: GrubDevice, path: string): string[] {
    const p = normAbs(path);
    const name = this.aliases.get(device) ?? device;
    const dev = this.devices.find((d) => d.name === name);
    if (dev !== undefined) {
      const out: string[] = [];
      const mounts = [...dev.mounts].sort((a, b) => b.fsroot.length - a.fsroot.length);
      for (const m of mounts) {
        const rel = within(p, m.fsroot);
        if (rel !== null) out.push(posix.join(m.mountpoint, rel));
      }
      return out;
    }
    const out = [p];
    if (this.rootSubvol !== null) {
      const rel = within(p, this.rootSubvol);
      if (rel !== null && rel !== p) out.push(rel);
    }
    out.push(posix.join('/boot', p));
    return out;
  }

  /** The running-system path (symlinks resolved inside the root) of an existing file, or null. */
  locate(device: GrubDevice, path: string): string | null {
    const key = `${this.aliases.get(device) ?? device}\0${path}`;
    const cached = this.locateCache.get(key);
    if (cached !== undefined) return cached;
    let found: string | null = null;
    for (const c of this.candidates(device, path)) {
      found = this.regularFile(c);
      if (found !== null) break;
    }
    this.locateCache.set(key, found);
    return found;
  }

  /**
   * The resolved in-root path of a regular file, or null. Directories are resolved once and
   * cached (blscfg reads hundreds of files from one directory); a symlinked file name is
   * resolved in full by RootFs.realpath, so nothing escapes the root.
   */
  private regularFile(inRoot: string): string | null {
    let p = normAbs(inRoot);
    while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1); // as posix.dirname/basename read "/a/b/"
    const slash = p.lastIndexOf('/');
    const dir = slash === 0 ? '/' : p.slice(0, slash);
    const base = p.slice(slash + 1);
    let realDir = this.realDirs.get(dir);
    if (realDir === undefined) {
      realDir = this.rootfs.realpath(dir);
      this.realDirs.set(dir, realDir);
    }
    if (base === '') return null; // the root directory
    let real = joinName(realDir, base);
    const known = this.dirTypes.get(realDir)?.get(base);
    if (known === 'file') return real;
    if (known === 'other' || (known === undefined && this.dirTypes.has(realDir))) return null;
    let st: Stats | undefined;
    try {
      st = lstatSync(this.host(real), { throwIfNoEntry: false });
      if (st?.isSymbolicLink() === true) {
        real = this.rootfs.realpath(p);
        st = statSync(this.rootfs.hostPath(real), { throwIfNoEntry: false });
      }
    } catch {
      st = undefined;
    }
    return st?.isFile() === true ? real : null;
  }

  /** RootFs.hostPath for an in-root path that is already normal and absolute (no re-normalizing). */
  private host(normal: string): string {
    return this.rootfs.root === '/' ? normal : `${this.rootfs.root}${normal}`;
  }

  private listDisk(dir: string): string[] {
    let names = this.dirCache.get(dir);
    if (names === undefined) {
      names = this.rootfs.list(dir);
      this.dirCache.set(dir, names);
    }
    return names;
  }

  readFile(device: GrubDevice, path: string): string | null {
    const found = this.locate(device, path);
    if (found === null) return null;
    let text: string;
    try {
      text = readFileSync(this.host(found), 'utf8');
    } catch {
      return null;
    }
    this.reads.push({ device, path, systemPath: found });
    return text;
  }

  listDir(device: GrubDevice, path: string): string[] | null {
    for (const c of this.candidates(device, path)) {
      if (!this.rootfs.isDir(c)) continue;
      const real = this.rootfs.realpath(c);
      try {
        const types = new Map<string, 'file' | 'link' | 'other'>();
        for (const d of readdirSync(this.rootfs.hostPath(real), { withFileTypes: true })) {
          types.set(d.name, d.isFile() ? 'file' : d.isSymbolicLink() ? 'link' : 'other');
        }
        this.dirTypes.set(real, types);
        return [...types.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      } catch {
        return null;
      }
    }
    return null;
  }

  /**
   * hints: the --hint/--hint-<platform> devices of the command, in order. GRUB tries them first,
   * so when the search succeeds the variable holds the first hint's name ("hd0,gpt2"), which is
   * what ends up in BOOT_IMAGE=(hd0,gpt2)/... ; the name is then bound to the device found.
   */
  search(kind: 'fs_uuid' | 'fs_label' | 'file', value: string, hints: readonly string[] = []): GrubDevice | null {
    const found = this.searchDevice(kind, value);
    const hint = hints[0];
    if (found === null || hint === undefined || hint === '') return found;
    this.aliases.set(hint, found);
    return hint;
  }

  private searchDevice(kind: 'fs_uuid' | 'fs_label' | 'file', value: string): GrubDevice | null {
    if (kind === 'file') {
      for (const d of [...this.devices.map((x) => x.name), PROBE_DEVICE]) {
        if (this.locate(d, value) !== null) return d;
      }
      return null;
    }
    const dir = kind === 'fs_uuid' ? '/dev/disk/by-uuid' : '/dev/disk/by-label';
    const names = this.listDisk(dir);
    const same = (a: string): boolean => (kind === 'fs_uuid' ? a.toLowerCase() === value.toLowerCase() : a === value);
    const hit = names.find(same);
    if (hit !== undefined) return `dev:${posix.basename(this.rootfs.realpath(`${dir}/${hit}`))}`;
    const key = kind === 'fs_uuid' ? `uuid:${value.toLowerCase()}` : `label:${value}`;
    if (this.devices.some((d) => d.name === key)) return key;
    // The root describes its disks and this one is not there: the search fails, as in GRUB.
    if (names.length > 0) return null;
    return PROBE_DEVICE;
  }

  describe(device: GrubDevice): string {
    const real = this.aliases.get(device);
    const name = real === undefined ? device : `${device} = ${real}`;
    const dev = this.devices.find((d) => d.name === (real ?? device));
    if (dev === undefined) return `${name} (probed under / and /boot)`;
    return `${name} (mounted at ${dev.mounts.map((m) => m.mountpoint).join(', ')})`;
  }
}
