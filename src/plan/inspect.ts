/**
 * Gathers the facts buildPlan validates, reading through RootFs: existence, owner, mode, the
 * kernel header (A's parseKernelImage) and whether the kernel's modules are installed.
 */
import { isKexecError } from '../errors.js';
import { readHeadUnder } from '../host/read-head.js';
import type { RootFs } from '../host/rootfs.js';
import { KERNEL_HEADER_BYTES, parseKernelImage } from '../image/index.js';
import type { FileFacts, KernelFacts } from './types.js';

export function fileFacts(rootfs: RootFs, path: string): FileFacts {
  const st = rootfs.stat(path);
  return { path, exists: st !== null, isFile: st?.isFile() === true, uid: st?.uid ?? null, mode: st?.mode ?? null };
}

export function kernelFacts(rootfs: RootFs, path: string): KernelFacts {
  const base = fileFacts(rootfs, path);
  if (!base.isFile) return { ...base, image: null, modulesPresent: null };
  const head = readHeadUnder(rootfs, path, KERNEL_HEADER_BYTES);
  if (head === null) return { ...base, image: null, modulesPresent: null };
  try {
    const info = parseKernelImage(head, `kernel ${path}`);
    const release = info.release;
    const modulesPresent = release === null ? null : rootfs.isDir(`/lib/modules/${release}`) || rootfs.isDir(`/usr/lib/modules/${release}`);
    return { ...base, image: { format: info.format, cmdlineSize: info.cmdlineSize, release }, modulesPresent };
  } catch (e) {
    if (isKexecError(e)) return { ...base, image: { error: e.message }, modulesPresent: null };
    throw e;
  }
}
