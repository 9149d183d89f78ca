/**
 * GrubFs over a RootFs: lets the pure GRUB evaluator read "(device)/path" files and run
 * `search`, answering from the running system (or an offline root tree). Gather, then decide:
 * gatherDeviceFacts reads the mount tables and /dev/disk/by-*; device-table.ts (pure) names the
 * devices and maps GRUB paths; this class only tries the candidate paths, through a caching view
 * of the RootFs (every read goes through it).
 */
import { posix } from 'node:path';
import type { GrubDevice, GrubFs, GrubSearchHit, ProbeAnswer, ProbeTarget } from '../boot/grub/types.js';
import { KexecError } from '../errors.js';
import { describeDevice, deviceChain, explainMissing, unreachable } from './device-describe.js';
import {
  PROBE_DEVICE,
  buildDeviceTable,
  candidates,
  canonicalDevice,
  findByFs,
  sourcePaths,
  systemToGrub,
  type DeviceFacts,
  type DeviceTable,
} from './device-table.js';
import type { AbstractFacts } from './grub-abstract-names.js';
import { probeDevice } from './probe-facts.js';
import type { RootFs } from './rootfs.js';

export { PROBE_DEVICE };

export type GrubFsRead = { device: GrubDevice; path: string; systemPath: string };

/** Matches what posix.normalize would change in an absolute path: "//", "/./", "/../", a final "/." or "/..". */
const NOT_NORMAL = /\/\/|\/\.\.?(?:\/|$)/;

/** posix.normalize(posix.join('/', p)), without the cost when p is already normal (the common case). */
function normAbs(p: string): string {
  return p.startsWith('/') && !NOT_NORMAL.test(p) ? p : posix.normalize(posix.join('/', p));
}

/** /dev/disk/<dir> as link name → kernel device name. */
function diskLinks(rootfs: RootFs, dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of rootfs.list(dir)) out[name] = posix.basename(rootfs.realpath(`${dir}/${name}`));
  return out;
}

/** /sys/block/<kname>/<dir>/<file>, trimmed ("" when unreadable). */
function sysAttr(rootfs: RootFs, kname: string, file: string): string {
  return (rootfs.readText(`/sys/block/${kname}/${file}`) ?? '').trim();
}

/** LVM, md and LUKS devices: device-mapper and md attributes in /sys/block, and their /dev links. */
export function gatherAbstractFacts(rootfs: RootFs): AbstractFacts {
  const dm: Record<string, { name: string; uuid: string }> = {};
  const md: Record<string, { uuid: string; metadata: string }> = {};
  for (const k of rootfs.list('/sys/block')) {
    if (k.startsWith('dm-')) dm[k] = { name: sysAttr(rootfs, k, 'dm/name'), uuid: sysAttr(rootfs, k, 'dm/uuid') };
    else if (/^md\d+$/.test(k)) md[k] = { uuid: sysAttr(rootfs, k, 'md/uuid'), metadata: sysAttr(rootfs, k, 'md/metadata_version') };
  }
  const mapper = diskLinks(rootfs, '/dev/mapper');
  delete mapper['control'];
  return { dm, md, mapper, mdLinks: diskLinks(rootfs, '/dev/md'), byId: diskLinks(rootfs, '/dev/disk/by-id') };
}

/** Everything the device table is built from, read through `rootfs`. */
export function gatherDeviceFacts(rootfs: RootFs): DeviceFacts {
  const tables = { mountinfo: rootfs.readText('/proc/self/mountinfo'), fstab: rootfs.readText('/etc/fstab'), hostRoot: rootfs.root };
  const nodes: Record<string, string> = {};
  for (const source of sourcePaths(tables)) nodes[source] = posix.basename(rootfs.realpath(source));
  return {
    ...tables,
    cmdline: rootfs.readText('/proc/cmdline'),
    byUuid: diskLinks(rootfs, '/dev/disk/by-uuid'),
    byLabel: diskLinks(rootfs, '/dev/disk/by-label'),
    byPartuuid: diskLinks(rootfs, '/dev/disk/by-partuuid'),
    nodes,
    abstract: gatherAbstractFacts(rootfs),
  };
}

export class RootGrubFs implements GrubFs {
  readonly prefixDevice: GrubDevice;
  /** GRUB path of the config on prefixDevice. */
  readonly configPath: string;
  /** Every file the evaluator read, with where it was found (grubenv, sourced files). */
  readonly reads: GrubFsRead[] = [];
  readonly table: DeviceTable;
  private readonly fs: RootFs;

  constructor(rootfs: RootFs, configSystemPath: string, table: DeviceTable = buildDeviceTable(gatherDeviceFacts(rootfs))) {
    this.fs = rootfs.withCache();
    this.table = table;
    const gone = unreachable(table, configSystemPath);
    if (gone !== null) throw new KexecError({ code: 'EPLANSTORAGE', message: `${gone}, so what GRUB would boot is unknown: refusing to guess a kernel` });
    const at = systemToGrub(table, configSystemPath);
    this.prefixDevice = at.device;
    this.configPath = at.path;
  }

  get live(): boolean {
    return this.table.live;
  }

  /** In-root candidates for a GRUB path on a device, most likely first. */
  candidates(device: GrubDevice, path: string): string[] {
    return candidates(this.table, device, normAbs(path));
  }

  /** The running-system path (symlinks resolved inside the root) of an existing file, or null. */
  locate(device: GrubDevice, path: string): string | null {
    for (const c of this.candidates(device, path)) {
      const found = this.fs.regularFile(c);
      if (found !== null) return found;
    }
    return null;
  }

  readFile(device: GrubDevice, path: string): string | null {
    const found = this.locate(device, path);
    if (found === null) return null;
    const text = this.fs.readText(found);
    if (text !== null) this.reads.push({ device, path, systemPath: found });
    return text;
  }

  listDir(device: GrubDevice, path: string): string[] | null {
    for (const c of this.candidates(device, path)) {
      if (!this.fs.isDir(c)) continue;
      const entries = this.fs.entries(c);
      return entries === null ? null : [...entries.keys()];
    }
    return null;
  }

  /**
   * hints: the --hint/--hint-<platform> devices of the command, in order. GRUB tries them first,
   * so when the search succeeds the variable holds the first hint's name ("hd0,gpt2"), which is
   * what ends up in BOOT_IMAGE=(hd0,gpt2)/... ; the evaluator binds that name to the device.
   */
  search(kind: 'fs_uuid' | 'fs_label' | 'file', value: string, hints: readonly string[] = []): GrubSearchHit | null {
    const device = kind === 'file' ? this.findFile(value) : findByFs(this.table, kind, value);
    if (device === null) return null;
    const hint = hints[0];
    return { device, name: hint === undefined || hint === '' ? device : hint };
  }

  /** search --file: the first device (mount order, then "probe") that has the file. */
  private findFile(path: string): GrubDevice | null {
    for (const d of [...this.table.devices.map((x) => x.name), PROBE_DEVICE]) {
      if (this.locate(d, path) !== null) return d;
    }
    return null;
  }

  /** `probe`: answered from the device table (probe-facts.ts); LVM/md/LUKS names first mapped to their kernel device. */
  probe(device: GrubDevice, target: ProbeTarget, platform: string): ProbeAnswer | null {
    return probeDevice(this.table, canonicalDevice(this.table, device), target, platform);
  }

  /** For messages: the device as the script named it, and the device that name was bound to. */
  describe(name: GrubDevice, device: GrubDevice = name): string {
    return describeDevice(this.table, name, device);
  }

  /**
   * GrubFs.explain: why a GRUB file cannot be found (an LV that is not active, an unmounted ZFS
   * dataset, a deleted btrfs snapshot), or null when it is found or nothing specific is known.
   * The evaluator warns at the loader line with it; the plan's error repeats it.
   */
  explain(device: GrubDevice, path: string): string | null {
    const p = normAbs(path);
    const why = explainMissing(this.table, device, p) ?? this.missingSnapshot(device, p);
    return why !== null && this.locate(device, p) === null ? why : null;
  }

  /**
   * A path inside a snapper snapshot ("/@/.snapshots/40/snapshot/boot/vmlinuz", as grub-btrfs and
   * snapper's grub entries name them) whose snapshot is gone: snapper removed it (cleanup, or
   * `snapper delete`) after the menu was written. null when the path names no snapshot or it exists.
   */
  private missingSnapshot(device: GrubDevice, path: string): string | null {
    const m = /^(.*\/\.snapshots\/(\d+)\/snapshot)(?:\/|$)/.exec(path);
    if (m === null || this.listDir(device, m[1] as string) !== null) return null;
    return `snapper snapshot ${m[2] as string} (${m[1] as string}) does not exist: it was deleted after the menu was written`;
  }

  /** For messages: how the script's name for a device was bound ("hd0,gpt3 = dev:sda3"), without the mounts. */
  chain(name: GrubDevice, device: GrubDevice = name): string {
    return deviceChain(this.table, name, device);
  }
}
