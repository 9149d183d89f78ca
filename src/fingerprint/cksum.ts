/**
 * POSIX cksum (the CRC of coreutils' `cksum` without -a, src/cksum.c: crc32 with polynomial
 * 0x04C11DB7, MSB first, over the data and then its length in as few bytes as it takes, least
 * significant first, complemented). The shutdown check compares `cksum` output with this, so a
 * /proc or /sys file's content is checked without node.
 */
const TABLE = ((): Uint32Array => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

function step(crc: number, byte: number): number {
  return ((crc << 8) ^ (TABLE[((crc >>> 24) ^ byte) & 0xff] as number)) >>> 0;
}

/** The CRC cksum prints for these bytes. */
export function posixCksum(data: Uint8Array): number {
  let crc = 0;
  for (const b of data) crc = step(crc, b);
  for (let n = data.length; n > 0; n = Math.floor(n / 256)) crc = step(crc, n & 0xff);
  return ~crc >>> 0;
}

/** "CRC SIZE", the first two fields of cksum's output line. */
export function cksumFields(data: Uint8Array): string {
  return `${posixCksum(data)} ${data.length}`;
}
