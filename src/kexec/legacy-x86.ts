/**
 * kexec_load for an x86_64 bzImage: reads the opened files into one buffer per segment (the kernel
 * file once, every initrd straight into its place in one ramdisk buffer, GRUB's 4-byte padding
 * between parts), turns this machine's facts into usable RAM and an e820 map, and hands everything
 * to the pure planner (src/image/x86/bzimage-plan.ts). The buffers live in the returned plan until
 * the syscall has copied them (the caller keeps the plan referenced across kernel.kexecLoad()).
 *
 * Usable RAM: /proc/iomem's "System RAM" minus its "reserved" children and the "Crash kernel"
 * region, above 1 MiB (kexec-tools' locate_hole works on the same map; it does not subtract the
 * reserved children, we do). The e820 table: /sys/firmware/memmap as kexec-tools prefers it, or
 * /proc/iomem's top level when memmap is missing or the command line has add_efi_memmap.
 */
import { randomBytes } from '../host/random-bytes.js';
import { KexecError } from '../errors.js';
import { readRamdisk, readWholeFile } from './segment-files.js';
import type { OpenedFile } from '../host/open-checked.js';
import type { X86BootFacts } from '../host/x86-boot-facts.js';
import { crashKernelRanges, isSystemRam, parseIomem, memmapFromIomem, usableRamFromIomem } from '../image/memmap/iomem.js';
import { parseSysfsMemmap, usableRamFromMemmap } from '../image/memmap/firmware-memmap.js';
import { formatSegmentTable, requireSoundPlan } from '../image/segment-check.js';
import { checkBzImagePlan } from '../image/x86/plan-check.js';
import { planBzImage64, type X86LoadPlan } from '../image/x86/bzimage-plan.js';
import { planCrashBzImage64, type CrashLoadPlan } from '../image/x86/crash-plan.js';
import { parseCrashNotes, parseVmcoreinfo } from '../image/x86/crash-facts.js';

export type X86LegacyInput = {
  kernel: OpenedFile;
  initrds: readonly OpenedFile[];
  cmdline: string;
  facts: X86BootFacts;
  /** Tests pass fixed bytes; the default is 32 fresh random bytes (SETUP_RNG_SEED). */
  rngSeed?: Uint8Array | null;
  /** kexec -p: a crash kernel inside the "Crash kernel" region, with an ELF core header (crash-plan.ts). */
  crash?: boolean;
};

export type X86LegacyPlan = X86LoadPlan & { table: string[]; memmapSource: string; crash?: CrashLoadPlan };

export function buildX86LegacyPlan(input: X86LegacyInput): X86LegacyPlan {
  const nodes = input.facts.iomem === null ? [] : parseIomem(input.facts.iomem);
  const addEfiMemmap = /(^|\s)add_efi_memmap(\s|$)/.test(input.facts.procCmdline ?? '');
  const useSysfs = input.facts.memmap.length > 0 && !addEfiMemmap;
  const memmap = useSysfs ? parseSysfsMemmap(input.facts.memmap) : memmapFromIomem(nodes);
  if (memmap.length === 0) {
    throw new KexecError({ code: 'ENOMEMMAP', exitCode: 1, message: 'kexec_load: no memory map (/sys/firmware/memmap and /proc/iomem are both unreadable)' });
  }
  const kernel = readWholeFile(input.kernel);
  const initrd = readRamdisk(input.initrds);
  const common = {
    kernel,
    initrd,
    cmdline: input.cmdline,
    runningBootParams: input.facts.bootParams,
    efi: input.facts.efi,
    la57: input.facts.la57,
    rngSeed: input.rngSeed === undefined ? randomBytes(32) : input.rngSeed,
  };
  let usableRam = nodes.length > 0 ? usableRamFromIomem(nodes, { excludeCrashKernel: true }) : usableRamFromMemmap(memmap);
  let crash: CrashLoadPlan | undefined;
  let plan: X86LoadPlan;
  if (input.crash === true) {
    if (nodes.length === 0)
      throw new KexecError({ code: 'ENOCRASHMEM', exitCode: 1, message: 'kexec_load: /proc/iomem is unreadable, so the crash kernel region is unknown' });
    crash = planCrashBzImage64({
      ...common,
      crashRanges: crashKernelRanges(nodes),
      systemRam: nodes.filter((n) => isSystemRam(n.name)),
      memmap,
      core: {
        cpuNotes: parseCrashNotes(input.facts.crashNotes ?? []),
        vmcoreinfo: parseVmcoreinfo(input.facts.vmcoreinfo ?? null),
        kernelText: null,
        pageOffset: 0n,
      },
    });
    usableRam = crash.segmentRam;
    plan = crash;
  } else {
    plan = planBzImage64({ ...common, usableRam, memmap });
  }
  requireSoundPlan(checkBzImagePlan(plan, usableRam));
  const out: X86LegacyPlan = { ...plan, table: formatSegmentTable(plan.entry, plan.segments), memmapSource: useSysfs ? '/sys/firmware/memmap' : '/proc/iomem' };
  if (crash !== undefined) out.crash = crash;
  return out;
}
