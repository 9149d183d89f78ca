/**
 * Where decompressed bytes go during verification: counted and dropped, except the first few
 * (for the ELF header check). Refuses to count past the cap, so a decompression bomb stops at
 * 2 GiB (the kernel's own kexec_file_load image limit) instead of filling memory or running on.
 */
import { PayloadError } from './payload-error.js';

/** Bytes of the output kept for checks on its start (ELF identification is 16). */
export const SINK_HEAD_BYTES = 64;

export class OutputSink {
  readonly cap: number;
  count = 0;
  readonly head = new Uint8Array(SINK_HEAD_BYTES);

  constructor(cap: number) {
    this.cap = cap;
  }

  write(chunk: Uint8Array): void {
    if (this.count < SINK_HEAD_BYTES) {
      const n = Math.min(SINK_HEAD_BYTES - this.count, chunk.length);
      this.head.set(chunk.subarray(0, n), this.count);
    }
    this.count += chunk.length;
    if (this.count > this.cap) throw new PayloadError('EPAYLOAD_TOO_LARGE', `more than ${this.cap} bytes came out`);
  }

  /** The kept start of the output (shorter when less came out). */
  first(): Uint8Array {
    return this.head.subarray(0, Math.min(this.count, SINK_HEAD_BYTES));
  }
}
