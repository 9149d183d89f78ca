/**
 * The CRC-32 the x86 kernel build appends to every bzImage (arch/x86/boot/tools/build.c, from
 * boot protocol 2.08 until Linux 6.15 dropped it in commit 9c54baab "x86/boot: Drop CRC-32
 * checksum and the build tool that generates it"). build.c runs the reflected CRC-32
 * (polynomial 0xEDB88320, initial 0xffffffff, no final inversion) over the setup code, the
 * protected-mode part and its zero padding, and stores the result, little-endian, in the last 4
 * bytes of the (setup_sects + 1) * 512 + syssize * 16 bytes the header describes. zlib's crc32 of
 * that whole region, checksum included, is then 0xffffffff (H. Peter Anvin on the syslinux list,
 * June 2019).
 *
 * Signing for Secure Boot (sbsign, pesign) rewrites two PE fields inside the setup code after the
 * build: the optional header's CheckSum and the Certificate Table data directory, and appends the
 * signature past the region. Those are the fields Authenticode leaves out of its hash as well; we
 * count them as the zeros build.c saw. Checked on Debian's signed 6.1.0-55/-56 cloud kernels: with
 * these 12 bytes zeroed the region's CRC is 0xffffffff, with them as signed it is not.
 *
 * The payload's own checksum misses what this catches: LZ4-legacy (Debian's x86 choice) has none,
 * and a flipped byte in the setup code or the decompressor is outside every payload checksum.
 * Pure: a plan from the header, then an incremental CRC over the bytes the caller streams.
 */
import { HDR } from '../x86/bootparam-offsets.js';

/** The build CRC exists from boot protocol 2.08 (build.c's "Image Checksum" section of boot.rst). */
const PROTO_CRC = 0x0208;
/** Linux 6.15 and later have no build CRC. */
const LAST_WITH_CRC = { major: 6, minor: 14 };
const PE_OFFSET_FIELD = 0x3c;
const PE32_PLUS = 0x20b;

export type BuildCrcPlan =
  { check: true; end: number; zeroRanges: readonly { offset: number; length: number }[]; release: string } | { check: false; reason: string };

let tables: Uint32Array | null = null;
/**
 * Eight 256-entry tables for slicing-by-8 (Intel's method, as zlib's crc32.c "braided" and the
 * kernel's lib/crc32.c CRC_LE_BITS=64 use it): table k maps a byte to its CRC contribution k
 * bytes further on, so eight bytes cost eight lookups and no shifts between them.
 */
function crcTables(): Uint32Array {
  if (tables !== null) return tables;
  const t = new Uint32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n] as number;
    for (let k = 1; k < 8; k++) {
      c = (t[c & 0xff] as number) ^ (c >>> 8);
      t[k * 256 + n] = c >>> 0;
    }
  }
  tables = t;
  return t;
}

/** build.c's partial_crc32: continues `crc` over `bytes` (start with 0xffffffff), no final inversion. */
export function partialCrc32(bytes: Uint8Array, crc = 0xffffffff): number {
  const t = crcTables();
  let c = crc >>> 0;
  let i = 0;
  const n = bytes.length;
  // 8 bytes a step: the first four are folded into the running CRC, the next four looked up as they are.
  for (const last = n - 8; i <= last; i += 8) {
    const lo = (c ^ ((bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24))) >>> 0;
    c =
      (t[1792 + (lo & 0xff)] as number) ^
      (t[1536 + ((lo >>> 8) & 0xff)] as number) ^
      (t[1280 + ((lo >>> 16) & 0xff)] as number) ^
      (t[1024 + (lo >>> 24)] as number) ^
      (t[768 + (bytes[i + 4] as number)] as number) ^
      (t[512 + (bytes[i + 5] as number)] as number) ^
      (t[256 + (bytes[i + 6] as number)] as number) ^
      (t[bytes[i + 7] as number] as number);
  }
  for (; i < n; i++) c = (t[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return c >>> 0;
}

/** Where sbsign/pesign write inside the setup code: PE CheckSum and the Certificate Table entry. */
function signingFields(head: Uint8Array): { offset: number; length: number }[] {
  if (head.length < 0x40 || head[0] !== 0x4d || head[1] !== 0x5a) return [];
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const pe = v.getUint32(PE_OFFSET_FIELD, true);
  const opt = pe + 24;
  if (opt + 2 > head.length || v.getUint32(pe, true) !== 0x00004550) return [];
  const dataDirs = opt + (v.getUint16(opt, true) === PE32_PLUS ? 112 : 96);
  return [
    { offset: opt + 64, length: 4 },
    { offset: dataDirs + 4 * 8, length: 8 },
  ];
}

/**
 * Whether this bzImage carries a build CRC and over which bytes. `head` must reach the PE
 * header (64 KiB is plenty); `size` is the file's length; `version` is the header's
 * kernel_version string as parseKernelImage read it (KernelImageInfo.version), or null.
 */
export function buildCrcPlan(head: Uint8Array, size: number, version: string | null): BuildCrcPlan {
  if (head.length < 0x250 || String.fromCharCode(...head.subarray(HDR.header, HDR.header + 4)) !== 'HdrS') return { check: false, reason: 'not a bzImage' };
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (v.getUint16(HDR.version, true) < PROTO_CRC) return { check: false, reason: 'boot protocol below 2.08 has no build checksum' };
  const m = version === null ? null : /^(\d+)\.(\d+)/.exec(version);
  if (version === null || m === null) return { check: false, reason: 'no kernel version in its header, so whether it carries a build checksum is unknown' };
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major > LAST_WITH_CRC.major || (major === LAST_WITH_CRC.major && minor > LAST_WITH_CRC.minor))
    return { check: false, reason: `Linux ${major}.${minor} has no build checksum (dropped in 6.15)` };
  const raw = head[HDR.setup_sects] as number;
  const end = ((raw === 0 ? 4 : raw) + 1) * 512 + v.getUint32(0x1f4, true) * 16;
  if (end > size || end < 0x250) return { check: false, reason: 'the file is shorter than its header says' };
  return { check: true, end, zeroRanges: signingFields(head).filter((r) => r.offset + r.length <= end), release: version };
}

/** Incremental check over the region, chunk by chunk, from offset 0 in order. */
export class BuildCrc {
  private crc = 0xffffffff;
  private at = 0;
  constructor(private readonly plan: Extract<BuildCrcPlan, { check: true }>) {}

  update(chunk: Uint8Array): void {
    const from = this.at;
    const to = Math.min(from + chunk.length, this.plan.end);
    if (to <= from) return;
    let bytes = chunk.subarray(0, to - from);
    const hits = this.plan.zeroRanges.filter((r) => r.offset < to && r.offset + r.length > from);
    if (hits.length > 0) {
      bytes = Uint8Array.from(bytes);
      for (const r of hits) bytes.fill(0, Math.max(0, r.offset - from), Math.min(bytes.length, r.offset + r.length - from));
    }
    this.crc = partialCrc32(bytes, this.crc);
    this.at = to;
  }

  /** True when every byte of the region was seen and build.c's CRC closes to 0 (zlib's view: 0xffffffff). */
  get complete(): boolean {
    return this.at === this.plan.end;
  }

  get ok(): boolean {
    return this.complete && this.crc === 0;
  }
}
