/*
 * Instance life cycle (manufacture, power-on), clock, randomness, proofs.
 */
#include "tpm2_internal.h"

size_t tpm2_instance_size(void) { return sizeof(struct tpm2); }

/* HMAC_DRBG pays two HMACs of state update per request whatever its size: drawing 512 bytes
 * at a time makes a 32-byte GetRandom/nonce about 3x cheaper.  Served bytes are wiped from
 * the pool; StirRandom and power-on empty it (tpm2_random_discard). */
void tpm2_random(struct tpm2 *t, void *out, size_t len)
{
	uint8_t *o = out;
	if (len > sizeof t->rng_pool) {
		tc_rng_generate(&t->drbg.r, out, len);
		return;
	}
	while (len) {
		size_t n;
		uint8_t *src;
		if (t->rng_pool_left == 0) {
			tc_rng_generate(&t->drbg.r, t->rng_pool, sizeof t->rng_pool);
			t->rng_pool_left = sizeof t->rng_pool;
		}
		n = len < t->rng_pool_left ? len : t->rng_pool_left;
		src = t->rng_pool + sizeof t->rng_pool - t->rng_pool_left;
		memcpy(o, src, n);
		tpm2_zeroise(src, n);
		t->rng_pool_left = (uint16_t)(t->rng_pool_left - n);
		o += n;
		len -= n;
	}
}

void tpm2_random_discard(struct tpm2 *t)
{
	tpm2_zeroise(t->rng_pool, sizeof t->rng_pool);
	t->rng_pool_left = 0;
}

/* The RNG holds the platform's entropy callback: (re)bound at manufacture, power-on and
 * state load, since a restored instance may live in another process. */
static void drbg_seed_from_platform(struct tpm2 *t, bool first)
{
	(void)first;
	tc_rng_init(&t->drbg.r, t->plat.entropy, t->plat.ctx);
}

void tpm2_proofs_new(struct tpm2 *t)
{
	tpm2_random(t, t->ph_proof, sizeof t->ph_proof);
	tpm2_random(t, t->sh_proof, sizeof t->sh_proof);
	tpm2_random(t, t->eh_proof, sizeof t->eh_proof);
}

static void hierarchy_reset(struct tpm2_hierarchy_auth *h)
{
	tpm2_zeroise(h, sizeof *h);
	h->policy_alg = TPM_ALG_NULL;
}

void tpm2_manufacture(struct tpm2 *t, const struct tpm2_platform *plat,
                      const struct tpm2_seeds *seeds)
{
	tpm2_zeroise(t, sizeof *t);
	t->plat = *plat;
	memcpy(t->eps, seeds->eps, TPM2_SEED_SIZE);
	memcpy(t->pps, seeds->pps, TPM2_SEED_SIZE);
	memcpy(t->sps, seeds->sps, TPM2_SEED_SIZE);
	drbg_seed_from_platform(t, true);
	tpm2_proofs_new(t);
	hierarchy_reset(&t->owner);
	hierarchy_reset(&t->endorsement);
	hierarchy_reset(&t->platform);
	hierarchy_reset(&t->lockout);
	/* libtpms' defaults: 3 tries, 1000 s recovery, 1000 s lockout-auth recovery */
	t->da.max_tries = 3;
	t->da.recovery_time = 1000;
	t->da.lockout_recovery = 1000;
	t->clock_safe = 1;
	t->orderly = TPM_SU_CLEAR;
	memset(&t->pcr_alloc, 0xFF, sizeof t->pcr_alloc);   /* all four banks, all PCRs */
	t->pcr_alloc_next = t->pcr_alloc;
	/* As the reference TPM is manufactured: SHA-256 command audit, with
	 * SetCommandCodeAuditStatus itself always audited (GetCapability(AUDIT_COMMANDS) then
	 * lists it, as libtpms does). */
	t->audit_alg = TPM_ALG_SHA256;
	{
		const struct tpm2_cmd_desc *d = tpm2_cmd_find(TPM_CC_SetCommandCodeAuditStatus);
		if (d) {
			unsigned idx = (unsigned)(d - tpm2_cmd_table);
			t->audit_cmds[idx / 8] |= (uint8_t)(1u << (idx % 8));
		}
	}
	t->powered = 0;
}

void tpm2_power_on(struct tpm2 *t)
{
	/* _TPM_Init: volatile state is gone; the TPM waits for Startup */
	tpm2_zeroise(t->slots, sizeof t->slots);
	tpm2_sessions_reset(t);
	drbg_seed_from_platform(t, false);
	tpm2_random_discard(t);
	t->started = 0;
	t->self_tested = 0;
	t->drtm_pre_startup = 0;          /* no H-CRTM event in this power cycle yet */
	tpm2_drtm_abort(t);
	t->clock_ref_ms = t->plat.now_ms(t->plat.ctx);
	t->time_ms = 0;
	t->clock_adjust = 0;             /* the platform timer restarts at its nominal rate */
	t->clock_frac = 0;
	tpm2_da_power_on(t);
	t->powered = 1;
}

/* The reference TPM writes Clock to NV every 2^22 ms and only then calls it safe again after
 * a disorderly start (NV_CLOCK_UPDATE_INTERVAL); the same rule here, so TPMS_CLOCK_INFO.safe
 * behaves like libtpms's. */
#define CLOCK_NV_INTERVAL_SHIFT 22

/* The reference platform's clock-rate constants (Clock.c): rates in 1/30000 of nominal. */
#define CLOCK_NOMINAL 30000
#define CLOCK_ADJUST_LIMIT 5000

void tpm2_clock_adjust(struct tpm2 *t, int32_t step)
{
	tpm2_clock_update(t);            /* time so far at the old rate */
	t->clock_adjust += step;
	if (t->clock_adjust > CLOCK_ADJUST_LIMIT)
		t->clock_adjust = CLOCK_ADJUST_LIMIT;
	if (t->clock_adjust < -CLOCK_ADJUST_LIMIT)
		t->clock_adjust = -CLOCK_ADJUST_LIMIT;
}

void tpm2_clock_update(struct tpm2 *t)
{
	uint64_t now = t->plat.now_ms(t->plat.ctx);
	if (now > t->clock_ref_ms) {
		uint64_t before = t->clock, rate = (uint64_t)(CLOCK_NOMINAL + t->clock_adjust);
		uint64_t scaled = (now - t->clock_ref_ms) * CLOCK_NOMINAL + t->clock_frac;
		uint64_t step = scaled / rate;
		t->clock_frac = scaled % rate;
		t->clock += step;
		t->time_ms += step;
		if ((before >> CLOCK_NV_INTERVAL_SHIFT) != (t->clock >> CLOCK_NV_INTERVAL_SHIFT))
			t->clock_safe = 1;
	}
	t->clock_ref_ms = now;
}

const uint8_t *tpm2_hierarchy_proof(struct tpm2 *t, uint32_t hierarchy)
{
	switch (hierarchy) {
	case TPM_RH_PLATFORM: return t->ph_proof;
	case TPM_RH_OWNER: return t->sh_proof;
	case TPM_RH_ENDORSEMENT: return t->eh_proof;
	}
	return t->null_proof;
}

/* digest = HMAC-SHA-256(proof, TPM_ST_HASHCHECK || digest): the same construction as the
 * reference TPM, with the context-integrity hash. */
void tpm2_ticket_hashcheck(struct tpm2 *t, uint32_t hierarchy, uint16_t alg,
                           const uint8_t *digest, size_t len, struct tpmt_tk *tk)
{
	struct tpm2_hmac m;
	uint8_t tag[2];
	(void)alg;
	tk->tag = TPM_ST_HASHCHECK;
	tk->hierarchy = hierarchy;
	tk->digest.size = 0;
	if (hierarchy == TPM_RH_NULL)
		return;
	tpm2_put_u16(tag, TPM_ST_HASHCHECK);
	tpm2_hmac_init(&m, TPM_ALG_SHA256, tpm2_hierarchy_proof(t, hierarchy), TPM2_MAX_DIGEST);
	tpm2_hmac_update(&m, tag, 2);
	tpm2_hmac_update(&m, digest, len);
	tk->digest.size = (uint16_t)tpm2_hmac_final(&m, tk->digest.buf);
}

void tpm2_auth_set(struct tpm2b_digest *dst, const uint8_t *src, uint16_t len)
{
	while (len && src[len - 1] == 0)
		len--;
	tpm2_zeroise(dst, sizeof *dst);
	memcpy(dst->buf, src, len);
	dst->size = len;
}
