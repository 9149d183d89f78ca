/**
 * Random-access reads of a file under a root, for the plan's look into UKIs and wrapped kernels:
 * `use` gets a readAt(offset, length) over one open descriptor, which is closed afterwards.
 * null when the file cannot be opened.
 */
import { closeSync, openSync } from 'node:fs';
import { preadFully } from './open-checked.js';
import type { RootFs } from './rootfs.js';

export type ReadAt = (offset: number, length: number) => Uint8Array;

export function withReadAt<T>(rootfs: RootFs, inRoot: string, use: (readAt: ReadAt, size: number) => T): T | null {
  let fd: number;
  try {
    fd = openSync(rootfs.resolve(inRoot), 'r');
  } catch {
    return null;
  }
  try {
    const size = rootfs.stat(inRoot)?.size ?? 0;
    const readAt: ReadAt = (offset, length) => preadFully(fd, offset, length);
    return use(readAt, size);
  } finally {
    closeSync(fd);
  }
}
