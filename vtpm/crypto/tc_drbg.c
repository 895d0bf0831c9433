/* HMAC_DRBG (SP 800-90A §10.1.2) as a BearSSL PRNG, and the TPM's entropy-fed main RNG. */
#include "tcrypto.h"
#include <string.h>

/* SP 800-90A limits one request to 2^19 bits; larger requests are split. */
#define DRBG_MAX_REQUEST 65536u

/* HMAC_DRBG_Update with provided_data = a || b (either may be empty). */
static void drbg_update(tc_drbg *d, const void *a, size_t a_len, const void *b, size_t b_len)
{
	size_t hl = tc_hash_size(d->alg);
	tc_hmac_ctx h;
	for (uint8_t round = 0; round < 2; round++) {
		tc_hmac_init(&h, d->alg, d->K, hl);
		tc_hmac_update(&h, d->V, hl);
		tc_hmac_update(&h, &round, 1);
		tc_hmac_update(&h, a, a_len);
		tc_hmac_update(&h, b, b_len);
		tc_hmac_final(&h, d->K);
		tc_hmac(d->alg, d->K, hl, d->V, hl, d->V);
		if (a_len + b_len == 0)
			break;
	}
	tc_zeroize(&h, sizeof h);
}

static void drbg_generate_chunk(tc_drbg *d, uint8_t *out, size_t len)
{
	size_t hl = tc_hash_size(d->alg);
	while (len) {
		tc_hmac(d->alg, d->K, hl, d->V, hl, d->V);
		size_t take = len < hl ? len : hl;
		memcpy(out, d->V, take);
		out += take;
		len -= take;
	}
	drbg_update(d, NULL, 0, NULL, 0);
	d->reseed_counter++;
}

void tc_drbg_generate(tc_drbg *d, void *out, size_t len)
{
	uint8_t *p = out;
	while (len) {
		size_t take = len < DRBG_MAX_REQUEST ? len : DRBG_MAX_REQUEST;
		drbg_generate_chunk(d, p, take);
		p += take;
		len -= take;
	}
}

void tc_drbg_reseed(tc_drbg *d, const void *data, size_t len)
{
	drbg_update(d, data, len, NULL, 0);
	d->reseed_counter = 1;
}

/* ---- br_prng_class glue ---- */

static uint16_t alg_of_class(const br_hash_class *hc)
{
	static const uint16_t algs[] = { TC_ALG_SHA256, TC_ALG_SHA384, TC_ALG_SHA512, TC_ALG_SHA1 };
	for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
		if (tc_hash_class(algs[i]) == hc)
			return algs[i];
	return TC_ALG_SHA256;
}

static void drbg_vt_init(const br_prng_class **ctx, const void *params, const void *seed,
                         size_t seed_len)
{
	tc_drbg_init((tc_drbg *)(void *)ctx, alg_of_class(params), seed, seed_len, NULL, 0);
}

static void drbg_vt_generate(const br_prng_class **ctx, void *out, size_t len)
{
	tc_drbg_generate((tc_drbg *)(void *)ctx, out, len);
}

static void drbg_vt_update(const br_prng_class **ctx, const void *seed, size_t seed_len)
{
	tc_drbg_reseed((tc_drbg *)(void *)ctx, seed, seed_len);
}

static const br_prng_class tc_drbg_vtable = {
	sizeof(tc_drbg), drbg_vt_init, drbg_vt_generate, drbg_vt_update
};

int tc_drbg_init(tc_drbg *d, uint16_t hash_alg, const void *seed, size_t seed_len,
                 const void *pers, size_t pers_len)
{
	size_t hl = tc_hash_size(hash_alg);
	if (!hl)
		return TC_ERR_ALG;
	d->vtable = &tc_drbg_vtable;
	d->alg = hash_alg;
	memset(d->K, 0x00, sizeof d->K);
	memset(d->V, 0x01, sizeof d->V);
	drbg_update(d, seed, seed_len, pers, pers_len);
	d->reseed_counter = 1;
	return TC_OK;
}

/* ---- the TPM's main RNG ---- */

#define RNG_SEED_BYTES 48u   /* 384 bits: entropy + nonce for a 256-bit security strength */

static void rng_vt_init(const br_prng_class **ctx, const void *params, const void *seed,
                        size_t seed_len)
{
	/* A tc_rng is set up with tc_rng_init (it needs the entropy callback); BearSSL never
	 * calls init on a PRNG it is handed, so this only mixes the seed in. */
	(void)params;
	tc_rng_stir((tc_rng *)(void *)ctx, seed, seed_len);
}

static void rng_vt_generate(const br_prng_class **ctx, void *out, size_t len)
{
	tc_rng_generate((tc_rng *)(void *)ctx, out, len);
}

static void rng_vt_update(const br_prng_class **ctx, const void *seed, size_t seed_len)
{
	tc_rng_stir((tc_rng *)(void *)ctx, seed, seed_len);
}

static const br_prng_class tc_rng_vtable = {
	sizeof(tc_rng), rng_vt_init, rng_vt_generate, rng_vt_update
};

void tc_rng_init(tc_rng *r, void (*entropy)(void *ctx, uint8_t *buf, size_t len), void *ctx)
{
	static const char pers[] = "Anchor vTPM main RNG";
	uint8_t seed[RNG_SEED_BYTES];
	r->vtable = &tc_rng_vtable;
	r->entropy = entropy;
	r->entropy_ctx = ctx;
	r->calls_since_reseed = 0;
	entropy(ctx, seed, sizeof seed);
	tc_drbg_init(&r->drbg, TC_ALG_SHA256, seed, sizeof seed, pers, sizeof pers - 1);
	tc_zeroize(seed, sizeof seed);
}

void tc_rng_reseed(tc_rng *r)
{
	uint8_t seed[RNG_SEED_BYTES];
	r->entropy(r->entropy_ctx, seed, sizeof seed);
	tc_drbg_reseed(&r->drbg, seed, sizeof seed);
	r->calls_since_reseed = 0;
	tc_zeroize(seed, sizeof seed);
}

void tc_rng_generate(tc_rng *r, void *out, size_t len)
{
	if (++r->calls_since_reseed > TC_RNG_RESEED_INTERVAL)
		tc_rng_reseed(r);
	tc_drbg_generate(&r->drbg, out, len);
}

void tc_rng_stir(tc_rng *r, const void *data, size_t len)
{
	if (len)
		tc_drbg_reseed(&r->drbg, data, len);
}
