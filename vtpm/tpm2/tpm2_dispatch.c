/*
 * Command dispatch (TPM 2.0 Part 3, section 5 "Command Processing"): header checks, handle
 * validation, authorization area, password/session authorization, parameter (de/en)cryption,
 * the handler, and the response with its authorization area.  All per-command knowledge lives
 * in the table (tpm2_commands.h); this file only interprets it.
 */
#include "tpm2_internal.h"

/* ------------------------------------------------------------------ the table */

#define NONE  TPM2_ROLE_NONE
#define USER  TPM2_ROLE_USER
#define ADMIN TPM2_ROLE_ADMIN
#define DUP   TPM2_ROLE_DUP
#define PCR  TPM2_HK_PCR
#define NV   TPM2_HK_NV
#define HS   TPM2_HK_HS
#define PS   TPM2_HK_PS
#define OWN  TPM2_HK_OWN
#define END  TPM2_HK_END
#define PLAT TPM2_HK_PLAT
#define LOCK TPM2_HK_LOCK
#define NUL  TPM2_HK_NUL
#define TR   TPM2_HK_TR
#define PER  TPM2_HK_PER
#define K(x) (x)
#define F_NV TPM2_F_NV
#define F_EXT TPM2_F_EXT
#define F_FLU TPM2_F_FLU
#define F_DEC TPM2_F_DEC
#define F_ENC TPM2_F_ENC
#define F_NOSESS TPM2_F_NOSESS
#define IMPL_Y(name) tpm2_cc_##name
#define IMPL_N(name) NULL
#define X(name, code, hin, hout, r1, r2, r3, k1, k2, k3, fl, impl) \
	{ code, hin, hout, { r1, r2, r3 }, { k1, k2, k3 }, fl, 0, IMPL_##impl(name), #name },

const struct tpm2_cmd_desc tpm2_cmd_table[] = {
#include "tpm2_commands.h"
};
const unsigned tpm2_cmd_table_len = sizeof tpm2_cmd_table / sizeof tpm2_cmd_table[0];
/* one command-audit bit per row (tpm2_types.h) */
_Static_assert(sizeof tpm2_cmd_table / sizeof tpm2_cmd_table[0] <= TPM2_AUDIT_BITMAP_BYTES * 8,
               "grow TPM2_AUDIT_BITMAP_BYTES with the command table");

#undef X
#undef NONE
#undef USER
#undef ADMIN
#undef DUP
#undef PCR
#undef NV
#undef HS
#undef PS
#undef OWN
#undef END
#undef PLAT
#undef LOCK
#undef NUL
#undef TR
#undef PER
#undef K

const struct tpm2_cmd_desc *tpm2_cmd_find(TPM_CC cc)
{
	unsigned lo = 0, hi = tpm2_cmd_table_len;
	if (cc > 0xFFFF)
		return NULL;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		const struct tpm2_cmd_desc *d = &tpm2_cmd_table[mid];
		if (d->cc == cc)
			return d->fn ? d : NULL;
		if (d->cc < cc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

uint32_t tpm2_cmd_tpma(const struct tpm2_cmd_desc *d)
{
	uint32_t a = d->cc;
	if (d->flags & TPM2_F_NV)
		a |= TPMA_CC_NV;
	if (d->flags & TPM2_F_EXT)
		a |= TPMA_CC_EXTENSIVE;
	if (d->flags & TPM2_F_FLU)
		a |= TPMA_CC_FLUSHED;
	a |= (uint32_t)d->handles_in << TPMA_CC_CHANDLES_SHIFT;
	if (d->handle_out)
		a |= TPMA_CC_RHANDLE;
	return a;
}

TPM_RC tpm2_in_done(struct tpm2_cmd *c)
{
	return tpm2_rd_left(&c->in) ? TPM_RC_SIZE : TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ command parsing */

static TPM_RC parse_handles(struct tpm2_cmd *c, struct tpm2_rd *r)
{
	for (unsigned i = 0; i < c->desc->handles_in; i++) {
		uint32_t h;
		TPM_RC rc;
		TPM2_H(i + 1, tpm2_rd_u32(r, &h));
		if (!(tpm2_handle_kind(h) & c->desc->kinds[i]))
			return TPM2_RC_H(TPM_RC_VALUE, i + 1);
		rc = tpm2_entity_check(c->t, h);
		if (rc == TPM_RC_REFERENCE_H0)
			return rc + i;
		if (rc)
			return TPM2_RC_H(rc, i + 1);
		c->handles[i] = h;
	}
	return TPM_RC_SUCCESS;
}

static unsigned handles_needing_auth(const struct tpm2_cmd_desc *d)
{
	unsigned n = 0;
	for (unsigned i = 0; i < d->handles_in; i++)
		if (d->role[i] != TPM2_ROLE_NONE)
			n++;
	return n;
}

static TPM_RC parse_one_session(struct tpm2_cmd *c, struct tpm2_rd *r, unsigned n)
{
	struct tpm2_auth *a = &c->auths[n];
	TPM2_TRY(tpm2_rd_u32(r, &a->handle));
	TPM2_TRY(tpm2_rd_tpm2b(r, &a->nonce, &a->nonce_size, TPM2_MAX_DIGEST));
	TPM2_TRY(tpm2_rd_u8(r, &a->attrs));
	TPM2_TRY(tpm2_rd_tpm2b(r, &a->hmac, &a->hmac_size, TPM2_MAX_DIGEST));
	if (a->handle == TPM_RS_PW) {
		a->sess = NULL;
		/* a password carries no nonce and can't audit or encrypt */
		if (a->attrs & (TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT | TPMA_SESSION_AUDIT |
		                TPMA_SESSION_AUDITEXCLUSIVE | TPMA_SESSION_AUDITRESET))
			return TPM_RC_ATTRIBUTES;
		return TPM_RC_SUCCESS;
	}
	if (HANDLE_TYPE(a->handle) != TPM_HT_HMAC_SESSION &&
	    HANDLE_TYPE(a->handle) != TPM_HT_POLICY_SESSION)
		return TPM_RC_VALUE;
	a->sess = tpm2_session_lookup(c->t, a->handle);
	if (!a->sess)
		return TPM_RC_REFERENCE_S0;
	return TPM_RC_SUCCESS;
}

static TPM_RC check_session_attrs(struct tpm2_cmd *c)
{
	unsigned dec = 0, enc = 0;
	for (unsigned i = 0; i < c->n_auths; i++) {
		uint8_t at = c->auths[i].attrs;
		if ((at & TPMA_SESSION_DECRYPT) && (!(c->desc->flags & TPM2_F_DEC) || dec++))
			return TPM2_RC_S(TPM_RC_ATTRIBUTES, i + 1);
		if ((at & TPMA_SESSION_ENCRYPT) && (!(c->desc->flags & TPM2_F_ENC) || enc++))
			return TPM2_RC_S(TPM_RC_ATTRIBUTES, i + 1);
		for (unsigned j = 0; j < i; j++)   /* one session used twice (reference: HANDLE) */
			if (c->auths[j].handle == c->auths[i].handle && c->auths[i].sess)
				return TPM2_RC_S(TPM_RC_HANDLE, i + 1);
	}
	return TPM_RC_SUCCESS;
}

static TPM_RC parse_sessions(struct tpm2_cmd *c, struct tpm2_rd *r)
{
	uint32_t size;
	struct tpm2_rd ar;
	unsigned needed = handles_needing_auth(c->desc);
	if (c->tag == TPM_ST_NO_SESSIONS)
		return needed ? TPM_RC_AUTH_MISSING : TPM_RC_SUCCESS;
	if (c->desc->flags & TPM2_F_NOSESS)
		return TPM_RC_AUTH_CONTEXT;
	/* As the reference TPM and libtpms: an authorizationSize too small for one session or
	 * beyond the command is TPM_RC_SIZE; a session that doesn't unmarshal is numbered
	 * (+S+n); a 4th session is TPM_RC_SIZE+S+4. */
	if (tpm2_rd_u32(r, &size))
		return TPM_RC_AUTHSIZE;
	if (size < 9 || size > tpm2_rd_left(r))
		return TPM_RC_SIZE;
	tpm2_rd_init(&ar, r->p + r->off, size);
	r->off += size;
	while (tpm2_rd_left(&ar)) {
		TPM_RC rc;
		if (c->n_auths == 3)
			return TPM2_RC_S(TPM_RC_SIZE, 4);
		rc = parse_one_session(c, &ar, c->n_auths);
		if (rc == TPM_RC_REFERENCE_S0)
			return rc + c->n_auths;
		if (rc)
			return TPM2_RC_S(rc, c->n_auths + 1);
		c->n_auths++;
	}
	if (c->n_auths < needed)
		return TPM_RC_AUTH_MISSING;
	for (unsigned i = 0, h = 0; i < c->n_auths; i++) {
		while (h < c->desc->handles_in && c->desc->role[h] == TPM2_ROLE_NONE)
			h++;
		c->auths[i].auth_for = (int8_t)(h < c->desc->handles_in ? (int)h++ : -1);
		/* a password authorizes a handle or nothing: one without a handle is +S+n */
		if (c->auths[i].auth_for < 0 && !c->auths[i].sess)
			return TPM2_RC_S(TPM_RC_HANDLE, i + 1);
	}
	return check_session_attrs(c);
}

/* The first parameter of a command with F_DEC is a TPM2B: decrypt its bytes in a copy. */
static TPM_RC decrypt_first_param(struct tpm2_cmd *c)
{
	for (unsigned i = 0; i < c->n_auths; i++) {
		uint16_t size;
		if (!(c->auths[i].attrs & TPMA_SESSION_DECRYPT))
			continue;
		if (c->params_len < 2 || (size = tpm2_get_u16(c->params)) > c->params_len - 2)
			return TPM2_RC_P(TPM_RC_INSUFFICIENT, 1);
		memcpy(c->t->io, c->params, c->params_len);
		c->io_used = c->params_len;   /* plaintext secrets from here on: wiped after the command */
		TPM2_TRY(tpm2_session_decrypt(c, i, c->t->io + 2, size));
		tpm2_rd_init(&c->in, c->t->io, c->params_len);
		return TPM_RC_SUCCESS;
	}
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ response */

static size_t error_response(uint8_t *rsp, TPM_RC rc)
{
	tpm2_put_u16(rsp, TPM_ST_NO_SESSIONS);
	tpm2_put_u32(rsp + 2, 10);
	tpm2_put_u32(rsp + 6, rc);
	return 10;
}

/* The command audit algorithm: SHA-256 until SetCommandCodeAuditStatus chooses one (the
 * reference TPM is manufactured with one).  SetCommandCodeAuditStatus is always audited. */
static uint16_t audit_alg(const struct tpm2 *t)
{
	return t->audit_alg == 0 || t->audit_alg == TPM_ALG_NULL ? TPM_ALG_SHA256 : t->audit_alg;
}

static bool cmd_audited(struct tpm2 *t, const struct tpm2_cmd_desc *d)
{
	unsigned idx = (unsigned)(d - tpm2_cmd_table);
	return (t->audit_cmds[idx / 8] >> (idx % 8) & 1) ||
	       d->cc == (TPM_CC_SetCommandCodeAuditStatus & 0xFFFF);
}

/* Command audit: cpHash is taken before the command runs (its handles' Names may change, e.g.
 * NV_Write sets WRITTEN), as the reference TPM does; audited-or-not is decided then too. */
struct cmd_audit {
	uint16_t alg;                   /* 0: command not audited */
	uint8_t cp[TPM2_MAX_DIGEST];
	size_t cp_len;
};

static void audit_begin(struct tpm2_cmd *c, struct cmd_audit *au)
{
	au->alg = cmd_audited(c->t, c->desc) ? audit_alg(c->t) : 0;
	if (au->alg)
		au->cp_len = tpm2_cp_hash(c, au->alg, au->cp);
}

static void audit_update(struct tpm2_cmd *c, const struct cmd_audit *au, const uint8_t *params,
                         size_t len)
{
	struct tpm2 *t = c->t;
	uint8_t rp[TPM2_MAX_DIGEST];
	struct tpm2_hash h;
	size_t n = au->cp_len;
	if (!au->alg || au->alg != audit_alg(t))
		return;     /* not audited, or SetCommandCodeAuditStatus changed the algorithm */
	tpm2_rp_hash(c, au->alg, TPM_RC_SUCCESS, params, len, rp);
	if (t->audit_digest.size == 0) {    /* first audited command since the reset: */
		t->audit_counter++;             /* the digest starts as zeros (Part 3, 21.1) */
		memset(t->audit_digest.buf, 0, sizeof t->audit_digest.buf);
		t->audit_digest.size = (uint16_t)n;
	}
	tpm2_hash_init(&h, au->alg);
	tpm2_hash_update(&h, t->audit_digest.buf, t->audit_digest.size);
	tpm2_hash_update(&h, au->cp, n);
	tpm2_hash_update(&h, rp, n);
	t->audit_digest.size = (uint16_t)tpm2_hash_final(&h, t->audit_digest.buf);
}

/* Handles, parameterSize, encryption, authorization area, header. */
static TPM_RC finish_response(struct tpm2_cmd *c, uint8_t *rsp, size_t limit, size_t param_off,
                              const struct cmd_audit *au, size_t *out_len)
{
	struct tpm2_wr w;
	uint8_t *params = rsp + param_off;
	size_t plen = c->out.off;
	if (c->out.overflow)
		return TPM_RC_SIZE;
	if (c->desc->handle_out)
		tpm2_put_u32(rsp + 10, c->rsp_handle);
	for (unsigned i = 0; i < c->n_auths; i++) {
		uint16_t size;
		if (!(c->auths[i].attrs & TPMA_SESSION_ENCRYPT))
			continue;
		if (plen < 2 || (size = tpm2_get_u16(params)) > plen - 2)
			return TPM_RC_FAILURE;
		TPM2_TRY(tpm2_session_encrypt(c, i, params + 2, size));
	}
	audit_update(c, au, params, plen);
	if (!(c->desc->flags & TPM2_F_NOSESS)) {
		bool audited = false;   /* by an audit session: else the exclusive one is no more */
		for (unsigned i = 0; i < c->n_auths; i++)
			audited |= (c->auths[i].attrs & TPMA_SESSION_AUDIT) != 0;
		if (!audited)
			c->t->audit_exclusive_session = 0;
	}
	tpm2_wr_init(&w, rsp, limit);
	w.off = param_off + plen;
	if (c->tag == TPM_ST_SESSIONS) {
		tpm2_put_u32(rsp + param_off - 4, (uint32_t)plen);
		for (unsigned i = 0; i < c->n_auths; i++) {
			struct tpm2_auth *a = &c->auths[i];
			if (a->sess) {
				TPM2_TRY(tpm2_session_respond(c, i, params, plen, &w));
			} else {
				tpm2_wr_u16(&w, 0);                      /* nonceTPM */
				tpm2_wr_u8(&w, a->attrs & TPMA_SESSION_CONTINUESESSION);
				tpm2_wr_u16(&w, 0);                      /* hmac */
			}
		}
	}
	if (w.overflow)
		return TPM_RC_SIZE;
	tpm2_put_u16(rsp, c->tag);
	tpm2_put_u32(rsp + 2, (uint32_t)w.off);
	tpm2_put_u32(rsp + 6, TPM_RC_SUCCESS);
	*out_len = w.off;
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ execute */

static TPM_RC parse_header(struct tpm2_cmd *c, const uint8_t *cmd, size_t len)
{
	uint32_t size;
	if (len < 2)
		return TPM_RC_INSUFFICIENT;
	c->tag = tpm2_get_u16(cmd);
	if (c->tag != TPM_ST_NO_SESSIONS && c->tag != TPM_ST_SESSIONS)
		return TPM_RC_BAD_TAG;
	if (len < 10)
		return TPM_RC_INSUFFICIENT;
	size = tpm2_get_u32(cmd + 2);
	if (size != len || size > TPM2_MAX_COMMAND_SIZE)
		return TPM_RC_COMMAND_SIZE;
	c->cc = tpm2_get_u32(cmd + 6);
	c->desc = tpm2_cmd_find(c->cc);
	if (!c->desc)
		return TPM_RC_COMMAND_CODE;
	if (!c->t->started != (c->cc == TPM_CC_Startup))
		return TPM_RC_INITIALIZE;
	return TPM_RC_SUCCESS;
}

static TPM_RC execute(struct tpm2_cmd *c, const uint8_t *cmd, size_t len, uint8_t *rsp,
                      size_t limit, size_t *out_len)
{
	struct tpm2_rd r;
	struct cmd_audit au;
	size_t param_off;
	TPM_RC rc;
	TPM2_TRY(parse_header(c, cmd, len));
	tpm2_rd_init(&r, cmd, len);
	r.off = 10;
	tpm2_clock_update(c->t);
	TPM2_TRY(parse_handles(c, &r));
	TPM2_TRY(parse_sessions(c, &r));
	c->params = r.p + r.off;
	c->params_len = tpm2_rd_left(&r);
	tpm2_rd_init(&c->in, c->params, c->params_len);
	TPM2_TRY(tpm2_auth_check_all(c));
	TPM2_TRY(decrypt_first_param(c));
	param_off = 10 + 4u * c->desc->handle_out + (c->tag == TPM_ST_SESSIONS ? 4 : 0);
	if (limit < param_off)
		return TPM_RC_SIZE;
	tpm2_wr_init(&c->out, rsp + param_off, limit - param_off);
	audit_begin(c, &au);
	rc = c->desc->fn(c);
	if (rc)
		return rc;
	return finish_response(c, rsp, limit, param_off, &au, out_len);
}

/* ------------------------------------------------------------------ residue
 * A command's secrets (decrypted parameters, new authValues, sensitive data, the authorized
 * entity's authValue, key material in the handlers' and the crypto layer's frames) must not
 * outlive it in the engine's buffers or on the stack. */

/* memset through a volatile pointer: a wipe the compiler may not drop, at memset's speed. */
static void *(*const volatile wipe)(void *, int, size_t) = memset;

/* Stack below tpm2_execute()'s frame that is overwritten after every command.  The engine's
 * deepest paths (Import, RSA private operations through the Montgomery window) use about
 * 15 KiB (clang -fstack-usage), so the scrub asks for no stack the engine does not already
 * need; the hypervisor runs it on the BSP's 64 KiB stack. */
#define STACK_SCRUB_BYTES 16384u

static void scrub_stack(void)
{
	uint8_t area[STACK_SCRUB_BYTES];
	wipe(area, 0, sizeof area);
}
/* called through a volatile pointer so that it is not inlined into tpm2_execute's frame */
static void (*const volatile scrub_stack_call)(void) = scrub_stack;

static void wipe_residue(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	if (c->io_used)
		wipe(t->io, 0, c->io_used);
	for (unsigned i = 0; i < TPM2_SESSION_SLOTS; i++)   /* per-command scratch of sessions */
		wipe(&t->sessions[i].cmd_auth, 0, sizeof t->sessions[i].cmd_auth);
	scrub_stack_call();
}

size_t tpm2_execute(struct tpm2 *t, uint8_t locality, const uint8_t *cmd, size_t cmd_len,
                    uint8_t *rsp, size_t rsp_max)
{
	struct tpm2_cmd c;
	size_t limit = rsp_max < TPM2_MAX_RESPONSE_SIZE ? rsp_max : TPM2_MAX_RESPONSE_SIZE;
	size_t out_len = 0;
	TPM_RC rc;
	if (rsp_max < 10)
		return 0;
	memset(&c, 0, sizeof c);
	c.t = t;
	c.locality = locality;
	if (cmd_len && (uintptr_t)cmd < (uintptr_t)rsp + rsp_max &&
	    (uintptr_t)rsp < (uintptr_t)cmd + cmd_len)
		rc = TPM_RC_FAILURE;   /* overlapping buffers: see tpm2.h */
	else if (!t->powered)
		rc = TPM_RC_INITIALIZE;
	else if (locality > 4)
		rc = TPM_RC_LOCALITY;
	else
		rc = execute(&c, cmd, cmd_len, rsp, limit, &out_len);
	if (t->drtm.active)
		tpm2_drtm_abort(t);     /* a command between _TPM_Hash_Start and _End ends it */
	if (c.desc)
		wipe_residue(&c);
	if (rc != TPM_RC_SUCCESS) {
		/* a handler may have written plaintext (Unseal, a new key's private part) before a
		 * later step failed: none of it stays behind the 10-byte error response */
		wipe(rsp + 10, 0, limit - 10);
		return error_response(rsp, rc);
	}
	return out_len;
}
