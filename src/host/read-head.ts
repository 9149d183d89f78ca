/** Reads only the first bytes of a file under a root (a kernel header, not the 10 MB kernel). */
import { closeSync, openSync } from 'node:fs';
import { readHead } from './open-checked.js';
import type { RootFs } from './rootfs.js';

export function readHeadUnder(rootfs: RootFs, inRoot: string, max: number): Buffer | null {
  let fd: number;
  try {
    fd = openSync(rootfs.resolve(inRoot), 'r');
  } catch {
    return null;
  }
  try {
    return readHead(fd, max);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
