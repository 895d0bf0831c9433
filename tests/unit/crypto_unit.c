/* Unit tests of vtpm/crypto (native).  Known answers come from crypto_vectors.h, generated at
 * build time by tests/unit/crypto_vectors.py from Python's hashlib/hmac, reference
 * implementations written from the specifications, and the openssl command line. */
#include "tcrypto.h"
#include "tc_primes.h"
#include "tc_mont.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

struct hash_kat { uint16_t alg; const char *msg; size_t len; const char *digest; };
struct hmac_kat { uint16_t alg; const char *key; size_t klen; const char *msg; size_t mlen;
                  const char *mac; };
struct kdf_kat { uint16_t alg; const char *key; size_t klen; const char *label; size_t llen;
                 const char *cu; size_t ulen; const char *cv; size_t vlen; uint32_t bits;
                 const char *out; };
struct aes_kat { uint16_t mode; const char *key; size_t klen; const char *iv; const char *pt;
                 const char *ct; size_t len; };
#include "crypto_vectors.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void checkf(int cond, const char *why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void checkf(int cond, const char *why, const char *fmt, ...)
{
	char name[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	check(cond, name, "%s", why);
}

static const char *alg_name(uint16_t alg)
{
	switch (alg) {
	case TC_ALG_SHA1: return "sha1";
	case TC_ALG_SHA256: return "sha256";
	case TC_ALG_SHA384: return "sha384";
	case TC_ALG_SHA512: return "sha512";
	case TC_ALG_CFB: return "cfb";
	case TC_ALG_CBC: return "cbc";
	case TC_ALG_CTR: return "ctr";
	case TC_ALG_OFB: return "ofb";
	case TC_ALG_ECB: return "ecb";
	default: return "?";
	}
}

/* ---- utilities ---- */
static void test_util(void)
{
	uint8_t a[40], b[40];
	memset(a, 7, sizeof a);
	memcpy(b, a, sizeof b);
	check(tc_ct_equal(a, b, sizeof a) == 1, "util: ct_equal equal", "");
	b[39] ^= 0x80;
	check(tc_ct_equal(a, b, sizeof a) == 0, "util: ct_equal last byte differs", "");
	b[39] ^= 0x80;
	b[0] ^= 1;
	check(tc_ct_equal(a, b, sizeof a) == 0, "util: ct_equal first byte differs", "");
	check(tc_ct_equal(a, b, 0) == 1, "util: ct_equal empty", "");
	tc_zeroize(a, sizeof a);
	int zero = 1;
	for (size_t i = 0; i < sizeof a; i++)
		zero &= a[i] == 0;
	check(zero, "util: zeroize", "");
	/* The sieve table: every entry an odd prime, increasing. */
	int primes_ok = tc_small_primes[0] == 3;
	for (unsigned i = 0; i < TC_SMALL_PRIMES; i++) {
		uint32_t p = tc_small_primes[i];
		for (uint32_t d = 2; d * d <= p; d++)
			primes_ok &= p % d != 0;
		if (i)
			primes_ok &= p > tc_small_primes[i - 1];
	}
	check(primes_ok, "util: small-prime table is the odd primes in order", "");
}

/* ---- hashes, HMAC ---- */
static void test_hash(void)
{
	for (size_t i = 0; i < N(hash_kats); i++) {
		const struct hash_kat *k = &hash_kats[i];
		uint8_t out[64];
		size_t n = tc_hash(k->alg, k->msg, k->len, out);
		checkf(n == tc_hash_size(k->alg) && !memcmp(out, k->digest, n), "digest mismatch",
		       "hash: %s one-shot %zu bytes", alg_name(k->alg), k->len);
		/* incremental in odd chunks, with a save/load round trip in the middle */
		tc_hash_ctx c, c2;
		tc_hash_init(&c, k->alg);
		size_t half = k->len / 3;
		tc_hash_update(&c, k->msg, half);
		uint8_t blob[TC_HASH_STATE_MAX];
		size_t bl = tc_hash_save(&c, blob, sizeof blob);
		int rc = tc_hash_load(&c2, blob, bl);
		for (size_t off = half; off < k->len; off += 7)
			tc_hash_update(&c2, k->msg + off, k->len - off < 7 ? k->len - off : 7);
		tc_hash_final(&c2, out);
		checkf(bl > 0 && rc == TC_OK && !memcmp(out, k->digest, n), "digest mismatch",
		       "hash: %s incremental + save/load %zu bytes", alg_name(k->alg), k->len);
	}
	check(tc_hash_size(TC_ALG_SHA256) == 32 && tc_hash_size(TC_ALG_SHA512) == 64 &&
	      tc_hash_size(TC_ALG_SHA1) == 20 && tc_hash_size(TC_ALG_SHA384) == 48,
	      "hash: sizes", "");
	uint8_t out[64];
	tc_hash_ctx c;
	check(tc_hash_size(TC_ALG_AES) == 0 && tc_hash(0x0012, "x", 1, out) == 0 &&
	      tc_hash_init(&c, TC_ALG_NULL) == TC_ERR_ALG, "hash: unsupported alg rejected", "");
	uint8_t blob[TC_HASH_STATE_MAX];
	tc_hash_init(&c, TC_ALG_SHA256);
	tc_hash_update(&c, "abcdef", 6);
	size_t bl = tc_hash_save(&c, blob, sizeof blob);
	check(tc_hash_load(&c, blob, bl - 1) == TC_ERR_SIZE && tc_hash_load(&c, blob, 5) ==
	      TC_ERR_SIZE && tc_hash_save(&c, blob, bl - 1) == 0, "hash: truncated state blob rejected", "");
	blob[1] = 0x99;
	check(tc_hash_load(&c, blob, bl) == TC_ERR_ALG, "hash: state blob with bad alg rejected", "");
}

/* One message through a hash class, fed in chunks of `step` bytes (0: all at once). */
static void hash_with(const br_hash_class *hc, const uint8_t *msg, size_t len, size_t step,
                      uint8_t out[32])
{
	br_sha256_context c;
	hc->init(&c.vtable);
	for (size_t off = 0; off < len; off += step ? step : len)
		hc->update(&c.vtable, msg + off, step && len - off > step ? step : len - off);
	hc->out(&c.vtable, out);
}

/* The SHA-NI SHA-256 against the portable one: every length around the block and padding
 * boundaries, odd chunkings, long inputs, FIPS 180-4 vectors, and contexts moved between the
 * two mid-message (hash sequences saved on one machine continue on another). */
static void test_hash_accel(void)
{
	const br_hash_class *ni = tc_sha256_accel_class();
	static uint8_t msg[70000];
	uint8_t a[32], b[32];
	int same = 1;
	if (!ni) {
		printf("skip - hash: SHA-NI SHA-256 (not in this build or not on this CPU)\n");
		return;
	}
	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)(i * 167u + (i >> 8) * 13u + 1u);
	check(ni->desc == br_sha256_vtable.desc && ni->context_size == br_sha256_vtable.context_size,
	      "hash: SHA-NI class describes SHA-256 as BearSSL does", "");
	check(tc_hash_class(TC_ALG_SHA256) == ni, "hash: tc_hash_class picks SHA-NI when present", "");
	for (size_t len = 0; len <= 300 && same; len++) {
		hash_with(&br_sha256_vtable, msg, len, 0, a);
		hash_with(ni, msg, len, 0, b);
		same = !memcmp(a, b, 32);
	}
	check(same, "hash: SHA-NI = portable for every length 0..300", "");
	same = 1;
	static const size_t steps[] = { 1, 3, 55, 63, 64, 65, 127, 1000 };
	static const size_t lens[] = { 1024, 4095, 4096, 65537, sizeof msg };
	for (size_t i = 0; i < N(lens); i++)
		for (size_t j = 0; j < N(steps); j++) {
			hash_with(&br_sha256_vtable, msg, lens[i], 0, a);
			hash_with(ni, msg, lens[i], steps[j], b);
			same &= !memcmp(a, b, 32);
		}
	check(same, "hash: SHA-NI = portable for long inputs in odd chunks", "");
	{
		static const uint8_t abc[32] = {   /* FIPS 180-4 example: SHA-256("abc") */
			0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
			0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
			0xf2, 0x00, 0x15, 0xad };
		static const uint8_t two_blocks[32] = {   /* "abcdbcdecdefdefg...nopq" (56 bytes) */
			0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26, 0x93, 0x0c, 0x3e,
			0x60, 0x39, 0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff, 0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4,
			0x19, 0xdb, 0x06, 0xc1 };
		const char *m2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
		hash_with(ni, (const uint8_t *)"abc", 3, 0, a);
		hash_with(ni, (const uint8_t *)m2, strlen(m2), 0, b);
		check(!memcmp(a, abc, 32) && !memcmp(b, two_blocks, 32),
		      "hash: SHA-NI FIPS 180-4 vectors", "");
	}
	same = 1;
	for (size_t cut = 0; cut < 200; cut += 13) {
		const br_hash_class *from[2] = { &br_sha256_vtable, ni }, *to[2] = { ni, &br_sha256_vtable };
		for (int k = 0; k < 2; k++) {
			br_sha256_context c1, c2;
			uint8_t st[32];
			from[k]->init(&c1.vtable);
			from[k]->update(&c1.vtable, msg, cut);
			uint64_t count = from[k]->state(&c1.vtable, st);
			to[k]->init(&c2.vtable);
			to[k]->set_state(&c2.vtable, st, count - count % 64);
			to[k]->update(&c2.vtable, msg + (count - count % 64), 777 - (count - count % 64));
			to[k]->out(&c2.vtable, a);
			hash_with(&br_sha256_vtable, msg, 777, 0, b);
			same &= !memcmp(a, b, 32);
		}
	}
	check(same, "hash: contexts move between SHA-NI and portable (state/set_state)", "");
}

/* AES-NI against the portable ct64 code: every mode, key size and a range of lengths (partial
 * final blocks included), both directions, same output and same ivOut. */
static void test_aes_accel(void)
{
	struct tc_aes_classes ni;
	static const uint16_t modes[] = { TC_ALG_CFB, TC_ALG_CBC, TC_ALG_CTR, TC_ALG_OFB, TC_ALG_ECB };
	uint8_t key[32], in[300], o1[300], o2[300], iv1[16], iv2[16];
	int same = 1, cases = 0;
	if (!tc_aes_accel(&ni)) {
		printf("skip - aes: AES-NI (not in this build or not on this CPU)\n");
		return;
	}
	for (size_t i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)(i * 29u + 3u);
	for (size_t i = 0; i < sizeof in; i++)
		in[i] = (uint8_t)(i * 71u + 5u);
	for (size_t m = 0; m < N(modes); m++)
		for (size_t kl = 16; kl <= 32; kl += 8)
			for (size_t len = 0; len <= sizeof in; len += (len < 48 ? 1 : 37))
				for (int enc = 0; enc < 2; enc++) {
					memset(iv1, 0xA5, 16);
					memset(iv2, 0xA5, 16);
					int r1 = tc_aes_crypt_with(&tc_aes_portable, modes[m], enc, key, kl, iv1,
					                           in, o1, len);
					int r2 = tc_aes_crypt_with(&ni, modes[m], enc, key, kl, iv2, in, o2, len);
					same &= r1 == r2 && (r1 != TC_OK || (!memcmp(o1, o2, len) &&
					                                     !memcmp(iv1, iv2, 16)));
					cases++;
				}
	checkf(same, "AES-NI and ct64 differ", "aes: AES-NI = portable in every mode/key/length (%d cases)",
	       cases);
	{   /* FIPS 197 C.1: AES-128 encryption of 00112233..ff under 000102..0f */
		static const uint8_t pt[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		                                0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
		static const uint8_t ct[16] = { 0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
		                                0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a };
		uint8_t k[16], out[16];
		for (int i = 0; i < 16; i++)
			k[i] = (uint8_t)i;
		int r = tc_aes_crypt_with(&ni, TC_ALG_ECB, true, k, 16, NULL, pt, out, 16);
		check(r == TC_OK && !memcmp(out, ct, 16), "aes: AES-NI FIPS 197 vector", "");
	}
}

static void test_hmac(void)
{
	for (size_t i = 0; i < N(hmac_kats); i++) {
		const struct hmac_kat *k = &hmac_kats[i];
		uint8_t out[64];
		size_t n = tc_hmac(k->alg, k->key, k->klen, k->msg, k->mlen, out);
		checkf(n == tc_hash_size(k->alg) && !memcmp(out, k->mac, n), "mac mismatch",
		       "hmac: %s key %zu bytes", alg_name(k->alg), k->klen);
		tc_hmac_ctx c, c2;
		tc_hmac_init(&c, k->alg, k->key, k->klen);
		tc_hmac_update(&c, k->msg, 10);
		uint8_t blob[TC_HMAC_STATE_MAX];
		size_t bl = tc_hmac_save(&c, blob, sizeof blob);
		int rc = tc_hmac_load(&c2, blob, bl);
		tc_hmac_update(&c2, k->msg + 10, k->mlen - 10);
		tc_hmac_final(&c2, out);
		checkf(bl && rc == TC_OK && !memcmp(out, k->mac, n), "mac mismatch",
		       "hmac: %s key %zu incremental + save/load", alg_name(k->alg), k->klen);
	}
}

/* ---- KDFs ---- */
static void test_kdf(void)
{
	static uint8_t out[1024];
	for (size_t i = 0; i < N(kdfa_kats); i++) {
		const struct kdf_kat *k = &kdfa_kats[i];
		memset(out, 0xAA, sizeof out);
		int rc = tc_kdfa(k->alg, k->key, k->klen, k->label, k->llen, k->cu, k->ulen, k->cv,
		                 k->vlen, k->bits, out);
		size_t n = (k->bits + 7) / 8;
		checkf(rc == TC_OK && !memcmp(out, k->out, n) && out[n] == 0xAA, "output mismatch",
		       "kdfa: %s label %zu bits %u", alg_name(k->alg), k->llen, k->bits);
	}
	for (size_t i = 0; i < N(kdfe_kats); i++) {
		const struct kdf_kat *k = &kdfe_kats[i];
		memset(out, 0xAA, sizeof out);
		int rc = tc_kdfe(k->alg, k->key, k->klen, k->label, k->llen, k->cu, k->ulen, k->cv,
		                 k->vlen, k->bits, out);
		size_t n = (k->bits + 7) / 8;
		checkf(rc == TC_OK && !memcmp(out, k->out, n) && out[n] == 0xAA, "output mismatch",
		       "kdfe: %s label %zu bits %u", alg_name(k->alg), k->llen, k->bits);
	}
	/* The label NUL rule: "STORAGE" (7) and "STORAGE\0" (8) give the same key. */
	uint8_t a[32], b[32];
	tc_kdfa(TC_ALG_SHA256, "k", 1, "STORAGE", 7, NULL, 0, NULL, 0, 256, a);
	tc_kdfa(TC_ALG_SHA256, "k", 1, "STORAGE", 8, NULL, 0, NULL, 0, 256, b);
	check(!memcmp(a, b, 32), "kdfa: label NUL appended when missing", "");
	check(tc_kdfa(TC_ALG_SHA256, "k", 1, "X", 1, NULL, 0, NULL, 0, 0, a) == TC_ERR_SIZE &&
	      tc_kdfa(TC_ALG_SHA256, "k", 1, "X", 1, NULL, 0, NULL, 0, TC_KDF_MAX_BITS + 1, a) ==
	      TC_ERR_SIZE && tc_kdfa(TC_ALG_AES, "k", 1, "X", 1, NULL, 0, NULL, 0, 8, a) ==
	      TC_ERR_ALG && tc_kdfe(TC_ALG_SHA256, "z", 1, "X", 1, NULL, 0, NULL, 0, 0, a) ==
	      TC_ERR_SIZE, "kdf: bad bits / hash rejected", "");
	uint8_t mask[100];
	tc_mgf1(TC_ALG_SHA256, mgf1_seed, mgf1_seed_len, mask, sizeof mask);
	check(!memcmp(mask, mgf1_sha256_100, 100), "mgf1: sha256 100 bytes", "");
	/* XOR obfuscation = data ^ KDFa(..."XOR"...), and is an involution. */
	uint8_t data[77], orig[77], ks[77];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = orig[i] = (uint8_t)i;
	tc_xor_obfuscate(TC_ALG_SHA256, "key", 3, "nonceA", 6, "nonceB", 6, data, sizeof data);
	tc_kdfa(TC_ALG_SHA256, "key", 3, "XOR", 3, "nonceA", 6, "nonceB", 6, 77 * 8, ks);
	int okx = 1;
	for (size_t i = 0; i < sizeof data; i++)
		okx &= data[i] == (orig[i] ^ ks[i]);
	tc_xor_obfuscate(TC_ALG_SHA256, "key", 3, "nonceA", 6, "nonceB", 6, data, sizeof data);
	check(okx && !memcmp(data, orig, sizeof data), "xor: mask is KDFa(XOR), applied twice restores", "");
}

/* ---- DRBG, RNG ---- */
static void drbg_case(uint16_t alg, const char *name, const uint8_t *expect)
{
	tc_drbg d;
	uint8_t out[70 + 33 + 64];
	tc_drbg_init(&d, alg, drbg_seed, drbg_seed_len, drbg_pers, drbg_pers_len);
	tc_drbg_generate(&d, out, 70);
	/* the second request goes through the br_prng_class interface */
	const br_prng_class **p = tc_drbg_prng(&d);
	(*p)->generate(p, out + 70, 33);
	(*p)->update(p, drbg_extra, drbg_extra_len);
	tc_drbg_generate(&d, out + 103, 64);
	checkf(!memcmp(out, expect, sizeof out), "output mismatch",
	       "drbg: HMAC_DRBG %s instantiate/generate/reseed", name);
}

static void fake_entropy(void *ctx, uint8_t *buf, size_t len)
{
	unsigned *counter = ctx;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(*counter * 7 + i);
	(*counter)++;
}

static void test_drbg(void)
{
	drbg_case(TC_ALG_SHA256, "sha256", drbg_sha256_out);
	drbg_case(TC_ALG_SHA384, "sha384", drbg_sha384_out);
	drbg_case(TC_ALG_SHA1, "sha1", drbg_sha1_out);
	tc_drbg d;
	check(tc_drbg_init(&d, TC_ALG_AES, "x", 1, NULL, 0) == TC_ERR_ALG, "drbg: bad hash rejected", "");

	unsigned calls = 0;
	tc_rng r;
	tc_rng_init(&r, fake_entropy, &calls);
	uint8_t a[32], b[32];
	tc_rng_generate(&r, a, 32);
	tc_rng_generate(&r, b, 32);
	check(calls == 1 && memcmp(a, b, 32) != 0, "rng: seeded once, successive outputs differ", "");
	for (unsigned i = 0; i < TC_RNG_RESEED_INTERVAL; i++)
		tc_rng_generate(&r, a, 1);
	check(calls == 2, "rng: reseeds from entropy after the interval", "");
	tc_rng r1, r2;
	unsigned c1 = 5, c2 = 5;
	tc_rng_init(&r1, fake_entropy, &c1);
	tc_rng_init(&r2, fake_entropy, &c2);
	tc_rng_stir(&r2, "stir", 4);
	tc_rng_generate(&r1, a, 32);
	tc_rng_generate(&r2, b, 32);
	check(memcmp(a, b, 32) != 0, "rng: StirRandom changes the stream", "");
}

/* ---- AES ---- */
static void test_aes(void)
{
	for (size_t i = 0; i < N(aes_kats); i++) {
		const struct aes_kat *k = &aes_kats[i];
		uint8_t iv[16], buf[64], buf2[64];
		memcpy(iv, k->iv, 16);
		int rc = tc_aes_crypt(k->mode, true, (const uint8_t *)k->key, k->klen, iv,
		                      (const uint8_t *)k->pt, buf, k->len);
		checkf(rc == TC_OK && !memcmp(buf, k->ct, k->len), "ciphertext mismatch",
		       "aes%zu-%s encrypt %zu bytes", k->klen * 8, alg_name(k->mode), k->len);
		/* decrypt in place */
		memcpy(iv, k->iv, 16);
		memcpy(buf2, k->ct, k->len);
		rc = tc_aes_crypt(k->mode, false, (const uint8_t *)k->key, k->klen, iv, buf2, buf2,
		                  k->len);
		checkf(rc == TC_OK && !memcmp(buf2, k->pt, k->len), "plaintext mismatch",
		       "aes%zu-%s decrypt in place %zu bytes", k->klen * 8, alg_name(k->mode), k->len);
		/* chaining: two calls with the returned IV give the one-shot result */
		if (k->len == 64) {
			memcpy(iv, k->iv, 16);
			tc_aes_crypt(k->mode, true, (const uint8_t *)k->key, k->klen, iv,
			             (const uint8_t *)k->pt, buf, 32);
			tc_aes_crypt(k->mode, true, (const uint8_t *)k->key, k->klen, iv,
			             (const uint8_t *)k->pt + 32, buf + 32, 32);
			checkf(!memcmp(buf, k->ct, 64), "chained result differs",
			       "aes%zu-%s ivOut continues the stream", k->klen * 8, alg_name(k->mode));
		}
	}
	/* CFB partial block: ivOut is the partial ciphertext padded with zeros (reference TPM). */
	uint8_t key[16] = { 1 }, iv[16] = { 2 }, pt[20] = { 3 }, ct[20];
	tc_aes_crypt(TC_ALG_CFB, true, key, 16, iv, pt, ct, 20);
	int ivok = !memcmp(iv, ct + 16, 4);
	for (int i = 4; i < 16; i++)
		ivok &= iv[i] == 0;
	check(ivok, "aes-cfb: ivOut after a partial block", "");
	uint8_t b[32];
	check(tc_aes_crypt(TC_ALG_CBC, true, key, 16, iv, b, b, 15) == TC_ERR_SIZE &&
	      tc_aes_crypt(TC_ALG_ECB, false, key, 16, NULL, b, b, 17) == TC_ERR_SIZE,
	      "aes: CBC/ECB need whole blocks", "");
	check(tc_aes_crypt(TC_ALG_CFB, true, key, 15, iv, b, b, 16) == TC_ERR_SIZE &&
	      tc_aes_crypt(TC_ALG_CFB, true, key, 0, iv, b, b, 16) == TC_ERR_SIZE,
	      "aes: bad key length rejected", "");
	check(tc_aes_crypt(TC_ALG_XOR, true, key, 16, iv, b, b, 16) == TC_ERR_ALG,
	      "aes: unknown mode rejected", "");
	/* CTR counter carries across the whole 128-bit IV */
	uint8_t civ[16];
	memset(civ, 0xFF, 16);
	tc_aes_crypt(TC_ALG_CTR, true, key, 16, civ, b, b, 32);
	int carry_ok = civ[15] == 1;
	for (int i = 0; i < 15; i++)
		carry_ok &= civ[i] == 0;
	check(carry_ok, "aes-ctr: 128-bit counter wraps", "");
}

/* ---- RSA ---- */
static tc_rsa_priv rsk, rsk2;
static tc_rsa_pub rpk, rpk2;

static void test_rsa_import(void)
{
	int rc = tc_rsa_priv_from_pq(&rsk, &rpk, rsa_p, rsa_p_len, rsa_q, rsa_q_len, 0);
	check(rc == TC_OK && rpk.n_len == rsa_n_len && !memcmp(rpk.n, rsa_n, rsa_n_len) &&
	      rpk.bits == 2048 && rpk.e == 65537, "rsa: key from (p, q) gives openssl's n", "");
	rc = tc_rsa_priv_from_prime(&rsk2, &rpk, rsa_q, rsa_q_len);
	check(rc == TC_OK && !memcmp(rsk2.p, rsk.p, rsk.p_len) && !memcmp(rsk2.dq, rsk.dq, rsk.dq_len)
	      && !memcmp(rsk2.iq, rsk.iq, rsk.iq_len), "rsa: key from (n, e, one prime) = from (p, q)", "");
	uint8_t prime[256];
	size_t pl = tc_rsa_priv_prime(&rsk, prime, sizeof prime);
	rc = tc_rsa_priv_from_prime(&rsk2, &rpk, prime, pl);
	check(pl == 128 && rc == TC_OK && !memcmp(rsk2.q, rsk.q, rsk.q_len),
	      "rsa: stored prime round trip", "");
	uint8_t bad[128];
	memcpy(bad, rsa_p, 128);
	bad[100] ^= 4;
	check(tc_rsa_priv_from_prime(&rsk2, &rpk, bad, 128) == TC_ERR_KEY,
	      "rsa: a prime that does not divide n is rejected", "");
	bad[127] &= 0xFE;
	check(tc_rsa_priv_from_prime(&rsk2, &rpk, bad, 128) == TC_ERR_KEY,
	      "rsa: an even prime is rejected", "");
	/* d: x^(e d) = x, and raw private op = x^d mod n (compare with openssl's d via pub op) */
	uint8_t x[256], y[256];
	for (int i = 0; i < 256; i++)
		x[i] = (uint8_t)(i * 3 + 1);
	x[0] = 0x12;
	memcpy(y, x, 256);
	rc = tc_rsa_private_raw(&rsk, y, 256);
	int rc2 = tc_rsa_public_raw(&rpk, y, 256);
	check(rc == TC_OK && rc2 == TC_OK && !memcmp(x, y, 256), "rsa: raw private then public = identity", "");
	memcpy(y, rpk.n, 256);
	check(tc_rsa_public_raw(&rpk, y, 256) == TC_ERR_VALUE && tc_rsa_private_raw(&rsk, y, 256) ==
	      TC_ERR_VALUE && tc_rsa_public_raw(&rpk, y, 255) == TC_ERR_SIZE,
	      "rsa: raw input >= n or of the wrong size rejected", "");
	tc_rsa_pub t;
	uint8_t even[256];
	memcpy(even, rsa_n, 256);
	even[255] &= 0xFE;
	check(tc_rsa_pub_set(&t, even, 256, 0) == TC_ERR_VALUE && tc_rsa_pub_set(&t, rsa_n, 40, 0) ==
	      TC_ERR_SIZE && tc_rsa_pub_set(&t, rsa_n, 256, 4) == TC_ERR_VALUE,
	      "rsa: bad public keys rejected", "");
}

static void test_rsa_sign(void)
{
	uint8_t sig[512];
	size_t sl = 0;
	int rc = tc_rsa_sign(&rsk, TC_ALG_RSASSA, TC_ALG_SHA256, rsa_digest, 32, NULL, sig,
	                     sizeof sig, &sl);
	check(rc == TC_OK && sl == 256 && !memcmp(sig, rsa_sig_pkcs1, 256),
	      "rsassa: signature equals openssl's (deterministic)", "");
	check(tc_rsa_verify(&rpk, TC_ALG_RSASSA, TC_ALG_SHA256, rsa_digest, 32, rsa_sig_pkcs1, 256)
	      == TC_OK, "rsassa: openssl signature verifies", "");
	uint8_t badsig[256];
	memcpy(badsig, rsa_sig_pkcs1, 256);
	badsig[10] ^= 1;
	uint8_t baddg[32];
	memcpy(baddg, rsa_digest, 32);
	baddg[31] ^= 1;
	check(tc_rsa_verify(&rpk, TC_ALG_RSASSA, TC_ALG_SHA256, rsa_digest, 32, badsig, 256) ==
	      TC_ERR_SIGNATURE && tc_rsa_verify(&rpk, TC_ALG_RSASSA, TC_ALG_SHA256, baddg, 32,
	      rsa_sig_pkcs1, 256) == TC_ERR_SIGNATURE && tc_rsa_verify(&rpk, TC_ALG_RSASSA,
	      TC_ALG_SHA256, rsa_digest, 32, rsa_sig_pkcs1, 255) == TC_ERR_SIGNATURE &&
	      tc_rsa_verify(&rpk, TC_ALG_RSASSA, TC_ALG_SHA384, rsa_digest, 32, rsa_sig_pkcs1, 256)
	      == TC_ERR_SIZE, "rsassa: bad signature / digest / size rejected", "");
	check(tc_rsa_verify(&rpk, TC_ALG_RSAPSS, TC_ALG_SHA256, rsa_digest, 32, rsa_sig_pss, 256) ==
	      TC_OK && tc_rsa_verify(&rpk, TC_ALG_RSAPSS, TC_ALG_SHA256, rsa_digest, 32,
	      rsa_sig_pss_salt0, 256) == TC_OK, "rsapss: openssl signatures (salt 32 and 0) verify", "");
	memcpy(badsig, rsa_sig_pss, 256);
	badsig[200] ^= 0x40;
	check(tc_rsa_verify(&rpk, TC_ALG_RSAPSS, TC_ALG_SHA256, rsa_digest, 32, badsig, 256) ==
	      TC_ERR_SIGNATURE && tc_rsa_verify(&rpk, TC_ALG_RSAPSS, TC_ALG_SHA256, baddg, 32,
	      rsa_sig_pss, 256) == TC_ERR_SIGNATURE, "rsapss: bad signature rejected", "");
	tc_drbg d;
	tc_drbg_init(&d, TC_ALG_SHA256, "pss", 3, NULL, 0);
	rc = tc_rsa_sign(&rsk, TC_ALG_RSAPSS, TC_ALG_SHA256, rsa_digest, 32, tc_drbg_prng(&d), sig,
	                 sizeof sig, &sl);
	check(rc == TC_OK && sl == 256 && tc_rsa_verify(&rpk, TC_ALG_RSAPSS, TC_ALG_SHA256,
	      rsa_digest, 32, sig, 256) == TC_OK, "rsapss: sign then verify", "");
	/* each hash, both schemes */
	static const uint16_t hs[] = { TC_ALG_SHA1, TC_ALG_SHA384, TC_ALG_SHA512 };
	for (size_t i = 0; i < N(hs); i++) {
		uint8_t dg[64];
		size_t hl = tc_hash(hs[i], "m", 1, dg);
		int ok = 1;
		for (uint16_t sch = TC_ALG_RSASSA; sch <= TC_ALG_RSAPSS; sch += 2) {
			ok &= tc_rsa_sign(&rsk, sch, hs[i], dg, hl, tc_drbg_prng(&d), sig, sizeof sig,
			                  &sl) == TC_OK;
			ok &= tc_rsa_verify(&rpk, sch, hs[i], dg, hl, sig, sl) == TC_OK;
		}
		checkf(ok, "sign/verify failed", "rsa: rsassa+rsapss with %s", alg_name(hs[i]));
	}
	check(tc_rsa_sign(&rsk, TC_ALG_RSASSA, TC_ALG_SHA256, rsa_digest, 31, NULL, sig, sizeof sig,
	      &sl) == TC_ERR_SIZE && tc_rsa_sign(&rsk, TC_ALG_RSASSA, TC_ALG_SHA256, rsa_digest, 32,
	      NULL, sig, 255, &sl) == TC_ERR_SIZE && tc_rsa_sign(&rsk, TC_ALG_ECDSA, TC_ALG_SHA256,
	      rsa_digest, 32, NULL, sig, sizeof sig, &sl) == TC_ERR_ALG,
	      "rsa: sign with wrong digest size / small buffer / bad scheme rejected", "");
}

static void test_rsa_encrypt(void)
{
	uint8_t out[512];
	size_t ol = 0;
	int rc = tc_rsa_decrypt(&rsk, TC_ALG_OAEP, TC_ALG_SHA256, rsa_oaep_label, rsa_oaep_label_len,
	                        rsa_ct_oaep, 256, out, sizeof out, &ol);
	check(rc == TC_OK && ol == rsa_secret_len && !memcmp(out, rsa_secret, ol),
	      "oaep: decrypts openssl ciphertext with label SECRET\\0", "");
	rc = tc_rsa_decrypt(&rsk, TC_ALG_OAEP, TC_ALG_SHA256, "SECRET", 6, rsa_ct_oaep, 256, out,
	                    sizeof out, &ol);
	check(rc == TC_ERR_DECRYPT, "oaep: wrong label rejected", "");
	uint8_t bad[256];
	memcpy(bad, rsa_ct_oaep, 256);
	bad[5] ^= 1;
	rc = tc_rsa_decrypt(&rsk, TC_ALG_OAEP, TC_ALG_SHA256, rsa_oaep_label, rsa_oaep_label_len,
	                    bad, 256, out, sizeof out, &ol);
	check(rc == TC_ERR_DECRYPT, "oaep: corrupted ciphertext rejected", "");
	rc = tc_rsa_decrypt(&rsk, TC_ALG_RSAES, 0, NULL, 0, rsa_ct_pkcs1, 256, out, sizeof out, &ol);
	check(rc == TC_OK && ol == rsa_secret_len && !memcmp(out, rsa_secret, ol),
	      "rsaes: decrypts openssl PKCS#1 v1.5 ciphertext", "");
	rc = tc_rsa_decrypt(&rsk, TC_ALG_RSAES, 0, NULL, 0, rsa_ct_oaep, 256, out, sizeof out, &ol);
	check(rc == TC_ERR_DECRYPT, "rsaes: OAEP block is not valid v1.5 padding", "");
	rc = tc_rsa_decrypt(&rsk, TC_ALG_NULL, 0, NULL, 0, rsa_ct_raw, 256, out, sizeof out, &ol);
	check(rc == TC_OK && ol == 256 && !memcmp(out + 256 - rsa_secret_len, rsa_secret,
	      rsa_secret_len), "rsa raw: decrypts textbook ciphertext, output n bytes", "");
	tc_drbg d;
	tc_drbg_init(&d, TC_ALG_SHA256, "enc", 3, NULL, 0);
	static const uint16_t schemes[] = { TC_ALG_OAEP, TC_ALG_RSAES, TC_ALG_NULL };
	for (size_t i = 0; i < N(schemes); i++) {
		uint8_t ct[256];
		size_t cl = 0;
		rc = tc_rsa_encrypt(&rpk, schemes[i], TC_ALG_SHA1, "IDENTITY", 9, rsa_secret,
		                    rsa_secret_len, tc_drbg_prng(&d), ct, sizeof ct, &cl);
		int rc2 = tc_rsa_decrypt(&rsk, schemes[i], TC_ALG_SHA1, "IDENTITY", 9, ct, cl, out,
		                         sizeof out, &ol);
		size_t off = schemes[i] == TC_ALG_NULL ? 256 - rsa_secret_len : 0;
		checkf(rc == TC_OK && cl == 256 && rc2 == TC_OK && !memcmp(out + off, rsa_secret,
		       rsa_secret_len), "round trip failed", "rsa: encrypt/decrypt round trip scheme 0x%04x",
		       schemes[i]);
	}
	uint8_t big[300] = { 0 };
	uint8_t ct[256];
	size_t cl;
	check(tc_rsa_encrypt(&rpk, TC_ALG_OAEP, TC_ALG_SHA256, NULL, 0, big, 256 - 2 * 32 - 1,
	      tc_drbg_prng(&d), ct, sizeof ct, &cl) == TC_ERR_SIZE && tc_rsa_encrypt(&rpk,
	      TC_ALG_RSAES, 0, NULL, 0, big, 246, tc_drbg_prng(&d), ct, sizeof ct, &cl) ==
	      TC_ERR_SIZE && tc_rsa_encrypt(&rpk, TC_ALG_NULL, 0, NULL, 0, big, 257, NULL, ct,
	      sizeof ct, &cl) == TC_ERR_SIZE, "rsa: messages too long rejected", "");
	check(tc_rsa_encrypt(&rpk, TC_ALG_NULL, 0, NULL, 0, rpk.n, 256, NULL, ct, sizeof ct, &cl) ==
	      TC_ERR_VALUE && tc_rsa_decrypt(&rsk, TC_ALG_OAEP, TC_ALG_SHA256, NULL, 0, rsa_ct_oaep,
	      255, out, sizeof out, &ol) == TC_ERR_SIZE && tc_rsa_decrypt(&rsk, TC_ALG_OAEP,
	      TC_ALG_SHA256, rsa_oaep_label, rsa_oaep_label_len, rsa_ct_oaep, 256, out, 5, &ol) ==
	      TC_ERR_SIZE, "rsa: raw m >= n, short ciphertext, small output rejected", "");
}

/* Reference arithmetic for the large-exponent checks, in 64 bits (no shortcut shared with
 * tc_rsa_keygen.c): (x - 1) mod e for a big-endian x, and Euclid. */
static uint64_t minus_one_mod(const uint8_t *x, size_t len, uint64_t e)
{
	uint64_t r = 0;
	for (size_t i = 0; i < len; i++)
		r = (r * 256 + x[i]) % e;
	return (r + e - 1) % e;
}

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static void test_rsa_keygen(void)
{
	tc_drbg d;
	tc_drbg_init(&d, TC_ALG_SHA256, "vEK seed", 8, "RSA", 3);
	int rc = tc_rsa_keygen(tc_drbg_prng(&d), 2048, 0, &rsk, &rpk);
	tc_drbg_init(&d, TC_ALG_SHA256, "vEK seed", 8, "RSA", 3);
	int rc2 = tc_rsa_keygen(tc_drbg_prng(&d), 2048, 0, &rsk2, &rpk2);
	check(rc == TC_OK && rc2 == TC_OK && rpk.bits == 2048 && rpk.n_len == 256 &&
	      !memcmp(rpk.n, rpk2.n, 256) && !memcmp(rsk.p, rsk2.p, rsk.p_len),
	      "rsa keygen: same DRBG seed, same 2048-bit key", "");
	/* Pinned: the key this seed gives must never change (vEK stability across builds and
	 * platforms).  SHA-256 of n. */
	uint8_t h[32];
	tc_hash(TC_ALG_SHA256, rpk.n, 256, h);
	static const uint8_t pinned[32] = {
		0x0a, 0xe0, 0x2e, 0x0b, 0x4d, 0xc3, 0x77, 0xa0, 0x62, 0xa4, 0x20, 0x4f,
		0x8d, 0x8c, 0x8b, 0x1b, 0x16, 0x60, 0x00, 0xf4, 0x39, 0x77, 0xed, 0x54,
		0x65, 0xd5, 0xf6, 0x45, 0x0e, 0x8c, 0x24, 0x7f
	};
	check(!memcmp(h, pinned, 32), "rsa keygen: pinned key for a fixed seed", "");
	check(!memcmp(rpk.n, keygen_2048_n, 256) && rsk.p_len == 128 &&
	      !memcmp(rsk.p, keygen_2048_p, 128),
	      "rsa keygen: equals the independent Python implementation of the documented search", "");
	uint8_t prime[128];
	tc_rsa_priv_prime(&rsk, prime, sizeof prime);
	check(tc_rsa_priv_from_prime(&rsk2, &rpk, prime, 128) == TC_OK &&
	      !memcmp(rsk2.iq, rsk.iq, rsk.iq_len), "rsa keygen: key consistent (n = p q, CRT)", "");
	uint8_t dg[32], sig[256];
	size_t sl;
	tc_hash(TC_ALG_SHA256, "x", 1, dg);
	check(tc_rsa_sign(&rsk, TC_ALG_RSASSA, TC_ALG_SHA256, dg, 32, NULL, sig, 256, &sl) == TC_OK &&
	      tc_rsa_verify(&rpk, TC_ALG_RSASSA, TC_ALG_SHA256, dg, 32, sig, 256) == TC_OK,
	      "rsa keygen: generated key signs and verifies", "");
	/* the prime cache: a miss generates (same key), a hit rebuilds without the rng */
	static tc_rsa_cache_entry cache[2];
	uint8_t tag[32], tag2[32];
	tc_hash(TC_ALG_SHA256, "vEK seed" "RSA", 11, tag);
	tc_hash(TC_ALG_SHA256, "other", 5, tag2);
	tc_drbg_init(&d, TC_ALG_SHA256, "vEK seed", 8, "RSA", 3);
	rc = tc_rsa_keygen_cached(cache, 2, tag, tc_drbg_prng(&d), 2048, 0, &rsk2, &rpk2);
	int miss_ok = rc == TC_OK && !memcmp(rpk2.n, rpk.n, 256) && cache[0].last_use == 1;
	tc_drbg_init(&d, TC_ALG_SHA256, "unused", 6, NULL, 0);
	uint8_t before[16], after[16];
	tc_drbg dcopy = d;
	rc = tc_rsa_keygen_cached(cache, 2, tag, tc_drbg_prng(&d), 2048, 0, &rsk2, &rpk2);
	tc_drbg_generate(&d, after, 16);
	tc_drbg_generate(&dcopy, before, 16);
	check(miss_ok && rc == TC_OK && !memcmp(rpk2.n, rpk.n, 256) && !memcmp(rsk2.iq, rsk.iq,
	      rsk.iq_len) && !memcmp(before, after, 16) && cache[0].last_use == 2,
	      "rsa keygen cache: miss generates, hit rebuilds the same key without the rng", "");
	tc_drbg_init(&d, TC_ALG_SHA256, "other", 5, NULL, 0);
	rc = tc_rsa_keygen_cached(cache, 2, tag2, tc_drbg_prng(&d), 1024, 0, &rsk2, &rpk2);
	int second = rc == TC_OK && cache[1].last_use == 3 && cache[1].bits == 1024;
	rc = tc_rsa_keygen_cached(cache, 2, tag2, tc_drbg_prng(&d), 2048, 0, &rsk2, &rpk2);
	check(second && rc == TC_OK && rpk2.bits == 2048 && cache[0].bits == 2048 &&
	      cache[0].last_use == 4 && memcmp(cache[0].tag, tag2, 32) == 0,
	      "rsa keygen cache: other size is a miss, least recently used entry replaced", "");
	tc_rsa_cache_clear(cache, 2);
	check(cache[0].last_use == 0 && cache[1].last_use == 0 && cache[0].p[127] == 0,
	      "rsa keygen cache: clear wipes the entries", "");
	tc_drbg_init(&d, TC_ALG_SHA256, "vEK seed", 8, "RSB", 3);
	rc = tc_rsa_keygen(tc_drbg_prng(&d), 2048, 0, &rsk2, &rpk2);
	check(rc == TC_OK && memcmp(rpk.n, rpk2.n, 256) != 0, "rsa keygen: other seed, other key", "");
	tc_drbg_init(&d, TC_ALG_SHA256, "e3", 2, NULL, 0);
	rc = tc_rsa_keygen(tc_drbg_prng(&d), 1024, 3, &rsk2, &rpk2);
	check(rc == TC_OK && rpk2.e == 3 && rpk2.bits == 1024, "rsa keygen: 1024 bits, e = 3", "");
	/* Public exponents above 2^31 (issue 8 item 5: (r + e - 1) overflowed 32 bits in the
	 * coprimality test, so primes with gcd(p - 1, e) > 1 were taken and the key could not be
	 * built): every keygen succeeds, gcd(p - 1, e) = gcd(q - 1, e) = 1 computed here by
	 * Euclid, and x^(e*d) = x.  crypto_openssl checks such keys with openssl too. */
	{
		static const uint32_t big_e[] = { 0xFFFFFFFFu, 0x80000001u, 0xFFFFFFFBu, 0x8000000Bu };
		int made = 0, coprime = 0, roundtrip = 0, tries = 0;
		for (unsigned i = 0; i < sizeof big_e / sizeof big_e[0]; i++)
			for (unsigned s = 0; s < 3; s++) {
				uint8_t x[128], y[128];
				uint32_t seed[2] = { big_e[i], s };
				tries++;
				tc_drbg_init(&d, TC_ALG_SHA256, "big e", 5, seed, sizeof seed);
				if (tc_rsa_keygen(tc_drbg_prng(&d), 1024, big_e[i], &rsk2, &rpk2) != TC_OK)
					continue;
				made += rpk2.e == big_e[i];
				coprime += gcd_u64(minus_one_mod(rsk2.p, rsk2.p_len, big_e[i]), big_e[i]) == 1 &&
				           gcd_u64(minus_one_mod(rsk2.q, rsk2.q_len, big_e[i]), big_e[i]) == 1;
				memset(x, 0, sizeof x);
				x[1] = (uint8_t)(0x42 + s);
				x[100] = (uint8_t)i;
				memcpy(y, x, sizeof y);
				roundtrip += tc_rsa_public_raw(&rpk2, y, 128) == TC_OK &&
				             tc_rsa_private_raw(&rsk2, y, 128) == TC_OK && !memcmp(x, y, 128);
			}
		check(made == tries, "rsa keygen: 12 keys with e > 2^31 (2^32-1, 2^31+1, primes) all made", "");
		check(coprime == tries, "rsa keygen: e > 2^31: gcd(p-1, e) = gcd(q-1, e) = 1", "");
		check(roundtrip == tries, "rsa keygen: e > 2^31: x^(e d) = x mod n", "");
	}
	check(tc_rsa_keygen(tc_drbg_prng(&d), 2047, 0, &rsk2, NULL) == TC_ERR_SIZE &&
	      tc_rsa_keygen(tc_drbg_prng(&d), 512, 0, &rsk2, NULL) == TC_ERR_SIZE &&
	      tc_rsa_keygen(tc_drbg_prng(&d), 2048, 4, &rsk2, NULL) == TC_ERR_VALUE,
	      "rsa keygen: bad size / exponent rejected", "");
}

/* The Montgomery code behind the primality test: Euler's criterion 2^((p-1)/2) = +-1 holds for
 * the primes of openssl's keys (8, 16, 24 limbs via the generated 1024-bit key's primes are
 * covered by keygen) and fails for their products (32 limbs). */
static int euler_pm1(const uint8_t *x, size_t len, int random_base)
{
	tc_mont mt;
	uint8_t half[512];
	if (!tc_mont_init(&mt, x, len))
		return -1;
	unsigned carry = 0;
	for (size_t i = 0; i < len; i++) {
		half[i] = (uint8_t)(x[i] >> 1 | carry);
		carry = (x[i] & 1) << 7;
	}
	uint64_t base[TC_MONT_MAX_LIMBS];
	uint8_t b[512];
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 7 + 3);
	b[0] = 0x01;
	tc_mont_decode(base, mt.n, b, len);
	return tc_mont_pow_is_pm1(&mt, base, !random_base, half, len);
}

static void test_mont(void)
{
	check(euler_pm1(rsa_p, rsa_p_len, 0) == 1 && euler_pm1(rsa_q, rsa_q_len, 1) == 1,
	      "mont: Euler criterion holds for openssl's 1024-bit primes (16 limbs)", "");
	check(euler_pm1(rsa3072_p, rsa3072_p_len, 0) == 1 && euler_pm1(rsa3072_q, rsa3072_q_len, 1)
	      == 1, "mont: Euler criterion holds for openssl's 1536-bit primes (24 limbs)", "");
	check(euler_pm1(rsa_n, rsa_n_len, 0) == 0 && euler_pm1(rsa_n, rsa_n_len, 1) == 0,
	      "mont: fails for the 2048-bit composite n (32 limbs)", "");
	uint8_t odd[2] = { 0x80, 0x01 }, prime[2] = { 0x80, 0x03 };   /* 32769 = 3^2 * 3641; 32771 prime */
	check(euler_pm1(odd, 2, 0) == 0 && euler_pm1(prime, 2, 0) == 1 && euler_pm1(rsa_p, 0, 0) == -1,
	      "mont: small composite (generic size) / empty modulus", "");
	tc_rsa_priv k;
	tc_rsa_pub pk;
	uint8_t sig[384];
	size_t sl;
	int rc = tc_rsa_priv_from_pq(&k, &pk, rsa3072_p, rsa3072_p_len, rsa3072_q, rsa3072_q_len, 0);
	rc |= tc_rsa_sign(&k, TC_ALG_RSASSA, TC_ALG_SHA256, rsa_digest, 32, NULL, sig, sizeof sig, &sl);
	check(rc == TC_OK && pk.bits == 3072 && !memcmp(pk.n, rsa3072_n, 384) && sl == 384 &&
	      !memcmp(sig, rsa3072_sig_pkcs1, 384), "rsa3072: key from (p, q), signature equals openssl's", "");
	static tc_rsa_priv k4, k4b;
	static tc_rsa_pub pk4;
	static uint8_t sig4[512];
	rc = tc_rsa_priv_from_pq(&k4, &pk4, rsa4096_p, rsa4096_p_len, rsa4096_q, rsa4096_q_len, 0);
	rc |= tc_rsa_priv_from_prime(&k4b, &pk4, rsa4096_q, rsa4096_q_len);
	rc |= tc_rsa_sign(&k4b, TC_ALG_RSASSA, TC_ALG_SHA256, rsa_digest, 32, NULL, sig4, sizeof sig4,
	                  &sl);
	check(rc == TC_OK && pk4.bits == 4096 && !memcmp(pk4.n, rsa4096_n, 512) && sl == 512 &&
	      !memcmp(sig4, rsa4096_sig_pkcs1, 512),
	      "rsa4096: key from (p, q) and from one prime, signature equals openssl's", "");
	tc_drbg d;
	tc_drbg_init(&d, TC_ALG_SHA256, "3072", 4, NULL, 0);
	rc = tc_rsa_keygen(tc_drbg_prng(&d), 3072, 0, &rsk2, &rpk2);
	check(rc == TC_OK && rpk2.bits == 3072 && tc_rsa_sign(&rsk2, TC_ALG_RSAPSS, TC_ALG_SHA256,
	      rsa_digest, 32, tc_drbg_prng(&d), sig, sizeof sig, &sl) == TC_OK && tc_rsa_verify(&rpk2,
	      TC_ALG_RSAPSS, TC_ALG_SHA256, rsa_digest, 32, sig, sl) == TC_OK,
	      "rsa3072 keygen: key signs and verifies", "");
}

/* ---- ECC ---- */
struct ecc_case {
	uint16_t curve;
	const char *name;
	const uint8_t *d, *qx, *qy, *pd, *pqx, *pqy, *ecdh_x, *digest, *r, *s;
	size_t size, r_len, s_len;
};

static void test_ecc_curve(const struct ecc_case *c)
{
	const tc_ecc_params *pr = tc_ecc_get_params(c->curve);
	tc_ecc_point g;
	checkf(pr && pr->size == c->size && tc_ecc_point_set(&g, c->curve, pr->gx, pr->size, pr->gy,
	       pr->size) == TC_OK, "generator not on curve", "ecc %s: parameters, G on curve", c->name);
	tc_ecc_priv sk, psk;
	tc_ecc_point q, pq, z;
	int rc = tc_ecc_priv_set(&sk, c->curve, c->d, c->size);
	rc |= tc_ecc_pub_from_priv(&sk, &q);
	checkf(rc == TC_OK && !memcmp(q.x, c->qx, c->size) && !memcmp(q.y, c->qy, c->size),
	       "public key differs", "ecc %s: public key from openssl private key", c->name);
	tc_ecc_priv_set(&psk, c->curve, c->pd, c->size);
	rc = tc_ecc_point_set(&pq, c->curve, c->pqx, c->size, c->pqy, c->size);
	rc |= tc_ecdh(&sk, &pq, &z);
	checkf(rc == TC_OK && !memcmp(z.x, c->ecdh_x, c->size), "shared x differs",
	       "ecc %s: ECDH shared x equals openssl derive", c->name);
	tc_ecc_point z2;
	rc = tc_ecdh(&psk, &q, &z2);
	checkf(rc == TC_OK && !memcmp(z.x, z2.x, c->size) && !memcmp(z.y, z2.y, c->size),
	       "points differ", "ecc %s: ECDH both sides give the same point (x and y)", c->name);
	checkf(tc_ecdsa_verify(&q, c->digest, 32, c->r, c->r_len, c->s, c->s_len) == TC_OK,
	       "rejected", "ecc %s: openssl ECDSA signature verifies", c->name);
	uint8_t r[66], s[66], r2[66], s2[66];
	rc = tc_ecdsa_sign(&sk, TC_ALG_SHA256, c->digest, 32, NULL, r, s);
	tc_ecdsa_sign(&sk, TC_ALG_SHA256, c->digest, 32, NULL, r2, s2);
	checkf(rc == TC_OK && tc_ecdsa_verify(&q, c->digest, 32, r, c->size, s, c->size) == TC_OK &&
	       !memcmp(r, r2, c->size) && !memcmp(s, s2, c->size), "sign/verify failed",
	       "ecc %s: ECDSA sign (deterministic nonce) then verify", c->name);
	tc_drbg nd;
	tc_drbg_init(&nd, TC_ALG_SHA256, "nonce", 5, NULL, 0);
	uint8_t r3[66], s3[66], r4[66], s4[66];
	rc = tc_ecdsa_sign(&sk, TC_ALG_SHA256, c->digest, 32, tc_drbg_prng(&nd), r3, s3);
	rc |= tc_ecdsa_sign(&sk, TC_ALG_SHA256, c->digest, 32, tc_drbg_prng(&nd), r4, s4);
	checkf(rc == TC_OK && tc_ecdsa_verify(&q, c->digest, 32, r3, c->size, s3, c->size) == TC_OK
	       && tc_ecdsa_verify(&q, c->digest, 32, r4, c->size, s4, c->size) == TC_OK &&
	       memcmp(r3, r4, c->size) != 0, "sign/verify failed",
	       "ecc %s: ECDSA sign (DRBG nonce) then verify, fresh nonce each time", c->name);
	uint8_t d384[48];
	tc_hash(TC_ALG_SHA384, "long digest", 11, d384);
	rc = tc_ecdsa_sign(&sk, TC_ALG_SHA384, d384, 48, NULL, r3, s3);
	rc |= tc_ecdsa_sign(&sk, TC_ALG_SHA384, d384, 48, tc_drbg_prng(&nd), r4, s4);
	checkf(rc == TC_OK && tc_ecdsa_verify(&q, d384, 48, r3, c->size, s3, c->size) == TC_OK &&
	       tc_ecdsa_verify(&q, d384, 48, r4, c->size, s4, c->size) == TC_OK &&
	       tc_ecdsa_sign(&sk, TC_ALG_SHA384, d384, 32, NULL, r3, s3) == TC_ERR_SIZE,
	       "sign/verify failed", "ecc %s: ECDSA with SHA-384 digests (both nonce modes)", c->name);
	uint8_t bd[32];
	memcpy(bd, c->digest, 32);
	bd[0] ^= 1;
	s[3] ^= 1;
	checkf(tc_ecdsa_verify(&q, bd, 32, r, c->size, s2, c->size) == TC_ERR_SIGNATURE &&
	       tc_ecdsa_verify(&q, c->digest, 32, r, c->size, s, c->size) == TC_ERR_SIGNATURE &&
	       tc_ecdsa_verify(&pq, c->digest, 32, r2, c->size, s2, c->size) == TC_ERR_SIGNATURE,
	       "accepted", "ecc %s: bad digest / signature / key rejected", c->name);
	/* not on the curve */
	tc_ecc_point bad = q;
	bad.y[c->size - 1] ^= 1;
	uint8_t yy[66];
	memcpy(yy, q.y, c->size);
	yy[c->size - 1] ^= 1;
	checkf(tc_ecc_point_validate(&bad) == TC_ERR_POINT && tc_ecdh(&sk, &bad, &z) == TC_ERR_POINT
	       && tc_ecc_point_set(&z, c->curve, q.x, c->size, yy, c->size) == TC_ERR_POINT &&
	       tc_ecdsa_verify(&bad, c->digest, 32, r2, c->size, s2, c->size) == TC_ERR_POINT,
	       "accepted", "ecc %s: point not on the curve rejected", c->name);
	/* coordinates >= p, scalar 0 and n */
	memset(bad.x, 0xFF, c->size);
	uint8_t zero[66] = { 0 }, lz[67] = { 0 };
	memcpy(lz + 1, q.x, c->size);
	checkf(tc_ecc_point_validate(&bad) == TC_ERR_POINT && tc_ecc_priv_set(&psk, c->curve, zero,
	       c->size) == TC_ERR_VALUE && tc_ecc_priv_set(&psk, c->curve, pr->n, pr->size) ==
	       TC_ERR_VALUE && tc_ecc_point_set(&z, c->curve, lz, c->size + 1, q.y, c->size) ==
	       TC_OK, "", "ecc %s: out-of-range coordinate / scalar rejected, leading zero ok", c->name);
	/* deterministic key generation */
	tc_drbg d;
	tc_ecc_priv k1, k2;
	tc_ecc_point p1, p2;
	tc_drbg_init(&d, TC_ALG_SHA256, "ecc seed", 8, NULL, 0);
	rc = tc_ecc_keygen(c->curve, tc_drbg_prng(&d), &k1, &p1);
	tc_drbg_init(&d, TC_ALG_SHA256, "ecc seed", 8, NULL, 0);
	rc |= tc_ecc_keygen(c->curve, tc_drbg_prng(&d), &k2, &p2);
	uint8_t first[66];
	tc_drbg_init(&d, TC_ALG_SHA256, "ecc seed", 8, NULL, 0);
	tc_drbg_generate(&d, first, c->size);
	checkf(rc == TC_OK && !memcmp(k1.d, k2.d, c->size) && !memcmp(p1.x, p2.x, c->size) &&
	       !memcmp(k1.d, first, c->size) && tc_ecc_point_validate(&p1) == TC_OK,
	       "keys differ", "ecc %s: keygen deterministic (first draw in range is d)", c->name);
}

static void test_ecc(void)
{
	const struct ecc_case cases[] = {
		{ TC_ECC_NIST_P256, "p256", p256_d, p256_qx, p256_qy, p256_peer_d, p256_peer_qx,
		  p256_peer_qy, p256_ecdh_x, p256_digest, p256_sig_r, p256_sig_s, 32, p256_sig_r_len,
		  p256_sig_s_len },
		{ TC_ECC_NIST_P384, "p384", p384_d, p384_qx, p384_qy, p384_peer_d, p384_peer_qx,
		  p384_peer_qy, p384_ecdh_x, p384_digest, p384_sig_r, p384_sig_s, 48, p384_sig_r_len,
		  p384_sig_s_len },
	};
	for (size_t i = 0; i < N(cases); i++)
		test_ecc_curve(&cases[i]);
	tc_ecc_point p;
	check(tc_ecc_get_params(0x0010) == NULL && tc_ecc_point_set(&p, 0x0020, NULL, 0, NULL, 0) ==
	      TC_ERR_ALG, "ecc: unknown curve rejected", "");
	tc_drbg d;
	tc_ecc_priv k;
	tc_drbg_init(&d, TC_ALG_SHA256, "521", 3, NULL, 0);
	check(tc_ecc_keygen(TC_ECC_NIST_P521, tc_drbg_prng(&d), &k, &p) == TC_OK &&
	      tc_ecc_point_validate(&p) == TC_OK && k.d[0] <= 1, "ecc p521: keygen gives a valid point", "");
}

/* Garbage in: random lengths and bytes into every parser-like entry point.  Each call must
 * return a defined code and never write past its output (canary after the buffers). */
static int defined_rc(int rc)
{
	return rc <= TC_OK && rc >= TC_ERR_FAIL;
}

static void test_garbage(void)
{
	tc_drbg g;
	tc_drbg_init(&g, TC_ALG_SHA256, "garbage", 7, NULL, 0);
	int ok = 1;
	struct { uint8_t buf[600]; uint8_t canary[16]; } o;
	uint8_t in[600];
	for (int it = 0; it < 400; it++) {
		uint16_t sel[4];
		tc_drbg_generate(&g, sel, sizeof sel);
		tc_drbg_generate(&g, in, sizeof in);
		memset(o.canary, 0x5A, sizeof o.canary);
		size_t len = (it & 1) ? 256 : sel[0] % 600, ol = 0;   /* half at the modulus size */
		uint16_t alg = (uint16_t)(sel[1] % 0x50);
		int rc;
		rc = tc_rsa_decrypt(&rsk, (uint16_t)(sel[2] % 0x20), alg, in, sel[3] % 16, in, len,
		                    o.buf, sel[3] % 600, &ol);
		ok &= defined_rc(rc) && (rc != TC_OK || ol <= sel[3] % 600);
		rc = tc_rsa_verify(&rpk, (uint16_t)(sel[2] % 0x20), alg, in, sel[3] % 70, in + 100, len);
		ok &= defined_rc(rc) && rc != TC_OK;
		tc_ecc_point pt;
		rc = tc_ecc_point_set(&pt, (uint16_t)(sel[2] % 8), in, sel[0] % 80, in + 80, sel[3] % 80);
		ok &= defined_rc(rc) && rc != TC_OK;
		rc = tc_ecdsa_verify(&pt, in, sel[1] % 80, in + 200, sel[2] % 80, in + 300, sel[3] % 80);
		ok &= defined_rc(rc);
		tc_hash_ctx h;
		tc_hmac_ctx m;
		in[0] = 0;
		in[1] = (uint8_t)(sel[1] % 16);
		ok &= defined_rc(tc_hash_load(&h, in, len)) && defined_rc(tc_hmac_load(&m, in, len));
		uint8_t iv[16];
		memcpy(iv, in, 16);
		rc = tc_aes_crypt((uint16_t)(0x40 + sel[2] % 6), sel[3] & 1, in, sel[1] % 40, iv, in,
		                  o.buf, len);
		ok &= defined_rc(rc);
		rc = tc_kdfa(alg, in, len, in, sel[2] % 20, in, sel[3] % 64, NULL, 0,
		             (uint32_t)(sel[1] % 4800), o.buf);
		ok &= defined_rc(rc);
		tc_rsa_pub pk;
		rc = tc_rsa_pub_set(&pk, in, len, sel[2]);
		ok &= defined_rc(rc);
		tc_rsa_priv sk;
		rc = tc_rsa_priv_from_prime(&sk, &rpk, in, sel[2] % 200);
		ok &= defined_rc(rc) && rc != TC_OK;
		for (size_t i = 0; i < sizeof o.canary; i++)
			ok &= o.canary[i] == 0x5A;
	}
	check(ok, "garbage: random inputs to decrypt/verify/point/state/aes/kdf/key parsers", "");
}

int main(void)
{
	test_util();
	test_hash();
	test_hash_accel();
	test_hmac();
	test_kdf();
	test_drbg();
	test_aes();
	test_aes_accel();
	test_rsa_import();
	test_rsa_sign();
	test_rsa_encrypt();
	test_rsa_keygen();
	test_mont();
	test_ecc();
	test_garbage();
	return check_exit();
}
