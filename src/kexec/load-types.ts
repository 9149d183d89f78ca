/** The load request, options and result types (load.ts makes the load, load-syscalls.ts its system calls). */
import type { KernelImageInfo } from '../image/kernel-image.js';
import type { TrustPolicy } from '../host/open-checked.js';
import type { Arch } from '../sys/constants.js';
import type { X86BootFacts } from '../host/x86-boot-facts.js';
import type { LoadRecord } from './record.js';
import type { VerifiedCache } from './verified-cache.js';

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
  /** Deep checks remembered per file version (verified-cache.ts); automatic loads only. */
  verified?: VerifiedCache;
  /** How long to wait for another load's lock (load-lock.ts; default LOCK_WAIT_MS). */
  lockWaitMs?: number;
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
