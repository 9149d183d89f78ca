/**
 * The crash plan (pure): which kernel, initrd and command line `kdumpctl start` loads into the
 * crash reservation, following Red Hat kdumpctl's rules for /etc/sysconfig/kdump. Files are only
 * probed through the FileProbe port (RootFs in production), never opened here.
 */
import { KexecError } from '../errors.js';
import type { KdumpSysconfig } from '../config/sysconfig-kdump.js';
import { captureCmdline } from './cmdline-edit.js';

export interface FileProbe {
  isFile(inRoot: string): boolean;
}

export type KdumpSyscall = 'kexec_file_load' | 'kexec_load' | 'auto';

export type KdumpPlan = {
  release: string;
  kernel: string;
  initrd: string[];
  cmdline: string;
  /** -s: kexec_file_load, -c: kexec_load, -a (default): kexec_file_load, falling back as kexec-tools does. */
  syscall: KdumpSyscall;
  debug: boolean;
  warnings: string[];
};

export type KdumpPlanInput = {
  config: KdumpSysconfig;
  /** Contents of /proc/sys/kernel/osrelease, or null when unreadable. */
  osrelease: string | null;
  /** Contents of /proc/cmdline, or null when unreadable. */
  procCmdline: string | null;
  files: FileProbe;
  /** Explicit crash kernel and initrd (Debian's KDUMP_KERNEL / KDUMP_INITRD); null initrd = none found. */
  explicit?: { kernel: string; initrd: string | null; origin: string };
};

function join(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

export function crashKernelPath(config: KdumpSysconfig, release: string): string {
  return join(config.bootDir, `${config.img}-${release}${config.imgExt}`);
}

/** Candidate initrds, best first: a dedicated kdump initrd, then Debian's and Red Hat's normal one. */
export function crashInitrdCandidates(config: KdumpSysconfig, release: string): string[] {
  return [
    join(config.bootDir, `initramfs-${release}kdump.img`),
    `/var/lib/kdump/initramfs-${release}kdump.img`,
    join(config.bootDir, `initrd.img-${release}`),
    join(config.bootDir, `initramfs-${release}.img`),
  ];
}

type SyscallChoice = { syscall: KdumpSyscall; debug: boolean; warnings: string[] };

/** Interprets KEXEC_ARGS (and the legacy KDUMP_FILE_LOAD) the way kexec-tools reads those options. */
export function interpretKexecArgs(args: readonly string[], fileLoad: 'on' | 'off' | undefined): SyscallChoice {
  const warnings: string[] = [];
  let syscall: KdumpSyscall | undefined;
  let debug = false;
  let coreHeaders: string | undefined;
  for (const a of args) {
    if (a === '-s' || a === '--kexec-file-syscall') syscall = 'kexec_file_load';
    else if (a === '-c' || a === '--kexec-syscall') syscall = 'kexec_load';
    else if (a === '-a' || a === '--kexec-syscall-auto') syscall = 'auto';
    else if (a === '-d' || a === '--debug') debug = true;
    else if (a === '--elf32-core-headers' || a === '--elf64-core-headers') coreHeaders = a;
    else warnings.push(`KEXEC_ARGS: "${a}" is not supported for the crash kernel (only -s, -c, -a, -d, --elf32-core-headers, --elf64-core-headers); ignored`);
  }
  if (syscall === undefined) syscall = fileLoad === 'off' ? 'kexec_load' : fileLoad === 'on' ? 'kexec_file_load' : 'auto';
  if (coreHeaders !== undefined && syscall !== 'kexec_load') {
    warnings.push(`KEXEC_ARGS: ${coreHeaders} has no effect with kexec_file_load: the kernel builds the ELF core headers itself`);
  }
  return { syscall, debug, warnings };
}

export function buildKdumpPlan(input: KdumpPlanInput): KdumpPlan {
  const { config, files } = input;
  const release = config.kernelVer !== '' ? config.kernelVer : (input.osrelease ?? '').trim();
  if (release === '') {
    throw new KexecError({
      code: 'EKDUMPRELEASE',
      message: 'cannot tell which kernel release to load as the crash kernel: KDUMP_KERNELVER is empty and /proc/sys/kernel/osrelease is unreadable',
    });
  }
  const explicit = input.explicit;
  if (explicit !== undefined && !files.isFile(explicit.kernel)) {
    throw new KexecError({ code: 'EKDUMPKERNEL', path: explicit.kernel, message: `${explicit.origin}: KDUMP_KERNEL does not exist: ${explicit.kernel}` });
  }
  if (explicit?.initrd != null && !files.isFile(explicit.initrd)) {
    throw new KexecError({ code: 'EKDUMPINITRD', path: explicit.initrd, message: `${explicit.origin}: KDUMP_INITRD does not exist: ${explicit.initrd}` });
  }
  const kernel = explicit?.kernel ?? crashKernelPath(config, release);
  if (!files.isFile(kernel)) {
    throw new KexecError({
      code: 'EKDUMPKERNEL',
      path: kernel,
      message: `crash kernel ${kernel} not found (release ${release}); set KDUMP_KERNELVER, KDUMP_BOOTDIR, KDUMP_IMG or KDUMP_IMG_EXT in /etc/sysconfig/kdump`,
    });
  }
  const warnings: string[] = [];
  const initrdPath = explicit !== undefined ? (explicit.initrd ?? undefined) : crashInitrdCandidates(config, release).find((p) => files.isFile(p));
  if (initrdPath === undefined && explicit === undefined) {
    warnings.push(`no initrd found for ${release} (looked for ${crashInitrdCandidates(config, release).join(', ')}); the capture kernel boots without one`);
  }
  let base = config.commandline;
  if (base === '') {
    if (input.procCmdline === null) {
      warnings.push('KDUMP_COMMANDLINE is empty and /proc/cmdline is unreadable: the capture kernel gets only the appended parameters');
    }
    base = (input.procCmdline ?? '').trim();
  }
  const cl = captureCmdline({ base, remove: config.commandlineRemove, append: config.commandlineAppend });
  const sc = interpretKexecArgs(config.kexecArgs, config.fileLoad);
  return {
    release,
    kernel,
    initrd: initrdPath === undefined ? [] : [initrdPath],
    cmdline: cl.cmdline,
    syscall: sc.syscall,
    debug: sc.debug,
    warnings: [...warnings, ...cl.warnings, ...sc.warnings],
  };
}
