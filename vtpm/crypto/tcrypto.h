/*
 * tcrypto: every cryptographic primitive Anchor's TPM 2.0 engine needs, over BearSSL.
 *
 * Conventions (BearSSL style):
 *  - Caller-owned contexts, no malloc, no globals.  Builds natively and freestanding.
 *  - Algorithms, schemes, modes and curves are named by their TPM 2.0 identifiers (TC_ALG_*,
 *    TC_ECC_*, same values as TPM_ALG_* / TPM_ECC_*), so the engine passes command fields
 *    straight through.
 *  - Functions returning int return TC_OK (0) or a negative TC_ERR_*; functions returning a
 *    size return 0 for "unsupported / failed".  Every length is checked; bad input gets an
 *    error, never a read or write past a buffer.
 *  - Big integers (RSA n, p, q; ECC coordinates, scalars) are unsigned big-endian bytes.  Input
 *    integers may carry leading zero bytes; outputs are left-padded to the key/curve size.
 *  - Secret-dependent operations (private-key ops, HMAC/MAC compare, padding checks on
 *    decryption, scalar multiplication) are constant time as far as BearSSL's primitives are;
 *    see docs/crypto.md for the exceptions.  Contexts holding secrets should be wiped with
 *    tc_zeroize() when done.
 *  - "rng" parameters are BearSSL PRNGs (const br_prng_class **): a tc_drbg, a tc_rng (through
 *    tc_rng_prng()) or any BearSSL PRNG.  Key generation consumes it deterministically: the
 *    same DRBG state gives the same key on every run and platform (the vEK relies on this).
 */
#ifndef ANCHOR_TCRYPTO_H
#define ANCHOR_TCRYPTO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bearssl.h"

/* ---- identifiers (TPM 2.0 Part 2, TPM_ALG_ID / TPM_ECC_CURVE) ---------------------------- */
#define TC_ALG_RSA       0x0001
#define TC_ALG_SHA1      0x0004
#define TC_ALG_HMAC      0x0005
#define TC_ALG_AES       0x0006
#define TC_ALG_KEYEDHASH 0x0008
#define TC_ALG_XOR       0x000A
#define TC_ALG_SHA256    0x000B
#define TC_ALG_SHA384    0x000C
#define TC_ALG_SHA512    0x000D
#define TC_ALG_NULL      0x0010
#define TC_ALG_RSASSA    0x0014
#define TC_ALG_RSAES     0x0015
#define TC_ALG_RSAPSS    0x0016
#define TC_ALG_OAEP      0x0017
#define TC_ALG_ECDSA     0x0018
#define TC_ALG_ECDH      0x0019
#define TC_ALG_ECC       0x0023
#define TC_ALG_CTR       0x0040
#define TC_ALG_OFB       0x0041
#define TC_ALG_CBC       0x0042
#define TC_ALG_CFB       0x0043
#define TC_ALG_ECB       0x0044

#define TC_ECC_NIST_P256 0x0003
#define TC_ECC_NIST_P384 0x0004
#define TC_ECC_NIST_P521 0x0005

/* ---- errors ---------------------------------------------------------------------------- */
#define TC_OK             0
#define TC_ERR_ALG       -1   /* unsupported hash/scheme/mode/curve/key size -> TPM_RC_SCHEME etc. */
#define TC_ERR_SIZE      -2   /* a length is wrong (digest size, block multiple, buffer too small) */
#define TC_ERR_VALUE     -3   /* an integer out of range (message >= n, scalar not in [1,n-1]) */
#define TC_ERR_SIGNATURE -4   /* signature does not verify -> TPM_RC_SIGNATURE */
#define TC_ERR_DECRYPT   -5   /* padding/label check failed on decryption -> TPM_RC_VALUE */
#define TC_ERR_POINT     -6   /* ECC point not on the curve (or at infinity) -> TPM_RC_ECC_POINT */
#define TC_ERR_KEY       -7   /* inconsistent key (p does not divide n, e not invertible, ...) */
#define TC_ERR_FAIL      -8   /* internal failure (e.g. key generation gave up) */

/* ---- sizes ----------------------------------------------------------------------------- */
#define TC_MAX_DIGEST      64u    /* SHA-512 */
#define TC_MAX_HASH_BLOCK  128u   /* SHA-384/512 block */
#define TC_RSA_MAX_BITS    4096u  /* largest modulus accepted (keygen: 1024..4096, multiple of 16) */
#define TC_RSA_MAX_BYTES   (TC_RSA_MAX_BITS / 8)
#define TC_RSA_MAX_PBYTES  (TC_RSA_MAX_BYTES / 2)
#define TC_ECC_MAX_BYTES   66u    /* P-521 coordinate; P-256 = 32, P-384 = 48 */
#define TC_AES_BLOCK       16u

/* ---- utilities ------------------------------------------------------------------------- */

/* Overwrites n bytes with zeros in a way the compiler may not elide (key material, contexts). */
void tc_zeroize(void *p, size_t n);

/* Constant-time equality: returns 1 if the n bytes at a and b are equal, 0 otherwise.  The time
 * depends only on n. */
int tc_ct_equal(const void *a, const void *b, size_t n);

/* ---- hashes ---------------------------------------------------------------------------- */

/* Digest size in bytes of hash alg (SHA1/256/384/512), 0 if not a supported hash. */
size_t tc_hash_size(uint16_t alg);
/* Block size in bytes (64 or 128), 0 if unsupported. */
size_t tc_hash_block_size(uint16_t alg);
/* The BearSSL class for alg, NULL if unsupported. */
const br_hash_class *tc_hash_class(uint16_t alg);
/* SHA-256 over the CPU's SHA extensions (tc_hash_x86.c): host builds on x86-64 whose CPU has
 * them; NULL otherwise (always in the freestanding build).  tc_hash_class() prefers it; it
 * shares br_sha256_context and its state encoding with the portable br_sha256_vtable. */
const br_hash_class *tc_sha256_accel_class(void);

/* Incremental hash.  Large enough for SHA-512.  Plain data except for the BearSSL vtable. */
typedef struct {
	br_hash_compat_context u;
	uint16_t alg;
} tc_hash_ctx;

int tc_hash_init(tc_hash_ctx *c, uint16_t alg);                  /* TC_ERR_ALG if unsupported */
void tc_hash_update(tc_hash_ctx *c, const void *data, size_t len);
/* Writes the digest (tc_hash_size bytes) and returns its size.  The context is left unchanged
 * (BearSSL semantics), so one may keep hashing after an intermediate digest. */
size_t tc_hash_final(const tc_hash_ctx *c, uint8_t *out);
/* One-shot; returns digest size or 0 if alg is unsupported. */
size_t tc_hash(uint16_t alg, const void *data, size_t len, uint8_t *out);

/* Serialises a running hash (for ContextSave of sequence objects): at most TC_HASH_STATE_MAX
 * bytes, returns the length or 0 if max is too small.  Load returns TC_OK or TC_ERR_SIZE /
 * TC_ERR_ALG on a malformed blob.  The format is portable (alg, byte count, chaining state,
 * pending partial block). */
#define TC_HASH_STATE_MAX (2 + 8 + 64 + TC_MAX_HASH_BLOCK)
size_t tc_hash_save(const tc_hash_ctx *c, uint8_t *buf, size_t max);
int tc_hash_load(tc_hash_ctx *c, const uint8_t *buf, size_t len);

/* ---- HMAC (RFC 2104) ------------------------------------------------------------------- */

typedef struct {
	tc_hash_ctx inner;                 /* running H((K ^ ipad) || data) */
	uint8_t opad_key[TC_MAX_HASH_BLOCK]; /* K ^ opad, for the outer hash */
	uint16_t alg;
} tc_hmac_ctx;

/* Any key length (keys longer than the block are hashed first).  TC_ERR_ALG if unsupported. */
int tc_hmac_init(tc_hmac_ctx *c, uint16_t alg, const void *key, size_t key_len);
void tc_hmac_update(tc_hmac_ctx *c, const void *data, size_t len);
/* Writes the MAC (tc_hash_size(alg) bytes), returns its size; the context is left unchanged. */
size_t tc_hmac_final(const tc_hmac_ctx *c, uint8_t *out);
size_t tc_hmac(uint16_t alg, const void *key, size_t key_len, const void *data, size_t len,
               uint8_t *out);
/* HMAC sequence state for ContextSave: like tc_hash_save, plus the outer key block. */
#define TC_HMAC_STATE_MAX (2 + TC_MAX_HASH_BLOCK + TC_HASH_STATE_MAX)
size_t tc_hmac_save(const tc_hmac_ctx *c, uint8_t *buf, size_t max);
int tc_hmac_load(tc_hmac_ctx *c, const uint8_t *buf, size_t len);

/* ---- key derivation ---------------------------------------------------------------------- */

/* KDFa (TPM 2.0 Part 1 §11.4.10.2; SP 800-108 counter mode with HMAC):
 *   out = first `bits` bits of  HMAC(key, [i]32 || label || contextU || contextV || [bits]32)
 *         for i = 1, 2, ...
 * The label is taken as label_len bytes; like the reference TPM, if it does not end with a NUL
 * byte one is added (so "STORAGE" with len 7 or 8 gives the same result).  NULL/0 label,
 * contexts: empty.  If bits is not a multiple of 8, the unused high bits of out[0] are cleared.
 * Writes (bits + 7) / 8 bytes.  TC_ERR_ALG for a bad hash, TC_ERR_SIZE if bits == 0 or
 * bits > TC_KDF_MAX_BITS. */
#define TC_KDF_MAX_BITS (8u * 8192u)
int tc_kdfa(uint16_t hash_alg, const void *key, size_t key_len, const void *label,
            size_t label_len, const void *context_u, size_t u_len, const void *context_v,
            size_t v_len, uint32_t bits, uint8_t *out);

/* KDFe (TPM 2.0 Part 1 §11.4.10.3; SP 800-56A concatenation KDF):
 *   out = first `bits` bits of  H([i]32 || Z || label || partyUInfo || partyVInfo), i = 1, 2, ...
 * Same label NUL rule as KDFa.  Z is the x coordinate of the shared point (for the TPM).
 * partyUInfo/partyVInfo are the x coordinates of the ephemeral / static public keys. */
int tc_kdfe(uint16_t hash_alg, const void *z, size_t z_len, const void *label,
            size_t label_len, const void *party_u, size_t u_len, const void *party_v,
            size_t v_len, uint32_t bits, uint8_t *out);

/* MGF1 (PKCS#1): writes out_len bytes of mask from seed.  TC_ERR_ALG for a bad hash. */
int tc_mgf1(uint16_t hash_alg, const void *seed, size_t seed_len, uint8_t *out, size_t out_len);

/* ---- deterministic random bit generator (HMAC_DRBG, SP 800-90A §10.1.2) ------------------ */

/* A tc_drbg is a br_prng_class: pass &drbg.vtable wherever BearSSL or tcrypto wants an rng.
 * No prediction resistance, no automatic reseed: it is a pure function of its inputs, which is
 * what deterministic key derivation needs. */
typedef struct {
	const br_prng_class *vtable;
	uint8_t K[TC_MAX_DIGEST];
	uint8_t V[TC_MAX_DIGEST];
	uint16_t alg;
	uint64_t reseed_counter;
} tc_drbg;

/* Instantiate: entropy_input || nonce || personalization is given as seed || pers (either may
 * be empty).  TC_ERR_ALG for an unsupported hash. */
int tc_drbg_init(tc_drbg *d, uint16_t hash_alg, const void *seed, size_t seed_len,
                 const void *pers, size_t pers_len);
/* Reseed with more input (SP 800-90A reseed / BearSSL update). */
void tc_drbg_reseed(tc_drbg *d, const void *data, size_t len);
/* Generate len bytes (any length; internally split into SP 800-90A requests of <= 2^16 bytes). */
void tc_drbg_generate(tc_drbg *d, void *out, size_t len);
static inline const br_prng_class **tc_drbg_prng(tc_drbg *d) { return &d->vtable; }

/* ---- the TPM's main RNG ------------------------------------------------------------------ */

/* An HMAC_DRBG (SHA-256) seeded from the platform entropy callback at init, automatically
 * reseeded from it every TC_RNG_RESEED_INTERVAL generate calls, and stirrable (StirRandom).
 * Also a br_prng_class (tc_rng_prng). */
#define TC_RNG_RESEED_INTERVAL 1024u
typedef struct {
	const br_prng_class *vtable;
	tc_drbg drbg;
	void (*entropy)(void *ctx, uint8_t *buf, size_t len);
	void *entropy_ctx;
	uint32_t calls_since_reseed;
} tc_rng;

void tc_rng_init(tc_rng *r, void (*entropy)(void *ctx, uint8_t *buf, size_t len), void *ctx);
void tc_rng_generate(tc_rng *r, void *out, size_t len);
/* TPM2_StirRandom: mixes caller data (not entropy-credited) into the state. */
void tc_rng_stir(tc_rng *r, const void *data, size_t len);
/* Forces a reseed from the entropy callback now. */
void tc_rng_reseed(tc_rng *r);
static inline const br_prng_class **tc_rng_prng(tc_rng *r) { return &r->vtable; }

/* ---- RSA --------------------------------------------------------------------------------- */

/* Public key: modulus (big-endian, exactly n_len = bits/8 bytes, top byte non-zero) and the
 * public exponent as a number (TPM stores 0 for 65537; tcrypto takes the real value). */
typedef struct {
	uint32_t bits;                       /* modulus size in bits */
	size_t n_len;                        /* bytes of n */
	uint8_t n[TC_RSA_MAX_BYTES];
	uint32_t e;
} tc_rsa_pub;

/* Private key in CRT form (each value big-endian, left-padded to the stored length). */
typedef struct {
	uint32_t bits;                       /* modulus size in bits */
	uint32_t e;
	size_t p_len, q_len, dp_len, dq_len, iq_len;
	uint8_t p[TC_RSA_MAX_PBYTES], q[TC_RSA_MAX_PBYTES];
	uint8_t dp[TC_RSA_MAX_PBYTES], dq[TC_RSA_MAX_PBYTES], iq[TC_RSA_MAX_PBYTES];
} tc_rsa_priv;

/* Public key from modulus and exponent (e == 0 means 65537, as in TPMS_RSA_PARMS).  Leading
 * zero bytes of n are stripped.  TC_ERR_SIZE if n is shorter than 512 bits or longer than
 * TC_RSA_MAX_BITS; TC_ERR_VALUE if n is even or e is even or 1. */
int tc_rsa_pub_set(tc_rsa_pub *pk, const uint8_t *n, size_t n_len, uint32_t e);

/* Deterministic key generation: bits in 1024..TC_RSA_MAX_BITS, a multiple of 16; e == 0 means
 * 65537, otherwise an odd e >= 3.  Primes p > q, each exactly bits/2 bits with the top two bits
 * set (so n has exactly `bits` bits), gcd(e, p-1) = gcd(e, q-1) = 1.  Prime search: incremental
 * sieve with small primes then Miller-Rabin (rounds in docs/crypto.md).  pk may be NULL. */
int tc_rsa_keygen(const br_prng_class **rng, unsigned bits, uint32_t e, tc_rsa_priv *sk,
                  tc_rsa_pub *pk);

/* Cache of generated primes for deterministic re-creation (CreatePrimary of the same template
 * under the same seed gives the same key: the second time need not search for primes).  The
 * caller owns the entries (e.g. two in the TPM instance) and supplies a tag that identifies the
 * DRBG input, e.g. SHA-256 of the seed material.  On a hit the key is rebuilt from the cached
 * primes (~0.1 ms) and the rng is NOT consumed: use this only where nothing else is drawn from
 * that rng after the key.  On a miss the key is generated from rng as tc_rsa_keygen does and
 * stored in the least recently used entry.  The entries hold secret primes: wipe them with
 * tc_rsa_cache_clear when the seeds change (ChangeEPS, Clear, ...). */
typedef struct {
	uint8_t tag[32];
	uint32_t bits, e;
	uint32_t last_use;                    /* 0 = empty */
	uint8_t p[TC_RSA_MAX_PBYTES], q[TC_RSA_MAX_PBYTES];
} tc_rsa_cache_entry;

int tc_rsa_keygen_cached(tc_rsa_cache_entry *cache, size_t entries, const uint8_t tag[32],
                         const br_prng_class **rng, unsigned bits, uint32_t e, tc_rsa_priv *sk,
                         tc_rsa_pub *pk);
void tc_rsa_cache_clear(tc_rsa_cache_entry *cache, size_t entries);

/* Private key from the TPM's stored sensitive part: one prime p and the public (n, e).
 * Computes q = n / p, dP, dQ, qInv.  TC_ERR_KEY if p does not divide n (or p*q != n, or e is
 * not invertible); TC_ERR_SIZE/TC_ERR_VALUE for bad lengths/values. */
int tc_rsa_priv_from_prime(tc_rsa_priv *sk, const tc_rsa_pub *pk, const uint8_t *p,
                           size_t p_len);
/* Private key from both primes (any order) and e (0 = 65537).  pk (may be NULL) gets n. */
int tc_rsa_priv_from_pq(tc_rsa_priv *sk, tc_rsa_pub *pk, const uint8_t *p, size_t p_len,
                        const uint8_t *q, size_t q_len, uint32_t e);
/* The prime the TPM stores as TPM2B_PRIVATE_KEY_RSA (the larger prime p), left-padded to
 * bits/16 bytes; returns the length written. */
size_t tc_rsa_priv_prime(const tc_rsa_priv *sk, uint8_t *out, size_t max);

/* BearSSL views (pointers into the tcrypto structs and e_buf; valid while those live). */
void tc_rsa_pub_br(const tc_rsa_pub *pk, br_rsa_public_key *out, uint8_t e_buf[4]);
void tc_rsa_priv_br(const tc_rsa_priv *sk, br_rsa_private_key *out);

/* Raw RSA: x (len == n_len bytes, big-endian) is replaced by x^e mod n / x^d mod n (CRT).
 * TC_ERR_SIZE for a wrong length, TC_ERR_VALUE if x >= n. */
int tc_rsa_public_raw(const tc_rsa_pub *pk, uint8_t *x, size_t len);
int tc_rsa_private_raw(const tc_rsa_priv *sk, uint8_t *x, size_t len);

/* Signatures.  scheme: TC_ALG_RSASSA (PKCS#1 v1.5 with the hash's DigestInfo) or TC_ALG_RSAPSS
 * (MGF1 with the same hash; signing uses salt length = digest length, or the largest that fits,
 * as the TPM does; verification accepts any salt length, as the reference TPM does).
 * digest_len must equal tc_hash_size(hash_alg) (TC_ERR_SIZE).  sign writes n_len bytes to sig
 * (sig_max >= n_len) and stores the length; rng is only used by PSS (salt).  verify returns
 * TC_OK or TC_ERR_SIGNATURE (also for a signature of the wrong length or >= n). */
int tc_rsa_sign(const tc_rsa_priv *sk, uint16_t scheme, uint16_t hash_alg, const uint8_t *digest,
                size_t digest_len, const br_prng_class **rng, uint8_t *sig, size_t sig_max,
                size_t *sig_len);
int tc_rsa_verify(const tc_rsa_pub *pk, uint16_t scheme, uint16_t hash_alg,
                  const uint8_t *digest, size_t digest_len, const uint8_t *sig, size_t sig_len);

/* Encryption.  scheme: TC_ALG_OAEP (hash_alg for OAEP and MGF1; label bytes taken verbatim -
 * TPM labels include their trailing NUL, e.g. "SECRET\0", "IDENTITY\0", "DUPLICATE\0"),
 * TC_ALG_RSAES (PKCS#1 v1.5 type 2; hash_alg and label ignored) or TC_ALG_NULL (raw: the message
 * is left-padded with zeros to n_len and must be < n).  encrypt writes n_len bytes; rng gives
 * the OAEP seed / v1.5 padding.  decrypt writes the recovered message (for NULL: n_len bytes),
 * TC_ERR_SIZE if out_max is too small, the message too long or in_len != n_len, TC_ERR_VALUE if
 * the ciphertext is >= n, TC_ERR_DECRYPT if the padding or label does not check (constant time
 * in the padding check). */
int tc_rsa_encrypt(const tc_rsa_pub *pk, uint16_t scheme, uint16_t hash_alg, const void *label,
                   size_t label_len, const uint8_t *msg, size_t msg_len,
                   const br_prng_class **rng, uint8_t *out, size_t out_max, size_t *out_len);
int tc_rsa_decrypt(const tc_rsa_priv *sk, uint16_t scheme, uint16_t hash_alg, const void *label,
                   size_t label_len, const uint8_t *in, size_t in_len, uint8_t *out,
                   size_t out_max, size_t *out_len);

/* ---- ECC (NIST P-256, P-384, P-521) ------------------------------------------------------ */

/* Curve parameters for TPM2_ECC_Parameters (TPMS_ALGORITHM_DETAIL_ECC): all big-endian,
 * p/a/b/gx/gy/n of `size` bytes, h of h_len bytes. */
typedef struct {
	uint16_t curve;          /* TC_ECC_* */
	uint16_t key_bits;       /* 256, 384, 521 */
	size_t size;             /* coordinate bytes: 32, 48, 66 */
	const uint8_t *p, *a, *b, *gx, *gy, *n, *h;
	size_t h_len;
} tc_ecc_params;

/* NULL if the curve is unsupported. */
const tc_ecc_params *tc_ecc_get_params(uint16_t curve);
/* Coordinate size in bytes, 0 if unsupported. */
size_t tc_ecc_size(uint16_t curve);

typedef struct {
	uint16_t curve;
	uint8_t x[TC_ECC_MAX_BYTES], y[TC_ECC_MAX_BYTES];   /* each `size` bytes, left-padded */
} tc_ecc_point;

typedef struct {
	uint16_t curve;
	uint8_t d[TC_ECC_MAX_BYTES];                        /* `size` bytes, in [1, n-1] */
} tc_ecc_priv;

/* Point from coordinates of any length <= size (left-padded; longer only if the excess bytes
 * are zero), then validated: TC_ERR_ALG (curve), TC_ERR_SIZE, TC_ERR_POINT (not on curve). */
int tc_ecc_point_set(tc_ecc_point *pt, uint16_t curve, const uint8_t *x, size_t x_len,
                     const uint8_t *y, size_t y_len);
/* TC_OK if pt is a valid affine point on its curve, TC_ERR_POINT otherwise. */
int tc_ecc_point_validate(const tc_ecc_point *pt);

/* Private scalar from bytes (same length rules); TC_ERR_VALUE unless 1 <= d <= n-1. */
int tc_ecc_priv_set(tc_ecc_priv *sk, uint16_t curve, const uint8_t *d, size_t d_len);
/* Q = d*G. */
int tc_ecc_pub_from_priv(const tc_ecc_priv *sk, tc_ecc_point *pub);

/* Deterministic key generation: draws `size` bytes from rng (high bits beyond the order's bit
 * length masked, P-521), rejects 0 and >= n and draws again.  pub may be NULL. */
int tc_ecc_keygen(uint16_t curve, const br_prng_class **rng, tc_ecc_priv *sk,
                  tc_ecc_point *pub);

/* ECDSA.  digest_len must equal tc_hash_size(hash_alg) (TC_ERR_SIZE), as TPM2_Sign requires;
 * it is truncated to the order's length as the standard says.  rng == NULL: RFC 6979
 * deterministic nonce (HMAC-DRBG with hash_alg, BearSSL); rng != NULL: nonce drawn from rng by
 * rejection sampling in [1, n-1].  r and s are written as `size` bytes each (left-padded).
 * verify: digest of any length 1..64; r/s of any length <= size (or longer with leading
 * zeros); TC_OK or TC_ERR_SIGNATURE; TC_ERR_POINT if the public key is not on the curve. */
int tc_ecdsa_sign(const tc_ecc_priv *sk, uint16_t hash_alg, const uint8_t *digest,
                  size_t digest_len, const br_prng_class **rng, uint8_t *r, uint8_t *s);
int tc_ecdsa_verify(const tc_ecc_point *pub, const uint8_t *digest, size_t digest_len,
                    const uint8_t *r, size_t r_len, const uint8_t *s, size_t s_len);

/* ECDH: out = d * peer (both coordinates, as TPM2_ECDH_ZGen returns the point).  TC_ERR_POINT
 * if peer is not on the curve or the result is the point at infinity; TC_ERR_ALG if the curves
 * differ. */
int tc_ecdh(const tc_ecc_priv *sk, const tc_ecc_point *peer, tc_ecc_point *out);

/* Schnorr-type signature scalar s = (k + e d) mod n (ECDAA: k = the commitment's r, e = T =
 * H(nonceK || digest), d = sk); k and e of any length (reduced mod n), s written as `size`
 * bytes.  Constant time in k and d.  TC_ERR_FAIL if s is zero. */
int tc_ecc_schnorr_s(const tc_ecc_priv *sk, const uint8_t *k, size_t k_len, const uint8_t *e,
                     size_t e_len, uint8_t *s_out);
/* out = x mod p (the curve's prime), `size` bytes (TPM2_Commit: x2 = H(s2) mod p). */
int tc_ecc_mod_p(uint16_t curve, const uint8_t *x, size_t x_len, uint8_t *out);

/* ---- AES block-cipher modes ------------------------------------------------------------- */

/* Encrypts (encrypt = true) or decrypts len bytes from in to out (in == out allowed; otherwise
 * the buffers must not overlap).  key_len 16, 24 or 32 (AES-128/192/256).  mode:
 *   TC_ALG_CFB  full-block (128-bit) feedback, any len; the last block may be partial.
 *   TC_ALG_CBC  len a multiple of 16 (else TC_ERR_SIZE); no padding.
 *   TC_ALG_CTR  the whole 16-byte IV is the big-endian counter, incremented per block; any len.
 *   TC_ALG_OFB  any len.
 *   TC_ALG_ECB  len a multiple of 16 (else TC_ERR_SIZE); iv unused (may be NULL).
 * iv (16 bytes) is read and updated to the value that continues the stream (TPM ivOut): CFB/CBC
 * the last ciphertext block, OFB the last keystream block, CTR the next counter.  After a
 * partial final block (CFB/OFB/CTR) the returned IV follows the reference TPM.
 * TC_ERR_ALG for a bad mode, TC_ERR_SIZE for a bad key length. */
int tc_aes_crypt(uint16_t mode, bool encrypt, const uint8_t *key, size_t key_len, uint8_t *iv,
                 const uint8_t *in, uint8_t *out, size_t len);

/* The AES implementation tc_aes_crypt uses: BearSSL's AES-NI classes (tc_accel_x86.c) on host
 * builds whose CPU has AES-NI, else its constant-time ct64 code (always in the freestanding
 * build).  tc_aes_accel returns 1 and fills *out with the AES-NI classes, or returns 0;
 * tc_aes_crypt_with runs one operation with given classes (for tests of both paths). */
struct tc_aes_classes {
	const br_block_cbcenc_class *cbcenc;
	const br_block_cbcdec_class *cbcdec;
	const br_block_ctrcbc_class *ctrcbc;
};
extern const struct tc_aes_classes tc_aes_portable;
int tc_aes_accel(struct tc_aes_classes *out);
int tc_aes_crypt_with(const struct tc_aes_classes *impl, uint16_t mode, bool encrypt,
                      const uint8_t *key, size_t key_len, uint8_t *iv, const uint8_t *in,
                      uint8_t *out, size_t len);

/* TPM XOR obfuscation (Part 1 §21.2 "XOR parameter obfuscation"): data ^= KDFa(hash_alg, key,
 * "XOR", context_u, context_v, len * 8), in place.  Applying it twice restores the data. */
int tc_xor_obfuscate(uint16_t hash_alg, const void *key, size_t key_len, const void *context_u,
                     size_t u_len, const void *context_v, size_t v_len, uint8_t *data,
                     size_t len);

#endif
