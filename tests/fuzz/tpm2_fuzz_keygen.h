/*
 * Memoised RSA and ECC key generation (and ECC d*G) for the engine's fuzz targets (included
 * once per target, through tpm2_fuzz_common.h; the targets link with -Wl,--wrap= for
 * tc_rsa_keygen, tc_ecc_keygen and tc_ecc_pub_from_priv).
 *
 * Why: every input starts from the same TPM, so CreatePrimary/Create/CreateLoaded of the same
 * templates search for the same primes (and multiply the same ECC base points) again and
 * again.  Under ASan + coverage the RSA prime search alone was ~80 % of tpm2_execute's time
 * (perf, docs/fuzzing.md).  tc_rsa_keygen() and tc_ecc_keygen() are pure functions of their
 * parameters and the rng's state - plus, for the TPM's main RNG, the entropy callback's state,
 * which here is fuzz_rng_state - so their results are remembered under exactly that input
 * (the fields, not raw bytes: struct padding is not state) and replayed bit for bit: the key,
 * the return code, the rng's state afterwards and fuzz_rng_state.  The engine sees precisely
 * what the real call would have produced; only the arithmetic is skipped.
 *
 * What keeps it honest: a miss runs the real function (so fuzzer-chosen sizes, exponents and
 * curves still reach it under the sanitizers); the first hit of every entry and every 1024th
 * hit run it again and abort() if anything differs.  An rng of a kind not listed below (or a
 * tc_rng with another entropy source) always takes the real call, and so does everything
 * with ANCHOR_FUZZ_NO_MEMO=1 in the environment (to compare speeds, or to rule the memo out).
 */
#ifndef ANCHOR_TPM2_FUZZ_KEYGEN_H
#define ANCHOR_TPM2_FUZZ_KEYGEN_H
#include <stdio.h>

int __real_tc_rsa_keygen(const br_prng_class **rng, unsigned bits, uint32_t e, tc_rsa_priv *sk,
                         tc_rsa_pub *pk);
int __wrap_tc_rsa_keygen(const br_prng_class **rng, unsigned bits, uint32_t e, tc_rsa_priv *sk,
                         tc_rsa_pub *pk);
int __real_tc_ecc_pub_from_priv(const tc_ecc_priv *sk, tc_ecc_point *pub);
int __wrap_tc_ecc_pub_from_priv(const tc_ecc_priv *sk, tc_ecc_point *pub);
int __real_tc_ecc_keygen(uint16_t curve, const br_prng_class **rng, tc_ecc_priv *sk,
                         tc_ecc_point *pub);
int __wrap_tc_ecc_keygen(uint16_t curve, const br_prng_class **rng, tc_ecc_priv *sk,
                         tc_ecc_point *pub);

/* Everything tc_rsa_keygen reads, and everything it changes besides sk/pk. */
struct fuzz_keygen_state {
	uint32_t kind;                       /* 1 RSA: bits, e; 2 ECC: bits = curve, e = want pub */
	uint32_t bits, e;
	const br_prng_class *vtable;
	uint8_t K[TC_MAX_DIGEST], V[TC_MAX_DIGEST];
	uint64_t reseed_counter;
	uint16_t alg;
	uint32_t calls_since_reseed;         /* tc_rng only */
	uint64_t entropy_state;              /* tc_rng only: fuzz_rng_state */
};

struct fuzz_keygen_entry {
	struct fuzz_keygen_state in, out;
	int rc, used, hits;
	union {
		struct { tc_rsa_priv sk; tc_rsa_pub pk; } rsa;
		struct { tc_ecc_priv sk; tc_ecc_point pub; } ecc;
	} key;
};

#define FUZZ_KEYGEN_ENTRIES 512u
static struct fuzz_keygen_entry fuzz_keygen_memo[FUZZ_KEYGEN_ENTRIES];
static unsigned long fuzz_keygen_hits, fuzz_keygen_misses;
static int fuzz_keygen_off;              /* ANCHOR_FUZZ_NO_MEMO=1: always the real calls */

static const br_prng_class *fuzz_drbg_vtable(void)
{
	static const br_prng_class *vt;
	if (!vt) {
		tc_drbg d;
		tc_drbg_init(&d, TC_ALG_SHA256, "x", 1, NULL, 0);
		vt = d.vtable;
	}
	return vt;
}

static void fuzz_keygen_noentropy(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0, len);
}

static const br_prng_class *fuzz_rng_vtable(void)
{
	static const br_prng_class *vt;
	if (!vt) {
		tc_rng r;
		tc_rng_init(&r, fuzz_keygen_noentropy, NULL);
		vt = r.vtable;
	}
	return vt;
}

static const tc_drbg *fuzz_keygen_drbg(const br_prng_class **rng)
{
	if (*rng == fuzz_drbg_vtable())
		return (const tc_drbg *)(const void *)rng;
	return &((const tc_rng *)(const void *)rng)->drbg;
}

/* 1 and s filled in if rng is a kind whose whole state s captures. */
static int fuzz_keygen_capture(const br_prng_class **rng, uint32_t kind, unsigned bits,
                               uint32_t e, struct fuzz_keygen_state *s)
{
	const tc_drbg *d;
	memset(s, 0, sizeof *s);
	if (fuzz_keygen_off)
		return 0;
	if (*rng == fuzz_rng_vtable()) {
		const tc_rng *r = (const tc_rng *)(const void *)rng;
		if (r->entropy != fuzz_entropy)
			return 0;
		s->calls_since_reseed = r->calls_since_reseed;
		s->entropy_state = fuzz_rng_state;
	} else if (*rng != fuzz_drbg_vtable()) {
		return 0;
	}
	d = fuzz_keygen_drbg(rng);
	s->kind = kind;
	s->bits = bits;
	s->e = e;
	s->vtable = *rng;
	memcpy(s->K, d->K, sizeof s->K);
	memcpy(s->V, d->V, sizeof s->V);
	s->reseed_counter = d->reseed_counter;
	s->alg = d->alg;
	return 1;
}

static void fuzz_keygen_restore(const br_prng_class **rng, const struct fuzz_keygen_state *s)
{
	tc_drbg *d = (tc_drbg *)fuzz_keygen_drbg(rng);
	memcpy(d->K, s->K, sizeof d->K);
	memcpy(d->V, s->V, sizeof d->V);
	d->reseed_counter = s->reseed_counter;
	d->alg = s->alg;
	if (*rng == fuzz_rng_vtable()) {
		((tc_rng *)(void *)rng)->calls_since_reseed = s->calls_since_reseed;
		fuzz_rng_state = s->entropy_state;
	}
}

static unsigned fuzz_keygen_slot(const struct fuzz_keygen_state *s)
{
	const uint8_t *p = (const uint8_t *)s;
	uint32_t h = 2166136261u;            /* FNV-1a over the (zero-padded) captured state */
	for (size_t i = 0; i < sizeof *s; i++)
		h = (h ^ p[i]) * 16777619u;
	return h % FUZZ_KEYGEN_ENTRIES;
}

/* The real call on zeroed keys; fills e->out/rc/key from what it did. */
static void fuzz_keygen_run(const br_prng_class **rng, const struct fuzz_keygen_state *in,
                            struct fuzz_keygen_entry *e)
{
	memset(&e->key, 0, sizeof e->key);
	if (in->kind == 1)
		e->rc = __real_tc_rsa_keygen(rng, in->bits, in->e, &e->key.rsa.sk, &e->key.rsa.pk);
	else
		e->rc = __real_tc_ecc_keygen((uint16_t)in->bits, rng, &e->key.ecc.sk,
		                             in->e ? &e->key.ecc.pub : NULL);
	fuzz_keygen_capture(rng, in->kind, in->bits, in->e, &e->out);
}

/* The memo entry for `in`, replayed into the rng (and fuzz_rng_state); the caller copies the
 * key out of it. */
static const struct fuzz_keygen_entry *fuzz_keygen(const br_prng_class **rng,
                                                   const struct fuzz_keygen_state *in)
{
	struct fuzz_keygen_entry *m = &fuzz_keygen_memo[fuzz_keygen_slot(in)];
	static struct fuzz_keygen_entry check;

	if (m->used && memcmp(&m->in, in, sizeof *in) == 0) {
		fuzz_keygen_hits++;
		if (m->hits++ == 0 || fuzz_keygen_hits % 1024 == 0) {
			fuzz_keygen_run(rng, in, &check);     /* replay must equal the real thing */
			if (check.rc != m->rc || memcmp(&check.out, &m->out, sizeof check.out) ||
			    memcmp(&check.key, &m->key, sizeof check.key))
				abort();
		}
	} else {
		fuzz_keygen_misses++;
		m->used = 0;
		m->in = *in;
		m->hits = 0;
		fuzz_keygen_run(rng, in, m);
		m->used = 1;
	}
	fuzz_keygen_restore(rng, &m->out);
	return m;
}

int __wrap_tc_rsa_keygen(const br_prng_class **rng, unsigned bits, uint32_t e, tc_rsa_priv *sk,
                         tc_rsa_pub *pk)
{
	struct fuzz_keygen_state in;
	const struct fuzz_keygen_entry *m;
	if (!fuzz_keygen_capture(rng, 1, bits, e, &in))
		return __real_tc_rsa_keygen(rng, bits, e, sk, pk);
	m = fuzz_keygen(rng, &in);
	memcpy(sk, &m->key.rsa.sk, sizeof *sk);
	if (pk)
		memcpy(pk, &m->key.rsa.pk, sizeof *pk);
	return m->rc;
}

int __wrap_tc_ecc_keygen(uint16_t curve, const br_prng_class **rng, tc_ecc_priv *sk,
                         tc_ecc_point *pub)
{
	struct fuzz_keygen_state in;
	const struct fuzz_keygen_entry *m;
	if (!fuzz_keygen_capture(rng, 2, curve, pub != NULL, &in))
		return __real_tc_ecc_keygen(curve, rng, sk, pub);
	m = fuzz_keygen(rng, &in);
	memcpy(sk, &m->key.ecc.sk, sizeof *sk);
	if (pub)
		memcpy(pub, &m->key.ecc.pub, sizeof *pub);
	return m->rc;
}

/* Q = d*G, the same way: a pure function of (curve, d).  State loading checks every ECC
 * object's pair with it, which made it a third of tpm2_state's time. */
struct fuzz_ecc_pub_entry {
	tc_ecc_priv in;                      /* zero-padded copy of the fields */
	tc_ecc_point out;
	int rc, used, hits;
};
static struct fuzz_ecc_pub_entry fuzz_ecc_pub_memo[FUZZ_KEYGEN_ENTRIES];

int __wrap_tc_ecc_pub_from_priv(const tc_ecc_priv *sk, tc_ecc_point *pub)
{
	tc_ecc_priv in;
	tc_ecc_point check;
	struct fuzz_ecc_pub_entry *m;
	uint32_t h = 2166136261u;
	if (fuzz_keygen_off)
		return __real_tc_ecc_pub_from_priv(sk, pub);
	memset(&in, 0, sizeof in);
	in.curve = sk->curve;
	memcpy(in.d, sk->d, sizeof in.d);
	for (size_t i = 0; i < sizeof in.d; i++)
		h = (h ^ in.d[i]) * 16777619u;
	m = &fuzz_ecc_pub_memo[(h ^ in.curve) % FUZZ_KEYGEN_ENTRIES];
	if (m->used && m->in.curve == in.curve && memcmp(m->in.d, in.d, sizeof in.d) == 0) {
		fuzz_keygen_hits++;
		if (m->hits++ == 0 || fuzz_keygen_hits % 1024 == 0) {
			memset(&check, 0, sizeof check);
			if (__real_tc_ecc_pub_from_priv(&in, &check) != m->rc ||
			    memcmp(&check, &m->out, sizeof check))
				abort();
		}
	} else {
		fuzz_keygen_misses++;
		m->in = in;
		m->hits = 0;
		memset(&m->out, 0, sizeof m->out);
		m->rc = __real_tc_ecc_pub_from_priv(&in, &m->out);
		m->used = 1;
	}
	memcpy(pub, &m->out, sizeof *pub);
	return m->rc;
}

static void fuzz_keygen_report(void)
{
	fprintf(stderr, "keygen memo: %lu hits, %lu misses (real RSA/ECC key generations, ECC d*G)\n",
	        fuzz_keygen_hits, fuzz_keygen_misses);
}
#endif
