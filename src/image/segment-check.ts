/**
 * Invariants every kexec_load segment list must meet, checked before the system call so a bad
 * plan is a clear message instead of EINVAL/EADDRNOTAVAIL from kernel/kexec_core.c
 * `sanity_check_segment_list` (at most KEXEC_SEGMENT_MAX, page-aligned start and size, bufsz <=
 * memsz, no overlap), plus ours: every segment inside the usable RAM it was planned in.
 */
import { PAGE_SIZE, hex, rangeInside, type AddrRange } from './memmap/range.js';
import { KexecError } from '../errors.js';

export const KEXEC_SEGMENT_MAX = 16;

export type CheckedSegment = { what?: string; buf: Uint8Array | null; mem: bigint; memsz: bigint };

/** Every violation found, as one line each; empty when the list is valid. */
export function checkSegments(segments: readonly CheckedSegment[], usable: readonly AddrRange[] | null): string[] {
  const errors: string[] = [];
  if (segments.length > KEXEC_SEGMENT_MAX) errors.push(`${segments.length} segments, at most ${KEXEC_SEGMENT_MAX} are allowed`);
  segments.forEach((s, i) => {
    const name = `segment ${i}${s.what === undefined ? '' : ` (${s.what})`}`;
    const bufsz = BigInt(s.buf?.length ?? 0);
    if (s.mem % PAGE_SIZE !== 0n) errors.push(`${name}: mem ${hex(s.mem)} is not page-aligned`);
    if (s.memsz % PAGE_SIZE !== 0n) errors.push(`${name}: memsz ${hex(s.memsz)} is not a multiple of the page size`);
    if (s.memsz <= 0n) errors.push(`${name}: memsz is 0`);
    if (bufsz > s.memsz) errors.push(`${name}: bufsz ${hex(bufsz)} exceeds memsz ${hex(s.memsz)}`);
    if (usable !== null && !rangeInside({ start: s.mem, end: s.mem + s.memsz }, usable)) {
      errors.push(`${name}: ${hex(s.mem)}-${hex(s.mem + s.memsz - 1n)} is not inside usable RAM`);
    }
  });
  for (let i = 0; i < segments.length; i++) {
    for (let j = i + 1; j < segments.length; j++) {
      const a = segments[i] as CheckedSegment;
      const b = segments[j] as CheckedSegment;
      if (a.mem < b.mem + b.memsz && b.mem < a.mem + a.memsz) errors.push(`segments ${i} and ${j} overlap`);
    }
  }
  return errors;
}

/** kexec-tools' `print_segments` (kexec/kexec.c) for -d, with what each buffer holds instead of its pointer. */
export function formatSegmentTable(entry: bigint, segments: readonly CheckedSegment[]): string[] {
  const lines = [`entry = ${hex(entry)}`, `nr_segments = ${segments.length}`];
  segments.forEach((s, i) => {
    lines.push(`segment[${i}].buf   = ${s.what ?? '?'}`);
    lines.push(`segment[${i}].bufsz = ${hex(s.buf?.length ?? 0)}`);
    lines.push(`segment[${i}].mem   = ${hex(s.mem)}`);
    lines.push(`segment[${i}].memsz = ${hex(s.memsz)}`);
  });
  return lines;
}

/** A builder's plan that breaks checkSegments or its own architecture's rules is our bug: refuse it (EBADPLAN, exit 70). */
export function requireSoundPlan(problems: readonly string[]): void {
  if (problems.length === 0) return;
  throw new KexecError({
    code: 'EBADPLAN',
    exitCode: 70,
    message: `kexec_load: internal error, the segment plan breaks its own rules: ${problems.join('; ')}`,
  });
}
