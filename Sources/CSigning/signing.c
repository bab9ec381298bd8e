#include "casebook_signing.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

int casebook_digest(const char *name, const uint8_t *data, size_t length, uint8_t *out, unsigned *out_length) {
  const EVP_MD *md = EVP_get_digestbyname(name);
  if (md == NULL) return 0;
  return EVP_Digest(data, length, out, out_length, md, NULL) == 1;
}

/// Verifies with `key` (freed here) and `digest` (NULL for Ed25519, which hashes itself).
static int verify(EVP_PKEY *key, const char *digest, const uint8_t *signature, size_t signature_length,
                  const uint8_t *data, size_t length) {
  if (key == NULL) return -1;
  const EVP_MD *md = NULL;
  if (digest != NULL && (md = EVP_get_digestbyname(digest)) == NULL) {
    EVP_PKEY_free(key);
    return -1;
  }
  EVP_MD_CTX *context = EVP_MD_CTX_new();
  int result = -1;
  if (context != NULL && EVP_DigestVerifyInit(context, NULL, md, NULL, key) == 1) {
    result = EVP_DigestVerify(context, signature, signature_length, data, length) == 1 ? 1 : 0;
  }
  EVP_MD_CTX_free(context);
  EVP_PKEY_free(key);
  return result;
}

int casebook_ed25519_verify(const uint8_t *public_key, size_t public_length, const uint8_t *signature,
                            size_t signature_length, const uint8_t *data, size_t length) {
  if (public_length != 32 || signature_length != 64) return public_length != 32 ? -1 : 0;
  EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, public_key, public_length);
  return verify(key, NULL, signature, signature_length, data, length);
}

int casebook_ed25519_sign(const uint8_t *seed, size_t seed_length, const uint8_t *data, size_t length,
                          uint8_t *signature, uint8_t *public_key) {
  EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, seed_length);
  if (key == NULL) return 0;
  size_t public_length = 32;
  size_t signature_length = 64;
  EVP_MD_CTX *context = EVP_MD_CTX_new();
  int ok = context != NULL && EVP_PKEY_get_raw_public_key(key, public_key, &public_length) == 1 &&
           EVP_DigestSignInit(context, NULL, NULL, NULL, key) == 1 &&
           EVP_DigestSign(context, signature, &signature_length, data, length) == 1 && signature_length == 64;
  EVP_MD_CTX_free(context);
  EVP_PKEY_free(key);
  return ok;
}

/// A public key of `type` ("EC" or "RSA") made from `params` (freed here).
static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *builder) {
  EVP_PKEY *key = NULL;
  OSSL_PARAM *params = builder != NULL ? OSSL_PARAM_BLD_to_param(builder) : NULL;
  EVP_PKEY_CTX *context = params != NULL ? EVP_PKEY_CTX_new_from_name(NULL, type, NULL) : NULL;
  if (context != NULL && EVP_PKEY_fromdata_init(context) == 1) {
    if (EVP_PKEY_fromdata(context, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = NULL;
  }
  EVP_PKEY_CTX_free(context);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(builder);
  return key;
}

int casebook_ecdsa_verify(const char *group, const char *digest, const uint8_t *point, size_t point_length,
                          const uint8_t *r, size_t r_length, const uint8_t *s, size_t s_length,
                          const uint8_t *data, size_t length) {
  OSSL_PARAM_BLD *builder = OSSL_PARAM_BLD_new();
  if (builder == NULL || OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_PUB_KEY, point, point_length) != 1) {
    OSSL_PARAM_BLD_free(builder);
    return -1;
  }
  EVP_PKEY *key = from_params("EC", builder);
  if (key == NULL) return -1;
  // EVP verifies ECDSA signatures in DER: SEQUENCE { INTEGER r, INTEGER s }.
  ECDSA_SIG *pair = ECDSA_SIG_new();
  BIGNUM *big_r = BN_bin2bn(r, (int)r_length, NULL);
  BIGNUM *big_s = BN_bin2bn(s, (int)s_length, NULL);
  if (pair == NULL || big_r == NULL || big_s == NULL || ECDSA_SIG_set0(pair, big_r, big_s) != 1) {
    BN_free(big_r);
    BN_free(big_s);
    ECDSA_SIG_free(pair);
    EVP_PKEY_free(key);
    return -1;
  }
  unsigned char *der = NULL;
  int der_length = i2d_ECDSA_SIG(pair, &der);
  ECDSA_SIG_free(pair);
  if (der_length <= 0) {
    EVP_PKEY_free(key);
    return -1;
  }
  int result = verify(key, digest, der, (size_t)der_length, data, length);
  OPENSSL_free(der);
  return result;
}

int casebook_rsa_verify(const char *digest, const uint8_t *n, size_t n_length, const uint8_t *e, size_t e_length,
                        const uint8_t *signature, size_t signature_length, const uint8_t *data, size_t length) {
  OSSL_PARAM_BLD *builder = OSSL_PARAM_BLD_new();
  BIGNUM *big_n = BN_bin2bn(n, (int)n_length, NULL);
  BIGNUM *big_e = BN_bin2bn(e, (int)e_length, NULL);
  EVP_PKEY *key = NULL;
  if (builder != NULL && big_n != NULL && big_e != NULL &&
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, big_n) == 1 &&
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, big_e) == 1) {
    key = from_params("RSA", builder);
    builder = NULL;
  }
  OSSL_PARAM_BLD_free(builder);
  BN_free(big_n);
  BN_free(big_e);
  return verify(key, digest, signature, signature_length, data, length);
}
