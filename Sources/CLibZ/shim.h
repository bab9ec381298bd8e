#include <zlib.h>

/// inflateInit2 is a macro, which Swift cannot call. Negative window bits (-15, the largest
/// window) mean raw deflate, with no zlib header or Adler-32 trailer: the form zip stores.
static inline int casebook_inflate_init_raw(z_stream *stream) {
  return inflateInit2(stream, -15);
}

/// 16 + 15 window bits: a gzip stream (header and CRC-32 trailer), the form the rank files ship in.
static inline int casebook_inflate_init_gzip(z_stream *stream) {
  return inflateInit2(stream, 16 + 15);
}
