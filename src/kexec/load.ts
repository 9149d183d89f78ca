/**
 * Loading a kernel: the one place that turns a request into kexec_file_load (or, by the
 * kexec-tools fallback rule, kexec_load). Every file is opened once; checks, header read and
 * the syscall all use those descriptors. A failed load changes nothing: we never unload
 * first, and the /run/kexecctl record is written only after the kernel said yes.
 */
import { resolve } from 'node:path';
import { KexecError } from '../errors.js';
import { checkCmdlineFits } from '../image/cmdline-fit.js';
import { KERNEL_HEADER_BYTES, parseKernelImage, type KernelImageInfo } from '../image/kernel-image.js';
import { concatIntoMemfd } from '../host/memfd-concat.js';
import { closeQuietly, openChecked, readHead, ROOT_ONLY, type OpenedFile, type TrustPolicy } from '../host/open-checked.js';
import { archFromNode, KEXEC_FILE_NO_INITRAMFS, KEXEC_FILE_ON_CRASH, KEXEC_ON_CRASH, type Arch } from '../sys/constants.js';
import { strerror } from '../sys/errno.js';
import type { Kernel } from '../sys/kernel.js';
import { describeFileLoad, type FdDescription } from './describe.js';
import { fileLoadMayFallBack } from './fallback.js';
import { writeLoadRecord, type LoadRecord } from './record.js';
import { buildKexecSegments } from './segments.js';
import { checkImageType } from './image-type.js';

/** kexec -a (auto: file, then fallback), -s (file only), -c (kexec_load only). */
export type LoadMode = 'auto' | 'file' | 'legacy';

export type LoadRequest = {
  kernelPath: string;
  /** Concatenated in this order (through a memfd when more than one). */
  initrdPaths: readonly string[];
  cmdline: string;
  crash: boolean;
  mode: LoadMode;
  /** kexec -t TYPE: must match the detected format when given. */
  type?: string;
};

export type LoadOptions = {
  /** Root under which /run/kexecctl is written (default "/"). */
  root?: string;
  /** Check everything, print the call, make no syscall and write no record. */
  dryRun?: boolean;
  trust?: TrustPolicy;
  now?: () => Date;
  /** Debug lines (kexec -d). */
  debug?: (line: string) => void;
  /**
   * Machine the kernel must be built for. Default: this machine's for the real binding; no
   * check for the fake (tests use x86 images on any host) unless given.
   */
  arch?: Arch | null;
};

export type LoadAttempt = { syscall: 'kexec_file_load' | 'kexec_load'; call: string; ok: boolean; errno?: number; code?: string; message?: string };

export type LoadResult = {
  dryRun: boolean;
  /** The call that succeeded (or, for a dry run, would be made first). */
  call: string;
  syscall: 'kexec_file_load' | 'kexec_load';
  attempts: LoadAttempt[];
  image: KernelImageInfo;
  record: LoadRecord;
  /** Where the record was written; null for a dry run or when it could not be written. */
  recordFile: string | null;
  /** Non-fatal problems after the kernel accepted the load (e.g. the record could not be written). */
  warnings: string[];
};

/** The kernel already said yes: a record we cannot write is a warning, not a failed load. */
function tryRecord(root: string, rec: LoadRecord): { recordFile: string | null; warnings: string[] } {
  try {
    return { recordFile: writeLoadRecord(root, rec), warnings: [] };
  } catch (e) {
    return { recordFile: null, warnings: [`loaded, but could not record it in ${root === '/' ? '' : root}/run/kexecctl: ${e instanceof Error ? e.message : String(e)}`] };
  }
}

/** Absolute path for messages and the record; "" stays "" so it fails to open instead of naming the cwd. */
function absolute(p: string): string {
  return p === '' ? p : resolve(p);
}

type Opened = { kernel: OpenedFile; initrds: OpenedFile[]; image: KernelImageInfo };

function checkArch(image: KernelImageInfo, arch: Arch | null | undefined, path: string): void {
  if (arch === undefined || arch === null || image.arch === arch) return;
  throw new KexecError({ code: 'EWRONGARCH', message: `${path} is a kernel for ${image.arch}, this machine is ${arch}`, path, exitCode: 2 });
}

function openAll(req: LoadRequest, trust: TrustPolicy, arch: Arch | null | undefined): Opened {
  const files: OpenedFile[] = [];
  try {
    const kernel = openChecked(absolute(req.kernelPath), 'kernel', trust);
    files.push(kernel);
    const image = parseKernelImage(readHead(kernel.fd, KERNEL_HEADER_BYTES), req.kernelPath);
    checkArch(image, arch, req.kernelPath);
    if (req.type !== undefined) checkImageType(req.type, image);
    checkCmdlineFits(image, req.cmdline);
    const initrds = req.initrdPaths.map((p) => {
      const f = openChecked(absolute(p), 'initrd', trust);
      files.push(f);
      return f;
    });
    return { kernel, initrds, image };
  } catch (e) {
    for (const f of files) closeQuietly(f.fd);
    throw e;
  }
}

function initrdLabel(initrds: readonly OpenedFile[]): string {
  return initrds.length === 1 ? (initrds[0] as OpenedFile).path : `memfd:kexecctl-initrd = ${initrds.map((f) => f.path).join(' + ')}`;
}

export function loadKernel(kernel: Kernel, req: LoadRequest, opts: LoadOptions = {}): LoadResult {
  const debug = opts.debug ?? (() => undefined);
  const arch = opts.arch !== undefined ? opts.arch : kernel.kind === 'real' ? archFromNode(process.arch) : null;
  const { kernel: kfile, initrds, image } = openAll(req, opts.trust ?? ROOT_ONLY, arch);
  if (req.crash && !opts.dryRun && kernel.state().crashSize === 0) {
    for (const f of [kfile, ...initrds]) closeQuietly(f.fd);
    throw new KexecError({ code: 'ENOCRASHMEM', message: 'Memory for crashkernel is not reserved\nPlease reserve memory by passing "crashkernel=Y@X" parameter to kernel\nThen try to loading kdump kernel' });
  }
  let memfd: number | null = null;
  const attempts: LoadAttempt[] = [];
  try {
    let flags = req.crash ? KEXEC_FILE_ON_CRASH : 0;
    if (initrds.length === 0) flags |= KEXEC_FILE_NO_INITRAMFS;
    let initrd: FdDescription = { fd: null, label: '' };
    if (initrds.length === 1) initrd = { fd: (initrds[0] as OpenedFile).fd, label: initrdLabel(initrds) };
    if (initrds.length > 1 && !opts.dryRun && req.mode !== 'legacy') {
      memfd = concatIntoMemfd(kernel, initrds).fd;
      debug(`initrds concatenated into memfd ${memfd}: ${initrds.map((f) => f.path).join(' + ')}`);
      initrd = { fd: memfd, label: initrdLabel(initrds) };
    }
    if (initrds.length > 1 && memfd === null) initrd = { fd: -1, label: initrdLabel(initrds) };
    const call = describeFileLoad({ fd: kfile.fd, label: kfile.path }, initrd, req.cmdline, flags);
    const record: LoadRecord = {
      kernel: kfile.path,
      initrds: initrds.map((f) => f.path),
      cmdline: req.cmdline,
      time: (opts.now?.() ?? new Date()).toISOString(),
      syscall: req.mode === 'legacy' ? 'kexec_load' : 'kexec_file_load',
      crash: req.crash,
      release: image.release,
      format: image.format,
    };
    if (opts.dryRun) {
      const first = req.mode === 'legacy' ? `kexec_load(<segments for ${image.format}>, flags=0x${(req.crash ? KEXEC_ON_CRASH : 0).toString(16)})` : call;
      return { dryRun: true, call: first, syscall: record.syscall, attempts, image, record, recordFile: null, warnings: [] };
    }
    if (req.mode !== 'legacy') {
      debug(call);
      const res = kernel.kexecFileLoad(kfile.fd, initrd.fd, req.cmdline, flags);
      if (res.ok) {
        attempts.push({ syscall: 'kexec_file_load', call, ok: true });
        return { dryRun: false, call, syscall: 'kexec_file_load', attempts, image, record, ...tryRecord(opts.root ?? '/', record) };
      }
      attempts.push({ syscall: 'kexec_file_load', call, ok: false, errno: res.errno, code: res.code, message: res.message });
      debug(`${call} = -1 ${res.code} (${res.message})`);
      if (!fileLoadMayFallBack(res.errno)) {
        throw new KexecError({ code: 'EKEXECFILE', errno: res.errno, syscall: 'kexec_file_load', message: `kexec_file_load failed: ${strerror(res.errno)}` });
      }
      if (req.mode === 'file') {
        throw new KexecError({ code: 'EFALLBACK', errno: res.errno, syscall: 'kexec_file_load', message: `kexec_file_load failed: ${strerror(res.errno)}\nsyscall kexec_file_load not available.`, exitCode: 1 });
      }
      debug(`falling back to kexec_load (kexec_file_load said ${res.code})`);
    }
    return legacyLoad(kernel, image, req, attempts, record, opts);
  } finally {
    closeQuietly(memfd);
    for (const f of [kfile, ...initrds]) closeQuietly(f.fd);
  }
}

function legacyLoad(kernel: Kernel, image: KernelImageInfo, req: LoadRequest, attempts: LoadAttempt[], record: LoadRecord, opts: LoadOptions): LoadResult {
  const flags = req.crash ? KEXEC_ON_CRASH : 0;
  const placeholder = `kexec_load(<segments for ${image.format}>, flags=0x${flags.toString(16)})`;
  let plan;
  try {
    plan = buildKexecSegments(image);
  } catch (e) {
    if (e instanceof KexecError) attempts.push({ syscall: 'kexec_load', call: placeholder, ok: false, errno: e.errno ?? 38, code: e.code, message: e.message });
    const prior = attempts.find((a) => a.syscall === 'kexec_file_load');
    if (e instanceof KexecError && prior !== undefined) {
      throw new KexecError({ code: e.code, errno: e.errno ?? 38, syscall: 'kexec_load', message: `${e.message} (after kexec_file_load failed: ${prior.message ?? prior.code})` });
    }
    throw e;
  }
  const call = `kexec_load(entry=0x${plan.entry.toString(16)}, nr_segments=${plan.segments.length}, flags=0x${flags.toString(16)})`;
  const res = kernel.kexecLoad(plan.entry, plan.segments, flags);
  if (!res.ok) {
    attempts.push({ syscall: 'kexec_load', call, ok: false, errno: res.errno, code: res.code, message: res.message });
    throw new KexecError({ code: 'EKEXECLOAD', errno: res.errno, syscall: 'kexec_load', message: `kexec_load failed: ${strerror(res.errno)}` });
  }
  attempts.push({ syscall: 'kexec_load', call, ok: true });
  const rec: LoadRecord = { ...record, syscall: 'kexec_load' };
  return { dryRun: false, call, syscall: 'kexec_load', attempts, image, record: rec, ...tryRecord(opts.root ?? '/', rec) };
}
