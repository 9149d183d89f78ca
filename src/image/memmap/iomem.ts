/**
 * /proc/iomem as a tree, and the RAM a kexec_load image may be placed in.
 *
 * Format (kernel/resource.c `r_show`): "<start>-<end> : <name>", hex without 0x, end inclusive,
 * two spaces of indentation per nesting level. kexec-tools reads only the top level on x86
 * (kexec/arch/i386/kexec-x86-common.c `get_memory_ranges_proc_iomem`); on arm64 it subtracts the
 * children of "System RAM" other than the kernel's own (kexec/arch/arm64/kexec-arm64.c
 * `get_memory_ranges`). Read without CAP_SYS_ADMIN the file shows every address as 0.
 */
import { KexecError } from '../../errors.js';
import { MIB, ADDR_LIMIT, clampRanges, mergeRanges, subtractRanges, type AddrRange } from './range.js';
import type { MemmapEntry } from './firmware-memmap.js';

export type IomemNode = { start: bigint; end: bigint; name: string; children: IomemNode[] };

const LINE = /^( *)([0-9a-fA-F]+)-([0-9a-fA-F]+) : (.*)$/;

function bad(message: string): KexecError {
  return new KexecError({ code: 'EIOMEM', message: `/proc/iomem: ${message}` });
}

/** Parses the whole file into top-level nodes with their children (ends exclusive). */
export function parseIomem(text: string): IomemNode[] {
  const roots: IomemNode[] = [];
  const stack: Array<{ depth: number; node: IomemNode }> = [];
  let lineNo = 0;
  let nonZero = false;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '') continue;
    const m = LINE.exec(line.replace(/\r$/, ''));
    if (m === null) throw bad(`line ${lineNo}: cannot read ${JSON.stringify(line.slice(0, 60))}`);
    const depth = (m[1] as string).length >> 1;
    const start = BigInt(`0x${m[2] as string}`);
    const last = BigInt(`0x${m[3] as string}`);
    if (last < start) throw bad(`line ${lineNo}: end is below start`);
    if (last !== 0n) nonZero = true;
    const node: IomemNode = { start, end: last + 1n, name: (m[4] as string).trim(), children: [] };
    while (stack.length > 0 && (stack[stack.length - 1] as { depth: number }).depth >= depth) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent === undefined) roots.push(node);
    else parent.node.children.push(node);
    stack.push({ depth, node });
  }
  if (roots.length > 0 && !nonZero) throw bad('every address reads as 0 (it needs root to show real addresses)');
  return roots;
}

function descendants(node: IomemNode): IomemNode[] {
  return node.children.flatMap((c) => [c, ...descendants(c)]);
}

/** Every node at any depth whose name matches. */
export function findIomem(nodes: readonly IomemNode[], match: (name: string) => boolean): IomemNode[] {
  return nodes.flatMap((n) => [n, ...descendants(n)]).filter((n) => match(n.name));
}

export const isSystemRam = (name: string): boolean => name === 'System RAM';
export const isCrashKernel = (name: string): boolean => /^Crash kernel/.test(name);
/** x86: children of System RAM that belong to firmware or the kernel's reservations. */
export const isReservedChild = (name: string): boolean => /^reserved$/i.test(name);
/** arm64 (kexec-tools `to_be_excluded`): every child except the running kernel's own sections. */
export const isArm64ExcludedChild = (name: string): boolean => !/^Kernel (code|data|rodata|bss)$/.test(name);

export type UsableRamOptions = {
  /** Children of "System RAM" that are not usable (default: "reserved"). */
  excludeChild?: (name: string) => boolean;
  /** Also keep out of the "Crash kernel" region (so a loaded kdump kernel survives). */
  excludeCrashKernel?: boolean;
  /** Lowest usable address (default 1 MiB: real-mode IVT, BIOS data, EBDA, VGA, option ROMs). */
  minAddress?: bigint;
};

/** Top-level "System RAM" minus its excluded children, minus the crash region when asked. */
export function usableRamFromIomem(nodes: readonly IomemNode[], opts: UsableRamOptions = {}): AddrRange[] {
  const excludeChild = opts.excludeChild ?? isReservedChild;
  const ram = nodes.filter((n) => isSystemRam(n.name));
  const minus: AddrRange[] = [];
  for (const r of ram) {
    for (const d of descendants(r)) {
      if (excludeChild(d.name) || (opts.excludeCrashKernel === true && isCrashKernel(d.name))) minus.push(d);
    }
  }
  const usable = subtractRanges(ram, minus);
  return clampRanges(usable, opts.minAddress ?? MIB, ADDR_LIMIT);
}

/** The "Crash kernel" reservations (crashkernel=), merged. */
export function crashKernelRanges(nodes: readonly IomemNode[]): AddrRange[] {
  return mergeRanges(findIomem(nodes, isCrashKernel));
}

const MEMMAP_NAMES = /^(System RAM|reserved|ACPI Tables|ACPI Non-volatile Storage|Persistent Memory|Persistent Memory \(legacy\))$/i;

/**
 * Top-level ranges as a memory map, for systems without /sys/firmware/memmap: like kexec-tools'
 * fallback it keeps only the memory kinds ("System RAM", "Reserved", ACPI, persistent memory) and
 * skips device windows ("PCI Bus ...", "IOAPIC 0").
 */
export function memmapFromIomem(nodes: readonly IomemNode[]): MemmapEntry[] {
  return nodes.filter((n) => MEMMAP_NAMES.test(n.name)).map((n) => ({ start: n.start, end: n.end, type: n.name }));
}
