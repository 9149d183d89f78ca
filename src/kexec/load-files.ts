/**
 * Opening and checking what a load hands to the kernel, in kexec-tools' order
 * (kexec/kexec.c do_kexec_file_load() and my_load(), kexec-bzImage64.c bzImage64_load_file()):
 * the kernel (open, then probe: "Cannot determine the file type" when nothing recognises it),
 * on the kexec_load path the -t TYPE check, the bzImage loader's options (--real-mode,
 * --entry-32bit: no such entry with kexec_file_load), and only then the initrds. Every file is
 * opened once; the header is read through that descriptor. Then, unlike kexec-tools, the
 * structural integrity checks of issue 18 on those descriptors (load-integrity.ts), still before
 * any system call.
 *
 * A compressed kernel, EFI zboot image or UKI is first taken apart (unpack-kernel.ts, async): the
 * checks and the load then see the plain kernel in a memfd. As kexec-tools' kexec-uki.c, a UKI's
 * initrd is used only when no --initrd is given; its .cmdline when the load names no command line.
 */
import { resolve } from 'node:path';
import { KexecError } from '../errors.js';
import { checkCmdlineFits } from '../image/cmdline-fit.js';
import { KERNEL_HEADER_BYTES, parseKernelImage, type KernelImageInfo } from '../image/kernel-image.js';
import { closeQuietly, openChecked, readHead, type OpenedFile, type TrustPolicy } from '../host/open-checked.js';
import type { Arch } from '../sys/constants.js';
import type { PayloadLocation } from '../image/integrity/index.js';
import type { Kernel } from '../sys/kernel.js';
import { checkImageType, hasKnownKernelMagic } from './image-type.js';
import type { LoadRequest } from './load.js';
import { checkLoadFilesStructure } from './load-integrity.js';
import { needsUnpacking, unpackKernel, type Unpacked } from './unpack-kernel.js';

export type Opened = {
  kernel: OpenedFile;
  initrds: OpenedFile[];
  image: KernelImageInfo;
  /** Structural check warnings (odd initrd magic, unverifiable header). */
  warnings: string[];
  /** The compressed kernel, for the deep check (null: none to verify, e.g. arm64 Image). */
  payload: PayloadLocation | null;
  /** The command line to load: the request's, or a UKI's .cmdline when the request has none. */
  cmdline: string;
  /** What was taken off the kernel file (empty for a plain kernel) and the file as named. */
  unpacked: { path: string; layers: string[]; splitUki: boolean; typeName: string | null };
  /** Every descriptor to close once (the kernel file, memfds, initrds). */
  fds: number[];
};

/** Absolute path for messages and the record; "" stays "" so it fails to open instead of naming the cwd. */
export function absolute(p: string): string {
  return p === '' ? p : resolve(p);
}

function checkArch(image: KernelImageInfo, arch: Arch | null | undefined, path: string): void {
  if (arch === undefined || arch === null || image.arch === arch) return;
  throw new KexecError({ code: 'EWRONGARCH', message: `${path} is a kernel for ${image.arch}, this machine is ${arch}`, path, exitCode: 2 });
}

function parseImage(kernel: OpenedFile, what: string): KernelImageInfo {
  const head = readHead(kernel.fd, KERNEL_HEADER_BYTES);
  try {
    return parseKernelImage(head, what);
  } catch (e) {
    // No format kexec-tools knows either: its "Cannot determine the file type" case.
    if (e instanceof KexecError && !hasKnownKernelMagic(head)) {
      throw new KexecError({ code: 'EUNKNOWNFORMAT', message: e.message, path: kernel.path, exitCode: 2 });
    }
    throw e;
  }
}

function noUnpack(file: OpenedFile): Unpacked {
  return { kernel: file, initrds: [], cmdline: null, layers: [], typeName: null, splitUki: false, memfds: [] };
}

/** The checks after the kernel file is opened (and, if need be, unpacked); closes nothing. */
function finishOpen(
  file: OpenedFile,
  u: Unpacked,
  req: LoadRequest,
  trust: TrustPolicy,
  arch: Arch | null | undefined,
  typeArch: Arch,
  files: number[],
): Opened {
  const kernel = u.kernel;
  const image = parseImage(kernel, u.layers.length === 0 ? req.kernelPath : kernel.path);
  checkArch(image, arch, req.kernelPath);
  if (req.mode === 'legacy' && req.type !== undefined) checkImageType(req.type, image, typeArch, u.typeName);
  if (req.x86Entry !== undefined && req.mode !== 'legacy') {
    throw new KexecError({ code: 'EX86ENTRY', message: 'Kexec2 syscall does not support 16bit or 32bit entry yet', path: kernel.path });
  }
  const cmdline = req.cmdline === '' && u.cmdline !== null ? u.cmdline : req.cmdline;
  checkCmdlineFits(image, cmdline);
  const initrds =
    req.initrdPaths.length > 0
      ? req.initrdPaths.map((p) => {
          const f = openChecked(absolute(p), 'initrd', trust);
          files.push(f.fd);
          return f;
        })
      : u.initrds;
  const checked = checkLoadFilesStructure(kernel, image, initrds);
  return {
    kernel,
    initrds,
    image,
    warnings: checked.warnings,
    payload: checked.payload,
    cmdline,
    unpacked: { path: file.path, layers: u.layers, splitUki: u.splitUki, typeName: u.typeName },
    fds: files,
  };
}

function closeAll(fds: readonly number[]): void {
  for (const fd of new Set(fds)) closeQuietly(fd);
}

/**
 * Synchronous open for plain kernels (bzImage, arm64 Image); a kernel that needs unpacking is
 * refused with ENEEDSUNPACK (openLoadFilesAsync takes it). typeArch: which -t names exist.
 */
export function openLoadFiles(req: LoadRequest, trust: TrustPolicy, arch: Arch | null | undefined, typeArch: Arch): Opened {
  const files: number[] = [];
  try {
    const file = openChecked(absolute(req.kernelPath), 'kernel', trust);
    files.push(file.fd);
    if (needsUnpacking(file)) {
      throw new KexecError({
        code: 'ENEEDSUNPACK',
        message: `${file.path} is compressed or a UKI/zboot image; this caller loads plain kernels only (kexecctl load and kexec -l unpack it)`,
        path: file.path,
        exitCode: 2,
      });
    }
    return finishOpen(file, noUnpack(file), req, trust, arch, typeArch, files);
  } catch (e) {
    closeAll(files);
    throw e;
  }
}

/** openLoadFiles plus unpacking: compressed kernels, zboot images and UKIs become a plain kernel in a memfd. */
export async function openLoadFilesAsync(k: Kernel, req: LoadRequest, trust: TrustPolicy, arch: Arch | null | undefined, typeArch: Arch): Promise<Opened> {
  const files: number[] = [];
  try {
    const file = openChecked(absolute(req.kernelPath), 'kernel', trust);
    files.push(file.fd);
    const u = await unpackKernel(k, file, { profile: req.ukiProfile ?? 0 });
    files.push(...u.memfds);
    return finishOpen(file, u, req, trust, arch, typeArch, files);
  } catch (e) {
    closeAll(files);
    throw e;
  }
}

export function closeOpened(o: Opened): void {
  closeAll([...o.fds, o.kernel.fd, ...o.initrds.map((f) => f.fd)]);
}
