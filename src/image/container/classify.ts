/**
 * What wraps a kernel file, if anything: a whole-file compression (vmlinuz.gz), an EFI zboot
 * image, or a UKI; "plain" is a bzImage or arm64 Image that goes to the kernel as its own fd.
 * The order is kexec-tools' probe order in effect: a bzImage and an arm64 Image with an EFI stub
 * are PE files too, so their own headers are checked first; a zboot image is recognised by its
 * "zimg" before the PE section table is read (kexec/arch/arm64/kexec-vmlinuz-arm64.c). Pure.
 */
import { KexecError } from '../../errors.js';
import { detectFileCompression, isLzo, type FileCompression } from './compressed.js';
import { isPe, peSections } from './pe-sections.js';
import { looksLikeUki, parseUki, type UkiParts } from './uki.js';
import { isZboot, parseZboot, type ZbootHeader } from './zboot.js';

export type KernelContainer =
  { kind: 'plain' } | { kind: 'compressed'; format: FileCompression } | { kind: 'zboot'; zboot: ZbootHeader } | { kind: 'uki'; uki: UkiParts };

function ascii(b: Uint8Array, off: number, s: string): boolean {
  return off + s.length <= b.length && String.fromCharCode(...b.subarray(off, off + s.length)) === s;
}

/** head: the file's first bytes (64 KiB holds every UKI's section table); profile: the UKI profile to take. */
export function classifyKernelFile(head: Uint8Array, fileSize: number, what = 'kernel', profile = 0): KernelContainer {
  if (ascii(head, 0x202, 'HdrS') || ascii(head, 0x38, 'ARM\x64')) return { kind: 'plain' };
  const compression = detectFileCompression(head);
  if (compression !== null) return { kind: 'compressed', format: compression };
  if (isLzo(head))
    throw new KexecError({ code: 'EDECOMPRESS_UNSUPPORTED', message: `${what} is LZO-compressed, which kexecctl cannot decompress`, exitCode: 2 });
  if (isZboot(head)) return { kind: 'zboot', zboot: parseZboot(head, fileSize, what) };
  if (isPe(head)) {
    const sections = peSections(head);
    if (sections !== null && looksLikeUki(sections)) return { kind: 'uki', uki: parseUki(sections, fileSize, what, profile) };
    if (sections === null)
      throw new KexecError({ code: 'ENOTUKI', message: `${what} is a PE file whose section table is cut short or too large`, exitCode: 2 });
    parseUki(sections, fileSize, what, profile); // throws ENOTUKI: a PE that is neither a kernel nor a UKI
  }
  return { kind: 'plain' };
}

/** kexec -t names of the wrapper, as kexec-tools' file_type[] spells them (uki; arm64 "vmlinuz" is its zboot/gzip loader). */
export function containerTypeName(c: KernelContainer): string | null {
  if (c.kind === 'uki') return 'uki';
  if (c.kind === 'zboot') return 'vmlinuz';
  return null;
}
