/**
 * PE/COFF range checks for kernels with an EFI stub (x86 bzImage, arm64 Image, zboot, UKI): every
 * section's raw data and the Authenticode signature table must lie inside the file. A file cut
 * short loses its signature table first, then the end of .data/.text.
 *
 * Layout: PE/COFF specification (Microsoft) section 3 and 4; the kernel writes these headers in
 * arch/x86/boot/header.S and arch/arm64/kernel/efi-header.S. The certificate table (data directory
 * 4) holds a file offset, not an RVA.
 */
import { KERNEL_ADVICE } from './types.js';
import type { IntegrityFailure, StructuralCode } from './types.js';

const PE_OPT_MAGIC_32 = 0x10b;
const PE_OPT_MAGIC_64 = 0x20b;
const SECTION_HEADER_SIZE = 40;
const CERT_TABLE_INDEX = 4;

export type PeRange = { name: string; start: number; end: number };

/** Raw-data ranges of a PE image's sections and signature table, or null when `head` holds no complete PE header. */
export function peFileRanges(head: Uint8Array): PeRange[] | null {
  if (head.length < 0x40 || head[0] !== 0x4d || head[1] !== 0x5a) return null;
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const pe = v.getUint32(0x3c, true);
  if (pe + 24 > head.length || v.getUint32(pe, true) !== 0x00004550) return null;
  const nsec = v.getUint16(pe + 6, true);
  const optSize = v.getUint16(pe + 20, true);
  const opt = pe + 24;
  const secTable = opt + optSize;
  if (secTable + nsec * SECTION_HEADER_SIZE > head.length || optSize < 2) return null;
  const ranges: PeRange[] = [];
  for (let i = 0; i < nsec; i++) {
    const s = secTable + i * SECTION_HEADER_SIZE;
    const name = String.fromCharCode(...head.subarray(s, s + 8)).replace(/\0+$/, '');
    const rawSize = v.getUint32(s + 16, true);
    const rawPtr = v.getUint32(s + 20, true);
    if (rawSize > 0) ranges.push({ name, start: rawPtr, end: rawPtr + rawSize });
  }
  const magic = v.getUint16(opt, true);
  const ddCountAt = magic === PE_OPT_MAGIC_64 ? opt + 108 : magic === PE_OPT_MAGIC_32 ? opt + 92 : -1;
  if (ddCountAt > 0 && ddCountAt + 4 <= secTable) {
    const count = v.getUint32(ddCountAt, true);
    const entry = ddCountAt + 4 + CERT_TABLE_INDEX * 8;
    if (count > CERT_TABLE_INDEX && entry + 8 <= secTable) {
      const off = v.getUint32(entry, true);
      const size = v.getUint32(entry + 4, true);
      if (size > 0) ranges.push({ name: 'signature table', start: off, end: off + size });
    }
  }
  return ranges;
}

/** The first PE range past the end of the file, as a refusal; null when all fit (or no PE header). */
export function checkPeRanges(head: Uint8Array, fileSize: number, what = 'kernel'): IntegrityFailure<StructuralCode> | null {
  const ranges = peFileRanges(head);
  const bad = ranges?.find((r) => r.end > fileSize);
  if (bad === undefined) return null;
  return {
    code: 'EKERNEL_PE_RANGE',
    message: `${what} is cut short: its ${bad.name} ends at byte ${bad.end} but the file has ${fileSize}; ${KERNEL_ADVICE}`,
  };
}
