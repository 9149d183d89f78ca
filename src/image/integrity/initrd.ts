/**
 * Structural check of one initrd file (or one part of a multi-part initrd, as `kexec --initrd`
 * concatenates them): it must not be empty, and should start the way init/initramfs.c
 * unpack_to_rootfs expects: a cpio header ("070701"/"070702"; "070707" is the old format it
 * rejects, still named so the warning is precise) or a compressor the kernel recognises
 * (lib/decompress.c). Anything else is a warning, never a refusal: the kernel skips what it cannot
 * unpack and some setups pass odd initrds on purpose.
 */
import { detectInitrdKind, formatName, hexBytes } from './magic.js';
import { INITRD_ADVICE } from './types.js';
import type { StructuralResult } from './types.js';

/** Bytes of the initrd's start that checkInitrdIntegrity looks at. */
export const INITRD_HEAD_BYTES = 8;

export function checkInitrdIntegrity(first: Uint8Array, fileSize: number, what = 'initrd'): StructuralResult {
  if (fileSize === 0) {
    return { ok: false, warnings: [], failure: { code: 'EINITRD_EMPTY', message: `${what} is empty (0 bytes); ${INITRD_ADVICE}` } };
  }
  const kind = detectInitrdKind(first);
  if (kind.kind === 'compressed' || (kind.kind === 'cpio' && kind.magic !== '070707')) return { ok: true, warnings: [], payload: null };
  const seen = first.every((b) => b === 0) ? 'zero bytes' : hexBytes(first);
  const why =
    kind.kind === 'cpio'
      ? 'an old binary-portable cpio header ("070707"), which the kernel does not unpack'
      : `${seen}, neither a cpio header nor a compression the kernel knows (${formatName('gzip')}, xz, zstd, lz4, ...)`;
  return {
    ok: true,
    payload: null,
    warnings: [
      { code: 'WINITRD_UNKNOWN_MAGIC', message: `${what} starts with ${why}; loading it anyway, but the new kernel may not find its root file system` },
    ],
  };
}
