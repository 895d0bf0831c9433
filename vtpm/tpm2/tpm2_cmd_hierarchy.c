/*
 * Hierarchies, dictionary attack and clock: Clear, ClearControl, HierarchyControl,
 * HierarchyChangeAuth, SetPrimaryPolicy, ChangeEPS, ChangePPS, DictionaryAttackLockReset,
 * DictionaryAttackParameters, ReadClock, ClockSet, ClockRateAdjust.
 */
#include "tpm2_internal.h"

static TPM_RC rd_yes_no(struct tpm2_cmd *c, uint8_t *v, unsigned n)
{
	TPM2_P(n, tpm2_rd_u8(&c->in, v));
	return *v > 1 ? TPM2_RC_P(TPM_RC_VALUE, n) : TPM_RC_SUCCESS;
}

static void clear_hierarchy_auth(struct tpm2_hierarchy_auth *h)
{
	tpm2_zeroise(h, sizeof *h);
	h->policy_alg = TPM_ALG_NULL;
}

/* Objects (loaded and persistent) of a hierarchy whose seed or proof changes. */
static void drop_objects(struct tpm2 *t, uint32_t hierarchy)
{
	tpm2_objects_flush_hierarchy(t, hierarchy);
	for (unsigned i = 0; i < TPM2_PERSISTENT_SLOTS; i++)
		if (t->persistent[i].handle && t->persistent[i].obj.hierarchy == hierarchy)
			tpm2_zeroise(&t->persistent[i], sizeof t->persistent[i]);
}

TPM_RC tpm2_cc_Clear(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	TPM2_TRY(tpm2_in_done(c));
	if (t->disable_clear)
		return TPM_RC_DISABLED;
	tpm2_random(t, t->sps, TPM2_SEED_SIZE);
	tpm2_random(t, t->sh_proof, sizeof t->sh_proof);
	tpm2_random(t, t->eh_proof, sizeof t->eh_proof);
	clear_hierarchy_auth(&t->owner);
	clear_hierarchy_auth(&t->endorsement);
	clear_hierarchy_auth(&t->lockout);
	drop_objects(t, TPM_RH_OWNER);
	drop_objects(t, TPM_RH_ENDORSEMENT);
	tpm2_nv_clear_owner(t);
	t->da.failed_tries = 0;
	t->da.lockout_auth_blocked = 0;
	t->sh_enable = t->eh_enable = 1;
	t->reset_count = t->restart_count = 0;   /* Part 3 Clear: the counts start over */
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_ClearControl(struct tpm2_cmd *c)
{
	uint8_t disable;
	TPM2_TRY(rd_yes_no(c, &disable, 1));
	TPM2_TRY(tpm2_in_done(c));
	/* lockoutAuth may set disableClear; only the platform may clear it */
	if (c->handles[0] == TPM_RH_LOCKOUT && !disable)
		return TPM_RC_AUTH_FAIL;
	c->t->disable_clear = disable;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_HierarchyControl(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	uint32_t enable, auth = c->handles[0];
	uint8_t state;
	uint8_t *flag;
	TPM2_P(1, tpm2_rd_u32(&c->in, &enable));
	TPM2_TRY(rd_yes_no(c, &state, 2));
	TPM2_TRY(tpm2_in_done(c));
	/* Who may change what (Part 3, HierarchyControl): the platform anything; the owner and
	 * endorsement hierarchies only themselves, and never turn themselves back on. */
	switch (enable) {
	case TPM_RH_OWNER: flag = &t->sh_enable; break;
	case TPM_RH_ENDORSEMENT: flag = &t->eh_enable; break;
	case TPM_RH_PLATFORM: flag = &t->ph_enable; break;
	case TPM_RH_PLATFORM_NV: flag = &t->ph_enable_nv; break;
	default: return TPM2_RC_P(TPM_RC_VALUE, 1);
	}
	if (auth != TPM_RH_PLATFORM && (enable != auth || (state && !*flag)))
		return TPM_RC_AUTH_TYPE;
	*flag = state;
	if (!state && enable != TPM_RH_PLATFORM_NV)
		tpm2_objects_flush_hierarchy(t, enable);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_HierarchyChangeAuth(struct tpm2_cmd *c)
{
	struct tpm2b_digest auth;
	TPM2_P(1, tpm2_rd_digest(&c->in, &auth));
	TPM2_TRY(tpm2_in_done(c));
	tpm2_auth_set(&tpm2_hierarchy(c->t, c->handles[0])->auth, auth.buf, auth.size);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_SetPrimaryPolicy(struct tpm2_cmd *c)
{
	struct tpm2b_digest policy;
	uint16_t alg;
	struct tpm2_hierarchy_auth *h;
	TPM2_P(1, tpm2_rd_digest(&c->in, &policy));
	TPM2_P(2, tpm2_rd_alg_hash(&c->in, &alg, true));
	TPM2_TRY(tpm2_in_done(c));
	if (policy.size != (alg == TPM_ALG_NULL ? 0 : tpm2_hash_size(alg)))
		return TPM2_RC_P(TPM_RC_SIZE, 1);
	h = tpm2_hierarchy(c->t, c->handles[0]);
	h->policy = policy;
	h->policy_alg = alg;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_ChangeEPS(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	TPM2_TRY(tpm2_in_done(c));
	tpm2_random(t, t->eps, TPM2_SEED_SIZE);
	tpm2_random(t, t->eh_proof, sizeof t->eh_proof);
	clear_hierarchy_auth(&t->endorsement);
	drop_objects(t, TPM_RH_ENDORSEMENT);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_ChangePPS(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	TPM2_TRY(tpm2_in_done(c));
	tpm2_random(t, t->pps, TPM2_SEED_SIZE);
	tpm2_random(t, t->ph_proof, sizeof t->ph_proof);
	t->platform.policy.size = 0;
	t->platform.policy_alg = TPM_ALG_NULL;
	drop_objects(t, TPM_RH_PLATFORM);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_DictionaryAttackLockReset(struct tpm2_cmd *c)
{
	TPM2_TRY(tpm2_in_done(c));
	c->t->da.failed_tries = 0;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_DictionaryAttackParameters(struct tpm2_cmd *c)
{
	struct tpm2_da *da = &c->t->da;
	uint32_t max_tries, recovery, lockout_recovery;
	TPM2_P(1, tpm2_rd_u32(&c->in, &max_tries));
	TPM2_P(2, tpm2_rd_u32(&c->in, &recovery));
	TPM2_P(3, tpm2_rd_u32(&c->in, &lockout_recovery));
	TPM2_TRY(tpm2_in_done(c));
	da->max_tries = max_tries;
	da->recovery_time = recovery;
	da->lockout_recovery = lockout_recovery;
	if (da->failed_tries > max_tries)
		da->failed_tries = max_tries;
	if (recovery == 0)
		da->failed_tries = 0;   /* DA protection off: nothing counts (as libtpms) */
	tpm2_da_heal_restart(c->t);
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ clock */

void tpm2_wr_time_info(struct tpm2_wr *w, struct tpm2 *t)
{
	tpm2_wr_u64(w, t->time_ms);
	tpm2_wr_u64(w, t->clock);
	tpm2_wr_u32(w, t->reset_count);
	tpm2_wr_u32(w, t->restart_count);
	tpm2_wr_u8(w, t->clock_safe);
}

TPM_RC tpm2_cc_ReadClock(struct tpm2_cmd *c)
{
	TPM2_TRY(tpm2_in_done(c));
	tpm2_wr_time_info(&c->out, c->t);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_ClockSet(struct tpm2_cmd *c)
{
	uint64_t when;
	TPM2_P(1, tpm2_rd_u64(&c->in, &when));
	TPM2_TRY(tpm2_in_done(c));
	/* the clock never goes backwards, and its top values are reserved */
	if (when < c->t->clock || when > 0xFFFF000000000000ull)
		return TPM2_RC_P(TPM_RC_VALUE, 1);
	c->t->clock = when;
	c->t->clock_safe = 1;   /* the new value is committed: safe again */
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_ClockRateAdjust(struct tpm2_cmd *c)
{
	uint8_t raw;
	int8_t adj;
	TPM2_P(1, tpm2_rd_u8(&c->in, &raw));
	TPM2_TRY(tpm2_in_done(c));
	adj = (int8_t)raw;
	if (adj < -3 || adj > 3)
		return TPM2_RC_P(TPM_RC_VALUE, 1);
	/* TPM_CLOCK_{COARSE,MEDIUM,FINE}_{SLOWER,FASTER}: the reference platform's steps of
	 * 300, 30 and 1 / 30000 of the nominal rate, accumulated up to +-5000 */
	static const int16_t steps[7] = { 300, 30, 1, 0, -1, -30, -300 };
	c->t->clock_rate = adj;          /* the last request (kept in the state blob) */
	tpm2_clock_adjust(c->t, steps[adj + 3]);
	return TPM_RC_SUCCESS;
}
