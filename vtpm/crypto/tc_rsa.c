/* RSA keys, raw operations, signatures (RSASSA, RSAPSS) and encryption (OAEP, RSAES, raw). */
#include "tc_bn.h"
#include "tc_mont.h"
#include <string.h>

#define DEFAULT_E 65537u

static uint32_t real_exponent(uint32_t e)
{
	return e ? e : DEFAULT_E;
}

static br_rsa_public rsa_public_fn(void)
{
	br_rsa_public f = br_rsa_i62_public_get();
	return f ? f : br_rsa_i31_public;
}

/* ---- keys ---- */

int tc_rsa_pub_set(tc_rsa_pub *pk, const uint8_t *n, size_t n_len, uint32_t e)
{
	e = real_exponent(e);
	n = tc_bn_strip(n, &n_len);
	uint32_t bits = tc_bn_bits(n, n_len);
	if (bits < 512 || bits > TC_RSA_MAX_BITS)
		return TC_ERR_SIZE;
	if (!(n[n_len - 1] & 1) || !(e & 1) || e == 1)
		return TC_ERR_VALUE;
	memcpy(pk->n, n, n_len);
	pk->n_len = n_len;
	pk->bits = bits;
	pk->e = e;
	return TC_OK;
}

void tc_rsa_pub_br(const tc_rsa_pub *pk, br_rsa_public_key *out, uint8_t e_buf[4])
{
	e_buf[0] = (uint8_t)(pk->e >> 24);
	e_buf[1] = (uint8_t)(pk->e >> 16);
	e_buf[2] = (uint8_t)(pk->e >> 8);
	e_buf[3] = (uint8_t)pk->e;
	size_t skip = 0;
	while (skip < 3 && e_buf[skip] == 0)
		skip++;
	out->n = (unsigned char *)pk->n;
	out->nlen = pk->n_len;
	out->e = e_buf + skip;
	out->elen = 4 - skip;
}

void tc_rsa_priv_br(const tc_rsa_priv *sk, br_rsa_private_key *out)
{
	out->n_bitlen = sk->bits;
	out->p = (unsigned char *)sk->p;
	out->plen = sk->p_len;
	out->q = (unsigned char *)sk->q;
	out->qlen = sk->q_len;
	out->dp = (unsigned char *)sk->dp;
	out->dplen = sk->dp_len;
	out->dq = (unsigned char *)sk->dq;
	out->dqlen = sk->dq_len;
	out->iq = (unsigned char *)sk->iq;
	out->iqlen = sk->iq_len;
}

/* dst = d mod (prime - 1), encoded over the prime's length. */
static void crt_exponent(uint8_t *dst, size_t len, const uint32_t *d, const uint8_t *prime,
                         uint32_t *pm1, uint32_t *tmp)
{
	br_i31_decode(pm1, prime, len);
	pm1[1] &= ~(uint32_t)1;            /* prime is odd: p - 1 just clears bit 0 */
	br_i31_reduce(tmp, d, pm1);
	br_i31_encode(dst, len, tmp);
}

int tc_rsa_priv_from_pq(tc_rsa_priv *sk, tc_rsa_pub *pk, const uint8_t *p, size_t p_len,
                        const uint8_t *q, size_t q_len, uint32_t e)
{
	e = real_exponent(e);
	p = tc_bn_strip(p, &p_len);
	q = tc_bn_strip(q, &q_len);
	if (p_len < 32 || q_len < 32 || p_len > TC_RSA_MAX_PBYTES || q_len > TC_RSA_MAX_PBYTES)
		return TC_ERR_SIZE;
	if (!(p[p_len - 1] & 1) || !(q[q_len - 1] & 1) || !(e & 1) || e == 1)
		return TC_ERR_VALUE;
	/* Keep the larger prime as p (the one the TPM stores). */
	if (q_len > p_len || (q_len == p_len && tc_bn_cmp(q, p, p_len) > 0)) {
		const uint8_t *t = p; p = q; q = t;
		size_t tl = p_len; p_len = q_len; q_len = tl;
	}
	if (q_len == p_len && tc_bn_cmp(p, q, p_len) == 0)
		return TC_ERR_KEY;

	memset(sk, 0, sizeof *sk);
	memcpy(sk->p, p, p_len);
	memcpy(sk->q, q, q_len);
	sk->p_len = sk->dp_len = sk->iq_len = p_len;
	sk->q_len = sk->dq_len = q_len;
	sk->e = e;

	/* n = p q (br_rsa_i31_compute_modulus lacks the room for 4096-bit keys). */
	br_rsa_private_key view;
	if (tc_bn_bits(p, p_len) + tc_bn_bits(q, q_len) > TC_RSA_MAX_BITS + 1)
		goto bad_size;
	uint32_t pw[TC_BN_WORDS], qw[TC_BN_WORDS], nw[2 * TC_BN_WORDS];
	br_i31_decode(pw, p, p_len);
	br_i31_decode(qw, q, q_len);
	br_i31_zero(nw, pw[0]);
	br_i31_mulacc(nw, pw, qw);
	uint8_t nbuf[TC_RSA_MAX_BYTES + 1];
	size_t n_len = sizeof nbuf;
	br_i31_encode(nbuf, n_len, nw);
	const uint8_t *n = tc_bn_strip(nbuf, &n_len);
	sk->bits = tc_bn_bits(n, n_len);
	tc_zeroize(pw, sizeof pw);
	tc_zeroize(qw, sizeof qw);
	if (n_len == 0 || sk->bits > TC_RSA_MAX_BITS)
		goto bad_size;
	tc_rsa_priv_br(sk, &view);

	uint8_t dbytes[TC_RSA_MAX_BYTES];
	size_t d_len = br_rsa_i31_compute_privexp(dbytes, &view, e);
	if (d_len == 0) {
		tc_zeroize(sk, sizeof *sk);
		return TC_ERR_KEY;
	}
	uint32_t d[TC_BN_WORDS], m[TC_BN_WORDS], t[4 * TC_BN_WORDS];
	br_i31_decode(d, dbytes, d_len);
	crt_exponent(sk->dp, p_len, d, p, m, t);
	crt_exponent(sk->dq, q_len, d, q, m, t);

	/* iq = 1/q mod p. */
	uint32_t *x = t, *y = t + TC_BN_WORDS, *tt = t + 2 * TC_BN_WORDS;
	br_i31_decode(m, p, p_len);
	br_i31_decode_reduce(y, q, q_len, m);
	br_i31_zero(x, m[0]);
	x[1] = 1;
	uint32_t ok = br_i31_moddiv(x, y, m, br_i31_ninv31(m[1]), tt);
	br_i31_encode(sk->iq, p_len, x);
	tc_zeroize(dbytes, sizeof dbytes);
	tc_zeroize(d, sizeof d);
	tc_zeroize(t, sizeof t);
	tc_zeroize(m, sizeof m);
	if (!ok) {
		tc_zeroize(sk, sizeof *sk);
		return TC_ERR_KEY;
	}
	if (pk) {
		int rc = tc_rsa_pub_set(pk, n, n_len, e);
		if (rc != TC_OK) {
			tc_zeroize(sk, sizeof *sk);
			return rc;
		}
	}
	return TC_OK;
bad_size:
	tc_zeroize(sk, sizeof *sk);
	return TC_ERR_SIZE;
}

/* q = n / p, exactly: q = (n mod M) / (p mod M) mod M with the odd M = 2^k - 1 > q; then the
 * caller checks p * q == n.  Constant time in the values (only lengths show). */
static int divide_exact(uint8_t *q, size_t q_len, const tc_rsa_pub *pk, const uint8_t *p,
                        size_t p_len)
{
	uint32_t m[TC_BN_WORDS], x[TC_BN_WORDS], y[TC_BN_WORDS], t[3 * TC_BN_WORDS];
	uint32_t k = (uint32_t)q_len * 8 + 1;       /* M > 2^(8 q_len) > q */
	br_i31_zero(m, (k / 31) << 5 | (k % 31));     /* i31 headers encode the bit length */
	for (uint32_t i = 0; i < k; i++)
		m[1 + i / 31] |= (uint32_t)1 << (i % 31);
	br_i31_decode_reduce(x, pk->n, pk->n_len, m);
	br_i31_decode_reduce(y, p, p_len, m);
	uint32_t ok = br_i31_moddiv(x, y, m, br_i31_ninv31(m[1]), t);
	br_i31_encode(q, q_len, x);
	tc_zeroize(x, sizeof x);
	tc_zeroize(y, sizeof y);
	tc_zeroize(t, sizeof t);
	return ok ? TC_OK : TC_ERR_KEY;
}

int tc_rsa_priv_from_prime(tc_rsa_priv *sk, const tc_rsa_pub *pk, const uint8_t *p,
                           size_t p_len)
{
	p = tc_bn_strip(p, &p_len);
	if (p_len < 32 || p_len > TC_RSA_MAX_PBYTES || p_len >= pk->n_len)
		return TC_ERR_SIZE;
	if (!(p[p_len - 1] & 1))
		return TC_ERR_KEY;
	/* q < 2^(8 (n_len - p_len + 1)); a q longer than we support fails the p q == n check. */
	size_t q_len = pk->n_len - p_len + 1;
	if (q_len > TC_RSA_MAX_PBYTES)
		q_len = TC_RSA_MAX_PBYTES;
	uint8_t q[TC_RSA_MAX_PBYTES];
	int rc = divide_exact(q, q_len, pk, p, p_len);
	tc_rsa_pub check;
	if (rc == TC_OK)
		rc = tc_rsa_priv_from_pq(sk, &check, p, p_len, q, q_len, pk->e);
	if (rc == TC_OK && (check.n_len != pk->n_len || tc_bn_cmp(check.n, pk->n, pk->n_len)))
		rc = TC_ERR_KEY;
	if (rc != TC_OK) {
		tc_zeroize(sk, sizeof *sk);
		rc = (rc == TC_ERR_SIZE || rc == TC_ERR_VALUE) ? TC_ERR_KEY : rc;
	}
	tc_zeroize(q, sizeof q);
	return rc;
}

size_t tc_rsa_priv_prime(const tc_rsa_priv *sk, uint8_t *out, size_t max)
{
	size_t len = (sk->bits + 15) / 16;
	if (len < sk->p_len)
		len = sk->p_len;
	if (max < len)
		return 0;
	memset(out, 0, len - sk->p_len);
	memcpy(out + len - sk->p_len, sk->p, sk->p_len);
	return len;
}

/* ---- raw operations ---- */

int tc_rsa_public_raw(const tc_rsa_pub *pk, uint8_t *x, size_t len)
{
	if (len != pk->n_len)
		return TC_ERR_SIZE;
	if (tc_bn_cmp(x, pk->n, len) >= 0)
		return TC_ERR_VALUE;
	br_rsa_public_key view;
	uint8_t ebuf[4];
	tc_rsa_pub_br(pk, &view, ebuf);
	return rsa_public_fn()(x, len, &view) ? TC_OK : TC_ERR_VALUE;
}

static size_t priv_modulus_len(const tc_rsa_priv *sk)
{
	return (sk->bits + 7) / 8;
}

/* 1 if x < n (both len bytes, big-endian), constant time. */
static uint32_t ct_less(const uint8_t *x, const uint8_t *n, size_t len)
{
	uint32_t borrow = 0;
	for (size_t i = len; i-- > 0;)
		borrow = ((uint32_t)x[i] - n[i] - borrow) >> 31;
	return borrow;
}

/* n = p q, as k big-endian bytes. */
static void modulus_bytes(const tc_rsa_priv *sk, uint8_t *n, size_t k)
{
	uint32_t pw[TC_BN_WORDS], qw[TC_BN_WORDS], nw[2 * TC_BN_WORDS];
	br_i31_decode(pw, sk->p, sk->p_len);
	br_i31_decode(qw, sk->q, sk->q_len);
	br_i31_zero(nw, pw[0]);
	br_i31_mulacc(nw, pw, qw);
	br_i31_encode(n, k, nw);
	tc_zeroize(pw, sizeof pw);
	tc_zeroize(qw, sizeof qw);
}

/* c^d mod r for one CRT half: c reduced mod r (BearSSL's constant-time i31 reduction), then our
 * 64-bit Montgomery exponentiation (about twice BearSSL i62's speed). */
static void crt_half(const tc_mont *mt, uint64_t *out, const uint8_t *c, size_t k,
                     const uint8_t *r, size_t r_len, const uint8_t *d, size_t d_len)
{
	uint32_t rw[TC_BN_WORDS], tw[TC_BN_WORDS];
	uint8_t buf[TC_RSA_MAX_PBYTES];
	uint64_t cr[TC_MONT_MAX_LIMBS];
	br_i31_decode(rw, r, r_len);
	br_i31_decode_reduce(tw, c, k, rw);
	br_i31_encode(buf, r_len, tw);
	tc_mont_decode(cr, mt->n, buf, r_len);
	tc_mont_modpow(mt, out, cr, d, d_len);
	tc_zeroize(tw, sizeof tw);
	tc_zeroize(buf, sizeof buf);
	tc_zeroize(cr, sizeof cr);
}

/* x = x^d mod n by CRT (Garner): m1 = x^dP mod p, m2 = x^dQ mod q, h = qInv (m1 - m2) mod p,
 * x = m2 + h q.  Constant time in all values; only the sizes show. */
static int rsa_private_crt(const tc_rsa_priv *sk, uint8_t *x, size_t k)
{
	uint8_t n[TC_RSA_MAX_BYTES + 1];
	modulus_bytes(sk, n, k);
	if (!ct_less(x, n, k))
		return TC_ERR_VALUE;
	tc_mont mp, mq;
	if (!tc_mont_init(&mp, sk->p, sk->p_len) || !tc_mont_init(&mq, sk->q, sk->q_len) ||
	    mq.n > mp.n)
		return TC_ERR_KEY;
	uint64_t m1[TC_MONT_MAX_LIMBS], m2[TC_MONT_MAX_LIMBS], t[TC_MONT_MAX_LIMBS];
	uint64_t iq[TC_MONT_MAX_LIMBS], h[TC_MONT_MAX_LIMBS], prod[2 * TC_MONT_MAX_LIMBS + 1];
	const unsigned np = mp.n, nq = mq.n;
	crt_half(&mp, m1, x, k, sk->p, sk->p_len, sk->dp, sk->dp_len);
	crt_half(&mq, m2, x, k, sk->q, sk->q_len, sk->dq, sk->dq_len);
	for (unsigned j = nq; j < np; j++)
		m2[j] = 0;
	/* m2 < q < p for our keys (p is the larger prime), so m1 - m2 needs one correction */
	uint64_t borrow = 0;
	for (unsigned j = 0; j < np; j++) {
		unsigned __int128 z = (unsigned __int128)m1[j] - m2[j] - borrow;
		t[j] = (uint64_t)z;
		borrow = (uint64_t)(z >> 64) & 1;
	}
	uint64_t mask = (uint64_t)0 - borrow, carry = 0;
	for (unsigned j = 0; j < np; j++) {
		unsigned __int128 z = (unsigned __int128)t[j] + (mp.m[j] & mask) + carry;
		t[j] = (uint64_t)z;
		carry = (uint64_t)(z >> 64);
	}
	tc_mont_decode(iq, np, sk->iq, sk->iq_len);
	tc_mont_mulmod(&mp, h, t, iq);
	/* x = m2 + h q */
	memset(prod, 0, sizeof prod);
	for (unsigned j = 0; j < nq; j++)
		prod[j] = m2[j];
	for (unsigned i = 0; i < np; i++) {
		uint64_t c = 0;
		for (unsigned j = 0; j < nq; j++) {
			unsigned __int128 z = (unsigned __int128)h[i] * mq.m[j] + prod[i + j] + c;
			prod[i + j] = (uint64_t)z;
			c = (uint64_t)(z >> 64);
		}
		for (unsigned j = i + nq; j <= np + nq; j++) {
			unsigned __int128 z = (unsigned __int128)prod[j] + c;
			prod[j] = (uint64_t)z;
			c = (uint64_t)(z >> 64);
		}
	}
	tc_mont_encode(x, k, prod, np + nq + 1);
	tc_zeroize(m1, sizeof m1);
	tc_zeroize(m2, sizeof m2);
	tc_zeroize(t, sizeof t);
	tc_zeroize(h, sizeof h);
	tc_zeroize(prod, sizeof prod);
	tc_zeroize(&mp, sizeof mp);
	tc_zeroize(&mq, sizeof mq);
	return TC_OK;
}

int tc_rsa_private_raw(const tc_rsa_priv *sk, uint8_t *x, size_t len)
{
	if (len != priv_modulus_len(sk))
		return TC_ERR_SIZE;
	return rsa_private_crt(sk, x, len);
}

/* ---- signatures ---- */

static const uint8_t *hash_oid(uint16_t alg)
{
	switch (alg) {
	case TC_ALG_SHA1:   return BR_HASH_OID_SHA1;
	case TC_ALG_SHA256: return BR_HASH_OID_SHA256;
	case TC_ALG_SHA384: return BR_HASH_OID_SHA384;
	case TC_ALG_SHA512: return BR_HASH_OID_SHA512;
	default:            return NULL;
	}
}

/* EMSA-PSS geometry for a modulus of mod_bits bits. */
struct pss_geometry {
	size_t em_len;     /* ceil((mod_bits - 1) / 8) */
	size_t k;          /* modulus bytes */
	uint8_t top_mask;  /* bits of EM[0] that may be set */
};

static struct pss_geometry pss_geometry(uint32_t mod_bits)
{
	struct pss_geometry g;
	uint32_t em_bits = mod_bits - 1;
	g.em_len = (em_bits + 7) / 8;
	g.k = (mod_bits + 7) / 8;
	g.top_mask = (uint8_t)(0xFF >> (8 * g.em_len - em_bits));
	return g;
}

/* H = Hash(0x00 * 8 || mHash || salt) */
static void pss_hash(uint16_t alg, const uint8_t *digest, size_t dlen, const uint8_t *salt,
                     size_t slen, uint8_t *out)
{
	static const uint8_t zeros[8] = { 0 };
	tc_hash_ctx c;
	tc_hash_init(&c, alg);
	tc_hash_update(&c, zeros, 8);
	tc_hash_update(&c, digest, dlen);
	tc_hash_update(&c, salt, slen);
	tc_hash_final(&c, out);
}

static int pss_sign(const tc_rsa_priv *sk, uint16_t alg, const uint8_t *digest, size_t hl,
                    const br_prng_class **rng, uint8_t *sig)
{
	struct pss_geometry g = pss_geometry(sk->bits);
	if (g.em_len < hl + 2)
		return TC_ERR_SIZE;
	/* The TPM uses a salt as long as the digest, or the longest that fits. */
	size_t slen = g.em_len - hl - 2 < hl ? g.em_len - hl - 2 : hl;
	if (slen && !rng)
		return TC_ERR_FAIL;
	uint8_t *em = sig + (g.k - g.em_len);
	size_t db_len = g.em_len - hl - 1;
	uint8_t salt[TC_MAX_DIGEST];
	if (slen)
		(*rng)->generate(rng, salt, slen);
	memset(sig, 0, g.k);
	pss_hash(alg, digest, hl, salt, slen, em + db_len);
	tc_mgf1(alg, em + db_len, hl, em, db_len);            /* em[0..db_len) = dbMask */
	em[db_len - slen - 1] ^= 0x01;                         /* DB = PS || 0x01 || salt */
	for (size_t i = 0; i < slen; i++)
		em[db_len - slen + i] ^= salt[i];
	em[0] &= g.top_mask;
	em[g.em_len - 1] = 0xBC;
	tc_zeroize(salt, sizeof salt);
	return tc_rsa_private_raw(sk, sig, g.k) == TC_OK ? TC_OK : TC_ERR_FAIL;
}

static int pss_verify(const tc_rsa_pub *pk, uint16_t alg, const uint8_t *digest, size_t hl,
                      const uint8_t *sig)
{
	struct pss_geometry g = pss_geometry(pk->bits);
	uint8_t buf[TC_RSA_MAX_BYTES];
	memcpy(buf, sig, g.k);
	if (tc_rsa_public_raw(pk, buf, g.k) != TC_OK)
		return TC_ERR_SIGNATURE;
	if (g.em_len < hl + 2 || (g.k > g.em_len && buf[0] != 0))
		return TC_ERR_SIGNATURE;
	uint8_t *em = buf + (g.k - g.em_len);
	size_t db_len = g.em_len - hl - 1;
	if (em[g.em_len - 1] != 0xBC || (em[0] & ~g.top_mask))
		return TC_ERR_SIGNATURE;
	uint8_t mask[TC_RSA_MAX_BYTES];
	tc_mgf1(alg, em + db_len, hl, mask, db_len);
	for (size_t i = 0; i < db_len; i++)
		em[i] ^= mask[i];
	em[0] &= g.top_mask;
	size_t i = 0;
	while (i < db_len && em[i] == 0)
		i++;
	if (i == db_len || em[i] != 0x01)
		return TC_ERR_SIGNATURE;
	uint8_t h[TC_MAX_DIGEST];
	pss_hash(alg, digest, hl, em + i + 1, db_len - i - 1, h);
	return tc_ct_equal(h, em + db_len, hl) ? TC_OK : TC_ERR_SIGNATURE;
}

int tc_rsa_sign(const tc_rsa_priv *sk, uint16_t scheme, uint16_t hash_alg, const uint8_t *digest,
                size_t digest_len, const br_prng_class **rng, uint8_t *sig, size_t sig_max,
                size_t *sig_len)
{
	size_t hl = tc_hash_size(hash_alg);
	size_t k = priv_modulus_len(sk);
	if (!hl || (scheme != TC_ALG_RSASSA && scheme != TC_ALG_RSAPSS))
		return TC_ERR_ALG;
	if (digest_len != hl || sig_max < k)
		return TC_ERR_SIZE;
	int rc;
	if (scheme == TC_ALG_RSASSA) {
		rc = br_rsa_pkcs1_sig_pad(hash_oid(hash_alg), digest, hl, sk->bits, sig)
		     ? tc_rsa_private_raw(sk, sig, k) : TC_ERR_SIZE;
	} else {
		rc = pss_sign(sk, hash_alg, digest, hl, rng, sig);
	}
	if (rc == TC_OK)
		*sig_len = k;
	return rc;
}

int tc_rsa_verify(const tc_rsa_pub *pk, uint16_t scheme, uint16_t hash_alg,
                  const uint8_t *digest, size_t digest_len, const uint8_t *sig, size_t sig_len)
{
	size_t hl = tc_hash_size(hash_alg);
	if (!hl || (scheme != TC_ALG_RSASSA && scheme != TC_ALG_RSAPSS))
		return TC_ERR_ALG;
	if (digest_len != hl)
		return TC_ERR_SIZE;
	if (sig_len != pk->n_len)
		return TC_ERR_SIGNATURE;
	if (scheme == TC_ALG_RSAPSS)
		return pss_verify(pk, hash_alg, digest, hl, sig);
	br_rsa_public_key view;
	uint8_t ebuf[4], recovered[TC_MAX_DIGEST];
	tc_rsa_pub_br(pk, &view, ebuf);
	br_rsa_pkcs1_vrfy f = br_rsa_i62_pkcs1_vrfy_get();
	if (!f)
		f = br_rsa_i31_pkcs1_vrfy;
	if (!f(sig, sig_len, hash_oid(hash_alg), hl, &view, recovered))
		return TC_ERR_SIGNATURE;
	return tc_ct_equal(recovered, digest, hl) ? TC_OK : TC_ERR_SIGNATURE;
}

/* ---- encryption ---- */

/* PKCS#1 v1.5 type 2: 00 02 PS(non-zero, >= 8) 00 M */
static int rsaes_pad(uint8_t *em, size_t k, const uint8_t *msg, size_t msg_len,
                     const br_prng_class **rng)
{
	if (msg_len + 11 > k)
		return TC_ERR_SIZE;
	size_t ps_len = k - msg_len - 3;
	em[0] = 0;
	em[1] = 2;
	(*rng)->generate(rng, em + 2, ps_len);
	for (size_t i = 0; i < ps_len; i++)
		while (em[2 + i] == 0)
			(*rng)->generate(rng, em + 2 + i, 1);
	em[2 + ps_len] = 0;
	memcpy(em + 3 + ps_len, msg, msg_len);
	return TC_OK;
}

/* Constant-time check of the type-2 padding; returns the message offset or 0 if bad. */
static size_t rsaes_unpad(const uint8_t *em, size_t k)
{
	uint32_t good = ((uint32_t)em[0] - 1) >> 31 & ((uint32_t)(em[1] ^ 2) - 1) >> 31;
	uint32_t found = 0, zero_at = 0;
	for (size_t i = 2; i < k; i++) {
		uint32_t is_zero = ((uint32_t)em[i] - 1) >> 31;
		uint32_t first = is_zero & ~found & 1;
		zero_at |= (uint32_t)i & -first;
		found |= is_zero;
	}
	good &= found & ((uint32_t)(zero_at - 10) >> 31 ^ 1);   /* PS >= 8 bytes: zero_at >= 10 */
	return (size_t)((zero_at + 1) & -good);
}

int tc_rsa_encrypt(const tc_rsa_pub *pk, uint16_t scheme, uint16_t hash_alg, const void *label,
                   size_t label_len, const uint8_t *msg, size_t msg_len,
                   const br_prng_class **rng, uint8_t *out, size_t out_max, size_t *out_len)
{
	size_t k = pk->n_len;
	if (out_max < k)
		return TC_ERR_SIZE;
	int rc;
	switch (scheme) {
	case TC_ALG_OAEP: {
		const br_hash_class *hc = tc_hash_class(hash_alg);
		if (!hc)
			return TC_ERR_ALG;
		if (!rng)
			return TC_ERR_FAIL;
		br_rsa_public_key view;
		uint8_t ebuf[4];
		tc_rsa_pub_br(pk, &view, ebuf);
		br_rsa_oaep_encrypt f = br_rsa_i62_oaep_encrypt_get();
		if (!f)
			f = br_rsa_i31_oaep_encrypt;
		size_t n = f(rng, hc, label, label_len, &view, out, out_max, msg, msg_len);
		if (n != k)
			return TC_ERR_SIZE;
		*out_len = k;
		return TC_OK;
	}
	case TC_ALG_RSAES:
		if (!rng)
			return TC_ERR_FAIL;
		rc = rsaes_pad(out, k, msg, msg_len, rng);
		break;
	case TC_ALG_NULL:
		if (msg_len > k)
			return TC_ERR_SIZE;
		memmove(out + (k - msg_len), msg, msg_len);
		memset(out, 0, k - msg_len);
		rc = TC_OK;
		break;
	default:
		return TC_ERR_ALG;
	}
	if (rc == TC_OK)
		rc = tc_rsa_public_raw(pk, out, k);
	if (rc == TC_OK)
		*out_len = k;
	return rc;
}

int tc_rsa_decrypt(const tc_rsa_priv *sk, uint16_t scheme, uint16_t hash_alg, const void *label,
                   size_t label_len, const uint8_t *in, size_t in_len, uint8_t *out,
                   size_t out_max, size_t *out_len)
{
	size_t k = priv_modulus_len(sk);
	if (scheme != TC_ALG_OAEP && scheme != TC_ALG_RSAES && scheme != TC_ALG_NULL)
		return TC_ERR_ALG;
	if (scheme == TC_ALG_OAEP && !tc_hash_class(hash_alg))
		return TC_ERR_ALG;
	if (in_len != k)
		return TC_ERR_SIZE;
	uint8_t em[TC_RSA_MAX_BYTES];
	memcpy(em, in, k);
	int rc = tc_rsa_private_raw(sk, em, k);
	size_t off = 0, len = 0;
	if (rc != TC_OK) {
		rc = TC_ERR_VALUE;
	} else if (scheme == TC_ALG_NULL) {
		len = k;
	} else if (scheme == TC_ALG_RSAES) {
		off = rsaes_unpad(em, k);
		len = k - off;
		if (off == 0)
			rc = TC_ERR_DECRYPT;
	} else {
		/* BearSSL's OAEP decoder is constant time (padding and label checks); it moves the
		 * message to the start of em. */
		len = k;
		if (!br_rsa_oaep_unpad(tc_hash_class(hash_alg), label, label_len, em, &len))
			rc = TC_ERR_DECRYPT;
	}
	if (rc == TC_OK) {
		if (len > out_max)
			rc = TC_ERR_SIZE;
		else {
			memcpy(out, em + off, len);
			*out_len = len;
		}
	}
	tc_zeroize(em, sizeof em);
	return rc;
}
