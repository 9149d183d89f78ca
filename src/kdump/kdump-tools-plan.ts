/**
 * Debian's kdump-tools settings as a crash-kernel configuration (pure), following kdump-config's
 * kdump_load(): KDUMP_CMDLINE replaces /proc/cmdline; otherwise /proc/cmdline loses crashkernel=,
 * abm=, isolcpus=, hugepages=, hugepagesz=, default_hugepagesz=, edac_report=, BOOT_IMAGE=,
 * processor.max_cstate= (and on x86_64 intel_iommu=, iommu=, intel_idle.max_cstate=); then
 * KDUMP_CMDLINE_APPEND is added. KDUMP_KERNEL / KDUMP_INITRD name the files explicitly (else the
 * running release's /boot/vmlinuz-<release> and initrd, as locate_kdump_kernel() picks them), and
 * KDUMP_KEXEC_ARGS are kexec options (-s, -c, -a, -d understood).
 */
import type { KdumpTools } from '../config/kdump-tools.js';
import { KDUMP_DEFAULTS, type KdumpSysconfig } from '../config/sysconfig-kdump.js';

export const KDUMP_TOOLS_REMOVED: readonly string[] = [
  'abm',
  'isolcpus',
  'hugepages',
  'hugepagesz',
  'default_hugepagesz',
  'edac_core.edac_report',
  'edac_report',
  'BOOT_IMAGE',
  'processor.max_cstate',
  'intel_iommu',
  'iommu',
  'intel_idle.max_cstate',
];

export type KdumpToolsCrash = { config: KdumpSysconfig; explicit?: { kernel: string; initrd: string | null; origin: string } };

export function kdumpToolsCrashConfig(tools: KdumpTools | null): KdumpToolsCrash {
  const config: KdumpSysconfig = { ...KDUMP_DEFAULTS, commandlineRemove: [...KDUMP_TOOLS_REMOVED], kexecArgs: [] };
  if (tools === null) return { config };
  if (tools.cmdline !== null) {
    config.commandline = tools.cmdline.value;
    config.commandlineRemove = [];
  }
  if (tools.cmdlineAppend !== null) config.commandlineAppend = tools.cmdlineAppend.value;
  if (tools.kexecArgs !== null) config.kexecArgs = [...tools.kexecArgs.value];
  if (tools.kernel === null) return { config };
  return { config, explicit: { kernel: tools.kernel.value, initrd: tools.initrd?.value ?? null, origin: tools.kernel.from } };
}
