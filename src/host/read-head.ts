/** Reads only the first bytes of a file under a root (a kernel header, not the 10 MB kernel). */
import { closeSync, openSync, readSync } from 'node:fs';
import type { RootFs } from './rootfs.js';

export function readHeadUnder(rootfs: RootFs, inRoot: string, max: number): Buffer | null {
  let fd: number;
  try {
    fd = openSync(rootfs.resolve(inRoot), 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(max);
    let got = 0;
    while (got < max) {
      const n = readSync(fd, buf, got, max - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
