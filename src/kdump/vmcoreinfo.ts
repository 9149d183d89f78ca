/**
 * VMCOREINFO: the key=value text the crashed kernel leaves in its ELF note, naming the symbol
 * addresses, structure sizes and member offsets a reader needs (kernel/crash_core.c writes
 * SYMBOL() in hex, SIZE()/OFFSET()/LENGTH()/NUMBER() in decimal). Plus a virtual-address reader
 * over the core's PT_LOAD segments.
 */
import { KexecError } from '../errors.js';
import type { ByteSource, ElfCore, ProgramHeader } from './elf-core.js';

export type VmcoreInfo = {
  osrelease: string | undefined;
  symbols: Map<string, bigint>;
  sizes: Map<string, number>;
  offsets: Map<string, number>;
  numbers: Map<string, bigint>;
  lengths: Map<string, number>;
  other: Map<string, string>;
};

const ENTRY = /^(SYMBOL|SIZE|OFFSET|NUMBER|LENGTH)\(([^)]+)\)=(-?[0-9a-fA-Fx]+)$/;

export function parseVmcoreinfo(text: string): VmcoreInfo {
  const info: VmcoreInfo = {
    osrelease: undefined,
    symbols: new Map(),
    sizes: new Map(),
    offsets: new Map(),
    numbers: new Map(),
    lengths: new Map(),
    other: new Map(),
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const m = ENTRY.exec(line);
    if (m !== null) {
      const [, kind, name, val] = m as unknown as [string, string, string, string];
      try {
        if (kind === 'SYMBOL') info.symbols.set(name, BigInt(`0x${val.replace(/^0x/, '')}`));
        else if (kind === 'NUMBER') info.numbers.set(name, BigInt(val));
        else if (kind === 'SIZE') info.sizes.set(name, Number.parseInt(val, 10));
        else if (kind === 'OFFSET') info.offsets.set(name, Number.parseInt(val, 10));
        else info.lengths.set(name, Number.parseInt(val, 10));
      } catch {
        // an unparsable value is treated as absent
      }
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) {
      const key = line.slice(0, eq);
      const val = line.slice(eq + 1);
      if (key === 'OSRELEASE') info.osrelease = val;
      else info.other.set(key, val);
    }
  }
  return info;
}

function missing(what: string): KexecError {
  return new KexecError({ code: 'EVMCOREINFO', message: `VMCOREINFO lacks ${what}` });
}

export function needSymbol(info: VmcoreInfo, name: string): bigint {
  const v = info.symbols.get(name);
  if (v === undefined) throw missing(`SYMBOL(${name})`);
  return v;
}

export function needOffset(info: VmcoreInfo, structField: string): number {
  const v = info.offsets.get(structField);
  if (v === undefined || !Number.isFinite(v)) throw missing(`OFFSET(${structField})`);
  return v;
}

export function needSize(info: VmcoreInfo, name: string): number {
  const v = info.sizes.get(name);
  if (v === undefined || !Number.isFinite(v) || v <= 0) throw missing(`SIZE(${name})`);
  return v;
}

/** x86_64's __START_KERNEL_map: kernel image addresses are phys_base + (va - this). */
const X86_64_START_KERNEL_MAP = 0xffffffff80000000n;

/** Reads kernel virtual memory out of a core through its PT_LOAD segments. */
export class KernelMemory {
  private readonly loads: ProgramHeader[];

  constructor(
    private readonly src: ByteSource,
    core: ElfCore,
    private readonly info: VmcoreInfo,
  ) {
    this.loads = core.loads;
  }

  /** Physical address for a kernel virtual address when no PT_LOAD maps it by vaddr. */
  private fallbackPhys(va: bigint): bigint | null {
    const physBase = this.info.numbers.get('phys_base');
    if (physBase !== undefined && va >= X86_64_START_KERNEL_MAP) return va - X86_64_START_KERNEL_MAP + physBase;
    const po = this.info.numbers.get('page_offset_base') ?? this.info.numbers.get('PAGE_OFFSET');
    const pageOffset = po === undefined ? undefined : BigInt.asUintN(64, po); // NUMBER() is printed signed
    if (pageOffset !== undefined && va >= pageOffset) return va - pageOffset;
    return null;
  }

  /** The segment and offset within it holding `va` (by vaddr, else by the physical fallback). */
  private locate(va: bigint): { ph: ProgramHeader; delta: number } | null {
    for (const ph of this.loads) {
      if (va >= ph.vaddr && va < ph.vaddr + BigInt(ph.memsz)) return { ph, delta: Number(va - ph.vaddr) };
    }
    const pa = this.fallbackPhys(va);
    if (pa === null) return null;
    for (const ph of this.loads) {
      if (pa >= ph.paddr && pa < ph.paddr + BigInt(ph.memsz)) return { ph, delta: Number(pa - ph.paddr) };
    }
    return null;
  }

  read(va: bigint, length: number): Buffer {
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const addr = va + BigInt(done);
      const at = this.locate(addr);
      if (at === null) {
        throw new KexecError({ code: 'EVMCOREADDR', message: `address 0x${addr.toString(16)} is not in any PT_LOAD segment of the core` });
      }
      const n = Math.min(length - done, at.ph.memsz - at.delta);
      const inFile = Math.max(0, Math.min(n, at.ph.filesz - at.delta));
      if (inFile > 0) {
        const chunk = this.src.read(at.ph.offset + at.delta, inFile);
        if (chunk.length < inFile)
          throw new KexecError({ code: 'EVMCORETRUNC', message: `core file is truncated at offset ${at.ph.offset + at.delta + chunk.length}` });
        chunk.copy(out, done);
      }
      done += n; // bytes past p_filesz read as zeros
    }
    return out;
  }

  u64(va: bigint): bigint {
    return this.read(va, 8).readBigUInt64LE(0);
  }
}
