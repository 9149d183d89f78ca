/**
 * What a decoder throws when the payload is bad: a PayloadCode and a short detail in the
 * decompressor's own terms ("bad block CRC", "xz data error"). verifyKernelPayload turns it into
 * the one-line message.
 */
import type { PayloadCode } from './types.js';

export class PayloadError extends Error {
  readonly code: PayloadCode;
  constructor(code: PayloadCode, detail: string) {
    super(detail);
    this.name = 'PayloadError';
    this.code = code;
  }
}

export function isPayloadError(e: unknown): e is PayloadError {
  return e instanceof PayloadError;
}

/** The message of anything thrown, for details. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
