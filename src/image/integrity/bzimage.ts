/**
 * Cheap structural checks of an x86 bzImage before it is loaded (issue 18): does the file hold
 * what its setup header says, and does the compressed kernel look like one?
 *
 * Layout (Documentation/arch/x86/boot.rst; arch/x86/boot/tools/build.c writes syssize, and
 * arch/x86/boot/compressed/mkpiggy.c sets payload_length = z_input_len = size of vmlinux.bin.<z>):
 *   file = setup ((setup_sects + 1) * 512) + protected-mode part (syssize * 16) [+ PE signature]
 *   payload = protected-mode part + payload_offset, payload_length bytes; its last 4 bytes are the
 *   uncompressed size, appended by scripts/Makefile.lib size_append (gzip: its own ISIZE field).
 *
 * Two steps so the pure code never reads files: bzImageIntegrityPlan(head) says which few bytes
 * past the head it needs, the caller preads them, checkBzImageIntegrity decides.
 */
import { HDR } from '../x86/bootparam-offsets.js';
import { detectPayloadFormat, formatName, hexBytes, PAYLOAD_MAGIC_BYTES } from './magic.js';
import { checkPeRanges } from './pe.js';
import { KERNEL_ADVICE, MAX_OUTPUT_BYTES } from './types.js';
import type { IntegrityFailure, IntegrityWarning, Probe, ProbeRequest, StructuralCode, StructuralResult } from './types.js';

const SYSSIZE = 0x1f4;
const PAYLOAD_OFFSET = 0x248;
const PAYLOAD_LENGTH = 0x24c;
/** payload_offset/payload_length exist from boot protocol 2.08 on. */
const PROTO_PAYLOAD = 0x0208;
const HEAD_NEEDED = 0x250;

type Layout = { kern16: number; pmSize: number; payloadStart: number; payloadLength: number; protocol: number };

function layout(head: Uint8Array): Layout | null {
  if (head.length < HEAD_NEEDED || String.fromCharCode(...head.subarray(HDR.header, HDR.header + 4)) !== 'HdrS') return null;
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const raw = head[HDR.setup_sects] as number;
  const kern16 = ((raw === 0 ? 4 : raw) + 1) * 512;
  const protocol = v.getUint16(HDR.version, true);
  const hasPayload = protocol >= PROTO_PAYLOAD;
  return {
    kern16,
    pmSize: v.getUint32(SYSSIZE, true) * 16,
    payloadStart: kern16 + (hasPayload ? v.getUint32(PAYLOAD_OFFSET, true) : 0),
    payloadLength: hasPayload ? v.getUint32(PAYLOAD_LENGTH, true) : 0,
    protocol,
  };
}

/**
 * The reads checkBzImageIntegrity needs beyond `head` (the file's first bytes, KERNEL_HEADER_BYTES
 * is plenty): the payload's first bytes (its magic) and its last 4 (the appended size).
 */
export function bzImageIntegrityPlan(head: Uint8Array): { needBytesAt: ProbeRequest[] } {
  const l = layout(head);
  if (l === null || l.protocol < PROTO_PAYLOAD || l.payloadLength < 4) return { needBytesAt: [] };
  return {
    needBytesAt: [
      { offset: l.payloadStart, length: PAYLOAD_MAGIC_BYTES },
      { offset: l.payloadStart + l.payloadLength - 4, length: 4 },
    ],
  };
}

/** Bytes at [offset, offset + length) from the probes or, when it covers them, the head. */
function bytesAt(head: Uint8Array, probes: readonly Probe[], offset: number, length: number): Uint8Array {
  const p = probes.find((x) => x.offset === offset);
  if (p !== undefined) return p.bytes.subarray(0, length);
  if (offset + length <= head.length) return head.subarray(offset, offset + length);
  throw new Error(`checkBzImageIntegrity: no probe for ${length} bytes at ${offset} (use bzImageIntegrityPlan)`);
}

function refuse(code: StructuralCode, message: string, warnings: IntegrityWarning[] = []): StructuralResult {
  const failure: IntegrityFailure<StructuralCode> = { code, message };
  return { ok: false, failure, warnings };
}

/**
 * Checks a bzImage's size against its header and the payload's magic and appended size.
 * `head`: the file's first bytes; `fileSize`: its length (fstat); `probes`: the reads asked for by
 * bzImageIntegrityPlan(head). `what` names the file in messages.
 */
export function checkBzImageIntegrity(head: Uint8Array, fileSize: number, probes: readonly Probe[], what = 'kernel'): StructuralResult {
  const l = layout(head);
  if (l === null) {
    if (fileSize < HEAD_NEEDED)
      return refuse('EKERNEL_HEADER_ONLY', `${what} is cut short: ${fileSize} bytes, not even a whole setup header; ${KERNEL_ADVICE}`);
    throw new Error('checkBzImageIntegrity: not a bzImage (no "HdrS" at 0x202)');
  }
  const need = l.kern16 + l.pmSize;
  if (l.protocol < PROTO_PAYLOAD) {
    const warnings: IntegrityWarning[] = [
      { code: 'WKERNEL_OLD_PROTOCOL', message: `${what}: boot protocol below 2.08 has no payload fields; only its size was checked` },
    ];
    if (fileSize < need)
      return refuse('EKERNEL_TRUNCATED', `${what} is cut short: ${fileSize} bytes, its header says at least ${need}; ${KERNEL_ADVICE}`, warnings);
    return { ok: true, warnings, payload: null };
  }
  const payloadEnd = l.payloadStart + l.payloadLength;
  if (l.payloadLength < 5 || payloadEnd > need) {
    return refuse(
      'EKERNEL_PAYLOAD_RANGE',
      `${what} has an inconsistent header: payload of ${l.payloadLength} bytes at ${l.payloadStart} is not inside the ${l.pmSize}-byte kernel part that ends at ${need}; ${KERNEL_ADVICE}`,
    );
  }
  if (fileSize <= l.payloadStart) {
    return refuse(
      'EKERNEL_HEADER_ONLY',
      `${what} holds only its setup code: ${fileSize} bytes, the compressed kernel would start at byte ${l.payloadStart}; ${KERNEL_ADVICE}`,
    );
  }
  if (fileSize < need) {
    return refuse(
      'EKERNEL_TRUNCATED',
      `${what} is cut short: ${fileSize} bytes, its header says at least ${need} (${Math.floor((fileSize * 100) / need)}% there); ${KERNEL_ADVICE}`,
    );
  }
  const pe = checkPeRanges(head, fileSize, what);
  if (pe !== null) return refuse(pe.code, pe.message);
  const first = bytesAt(head, probes, l.payloadStart, PAYLOAD_MAGIC_BYTES);
  const format = detectPayloadFormat(first);
  if (format === null) {
    return refuse(
      'EKERNEL_PAYLOAD_MAGIC',
      `${what} is damaged: its compressed kernel at byte ${l.payloadStart} starts with ${hexBytes(first)}, the magic of no known compression; ${KERNEL_ADVICE}`,
    );
  }
  const tail = bytesAt(head, probes, payloadEnd - 4, 4);
  if (tail.length < 4) throw new Error('checkBzImageIntegrity: short probe for the appended size');
  const appendedSize = new DataView(tail.buffer, tail.byteOffset, 4).getUint32(0, true);
  if (appendedSize === 0 || appendedSize > MAX_OUTPUT_BYTES) {
    return refuse(
      'EKERNEL_PAYLOAD_SIZE',
      `${what} is damaged: the size stored after its ${formatName(format)} kernel reads ${appendedSize} bytes (1 byte to 2 GiB expected); ${KERNEL_ADVICE}`,
    );
  }
  return { ok: true, warnings: [], payload: { offset: l.payloadStart, length: l.payloadLength, format, appendedSize } };
}
