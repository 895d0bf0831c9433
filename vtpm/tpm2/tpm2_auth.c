/*
 * Password authorization (TPM_RS_PW), dictionary-attack protection, and the cpHash/rpHash
 * that HMAC and policy sessions (tpm2_session.c) build on.
 */
#include "tpm2_internal.h"

/* ------------------------------------------------------------------ dictionary attack */

/* Recovery counts on t->time_ms, the time the TPM has been powered since _TPM_Init: ClockSet
 * cannot move it, so an owner (or a guest holding ownerAuth) cannot buy guesses by setting
 * Clock forward (the reference TPM's self-heal timers use `time` too). */
void tpm2_da_tick(struct tpm2 *t)
{
	struct tpm2_da *da = &t->da;
	uint64_t period, now = t->time_ms;
	if (da->lockout_auth_blocked && da->lockout_recovery &&
	    now - da->lockout_auth_fail_ms >= (uint64_t)da->lockout_recovery * 1000)
		da->lockout_auth_blocked = 0;
	if (!da->failed_tries || !da->recovery_time) {
		da->heal_from_ms = now;
		return;
	}
	period = (uint64_t)da->recovery_time * 1000;
	while (da->failed_tries && now - da->heal_from_ms >= period) {
		da->failed_tries--;
		da->heal_from_ms += period;
	}
}

void tpm2_da_heal_restart(struct tpm2 *t)
{
	t->da.heal_from_ms = t->time_ms;
}

void tpm2_da_power_on(struct tpm2 *t)
{
	/* time_ms starts again at 0: the periods begin anew, the time off does not count */
	t->da.heal_from_ms = 0;
	t->da.lockout_auth_fail_ms = 0;
}

/* Called before every use of a DA-protected authValue (password or HMAC session). */
bool tpm2_da_locked_out(struct tpm2 *t)
{
	t->orderly = TPM2_ORDERLY_DA_USED;
	tpm2_da_tick(t);
	return t->da.failed_tries >= t->da.max_tries;
}

void tpm2_da_failure(struct tpm2 *t, uint32_t handle)
{
	struct tpm2_da *da = &t->da;
	if (handle == TPM_RH_LOCKOUT) {
		da->lockout_auth_blocked = 1;
		da->lockout_auth_fail_ms = t->time_ms;
		return;
	}
	tpm2_da_tick(t);
	if (da->recovery_time == 0)
		return;   /* recoveryTime 0: DA protection off, failures are not counted (libtpms) */
	if (da->failed_tries < da->max_tries)
		da->failed_tries++;
	tpm2_da_heal_restart(t);
}

/* ------------------------------------------------------------------ password */

/* Roles (Part 1, "Authorization Roles"): DUP, ADMIN on an NV index and ADMIN on an object
 * with adminWithPolicy demand a policy session (TPM_RC_AUTH_TYPE); USER on an object without
 * userWithAuth has no usable authValue (TPM_RC_AUTH_UNAVAILABLE).  libtpms answers the same. */
static TPM_RC auth_value_allowed(struct tpm2 *t, uint32_t h, uint8_t role)
{
	struct tpm2_object *o;
	if (role == TPM2_ROLE_DUP)
		return TPM_RC_AUTH_TYPE;
	if (HANDLE_TYPE(h) == TPM_HT_NV_INDEX)
		return role == TPM2_ROLE_USER ? TPM_RC_SUCCESS : TPM_RC_AUTH_TYPE;
	o = tpm2_object_find(t, h);
	if (!o)
		return TPM_RC_SUCCESS;
	if (role == TPM2_ROLE_ADMIN)
		return (o->pub.attrs & TPMA_OBJECT_ADMINWITHPOLICY) ? TPM_RC_AUTH_TYPE : TPM_RC_SUCCESS;
	return (o->pub.attrs & TPMA_OBJECT_USERWITHAUTH) ? TPM_RC_SUCCESS : TPM_RC_AUTH_UNAVAILABLE;
}

/* Lockout state that forbids using this entity's authValue at all. */
static TPM_RC da_gate(struct tpm2 *t, uint32_t h)
{
	if (h == TPM_RH_LOCKOUT) {
		tpm2_da_tick(t);
		return t->da.lockout_auth_blocked ? TPM_RC_LOCKOUT : TPM_RC_SUCCESS;
	}
	if (tpm2_entity_is_da(t, h) && tpm2_da_locked_out(t))
		return TPM_RC_LOCKOUT;
	return TPM_RC_SUCCESS;
}

/* Constant-time in the stored value's length; trailing zeros of the offered password are
 * insignificant (Part 1: authValues are stored without them). */
static bool password_matches(const struct tpm2b_digest *auth, const uint8_t *pw, uint16_t len)
{
	uint8_t a[TPM2_MAX_DIGEST] = { 0 }, b[TPM2_MAX_DIGEST] = { 0 };
	size_t alen = auth->size, blen = len;
	int eq;
	while (blen && pw[blen - 1] == 0)
		blen--;
	while (alen && auth->buf[alen - 1] == 0)
		alen--;
	memcpy(a, auth->buf, alen);
	memcpy(b, pw, blen);
	eq = tpm2_ct_equal(a, b, sizeof a) & (alen == blen);
	tpm2_zeroise(a, sizeof a);
	tpm2_zeroise(b, sizeof b);
	return eq;
}

static TPM_RC check_password(struct tpm2_cmd *c, unsigned i)
{
	struct tpm2_auth *a = &c->auths[i];
	uint32_t h = c->handles[a->auth_for];
	const struct tpm2b_digest *auth;
	TPM2_TRY(auth_value_allowed(c->t, h, c->desc->role[a->auth_for]));
	TPM2_TRY(da_gate(c->t, h));
	TPM2_TRY(tpm2_nv_pin_auth_available(c->t, h, c->cc));
	auth = tpm2_entity_auth(c->t, h);
	if (auth && password_matches(auth, a->hmac, a->hmac_size))
		return TPM_RC_SUCCESS;
	if (h == TPM_RH_LOCKOUT || tpm2_entity_is_da(c->t, h)) {
		tpm2_da_failure(c->t, h);
		return TPM2_RC_S(TPM_RC_AUTH_FAIL, i + 1);
	}
	return TPM2_RC_S(TPM_RC_BAD_AUTH, i + 1);
}

TPM_RC tpm2_auth_check_all(struct tpm2_cmd *c)
{
	for (unsigned i = 0; i < c->n_auths; i++) {
		struct tpm2_auth *a = &c->auths[i];
		TPM_RC rc;
		if (!a->sess && a->auth_for < 0)
			return TPM2_RC_S(TPM_RC_VALUE, i + 1);   /* a password for no handle */
		rc = a->sess ? tpm2_session_check(c, i, a->auth_for) : check_password(c, i);
		if (a->auth_for >= 0)    /* PIN indices count checked authorizations */
			tpm2_nv_pin_count(c->t, c->handles[a->auth_for], rc);
		TPM2_TRY(rc);
	}
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ cpHash / rpHash */

size_t tpm2_cp_hash(struct tpm2_cmd *c, uint16_t alg, uint8_t *out)
{
	struct tpm2_hash h;
	uint8_t be[4], name[2 + TPM2_MAX_DIGEST];
	if (!tpm2_hash_init(&h, alg))
		return 0;
	tpm2_put_u32(be, c->cc);
	tpm2_hash_update(&h, be, 4);
	for (unsigned i = 0; i < c->desc->handles_in; i++) {
		size_t n = tpm2_entity_name(c->t, c->handles[i], name);
		tpm2_hash_update(&h, name, n);
	}
	tpm2_hash_update(&h, c->params, c->params_len);
	return tpm2_hash_final(&h, out);
}

size_t tpm2_rp_hash(struct tpm2_cmd *c, uint16_t alg, TPM_RC rc, const uint8_t *rsp_params,
                    size_t len, uint8_t *out)
{
	struct tpm2_hash h;
	uint8_t be[4];
	if (!tpm2_hash_init(&h, alg))
		return 0;
	tpm2_put_u32(be, rc);
	tpm2_hash_update(&h, be, 4);
	tpm2_put_u32(be, c->cc);
	tpm2_hash_update(&h, be, 4);
	tpm2_hash_update(&h, rsp_params, len);
	return tpm2_hash_final(&h, out);
}
