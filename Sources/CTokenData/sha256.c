/* SHA-256 (FIPS 180-4) of one buffer, for the rank files' check at load. With the x86 SHA
   extensions when the processor has them (a 3.6 MB rank file in about 2 ms instead of 12), else
   portable C. The SHA-NI rounds follow Intel's published sample (public domain, as adapted by
   Jeffrey Walton and Sean Gulley). */
#include "CTokenData.h"

#include <string.h>

static const uint32_t K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void blocks_portable(uint32_t h[8], const uint8_t *p, size_t blocks) {
  uint32_t w[64];
  while (blocks--) {
    for (int i = 0; i < 16; i++)
      w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
      uint32_t s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
      uint32_t s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
      uint32_t t1 = hh + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
      uint32_t t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    p += 64;
  }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

__attribute__((target("sha,sse4.1")))
static void blocks_shani(uint32_t h[8], const uint8_t *p, size_t blocks) {
  const __m128i MASK = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i TMP = _mm_loadu_si128((const __m128i *)&h[0]);
  __m128i STATE1 = _mm_loadu_si128((const __m128i *)&h[4]);
  TMP = _mm_shuffle_epi32(TMP, 0xB1);          /* CDAB */
  STATE1 = _mm_shuffle_epi32(STATE1, 0x1B);    /* EFGH */
  __m128i STATE0 = _mm_alignr_epi8(TMP, STATE1, 8);    /* ABEF */
  STATE1 = _mm_blend_epi16(STATE1, TMP, 0xF0);         /* CDGH */

  while (blocks--) {
    __m128i ABEF_SAVE = STATE0, CDGH_SAVE = STATE1, MSG, MSG0, MSG1, MSG2, MSG3;

#define ROUNDS(msg, k)                                                   \
  MSG = _mm_add_epi32(msg, _mm_loadu_si128((const __m128i *)&K[k]));     \
  STATE1 = _mm_sha256rnds2_epu32(STATE1, STATE0, MSG);                   \
  MSG = _mm_shuffle_epi32(MSG, 0x0E);                                    \
  STATE0 = _mm_sha256rnds2_epu32(STATE0, STATE1, MSG);

    MSG0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), MASK);
    ROUNDS(MSG0, 0)
    MSG1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), MASK);
    ROUNDS(MSG1, 4)
    MSG0 = _mm_sha256msg1_epu32(MSG0, MSG1);
    MSG2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), MASK);
    ROUNDS(MSG2, 8)
    MSG1 = _mm_sha256msg1_epu32(MSG1, MSG2);
    MSG3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), MASK);
    ROUNDS(MSG3, 12)

    /* Rounds 16 to 63: each schedules the next message words. */
#define SCHEDULE(a, b, c, d, k)                                          \
    TMP = _mm_alignr_epi8(d, c, 4);                                      \
    a = _mm_add_epi32(a, TMP);                                           \
    a = _mm_sha256msg2_epu32(a, d);                                      \
    ROUNDS(a, k)                                                         \
    c = _mm_sha256msg1_epu32(c, d);

    /* Step k completes the words W[k..k+3] (a) from their msg1 part, W[k-7..k-4] and W[k-4..k-1]
       (d), runs their rounds, then starts W[k+8..k+11] with msg1 of W[k-8..k-5] (c) and d. */
    SCHEDULE(MSG0, MSG1, MSG2, MSG3, 16)
    SCHEDULE(MSG1, MSG2, MSG3, MSG0, 20)
    SCHEDULE(MSG2, MSG3, MSG0, MSG1, 24)
    SCHEDULE(MSG3, MSG0, MSG1, MSG2, 28)
    SCHEDULE(MSG0, MSG1, MSG2, MSG3, 32)
    SCHEDULE(MSG1, MSG2, MSG3, MSG0, 36)
    SCHEDULE(MSG2, MSG3, MSG0, MSG1, 40)
    SCHEDULE(MSG3, MSG0, MSG1, MSG2, 44)
    SCHEDULE(MSG0, MSG1, MSG2, MSG3, 48)
    SCHEDULE(MSG1, MSG2, MSG3, MSG0, 52)
    /* Rounds 56 to 63 schedule nothing past word 63. */
    TMP = _mm_alignr_epi8(MSG1, MSG0, 4);
    MSG2 = _mm_add_epi32(MSG2, TMP);
    MSG2 = _mm_sha256msg2_epu32(MSG2, MSG1);
    ROUNDS(MSG2, 56)
    TMP = _mm_alignr_epi8(MSG2, MSG1, 4);
    MSG3 = _mm_add_epi32(MSG3, TMP);
    MSG3 = _mm_sha256msg2_epu32(MSG3, MSG2);
    ROUNDS(MSG3, 60)
#undef SCHEDULE
#undef ROUNDS

    STATE0 = _mm_add_epi32(STATE0, ABEF_SAVE);
    STATE1 = _mm_add_epi32(STATE1, CDGH_SAVE);
    p += 64;
  }

  TMP = _mm_shuffle_epi32(STATE0, 0x1B);       /* FEBA */
  STATE1 = _mm_shuffle_epi32(STATE1, 0xB1);    /* DCHG */
  STATE0 = _mm_blend_epi16(TMP, STATE1, 0xF0); /* DCBA */
  STATE1 = _mm_alignr_epi8(STATE1, TMP, 8);    /* ABEF */
  _mm_storeu_si128((__m128i *)&h[0], STATE0);
  _mm_storeu_si128((__m128i *)&h[4], STATE1);
}
#endif

static void blocks(uint32_t h[8], const uint8_t *p, size_t n, int portable) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
  if (!portable && __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1")) {
    blocks_shani(h, p, n);
    return;
  }
#endif
  (void)portable;
  blocks_portable(h, p, n);
}

void casebook_sha256(const uint8_t *data, size_t length, uint8_t digest[32], int portable) {
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  size_t whole = length / 64;
  blocks(h, data, whole, portable);
  uint8_t tail[128];
  size_t rest = length - whole * 64;
  memcpy(tail, data + whole * 64, rest);
  tail[rest] = 0x80;
  size_t padded = rest + 1 + 8 <= 64 ? 64 : 128;
  memset(tail + rest + 1, 0, padded - rest - 1);
  uint64_t bits = (uint64_t)length * 8;
  for (int i = 0; i < 8; i++) tail[padded - 1 - i] = (uint8_t)(bits >> (8 * i));
  blocks(h, tail, padded / 64, portable);
  for (int i = 0; i < 8; i++) {
    digest[4 * i] = (uint8_t)(h[i] >> 24);
    digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
    digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
    digest[4 * i + 3] = (uint8_t)h[i];
  }
}
