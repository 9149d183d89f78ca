/**
 * Gathers the facts buildPlan validates, reading through RootFs: existence, owner, mode, the
 * kernel header (A's parseKernelImage) and whether the kernel's modules are installed. A UKI,
 * zboot image or gzip'ed kernel is looked into (innerKernelHead) for the header of the kernel
 * inside; one only a load can decompress (xz, zstd …) is taken on trust for the machine's arch.
 */
import { isKexecError } from '../errors.js';
import { withReadAt } from '../host/read-at.js';
import type { RootFs } from '../host/rootfs.js';
import { innerKernelHead } from '../image/container/peek.js';
import { KERNEL_HEADER_BYTES, parseKernelImage } from '../image/index.js';
import type { FileFacts, KernelFacts } from './types.js';

export function fileFacts(rootfs: RootFs, path: string): FileFacts {
  const st = rootfs.stat(path);
  return { path, exists: st !== null, isFile: st?.isFile() === true, uid: st?.uid ?? null, mode: st?.mode ?? null };
}

/** The plain kernel's header inside the file: null when unreadable, 'wrapped' when only a load can see it. */
function kernelHead(rootfs: RootFs, path: string): Uint8Array | 'wrapped' | null {
  return withReadAt(rootfs, path, (readAt, size) => innerKernelHead(readAt, size, KERNEL_HEADER_BYTES) ?? 'wrapped');
}

export function kernelFacts(rootfs: RootFs, path: string): KernelFacts {
  const base = fileFacts(rootfs, path);
  if (!base.isFile) return { ...base, image: null, modulesPresent: null };
  try {
    const head = kernelHead(rootfs, path);
    if (head === null) return { ...base, image: null, modulesPresent: null };
    if (head === 'wrapped') {
      const format = process.arch === 'arm64' ? 'arm64-image' : 'x86-bzimage';
      return { ...base, image: { format, cmdlineSize: 2048, release: null }, modulesPresent: null };
    }
    const info = parseKernelImage(head, `kernel ${path}`);
    const release = info.release;
    const modulesPresent = release === null ? null : rootfs.isDir(`/lib/modules/${release}`) || rootfs.isDir(`/usr/lib/modules/${release}`);
    return { ...base, image: { format: info.format, cmdlineSize: info.cmdlineSize, release }, modulesPresent };
  } catch (e) {
    if (isKexecError(e)) return { ...base, image: { error: e.message }, modulesPresent: null };
    throw e;
  }
}
