/**
 * Structural check of an arm64 Image (Documentation/arch/arm64/booting.rst, 64-byte header with
 * "ARM\x64" at 0x38).
 *
 * The header's image_size is `_end - _text` (arch/arm64/kernel/image.h HEAD_SYMBOLS): it counts
 * the BSS, which is not in the file, so a whole Image is *shorter* than image_size and that field
 * cannot tell a cut file from a good one. What can: the PE/COFF header of the EFI stub every
 * distribution kernel has (arch/arm64/kernel/efi-header.S), whose sections and signature table
 * must lie inside the file. Without an EFI stub only the header is checked, and we say so.
 */
import { checkPeRanges, peFileRanges } from './pe.js';
import { KERNEL_ADVICE } from './types.js';
import type { IntegrityWarning, StructuralResult } from './types.js';

const ARM64_HEADER_BYTES = 64;
const IMAGE_SIZE = 0x10;

export function checkArm64ImageIntegrity(head: Uint8Array, fileSize: number, what = 'kernel'): StructuralResult {
  if (fileSize < ARM64_HEADER_BYTES || head.length < ARM64_HEADER_BYTES) {
    return {
      ok: false,
      warnings: [],
      failure: { code: 'EKERNEL_HEADER_ONLY', message: `${what} is cut short: ${fileSize} bytes, less than the 64-byte arm64 Image header; ${KERNEL_ADVICE}` },
    };
  }
  if (String.fromCharCode(...head.subarray(0x38, 0x3c)) !== 'ARM\x64') throw new Error('checkArm64ImageIntegrity: not an arm64 Image (no "ARM\\x64" at 0x38)');
  const imageSize = new DataView(head.buffer, head.byteOffset, head.byteLength).getBigUint64(IMAGE_SIZE, true);
  const pe = checkPeRanges(head, fileSize, what);
  if (pe !== null) return { ok: false, warnings: [], failure: pe };
  const warnings: IntegrityWarning[] = [];
  if (peFileRanges(head) === null) {
    const size = imageSize === 0n ? 'unset' : `${imageSize} bytes with BSS`;
    warnings.push({
      code: 'WKERNEL_ARM64_NO_PE',
      message: `${what}: no EFI stub (PE header), so a cut-short file cannot be told apart (image_size ${size}); only the header was checked`,
    });
  }
  return { ok: true, warnings, payload: null };
}
