/* Small helpers: zeroisation and constant-time comparison. */
#include "tcrypto.h"
#include <string.h>

/* memset called through a volatile function pointer: the compiler cannot know what it calls,
 * so it cannot drop the wipe of a buffer that is dead afterwards, and the wipe runs at memset's
 * speed (a byte-wise volatile loop cost ~10% of GetRandom and of every HMAC). */
static void *(*const volatile zero_fill)(void *, int, size_t) = memset;

void tc_zeroize(void *p, size_t n)
{
	zero_fill(p, 0, n);
}

int tc_ct_equal(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	uint32_t diff = 0;
	for (size_t i = 0; i < n; i++)
		diff |= (uint32_t)(x[i] ^ y[i]);
	/* diff in 0..255: (diff - 1) >> 31 is 1 only for diff == 0, without a branch. */
	return (int)((diff - 1u) >> 31);
}
