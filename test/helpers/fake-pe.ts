/**
 * Small PE/COFF files for the container tests: a DOS stub ("MZ", e_lfanew at 0x3c), "PE\0\0", a
 * COFF header, a PE32+ optional header and one section header per given section, section data at
 * 512-byte file alignment with VirtualSize = the data length (as objcopy and ukify write UKIs).
 * `zboot` writes the EFI zboot header fields (zboot-header.S) into the DOS stub area.
 */
export type FakeSection = { name: string; data: Uint8Array };
/** zboot: `trailer` (the appended size) follows the payload, outside payload_size, as Makefile.zboot writes it. */
export type FakePeOpts = { zboot?: { payload: Uint8Array; compression: string; trailer?: Uint8Array } };

const ALIGN = 512;
const PE_OFFSET = 0x80;
const OPT_SIZE = 240; // PE32+ with 16 data directories

function alignUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

export function fakePe(sections: readonly FakeSection[], opts: FakePeOpts = {}): Buffer {
  const all = [...sections];
  if (opts.zboot !== undefined) all.unshift({ name: '.data', data: Buffer.concat([opts.zboot.payload, opts.zboot.trailer ?? new Uint8Array(0)]) });
  const headerEnd = alignUp(PE_OFFSET + 24 + OPT_SIZE + all.length * 40);
  let at = headerEnd;
  const placed = all.map((s) => {
    const p = { ...s, offset: at };
    at += alignUp(Math.max(1, s.data.length));
    return p;
  });
  const buf = Buffer.alloc(at);
  buf.write('MZ', 0, 'latin1');
  buf.writeUInt32LE(PE_OFFSET, 0x3c);
  buf.write('PE\0\0', PE_OFFSET, 'latin1');
  buf.writeUInt16LE(0x8664, PE_OFFSET + 4);
  buf.writeUInt16LE(all.length, PE_OFFSET + 6);
  buf.writeUInt16LE(OPT_SIZE, PE_OFFSET + 20);
  buf.writeUInt16LE(0x20b, PE_OFFSET + 24);
  buf.writeUInt32LE(16, PE_OFFSET + 24 + 108);
  placed.forEach((s, i) => {
    const h = PE_OFFSET + 24 + OPT_SIZE + i * 40;
    buf.write(s.name.slice(0, 8), h, 'latin1');
    buf.writeUInt32LE(s.data.length, h + 8);
    buf.writeUInt32LE(0x1000 * (i + 1), h + 12);
    buf.writeUInt32LE(alignUp(Math.max(1, s.data.length)), h + 16);
    buf.writeUInt32LE(s.offset, h + 20);
    Buffer.from(s.data).copy(buf, s.offset);
  });
  if (opts.zboot !== undefined) {
    const first = placed[0] as { offset: number };
    buf.write('zimg', 4, 'latin1');
    buf.writeUInt32LE(first.offset, 8);
    buf.writeUInt32LE(opts.zboot.payload.length, 12);
    buf.write(opts.zboot.compression, 24, 'latin1');
  }
  return buf;
}

export function text(s: string): Uint8Array {
  return Buffer.from(s, 'utf8');
}
