#ifndef CASEBOOK_SIGNING_H
#define CASEBOOK_SIGNING_H

#include <stddef.h>
#include <stdint.h>

// The few OpenSSL (libcrypto) calls SSH signatures need, each whole in C so that Swift never
// holds an OpenSSL object. Verifiers return 1 for a valid signature, 0 for an invalid one and
// -1 when the key or signature cannot be read.

/// `name` is "SHA256" or "SHA512"; writes the digest to `out` (64 bytes room) and its length.
int casebook_digest(const char *name, const uint8_t *data, size_t length, uint8_t *out, unsigned *out_length);

int casebook_ed25519_verify(
    const uint8_t *public_key, size_t public_length, const uint8_t *signature, size_t signature_length,
    const uint8_t *data, size_t length);

/// Signs with the 32-byte seed; writes the 64-byte signature and the 32-byte public key.
/// Returns 1 on success.
int casebook_ed25519_sign(
    const uint8_t *seed, size_t seed_length, const uint8_t *data, size_t length, uint8_t *signature,
    uint8_t *public_key);

/// `group` is "P-256", "P-384" or "P-521"; `point` the uncompressed public point; r and s
/// big-endian numbers.
int casebook_ecdsa_verify(
    const char *group, const char *digest, const uint8_t *point, size_t point_length, const uint8_t *r,
    size_t r_length, const uint8_t *s, size_t s_length, const uint8_t *data, size_t length);

/// PKCS #1 v1.5 with `digest` ("SHA256" or "SHA512"); n and e big-endian.
int casebook_rsa_verify(
    const char *digest, const uint8_t *n, size_t n_length, const uint8_t *e, size_t e_length,
    const uint8_t *signature, size_t signature_length, const uint8_t *data, size_t length);

#endif
