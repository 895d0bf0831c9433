/*
 * The engine's view of cryptography: thin names over vtpm/crypto (tcrypto.h), so the engine
 * has one place where the crypto layer is bound.  Object/session families may call tcrypto.h
 * directly for RSA/ECC/AES; hashing, HMAC, KDFa, the RNG and the helpers go through here.
 */
#ifndef ANCHOR_TPM2_CRYPTO_H
#define ANCHOR_TPM2_CRYPTO_H
#include "tpm2_shim.h"
#include "tcrypto.h"

#define TPM2_MAX_DIGEST_SIZE 64u
#define TPM2_MAX_HASH_BLOCK  128u

struct tpm2_hash {
	tc_hash_ctx c;
	uint16_t alg;   /* TPM_ALG_SHA1/256/384/512, 0 or TPM_ALG_NULL when unused */
};

struct tpm2_hmac {
	tc_hmac_ctx c;
	uint16_t alg;
};

/* 0 when alg is not a hash this TPM implements. */
size_t tpm2_hash_size(uint16_t alg);
size_t tpm2_hash_block_size(uint16_t alg);
bool tpm2_hash_init(struct tpm2_hash *h, uint16_t alg);
void tpm2_hash_update(struct tpm2_hash *h, const void *data, size_t len);
size_t tpm2_hash_final(struct tpm2_hash *h, uint8_t *out);   /* returns digest size */
size_t tpm2_hash_buf(uint16_t alg, const void *data, size_t len, uint8_t *out);

bool tpm2_hmac_init(struct tpm2_hmac *m, uint16_t alg, const void *key, size_t key_len);
void tpm2_hmac_update(struct tpm2_hmac *m, const void *data, size_t len);
size_t tpm2_hmac_final(struct tpm2_hmac *m, uint8_t *out);
size_t tpm2_hmac_buf(uint16_t alg, const void *key, size_t key_len, const void *data,
                     size_t len, uint8_t *out);

/* Portable serialisation of running hashes/HMACs (sequence contexts).  An unused context
 * (alg 0/NULL) serialises to nothing. */
#define TPM2_HASH_STATE_MAX TC_HMAC_STATE_MAX
size_t tpm2_hash_save(const struct tpm2_hash *h, uint8_t *buf, size_t max);
bool tpm2_hash_load(struct tpm2_hash *h, const uint8_t *buf, size_t len);
size_t tpm2_hmac_save(const struct tpm2_hmac *m, uint8_t *buf, size_t max);
bool tpm2_hmac_load(struct tpm2_hmac *m, const uint8_t *buf, size_t len);

/* KDFa (Part 1, 11.4.10.2): label is a C string (its NUL is part of the input). */
void tpm2_kdfa(uint16_t alg, const void *key, size_t key_len, const char *label,
               const void *ctx_u, size_t ctx_u_len, const void *ctx_v, size_t ctx_v_len,
               uint32_t bits, uint8_t *out);

/* The TPM's RNG (HMAC_DRBG reseeded from the platform's entropy). */
struct tpm2_drbg {
	tc_rng r;
};

int tpm2_ct_equal(const void *a, const void *b, size_t len);   /* 1 if equal; time ~ len */
void tpm2_zeroise(void *p, size_t len);

/* AES-CFB (TPM parameter / context encryption).  key_len 16, 24 or 32. */
void tpm2_aes_cfb(const uint8_t *key, size_t key_len, uint8_t iv[16], bool encrypt,
                  uint8_t *buf, size_t len);

#endif
