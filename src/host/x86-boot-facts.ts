/**
 * What the kexec_load segment builder needs to know about this x86 machine, read through RootFs
 * (so a test or --root reads a recorded tree): the firmware memory map (/sys/firmware/memmap, as
 * kexec-tools' get_memory_ranges_sysfs reads it, else /proc/iomem's top level), /proc/iomem for
 * usable RAM and the crash region, the running kernel's boot_params (/sys/kernel/boot_params/data),
 * and, when booted through EFI, /sys/firmware/efi (systab, fw_vendor, runtime, config_table and
 * runtime-map/N/*, as kexec-tools' setup_efi_data reads them). Reading only: no decision here.
 */
import type { RootFs } from './rootfs.js';
import type { SysfsMemmapRecord } from '../image/memmap/firmware-memmap.js';
import type { EfiRuntimeMapRecord, EfiSysfsInput } from '../image/x86/efi.js';

export type X86BootFacts = {
  /** /sys/firmware/memmap/N records in N order; empty when the directory is missing. */
  memmap: SysfsMemmapRecord[];
  /** /proc/iomem text, or null. */
  iomem: string | null;
  /** /sys/kernel/boot_params/data, or null. */
  bootParams: Uint8Array | null;
  efi: EfiSysfsInput | null;
  /** The command line of the running kernel (add_efi_memmap makes kexec-tools prefer /proc/iomem). */
  procCmdline: string | null;
  /** 5-level paging is on: the kernel clears the la57 CPU flag when it does not use it. */
  la57: boolean;
  /** Crash loads: /sys/devices/system/cpu/cpuN/crash_notes (hex address) and crash_notes_size (decimal), in N order. */
  crashNotes?: CrashNoteRecord[];
  /** Crash loads: /sys/kernel/vmcoreinfo ("<hex addr> <hex size>"), or null. */
  vmcoreinfo?: string | null;
};

export type CrashNoteRecord = { cpu: number; addr: string; size: string };

const trimmed = (t: string | null): string | null => (t === null ? null : t.trim());

function numbered(fs: RootFs, dir: string): string[] {
  return fs
    .list(dir)
    .filter((n) => /^\d+$/.test(n))
    .sort((a, b) => Number(a) - Number(b));
}

function readMemmap(fs: RootFs): SysfsMemmapRecord[] {
  const dir = '/sys/firmware/memmap';
  return numbered(fs, dir).flatMap((name) => {
    const [start, end, type] = ['start', 'end', 'type'].map((f) => trimmed(fs.readText(`${dir}/${name}/${f}`)));
    return start && end && type ? [{ name, start, end, type }] : [];
  });
}

function readEfi(fs: RootFs): EfiSysfsInput | null {
  if (!fs.isDir('/sys/firmware/efi')) return null;
  const dir = '/sys/firmware/efi/runtime-map';
  const runtimeMap: EfiRuntimeMapRecord[] = numbered(fs, dir).flatMap((name) => {
    const f = (k: string): string | null => trimmed(fs.readText(`${dir}/${name}/${k}`));
    const [type, phys, virt, pages, attr] = [f('type'), f('phys_addr'), f('virt_addr'), f('num_pages'), f('attribute')];
    return type && phys && virt && pages && attr ? [{ name, type, phys_addr: phys, virt_addr: virt, num_pages: pages, attribute: attr }] : [];
  });
  return {
    runtimeMap,
    systab: fs.readText('/sys/firmware/efi/systab'),
    fwVendor: trimmed(fs.readText('/sys/firmware/efi/fw_vendor')),
    runtime: trimmed(fs.readText('/sys/firmware/efi/runtime')),
    configTable: trimmed(fs.readText('/sys/firmware/efi/config_table')),
  };
}

/** Every cpuN with a crash_notes file (kexec-tools' crashdump.c `get_crash_notes_per_cpu` reads the same). */
export function readCrashNotes(fs: RootFs): CrashNoteRecord[] {
  const dir = '/sys/devices/system/cpu';
  return fs
    .list(dir)
    .filter((n) => /^cpu\d+$/.test(n))
    .map((n) => Number(n.slice(3)))
    .sort((a, b) => a - b)
    .flatMap((cpu) => {
      const addr = trimmed(fs.readText(`${dir}/cpu${cpu}/crash_notes`));
      const size = trimmed(fs.readText(`${dir}/cpu${cpu}/crash_notes_size`));
      return addr && size ? [{ cpu, addr, size }] : [];
    });
}

export function readX86BootFacts(fs: RootFs): X86BootFacts {
  const bp = fs.readBytes('/sys/kernel/boot_params/data');
  return {
    memmap: readMemmap(fs),
    iomem: fs.readText('/proc/iomem'),
    bootParams: bp === null ? null : new Uint8Array(bp.buffer, bp.byteOffset, bp.byteLength),
    efi: readEfi(fs),
    procCmdline: fs.readText('/proc/cmdline'),
    la57: /^flags\s*:.*\bla57\b/m.test(fs.readText('/proc/cpuinfo') ?? ''),
    crashNotes: readCrashNotes(fs),
    vmcoreinfo: trimmed(fs.readText('/sys/kernel/vmcoreinfo')),
  };
}
