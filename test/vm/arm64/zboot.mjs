// An arm64 EFI zboot container around an already compressed kernel, for the aarch64 tier (runs on the
// host or in the guest with plain node, no dependencies):
//   node zboot.mjs PAYLOAD COMP_TYPE OUT
// Debian ships no zboot kernel (CONFIG_EFI_ZBOOT is off in bookworm), and building the kernel's own
// wrapper needs the kernel tree; this writes the header that wrapper has, field by field as
// drivers/firmware/efi/libstub/zboot-header.S lays it out, and which kexec-tools
// (kexec/kexec-pe-zboot.c pez_prepare) and the kernel's own loaders read:
//   0x00 "MZ"  0x04 "zimg"  0x08 u32 payload offset  0x0c u32 payload size  0x10 two reserved u32
//   0x18 the compression's name, NUL-terminated (Makefile.zboot's comp-type: gzip, lzma, zstd22 ...)
//   0x38 LINUX_PE_MAGIC (0x818223cd)  0x3c u32 PE header offset
// then a PE32+ header for machine ARM64 (0xaa64) with one .data section holding the payload.
// What is missing is the EFI decompressor program itself (the section has no code): firmware could
// not start this file, kexec only reads the header and the payload. For every method but gzip,
// Makefile.zboot appends the 4-byte little-endian uncompressed size after the stream and leaves it
// out of the payload size; COMP_TYPE other than gzip gets that trailer from the last 4 bytes of
// PAYLOAD (as zstd --content-size / xz streams do not end in it, the caller appends it).
import { readFileSync, writeFileSync } from 'node:fs';

const [payloadPath, comp, out] = process.argv.slice(2);
if (!payloadPath || !comp || !out || comp.length > 31) {
  console.error('usage: node zboot.mjs PAYLOAD COMP_TYPE OUT');
  process.exit(2);
}
const data = readFileSync(payloadPath);
const sizeLen = comp === 'gzip' ? 0 : 4;
const ALIGN = 0x200;
const PE = 0x40;
const OPT = 240; // PE32+ optional header with 16 data directories
const headerEnd = Math.ceil((PE + 24 + OPT + 40) / ALIGN) * ALIGN;
const raw = Math.ceil(data.length / ALIGN) * ALIGN;
const buf = Buffer.alloc(headerEnd + raw);
buf.write('MZ', 0, 'latin1');
buf.write('zimg', 4, 'latin1');
buf.writeUInt32LE(headerEnd, 8);
buf.writeUInt32LE(data.length - sizeLen, 12);
buf.write(`${comp}\0`, 0x18, 'latin1');
buf.writeUInt32LE(0x818223cd, 0x38);
buf.writeUInt32LE(PE, 0x3c);
buf.write('PE\0\0', PE, 'latin1');
buf.writeUInt16LE(0xaa64, PE + 4); // IMAGE_FILE_MACHINE_ARM64
buf.writeUInt16LE(1, PE + 6); // one section
buf.writeUInt16LE(OPT, PE + 20);
buf.writeUInt16LE(0x206, PE + 22); // executable image, line numbers stripped, large address aware
const opt = PE + 24;
buf.writeUInt16LE(0x20b, opt); // PE32+
buf.writeUInt32LE(ALIGN, opt + 32); // SectionAlignment
buf.writeUInt32LE(ALIGN, opt + 36); // FileAlignment
buf.writeUInt32LE(headerEnd + raw, opt + 56); // SizeOfImage
buf.writeUInt32LE(headerEnd, opt + 60); // SizeOfHeaders
buf.writeUInt16LE(10, opt + 68); // IMAGE_SUBSYSTEM_EFI_APPLICATION
buf.writeUInt32LE(16, opt + 108); // NumberOfRvaAndSizes
const sec = opt + OPT;
buf.write('.data', sec, 'latin1');
buf.writeUInt32LE(data.length, sec + 8); // VirtualSize
buf.writeUInt32LE(headerEnd, sec + 12); // VirtualAddress
buf.writeUInt32LE(raw, sec + 16); // SizeOfRawData
buf.writeUInt32LE(headerEnd, sec + 20); // PointerToRawData
buf.writeUInt32LE(0xc0000040, sec + 36); // initialized data, read, write
data.copy(buf, headerEnd);
writeFileSync(out, buf);
