/*
 * TPM2_StartAuthSession (Part 3, 11.1): HMAC, policy and trial sessions; unsalted, RSA-salted
 * (OAEP, label "SECRET", the tpmKey's nameAlg) and ECC-salted (one-pass ECDH + KDFe "SECRET");
 * bound or not.
 *
 *   sessionKey = KDFa(authHash, bind.authValue || salt, "ATH", nonceTPM, nonceCaller,
 *                     digestBits(authHash))          (empty if both inputs are empty)
 */
#include "tpm2_session.h"
#include "tpm2_keys.h"

#define MAX_ENCRYPTED_SECRET TPM2_MAX_SECRET   /* TPM2B_ENCRYPTED_SECRET body */

struct start_params {
	struct tpm2b_digest nonce_caller;
	const uint8_t *salt_in;
	uint16_t salt_in_len;
	uint8_t type;
	struct tpmt_sym_def sym;
	uint16_t auth_hash;
};

static TPM_RC read_params(struct tpm2_cmd *c, struct start_params *p)
{
	TPM2_P(1, tpm2_rd_digest(&c->in, &p->nonce_caller));
	TPM2_P(2, tpm2_rd_tpm2b(&c->in, &p->salt_in, &p->salt_in_len, MAX_ENCRYPTED_SECRET));
	TPM2_P(3, tpm2_rd_u8(&c->in, &p->type));
	if (p->type != TPM_SE_HMAC && p->type != TPM_SE_POLICY && p->type != TPM_SE_TRIAL)
		return TPM2_RC_P(TPM_RC_VALUE, 3);
	TPM2_P(4, tpm2_rd_sym_def(&c->in, &p->sym, true, true));
	TPM2_P(5, tpm2_rd_alg_hash(&c->in, &p->auth_hash, false));
	TPM2_TRY(tpm2_in_done(c));
	if (p->sym.alg == TPM_ALG_AES && p->sym.mode != TPM_ALG_CFB)
		return TPM2_RC_P(TPM_RC_MODE, 4);
	if (p->nonce_caller.size < 16 || p->nonce_caller.size > tpm2_hash_size(p->auth_hash))
		return TPM2_RC_P(TPM_RC_SIZE, 1);
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ salt */

static TPM_RC decrypt_salt(struct tpm2_cmd *c, const struct start_params *p, uint8_t *salt,
                           size_t *salt_len)
{
	struct tpm2_object *o;
	TPM_RC rc;
	*salt_len = 0;
	if (c->handles[0] == TPM_RH_NULL)
		return p->salt_in_len ? TPM2_RC_P(TPM_RC_VALUE, 2) : TPM_RC_SUCCESS;
	o = tpm2_object_find(c->t, c->handles[0]);
	if (!o || (o->pub.type != TPM_ALG_RSA && o->pub.type != TPM_ALG_ECC))
		return TPM2_RC_H(TPM_RC_KEY, 1);
	if (!(o->pub.attrs & TPMA_OBJECT_DECRYPT))
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 1);
	if ((o->flags & TPM2_OBJ_PUBLIC_ONLY) || o->sens.sensitive.size == 0)
		return TPM2_RC_H(TPM_RC_HANDLE, 1);     /* public part only (LoadExternal) */
	if (p->salt_in_len == 0)
		return TPM2_RC_P(TPM_RC_VALUE, 2);
	/* the objects family's secret exchange: RSA-OAEP / ECDH + KDFe, label "SECRET" */
	rc = tpm2_keys_secret_recover(o, "SECRET", p->salt_in, p->salt_in_len, salt, salt_len);
	if (rc == TPM_RC_KEY || rc == TPM_RC_TYPE)
		return TPM2_RC_H(TPM_RC_KEY, 1);
	/* any undecryptable salt (bad padding, point off the curve, short) is VALUE, as the
	 * reference TPM answers */
	return rc ? TPM2_RC_P(TPM_RC_VALUE, 2) : TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ the command */

static void bind_session(struct tpm2 *t, struct tpm2_session *s, uint32_t bind)
{
	if (bind == TPM_RH_NULL || s->type != TPM_SE_HMAC)
		return;    /* policy sessions are never "bound" (only their key depends on bind) */
	s->bind_id.size = (uint16_t)tpm2_session_bind_id(t, bind, s->bind_id.buf);
	s->flags |= TPM2_SESS_BOUND;
	if (bind == TPM_RH_LOCKOUT)
		s->flags |= TPM2_SESS_DA_BOUND | TPM2_SESS_LOCKOUT_BOUND;
	else if (tpm2_entity_is_da(t, bind))
		s->flags |= TPM2_SESS_DA_BOUND;
}

TPM_RC tpm2_cc_StartAuthSession(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	struct start_params p;
	struct tpm2_session *s;
	uint8_t salt[TPM2_MAX_DIGEST], key_in[2 * TPM2_MAX_DIGEST];
	size_t salt_len, key_len = 0, dsize;
	const struct tpm2b_digest *bind_auth = NULL;
	TPM2_TRY(read_params(c, &p));
	TPM2_TRY(decrypt_salt(c, &p, salt, &salt_len));
	s = tpm2_session_alloc(t, p.type);
	if (!s) {
		tpm2_zeroise(salt, sizeof salt);
		return TPM_RC_SESSION_MEMORY;
	}
	dsize = tpm2_hash_size(p.auth_hash);
	s->hash_alg = p.auth_hash;
	s->symmetric = p.sym;
	s->nonce_tpm.size = (uint16_t)dsize;
	tpm2_random(t, s->nonce_tpm.buf, dsize);
	if (c->handles[1] != TPM_RH_NULL)
		bind_auth = tpm2_entity_auth(t, c->handles[1]);
	if (bind_auth) {
		memcpy(key_in, bind_auth->buf, bind_auth->size);
		key_len = bind_auth->size;
	}
	memcpy(key_in + key_len, salt, salt_len);
	key_len += salt_len;
	if (key_len) {
		tpm2_kdfa(p.auth_hash, key_in, key_len, "ATH", s->nonce_tpm.buf, dsize,
		          p.nonce_caller.buf, p.nonce_caller.size, (uint32_t)dsize * 8,
		          s->session_key.buf);
		s->session_key.size = (uint16_t)dsize;
	}
	tpm2_zeroise(key_in, sizeof key_in);
	tpm2_zeroise(salt, sizeof salt);
	bind_session(t, s, c->handles[1]);
	tpm2_clock_update(t);
	s->start_time = t->clock;
	tpm2_policy_reset(s);
	c->rsp_handle = s->handle;
	tpm2_wr_tpm2b(&c->out, s->nonce_tpm.buf, dsize);
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ shared helpers */

void tpm2_wr_clock_info(struct tpm2_wr *w, struct tpm2 *t)
{
	tpm2_wr_u64(w, t->clock);
	tpm2_wr_u32(w, t->reset_count);
	tpm2_wr_u32(w, t->restart_count);
	tpm2_wr_u8(w, t->clock_safe);
}
