/**
 * kdump in the first kernel: read the configuration, load the crash kernel into the
 * crashkernel= reservation (through loadKernel with crash: true), unload it, and say whether
 * kdump is operational. Library code: throws KexecError, never prints.
 */
import { KexecError, type Diagnostic } from '../errors.js';
import { parseSysconfigKdump, KDUMP_DEFAULTS } from '../config/sysconfig-kdump.js';
import type { TrustPolicy } from '../host/open-checked.js';
import type { RootFs } from '../host/rootfs.js';
import { explainsSignature } from '../kexec/denied.js';
import { loadKernelChecked, type LoadMode, type LoadResult } from '../kexec/load.js';
import { readLoadRecord, removeLoadRecord, type LoadRecord } from '../kexec/record.js';
import { KEXEC_FILE_ON_CRASH, KEXEC_FILE_UNLOAD, KEXEC_ON_CRASH } from '../sys/constants.js';
import { strerror } from '../sys/errno.js';
import type { Kernel, KexecState } from '../sys/kernel.js';
import { buildKdumpPlan, type KdumpPlan, type KdumpSyscall } from './plan.js';
import { readKdumpTools } from './dump-config.js';
import { kdumpToolsCrashConfig } from './kdump-tools-plan.js';

export const SYSCONFIG_KDUMP = '/etc/sysconfig/kdump';

export const NO_RESERVATION_HELP = [
  'no memory is reserved for the crash kernel (/sys/kernel/kexec_crash_size is 0): boot with a crashkernel= parameter, e.g. crashkernel=256M',
  '  Debian/Ubuntu: add crashkernel=256M to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, run update-grub, and reboot',
  '  Red Hat/Fedora: grubby --update-kernel=ALL --args=crashkernel=256M, and reboot',
].join('\n');

/** Which file configures the crash kernel: kdumpctl reads /etc/sysconfig/kdump, kdump-config /etc/default/kdump-tools. */
export type KdumpConfigSource = 'sysconfig' | 'kdump-tools';

export function readKdumpPlan(fs: RootFs, source: KdumpConfigSource = 'sysconfig'): { plan: KdumpPlan; diagnostics: Diagnostic[] } {
  const base = { osrelease: fs.readText('/proc/sys/kernel/osrelease'), procCmdline: fs.readText('/proc/cmdline'), files: fs };
  if (source === 'kdump-tools') {
    const { tools, diagnostics } = readKdumpTools(fs);
    const c = kdumpToolsCrashConfig(tools);
    return { plan: buildKdumpPlan({ ...base, config: c.config, ...(c.explicit !== undefined ? { explicit: c.explicit } : {}) }), diagnostics };
  }
  const text = fs.readText(SYSCONFIG_KDUMP);
  const parsed = text === null ? { value: { ...KDUMP_DEFAULTS }, diagnostics: [] } : parseSysconfigKdump(text, SYSCONFIG_KDUMP);
  return { plan: buildKdumpPlan({ ...base, config: parsed.value }), diagnostics: parsed.diagnostics };
}

export type KdumpStatus = {
  operational: boolean;
  reservedBytes: number;
  loaded: boolean;
  /** What our own load recorded, when we loaded it. */
  record: LoadRecord | null;
  /** One line for humans. */
  message: string;
};

/** st: readKexecState() (sysfs under the root, or the fake's state). */
export function kdumpStatus(st: KexecState, root: string): KdumpStatus {
  const record = st.crashLoaded ? readLoadRecord(root, true) : null;
  let message: string;
  if (!st.supported) message = 'Kdump is not operational: this kernel has no kexec support (/sys/kernel/kexec_loaded is missing)';
  else if (st.crashSize === 0) message = `Kdump is not operational: ${NO_RESERVATION_HELP}`;
  else if (!st.crashLoaded) message = 'Kdump is not operational: no crash kernel is loaded (run "kdumpctl start")';
  else message = 'Kdump is operational';
  return { operational: st.supported && st.crashSize > 0 && st.crashLoaded, reservedBytes: st.crashSize, loaded: st.crashLoaded, record, message };
}

const MODE: Record<KdumpSyscall, LoadMode> = { kexec_file_load: 'file', kexec_load: 'legacy', auto: 'auto' };

/** Turns the errors admins meet into messages that say what to do. */
function explainLoadError(e: unknown, plan: KdumpPlan, reserved: number): unknown {
  if (!(e instanceof KexecError) || e.errno === undefined) return e;
  const mib = (reserved / 1048576).toFixed(0);
  if (e.code === 'ENOCRASHMEM') return new KexecError({ code: 'ENOCRASHMEM', message: NO_RESERVATION_HELP, exitCode: 1 });
  if (e.errno === 99) {
    return new KexecError({
      code: 'EKDUMPTOOBIG',
      errno: 99,
      syscall: e.syscall ?? 'kexec_file_load',
      message: `${e.message}: the crash kernel ${plan.kernel} and initrd ${plan.initrd.join(', ') || '(none)'} do not fit in the ${mib} MiB crashkernel= reservation; reserve more (e.g. crashkernel=512M) or use a smaller kdump initrd (${plan.kernel.replace(/[^/]*$/, '')}initramfs-${plan.release}kdump.img)`,
    });
  }
  if (e.errno === 129 || e.errno === 126) {
    return new KexecError({
      code: 'EKDUMPSIG',
      errno: e.errno,
      syscall: e.syscall ?? 'kexec_file_load',
      // The syscall layer (kexec/denied.ts) may already have said why and what to do: say it once.
      message: explainsSignature(e.syscall, e.errno)
        ? `${e.message} (crash kernel ${plan.kernel})`
        : `${e.message}: the kernel rejected the signature of ${plan.kernel} (Secure Boot / lockdown or CONFIG_KEXEC_SIG_FORCE); use a kernel signed with a key the running kernel trusts`,
    });
  }
  return e;
}

export type StartResult = { plan: KdumpPlan; diagnostics: Diagnostic[]; alreadyLoaded: boolean; load: LoadResult | null };

export type StartOptions = {
  dryRun?: boolean;
  /** Debug lines (kdumpctl start -d). */
  debug?: (l: string) => void;
  /** Where debug lines go when KEXEC_ARGS holds -d and `debug` is not set. */
  debugSink?: (l: string) => void;
  trust?: TrustPolicy;
  source?: KdumpConfigSource;
  /** The deep check of the kernel's payload and the initrds (default on; kdumpctl start --no-verify). */
  verify?: boolean;
};

/**
 * Loads the crash kernel through loadKernelChecked: compressed kernels and UKIs are unpacked
 * (issue 11) and, unless opts.verify is false, the kernel's payload and the initrds are checked
 * to their end (issue 18) — a crash kernel that cannot boot is found now, not at the crash.
 */
export async function startKdump(kernel: Kernel, fs: RootFs, opts: StartOptions = {}): Promise<StartResult> {
  const { plan, diagnostics } = readKdumpPlan(fs, opts.source);
  const st = kernel.state();
  if (opts.dryRun === true) {
    // A dry run shows the load even where it could not happen (e.g. on a build machine).
    if (st.crashSize === 0) plan.warnings.push('no crashkernel= reservation here: a real start would fail');
  } else {
    if (!st.supported) throw new KexecError({ code: 'ENOKEXEC', message: 'this kernel has no kexec support (/sys/kernel/kexec_loaded is missing)' });
    if (st.crashSize === 0) throw new KexecError({ code: 'ENOCRASHMEM', message: NO_RESERVATION_HELP });
  }
  if (st.crashLoaded && opts.dryRun !== true) return { plan, diagnostics, alreadyLoaded: true, load: null };
  const loadOpts: Parameters<typeof loadKernelChecked>[2] = { root: fs.root, dryRun: opts.dryRun === true };
  const debug = opts.debug ?? (plan.debug ? opts.debugSink : undefined);
  if (debug !== undefined) loadOpts.debug = debug;
  if (opts.trust !== undefined) loadOpts.trust = opts.trust;
  try {
    const load = await loadKernelChecked(
      kernel,
      {
        kernelPath: fs.hostPath(plan.kernel),
        initrdPaths: plan.initrd.map((p) => fs.hostPath(p)),
        cmdline: plan.cmdline,
        crash: true,
        mode: MODE[plan.syscall],
        verify: opts.verify !== false,
      },
      loadOpts,
    );
    return { plan, diagnostics, alreadyLoaded: false, load };
  } catch (e) {
    throw explainLoadError(e, plan, st.crashSize);
  }
}

/** Unloads the crash kernel (kexec -p -u). Returns false when nothing was loaded. */
export function stopKdump(kernel: Kernel, root: string): boolean {
  const was = kernel.state().crashLoaded;
  let res = kernel.kexecFileLoad(-1, null, '', KEXEC_FILE_UNLOAD | KEXEC_FILE_ON_CRASH);
  if (!res.ok && (res.errno === 38 || res.errno === 22)) res = kernel.kexecLoad(0n, [], KEXEC_ON_CRASH);
  if (!res.ok) {
    throw new KexecError({
      code: 'EKDUMPUNLOAD',
      errno: res.errno,
      syscall: res.syscall,
      message: `could not unload the crash kernel: ${res.syscall} failed: ${strerror(res.errno)}`,
    });
  }
  removeLoadRecord(root, true);
  return was;
}
