/**
 * Kernel and initrd integrity checks before the load (issue 18). Pure: bytes in, verdicts out;
 * the caller reads the file (head, fstat size, the probes a plan asks for, the payload stream).
 */
export { bzImageIntegrityPlan, checkBzImageIntegrity } from './bzimage.js';
export { checkArm64ImageIntegrity } from './arm64.js';
export { checkPeRanges, peFileRanges } from './pe.js';
export type { PeRange } from './pe.js';
export { checkInitrdIntegrity, INITRD_HEAD_BYTES } from './initrd.js';
export { detectInitrdKind, detectPayloadFormat, PAYLOAD_MAGIC_BYTES } from './magic.js';
export type { InitrdKind } from './magic.js';
export { verifyKernelPayload } from './verify-payload.js';
export { BuildCrc, buildCrcPlan, partialCrc32 } from './build-crc.js';
export type { BuildCrcPlan } from './build-crc.js';
export { verifyInitrd } from './verify-initrd.js';
export type { InitrdCode, InitrdSource, InitrdVerdict } from './verify-initrd.js';
export { CpioWalker } from './cpio-walk.js';
export type { PayloadRefused, PayloadVerified, VerifyPayloadOptions } from './verify-payload.js';
export { MAX_OUTPUT_BYTES } from './types.js';
export type {
  CompressionFormat,
  IntegrityFailure,
  IntegrityWarning,
  PayloadCode,
  PayloadLocation,
  Probe,
  ProbeRequest,
  StructuralCode,
  StructuralResult,
} from './types.js';
