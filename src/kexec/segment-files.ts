/**
 * Reading opened files into kexec_load segment buffers, shared by the x86_64 and arm64 builders:
 * the kernel file once into one buffer, and every initrd straight into its place in one ramdisk
 * buffer (GRUB's 4-byte zero padding between parts, src/image/x86/initrd.ts). pread from offset 0,
 * so a descriptor kexec_file_load already used still reads from the start.
 */
import { readSync } from 'node:fs';
import { KexecError } from '../errors.js';
import type { OpenedFile } from '../host/open-checked.js';
import { initrdLayout } from '../image/x86/initrd.js';

/** Reads the whole file (f.size bytes) into buf at `at`; a file that shrank is an error. */
function readInto(f: OpenedFile, buf: Uint8Array, at: number): void {
  let got = 0;
  while (got < f.size) {
    const n = readSync(f.fd, buf, at + got, f.size - got, got);
    if (n === 0)
      throw new KexecError({ code: 'ESHORTREAD', path: f.path, exitCode: 2, message: `${f.path}: file shrank while it was read (${got} of ${f.size} bytes)` });
    got += n;
  }
}

export function readWholeFile(f: OpenedFile): Uint8Array {
  const buf = new Uint8Array(f.size);
  readInto(f, buf, 0);
  return buf;
}

/** The initrds joined in one zero-filled buffer (the padding between parts), or null for none. */
export function readRamdisk(files: readonly OpenedFile[]): Uint8Array | null {
  if (files.length === 0) return null;
  const layout = initrdLayout(files.map((f) => f.size));
  const buf = new Uint8Array(layout.total);
  files.forEach((f, i) => readInto(f, buf, layout.offsets[i] as number));
  return buf;
}
