/* Benchmarks of vtpm/crypto: RSA key generation (CPU ms per key, so that other load on the
 * machine does not count) and the main operations.
 * Timings only; nothing here passes or fails. */
#include "tcrypto.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void keygen_bench(unsigned bits, unsigned keys)
{
	double t[256], sum = 0;
	static tc_rsa_priv sk;
	static tc_rsa_pub pk;
	for (unsigned i = 0; i < keys; i++) {
		tc_drbg d;
		uint32_t seed = i;
		tc_drbg_init(&d, TC_ALG_SHA256, &seed, sizeof seed, "bench", 5);
		double t0 = now_ms();
		int rc = tc_rsa_keygen(tc_drbg_prng(&d), bits, 0, &sk, &pk);
		t[i] = now_ms() - t0;
		if (rc != TC_OK)
			printf("keygen failed: %d\n", rc);
		sum += t[i];
	}
	qsort(t, keys, sizeof t[0], cmp_double);
	printf("rsa%u keygen  keys %3u  mean %7.1f ms  median %7.1f ms  min %6.1f  p90 %7.1f  max %7.1f\n",
	       bits, keys, sum / keys, t[keys / 2], t[0], t[keys * 9 / 10], t[keys - 1]);
}

int main(int argc, char **argv)
{
	unsigned keys = argc > 1 ? (unsigned)atoi(argv[1]) : 100;
	if (keys < 1 || keys > 256)
		keys = 100;
	keygen_bench(2048, keys);
	keygen_bench(3072, keys / 4 ? keys / 4 : 1);
	return 0;
}
