/**
 * Several initrds become one file for kexec_file_load: a memfd filled with each file in
 * order, copied through one fixed-size buffer (never a whole file in the JS heap).
 * Like GRUB's `initrd A B`, each file but the last is zero-padded to a 4-byte boundary: the
 * kernel's initramfs unpacker only finds an uncompressed cpio archive at an aligned offset.
 */
import { readSync, writeSync } from 'node:fs';
import { KexecError } from '../errors.js';
import { MFD_CLOEXEC } from '../sys/constants.js';
import type { Kernel } from '../sys/kernel.js';
import { closeQuietly, type OpenedFile } from './open-checked.js';

export const COPY_CHUNK = 1 << 20;
export const INITRD_ALIGN = 4;

function copyAll(src: OpenedFile, dst: number, buf: Buffer): number {
  let pos = 0;
  for (;;) {
    const n = readSync(src.fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    let off = 0;
    while (off < n) off += writeSync(dst, buf, off, n - off);
    pos += n;
  }
  if (pos !== src.size) {
    throw new KexecError({
      code: 'EFILECHANGED',
      message: `initrd ${src.path} changed size while being read (${src.size} → ${pos} bytes)`,
      path: src.path,
      exitCode: 2,
    });
  }
  return pos;
}

/** Returns a memfd holding the files back to back; the caller closes it. */
export function concatIntoMemfd(kernel: Kernel, files: readonly OpenedFile[], name = 'kexecctl-initrd'): { fd: number; size: number } {
  const res = kernel.memfdCreate(name, MFD_CLOEXEC);
  if (!res.ok) {
    throw new KexecError({ code: 'EMEMFD', message: `memfd_create failed: ${res.message}`, errno: res.errno, syscall: 'memfd_create' });
  }
  const fd = res.value;
  const buf = Buffer.allocUnsafe(COPY_CHUNK);
  let size = 0;
  try {
    files.forEach((f, i) => {
      size += copyAll(f, fd, buf);
      const pad = (INITRD_ALIGN - (size % INITRD_ALIGN)) % INITRD_ALIGN;
      if (pad > 0 && i < files.length - 1) size += writeSync(fd, Buffer.alloc(pad));
    });
  } catch (e) {
    closeQuietly(fd);
    if (e instanceof KexecError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new KexecError({ code: 'EMEMFD', message: `cannot concatenate initrds into a memfd: ${msg}` });
  }
  return { fd, size };
}
