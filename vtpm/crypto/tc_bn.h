/* Internal to vtpm/crypto: big-integer helpers over BearSSL's i31 representation
 * (x[0] = announced bit length, then 31-bit little-endian words). */
#ifndef ANCHOR_TC_BN_H
#define ANCHOR_TC_BN_H
#include "tcrypto.h"
#include "inner.h"

/* Words for an i31 integer of up to TC_RSA_MAX_BITS bits, plus header and a spare word. */
#define TC_BN_WORDS (2 + (TC_RSA_MAX_BITS + 30) / 31)

/* Strips leading zero bytes. */
static inline const uint8_t *tc_bn_strip(const uint8_t *x, size_t *len)
{
	while (*len > 0 && x[0] == 0)
		x++, (*len)--;
	return x;
}

/* Bit length of a big-endian integer (already stripped or not). */
static inline uint32_t tc_bn_bits(const uint8_t *x, size_t len)
{
	x = tc_bn_strip(x, &len);
	if (len == 0)
		return 0;
	uint32_t bits = (uint32_t)(len - 1) * 8;
	for (uint8_t top = x[0]; top; top >>= 1)
		bits++;
	return bits;
}

/* Compares two big-endian integers of the same length: <0, 0, >0 (not constant time: for
 * public values). */
static inline int tc_bn_cmp(const uint8_t *a, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* x mod m for a small m (< 2^31), x big-endian.  Used on keygen candidates: the time depends on
 * the length only (the division instruction on some CPUs varies with operand values). */
static inline uint32_t tc_bn_mod_small(const uint8_t *x, size_t len, uint32_t m)
{
	uint64_t r = 0;
	size_t i = 0;
	for (; i < len % 4; i++)
		r = ((r << 8) | x[i]) % m;
	for (; i < len; i += 4) {
		uint32_t w = (uint32_t)x[i] << 24 | (uint32_t)x[i + 1] << 16 |
		             (uint32_t)x[i + 2] << 8 | x[i + 3];
		r = ((r << 32) | w) % m;
	}
	return (uint32_t)r;
}

#endif
