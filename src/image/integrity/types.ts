/**
 * Shared vocabulary of the integrity checks (issue 18): what was found, as values with stable
 * codes and one-line messages that say what to do. Pure types and constructors, no I/O.
 */

/** Compressions the x86 kernel build knows (arch/x86/boot/compressed/Makefile suffix-y), plus an uncompressed ELF. */
export type CompressionFormat = 'gzip' | 'bzip2' | 'lzma' | 'xz' | 'lzo' | 'lz4-legacy' | 'zstd' | 'none';

/** Codes of refusals found by the cheap structural checks (header + file size + a few probed bytes). */
export type StructuralCode =
  /** The file ends before the payload starts: only the setup header (or less) is there. */
  | 'EKERNEL_HEADER_ONLY'
  /** The file is shorter than (setup_sects + 1) * 512 + syssize * 16, or the payload runs past its end. */
  | 'EKERNEL_TRUNCATED'
  /** payload_offset/payload_length do not lie inside the protected-mode part the header describes. */
  | 'EKERNEL_PAYLOAD_RANGE'
  /** The payload does not start with the magic of any compression the kernel build uses. */
  | 'EKERNEL_PAYLOAD_MAGIC'
  /** The size appended after the payload (size_append) is zero or above the 2 GiB kexec limit. */
  | 'EKERNEL_PAYLOAD_SIZE'
  /** A PE/COFF section's raw data, or the signature table, lies past the end of the file. */
  | 'EKERNEL_PE_RANGE'
  /** An initrd of zero bytes. */
  | 'EINITRD_EMPTY';

/** Codes of refusals found by streaming the payload through its decompressor. */
export type PayloadCode =
  /** The compressed stream ended before its end marker / last block. */
  | 'EPAYLOAD_TRUNCATED'
  /** The decompressor rejected the data (bad block, bad offset, bad header). */
  | 'EPAYLOAD_CORRUPT'
  /** The format's own checksum (gzip CRC32, xz check, zstd XXH64, bzip2 CRCs) does not match. */
  | 'EPAYLOAD_CHECKSUM'
  /** The decompressed length differs from the size appended after the payload (or gzip's ISIZE). */
  | 'EPAYLOAD_SIZE'
  /** Bytes follow the end of the compressed stream inside the payload. */
  | 'EPAYLOAD_TRAILING'
  /** The decompressed kernel does not start with an ELF header. */
  | 'EPAYLOAD_NOT_ELF'
  /** More than the output cap (2 GiB, the kernel's kexec_file_load limit) came out. */
  | 'EPAYLOAD_TOO_LARGE'
  /** The bzImage's build CRC-32 (arch/x86/boot/tools/build.c, Linux before 6.15) does not match its bytes. */
  | 'EKERNEL_CHECKSUM'
  /** The payload's format (or one of its options, e.g. xz's x86 BCJ filter) cannot be verified here. */
  | 'EPAYLOAD_UNSUPPORTED';

export type IntegrityFailure<C extends string = StructuralCode | PayloadCode> = {
  code: C;
  /** One line: which check failed, the numbers, and what to do. */
  message: string;
};

export type IntegrityWarning = {
  code: 'WINITRD_UNKNOWN_MAGIC' | 'WKERNEL_OLD_PROTOCOL' | 'WKERNEL_ARM64_NO_PE';
  message: string;
};

/** Where the compressed kernel lies in the file, as checkBzImageIntegrity found it. */
export type PayloadLocation = {
  /** File offset of the first payload byte ((setup_sects + 1) * 512 + payload_offset). */
  offset: number;
  /** payload_length: the compressed stream plus, except for gzip, the 4-byte appended size. */
  length: number;
  format: CompressionFormat;
  /** The uncompressed size the build appended (gzip: ISIZE), i.e. z_output_len of mkpiggy. */
  appendedSize: number;
};

export type StructuralResult =
  | { ok: true; warnings: IntegrityWarning[]; payload: PayloadLocation | null }
  | { ok: false; warnings: IntegrityWarning[]; failure: IntegrityFailure<StructuralCode> };

/** A read the caller must do (pread) before calling the check: `length` bytes at file `offset`. */
export type ProbeRequest = { offset: number; length: number };
/** The bytes read for a ProbeRequest; shorter than asked when the file ends first. */
export type Probe = { offset: number; bytes: Uint8Array };

/** The kernel's own limit on a kexec_file_load image and on our decompressed output (2 GiB). */
export const MAX_OUTPUT_BYTES = 2 * 1024 * 1024 * 1024;

/** Advice appended to messages about a damaged kernel file. */
export const KERNEL_ADVICE = 'free space in /boot and reinstall the kernel package';
export const INITRD_ADVICE = 'free space in /boot and regenerate it (update-initramfs -u -k <release>, or dracut -f)';

/** The largest lzma expansion decodeLzma accepts without a known size in memory (lzma1 holds the whole output). */
export const MAX_LZMA_RATIO = 64;
