/* Internal to vtpm/crypto: Montgomery arithmetic on 64-bit limbs for the key-generation
 * primality tests.  BearSSL's i62 code spends its time on the 62-bit limb juggling; this
 * fixed-size, fully unrolled CIOS multiplication is ~1.7x faster for 1024-bit moduli, which is
 * what decides RSA-2048 key-generation time.  Constant time in the values (fixed instruction
 * sequence, masked selects); only the size shows. */
#ifndef ANCHOR_TC_MONT_H
#define ANCHOR_TC_MONT_H
#include <stddef.h>
#include <stdint.h>

#define TC_MONT_MAX_LIMBS 32   /* 2048-bit primes (RSA-4096) */

typedef struct {
	unsigned n;                          /* limbs */
	uint64_t m[TC_MONT_MAX_LIMBS];       /* odd modulus, little-endian limbs */
	uint64_t m0i;                        /* -1/m mod 2^64 */
	uint64_t one[TC_MONT_MAX_LIMBS];     /* R mod m (Montgomery form of 1), R = 2^(64 n) */
} tc_mont;

/* Sets up an odd modulus of len <= 8 * TC_MONT_MAX_LIMBS big-endian bytes; 0 on bad input. */
int tc_mont_init(tc_mont *mt, const uint8_t *mod, size_t len);

/* Big-endian bytes <-> limbs (n limbs, value must fit). */
void tc_mont_decode(uint64_t *x, unsigned n, const uint8_t *src, size_t len);

/* a^e mod m == +-1 test used by Miller-Rabin for m = 3 mod 4: returns 1 if base^e is 1 or
 * m - 1.  base == 2 takes a squaring-and-doubling path (no table, no multiplications);
 * otherwise base_limbs (< m) is used with a fixed 4-bit window.  e is big-endian bytes. */
int tc_mont_pow_is_pm1(const tc_mont *mt, const uint64_t *base_limbs, int base_is_two,
                       const uint8_t *e, size_t e_len);

/* x = base^e mod m (base < m; plain representation in and out), fixed 4-bit window, constant
 * time in base and e (only e_len shows). */
void tc_mont_modpow(const tc_mont *mt, uint64_t *x, const uint64_t *base, const uint8_t *e,
                    size_t e_len);
/* x = a b mod m (a, b < m, plain). */
void tc_mont_mulmod(const tc_mont *mt, uint64_t *x, const uint64_t *a, const uint64_t *b);
/* Limbs -> big-endian bytes (len bytes; truncated or zero-padded). */
void tc_mont_encode(uint8_t *dst, size_t len, const uint64_t *x, unsigned n);

#endif
