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

/* The same seeds through BearSSL's own keygen, as a yardstick that shares the machine's load. */
static void bearssl_keygen_bench(unsigned keys)
{
	double t[256], sum = 0;
	static unsigned char kp[BR_RSA_KBUF_PRIV_SIZE(2048)], kq[BR_RSA_KBUF_PUB_SIZE(2048)];
	br_rsa_private_key sk;
	br_rsa_public_key pk;
	br_rsa_keygen kg = br_rsa_i62_keygen_get();
	if (!kg)
		kg = br_rsa_i31_keygen;
	for (unsigned i = 0; i < keys; i++) {
		tc_drbg d;
		uint32_t seed = i;
		tc_drbg_init(&d, TC_ALG_SHA256, &seed, sizeof seed, "bench", 5);
		double t0 = now_ms();
		kg(tc_drbg_prng(&d), &sk, kp, &pk, kq, 2048, 65537);
		t[i] = now_ms() - t0;
		sum += t[i];
	}
	qsort(t, keys, sizeof t[0], cmp_double);
	printf("rsa2048 keygen  keys %3u  mean %7.1f ms  median %7.1f ms  (BearSSL br_rsa_i62_keygen, same seeds)\n",
	       keys, sum / keys, t[keys / 2]);
}

#define TIME_OPS(label, iters, stmt) do { \
		double t0_ = now_ms(); \
		for (unsigned i_ = 0; i_ < (iters); i_++) { stmt; } \
		printf("%-34s %9.1f us\n", label, (now_ms() - t0_) * 1000.0 / (iters)); \
	} while (0)

static void ops_bench(void)
{
	static tc_rsa_priv sk, sk2;
	static tc_rsa_pub pk;
	tc_drbg d;
	tc_drbg_init(&d, TC_ALG_SHA256, "ops", 3, NULL, 0);
	tc_rsa_keygen(tc_drbg_prng(&d), 2048, 0, &sk, &pk);
	uint8_t dg[32], sig[256], ct[256], pt[256], prime[128];
	size_t sl, cl, pl;
	tc_hash(TC_ALG_SHA256, "x", 1, dg);
	tc_rsa_priv_prime(&sk, prime, sizeof prime);
	TIME_OPS("rsa2048 key from stored prime", 50, tc_rsa_priv_from_prime(&sk2, &pk, prime, 128));
	static tc_rsa_cache_entry cache[2];
	static const uint8_t tag[32] = { 1 };
	tc_rsa_keygen_cached(cache, 2, tag, tc_drbg_prng(&d), 2048, 0, &sk2, &pk);
	TIME_OPS("rsa2048 keygen, prime-cache hit", 50,
	         tc_rsa_keygen_cached(cache, 2, tag, tc_drbg_prng(&d), 2048, 0, &sk2, &pk));
	tc_rsa_keygen(tc_drbg_prng(&d), 2048, 0, &sk, &pk);
	TIME_OPS("rsa2048 sign rsassa-sha256", 50,
	         tc_rsa_sign(&sk, TC_ALG_RSASSA, TC_ALG_SHA256, dg, 32, NULL, sig, 256, &sl));
	TIME_OPS("rsa2048 sign rsapss-sha256", 50,
	         tc_rsa_sign(&sk, TC_ALG_RSAPSS, TC_ALG_SHA256, dg, 32, tc_drbg_prng(&d), sig, 256, &sl));
	TIME_OPS("rsa2048 verify rsassa-sha256", 500,
	         tc_rsa_verify(&pk, TC_ALG_RSASSA, TC_ALG_SHA256, dg, 32, sig, 256));
	TIME_OPS("rsa2048 oaep encrypt", 500, tc_rsa_encrypt(&pk, TC_ALG_OAEP, TC_ALG_SHA256, "SECRET", 7,
	         dg, 32, tc_drbg_prng(&d), ct, sizeof ct, &cl));
	TIME_OPS("rsa2048 oaep decrypt", 50, tc_rsa_decrypt(&sk, TC_ALG_OAEP, TC_ALG_SHA256, "SECRET",
	         7, ct, 256, pt, sizeof pt, &pl));
	static const uint16_t curves[] = { TC_ECC_NIST_P256, TC_ECC_NIST_P384 };
	for (unsigned c = 0; c < 2; c++) {
		tc_ecc_priv ek;
		tc_ecc_point q, z;
		uint8_t r[66], s[66];
		char label[64];
		const char *name = c ? "p384" : "p256";
		snprintf(label, sizeof label, "%s keygen (DRBG)", name);
		TIME_OPS(label, 100, tc_ecc_keygen(curves[c], tc_drbg_prng(&d), &ek, &q));
		snprintf(label, sizeof label, "%s ecdsa sign (RFC 6979)", name);
		TIME_OPS(label, 100, tc_ecdsa_sign(&ek, TC_ALG_SHA256, dg, 32, NULL, r, s));
		snprintf(label, sizeof label, "%s ecdsa verify", name);
		TIME_OPS(label, 100, tc_ecdsa_verify(&q, dg, 32, r, tc_ecc_size(curves[c]), s,
		         tc_ecc_size(curves[c])));
		snprintf(label, sizeof label, "%s ecdh", name);
		TIME_OPS(label, 100, tc_ecdh(&ek, &q, &z));
	}
	uint8_t key[32] = { 1 }, iv[16] = { 2 }, buf[1024];
	uint8_t out[1024];
	TIME_OPS("kdfa sha256 256 bits", 2000, tc_kdfa(TC_ALG_SHA256, key, 32, "STORAGE", 8, dg, 32, dg,
	         32, 256, out));
	TIME_OPS("hmac sha256 1 KiB", 2000, tc_hmac(TC_ALG_SHA256, key, 32, buf, 1024, out));
	TIME_OPS("sha256 1 KiB", 2000, tc_hash(TC_ALG_SHA256, buf, 1024, out));
	TIME_OPS("aes128-cfb 1 KiB", 2000, tc_aes_crypt(TC_ALG_CFB, true, key, 16, iv, buf, buf, 1024));
}

int main(int argc, char **argv)
{
	unsigned keys = argc > 1 ? (unsigned)atoi(argv[1]) : 100;
	if (keys < 1 || keys > 256)
		keys = 100;
	printf("(CPU time of this process; the machine may be shared)\n");
	keygen_bench(2048, keys);
	bearssl_keygen_bench(keys / 2 ? keys / 2 : 1);
	keygen_bench(3072, keys / 4 ? keys / 4 : 1);
	ops_bench();
	return 0;
}
