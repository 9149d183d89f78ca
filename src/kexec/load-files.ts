/**
 * Opening and checking what a load hands to the kernel, in kexec-tools' order
 * (kexec/kexec.c do_kexec_file_load() and my_load(), kexec-bzImage64.c bzImage64_load_file()):
 * the kernel (open, then probe: "Cannot determine the file type" when nothing recognises it),
 * on the kexec_load path the -t TYPE check, the bzImage loader's options (--real-mode,
 * --entry-32bit: no such entry with kexec_file_load), and only then the initrds. Every file is
 * opened once; the header is read through that descriptor. Then, unlike kexec-tools, the
 * structural integrity checks of issue 18 on those descriptors (load-integrity.ts), still before
 * any system call.
 */
import { resolve } from 'node:path';
import { KexecError } from '../errors.js';
import { checkCmdlineFits } from '../image/cmdline-fit.js';
import { KERNEL_HEADER_BYTES, parseKernelImage, type KernelImageInfo } from '../image/kernel-image.js';
import { closeQuietly, openChecked, readHead, type OpenedFile, type TrustPolicy } from '../host/open-checked.js';
import type { Arch } from '../sys/constants.js';
import type { PayloadLocation } from '../image/integrity/index.js';
import { checkImageType, hasKnownKernelMagic } from './image-type.js';
import type { LoadRequest } from './load.js';
import { checkLoadFilesStructure } from './load-integrity.js';

export type Opened = {
  kernel: OpenedFile;
  initrds: OpenedFile[];
  image: KernelImageInfo;
  /** Structural check warnings (odd initrd magic, unverifiable header). */
  warnings: string[];
  /** The compressed kernel, for the deep check (null: none to verify, e.g. arm64 Image). */
  payload: PayloadLocation | null;
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

/** typeArch: which -t names exist (the machine's file_type[] table). */
export function openLoadFiles(req: LoadRequest, trust: TrustPolicy, arch: Arch | null | undefined, typeArch: Arch): Opened {
  const files: OpenedFile[] = [];
  try {
    const kernel = openChecked(absolute(req.kernelPath), 'kernel', trust);
    files.push(kernel);
    const image = parseImage(kernel, req.kernelPath);
    checkArch(image, arch, req.kernelPath);
    if (req.mode === 'legacy' && req.type !== undefined) checkImageType(req.type, image, typeArch);
    if (req.x86Entry !== undefined && req.mode !== 'legacy') {
      throw new KexecError({ code: 'EX86ENTRY', message: 'Kexec2 syscall does not support 16bit or 32bit entry yet', path: kernel.path });
    }
    checkCmdlineFits(image, req.cmdline);
    const initrds = req.initrdPaths.map((p) => {
      const f = openChecked(absolute(p), 'initrd', trust);
      files.push(f);
      return f;
    });
    const checked = checkLoadFilesStructure(kernel, image, initrds);
    return { kernel, initrds, image, warnings: checked.warnings, payload: checked.payload };
  } catch (e) {
    for (const f of files) closeQuietly(f.fd);
    throw e;
  }
}
