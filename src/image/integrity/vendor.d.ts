// Types for the two decompressors that ship none (checked against their sources: lz4js 0.2.0
// lz4.js decompressBlock, seek-bzip 2.0.0 lib/index.js Bunzip.decode and lib/stream.js).
declare module 'lz4js' {
  /** Decodes one raw LZ4 block src[sIndex, sIndex + sLength) into dst at dIndex; returns the new dIndex. */
  export function decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
}

declare module 'seek-bzip' {
  export type ByteInput = { readByte(): number; read?(buf: Uint8Array, off: number, len: number): number; eof?(): boolean };
  export type ByteOutput = { writeByte(b: number): void; write?(buf: Uint8Array, off: number, len: number): number };
  const Bunzip: { decode(input: ByteInput | Uint8Array, output?: ByteOutput, multistream?: boolean): unknown };
  export default Bunzip;
}
