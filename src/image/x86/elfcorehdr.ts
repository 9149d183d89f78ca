/**
 * The ELF core header a capture kernel reads through elfcorehdr= to build /proc/vmcore, as the
 * kernel's kexec_file_load makes it (kernel/crash_core.c / kexec_file.c `crash_prepare_elf64_headers`,
 * called from arch/x86/kernel/crash.c `prepare_elf_headers`) and kexec-tools' kexec/crashdump-elf.c
 * (`FUNC` = crash_create_elf64_headers):
 *
 *   Elf64_Ehdr   ET_CORE, EM_X86_64 (or the given e_machine: EM_AARCH64 for arm64 crash kernels, as
 *                kexec-tools' kexec/arch/arm64/crashdump-arm64.c `elf_info` sets it), little endian,
 *                e_phoff 64, no sections;
 *   PT_NOTE      one per CPU: p_offset = p_paddr = the CPU's crash_notes address, size crash_notes_size
 *                (/sys/devices/system/cpu/cpuN/crash_notes{,_size}); the capture kernel's fs/proc/vmcore.c
 *                `merge_note_headers_elf64` reads the notes from there after the crash;
 *   PT_NOTE      vmcoreinfo (/sys/kernel/vmcoreinfo "addr size");
 *   PT_LOAD      kernel text mapping (optional; makedumpfile finds phys_base in it, newer ones read
 *                NUMBER(phys_base) from vmcoreinfo instead);
 *   PT_LOAD      one per System RAM range outside the crash region: p_offset = p_paddr = start,
 *                p_vaddr = start + PAGE_OFFSET (0 when unknown: vmcore.c uses p_offset and p_memsz only).
 *
 * Pure: ranges in, bytes out.
 */
import type { AddrRange } from '../memmap/range.js';

export const EHDR_SIZE = 64;
export const PHDR_SIZE = 56;
export const PT_LOAD = 1;
export const PT_NOTE = 4;
export const ET_CORE = 4;
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
/** PF_X | PF_W | PF_R, as both the kernel and kexec-tools set on RAM PT_LOADs. */
export const PF_RWX = 7;

export type NoteRange = { addr: bigint; size: bigint };

export type ElfCoreHeaderInput = {
  /** Per-CPU crash_notes, in CPU order. */
  cpuNotes: readonly NoteRange[];
  /** /sys/kernel/vmcoreinfo, or null when the kernel has none. */
  vmcoreinfo: NoteRange | null;
  /** Kernel text: virtual start, physical start, size; or null to leave it out. */
  kernelText: { vaddr: bigint; paddr: bigint; size: bigint } | null;
  /** RAM to dump, end exclusive, sorted. */
  ram: readonly AddrRange[];
  /** Direct-map base for p_vaddr of RAM ranges (x86_64: 0xffff888000000000 without KASLR), or 0n. */
  pageOffset: bigint;
  /** e_machine (default EM_X86_64). */
  machine?: number;
};

export function elfCoreHeaderSize(input: ElfCoreHeaderInput): number {
  const n = input.cpuNotes.length + (input.vmcoreinfo === null ? 0 : 1) + (input.kernelText === null ? 0 : 1) + input.ram.length;
  return EHDR_SIZE + n * PHDR_SIZE;
}

type Phdr = { type: number; flags: number; offset: bigint; vaddr: bigint; paddr: bigint; size: bigint };

export function buildElfCoreHeader(input: ElfCoreHeaderInput): Uint8Array {
  const phdrs: Phdr[] = [];
  const note = (n: NoteRange): Phdr => ({ type: PT_NOTE, flags: 0, offset: n.addr, vaddr: 0n, paddr: n.addr, size: n.size });
  input.cpuNotes.forEach((n) => phdrs.push(note(n)));
  if (input.vmcoreinfo !== null) phdrs.push(note(input.vmcoreinfo));
  const kt = input.kernelText;
  if (kt !== null) phdrs.push({ type: PT_LOAD, flags: PF_RWX, offset: kt.paddr, vaddr: kt.vaddr, paddr: kt.paddr, size: kt.size });
  for (const r of input.ram) {
    const vaddr = input.pageOffset === 0n ? 0n : (input.pageOffset + r.start) & 0xffff_ffff_ffff_ffffn;
    phdrs.push({ type: PT_LOAD, flags: PF_RWX, offset: r.start, vaddr, paddr: r.start, size: r.end - r.start });
  }
  if (phdrs.length > 0xffff) throw new RangeError(`too many program headers for one ELF header (${phdrs.length})`);

  const out = new Uint8Array(EHDR_SIZE + phdrs.length * PHDR_SIZE);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2 /* ELFCLASS64 */, 1 /* ELFDATA2LSB */, 1 /* EV_CURRENT */, 0 /* ELFOSABI_NONE */], 0);
  v.setUint16(16, ET_CORE, true);
  v.setUint16(18, input.machine ?? EM_X86_64, true);
  v.setUint32(20, 1, true); // e_version
  v.setBigUint64(24, 0n, true); // e_entry
  v.setBigUint64(32, BigInt(EHDR_SIZE), true); // e_phoff
  v.setBigUint64(40, 0n, true); // e_shoff
  v.setUint32(48, 0, true); // e_flags
  v.setUint16(52, EHDR_SIZE, true); // e_ehsize
  v.setUint16(54, PHDR_SIZE, true); // e_phentsize
  v.setUint16(56, phdrs.length, true); // e_phnum
  phdrs.forEach((p, i) => {
    const at = EHDR_SIZE + i * PHDR_SIZE;
    v.setUint32(at, p.type, true);
    v.setUint32(at + 4, p.flags, true);
    v.setBigUint64(at + 8, p.offset, true);
    v.setBigUint64(at + 16, p.vaddr, true);
    v.setBigUint64(at + 24, p.paddr, true);
    v.setBigUint64(at + 32, p.size, true); // p_filesz
    v.setBigUint64(at + 40, p.size, true); // p_memsz
    v.setBigUint64(at + 48, 0n, true); // p_align
  });
  return out;
}
