/* Small helpers: zeroisation and constant-time comparison. */
#include "tcrypto.h"

void tc_zeroize(void *p, size_t n)
{
	/* Writing through a volatile pointer is a side effect the compiler must keep. */
	volatile uint8_t *v = p;
	while (n--)
		*v++ = 0;
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
