/**
 * ELF64 core files as /proc/vmcore presents them: an ELF header, PT_NOTE segments (per-CPU
 * NT_PRSTATUS notes and the VMCOREINFO note) and PT_LOAD segments that map physical memory,
 * each with the kernel virtual address it is seen at. Reads go through ByteSource, so the
 * same code parses a file, /proc/vmcore, or a Buffer built in a test.
 */
import { KexecError } from '../errors.js';

export interface ByteSource {
  /** Up to `length` bytes at `offset`; shorter only at end of file. */
  read(offset: number, length: number): Buffer;
}

export function bufferSource(buf: Buffer): ByteSource {
  return { read: (offset, length) => buf.subarray(offset, Math.min(buf.length, offset + length)) };
}

export const PT_LOAD = 1;
export const PT_NOTE = 4;
export const ET_CORE = 4;

export type ProgramHeader = {
  type: number;
  offset: number;
  vaddr: bigint;
  paddr: bigint;
  filesz: number;
  memsz: number;
};

export type ElfNote = { name: string; type: number; desc: Buffer };

export type ElfCore = {
  machine: number;
  phdrs: ProgramHeader[];
  loads: ProgramHeader[];
  notes: ElfNote[];
};

const PH_SIZE = 56;
const MAX_PHNUM = 65534;
const MAX_NOTES_BYTES = 64 * 1024 * 1024;

function bad(message: string): KexecError {
  return new KexecError({ code: 'EVMCOREFORMAT', message });
}

function toNumber(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`${what} 0x${v.toString(16)} is out of range`);
  return Number(v);
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** Parses the notes of one PT_NOTE segment (name/desc padded to 4 bytes, as Linux writes them). */
export function parseNotes(data: Buffer): ElfNote[] {
  const notes: ElfNote[] = [];
  let off = 0;
  while (off + 12 <= data.length) {
    const namesz = data.readUInt32LE(off);
    const descsz = data.readUInt32LE(off + 4);
    const type = data.readUInt32LE(off + 8);
    if (namesz === 0 && descsz === 0 && type === 0) break; // zero padding at the end of a segment
    const nameStart = off + 12;
    const descStart = nameStart + align4(namesz);
    const end = descStart + align4(descsz);
    if (descStart + descsz > data.length) break; // truncated note: keep what was complete
    const name = data
      .subarray(nameStart, nameStart + namesz)
      .toString('latin1')
      .replace(/\0+$/, '');
    notes.push({ name, type, desc: data.subarray(descStart, descStart + descsz) });
    off = end;
  }
  return notes;
}

export function parseElfCore(src: ByteSource): ElfCore {
  const eh = src.read(0, 64);
  if (eh.length < 64 || eh.readUInt32BE(0) !== 0x7f454c46) throw bad('not an ELF file (no \\x7fELF magic)');
  if (eh[4] !== 2) throw bad('only ELF64 core files are supported (this one is ELF32)');
  if (eh[5] !== 1) throw bad('only little-endian ELF core files are supported');
  const type = eh.readUInt16LE(16);
  if (type !== ET_CORE) throw bad(`ELF type ${type} is not a core file (ET_CORE = 4)`);
  const machine = eh.readUInt16LE(18);
  const phoff = toNumber(eh.readBigUInt64LE(32), 'e_phoff');
  const phentsize = eh.readUInt16LE(54);
  const phnum = eh.readUInt16LE(56);
  if (phnum === 0 || phnum > MAX_PHNUM) throw bad(`unsupported program header count ${phnum}`);
  if (phentsize < PH_SIZE) throw bad(`program header size ${phentsize} is too small`);
  const table = src.read(phoff, phentsize * phnum);
  if (table.length < phentsize * phnum) throw bad('program header table is truncated');
  const phdrs: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = i * phentsize;
    phdrs.push({
      type: table.readUInt32LE(o),
      offset: toNumber(table.readBigUInt64LE(o + 8), 'p_offset'),
      vaddr: table.readBigUInt64LE(o + 16),
      paddr: table.readBigUInt64LE(o + 24),
      filesz: toNumber(table.readBigUInt64LE(o + 32), 'p_filesz'),
      memsz: toNumber(table.readBigUInt64LE(o + 40), 'p_memsz'),
    });
  }
  const notes: ElfNote[] = [];
  for (const ph of phdrs.filter((p) => p.type === PT_NOTE)) {
    if (ph.filesz > MAX_NOTES_BYTES) throw bad(`PT_NOTE segment of ${ph.filesz} bytes is implausibly large`);
    notes.push(...parseNotes(src.read(ph.offset, ph.filesz)));
  }
  return { machine, phdrs, loads: phdrs.filter((p) => p.type === PT_LOAD), notes };
}

/** The VMCOREINFO note's text, or null when the core has none. */
export function vmcoreinfoText(core: ElfCore): string | null {
  const n = core.notes.find((x) => x.name === 'VMCOREINFO');
  return n === undefined ? null : n.desc.toString('latin1').replace(/\0+$/, '');
}
