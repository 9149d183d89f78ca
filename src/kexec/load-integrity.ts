/**
 * Integrity of what a load is about to hand to the kernel (issue 18), run on the descriptors the
 * load already opened, before any system call: a cut-short kernel or an empty initrd must never
 * replace a good load. kexec-tools checks none of this (kexec/kexec.c my_load() only probes the
 * type); we do, deliberately.
 *
 * Structural checks (a few preads and fstat) always run; the deep check streams the compressed
 * kernel through its decompressor (verifyKernelPayload) and is the caller's choice.
 */
import { fstatSync } from 'node:fs';
import { KexecError } from '../errors.js';
import { preadFully, type OpenedFile } from '../host/open-checked.js';
import type { KernelImageInfo } from '../image/kernel-image.js';
import { fileVersionKey, VERIFIED_FILE, type VerifiedCache } from './verified-cache.js';
import { KERNEL_ADVICE } from '../image/integrity/types.js';
import {
  BuildCrc,
  buildCrcPlan,
  bzImageIntegrityPlan,
  checkArm64ImageIntegrity,
  checkBzImageIntegrity,
  checkInitrdIntegrity,
  INITRD_HEAD_BYTES,
  verifyInitrd,
  verifyKernelPayload,
  type PayloadLocation,
  type Probe,
  type StructuralResult,
} from '../image/integrity/index.js';

/** Head of the kernel the structural checks read (the setup header and a PE header fit well inside). */
const CHECK_HEAD_BYTES = 64 * 1024;
/** Chunk size of the payload stream: fresh buffers, as verifyKernelPayload requires. */
const VERIFY_CHUNK_BYTES = 1024 * 1024;

export type StructuralVerdict = { warnings: string[]; payload: PayloadLocation | null };

function refused(r: StructuralResult, path: string): KexecError | null {
  if (r.ok) return null;
  return new KexecError({ code: r.failure.code, message: r.failure.message, path, exitCode: 2 });
}

function checkKernel(kernel: OpenedFile, image: KernelImageInfo): StructuralResult | null {
  const size = fstatSync(kernel.fd).size;
  const head = preadFully(kernel.fd, 0, CHECK_HEAD_BYTES);
  if (image.format === 'x86-bzimage') {
    const probes: Probe[] = bzImageIntegrityPlan(head).needBytesAt.map((p) => ({ offset: p.offset, bytes: preadFully(kernel.fd, p.offset, p.length) }));
    return checkBzImageIntegrity(head, size, probes, kernel.path);
  }
  if (image.format === 'arm64-image') return checkArm64ImageIntegrity(head, size, kernel.path);
  return null;
}

/**
 * The cheap checks of the kernel and every initrd part, in that order; throws the first refusal
 * (a KexecError with the check's code, exit 2). Returns the warnings and where the payload lies.
 */
export function checkLoadFilesStructure(kernel: OpenedFile, image: KernelImageInfo, initrds: readonly OpenedFile[]): StructuralVerdict {
  const warnings: string[] = [];
  const k = checkKernel(kernel, image);
  if (k !== null) {
    const bad = refused(k, kernel.path);
    if (bad !== null) throw bad;
    warnings.push(...k.warnings.map((w) => w.message));
  }
  for (const f of initrds) {
    const r = checkInitrdIntegrity(preadFully(f.fd, 0, INITRD_HEAD_BYTES), fstatSync(f.fd).size, f.path);
    const bad = refused(r, f.path);
    if (bad !== null) throw bad;
    warnings.push(...r.warnings.map((w) => w.message));
  }
  return { warnings, payload: k !== null && k.ok ? k.payload : null };
}

/** Fresh chunks of `fd` from `offset` to `end` or its end (at most 1 MiB each). */
async function* fileChunks(fd: number, offset: number, end = Infinity): AsyncGenerator<Uint8Array> {
  for (let at = offset; at < end;) {
    const chunk = preadFully(fd, at, Math.min(VERIFY_CHUNK_BYTES, end - at));
    if (chunk.length === 0) return;
    at += chunk.length;
    yield chunk;
  }
}

/**
 * Deep check: the compressed kernel decompresses completely, with its checksum and its size.
 * Throws the refusal (exit 2); a format we cannot verify (EPAYLOAD_UNSUPPORTED) is a warning.
 */
export async function verifyLoadPayload(kernel: OpenedFile, payload: PayloadLocation | null, version: string | null): Promise<string[]> {
  if (payload === null) return [];
  const r = await verifyKernelPayload(fileChunks(kernel.fd, payload.offset, payload.offset + payload.length), { what: kernel.path });
  if (r.ok) return verifyBuildCrc(kernel, version);
  if (r.code === 'EPAYLOAD_UNSUPPORTED') return [r.message, ...(await verifyBuildCrc(kernel, version))];
  throw new KexecError({ code: r.code, message: r.message, path: kernel.path, exitCode: 2 });
}

/**
 * Deep check of a bzImage's build CRC-32 (image/integrity/build-crc.ts): every byte from the
 * setup code to the end of the protected-mode part, signing fields excepted. Catches what the
 * payload's decompressor cannot (LZ4-legacy has no checksum; the setup code has none). Kernels
 * without a build CRC (6.15+, no version string) are not refused; nothing is said for 6.15+.
 */
export async function verifyBuildCrc(kernel: OpenedFile, version: string | null): Promise<string[]> {
  const size = fstatSync(kernel.fd).size;
  const plan = buildCrcPlan(preadFully(kernel.fd, 0, CHECK_HEAD_BYTES), size, version);
  if (!plan.check) return plan.reason.startsWith('no kernel version') ? [`${kernel.path}: ${plan.reason}; its build checksum was not checked`] : [];
  const crc = new BuildCrc(plan);
  for await (const chunk of fileChunks(kernel.fd, 0, plan.end)) crc.update(chunk);
  if (crc.ok) return [];
  const message = crc.complete
    ? `${kernel.path} is damaged: its build checksum (CRC-32 over ${plan.end} bytes, Linux ${plan.release.split(' ')[0] ?? ''}) does not match; ${KERNEL_ADVICE}`
    : `${kernel.path} is cut short: it ends before the ${plan.end} bytes its header describes; ${KERNEL_ADVICE}`;
  throw new KexecError({ code: crc.complete ? 'EKERNEL_CHECKSUM' : 'EKERNEL_TRUNCATED', message, path: kernel.path, exitCode: 2 });
}

/** Where the trailing zero bytes of `fd` start (its size when it ends in a non-zero byte), and its size. */
function paddingStart(fd: number): { start: number; size: number } {
  const size = fstatSync(fd).size;
  let end = size;
  while (end > 0) {
    const from = Math.max(0, end - 65536);
    const block = preadFully(fd, from, end - from);
    let i = block.length - 1;
    while (i >= 0 && block[i] === 0) i--;
    if (i >= 0) return { start: from + i + 1, size };
    end = from;
  }
  return { start: 0, size };
}

/** Deep check of one initrd part: whole cpio archives, compressed parts complete with their checksums. */
export async function verifyLoadInitrd(initrd: OpenedFile): Promise<string[]> {
  const r = await verifyInitrd({ chunks: (offset, end) => fileChunks(initrd.fd, offset, end), paddingStart: async () => paddingStart(initrd.fd) }, initrd.path);
  if (r.ok) return r.warnings;
  throw new KexecError({ code: r.code, message: r.message, path: initrd.path, exitCode: 2 });
}

/**
 * The deep checks of everything a load hands over: the kernel's payload, then every initrd part.
 * With a cache (verified-cache.ts), a file version already checked without a warning is skipped,
 * and one that passes without a warning is remembered.
 */
export async function verifyLoadFiles(
  opened: {
    kernel: OpenedFile;
    image: Pick<KernelImageInfo, 'version'>;
    payload: PayloadLocation | null;
    initrds: readonly OpenedFile[];
  },
  cache?: VerifiedCache,
  debug?: (line: string) => void,
): Promise<string[]> {
  const once = async (f: OpenedFile, check: () => Promise<string[]>): Promise<string[]> => {
    const key = cache === undefined ? '' : fileVersionKey(f.fd);
    if (cache !== undefined && cache.has(key)) {
      debug?.(`${f.path}: deep check skipped, this file version (${key}) passed it before (${VERIFIED_FILE})`);
      return [];
    }
    const w = await check();
    if (cache !== undefined && w.length === 0) cache.add(key, f.path);
    return w;
  };
  const warnings = await once(opened.kernel, () => verifyLoadPayload(opened.kernel, opened.payload, opened.image.version));
  for (const f of opened.initrds) warnings.push(...(await once(f, () => verifyLoadInitrd(f))));
  return warnings;
}
