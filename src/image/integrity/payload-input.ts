/**
 * Reading the payload chunks the caller streams from its fd: peek at the first bytes (the magic),
 * then hand the decoder every byte except a held-back tail (the 4-byte size the kernel build
 * appends after the compressed stream), keeping the input's last 4 bytes either way.
 */

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function joinParts(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export class PayloadInput {
  private readonly it: AsyncIterator<Uint8Array>;
  private pending: Uint8Array = new Uint8Array(0);
  private done = false;
  /** Bytes taken from the source so far. */
  total = 0;
  /** The last 4 bytes of the whole input, once it is exhausted (fewer if it was shorter). */
  last4: Uint8Array = new Uint8Array(0);

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async pull(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.it.next();
    if (r.done === true) {
      this.done = true;
      return false;
    }
    this.total += r.value.length;
    this.pending = concat(this.pending, r.value);
    return true;
  }

  /** The first n bytes of the input (fewer if it is shorter), without consuming them. */
  async peek(n: number): Promise<Uint8Array> {
    while (this.pending.length < n && (await this.pull()));
    return this.pending.subarray(0, Math.min(n, this.pending.length));
  }

  /** Yields the input except its last `holdBack` bytes; afterwards `tail` holds those. */
  async *body(holdBack: number): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (this.pending.length > holdBack) {
        const out = this.pending.subarray(0, this.pending.length - holdBack);
        this.pending = this.pending.slice(this.pending.length - holdBack);
        this.keepLast4(out);
        yield out;
      }
      if (!(await this.pull())) break;
    }
    this.keepLast4(this.pending);
  }

  /** The held-back bytes once body() is exhausted. */
  get tail(): Uint8Array {
    return this.pending;
  }

  private keepLast4(chunk: Uint8Array): void {
    this.last4 = concat(this.last4, chunk.subarray(Math.max(0, chunk.length - 4))).slice(-4);
  }
}

/** Reads exact byte counts from a chunk stream (for the block framing of LZ4 legacy frames). */
export class ExactReader {
  private readonly it: AsyncIterator<Uint8Array>;
  private buf: Uint8Array = new Uint8Array(0);

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** The next n bytes, or fewer when the input ends first (an empty array at the very end). */
  async read(n: number): Promise<Uint8Array> {
    if (this.buf.length < n) {
      // Gather first, copy once: concatenating chunk by chunk copied a multi-MiB LZ4 block over and over.
      const parts = [this.buf];
      let have = this.buf.length;
      while (have < n) {
        const r = await this.it.next();
        if (r.done === true) break;
        parts.push(r.value);
        have += r.value.length;
      }
      this.buf = parts.length === 1 ? this.buf : joinParts(parts, have);
    }
    const out = this.buf.subarray(0, Math.min(n, this.buf.length));
    this.buf = this.buf.subarray(out.length);
    return out;
  }
}

/** All of a chunk stream in one buffer, for synchronous decoders (bounded by the payload length). */
export async function collectAll(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of source) {
    parts.push(c);
    n += c.length;
  }
  return joinParts(parts, n);
}
