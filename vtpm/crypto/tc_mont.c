/* Montgomery exponentiation on 64-bit limbs (see tc_mont.h). */
#include "tc_mont.h"
#include "tcrypto.h"
#include <string.h>

typedef unsigned __int128 u128;
#define ML TC_MONT_MAX_LIMBS

/* CIOS Montgomery multiplication r = a * b / R mod m, for a, b < m.  Written for a constant n
 * so that the wrappers below get fully unrolled loops (the unrolling is the speed). */
static inline __attribute__((always_inline)) void
mont_mul_n(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m, uint64_t m0i,
           const unsigned n)
{
	uint64_t t[ML + 2];
#pragma clang loop unroll(full)
	for (unsigned j = 0; j < n + 2; j++)
		t[j] = 0;
#pragma clang loop unroll(disable)
	for (unsigned i = 0; i < n; i++) {
		uint64_t c = 0, bi = b[i];
#pragma clang loop unroll(full)
		for (unsigned j = 0; j < n; j++) {
			u128 z = (u128)a[j] * bi + t[j] + c;
			t[j] = (uint64_t)z;
			c = (uint64_t)(z >> 64);
		}
		u128 z = (u128)t[n] + c;
		t[n] = (uint64_t)z;
		t[n + 1] = (uint64_t)(z >> 64);
		uint64_t q = t[0] * m0i;
		z = (u128)q * m[0] + t[0];
		c = (uint64_t)(z >> 64);
#pragma clang loop unroll(full)
		for (unsigned j = 1; j < n; j++) {
			z = (u128)q * m[j] + t[j] + c;
			t[j - 1] = (uint64_t)z;
			c = (uint64_t)(z >> 64);
		}
		z = (u128)t[n] + c;
		t[n - 1] = (uint64_t)z;
		t[n] = t[n + 1] + (uint64_t)(z >> 64);
	}
	/* t < 2m: subtract m unless that borrows (and t had no extra top word). */
	uint64_t d[ML], borrow = 0;
#pragma clang loop unroll(full)
	for (unsigned j = 0; j < n; j++) {
		u128 z = (u128)t[j] - m[j] - borrow;
		d[j] = (uint64_t)z;
		borrow = (uint64_t)(z >> 64) & 1;
	}
	uint64_t keep_t = (uint64_t)0 - (borrow & (t[n] ^ 1));
#pragma clang loop unroll(full)
	for (unsigned j = 0; j < n; j++)
		r[j] = (t[j] & keep_t) | (d[j] & ~keep_t);
}

/* Montgomery squaring r = a^2 / R mod m: the off-diagonal products once, doubled, plus the
 * diagonal (n(n+1)/2 products instead of n^2), then a separate Montgomery reduction. */
static inline __attribute__((always_inline)) void
mont_sqr_n(uint64_t *r, const uint64_t *a, const uint64_t *m, uint64_t m0i, const unsigned n)
{
	uint64_t t[2 * ML];
#pragma clang loop unroll(full)
	for (unsigned k = 0; k < 2 * n; k++)
		t[k] = 0;
#pragma clang loop unroll(full)
	for (unsigned i = 0; i < n; i++) {
		uint64_t c = 0;
#pragma clang loop unroll(full)
		for (unsigned j = i + 1; j < n; j++) {
			u128 z = (u128)a[i] * a[j] + t[i + j] + c;
			t[i + j] = (uint64_t)z;
			c = (uint64_t)(z >> 64);
		}
		t[i + n] = c;
	}
	uint64_t top = 0;
#pragma clang loop unroll(full)
	for (unsigned k = 0; k < 2 * n; k++) {
		uint64_t v = t[k];
		t[k] = v << 1 | top;
		top = v >> 63;
	}
	uint64_t c = 0;
#pragma clang loop unroll(full)
	for (unsigned i = 0; i < n; i++) {
		u128 z = (u128)a[i] * a[i] + t[2 * i] + c;
		t[2 * i] = (uint64_t)z;
		z = (u128)t[2 * i + 1] + (uint64_t)(z >> 64);
		t[2 * i + 1] = (uint64_t)z;
		c = (uint64_t)(z >> 64);
	}
	uint64_t hi = 0;                       /* carry out of t[i + n], added one row later */
#pragma clang loop unroll(full)
	for (unsigned i = 0; i < n; i++) {
		uint64_t q = t[i] * m0i;
		c = 0;
#pragma clang loop unroll(full)
		for (unsigned j = 0; j < n; j++) {
			u128 z = (u128)q * m[j] + t[i + j] + c;
			t[i + j] = (uint64_t)z;
			c = (uint64_t)(z >> 64);
		}
		u128 z = (u128)t[i + n] + c + hi;
		t[i + n] = (uint64_t)z;
		hi = (uint64_t)(z >> 64);
	}
	uint64_t d[ML], borrow = 0;
#pragma clang loop unroll(full)
	for (unsigned j = 0; j < n; j++) {
		u128 z = (u128)t[n + j] - m[j] - borrow;
		d[j] = (uint64_t)z;
		borrow = (uint64_t)(z >> 64) & 1;
	}
	uint64_t keep_t = (uint64_t)0 - (borrow & (hi ^ 1));
#pragma clang loop unroll(full)
	for (unsigned j = 0; j < n; j++)
		r[j] = (t[n + j] & keep_t) | (d[j] & ~keep_t);
}

/* The multiplication's inner loops unroll (fixed n), the outer one stays a loop: as fast as
 * full unrolling, at 1/n of the code.  The squaring's inner loops have a varying trip count, so
 * it only pays fully unrolled: done for 16 limbs (1024-bit primes, RSA-2048) alone, to keep
 * the code small (~14 KiB); other sizes square with the multiplication. */
#define MONT_MUL_FIXED(N) \
	static void mont_mul_##N(uint64_t *r, const uint64_t *a, const uint64_t *b, \
	                         const uint64_t *m, uint64_t m0i) \
	{ mont_mul_n(r, a, b, m, m0i, N); }
MONT_MUL_FIXED(8)
MONT_MUL_FIXED(16)
MONT_MUL_FIXED(24)
MONT_MUL_FIXED(32)

static void mont_sqr_16(uint64_t *r, const uint64_t *a, const uint64_t *m, uint64_t m0i)
{
	mont_sqr_n(r, a, m, m0i, 16);
}

/* Any other size: the same algorithm, rolled (mont_mul_n with a runtime n still works; the
 * pragmas are only hints). */
static void mont_mul_any(const tc_mont *mt, uint64_t *r, const uint64_t *a, const uint64_t *b)
{
	uint64_t t[ML + 2];
	const unsigned n = mt->n;
	const uint64_t *m = mt->m;
	memset(t, 0, sizeof t);
	for (unsigned i = 0; i < n; i++) {
		uint64_t c = 0, bi = b[i];
		for (unsigned j = 0; j < n; j++) {
			u128 z = (u128)a[j] * bi + t[j] + c;
			t[j] = (uint64_t)z;
			c = (uint64_t)(z >> 64);
		}
		u128 z = (u128)t[n] + c;
		t[n] = (uint64_t)z;
		t[n + 1] = (uint64_t)(z >> 64);
		uint64_t q = t[0] * mt->m0i;
		z = (u128)q * m[0] + t[0];
		c = (uint64_t)(z >> 64);
		for (unsigned j = 1; j < n; j++) {
			z = (u128)q * m[j] + t[j] + c;
			t[j - 1] = (uint64_t)z;
			c = (uint64_t)(z >> 64);
		}
		z = (u128)t[n] + c;
		t[n - 1] = (uint64_t)z;
		t[n] = t[n + 1] + (uint64_t)(z >> 64);
	}
	uint64_t d[ML], borrow = 0;
	for (unsigned j = 0; j < n; j++) {
		u128 z = (u128)t[j] - m[j] - borrow;
		d[j] = (uint64_t)z;
		borrow = (uint64_t)(z >> 64) & 1;
	}
	uint64_t keep_t = (uint64_t)0 - (borrow & (t[n] ^ 1));
	for (unsigned j = 0; j < n; j++)
		r[j] = (t[j] & keep_t) | (d[j] & ~keep_t);
}

static void mont_mul(const tc_mont *mt, uint64_t *r, const uint64_t *a, const uint64_t *b)
{
	switch (mt->n) {
	case 8:  mont_mul_8(r, a, b, mt->m, mt->m0i); break;
	case 16: mont_mul_16(r, a, b, mt->m, mt->m0i); break;
	case 24: mont_mul_24(r, a, b, mt->m, mt->m0i); break;
	case 32: mont_mul_32(r, a, b, mt->m, mt->m0i); break;
	default: mont_mul_any(mt, r, a, b); break;
	}
}

static void mont_sqr(const tc_mont *mt, uint64_t *r, const uint64_t *a)
{
	if (mt->n == 16)
		mont_sqr_16(r, a, mt->m, mt->m0i);
	else
		mont_mul(mt, r, a, a);
}

/* x = 2x mod m (x < m), constant time. */
static void mod_double(const tc_mont *mt, uint64_t *x)
{
	uint64_t y[ML], top = 0, borrow = 0;
	for (unsigned j = 0; j < mt->n; j++) {
		uint64_t v = x[j];
		x[j] = v << 1 | top;
		top = v >> 63;
	}
	for (unsigned j = 0; j < mt->n; j++) {
		u128 z = (u128)x[j] - mt->m[j] - borrow;
		y[j] = (uint64_t)z;
		borrow = (uint64_t)(z >> 64) & 1;
	}
	/* keep 2x only if it is below m: no carry out and the subtraction borrowed */
	uint64_t keep = (uint64_t)0 - (borrow & (top ^ 1));
	for (unsigned j = 0; j < mt->n; j++)
		x[j] = (x[j] & keep) | (y[j] & ~keep);
}

void tc_mont_decode(uint64_t *x, unsigned n, const uint8_t *src, size_t len)
{
	memset(x, 0, n * sizeof *x);
	for (size_t i = 0; i < len && i < 8 * (size_t)n; i++)
		x[i / 8] |= (uint64_t)src[len - 1 - i] << (8 * (i % 8));
}

int tc_mont_init(tc_mont *mt, const uint8_t *mod, size_t len)
{
	if (len == 0 || len > 8 * ML || !(mod[len - 1] & 1))
		return 0;
	memset(mt, 0, sizeof *mt);
	mt->n = (unsigned)((len + 7) / 8);
	tc_mont_decode(mt->m, mt->n, mod, len);
	uint64_t inv = 1;                               /* Newton: 6 steps give 64 bits */
	for (int i = 0; i < 6; i++)
		inv *= 2 - mt->m[0] * inv;
	mt->m0i = (uint64_t)0 - inv;
	if (len % 8 == 0 && (mod[0] & 0x80)) {
		/* m > R/2, so R mod m = R - m: the two's complement of m. */
		uint64_t borrow = 0;
		for (unsigned j = 0; j < mt->n; j++) {
			u128 z = (u128)0 - mt->m[j] - borrow;
			mt->one[j] = (uint64_t)z;
			borrow = (uint64_t)(z >> 64) & 1;
		}
	} else {
		/* R mod m: from 1, double 64 n times. */
		mt->one[0] = 1;
		for (unsigned i = 0; i < 64 * mt->n; i++)
			mod_double(mt, mt->one);
	}
	return 1;
}

static int equals_pm1(const tc_mont *mt, const uint64_t *x)
{
	uint64_t eq1 = 0, eqm1 = 0, borrow = 0;
	for (unsigned j = 0; j < mt->n; j++) {
		u128 z = (u128)mt->m[j] - mt->one[j] - borrow;    /* m - one = Montgomery(-1) */
		borrow = (uint64_t)(z >> 64) & 1;
		eq1 |= x[j] ^ mt->one[j];
		eqm1 |= x[j] ^ (uint64_t)z;
	}
	return eq1 == 0 || eqm1 == 0;
}

static void pow_two(const tc_mont *mt, uint64_t *x, const uint8_t *e, size_t e_len)
{
	uint64_t t[ML];
	memcpy(x, mt->one, mt->n * sizeof *x);
	for (size_t i = 0; i < e_len; i++)
		for (int b = 7; b >= 0; b--) {
			mont_sqr(mt, t, x);
			memcpy(x, t, mt->n * sizeof *x);
			/* multiply by 2 when the bit is set: double always, keep by mask */
			uint64_t keep = (uint64_t)0 - ((e[i] >> b) & 1);
			memcpy(t, x, mt->n * sizeof *x);
			mod_double(mt, t);
			for (unsigned j = 0; j < mt->n; j++)
				x[j] = (t[j] & keep) | (x[j] & ~keep);
		}
	tc_zeroize(t, sizeof t);
}

/* R^2 mod m: R mod m doubled 64 n more times. */
static void compute_r2(const tc_mont *mt, uint64_t *r2)
{
	memcpy(r2, mt->one, mt->n * sizeof *r2);
	for (unsigned i = 0; i < 64 * mt->n; i++)
		mod_double(mt, r2);
}

/* x = base^e in Montgomery form (base < m, plain), fixed 4-bit window. */
static void pow_window(const tc_mont *mt, uint64_t *x, const uint64_t *base, const uint8_t *e,
                       size_t e_len)
{
	uint64_t table[16][ML], t[ML], r2[ML], sel[ML];
	const unsigned n = mt->n;
	compute_r2(mt, r2);
	memcpy(table[0], mt->one, n * sizeof *t);
	mont_mul(mt, table[1], base, r2);
	for (unsigned k = 2; k < 16; k++)
		mont_mul(mt, table[k], table[k - 1], table[1]);
	memcpy(x, mt->one, n * sizeof *x);
	for (size_t i = 0; i < 2 * e_len; i++) {
		unsigned digit = (e[i / 2] >> (i % 2 ? 0 : 4)) & 15;
		for (int s = 0; s < 4; s++) {
			mont_sqr(mt, t, x);
			memcpy(x, t, n * sizeof *x);
		}
		memset(sel, 0, n * sizeof *sel);
		for (unsigned k = 0; k < 16; k++) {
			uint64_t mask = (uint64_t)0 - (uint64_t)(((k ^ digit) - 1u) >> 31 & 1);
			for (unsigned j = 0; j < n; j++)
				sel[j] |= table[k][j] & mask;
		}
		mont_mul(mt, t, x, sel);
		memcpy(x, t, n * sizeof *x);
	}
	tc_zeroize(table, sizeof table);
	tc_zeroize(sel, sizeof sel);
	tc_zeroize(t, sizeof t);
}

int tc_mont_pow_is_pm1(const tc_mont *mt, const uint64_t *base_limbs, int base_is_two,
                       const uint8_t *e, size_t e_len)
{
	uint64_t x[ML];
	if (base_is_two)
		pow_two(mt, x, e, e_len);
	else
		pow_window(mt, x, base_limbs, e, e_len);
	int r = equals_pm1(mt, x);
	tc_zeroize(x, sizeof x);
	return r;
}

void tc_mont_modpow(const tc_mont *mt, uint64_t *x, const uint64_t *base, const uint8_t *e,
                    size_t e_len)
{
	uint64_t t[ML], one[ML];
	pow_window(mt, t, base, e, e_len);
	memset(one, 0, sizeof one);
	one[0] = 1;
	mont_mul(mt, x, t, one);                /* out of Montgomery form */
	tc_zeroize(t, sizeof t);
}

void tc_mont_mulmod(const tc_mont *mt, uint64_t *x, const uint64_t *a, const uint64_t *b)
{
	uint64_t t[ML], r2[ML];
	compute_r2(mt, r2);
	mont_mul(mt, t, a, b);                  /* a b / R */
	mont_mul(mt, x, t, r2);                 /* a b */
	tc_zeroize(t, sizeof t);
}

void tc_mont_encode(uint8_t *dst, size_t len, const uint64_t *x, unsigned n)
{
	for (size_t i = 0; i < len; i++) {
		size_t bit = 8 * i;
		dst[len - 1 - i] = bit < 64 * (size_t)n ? (uint8_t)(x[bit / 64] >> (bit % 64)) : 0;
	}
}
