/**
 * Does a command line fit the kernel it is for? kexec_file_load passes the length including
 * the trailing NUL, and x86's bzImage64_load rejects (EINVAL) any cmdline whose length plus
 * MAX_ELFCOREHDR_STR_LEN (room for " elfcorehdr=0x<16 hex>") exceeds cmdline_size, for every
 * load, not only crash loads. We check the same bound so the kernel never has to say EINVAL.
 */
import { KexecError } from '../errors.js';
import type { KernelImageInfo } from './kernel-image.js';

/** sizeof("elfcorehdr=0x") + 16 hex digits + 1 (arch/x86/kernel/kexec-bzimage64.c). */
export const MAX_ELFCOREHDR_STR_LEN = 30;

export type CmdlineFit = {
  ok: boolean;
  /** Bytes passed to the kernel: UTF-8 length plus the trailing NUL. */
  length: number;
  /** Largest accepted length including the NUL. */
  limit: number;
};

export function cmdlineFit(info: Pick<KernelImageInfo, 'format' | 'cmdlineSize'>, cmdline: string): CmdlineFit {
  const length = Buffer.byteLength(cmdline, 'utf8') + 1;
  const limit = info.format === 'x86-bzimage' ? info.cmdlineSize - MAX_ELFCOREHDR_STR_LEN : info.cmdlineSize;
  return { ok: length <= limit, length, limit };
}

/** Throws KexecError ECMDLINE2BIG (exit 2) when the command line does not fit. */
export function checkCmdlineFits(info: Pick<KernelImageInfo, 'format' | 'cmdlineSize'>, cmdline: string): CmdlineFit {
  const fit = cmdlineFit(info, cmdline);
  if (!fit.ok) {
    throw new KexecError({
      code: 'ECMDLINE2BIG',
      message: `command line too long: ${fit.length} bytes (with the trailing NUL), this kernel accepts at most ${fit.limit} (cmdline_size ${info.cmdlineSize})`,
      exitCode: 2,
    });
  }
  return fit;
}
