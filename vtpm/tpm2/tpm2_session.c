/*
 * HMAC and policy sessions: the dispatcher's session hooks (tpm2_internal.h, "sessions hooks").
 *
 *   check    (before the handler) trial sessions refused; encrypt/decrypt need a cipher; one
 *            audit session, never a policy one; auditExclusive only for the exclusive session;
 *            lockout for sessions bound to DA entities; then for the authorized handle: the
 *            role's rules (HMAC: authValue usable; policy: the deferred policy checks), and
 *            the HMAC (Part 1, 19.6):
 *              HMAC(sessionKey || authValue, cpHash || nonceCaller || nonceTPM
 *                   [|| nonceTPM_decrypt || nonceTPM_encrypt] || sessionAttributes)
 *            authValue is left out when the session is bound to the entity it authorizes
 *            (and for policy sessions unless PolicyAuthValue); the extra nonces only go into
 *            the first session when it authorizes a handle and the en/decrypt session is
 *            another one.  Failure on a DA-protected entity counts towards lockout.
 *   decrypt  first TPM2B parameter: AES-CFB with KDFa(hash, key, "CFB", nonceCaller,
 *            nonceTPM, keyBits + 128) = key || iv, or XOR with KDFa(..., "XOR", ...); key =
 *            sessionKey || authValue of the authorized entity whenever that authValue is
 *            usable - unlike the HMAC, also for bound and policy sessions (reference TPM)
 *   encrypt  the same with nonceTPM (new) and nonceCaller swapped
 *   respond  new nonceTPM, session audit digest, response HMAC over
 *              rpHash || nonceTPM || nonceCaller || sessionAttributes;
 *            a continued policy session starts over (policy reset, new start time);
 *            continueSession CLEAR flushes
 *
 * Sessions live in t->sessions[]; a context-saved session keeps its slot (saved = 1) so its
 * handle stays reserved, and the saved payload carries the ContextSave sequence so that only
 * the latest context of a session can be loaded, once.
 */
#include "tpm2_session.h"

/* ------------------------------------------------------------------ slots */

struct tpm2_session *tpm2_session_lookup(struct tpm2 *t, uint32_t handle)
{
	for (unsigned i = 0; i < TPM2_SESSION_SLOTS; i++)
		if (t->sessions[i].handle == handle && !t->sessions[i].saved)
			return &t->sessions[i];
	return NULL;
}

struct tpm2_session *tpm2_session_alloc(struct tpm2 *t, uint8_t type)
{
	for (unsigned i = 0; i < TPM2_SESSION_SLOTS; i++) {
		struct tpm2_session *s = &t->sessions[i];
		if (s->handle)
			continue;
		memset(s, 0, sizeof *s);
		s->type = type;
		s->handle = (type == TPM_SE_HMAC ? HR_HMAC_SESSION : HR_POLICY_SESSION) + i;
		return s;
	}
	return NULL;
}

void tpm2_session_flush(struct tpm2 *t, uint32_t handle)
{
	for (unsigned i = 0; i < TPM2_SESSION_SLOTS; i++)
		if (t->sessions[i].handle == handle) {
			if (t->audit_exclusive_session == i + 1)
				t->audit_exclusive_session = 0;
			tpm2_zeroise(&t->sessions[i], sizeof t->sessions[i]);
			return;
		}
}

void tpm2_sessions_reset(struct tpm2 *t)
{
	tpm2_zeroise(t->sessions, sizeof t->sessions);
	t->audit_exclusive_session = 0;
}

void tpm2_sessions_shutdown_state(struct tpm2 *t)
{
	for (unsigned i = 0; i < TPM2_SESSION_SLOTS; i++) {
		struct tpm2_session *s = &t->sessions[i];
		t->saved_sessions[i].handle = s->saved ? s->handle : 0;
		t->saved_sessions[i].seq = s->saved ? s->context_seq : 0;
	}
}

/* After _TPM_Init every slot is free: a resume re-reserves the slots of the sessions that were
 * context-saved at Shutdown(STATE), so their blobs load again; loaded sessions are gone. */
void tpm2_sessions_startup(struct tpm2 *t, bool resume)
{
	for (unsigned i = 0; i < TPM2_SESSION_SLOTS && resume; i++) {
		const struct tpm2_saved_session *r = &t->saved_sessions[i];
		struct tpm2_session *s = &t->sessions[i];
		if (!r->handle || s->handle)
			continue;
		s->handle = r->handle;
		s->context_seq = r->seq;
		s->saved = 1;
	}
	/* never hand out a context sequence a saved blob already carries */
	if (resume && t->context_counter < t->saved_context_counter)
		t->context_counter = t->saved_context_counter;
	tpm2_zeroise(t->saved_sessions, sizeof t->saved_sessions);
}

static unsigned session_index(struct tpm2 *t, const struct tpm2_session *s)
{
	return (unsigned)(s - t->sessions);
}

size_t tpm2_session_bind_id(struct tpm2 *t, uint32_t handle, uint8_t *out)
{
	uint8_t name[2 + TPM2_MAX_DIGEST];
	const struct tpm2b_digest *auth = tpm2_entity_auth(t, handle);
	struct tpm2_hash h;
	size_t n = tpm2_entity_name(t, handle, name);
	tpm2_hash_init(&h, TPM_ALG_SHA256);
	tpm2_hash_update(&h, name, n);
	if (auth)
		tpm2_hash_update(&h, auth->buf, auth->size);
	return tpm2_hash_final(&h, out);
}

static bool is_bind_entity(struct tpm2 *t, const struct tpm2_session *s, uint32_t handle)
{
	uint8_t id[TPM2_MAX_DIGEST];
	size_t n;
	if (!(s->flags & TPM2_SESS_BOUND))
		return false;
	n = tpm2_session_bind_id(t, handle, id);
	return n == s->bind_id.size && tpm2_ct_equal(id, s->bind_id.buf, n);
}

/* ------------------------------------------------------------------ role rules */

/* Part 1 "Authorization Roles": the DUP role, ADMIN on an object with adminWithPolicy and
 * ADMIN on an NV index can only be given by a policy session. */
static bool policy_required(struct tpm2 *t, uint32_t h, uint8_t role)
{
	struct tpm2_object *o;
	if (role == TPM2_ROLE_DUP)
		return true;
	if (role != TPM2_ROLE_ADMIN)
		return false;
	if (HANDLE_TYPE(h) == TPM_HT_NV_INDEX)
		return true;
	o = tpm2_object_find(t, h);
	return o && (o->pub.attrs & TPMA_OBJECT_ADMINWITHPOLICY);
}

/* USER role on an object without userWithAuth: authValue unusable; NV: AUTHREAD/AUTHWRITE
 * are checked by the NV commands themselves. */
static bool auth_value_usable(struct tpm2 *t, uint32_t h, uint8_t role)
{
	struct tpm2_object *o = tpm2_object_find(t, h);
	if (o && role == TPM2_ROLE_USER)
		return (o->pub.attrs & TPMA_OBJECT_USERWITHAUTH) != 0;
	return tpm2_entity_auth(t, h) != NULL;
}

static bool policy_available(struct tpm2 *t, uint32_t h)
{
	uint16_t alg;
	const struct tpm2b_digest *p = tpm2_entity_policy(t, h, &alg);
	return p && p->size != 0;
}

static bool entity_da(struct tpm2 *t, uint32_t h)
{
	return h == TPM_RH_LOCKOUT || tpm2_entity_is_da(t, h);
}

/* Lockout state that forbids using an authValue (same rule as passwords). */
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

/* ------------------------------------------------------------------ HMAC */

/* sessionKey || authValue, if `with` says so for this command. */
static size_t session_key_with(const struct tpm2_session *s, uint8_t with, uint8_t *key)
{
	size_t n = s->session_key.size;
	memcpy(key, s->session_key.buf, n);
	if (s->cmd_state & with) {
		memcpy(key + n, s->cmd_auth.buf, s->cmd_auth.size);
		n += s->cmd_auth.size;
	}
	return n;
}

/* HMAC key: the authValue unless bound to the entity / a policy without PolicyAuthValue. */
static size_t hmac_key(const struct tpm2_session *s, uint8_t *key)
{
	return session_key_with(s, TPM2_SCMD_INCLUDE_AUTH, key);
}

static int find_attr(struct tpm2_cmd *c, uint8_t attr)
{
	for (unsigned i = 0; i < c->n_auths; i++)
		if (c->auths[i].attrs & attr)
			return (int)i;
	return -1;
}

static size_t command_hmac(struct tpm2_cmd *c, unsigned idx, const uint8_t *cp, size_t cp_len,
                           uint8_t *out)
{
	struct tpm2_auth *a = &c->auths[idx];
	struct tpm2_session *s = a->sess;
	uint8_t key[2 * TPM2_MAX_DIGEST];
	struct tpm2_hmac m;
	size_t n = hmac_key(s, key);
	int dec = find_attr(c, TPMA_SESSION_DECRYPT), enc = find_attr(c, TPMA_SESSION_ENCRYPT);
	tpm2_hmac_init(&m, s->hash_alg, key, n);
	tpm2_zeroise(key, sizeof key);
	tpm2_hmac_update(&m, cp, cp_len);
	tpm2_hmac_update(&m, a->nonce, a->nonce_size);
	tpm2_hmac_update(&m, s->nonce_tpm.buf, s->nonce_tpm.size);
	if (idx == 0 && a->auth_for >= 0) {
		if (dec > 0 && c->auths[dec].sess)
			tpm2_hmac_update(&m, c->auths[dec].sess->nonce_tpm.buf,
			                 c->auths[dec].sess->nonce_tpm.size);
		if (enc > 0 && enc != dec && c->auths[enc].sess)
			tpm2_hmac_update(&m, c->auths[enc].sess->nonce_tpm.buf,
			                 c->auths[enc].sess->nonce_tpm.size);
	}
	tpm2_hmac_update(&m, &a->attrs, 1);
	return tpm2_hmac_final(&m, out);
}

/* An authorization failure: counted if the entity (or the session's bind) is DA-protected. */
static TPM_RC auth_failure(struct tpm2_cmd *c, unsigned idx)
{
	struct tpm2_auth *a = &c->auths[idx];
	uint32_t h = a->auth_for >= 0 ? c->handles[a->auth_for] : 0;
	if (a->auth_for >= 0 && entity_da(c->t, h)) {
		tpm2_da_failure(c->t, h);
		return TPM2_RC_S(TPM_RC_AUTH_FAIL, idx + 1);
	}
	if (a->sess->flags & TPM2_SESS_DA_BOUND) {
		tpm2_da_failure(c->t, (a->sess->flags & TPM2_SESS_LOCKOUT_BOUND) ? TPM_RH_LOCKOUT : 0);
		return TPM2_RC_S(TPM_RC_AUTH_FAIL, idx + 1);
	}
	return TPM2_RC_S(TPM_RC_BAD_AUTH, idx + 1);
}

static TPM_RC verify_hmac(struct tpm2_cmd *c, unsigned idx, const uint8_t *cp, size_t cp_len)
{
	struct tpm2_auth *a = &c->auths[idx];
	struct tpm2_session *s = a->sess;
	uint8_t mac[TPM2_MAX_DIGEST];
	size_t n;
	/* Empty key and empty HMAC: nothing to prove (Part 1, 19.6.?: unbound, unsalted, empty
	 * authValue) */
	if (s->session_key.size == 0 && !((s->cmd_state & TPM2_SCMD_INCLUDE_AUTH) &&
	                                  s->cmd_auth.size) && a->hmac_size == 0)
		return TPM_RC_SUCCESS;
	n = command_hmac(c, idx, cp, cp_len, mac);
	if (a->hmac_size != n || !tpm2_ct_equal(mac, a->hmac, n))
		return auth_failure(c, idx);
	return TPM_RC_SUCCESS;
}

/* PolicyPassword: the hmac field carries the authValue in the clear. */
static TPM_RC verify_password(struct tpm2_cmd *c, unsigned idx)
{
	struct tpm2_auth *a = &c->auths[idx];
	const struct tpm2b_digest *auth = &a->sess->cmd_auth;
	uint8_t x[TPM2_MAX_DIGEST] = { 0 }, y[TPM2_MAX_DIGEST] = { 0 };
	size_t len = a->hmac_size;
	int eq;
	while (len && a->hmac[len - 1] == 0)
		len--;
	memcpy(x, auth->buf, auth->size);
	memcpy(y, a->hmac, len);
	eq = tpm2_ct_equal(x, y, sizeof x) & (len == auth->size);
	tpm2_zeroise(x, sizeof x);
	tpm2_zeroise(y, sizeof y);
	return eq ? TPM_RC_SUCCESS : auth_failure(c, idx);
}

/* ------------------------------------------------------------------ check */

static TPM_RC check_attrs(struct tpm2_cmd *c, unsigned idx)
{
	struct tpm2_auth *a = &c->auths[idx];
	struct tpm2_session *s = a->sess;
	struct tpm2 *t = c->t;
	if (s->type == TPM_SE_TRIAL)
		return TPM2_RC_S(TPM_RC_ATTRIBUTES, idx + 1);
	if ((a->attrs & (TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT)) &&
	    s->symmetric.alg == TPM_ALG_NULL)
		return TPM2_RC_S(TPM_RC_SYMMETRIC, idx + 1);
	if (a->attrs & TPMA_SESSION_AUDIT) {
		if (s->type != TPM_SE_HMAC)
			return TPM2_RC_S(TPM_RC_ATTRIBUTES, idx + 1);
		for (unsigned j = 0; j < idx; j++)
			if (c->auths[j].attrs & TPMA_SESSION_AUDIT)
				return TPM2_RC_S(TPM_RC_ATTRIBUTES, idx + 1);
		if (!(a->attrs & TPMA_SESSION_AUDITRESET) && (s->flags & TPM2_SESS_AUDIT) &&
		    (a->attrs & TPMA_SESSION_AUDITEXCLUSIVE) &&
		    t->audit_exclusive_session != session_index(t, s) + 1)
			return TPM_RC_EXCLUSIVE;
	} else if (a->attrs & (TPMA_SESSION_AUDITRESET | TPMA_SESSION_AUDITEXCLUSIVE)) {
		return TPM2_RC_S(TPM_RC_ATTRIBUTES, idx + 1);
	}
	if (a->auth_for < 0 &&
	    !(a->attrs & (TPMA_SESSION_AUDIT | TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT)))
		return TPM2_RC_S(TPM_RC_ATTRIBUTES, idx + 1);
	if (s->flags & TPM2_SESS_DA_BOUND) {
		if (s->flags & TPM2_SESS_LOCKOUT_BOUND)
			return da_gate(t, TPM_RH_LOCKOUT);
		if (tpm2_da_locked_out(t))
			return TPM_RC_LOCKOUT;
	}
	return TPM_RC_SUCCESS;
}

/* The authorized handle's rules, and which key the HMAC uses. */
static TPM_RC check_role(struct tpm2_cmd *c, unsigned idx, const uint8_t *cp, size_t cp_len)
{
	struct tpm2_auth *a = &c->auths[idx];
	struct tpm2_session *s = a->sess;
	struct tpm2 *t = c->t;
	uint32_t h = c->handles[a->auth_for];
	uint8_t role = c->desc->role[a->auth_for];
	const struct tpm2b_digest *auth = tpm2_entity_auth(t, h);
	bool policy = s->type != TPM_SE_HMAC;
	if (auth)
		s->cmd_auth = *auth;
	if (!policy || (s->flags & (TPM2_SESS_AUTH_NEEDED | TPM2_SESS_PASSWORD)))
		TPM2_TRY(da_gate(t, h));
	if (!policy && policy_required(t, h, role))
		return TPM_RC_AUTH_TYPE;
	if (policy) {
		TPM_RC rc;
		if (!policy_available(t, h))
			return TPM_RC_AUTH_UNAVAILABLE;
		if (c->cc == TPM_CC_PolicySecret &&
		    !(s->flags & (TPM2_SESS_AUTH_NEEDED | TPM2_SESS_PASSWORD)))
			return TPM2_RC_S(TPM_RC_MODE, idx + 1);
		rc = tpm2_policy_check(c, s, a->auth_for, cp, cp_len);
		if (rc)
			return TPM2_RC_S(rc, idx + 1);
		if (s->flags & (TPM2_SESS_AUTH_NEEDED | TPM2_SESS_PASSWORD))
			s->cmd_state |= TPM2_SCMD_INCLUDE_AUTH;
	} else {
		if (!auth_value_usable(t, h, role))
			return TPM_RC_AUTH_UNAVAILABLE;
		TPM2_TRY(tpm2_nv_pin_auth_available(t, h, c->cc));
		if (!is_bind_entity(t, s, h))
			s->cmd_state |= TPM2_SCMD_INCLUDE_AUTH;
	}
	/* Parameter encryption keys in the entity's authValue whenever it is usable for this
	 * role - bound or not, PolicyAuthValue or not (the reference TPM; ESYS agrees) */
	if (auth && !policy_required(t, h, role) && auth_value_usable(t, h, role))
		s->cmd_state |= TPM2_SCMD_ENC_AUTH;
	s->cmd_state |= TPM2_SCMD_AUTHORIZED;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_session_check(struct tpm2_cmd *c, unsigned sess_idx, int handle_idx)
{
	struct tpm2_auth *a = &c->auths[sess_idx];
	struct tpm2_session *s = a->sess;
	uint8_t cp[TPM2_MAX_DIGEST];
	size_t cp_len;
	s->cmd_state = TPM2_SCMD_CHECKED;
	tpm2_zeroise(&s->cmd_auth, sizeof s->cmd_auth);   /* a failed command may have left one */
	if (a->hmac_size == 0)
		s->cmd_state |= TPM2_SCMD_EMPTY_HMAC;
	TPM2_TRY(check_attrs(c, sess_idx));
	cp_len = tpm2_cp_hash(c, s->hash_alg, cp);
	memcpy(s->cmd_cp.buf, cp, cp_len);
	s->cmd_cp.size = (uint16_t)cp_len;
	(void)handle_idx;
	if (a->auth_for >= 0)
		TPM2_TRY(check_role(c, sess_idx, cp, cp_len));
	if (s->type != TPM_SE_HMAC && (s->flags & TPM2_SESS_PASSWORD) && a->auth_for >= 0)
		return verify_password(c, sess_idx);
	if (s->type != TPM_SE_HMAC && !(s->cmd_state & TPM2_SCMD_INCLUDE_AUTH) &&
	    a->hmac_size == 0)
		return TPM_RC_SUCCESS;   /* policy without PolicyAuthValue: nothing to prove */
	return verify_hmac(c, sess_idx, cp, cp_len);
}

/* ------------------------------------------------------------------ parameter encryption */

static void roll_nonce(struct tpm2 *t, struct tpm2_session *s)
{
	if (s->cmd_state & TPM2_SCMD_ROLLED)
		return;
	tpm2_random(t, s->nonce_tpm.buf, s->nonce_tpm.size);
	s->cmd_state |= TPM2_SCMD_ROLLED;
}

static TPM_RC param_crypt(struct tpm2_cmd *c, unsigned idx, uint8_t *buf, size_t len,
                          bool encrypt)
{
	struct tpm2_auth *a = &c->auths[idx];
	struct tpm2_session *s = a->sess;
	uint8_t key[2 * TPM2_MAX_DIGEST], kiv[TPM2_MAX_SYM_KEY_BYTES + 16];
	size_t klen = session_key_with(s, TPM2_SCMD_ENC_AUTH, key);
	/* command: nonceCaller is newer; response: the new nonceTPM is */
	const uint8_t *newer = encrypt ? s->nonce_tpm.buf : a->nonce;
	size_t newer_len = encrypt ? s->nonce_tpm.size : a->nonce_size;
	const uint8_t *older = encrypt ? a->nonce : s->nonce_tpm.buf;
	size_t older_len = encrypt ? a->nonce_size : s->nonce_tpm.size;
	if (s->symmetric.alg == TPM_ALG_XOR) {
		tc_xor_obfuscate(s->hash_alg, key, klen, newer, newer_len, older, older_len, buf, len);
	} else if (s->symmetric.alg == TPM_ALG_AES) {
		size_t kb = s->symmetric.key_bits / 8u;
		tpm2_kdfa(s->hash_alg, key, klen, "CFB", newer, newer_len, older, older_len,
		          (uint32_t)(kb + 16) * 8, kiv);
		tpm2_aes_cfb(kiv, kb, kiv + kb, encrypt, buf, len);
	} else {
		tpm2_zeroise(key, sizeof key);
		return TPM2_RC_S(TPM_RC_SYMMETRIC, idx + 1);
	}
	tpm2_zeroise(key, sizeof key);
	tpm2_zeroise(kiv, sizeof kiv);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_session_decrypt(struct tpm2_cmd *c, unsigned sess_idx, uint8_t *buf, size_t len)
{
	return param_crypt(c, sess_idx, buf, len, false);
}

TPM_RC tpm2_session_encrypt(struct tpm2_cmd *c, unsigned sess_idx, uint8_t *buf, size_t len)
{
	roll_nonce(c->t, c->auths[sess_idx].sess);
	return param_crypt(c, sess_idx, buf, len, true);
}

/* ------------------------------------------------------------------ response */

static void audit_extend(struct tpm2_cmd *c, unsigned idx, const uint8_t *rsp_params,
                         size_t rsp_len, uint8_t *attrs)
{
	struct tpm2 *t = c->t;
	struct tpm2_auth *a = &c->auths[idx];
	struct tpm2_session *s = a->sess;
	uint8_t me = (uint8_t)(session_index(t, s) + 1), rp[TPM2_MAX_DIGEST];
	struct tpm2_hash h;
	size_t dsize = tpm2_hash_size(s->hash_alg);
	if (!(s->flags & TPM2_SESS_AUDIT) || (a->attrs & TPMA_SESSION_AUDITRESET)) {
		s->flags |= TPM2_SESS_AUDIT;
		s->flags &= ~(uint32_t)TPM2_SESS_BOUND;    /* an audit session is never bound */
		memset(s->audit_digest.buf, 0, dsize);
		s->audit_digest.size = (uint16_t)dsize;
		t->audit_exclusive_session = me;
	} else if (t->audit_exclusive_session != me) {
		t->audit_exclusive_session = 0;
	}
	if (t->audit_exclusive_session == me)
		*attrs |= TPMA_SESSION_AUDITEXCLUSIVE;
	else
		*attrs &= (uint8_t)~TPMA_SESSION_AUDITEXCLUSIVE;
	tpm2_rp_hash(c, s->hash_alg, TPM_RC_SUCCESS, rsp_params, rsp_len, rp);
	tpm2_hash_init(&h, s->hash_alg);
	tpm2_hash_update(&h, s->audit_digest.buf, s->audit_digest.size);
	tpm2_hash_update(&h, s->cmd_cp.buf, s->cmd_cp.size);
	tpm2_hash_update(&h, rp, dsize);
	tpm2_hash_final(&h, s->audit_digest.buf);
}

/* The authValue the response HMAC uses: the entity's current one (a command that changed it,
 * e.g. HierarchyChangeAuth, answers under the new value), or the one seen at check time if
 * the command flushed the entity (SequenceComplete). */
static void refresh_auth(struct tpm2_cmd *c, struct tpm2_auth *a)
{
	const struct tpm2b_digest *auth;
	if (a->auth_for < 0 || c->flushed_auth)
		return;
	auth = tpm2_entity_auth(c->t, c->handles[a->auth_for]);
	if (auth)
		a->sess->cmd_auth = *auth;
}

static size_t response_hmac(struct tpm2_cmd *c, unsigned idx, const uint8_t *rsp_params,
                            size_t rsp_len, uint8_t attrs, uint8_t *out)
{
	struct tpm2_auth *a = &c->auths[idx];
	struct tpm2_session *s = a->sess;
	uint8_t key[2 * TPM2_MAX_DIGEST], rp[TPM2_MAX_DIGEST];
	struct tpm2_hmac m;
	size_t klen, rlen;
	if (s->type != TPM_SE_HMAC) {
		if ((s->flags & TPM2_SESS_PASSWORD) && a->auth_for >= 0)
			return 0;
		if (!(s->cmd_state & TPM2_SCMD_INCLUDE_AUTH) && s->session_key.size == 0 &&
		    (s->cmd_state & TPM2_SCMD_EMPTY_HMAC))
			return 0;
	}
	refresh_auth(c, a);
	klen = hmac_key(s, key);
	rlen = tpm2_rp_hash(c, s->hash_alg, TPM_RC_SUCCESS, rsp_params, rsp_len, rp);
	tpm2_hmac_init(&m, s->hash_alg, key, klen);
	tpm2_zeroise(key, sizeof key);
	tpm2_hmac_update(&m, rp, rlen);
	tpm2_hmac_update(&m, s->nonce_tpm.buf, s->nonce_tpm.size);
	tpm2_hmac_update(&m, a->nonce, a->nonce_size);
	tpm2_hmac_update(&m, &attrs, 1);
	return tpm2_hmac_final(&m, out);
}

TPM_RC tpm2_session_respond(struct tpm2_cmd *c, unsigned sess_idx, const uint8_t *rsp_params,
                            size_t rsp_len, struct tpm2_wr *w)
{
	struct tpm2_auth *a = &c->auths[sess_idx];
	struct tpm2_session *s = a->sess;
	struct tpm2 *t = c->t;
	uint8_t attrs = a->attrs, mac[TPM2_MAX_DIGEST];
	size_t n;
	if (!(s->cmd_state & TPM2_SCMD_CHECKED) || !s->handle)
		return TPM_RC_FAILURE;    /* the handler flushed this session: cannot happen */
	roll_nonce(t, s);
	if (a->attrs & TPMA_SESSION_AUDIT)
		audit_extend(c, sess_idx, rsp_params, rsp_len, &attrs);
	n = response_hmac(c, sess_idx, rsp_params, rsp_len, attrs, mac);
	tpm2_wr_tpm2b(w, s->nonce_tpm.buf, s->nonce_tpm.size);
	tpm2_wr_u8(w, attrs);
	tpm2_wr_tpm2b(w, mac, n);
	if (s->type != TPM_SE_HMAC) {
		/* the nonce rolled: a new policy interval starts (reference UpdateInternalSession) */
		tpm2_policy_reset(s);
		s->start_time = t->clock;
	}
	s->cmd_state = 0;
	tpm2_zeroise(&s->cmd_auth, sizeof s->cmd_auth);
	if (!(a->attrs & TPMA_SESSION_CONTINUESESSION))
		tpm2_session_flush(t, s->handle);
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ contexts */

static void wr_digest(struct tpm2_wr *w, const struct tpm2b_digest *d)
{
	tpm2_wr_tpm2b(w, d->buf, d->size);
}

static void session_serialize(const struct tpm2_session *s, struct tpm2_wr *w)
{
	tpm2_wr_u64(w, s->context_seq);
	tpm2_wr_u32(w, s->handle);
	tpm2_wr_u8(w, s->type);
	tpm2_wr_u16(w, s->hash_alg);
	tpm2_wr_u16(w, s->symmetric.alg);
	tpm2_wr_u16(w, s->symmetric.key_bits);
	tpm2_wr_u16(w, s->symmetric.mode);
	wr_digest(w, &s->session_key);
	wr_digest(w, &s->nonce_tpm);
	wr_digest(w, &s->policy_digest);
	wr_digest(w, &s->bind_id);
	wr_digest(w, &s->audit_digest);
	wr_digest(w, &s->cp_hash);
	wr_digest(w, &s->template_hash);
	tpm2_wr_u32(w, s->command_code);
	tpm2_wr_u32(w, s->pcr_counter);
	tpm2_wr_u64(w, s->start_time);
	tpm2_wr_u64(w, s->timeout);
	tpm2_wr_u32(w, s->flags);
	tpm2_wr_u8(w, s->locality_mask);
}

static TPM_RC session_deserialize(struct tpm2_session *s, struct tpm2_rd *r)
{
	TPM2_TRY(tpm2_rd_u64(r, &s->context_seq));
	TPM2_TRY(tpm2_rd_u32(r, &s->handle));
	TPM2_TRY(tpm2_rd_u8(r, &s->type));
	TPM2_TRY(tpm2_rd_u16(r, &s->hash_alg));
	TPM2_TRY(tpm2_rd_u16(r, &s->symmetric.alg));
	TPM2_TRY(tpm2_rd_u16(r, &s->symmetric.key_bits));
	TPM2_TRY(tpm2_rd_u16(r, &s->symmetric.mode));
	TPM2_TRY(tpm2_rd_digest(r, &s->session_key));
	TPM2_TRY(tpm2_rd_digest(r, &s->nonce_tpm));
	TPM2_TRY(tpm2_rd_digest(r, &s->policy_digest));
	TPM2_TRY(tpm2_rd_digest(r, &s->bind_id));
	TPM2_TRY(tpm2_rd_digest(r, &s->audit_digest));
	TPM2_TRY(tpm2_rd_digest(r, &s->cp_hash));
	TPM2_TRY(tpm2_rd_digest(r, &s->template_hash));
	TPM2_TRY(tpm2_rd_u32(r, &s->command_code));
	TPM2_TRY(tpm2_rd_u32(r, &s->pcr_counter));
	TPM2_TRY(tpm2_rd_u64(r, &s->start_time));
	TPM2_TRY(tpm2_rd_u64(r, &s->timeout));
	TPM2_TRY(tpm2_rd_u32(r, &s->flags));
	TPM2_TRY(tpm2_rd_u8(r, &s->locality_mask));
	if (!tpm2_hash_size(s->hash_alg) || tpm2_rd_left(r))
		return TPM_RC_SIZE;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_session_context_save(struct tpm2 *t, uint32_t handle, struct tpm2_wr *w,
                                 uint64_t *sequence)
{
	struct tpm2_session *s = tpm2_session_lookup(t, handle);
	if (!s)
		return TPM_RC_REFERENCE_H0;
	s->context_seq = ++t->context_counter;
	session_serialize(s, w);
	*sequence = s->context_seq;
	/* The slot keeps only what identifies the saved context; the secrets live in the blob. */
	{
		uint32_t h = s->handle;
		uint64_t seq = s->context_seq;
		unsigned me = session_index(t, s) + 1;
		tpm2_zeroise(s, sizeof *s);
		s->handle = h;
		s->context_seq = seq;
		s->saved = 1;
		if (t->audit_exclusive_session == me)
			t->audit_exclusive_session = 0;
	}
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_session_context_load(struct tpm2 *t, uint32_t handle, struct tpm2_rd *r)
{
	struct tpm2_session tmp, *s = NULL;
	TPM_RC rc;
	for (unsigned i = 0; i < TPM2_SESSION_SLOTS; i++)
		if (t->sessions[i].handle == handle && t->sessions[i].saved)
			s = &t->sessions[i];
	if (!s)
		return TPM_RC_HANDLE;      /* not saved (any more): flushed, loaded, or a reboot */
	memset(&tmp, 0, sizeof tmp);
	rc = session_deserialize(&tmp, r);
	if (rc || tmp.handle != handle)
		rc = TPM_RC_INTEGRITY;     /* authentic but unreadable */
	else if (tmp.context_seq != s->context_seq)
		rc = TPM_RC_HANDLE;        /* an older context of this session: replay */
	if (rc) {
		tpm2_zeroise(&tmp, sizeof tmp);
		return rc;
	}
	*s = tmp;
	s->saved = 0;
	tpm2_zeroise(&tmp, sizeof tmp);
	return TPM_RC_SUCCESS;
}
