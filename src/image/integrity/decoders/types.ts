/** What a decoder says besides the bytes it wrote to the sink. */
export type DecodeReport = {
  /** The format's own checksum covered the data and matched (false: the format has none, e.g. LZ4 legacy, lzma). */
  checksum: boolean;
};
