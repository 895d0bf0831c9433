/* Deterministic RSA key generation: a sieved incremental prime search with Miller-Rabin.
 *
 * Why not br_rsa_i62_keygen: it draws a fresh random candidate for every test and only trial-
 * divides by a few primes, so a 2048-bit key costs ~120 ms on average here; the TPM's
 * CreatePrimary must beat libtpms (~11-24 ms).  This search draws one random start x
 * (top two bits set, x = 3 mod 4), sieves the window x + 4k, k < SIEVE_WINDOW, with the first
 * TC_SMALL_PRIMES odd primes, and runs Miller-Rabin on the survivors in order: a base-2 round
 * first (rejects composites cheaply), then the random-base rounds FIPS 186-4 Table C.3 asks for.
 * Every byte comes from the caller's PRNG, so a DRBG seed fixes the key on every platform. */
#include "tc_bn.h"
#include "tc_primes.h"
#include "tc_mont.h"
#include <string.h>

#define SIEVE_WINDOW 4096u    /* candidates x + 4k per random start */
#define PRIME_MAX_BYTES TC_RSA_MAX_PBYTES
#define MAX_STARTS 64u         /* ~6 primes per window are expected; 64 empty windows = failure */


/* FIPS 186-4 Table C.3 (error probability <= 2^-100 for 1024-bit RSA, 2^-112 for 2048,
 * 2^-128 for 3072 and more): rounds of Miller-Rabin with random bases per prime size. */
static unsigned mr_rounds(uint32_t prime_bits)
{
	if (prime_bits <= 512)
		return 7;
	if (prime_bits <= 1024)
		return 5;
	return 4;
}

struct search {
	const br_prng_class **rng;
	size_t len;                         /* prime bytes */
	uint32_t e;
	tc_mont mt;                         /* the candidate as a Montgomery modulus */
	uint8_t half[PRIME_MAX_BYTES];      /* (candidate - 1) / 2 */
	uint8_t sieve[SIEVE_WINDOW / 8];    /* bit k set: x + 4k has a small factor */
};

static uint32_t gcd32(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* x mod P for a P < 2^32, x big-endian of len bytes (a multiple of 4), by Barrett reduction
 * with mu = floor((2^64 - 1) / P): no division per word, so many small primes are cheap. */
static uint32_t mod_u32(const uint8_t *x, size_t len, uint32_t P, uint64_t mu)
{
	uint64_t r = 0;
	for (size_t i = 0; i < len; i += 4) {
		uint32_t w = (uint32_t)x[i] << 24 | (uint32_t)x[i + 1] << 16 |
		             (uint32_t)x[i + 2] << 8 | x[i + 3];
		uint64_t v = r << 32 | w;                         /* < P * 2^32 */
		uint64_t q = (uint64_t)(((unsigned __int128)v * mu) >> 64);
		r = v - q * P;                                    /* < 3P */
		r -= P & ((uint64_t)0 - (uint64_t)(r >= P));
		r -= P & ((uint64_t)0 - (uint64_t)(r >= P));
	}
	return (uint32_t)r;
}

/* Marks the k in the window with x + 4k = 0 (mod p), given r = x mod p. */
static void mark_multiples(uint8_t *sieve, uint32_t p, uint32_t r)
{
	/* x + 4k = 0 (mod p)  <=>  k = -r / 4 (mod p); 1/4 = (p+1)/4 or (3p+1)/4. */
	uint32_t inv4 = (p & 3) == 3 ? (p + 1) / 4 : (3 * p + 1) / 4;
	uint32_t k = (uint32_t)(((p - r) % p) * (uint64_t)inv4 % p);
	for (; k < SIEVE_WINDOW; k += p)
		sieve[k / 8] |= (uint8_t)(1u << (k % 8));
}

/* Residues of x modulo the small primes, two at a time (their product fits in 32 bits), each
 * pair's multiples marked straight away (no residue table: the stack stays small). */
static void sieve_window(struct search *s, const uint8_t *x)
{
	memset(s->sieve, 0, sizeof s->sieve);
	for (unsigned i = 0; i < TC_SMALL_PRIMES; i += 2) {
		uint32_t p0 = tc_small_primes[i], p1 = tc_small_primes[i + 1];
		uint32_t P = p0 * p1;
		uint32_t r = s->len % 4 ? tc_bn_mod_small(x, s->len, P)
		                        : mod_u32(x, s->len, P, UINT64_MAX / P);
		mark_multiples(s->sieve, p0, r % p0);
		mark_multiples(s->sieve, p1, r % p1);
	}
}

/* c = x + 4k (big-endian, same length); returns false on overflow out of the top byte. */
static bool add_offset(uint8_t *c, const uint8_t *x, size_t len, uint32_t k)
{
	uint32_t carry = 4 * k;
	for (size_t i = len; i-- > 0;) {
		carry += x[i];
		c[i] = (uint8_t)carry;
		carry >>= 8;
	}
	return carry == 0 && (c[0] & 0xC0) == 0xC0;
}

/* gcd(c - 1, e) == 1.  (c - 1) mod e is r - 1, or e - 1 when r is 0: no `r + e - 1`, which
 * overflows 32 bits for e > 2^31 and made the test judge the wrong residue. */
static bool exponent_coprime(const uint8_t *c, size_t len, uint32_t e)
{
	uint32_t r = tc_bn_mod_small(c, len, e);
	return gcd32(r ? r - 1 : e - 1, e) == 1;
}

/* One Miller-Rabin round for c = 3 mod 4: a^((c-1)/2) must be 1 or c-1.  base 0 means a
 * random base (one bit shorter than c, so below c - 1). */
static bool mr_round(struct search *s, uint32_t base)
{
	if (base == 2)
		return tc_mont_pow_is_pm1(&s->mt, NULL, 1, s->half, s->len);
	uint8_t r[PRIME_MAX_BYTES];
	uint64_t a[TC_MONT_MAX_LIMBS];
	(*s->rng)->generate(s->rng, r, s->len);
	r[0] &= 0x7F;                          /* c has its top bit set: r < c - 1 */
	tc_mont_decode(a, s->mt.n, r, s->len);
	bool ok = tc_mont_pow_is_pm1(&s->mt, a, 0, s->half, s->len);
	tc_zeroize(r, sizeof r);
	tc_zeroize(a, sizeof a);
	return ok;
}

static bool probably_prime(struct search *s, const uint8_t *c)
{
	if (!tc_mont_init(&s->mt, c, s->len))
		return false;
	/* (c - 1) / 2: c is odd, so shift c right by one. */
	unsigned carry = 0;
	for (size_t i = 0; i < s->len; i++) {
		s->half[i] = (uint8_t)(c[i] >> 1 | carry);
		carry = (c[i] & 1) << 7;
	}
	if (!mr_round(s, 2))
		return false;
	for (unsigned r = mr_rounds((uint32_t)s->len * 8); r > 0; r--)
		if (!mr_round(s, 0))
			return false;
	return true;
}

static int find_prime(struct search *s, uint8_t *out)
{
	uint8_t x[PRIME_MAX_BYTES];
	int rc = TC_ERR_FAIL;
	for (unsigned start = 0; start < MAX_STARTS && rc != TC_OK; start++) {
		(*s->rng)->generate(s->rng, x, s->len);
		x[0] |= 0xC0;                        /* p*q then has exactly 2 * 8 * len bits */
		x[s->len - 1] |= 0x03;               /* 3 mod 4 */
		sieve_window(s, x);
		for (uint32_t k = 0; k < SIEVE_WINDOW; k++) {
			if (s->sieve[k / 8] >> (k % 8) & 1)
				continue;
			if (!add_offset(out, x, s->len, k))
				break;
			if (exponent_coprime(out, s->len, s->e) && probably_prime(s, out)) {
				rc = TC_OK;
				break;
			}
		}
	}
	tc_zeroize(x, sizeof x);
	return rc;
}

int tc_rsa_keygen(const br_prng_class **rng, unsigned bits, uint32_t e, tc_rsa_priv *sk,
                  tc_rsa_pub *pk)
{
	if (bits < 1024 || bits > TC_RSA_MAX_BITS || bits % 16)
		return TC_ERR_SIZE;
	if (e == 0)
		e = 65537;
	if (!(e & 1) || e < 3)
		return TC_ERR_VALUE;
	struct search s;
	s.rng = rng;
	s.len = bits / 16;
	s.e = e;
	uint8_t p[PRIME_MAX_BYTES], q[PRIME_MAX_BYTES];
	int rc = find_prime(&s, p);
	while (rc == TC_OK) {
		rc = find_prime(&s, q);
		if (rc != TC_OK || memcmp(p, q, s.len) != 0)
			break;
	}
	if (rc == TC_OK)
		rc = tc_rsa_priv_from_pq(sk, pk, p, s.len, q, s.len, e);
	tc_zeroize(&s, sizeof s);
	tc_zeroize(p, sizeof p);
	tc_zeroize(q, sizeof q);
	return rc;
}

/* ---- cache of generated primes ---- */

static uint32_t cache_clock(const tc_rsa_cache_entry *cache, size_t entries)
{
	uint32_t newest = 0;
	for (size_t i = 0; i < entries; i++)
		if (cache[i].last_use > newest)
			newest = cache[i].last_use;
	return newest;
}

int tc_rsa_keygen_cached(tc_rsa_cache_entry *cache, size_t entries, const uint8_t tag[32],
                         const br_prng_class **rng, unsigned bits, uint32_t e, tc_rsa_priv *sk,
                         tc_rsa_pub *pk)
{
	uint32_t real_e = e ? e : 65537;
	uint32_t now = cache_clock(cache, entries) + 1;
	size_t victim = 0;
	for (size_t i = 0; i < entries; i++) {
		tc_rsa_cache_entry *c = &cache[i];
		if (c->last_use && c->bits == bits && c->e == real_e && tc_ct_equal(c->tag, tag, 32)) {
			int rc = tc_rsa_priv_from_pq(sk, pk, c->p, bits / 16, c->q, bits / 16, real_e);
			if (rc == TC_OK) {
				c->last_use = now;
				return TC_OK;
			}
		}
		if (cache[i].last_use < cache[victim].last_use)
			victim = i;
	}
	int rc = tc_rsa_keygen(rng, bits, e, sk, pk);
	if (rc != TC_OK || entries == 0 || bits / 16 > TC_RSA_MAX_PBYTES)
		return rc;
	tc_rsa_cache_entry *c = &cache[victim];
	tc_zeroize(c, sizeof *c);
	memcpy(c->tag, tag, 32);
	c->bits = bits;
	c->e = real_e;
	/* sk keeps the primes stripped of leading zeros; the cache stores them at bits/16 bytes */
	memcpy(c->p + bits / 16 - sk->p_len, sk->p, sk->p_len);
	memcpy(c->q + bits / 16 - sk->q_len, sk->q, sk->q_len);
	c->last_use = now;
	return TC_OK;
}

void tc_rsa_cache_clear(tc_rsa_cache_entry *cache, size_t entries)
{
	tc_zeroize(cache, entries * sizeof *cache);
}
