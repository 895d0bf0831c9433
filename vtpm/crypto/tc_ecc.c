/* ECC over NIST P-256/P-384/P-521: parameters, point validation, keys, ECDSA, ECDH.
 * Scalar multiplication and ECDSA are BearSSL's constant-time "all_m31" implementations. */
#include "tc_bn.h"
#include "tc_ecc_curves.h"
#include <string.h>

static const uint8_t cofactor_one[1] = { 1 };

static const tc_ecc_params curves[] = {
	{ TC_ECC_NIST_P256, 256, 32, p256_p, p256_a, p256_b, p256_gx, p256_gy, p256_n,
	  cofactor_one, 1 },
	{ TC_ECC_NIST_P384, 384, 48, p384_p, p384_a, p384_b, p384_gx, p384_gy, p384_n,
	  cofactor_one, 1 },
	{ TC_ECC_NIST_P521, 521, 66, p521_p, p521_a, p521_b, p521_gx, p521_gy, p521_n,
	  cofactor_one, 1 },
};

const tc_ecc_params *tc_ecc_get_params(uint16_t curve)
{
	for (size_t i = 0; i < sizeof curves / sizeof curves[0]; i++)
		if (curves[i].curve == curve)
			return &curves[i];
	return NULL;
}

size_t tc_ecc_size(uint16_t curve)
{
	const tc_ecc_params *c = tc_ecc_get_params(curve);
	return c ? c->size : 0;
}

static int bearssl_curve(uint16_t curve)
{
	switch (curve) {
	case TC_ECC_NIST_P256: return BR_EC_secp256r1;
	case TC_ECC_NIST_P384: return BR_EC_secp384r1;
	case TC_ECC_NIST_P521: return BR_EC_secp521r1;
	default:               return 0;
	}
}

/* Copies an integer of any length into exactly `size` bytes (left-padded); false if it does
 * not fit (non-zero excess bytes). */
static bool fit(uint8_t *dst, size_t size, const uint8_t *src, size_t len)
{
	src = tc_bn_strip(src, &len);
	if (len > size)
		return false;
	memset(dst, 0, size - len);
	memcpy(dst + size - len, src, len);
	return true;
}

/* Uncompressed SEC1 encoding 04 || x || y. */
static size_t encode_point(const tc_ecc_point *pt, size_t size, uint8_t *out)
{
	out[0] = 0x04;
	memcpy(out + 1, pt->x, size);
	memcpy(out + 1 + size, pt->y, size);
	return 1 + 2 * size;
}

static void decode_point(tc_ecc_point *pt, uint16_t curve, size_t size, const uint8_t *in)
{
	memset(pt, 0, sizeof *pt);
	pt->curve = curve;
	memcpy(pt->x, in + 1, size);
	memcpy(pt->y, in + 1 + size, size);
}

/* ---- on-curve check: y^2 = x^3 + a x + b (mod p), in Montgomery form with BearSSL's i31 ---- */

#define EW (2 + (521 + 30) / 31)

/* r = r + b mod m (both < m). */
static void mod_add(uint32_t *r, const uint32_t *b, const uint32_t *m)
{
	uint32_t carry = br_i31_add(r, b, 1);
	/* subtract m if there was a carry or r >= m */
	br_i31_sub(r, m, carry | (br_i31_sub(r, m, 0) ^ 1));
}

/* r = r - b mod m. */
static void mod_sub(uint32_t *r, const uint32_t *b, const uint32_t *m)
{
	br_i31_add(r, m, br_i31_sub(r, b, 1));
}

int tc_ecc_point_validate(const tc_ecc_point *pt)
{
	const tc_ecc_params *c = tc_ecc_get_params(pt->curve);
	if (!c)
		return TC_ERR_ALG;
	uint32_t m[EW], x[EW], y[EW], t[EW], rhs[EW], lhs[EW], bb[EW];
	br_i31_decode(m, c->p, c->size);
	uint32_t m0i = br_i31_ninv31(m[1]);
	/* Coordinates must be reduced (< p): decode_mod reports it. */
	if (!br_i31_decode_mod(x, pt->x, c->size, m) || !br_i31_decode_mod(y, pt->y, c->size, m))
		return TC_ERR_POINT;
	br_i31_decode_mod(bb, c->b, c->size, m);
	br_i31_to_monty(x, m);
	br_i31_to_monty(y, m);
	br_i31_to_monty(bb, m);
	br_i31_montymul(lhs, y, y, m, m0i);           /* y^2 */
	br_i31_montymul(t, x, x, m, m0i);
	br_i31_montymul(rhs, t, x, m, m0i);           /* x^3 */
	for (int i = 0; i < 3; i++)                   /* a = -3: x^3 - 3x */
		mod_sub(rhs, x, m);
	mod_add(rhs, bb, m);
	size_t words = (m[0] + 31) >> 5;
	uint32_t diff = 0;
	for (size_t i = 1; i <= words; i++)
		diff |= lhs[i] ^ rhs[i];
	return diff == 0 ? TC_OK : TC_ERR_POINT;
}

int tc_ecc_point_set(tc_ecc_point *pt, uint16_t curve, const uint8_t *x, size_t x_len,
                     const uint8_t *y, size_t y_len)
{
	size_t size = tc_ecc_size(curve);
	if (!size)
		return TC_ERR_ALG;
	memset(pt, 0, sizeof *pt);
	pt->curve = curve;
	if (!fit(pt->x, size, x, x_len) || !fit(pt->y, size, y, y_len))
		return TC_ERR_SIZE;
	return tc_ecc_point_validate(pt);
}

/* ---- keys ---- */

/* 1 <= d <= n - 1, d as `size` bytes (not secret-dependent in time: compares all bytes). */
static bool scalar_in_range(const tc_ecc_params *c, const uint8_t *d)
{
	uint32_t nonzero = 0, lt = 0, eq = 1;
	for (size_t i = 0; i < c->size; i++) {
		uint32_t a = d[i], b = c->n[i];
		nonzero |= a;
		lt |= eq & ((a - b) >> 31);               /* first differing byte: a < b */
		eq &= ((a ^ b) - 1) >> 31;
	}
	return nonzero != 0 && lt;
}

int tc_ecc_priv_set(tc_ecc_priv *sk, uint16_t curve, const uint8_t *d, size_t d_len)
{
	const tc_ecc_params *c = tc_ecc_get_params(curve);
	if (!c)
		return TC_ERR_ALG;
	memset(sk, 0, sizeof *sk);
	sk->curve = curve;
	if (!fit(sk->d, c->size, d, d_len))
		return TC_ERR_VALUE;
	if (!scalar_in_range(c, sk->d)) {
		tc_zeroize(sk, sizeof *sk);
		return TC_ERR_VALUE;
	}
	return TC_OK;
}

int tc_ecc_pub_from_priv(const tc_ecc_priv *sk, tc_ecc_point *pub)
{
	const tc_ecc_params *c = tc_ecc_get_params(sk->curve);
	if (!c)
		return TC_ERR_ALG;
	uint8_t q[1 + 2 * TC_ECC_MAX_BYTES];
	size_t len = br_ec_all_m31.mulgen(q, sk->d, c->size, bearssl_curve(sk->curve));
	if (len != 1 + 2 * c->size)
		return TC_ERR_VALUE;
	decode_point(pub, sk->curve, c->size, q);
	return TC_OK;
}

int tc_ecc_keygen(uint16_t curve, const br_prng_class **rng, tc_ecc_priv *sk,
                  tc_ecc_point *pub)
{
	const tc_ecc_params *c = tc_ecc_get_params(curve);
	if (!c)
		return TC_ERR_ALG;
	uint8_t top_mask = (uint8_t)(0xFF >> (8 * c->size - c->key_bits));
	memset(sk, 0, sizeof *sk);
	sk->curve = curve;
	/* Rejection sampling: P(reject) < 2^-32 per draw for these curves; 64 draws cannot all
	 * fail unless the rng is broken. */
	for (int tries = 0; tries < 64; tries++) {
		(*rng)->generate(rng, sk->d, c->size);
		sk->d[0] &= top_mask;
		if (scalar_in_range(c, sk->d))
			return pub ? tc_ecc_pub_from_priv(sk, pub) : TC_OK;
	}
	tc_zeroize(sk, sizeof *sk);
	return TC_ERR_FAIL;
}

/* ---- ECDSA ---- */

/* ECDSA with a nonce from rng (FIPS 186-4 6.4 with k by rejection sampling, as for keys):
 * s = (e + r d) / k mod n, in BearSSL's constant-time i31 arithmetic. */
static int ecdsa_sign_rng(const tc_ecc_params *c, const tc_ecc_priv *sk, const uint8_t *digest,
                          size_t digest_len, const br_prng_class **rng, uint8_t *r_out,
                          uint8_t *s_out)
{
	uint32_t n[EW], e[EW], r[EW], d[EW], k[EW], t[3 * EW];
	br_i31_decode(n, c->n, c->size);
	uint32_t n0i = br_i31_ninv31(n[1]);
	/* e = leftmost bits of the digest, as many as the order has, reduced mod n */
	size_t take = digest_len < c->size ? digest_len : c->size;
	br_i31_decode_reduce(e, digest, take, n);
	br_i31_decode_reduce(d, sk->d, c->size, n);
	int rc = TC_ERR_FAIL;
	for (int tries = 0; tries < 64 && rc != TC_OK; tries++) {
		tc_ecc_priv nonce;
		if (tc_ecc_keygen(sk->curve, rng, &nonce, NULL) != TC_OK)
			break;
		uint8_t R[1 + 2 * TC_ECC_MAX_BYTES];
		size_t len = br_ec_all_m31.mulgen(R, nonce.d, c->size, bearssl_curve(sk->curve));
		br_i31_decode_reduce(r, R + 1, c->size, n);            /* r = x(kG) mod n */
		br_i31_decode_reduce(k, nonce.d, c->size, n);
		tc_zeroize(&nonce, sizeof nonce);
		if (len != 1 + 2 * c->size || br_i31_iszero(r))
			continue;
		memcpy(t, d, sizeof d);
		br_i31_to_monty(t, n);                                 /* d R */
		uint32_t rd[EW];
		br_i31_montymul(rd, r, t, n, n0i);                     /* r d */
		mod_add(rd, e, n);                                     /* e + r d */
		uint32_t ok = br_i31_moddiv(rd, k, n, n0i, t);         /* / k */
		if (!ok || br_i31_iszero(rd))
			continue;
		br_i31_encode(r_out, c->size, r);
		br_i31_encode(s_out, c->size, rd);
		tc_zeroize(rd, sizeof rd);
		rc = TC_OK;
	}
	tc_zeroize(k, sizeof k);
	tc_zeroize(d, sizeof d);
	tc_zeroize(t, sizeof t);
	return rc;
}

int tc_ecdsa_sign(const tc_ecc_priv *sk, uint16_t hash_alg, const uint8_t *digest,
                  size_t digest_len, const br_prng_class **rng, uint8_t *r, uint8_t *s)
{
	const tc_ecc_params *c = tc_ecc_get_params(sk->curve);
	const br_hash_class *hc = tc_hash_class(hash_alg);
	if (!c || !hc)
		return TC_ERR_ALG;
	if (digest_len != tc_hash_size(hash_alg))
		return TC_ERR_SIZE;
	if (rng)
		return ecdsa_sign_rng(c, sk, digest, digest_len, rng, r, s);
	br_ec_private_key bsk = { bearssl_curve(sk->curve), (unsigned char *)sk->d, c->size };
	uint8_t sig[2 * TC_ECC_MAX_BYTES];
	size_t len = br_ecdsa_i31_sign_raw(&br_ec_all_m31, hc, digest, &bsk, sig);
	if (len != 2 * c->size)
		return TC_ERR_FAIL;
	memcpy(r, sig, c->size);
	memcpy(s, sig + c->size, c->size);
	return TC_OK;
}

int tc_ecdsa_verify(const tc_ecc_point *pub, const uint8_t *digest, size_t digest_len,
                    const uint8_t *r, size_t r_len, const uint8_t *s, size_t s_len)
{
	const tc_ecc_params *c = tc_ecc_get_params(pub->curve);
	if (!c)
		return TC_ERR_ALG;
	if (tc_ecc_point_validate(pub) != TC_OK)
		return TC_ERR_POINT;
	if (digest_len == 0 || digest_len > TC_MAX_DIGEST)
		return TC_ERR_SIZE;
	uint8_t sig[2 * TC_ECC_MAX_BYTES], q[1 + 2 * TC_ECC_MAX_BYTES];
	if (!fit(sig, c->size, r, r_len) || !fit(sig + c->size, c->size, s, s_len))
		return TC_ERR_SIGNATURE;
	br_ec_public_key bpk = { bearssl_curve(pub->curve), q, encode_point(pub, c->size, q) };
	return br_ecdsa_i31_vrfy_raw(&br_ec_all_m31, digest, digest_len, &bpk, sig, 2 * c->size)
	       ? TC_OK : TC_ERR_SIGNATURE;
}

/* ---- Schnorr-type scalars (ECDAA) ---- */

int tc_ecc_schnorr_s(const tc_ecc_priv *sk, const uint8_t *k, size_t k_len, const uint8_t *e,
                     size_t e_len, uint8_t *s_out)
{
	const tc_ecc_params *c = tc_ecc_get_params(sk->curve);
	uint32_t n[EW], kk[EW], ee[EW], d[EW], ed[EW];
	if (!c)
		return TC_ERR_ALG;
	br_i31_decode(n, c->n, c->size);
	uint32_t n0i = br_i31_ninv31(n[1]);
	br_i31_decode_reduce(kk, k, k_len, n);
	br_i31_decode_reduce(ee, e, e_len, n);
	br_i31_decode_reduce(d, sk->d, c->size, n);
	br_i31_to_monty(d, n);                                      /* d R */
	br_i31_montymul(ed, ee, d, n, n0i);                         /* e d */
	mod_add(ed, kk, n);                                         /* k + e d */
	int zero = br_i31_iszero(ed) != 0;
	br_i31_encode(s_out, c->size, ed);
	tc_zeroize(kk, sizeof kk);
	tc_zeroize(d, sizeof d);
	tc_zeroize(ed, sizeof ed);
	return zero ? TC_ERR_FAIL : TC_OK;
}

int tc_ecc_mod_p(uint16_t curve, const uint8_t *x, size_t x_len, uint8_t *out)
{
	const tc_ecc_params *c = tc_ecc_get_params(curve);
	uint32_t p[EW], v[EW];
	if (!c)
		return TC_ERR_ALG;
	br_i31_decode(p, c->p, c->size);
	br_i31_decode_reduce(v, x, x_len, p);
	br_i31_encode(out, c->size, v);
	return TC_OK;
}

/* ---- ECDH ---- */

int tc_ecdh(const tc_ecc_priv *sk, const tc_ecc_point *peer, tc_ecc_point *out)
{
	const tc_ecc_params *c = tc_ecc_get_params(sk->curve);
	if (!c)
		return TC_ERR_ALG;
	if (peer->curve != sk->curve)
		return TC_ERR_ALG;
	if (tc_ecc_point_validate(peer) != TC_OK)
		return TC_ERR_POINT;
	uint8_t q[1 + 2 * TC_ECC_MAX_BYTES];
	size_t len = encode_point(peer, c->size, q);
	if (!br_ec_all_m31.mul(q, len, sk->d, c->size, bearssl_curve(sk->curve))) {
		tc_zeroize(q, sizeof q);
		return TC_ERR_POINT;
	}
	decode_point(out, sk->curve, c->size, q);
	tc_zeroize(q, sizeof q);
	return TC_OK;
}
