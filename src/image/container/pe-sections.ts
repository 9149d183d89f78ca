/**
 * The PE/COFF section table (Microsoft PE/COFF specification section 4, "Section Table"), as the
 * UKI reader needs it: name, where its bytes lie in the file and how many of them are data.
 * A section's data is VirtualSize bytes (SizeOfRawData is rounded up to FileAlignment; the
 * systemd stub and kexec-tools' kexec-uki.c read VirtualSize), capped at the raw size. Pure.
 */
export type PeSection = { name: string; offset: number; size: number };

const SECTION_HEADER_SIZE = 40;

/** "MZ" with a "PE\0\0" signature at e_lfanew: any PE image (EFI stub kernels, zboot, UKIs). */
export function isPe(head: Uint8Array): boolean {
  if (head.length < 0x40 || head[0] !== 0x4d || head[1] !== 0x5a) return false;
  const pe = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0x3c, true);
  return pe + 4 <= head.length && head[pe] === 0x50 && head[pe + 1] === 0x45 && head[pe + 2] === 0 && head[pe + 3] === 0;
}

/** The sections in table order, or null when `head` does not hold the whole PE header and section table. */
export function peSections(head: Uint8Array): PeSection[] | null {
  if (!isPe(head)) return null;
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const pe = v.getUint32(0x3c, true);
  if (pe + 24 > head.length) return null;
  const count = v.getUint16(pe + 6, true);
  const table = pe + 24 + v.getUint16(pe + 20, true);
  if (table + count * SECTION_HEADER_SIZE > head.length) return null;
  const out: PeSection[] = [];
  for (let i = 0; i < count; i++) {
    const s = table + i * SECTION_HEADER_SIZE;
    const name = String.fromCharCode(...head.subarray(s, s + 8)).replace(/\0+$/, '');
    const virtualSize = v.getUint32(s + 8, true);
    const rawSize = v.getUint32(s + 16, true);
    const offset = v.getUint32(s + 20, true);
    out.push({ name, offset, size: virtualSize === 0 ? rawSize : Math.min(virtualSize, rawSize) });
  }
  return out;
}
