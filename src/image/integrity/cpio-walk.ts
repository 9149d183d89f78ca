/**
 * Walks a cpio stream the way init/initramfs.c consumes one (do_reset → do_start → do_header →
 * do_name → do_copy/do_skip), without keeping any file data: it only learns whether the stream is
 * whole. Reproduced behaviour: "newc"/"crc" ASCII headers (magic 070701/070702, thirteen 8-digit
 * hex fields, 110 bytes), the name padded so header + name is a multiple of 4 (N_ALIGN), file data
 * padded to 4, "TRAILER!!!" ending an archive, zero bytes skipped between archives, and any other
 * byte where a header should start refused ("no cpio magic"). Pure: bytes in, verdict out.
 */

const HEADER_BYTES = 110;
const TRAILER = 'TRAILER!!!';
/** include/uapi/linux/limits.h PATH_MAX: do_header refuses longer names. */
const PATH_MAX = 4096;
const ASCII_ZERO = 0x30;

type State = 'between' | 'header' | 'name' | 'skip';

export type CpioWalkOptions = {
  /**
   * The stream is the initrd file itself: a byte that is neither zero nor a cpio header start
   * between archives ends the walk there (the kernel then tries a decompressor) instead of
   * being an error. `stoppedAt` says where.
   */
  stopAtForeign?: boolean;
};

export type CpioVerdict =
  { ok: true; archives: number; entries: number; stoppedAt: number | null } | { ok: false; code: 'EINITRD_TRUNCATED' | 'EINITRD_CPIO'; detail: string };

function hexField(h: Uint8Array, at: number): number {
  let v = 0;
  for (let i = at; i < at + 8; i++) {
    const c = h[i] ?? 0;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 55 : c >= 0x61 && c <= 0x66 ? c - 87 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

const pad4 = (n: number): number => (4 - (n % 4)) % 4;

export class CpioWalker {
  private state: State = 'between';
  private readonly opts: CpioWalkOptions;
  private header = new Uint8Array(HEADER_BYTES);
  private have = 0;
  private name: number[] = [];
  private nameSize = 0;
  private fileSize = 0;
  private skipLeft = 0;
  private inArchive = false;
  private failure: CpioVerdict | null = null;
  private stopped: number | null = null;
  /** Bytes of the stream seen so far. */
  offset = 0;
  archives = 0;
  entries = 0;
  private current = '';

  constructor(opts: CpioWalkOptions = {}) {
    this.opts = opts;
  }

  /** Has the walk ended early (an error, or a foreign byte with stopAtForeign)? Further bytes are ignored. */
  get done(): boolean {
    return this.failure !== null || this.stopped !== null;
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && !this.done) {
      i += this.step(chunk, i);
    }
  }

  private fail(code: 'EINITRD_TRUNCATED' | 'EINITRD_CPIO', detail: string): number {
    this.failure = { ok: false, code, detail };
    return 1;
  }

  /** Consumes bytes of `c` from `i`; returns how many. */
  private step(c: Uint8Array, i: number): number {
    switch (this.state) {
      case 'between': {
        const b = c[i] as number;
        if (b === 0) {
          this.offset++;
          return 1;
        }
        if (b !== ASCII_ZERO) {
          if (this.opts.stopAtForeign === true && !this.inArchive) {
            this.stopped = this.offset;
            return c.length - i;
          }
          return this.fail('EINITRD_CPIO', `no cpio header at byte ${this.offset} (found 0x${b.toString(16).padStart(2, '0')})`);
        }
        this.state = 'header';
        this.have = 0;
        return 0;
      }
      case 'header': {
        const n = Math.min(HEADER_BYTES - this.have, c.length - i);
        this.header.set(c.subarray(i, i + n), this.have);
        this.have += n;
        this.offset += n;
        if (this.have === HEADER_BYTES) this.parseHeader();
        return n;
      }
      case 'name': {
        const n = Math.min(this.nameSize - this.name.length, c.length - i);
        for (let k = 0; k < n; k++) this.name.push(c[i + k] as number);
        this.offset += n;
        if (this.name.length === this.nameSize) this.endName();
        return n;
      }
      case 'skip': {
        const n = Math.min(this.skipLeft, c.length - i);
        this.skipLeft -= n;
        this.offset += n;
        if (this.skipLeft === 0) this.state = 'between';
        return n;
      }
    }
  }

  private parseHeader(): void {
    const magic = String.fromCharCode(...this.header.subarray(0, 6));
    if (magic !== '070701' && magic !== '070702') {
      this.fail('EINITRD_CPIO', `no cpio magic at byte ${this.offset - HEADER_BYTES} (found "${magic.replace(/[^\x20-\x7e]/g, '?')}")`);
      return;
    }
    this.fileSize = hexField(this.header, 54);
    this.nameSize = hexField(this.header, 94);
    if (this.fileSize < 0 || this.nameSize <= 0 || this.nameSize > PATH_MAX) {
      this.fail('EINITRD_CPIO', `a broken cpio header at byte ${this.offset - HEADER_BYTES}`);
      return;
    }
    if (!this.inArchive) this.archives++;
    this.inArchive = true;
    this.name = [];
    this.state = 'name';
  }

  private endName(): void {
    const nul = this.name.indexOf(0);
    this.current = String.fromCharCode(...this.name.slice(0, nul < 0 ? this.name.length : nul));
    const trailer = this.current === TRAILER;
    if (trailer) this.inArchive = false;
    else this.entries++;
    this.skipLeft = pad4(HEADER_BYTES + this.nameSize) + (trailer ? 0 : this.fileSize + pad4(this.fileSize));
    this.state = this.skipLeft === 0 ? 'between' : 'skip';
  }

  /** The verdict once the stream has ended. */
  end(): CpioVerdict {
    if (this.failure !== null) return this.failure;
    const ok: CpioVerdict = { ok: true, archives: this.archives, entries: this.entries, stoppedAt: this.stopped };
    if (this.stopped !== null) return ok;
    // Between archives, or in the padding after a trailer: the stream is whole.
    if (!this.inArchive && (this.state === 'between' || this.state === 'skip')) {
      return this.archives > 0 ? ok : { ok: false, code: 'EINITRD_CPIO', detail: 'there is no cpio archive in it' };
    }
    const where =
      this.state === 'header' || this.state === 'name'
        ? `inside a cpio header at byte ${this.offset}`
        : this.state === 'skip'
          ? `inside "${this.current}" at byte ${this.offset}, ${this.skipLeft} bytes short`
          : `at byte ${this.offset} without the archive's "${TRAILER}" entry`;
    return { ok: false, code: 'EINITRD_TRUNCATED', detail: `it ends ${where}` };
  }
}
