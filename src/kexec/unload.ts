/**
 * Unloading, as kexec -u [-p] does: kexec_file_load(-1, -1, 0, NULL, KEXEC_FILE_UNLOAD[|ON_CRASH]),
 * falling back to kexec_load(0, 0, NULL, flags) only when the kernel lacks kexec_file_load
 * (kexec-tools' kexec_file_unload). Zero segments is how kexec_load spells "unload".
 */
import { KexecError } from '../errors.js';
import { KEXEC_FILE_ON_CRASH, KEXEC_FILE_UNLOAD, KEXEC_ON_CRASH } from '../sys/constants.js';
import { strerror } from '../sys/errno.js';
import type { Kernel } from '../sys/kernel.js';
import { fileFlagsText } from './describe.js';
import type { LoadMode } from './load.js';
import { removeLoadRecord } from './record.js';
import { deniedWhy } from './denied.js';
import { withLoadLock } from './load-lock.js';

export type UnloadRequest = { crash: boolean; mode: LoadMode };
export type UnloadOptions = { root?: string; dryRun?: boolean; debug?: (line: string) => void; lockWaitMs?: number };
export type UnloadResult = { dryRun: boolean; syscall: 'kexec_file_load' | 'kexec_load'; call: string };

const ENOSYS = 38;

export function unloadKernel(kernel: Kernel, req: UnloadRequest, opts: UnloadOptions = {}): UnloadResult {
  if (opts.dryRun) return unloadUnlocked(kernel, req, opts);
  // Issue 12: never between another load's system call and its record (load-lock.ts).
  const lockOpts = { ...(opts.debug === undefined ? {} : { onWait: opts.debug }), ...(opts.lockWaitMs === undefined ? {} : { waitMs: opts.lockWaitMs }) };
  return withLoadLock(kernel, opts.root ?? '/', () => unloadUnlocked(kernel, req, opts), lockOpts);
}

function unloadUnlocked(kernel: Kernel, req: UnloadRequest, opts: UnloadOptions): UnloadResult {
  const debug = opts.debug ?? (() => undefined);
  const fileFlags = KEXEC_FILE_UNLOAD | (req.crash ? KEXEC_FILE_ON_CRASH : 0);
  const legacyFlags = req.crash ? KEXEC_ON_CRASH : 0;
  const fileCall = `kexec_file_load(kernel_fd=-1, initrd_fd=-1, cmdline_len=0, cmdline=NULL, flags=${fileFlagsText(fileFlags)})`;
  const legacyCall = `kexec_load(entry=0x0, nr_segments=0, segments=NULL, flags=0x${legacyFlags.toString(16)})`;
  if (opts.dryRun) {
    return { dryRun: true, syscall: req.mode === 'legacy' ? 'kexec_load' : 'kexec_file_load', call: req.mode === 'legacy' ? legacyCall : fileCall };
  }
  const done = (syscall: UnloadResult['syscall'], call: string): UnloadResult => {
    removeLoadRecord(opts.root ?? '/', req.crash);
    return { dryRun: false, syscall, call };
  };
  if (req.mode !== 'legacy') {
    debug(fileCall);
    const res = kernel.kexecFileLoad(-1, null, '', fileFlags);
    if (res.ok) return done('kexec_file_load', fileCall);
    if (res.errno !== ENOSYS) {
      throw new KexecError({
        code: 'EKEXECFILE',
        errno: res.errno,
        syscall: 'kexec_file_load',
        message: `kexec_file_load(unload) failed: ${strerror(res.errno)}${deniedWhy(opts.root ?? '/', res.errno, 'kexec_file_load')}`,
      });
    }
    if (req.mode === 'file') {
      throw new KexecError({ code: 'EFALLBACK', errno: res.errno, syscall: 'kexec_file_load', message: 'syscall kexec_file_load not available.' });
    }
  }
  debug(legacyCall);
  const res = kernel.kexecLoad(0n, [], legacyFlags);
  if (!res.ok) {
    throw new KexecError({
      code: 'EKEXECLOAD',
      errno: res.errno,
      syscall: 'kexec_load',
      message: `kexec unload failed: ${strerror(res.errno)}${deniedWhy(opts.root ?? '/', res.errno, 'kexec_load')}`,
    });
  }
  return done('kexec_load', legacyCall);
}
