/**
 * btrfs subvolumes as GRUB sees them. Pure, over mount records (mounts.ts).
 *
 * Upstream GRUB (grub-core/fs/btrfs.c) reads paths from the top-level subvolume (id 5):
 * "/@/boot/vmlinuz" on a root mounted with subvol=@. openSUSE's patched GRUB
 * (grub2-btrfs-01/02/03 patches: grub_btrfs_mount, btrfs_handle_subvol) reads them relative to
 * a subvolume when $btrfs_relative_path is "y" or "1": $btrfs_subvol / $btrfs_subvolid when set,
 * else the filesystem's default subvolume — which snapper's rollback moves to
 * "/@/.snapshots/N/snapshot", the subvolume the root is then mounted from.
 *
 * Linux tells which subvolume each mount shows (mountinfo's root field, and the subvol= and
 * subvolid= options since Linux 4.x); the default subvolume is the one a mount shows when its
 * fstab entry names none. A subvolume deleted while mounted shows as "<path>//deleted"
 * (fs/d_path.c, dentry_path).
 */
import type { MountRecord } from './mounts.js';

const DELETED = '//deleted';

/** A mount's subvolume path without the "//deleted" mark, and whether it was deleted. */
export function subvolOf(m: MountRecord): { path: string; deleted: boolean } {
  return m.fsroot.endsWith(DELETED) ? { path: m.fsroot.slice(0, -DELETED.length) || '/', deleted: true } : { path: m.fsroot, deleted: false };
}

/** subvolid → subvolume path, from mountinfo's "subvolid=N" and "subvol=/x" options. */
export function subvolIds(mounts: readonly MountRecord[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of mounts) {
    if (m.fstype !== 'btrfs') continue;
    const id = m.options.find((o) => o.startsWith('subvolid='))?.slice('subvolid='.length);
    if (id !== undefined && id !== '') out.set(id, subvolOf(m).path);
  }
  return out;
}

/** "subvol=" or "subvolid=" (through `ids`) in mount options, as an absolute subvolume path; null when neither. */
export function namedSubvol(options: readonly string[], ids: ReadonlyMap<string, string>): string | null {
  for (const o of options) {
    if (o.startsWith('subvol=')) {
      const v = o.slice('subvol='.length);
      return v.startsWith('/') ? v : `/${v}`;
    }
  }
  for (const o of options) {
    if (o.startsWith('subvolid=')) {
      const id = o.slice('subvolid='.length);
      return id === '5' ? '/' : (ids.get(id) ?? null);
    }
  }
  return null;
}

const names = (options: readonly string[]): boolean => options.some((o) => o.startsWith('subvol=') || o.startsWith('subvolid='));

/**
 * The default subvolume of a btrfs device, when a live mount of it was made without naming a
 * subvolume (its fstab entry has neither subvol= nor subvolid=, and for / neither has
 * rootflags=): the subvolume that mount shows. null when unknown.
 */
export function defaultSubvol(live: readonly MountRecord[], fstab: readonly MountRecord[], rootflags: readonly string[]): string | null {
  for (const m of live) {
    if (m.fstype !== 'btrfs') continue;
    const entry = fstab.find((f) => f.mountpoint === m.mountpoint && f.fstype === 'btrfs');
    if (entry === undefined || names(entry.options)) continue;
    if (m.mountpoint === '/' && names(rootflags)) continue;
    const sv = subvolOf(m);
    if (!sv.deleted) return sv.path;
  }
  return null;
}
