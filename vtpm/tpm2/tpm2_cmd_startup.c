/*
 * Start-up, shutdown and self test; GetRandom and StirRandom.
 *
 *   Startup(CLEAR) after Shutdown(CLEAR) or no shutdown   TPM Reset
 *   Startup(CLEAR) after Shutdown(STATE)                  TPM Restart
 *   Startup(STATE) after Shutdown(STATE)                  TPM Resume
 *   Startup(STATE) otherwise                              TPM_RC_VALUE
 */
#include "tpm2_internal.h"

static void startup_enables(struct tpm2 *t)
{
	t->ph_enable = t->sh_enable = t->eh_enable = t->ph_enable_nv = 1;
}

static void startup_reset(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	t->reset_count++;
	t->restart_count = 0;
	t->clear_count = 0;
	tpm2_random(t, t->null_proof, sizeof t->null_proof);
	tpm2_random(t, t->null_seed, sizeof t->null_seed);
	tpm2_random(t, t->context_key, sizeof t->context_key);
	tpm2_random(t, t->commit_nonce, sizeof t->commit_nonce);
	t->commit_counter = 0;
	memset(t->commit_array, 0, sizeof t->commit_array);
	t->context_counter = 0;
	t->audit_digest.size = 0;
	tpm2_zeroise(t->slots, sizeof t->slots);
	tpm2_sessions_reset(t);
}

/* Dictionary attack across power cycles (reference DAStartup): pulling the power must not
 * be a way to try passwords for free, so a start after losing power while DA-protected
 * authorizations were in use counts as one failure; with lockoutRecovery 0, lockoutAuth
 * comes back only at a Startup. */
static void da_startup(struct tpm2 *t)
{
	struct tpm2_da *da = &t->da;
	if (da->lockout_recovery == 0)
		da->lockout_auth_blocked = 0;
	if (da->recovery_time != 0 && da->failed_tries < da->max_tries &&
	    t->orderly == TPM2_ORDERLY_DA_USED) {
		da->failed_tries++;
		tpm2_da_heal_restart(t);
	}
}

TPM_RC tpm2_cc_Startup(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	uint16_t type;
	bool resume;
	TPM2_P(1, tpm2_rd_u16(&c->in, &type));
	TPM2_TRY(tpm2_in_done(c));
	if (type != TPM_SU_CLEAR && type != TPM_SU_STATE)
		return TPM2_RC_P(TPM_RC_VALUE, 1);
	if (type == TPM_SU_STATE && t->orderly != TPM_SU_STATE)
		return TPM2_RC_P(TPM_RC_VALUE, 1);
	t->started_orderly = t->orderly == TPM_SU_CLEAR || t->orderly == TPM_SU_STATE;
	if (!t->started_orderly)
		t->clock_safe = 0;   /* Clock may have lost time with the power */
	resume = type == TPM_SU_STATE;
	if (type == TPM_SU_CLEAR && t->orderly != TPM_SU_STATE) {
		startup_reset(c);
	} else {
		t->restart_count++;   /* Restart or Resume: objects' contexts stay valid */
		tpm2_zeroise(t->slots, sizeof t->slots);
		if (!resume) {
			tpm2_sessions_reset(t);
			t->clear_count++;   /* ... except stClear objects' (Restart only) */
		}
	}
	if (!resume) {
		/* platformAuth/Policy are reset at every Startup(CLEAR) (Part 1, 13.x) */
		tpm2_zeroise(&t->platform, sizeof t->platform);
		t->platform.policy_alg = TPM_ALG_NULL;
		if (t->pcr_alloc_pending) {
			t->pcr_alloc = t->pcr_alloc_next;
			t->pcr_alloc_pending = 0;
		}
		startup_enables(t);
	} else {
		t->ph_enable = (t->saved_enables & TPMA_STARTUP_CLEAR_PHENABLE) != 0;
		t->sh_enable = (t->saved_enables & TPMA_STARTUP_CLEAR_SHENABLE) != 0;
		t->eh_enable = (t->saved_enables & TPMA_STARTUP_CLEAR_EHENABLE) != 0;
		t->ph_enable_nv = (t->saved_enables & TPMA_STARTUP_CLEAR_PHENABLENV) != 0;
	}
	if (!resume && t->drtm_pre_startup) {   /* PCR 0 holds the H-CRTM measurement: keep it */
		uint8_t pcr0[TPM2_NUM_BANKS][TPM2_MAX_DIGEST];
		for (unsigned b = 0; b < TPM2_NUM_BANKS; b++)
			memcpy(pcr0[b], t->pcr[b][0], TPM2_MAX_DIGEST);
		tpm2_pcr_startup(t, true);
		for (unsigned b = 0; b < TPM2_NUM_BANKS; b++)
			memcpy(t->pcr[b][0], pcr0[b], TPM2_MAX_DIGEST);
	} else {
		tpm2_pcr_startup(t, !resume);
	}
	if (!resume && c->locality == 3 && !t->drtm_pre_startup)   /* PCR 0 says so */
		for (unsigned b = 0; b < TPM2_NUM_BANKS; b++)
			t->pcr[b][0][tpm2_hash_size(tpm2_pcr_bank_alg(b)) - 1] = 3;
	tpm2_nv_startup(t, !resume);
	tpm2_sessions_startup(t, resume);
	da_startup(t);
	t->nv_global_locked = 0;
	t->orderly = TPM2_ORDERLY_NONE;
	t->started = 1;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_Shutdown(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	uint16_t type;
	TPM2_P(1, tpm2_rd_u16(&c->in, &type));
	TPM2_TRY(tpm2_in_done(c));
	if (type != TPM_SU_CLEAR && type != TPM_SU_STATE)
		return TPM2_RC_P(TPM_RC_VALUE, 1);
	/* saved PCRs would not match the banks after a pending PCR_Allocate */
	if (type == TPM_SU_STATE && t->pcr_alloc_pending)
		return TPM2_RC_P(TPM_RC_TYPE, 1);
	if (type == TPM_SU_STATE) {
		memcpy(t->pcr_saved, t->pcr, sizeof t->pcr_saved);
		t->saved_enables = (uint8_t)((t->ph_enable ? TPMA_STARTUP_CLEAR_PHENABLE : 0) |
		                             (t->sh_enable ? TPMA_STARTUP_CLEAR_SHENABLE : 0) |
		                             (t->eh_enable ? TPMA_STARTUP_CLEAR_EHENABLE : 0) |
		                             (t->ph_enable_nv ? TPMA_STARTUP_CLEAR_PHENABLENV : 0));
		t->saved_context_counter = t->context_counter;
		tpm2_sessions_shutdown_state(t);
	}
	t->orderly = type;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_SelfTest(struct tpm2_cmd *c)
{
	uint8_t full;
	TPM2_P(1, tpm2_rd_u8(&c->in, &full));
	TPM2_TRY(tpm2_in_done(c));
	if (full > 1)
		return TPM2_RC_P(TPM_RC_VALUE, 1);
	c->t->self_tested = 1;
	return TPM_RC_SUCCESS;
}

/* Every algorithm is tested on first use (i.e. always ready): the to-do list is empty. */
TPM_RC tpm2_cc_IncrementalSelfTest(struct tpm2_cmd *c)
{
	uint32_t count;
	TPM2_P(1, tpm2_rd_u32(&c->in, &count));
	if (count > 64)
		return TPM2_RC_P(TPM_RC_SIZE, 1);
	for (uint32_t i = 0; i < count; i++) {
		uint16_t alg;
		TPM2_P(1, tpm2_rd_u16(&c->in, &alg));
	}
	TPM2_TRY(tpm2_in_done(c));
	tpm2_wr_u32(&c->out, 0);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_GetTestResult(struct tpm2_cmd *c)
{
	TPM2_TRY(tpm2_in_done(c));
	tpm2_wr_u16(&c->out, 0);                 /* outData: empty */
	tpm2_wr_u32(&c->out, TPM_RC_SUCCESS);    /* testResult */
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_GetRandom(struct tpm2_cmd *c)
{
	uint16_t want;
	uint8_t buf[TPM2_MAX_DIGEST];
	TPM2_P(1, tpm2_rd_u16(&c->in, &want));
	TPM2_TRY(tpm2_in_done(c));
	if (want > sizeof buf)   /* Part 3: at most sizeof(TPMU_HA) per call */
		want = sizeof buf;
	tpm2_random(c->t, buf, want);
	tpm2_wr_tpm2b(&c->out, buf, want);
	tpm2_zeroise(buf, sizeof buf);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_StirRandom(struct tpm2_cmd *c)
{
	const uint8_t *data;
	uint16_t size;
	TPM2_P(1, tpm2_rd_tpm2b(&c->in, &data, &size, TPM2_MAX_SYM_DATA));
	TPM2_TRY(tpm2_in_done(c));
	tc_rng_stir(&c->t->drbg.r, data, size);
	tpm2_random_discard(c->t);   /* what follows must depend on the stirred state */
	return TPM_RC_SUCCESS;
}
