#ifndef CTOKENDATA_H
#define CTOKENDATA_H

#include <stddef.h>
#include <stdint.h>

/// SHA-256 of `length` bytes into `digest`: with the x86 SHA extensions when the processor has
/// them, unless `portable` (for tests, to check one against the other).
void casebook_sha256(const uint8_t *data, size_t length, uint8_t digest[32], int portable);

/// A hint that `address` is about to be read (the rank table's inserts).
static inline void casebook_prefetch(const void *address) { __builtin_prefetch(address); }

/// The gzip-compressed rank files, linked into the binary as read-only data (ranks.S). Nothing
/// reads them until a count is asked for.
extern const uint8_t casebook_o200k_gz_start[];
extern const uint8_t casebook_o200k_gz_end[];
extern const uint8_t casebook_cl100k_gz_start[];
extern const uint8_t casebook_cl100k_gz_end[];

/// The gzip file of an encoding (0 o200k_base, 1 cl100k_base) and its length. Swift cannot
/// reference a C array of unknown size, so it reads them through this.
static inline const uint8_t *casebook_rank_file_gz(int which, long *length) {
  const uint8_t *start = which == 0 ? casebook_o200k_gz_start : casebook_cl100k_gz_start;
  const uint8_t *end = which == 0 ? casebook_o200k_gz_end : casebook_cl100k_gz_end;
  *length = (long)(end - start);
  return start;
}

/// The Unicode version the class tables were generated from (regex-syntax's).
extern const char casebook_unicode_version[];
static inline const char *casebook_unicode_tables_version(void) { return casebook_unicode_version; }
/// Class of a code point: casebook_unicode_stage2[casebook_unicode_stage1[cp >> 8] * 256 + (cp & 255)].
/// 0 other, 1 Lu, 2 Ll, 3 Lt, 4 Lm, 5 Lo, 6 M, 7 N, 8 White_Space.
/// (Declared without sizes: Swift imports a sized C array as a tuple.)
extern const uint16_t casebook_unicode_stage1[];
extern const uint8_t casebook_unicode_stage2[];

/// The class of a code point (at most 0x10FFFF), inlined into the Swift caller.
static inline uint8_t casebook_unicode_class(uint32_t cp) {
  return casebook_unicode_stage2[(uint32_t)casebook_unicode_stage1[cp >> 8] * 256u + (cp & 255u)];
}

#endif
