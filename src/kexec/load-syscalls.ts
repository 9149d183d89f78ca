/**
 * The system calls of a load: kexec_file_load, then, by kexec-tools' rule (kexec/kexec.c
 * do_kexec_file_load), kexec_load; the /run/kexecctl record only once the kernel said yes.
 */
import { KexecError } from '../errors.js';
import type { KernelImageInfo } from '../image/kernel-image.js';
import type { OpenedFile } from '../host/open-checked.js';
import { KEXEC_ON_CRASH, type Arch } from '../sys/constants.js';
import { strerror } from '../sys/errno.js';
import type { Kernel } from '../sys/kernel.js';
import { KEXEC_CRASH_HOTPLUG_SUPPORT, KEXEC_UPDATE_ELFCOREHDR, loadFlagsText, type FdDescription } from './describe.js';
import { deniedWhy } from './denied.js';
import { fileLoadMayFallBack } from './fallback.js';
import { checkImageType } from './image-type.js';
import type { Opened } from './load-files.js';
import type { LoadAttempt, LoadOptions, LoadRequest, LoadResult } from './load-types.js';
import { writeLoadRecord, type LoadRecord } from './record.js';
import { buildKexecSegments } from './segments.js';
import { readX86BootFacts } from '../host/x86-boot-facts.js';
import { RootFs } from '../host/rootfs.js';
import { readArm64BootFacts } from '../host/arm64-boot-facts.js';

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

/** The machine's kexec_load flags for a request (the syscall's own arch bits are the kernel's default). */
export function legacyFlags(req: LoadRequest, typeArch: Arch): number {
  const hotplug = typeArch === 'x86_64' ? KEXEC_UPDATE_ELFCOREHDR : KEXEC_CRASH_HOTPLUG_SUPPORT;
  return (req.crash ? KEXEC_ON_CRASH : 0) | (req.hotplug === true ? hotplug : 0);
}

export type Prepared = {
  call: string;
  flags: number;
  initrd: FdDescription;
  record: LoadRecord;
  checkWarnings: string[];
  typeArch: Arch;
  opened: Opened;
  attempts: LoadAttempt[];
};

/** kexec_file_load, then (by kexec-tools' rule) kexec_load; the record once the kernel said yes. */
export function syscalls(kernel: Kernel, req: LoadRequest, opts: LoadOptions, p: Prepared): LoadResult {
  const debug = opts.debug ?? (() => undefined);
  const { call, flags, initrd, record, checkWarnings, typeArch, opened, attempts } = p;
  const { kernel: kfile, initrds, image } = opened;
  const root = opts.root ?? '/';
  const cmdline = record.cmdline;
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
        ...tryRecord(root, record),
      });
    }
    attempts.push({ syscall: 'kexec_file_load', call, ok: false, errno: res.errno, code: res.code, message: res.message });
    debug(`${call} = -1 ${res.code} (${res.message})`);
    if (!fileLoadMayFallBack(res.errno)) {
      throw new KexecError({
        code: 'EKEXECFILE',
        errno: res.errno,
        syscall: 'kexec_file_load',
        message: `kexec_file_load failed: ${strerror(res.errno)}${deniedWhy(root, res.errno, 'kexec_file_load')}`,
      });
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
    // kexec-tools prints the segments after "kexec_load failed" (kexec/kexec.c my_load()); a refusal
    // we can explain (lockdown, kexec_load_disabled) is one line: the segments play no part in it.
    const why = deniedWhy(opts.root ?? '/', res.errno, 'kexec_load');
    throw new KexecError({
      code: 'EKEXECLOAD',
      errno: res.errno,
      syscall: 'kexec_load',
      message: [`kexec_load failed: ${strerror(res.errno)}${why}`, ...(why === '' ? plan.table : [])].join('\n'),
    });
  }
  attempts.push({ syscall: 'kexec_load', call, ok: true });
  const rec: LoadRecord = { ...record, syscall: 'kexec_load' };
  return { dryRun: false, call, syscall: 'kexec_load', attempts, image, record: rec, ...tryRecord(opts.root ?? '/', rec) };
}
