/* SHA-256 for the loader's event records, from the freestanding BearSSL build. */
#include <bearssl_hash.h>
#include "sha256.h"

void sha256_of(const void *data, size_t len, uint8_t out[32])
{
	br_sha256_context c;
	br_sha256_init(&c);
	br_sha256_update(&c, data, len);
	br_sha256_out(&c, out);
}
