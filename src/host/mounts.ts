/**
 * Which filesystem is mounted where, from /proc/self/mountinfo (live systems) or /etc/fstab
 * (offline roots). Pure text parsers: grub-fs.ts (gatherDeviceFacts) reads the files,
 * device-table.ts builds the device table from them.
 */

export type MountRecord = {
  /** Mount point inside the root. */
  mountpoint: string;
  /** Path inside the filesystem that is mounted there ("/" or a btrfs subvolume such as "/@"). */
  fsroot: string;
  /** What was mounted: "/dev/vda2", "UUID=...", "LABEL=...", "PARTUUID=...", a ZFS dataset "rpool/ROOT/x". */
  source: string;
  fstype: string;
  options: string[];
};

/** Octal escapes used by mountinfo and fstab for blanks and backslashes (\040, \011, \134). */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Filesystem types parseMountinfo skips (kernel/kexecctl-unchanged skips the same mountinfo lines, issue 14). */
export const VIRTUAL = new Set([
  'proc',
  'sysfs',
  'tmpfs',
  'devtmpfs',
  'devpts',
  'cgroup',
  'cgroup2',
  'securityfs',
  'debugfs',
  'tracefs',
  'mqueue',
  'hugetlbfs',
  'pstore',
  'bpf',
  'configfs',
  'fusectl',
  'autofs',
  'binfmt_misc',
  'efivarfs',
  'ramfs',
  'overlay',
  'nsfs',
  'rpc_pipefs',
  'swap',
]);

/** A filesystem GRUB could read: a block device's, or a ZFS dataset ("pool/dataset", no /dev node). */
function isBlockFs(fstype: string, source: string): boolean {
  if (VIRTUAL.has(fstype)) return false;
  if (fstype === 'zfs') return /^[A-Za-z0-9][^@\s]*$/.test(source);
  return source.startsWith('/dev/') || /^(UUID|LABEL|PARTUUID|PARTLABEL)=/i.test(source);
}

/** btrfs "subvol=" option as an absolute fs path ("subvol=@" → "/@"), or null. */
export function subvolOption(options: readonly string[]): string | null {
  for (const o of options) {
    if (o.startsWith('subvol=')) {
      const v = o.slice('subvol='.length);
      return v.startsWith('/') ? v : `/${v}`;
    }
  }
  return null;
}

/**
 * mountinfo lines: "id parent maj:min root mountpoint opts [optional...] - fstype source superopts".
 * hostRoot: when the mount table is the host's and the root is a subdirectory, mount points under
 * it are made relative to it.
 */
export function parseMountinfo(text: string, hostRoot = '/'): MountRecord[] {
  const out: MountRecord[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(' ');
    const dash = f.indexOf('-');
    if (dash < 6 || f.length < dash + 3) continue;
    const fstype = f[dash + 1] as string;
    const source = unescape(f[dash + 2] as string);
    if (!isBlockFs(fstype, source)) continue;
    let mountpoint = unescape(f[4] as string);
    if (hostRoot !== '/') {
      if (mountpoint === hostRoot) mountpoint = '/';
      else if (mountpoint.startsWith(`${hostRoot}/`)) mountpoint = mountpoint.slice(hostRoot.length);
    }
    const options = [...(f[5] ?? '').split(','), ...(f[dash + 3] ?? '').split(',')];
    out.push({ mountpoint, fsroot: unescape(f[3] as string), source, fstype, options });
  }
  return out;
}

/** fstab: "spec mountpoint fstype options dump pass"; fsroot comes from btrfs subvol=. */
export function parseFstab(text: string): MountRecord[] {
  const out: MountRecord[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(/\s+/);
    if (f.length < 3) continue;
    const source = unescape(f[0] as string);
    const fstype = f[2] as string;
    const mountpoint = unescape(f[1] as string);
    if (!mountpoint.startsWith('/') || !isBlockFs(fstype, source)) continue;
    const options = (f[3] ?? 'defaults').split(',');
    out.push({ mountpoint, fsroot: subvolOption(options) ?? '/', source, fstype, options });
  }
  return out;
}
