/**
 * Loading a kernel: the one place that turns a request into kexec_file_load (or, by the
 * kexec-tools fallback rule, kexec_load). Every file is opened once; checks, header read and
 * the syscall all use those descriptors. A failed load changes nothing: we never unload
 * first, and the /run/kexecctl record is written only after the kernel said yes.
 */
import { KexecError } from '../errors.js';
import { concatIntoMemfd } from '../host/memfd-concat.js';
import { closeQuietly, ROOT_ONLY, type OpenedFile } from '../host/open-checked.js';
import { archFromNode, KEXEC_FILE_NO_INITRAMFS, KEXEC_FILE_ON_CRASH, type Arch } from '../sys/constants.js';
import type { Kernel } from '../sys/kernel.js';
import { describeFileLoad, loadFlagsText, type FdDescription } from './describe.js';
import { closeOpened, openLoadFiles, openLoadFilesAsync, type Opened } from './load-files.js';
import { splitUkiRefusal } from './split-policy.js';
import { verifyLoadFiles } from './load-integrity.js';
import { setRecordAside, type LoadRecord } from './record.js';
import { withLoadLock } from './load-lock.js';
import { nameReleaseWarning } from './name-release.js';
import { legacyFlags, syscalls } from './load-syscalls.js';
import type { LoadAttempt, LoadOptions, LoadRequest, LoadResult } from './load-types.js';

export type { LoadAttempt, LoadMode, LoadOptions, LoadRequest, LoadResult } from './load-types.js';

/** kexec-tools' die() text (kexec/kexec.c main()), with its missing space before the quote. */
export const NO_CRASH_MEMORY =
  'Memory for crashkernel is not reserved\nPlease reserve memory by passing"crashkernel=Y@X" parameter to kernel\nThen try to loading kdump kernel';

function initrdLabel(initrds: readonly OpenedFile[]): string {
  return initrds.length === 1 ? (initrds[0] as OpenedFile).path : `memfd:kexecctl-initrd = ${initrds.map((f) => f.path).join(' + ')}`;
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
      opened.warnings.push(...(await verifyLoadFiles(opened, opts.verified, opts.debug)));
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
    const renamed = nameReleaseWarning(opened.unpacked.path, image.release);
    if (renamed !== null) checkWarnings.push(renamed);
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
    const root = opts.root ?? '/';
    // Issue 12: one load at a time (load-lock.ts), and no record naming the earlier kernel while the
    // new one may already be loaded (setRecordAside): a refusal puts it back, a killed load leaves none.
    return withLoadLock(
      kernel,
      root,
      () => {
        const aside = setRecordAside(root, req.crash);
        try {
          const r = syscalls(kernel, req, opts, { call, flags, initrd, record, checkWarnings, typeArch, opened, attempts });
          aside.drop();
          return r;
        } catch (e) {
          if (e instanceof KexecError) aside.restore();
          throw e;
        }
      },
      { onWait: debug, ...(opts.lockWaitMs === undefined ? {} : { waitMs: opts.lockWaitMs }) },
    );
  } finally {
    closeQuietly(memfd);
    closeOpened(opened);
  }
}
