/**
 * ZFS as GRUB sees it, mapped to where Linux mounted it. Pure; no `zfs` command: the datasets
 * come from mountinfo (fs type "zfs", source "pool/dataset").
 *
 * GRUB (grub-core/fs/zfs/zfs.c, dnode_get_fullpath) names a file on a pool as
 * "/<dataset below the pool>@<snapshot>/<path>": the text before the first '@' is the dataset
 * ("" or "/" for the pool's root dataset), between '@' and the next '/' an optional snapshot,
 * the rest the path inside that dataset ("/" when absent). A path without '@' names a dataset,
 * not a file. Child datasets are not crossed: the file is in exactly that dataset, reachable
 * under its mount point (a snapshot under <mountpoint>/.zfs/snapshot/<name>).
 * The pool's fs_uuid is its guid as 16 hex digits (zfs_uuid); blkid's UUID for a zfs_member
 * is the same guid in decimal, and its LABEL is the pool name (zfs_label in GRUB).
 */
import { posix } from 'node:path';

export type ZfsPath = { dataset: string; snapshot: string | null; file: string };

/** A GRUB path in the "/<dataset>@<snapshot>/<path>" form, or null when it has no '@'. */
export function parseZfsPath(path: string): ZfsPath | null {
  const at = path.indexOf('@');
  if (at < 0) return null;
  const slash = path.indexOf('/', at);
  const dataset = path
    .slice(0, at)
    .split('/')
    .filter((c) => c !== '')
    .join('/');
  const snap = path.slice(at + 1, slash < 0 ? undefined : slash);
  return { dataset, snapshot: snap === '' ? null : snap, file: slash < 0 ? '/' : path.slice(slash) };
}

export type ZfsMount = { source: string; mountpoint: string };

/** The pool of a dataset source ("rpool/ROOT/pve-1" → "rpool"). */
export const poolOf = (source: string): string => source.split('/')[0] as string;

/** "pool/dataset" for a GRUB dataset name on a pool ("" is the pool's root dataset). */
export const fullDataset = (pool: string, dataset: string): string => (dataset === '' ? pool : `${pool}/${dataset}`);

/** True when a blkid UUID (decimal pool guid) is the GRUB fs_uuid `hex` (16 hex digits, any case). */
export function guidMatches(decimal: string, hex: string): boolean {
  if (!/^[0-9]{1,20}$/.test(decimal) || !/^[0-9a-fA-F]{1,16}$/.test(hex)) return false;
  try {
    return BigInt(decimal) === BigInt(`0x${hex}`);
  } catch {
    return false;
  }
}

/**
 * In-root candidates for a ZFS GRUB path: on `pools` (the pool the device is, or every pool
 * mounted when the device is unknown), the mount of exactly that dataset.
 */
export function zfsCandidates(mounts: readonly ZfsMount[], pools: readonly string[], p: ZfsPath): string[] {
  const out: string[] = [];
  for (const pool of pools) {
    const want = fullDataset(pool, p.dataset);
    for (const m of mounts) {
      if (m.source !== want) continue;
      const base = p.snapshot === null ? m.mountpoint : posix.join(m.mountpoint, '.zfs/snapshot', p.snapshot);
      out.push(posix.join(base, p.file));
    }
  }
  return out;
}

/** Why a ZFS path has no candidate, for messages. */
export function zfsMissing(mounts: readonly ZfsMount[], pools: readonly string[], p: ZfsPath): string {
  const shown = `${p.dataset === '' ? '(root dataset)' : p.dataset}${p.snapshot === null ? '' : `@${p.snapshot}`}`;
  if (pools.length === 0) return `ZFS dataset ${shown}: no ZFS pool is mounted`;
  const mounted = mounts.filter((m) => pools.includes(poolOf(m.source))).map((m) => `${m.source} at ${m.mountpoint}`);
  const where = pools.map((pool) => fullDataset(pool, p.dataset)).join(' or ');
  if (mounted.length === 0) return `ZFS dataset ${where} is not mounted: no dataset of pool ${pools.join(' or ')} is (is the pool imported?)`;
  return `ZFS dataset ${where} is not mounted (mounted: ${mounted.join(', ')})`;
}
