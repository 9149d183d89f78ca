/**
 * kexec -t TYPE and "what kind of file is this", as kexec-tools answers them (kexec/kexec.c
 * my_load(): "Unsupported kernel type X" for a name not in the architecture's file_type[] table,
 * "Wrong file type X, file matches type Y" when that type's probe fails but another's succeeds;
 * both exit 255). -t matters only on the kexec_load path: do_kexec_file_load() ignores it.
 * Tables: kexec/arch/x86_64/kexec-x86_64.c and kexec/arch/arm64/kexec-arm64.c file_type[] (git
 * main, with uki). Our reader recognises bzImages (which kexec-tools' bzImage64 probe, and then
 * the plain bzImage one, accept) and arm64 Images; the first matching name is the answer. A file
 * we unpacked answers to its wrapper's name: "uki" for a UKI, "vmlinuz" for an arm64 zboot image
 * (kexec-vmlinuz-arm64.c); a compressed file to its inner image's (kexec-tools probes the
 * decompressed buffer).
 */
import { KexecError } from '../errors.js';
import type { KernelImageInfo } from '../image/kernel-image.js';
import type { Arch } from '../sys/constants.js';

export const KEXEC_TYPES: Record<Arch, readonly string[]> = {
  x86_64: ['multiboot2-x86', 'elf-x86_64', 'multiboot-x86', 'elf-x86', 'bzImage64', 'bzImage', 'beoboot-x86', 'nbi-x86', 'uki'],
  aarch64: ['vmlinux', 'Image', 'uImage', 'vmlinuz', 'uki'],
};

/** Type names whose probe accepts this image, in table order. */
const MATCHING: Record<KernelImageInfo['format'], readonly string[]> = {
  'x86-bzimage': ['bzImage64', 'bzImage'],
  'arm64-image': ['Image'],
};

export function checkImageType(type: string, info: KernelImageInfo, arch: Arch, wrapper: string | null = null): void {
  if (!KEXEC_TYPES[arch].includes(type)) {
    throw new KexecError({ code: 'EBADTYPE', message: `Unsupported kernel type ${type}` });
  }
  const matches = wrapper === null ? MATCHING[info.format] : [wrapper];
  if (!matches.includes(type)) {
    throw new KexecError({ code: 'EBADTYPE', message: `Wrong file type ${type}, file matches type ${matches[0] ?? info.format}` });
  }
}

/**
 * Could any kexec-tools probe (after its gzip/lzma/zstd decompression) recognise this file? False
 * means kexec-tools would say "Cannot determine the file type of K": no bzImage header, arm64
 * Image magic, ELF, PE/EFI ("MZ"), or compressed stream at the start.
 */
export function hasKnownKernelMagic(head: Uint8Array): boolean {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const at = (off: number, s: string): boolean => b.length >= off + s.length && b.toString('latin1', off, off + s.length) === s;
  if (at(0x202, 'HdrS') || at(0x38, 'ARM\x64') || at(0, '\x7fELF') || at(0, 'MZ')) return true;
  if (at(0, '\x1f\x8b') || at(0, '\xfd7zXZ\x00') || at(0, '\x5d\x00\x00') || at(0, '\x28\xb5\x2f\xfd')) return true; // gzip, xz, lzma, zstd
  return at(0, '\x27\x05\x19\x56'); // U-Boot uImage
}
