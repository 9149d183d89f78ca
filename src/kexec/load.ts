/**
 * Loading a kernel: the one place that turns a request into kexec_file_load (or, by the
 * kexec-tools fallback rule, kexec_load). Every file is opened once; checks, header read and
 * the syscall all use those descriptors. A failed load changes nothing: we never unload
 * first, and the /run/kexecctl record is written only after the kernel said yes.
 */
import { KexecError } from '../errors.js';
import type { KernelImageInfo } from '../image/kernel-image.js';
import { concatIntoMemfd } from '../host/memfd-concat.js';
import { closeQuietly, ROOT_ONLY, type OpenedFile, type TrustPolicy } from '../host/open-checked.js';
import { archFromNode, KEXEC_FILE_NO_INITRAMFS, KEXEC_FILE_ON_CRASH, KEXEC_ON_CRASH, type Arch } from '../sys/constants.js';
import { strerror } from '../sys/errno.js';
import type { Kernel } from '../sys/kernel.js';
import { describeFileLoad, KEXEC_CRASH_HOTPLUG_SUPPORT, KEXEC_UPDATE_ELFCOREHDR, loadFlagsText, type FdDescription } from './describe.js';
import { fileLoadMayFallBack } from './fallback.js';
import { checkImageType } from './image-type.js';
import { closeOpened, openLoadFiles, openLoadFilesAsync, type Opened } from './load-files.js';
import { splitUkiRefusal } from './split-policy.js';
import { verifyLoadFiles } from './load-integrity.js';
import { writeLoadRecord, type LoadRecord } from './record.js';
import { buildKexecSegments } from './segments.js';
import { readX86BootFacts, type X86BootFacts } from '../host/x86-boot-facts.js';
import { RootFs } from '../host/rootfs.js';
import { readArm64BootFacts } from '../host/arm64-boot-facts.js';

/** kexec -a (auto: file, then fallback), -s (file only), -c (kexec_load only). */
export type LoadMode = 'auto' | 'file' | 'legacy';

export type LoadRequest = {
  kernelPath: string;
  /** Concatenated in this order (through a memfd when more than one). */
  initrdPaths: readonly string[];
  cmdline: string;
  crash: boolean;
  mode: LoadMode;
  /** kexec -t TYPE: checked on the kexec_load path only (kexec_file_load ignores it, as kexec-tools). */
  type?: string;
  /** More KEXEC_FILE_* flags (kexec --no-cma, --force-dtb). */
  fileFlags?: number;
  /** kexec --hotplug: KEXEC_UPDATE_ELFCOREHDR (x86) / KEXEC_CRASH_HOTPLUG_SUPPORT on kexec_load. */
  hotplug?: boolean;
  /** kexec --real-mode / --entry-32bit: refused on the kexec_file_load path, as kexec-tools does. */
  x86Entry?: 'real-mode' | 'entry-32bit';
  /**
   * Deep integrity check (issue 18): decompress the kernel's payload before the syscall and refuse
   * a damaged one. Only loadKernelChecked (async) can do it; the structural checks always run.
   */
  verify?: boolean;
  /** Which profile of a multi-profile UKI to load (default 0, systemd-boot's default). */
  ukiProfile?: number;
};

/** kexec-tools' die() text (kexec/kexec.c main()), with its missing space before the quote. */
export const NO_CRASH_MEMORY =
  'Memory for crashkernel is not reserved\nPlease reserve memory by passing"crashkernel=Y@X" parameter to kernel\nThen try to loading kdump kernel';

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
  /** This machine's memory map and boot data for kexec_load (default: read under `root`). */
  x86Facts?: () => X86BootFacts;
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
  /** Non-fatal problems: the integrity checks' warnings, then any after the kernel accepted the load (e.g. the record could not be written). */
  warnings: string[];
};

/** The kernel already said yes: a record we cannot write is a warning, not a failed load. */
function tryRecord(root: string, rec: LoadRecord): { recordFile: string | null; warnings: string[] } {
  try {
    return { recordFile: writeLoadRecord(root, rec), warnings: [] };
  } catch (e) {
    return {
      recordFile: null,
      warnings: [`loaded, but could not record it in ${root === '/' ? '' : root}/run/kexecctl: ${e instanceof Error ? e.message : String(e)}`],
    };
  }
}

function initrdLabel(initrds: readonly OpenedFile[]): string {
  return initrds.length === 1 ? (initrds[0] as OpenedFile).path : `memfd:kexecctl-initrd = ${initrds.map((f) => f.path).join(' + ')}`;
}

/** The machine's kexec_load flags for a request (the syscall's own arch bits are the kernel's default). */
function legacyFlags(req: LoadRequest, typeArch: Arch): number {
  const hotplug = typeArch === 'x86_64' ? KEXEC_UPDATE_ELFCOREHDR : KEXEC_CRASH_HOTPLUG_SUPPORT;
  return (req.crash ? KEXEC_ON_CRASH : 0) | (req.hotplug === true ? hotplug : 0);
}

/** What every load does before opening anything: kexec-tools dies on a crash load without a reservation first. */
function preflight(kernel: Kernel, req: LoadRequest, opts: LoadOptions): { arch: Arch | null; typeArch: Arch } {
  const arch = opts.arch !== undefined ? opts.arch : kernel.arch;
  const typeArch = arch ?? archFromNode(process.arch) ?? 'x86_64';
  if (req.crash && !opts.dryRun && kernel.state().crashSize === 0) throw new KexecError({ code: 'ENOCRASHMEM', message: NO_CRASH_MEMORY });
  return { arch, typeArch };
}

/** Structural integrity checks only (synchronous); a request with verify: true needs loadKernelChecked. */
export function loadKernel(kernel: Kernel, req: LoadRequest, opts: LoadOptions = {}): LoadResult {
  if (req.verify === true) throw new Error('loadKernel: verify needs the asynchronous loadKernelChecked');
  const { arch, typeArch } = preflight(kernel, req, opts);
  return loadOpened(kernel, req, opts, typeArch, openLoadFiles(req, opts.trust ?? ROOT_ONLY, arch, typeArch));
}

/**
 * loadKernel plus, with req.verify, the deep check of the kernel's payload, streamed from the
 * descriptor the load then hands to the kernel (no second open, so no other file can slip in).
 */
export async function loadKernelChecked(kernel: Kernel, req: LoadRequest, opts: LoadOptions = {}): Promise<LoadResult> {
  const { arch, typeArch } = preflight(kernel, req, opts);
  const opened = await openUnpacked(kernel, req, opts, arch, typeArch);
  try {
    if (req.verify === true) {
      const t0 = Date.now();
      opened.warnings.push(...(await verifyLoadFiles(opened)));
      opts.debug?.(`verified the kernel's ${opened.payload?.format ?? 'missing'} payload and ${opened.initrds.length} initrd(s) in ${Date.now() - t0} ms`);
    }
  } catch (e) {
    closeOpened(opened);
    throw e;
  }
  return loadOpened(kernel, { ...req, verify: false }, opts, typeArch, opened);
}

/** loadKernelChecked's checks without the load (kexec -u -l runs them before it unloads); makes no system call. */
export async function checkLoadRequest(kernel: Kernel, req: LoadRequest, opts: LoadOptions = {}): Promise<void> {
  const { arch, typeArch } = preflight(kernel, req, opts);
  const opened = await openUnpacked(kernel, req, opts, arch, typeArch);
  try {
    if (req.verify === true) await verifyLoadFiles(opened);
  } finally {
    closeOpened(opened);
  }
}

/**
 * openLoadFilesAsync, then the refusal of a split UKI under lockdown (split-policy.ts): the
 * kernel would reject the unsigned .linux with EPERM/EKEYREJECTED; we say why first.
 */
async function openUnpacked(kernel: Kernel, req: LoadRequest, opts: LoadOptions, arch: Arch | null, typeArch: Arch): Promise<Opened> {
  const opened = await openLoadFilesAsync(kernel, req, opts.trust ?? ROOT_ONLY, arch, typeArch);
  const refusal = splitUkiRefusal(opened.unpacked, opts.root ?? '/');
  if (refusal !== null) {
    closeOpened(opened);
    throw new KexecError({ code: 'ELOCKDOWNUKI', message: refusal, path: opened.unpacked.path, exitCode: 2 });
  }
  if (opened.unpacked.layers.length > 0) {
    opts.debug?.(
      `${opened.unpacked.path}: ${opened.unpacked.layers.join(', then ')} taken off; loading the ${opened.image.format} in memfd ${opened.kernel.fd}`,
    );
  }
  return opened;
}

/** The system call(s) on the files openLoadFiles opened and checked; closes them. */
function loadOpened(kernel: Kernel, req: LoadRequest, opts: LoadOptions, typeArch: Arch, opened: Opened): LoadResult {
  const debug = opts.debug ?? (() => undefined);
  const { kernel: kfile, initrds, image } = opened;
  const cmdline = opened.cmdline;
  const checkWarnings = opened.warnings;
  let memfd: number | null = null;
  const attempts: LoadAttempt[] = [];
  try {
    let flags = (req.crash ? KEXEC_FILE_ON_CRASH : 0) | (req.fileFlags ?? 0);
    if (initrds.length === 0) flags |= KEXEC_FILE_NO_INITRAMFS;
    let initrd: FdDescription = { fd: null, label: '' };
    if (initrds.length === 1) initrd = { fd: (initrds[0] as OpenedFile).fd, label: initrdLabel(initrds) };
    if (initrds.length > 1 && !opts.dryRun && req.mode !== 'legacy') {
      memfd = concatIntoMemfd(kernel, initrds).fd;
      debug(`initrds concatenated into memfd ${memfd}: ${initrds.map((f) => f.path).join(' + ')}`);
      initrd = { fd: memfd, label: initrdLabel(initrds) };
    }
    if (initrds.length > 1 && memfd === null) initrd = { fd: -1, label: initrdLabel(initrds) };
    const call = describeFileLoad({ fd: kfile.fd, label: kfile.path }, initrd, cmdline, flags);
    const record: LoadRecord = {
      kernel: opened.unpacked.path,
      initrds: initrds.map((f) => f.path),
      cmdline,
      time: (opts.now?.() ?? new Date()).toISOString(),
      syscall: req.mode === 'legacy' ? 'kexec_load' : 'kexec_file_load',
      crash: req.crash,
      release: image.release,
      format: image.format,
    };
    if (opts.dryRun) {
      const first = req.mode === 'legacy' ? `kexec_load(<segments for ${image.format}>, flags=${loadFlagsText(legacyFlags(req, typeArch))})` : call;
      return { dryRun: true, call: first, syscall: record.syscall, attempts, image, record, recordFile: null, warnings: checkWarnings };
    }
    if (req.mode !== 'legacy') {
      debug(call);
      const res = kernel.kexecFileLoad(kfile.fd, initrd.fd, cmdline, flags);
      if (res.ok) {
        attempts.push({ syscall: 'kexec_file_load', call, ok: true });
        return withWarnings(checkWarnings, {
          dryRun: false,
          call,
          syscall: 'kexec_file_load',
          attempts,
          image,
          record,
          ...tryRecord(opts.root ?? '/', record),
        });
      }
      attempts.push({ syscall: 'kexec_file_load', call, ok: false, errno: res.errno, code: res.code, message: res.message });
      debug(`${call} = -1 ${res.code} (${res.message})`);
      if (!fileLoadMayFallBack(res.errno)) {
        throw new KexecError({ code: 'EKEXECFILE', errno: res.errno, syscall: 'kexec_file_load', message: `kexec_file_load failed: ${strerror(res.errno)}` });
      }
      if (req.mode === 'file') {
        // kexec-tools -s: do_kexec_file_load() returns EFALLBACK silently, main() prints one line.
        throw new KexecError({
          code: 'EFALLBACK',
          errno: res.errno,
          syscall: 'kexec_file_load',
          message: 'syscall kexec_file_load not available.',
          exitCode: 1,
        });
      }
      debug(`kexec_file_load said ${res.code}: trying kexec_load, as kexec-tools -a does`);
    }
    const legacyReq = { ...req, cmdline };
    const legacyOpts = { ...opts, typeArch, typeName: opened.unpacked.typeName };
    return withWarnings(checkWarnings, legacyLoad(kernel, { image, kernel: kfile, initrds }, legacyReq, attempts, record, legacyOpts));
  } finally {
    closeQuietly(memfd);
    closeOpened(opened);
  }
}

function withWarnings(first: readonly string[], r: LoadResult): LoadResult {
  return first.length === 0 ? r : { ...r, warnings: [...first, ...r.warnings] };
}

type LegacyFiles = { image: KernelImageInfo; kernel: OpenedFile; initrds: readonly OpenedFile[] };

function legacyLoad(
  kernel: Kernel,
  files: LegacyFiles,
  req: LoadRequest,
  attempts: LoadAttempt[],
  record: LoadRecord,
  opts: LoadOptions & { typeArch: Arch; typeName: string | null },
): LoadResult {
  const image = files.image;
  const debug = opts.debug ?? (() => undefined);
  const prior = attempts.find((a) => a.syscall === 'kexec_file_load');
  if (req.type !== undefined && prior !== undefined) checkImageType(req.type, image, opts.typeArch, opts.typeName); // -c checked it before the initrds
  let flags = legacyFlags(req, opts.typeArch);
  const placeholder = `kexec_load(<segments for ${image.format}>, flags=${loadFlagsText(flags)})`;
  let plan;
  try {
    plan = buildKexecSegments({
      ...files,
      cmdline: req.cmdline,
      crash: req.crash,
      x86Facts: opts.x86Facts ?? (() => readX86BootFacts(new RootFs(opts.root ?? '/'))),
      arm64Facts: () => readArm64BootFacts(new RootFs(opts.root ?? '/')),
    });
  } catch (e) {
    if (!(e instanceof KexecError)) throw e;
    attempts.push({ syscall: 'kexec_load', call: placeholder, ok: false, errno: e.errno ?? 38, code: e.code, message: e.message });
    if (e.code !== 'ENOLEGACY') throw e;
    // No kexec_load syscall is made: with no segments it would unload the current kernel.
    const after = prior === undefined ? '' : ` (kexec_file_load failed: ${prior.message ?? prior.code})`;
    throw new KexecError({ code: 'ENOLEGACY', errno: e.errno ?? 38, syscall: 'kexec_load', message: `${e.message}${after}` });
  }
  flags |= plan.archFlags;
  for (const n of plan.notes) debug(n);
  const call = `kexec_load(entry=0x${plan.entry.toString(16)}, nr_segments=${plan.segments.length}, flags=${loadFlagsText(flags)})`;
  debug(call);
  for (const l of plan.table) debug(l);
  const res = kernel.kexecLoad(plan.entry, plan.segments, flags);
  if (!res.ok) {
    attempts.push({ syscall: 'kexec_load', call, ok: false, errno: res.errno, code: res.code, message: res.message });
    // kexec-tools prints the segments after "kexec_load failed" (kexec/kexec.c my_load()).
    throw new KexecError({
      code: 'EKEXECLOAD',
      errno: res.errno,
      syscall: 'kexec_load',
      message: [`kexec_load failed: ${strerror(res.errno)}`, ...plan.table].join('\n'),
    });
  }
  attempts.push({ syscall: 'kexec_load', call, ok: true });
  const rec: LoadRecord = { ...record, syscall: 'kexec_load' };
  return { dryRun: false, call, syscall: 'kexec_load', attempts, image, record: rec, ...tryRecord(opts.root ?? '/', rec) };
}
