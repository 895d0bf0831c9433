/*
 * Attestation (Part 3, 18) and audit commands: Quote, Certify, CertifyCreation, GetTime,
 * NV_Certify, GetSessionAuditDigest, GetCommandAuditDigest, SetCommandCodeAuditStatus.
 *
 * Every attestation writes TPM2B_ATTEST = TPMS_ATTEST
 *   magic TPM_GENERATED_VALUE | type | qualifiedSigner | extraData | clockInfo |
 *   firmwareVersion | attested (per type)
 * and a TPMT_SIGNATURE over H_scheme(TPMS_ATTEST) (keyed-hash keys: HMAC(key, H(TPMS_ATTEST)),
 * as the reference) with the signing key's scheme (or inScheme
 * when the key has none); signHandle TPM_RH_NULL gives an unsigned structure (sigAlg NULL,
 * qualifiedSigner = TPM_RH_NULL's Name).
 * When the signer is not in the endorsement or platform hierarchy, resetCount, restartCount
 * and firmwareVersion are obfuscated (Part 1, "Privacy"): each plus a value from
 * KDFa(SHA-256, shProof, "OBFUSCATE", signer Name, -, 128).
 */
#include "tpm2_session.h"
#include "tpm2_keys.h"

#define MAX_DATA 66u    /* TPM2B_DATA: sizeof(TPMT_HA) */
#define FIRMWARE_VERSION 0x0001000000000000ull   /* TPM_PT_FIRMWARE_VERSION_1 || _2 */
/* Largest TPMS_ATTEST we build: NV_Certify of TPM2_MAX_NV_BUFFER bytes plus the header
 * (names, extraData, clock) stays well below this; kept small for the hypervisor's stack. */
#define ATTEST_MAX 1536u

struct attest_ctx {
	struct tpm2_cmd *c;
	uint32_t sign_handle;
	struct tpmt_scheme scheme;      /* resolved signing scheme (alg NULL: unsigned) */
	const uint8_t *extra;
	uint16_t extra_len;
	uint8_t buf[ATTEST_MAX];
	struct tpm2_wr w;
};

/* ------------------------------------------------------------------ signing */

/* The scheme TPM2_Sign would use: the key's own, or inScheme if the key has none; a different
 * inScheme is TPM_RC_SCHEME.  Base codes (callers number them). */
static TPM_RC resolve_scheme(struct tpm2 *t, uint32_t key, const struct tpmt_scheme *in,
                             struct tpmt_scheme *out, bool *bad_key)
{
	struct tpm2_object *o;
	*bad_key = false;
	memset(out, 0, sizeof *out);
	out->alg = TPM_ALG_NULL;
	if (key == TPM_RH_NULL)
		return TPM_RC_SUCCESS;
	o = tpm2_object_find(t, key);
	if (!o || !(o->pub.attrs & TPMA_OBJECT_SIGN_ENCRYPT) ||
	    (o->pub.type != TPM_ALG_RSA && o->pub.type != TPM_ALG_ECC &&
	     o->pub.type != TPM_ALG_KEYEDHASH) ||
	    (o->flags & TPM2_OBJ_PUBLIC_ONLY)) {
		*bad_key = true;
		return TPM_RC_KEY;
	}
	if (o->pub.scheme.alg != TPM_ALG_NULL) {
		if (in->alg != TPM_ALG_NULL &&
		    (in->alg != o->pub.scheme.alg || in->hash != o->pub.scheme.hash))
			return TPM_RC_SCHEME;
		*out = in->alg != TPM_ALG_NULL ? *in : o->pub.scheme;   /* ECDAA: the caller's count */
	} else {
		if (in->alg == TPM_ALG_NULL)
			return TPM_RC_SCHEME;
		*out = *in;
	}
	if (!(o->pub.type == TPM_ALG_RSA ? out->alg == TPM_ALG_RSASSA || out->alg == TPM_ALG_RSAPSS
	      : o->pub.type == TPM_ALG_ECC ? out->alg == TPM_ALG_ECDSA || out->alg == TPM_ALG_ECDAA
	      : out->alg == TPM_ALG_HMAC))       /* keyed-hash: an HMAC "signature" (reference) */
		return TPM_RC_SCHEME;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_attest_sign(struct tpm2 *t, uint32_t key_handle, struct tpmt_scheme *scheme,
                        const uint8_t *msg, size_t msg_len, struct tpmt_signature *sig)
{
	struct tpm2_object *o = tpm2_object_find(t, key_handle);
	uint8_t digest[TPM2_MAX_DIGEST];
	size_t dlen;
	memset(sig, 0, sizeof *sig);
	sig->alg = scheme->alg;
	sig->hash = scheme->hash;
	if (scheme->alg == TPM_ALG_NULL)
		return TPM_RC_SUCCESS;
	if (!o)
		return TPM_RC_KEY;
	dlen = tpm2_hash_buf(scheme->hash, msg, msg_len, digest);
	return tpm2_sign_digest(t, o, scheme, digest, dlen, sig);
}

/* ------------------------------------------------------------------ TPMS_ATTEST */

/* Reads qualifyingData and inScheme (parameters p and p+1) and resolves the scheme. */
static TPM_RC attest_begin(struct attest_ctx *a, struct tpm2_cmd *c, uint32_t sign_handle,
                           unsigned sign_h, unsigned p)
{
	struct tpmt_scheme in;
	bool bad_key;
	TPM_RC rc;
	a->c = c;
	a->sign_handle = sign_handle;
	TPM2_P(p, tpm2_rd_tpm2b(&c->in, &a->extra, &a->extra_len, MAX_DATA));
	TPM2_P(p + 1, tpm2_rd_sig_scheme(&c->in, &in, true));
	rc = resolve_scheme(c->t, sign_handle, &in, &a->scheme, &bad_key);
	if (rc)
		return bad_key ? TPM2_RC_H(rc, sign_h) : TPM2_RC_P(rc, p + 1);
	return TPM_RC_SUCCESS;
}

static void obfuscation(struct tpm2 *t, const uint8_t *name, size_t name_len, uint8_t out[16])
{
	tpm2_kdfa(TPM_ALG_SHA256, t->sh_proof, TPM2_MAX_DIGEST, "OBFUSCATE", name, name_len, NULL,
	          0, 128, out);
}

/* magic .. firmwareVersion; the caller appends `attested`. */
static void attest_header(struct attest_ctx *a, uint16_t type)
{
	struct tpm2 *t = a->c->t;
	struct tpm2_object *o = tpm2_object_find(t, a->sign_handle);
	uint32_t reset = t->reset_count, restart = t->restart_count;
	uint64_t fw = FIRMWARE_VERSION;
	tpm2_clock_update(t);
	tpm2_wr_init(&a->w, a->buf, sizeof a->buf);
	tpm2_wr_u32(&a->w, TPM_GENERATED_VALUE);
	tpm2_wr_u16(&a->w, type);
	if (o) {
		/* an anonymous (ECDAA) signer is not named; its obfuscation uses that empty name */
		bool anon = a->scheme.alg == TPM_ALG_ECDAA;
		tpm2_wr_tpm2b(&a->w, o->qname.buf, anon ? 0 : o->qname.size);
		if (o->hierarchy != TPM_RH_ENDORSEMENT && o->hierarchy != TPM_RH_PLATFORM) {
			uint8_t ob[16];
			obfuscation(t, o->name.buf, anon ? 0 : o->name.size, ob);
			fw += (uint64_t)tpm2_get_u32(ob) << 32 | tpm2_get_u32(ob + 4);
			reset += tpm2_get_u32(ob + 8);
			restart += tpm2_get_u32(ob + 12);
		}
	} else {
		tpm2_wr_u16(&a->w, 4);                /* TPM_RH_NULL's Name, as the reference */
		tpm2_wr_u32(&a->w, TPM_RH_NULL);
	}
	/* anonymous: qualifyingData is not shown but signed, H(qualifyingData || H(attest)) */
	tpm2_wr_tpm2b(&a->w, a->extra, a->scheme.alg == TPM_ALG_ECDAA ? 0 : a->extra_len);
	tpm2_wr_u64(&a->w, t->clock);
	tpm2_wr_u32(&a->w, reset);
	tpm2_wr_u32(&a->w, restart);
	tpm2_wr_u8(&a->w, t->clock_safe);
	tpm2_wr_u64(&a->w, fw);
}

/* Sign and write TPM2B_ATTEST + TPMT_SIGNATURE as the response. */
static TPM_RC attest_finish(struct attest_ctx *a)
{
	struct tpmt_signature sig;
	if (a->w.overflow)
		return TPM_RC_SIZE;
	if (a->scheme.alg == TPM_ALG_ECDAA && a->extra_len) {
		struct tpm2_hash h;
		uint8_t d[TPM2_MAX_DIGEST];
		size_t n = tpm2_hash_buf(a->scheme.hash, a->buf, a->w.off, d);
		tpm2_hash_init(&h, a->scheme.hash);
		tpm2_hash_update(&h, a->extra, a->extra_len);
		tpm2_hash_update(&h, d, n);
		n = tpm2_hash_final(&h, d);
		TPM2_TRY(tpm2_sign_digest(a->c->t, tpm2_object_find(a->c->t, a->sign_handle),
		                          &a->scheme, d, n, &sig));
	} else {
		TPM2_TRY(tpm2_attest_sign(a->c->t, a->sign_handle, &a->scheme, a->buf, a->w.off,
		                          &sig));
	}
	tpm2_wr_tpm2b(&a->c->out, a->buf, a->w.off);
	tpm2_wr_signature(&a->c->out, &sig);
	return TPM_RC_SUCCESS;
}

static void wr_name(struct tpm2_wr *w, struct tpm2 *t, uint32_t h)
{
	uint8_t name[2 + TPM2_MAX_DIGEST];
	tpm2_wr_tpm2b(w, name, tpm2_entity_name(t, h, name));
}

/* ------------------------------------------------------------------ commands */

TPM_RC tpm2_cc_Quote(struct tpm2_cmd *c)
{
	struct attest_ctx a;
	struct tpml_pcr_selection sel;
	uint8_t d[TPM2_MAX_DIGEST];
	size_t n = 0;
	TPM2_TRY(attest_begin(&a, c, c->handles[0], 1, 1));
	TPM2_P(3, tpm2_rd_pcr_selection(&c->in, &sel));
	TPM2_TRY(tpm2_in_done(c));
	if (a.sign_handle == TPM_RH_NULL)
		return TPM2_RC_P(TPM_RC_SCHEME, 2);   /* no unsigned quotes (as the reference TPM) */
	if (a.scheme.alg != TPM_ALG_NULL)
		n = tpm2_pcr_digest(c->t, &sel, a.scheme.hash, d);
	attest_header(&a, TPM_ST_ATTEST_QUOTE);
	tpm2_wr_pcr_selection(&a.w, &sel);
	tpm2_wr_tpm2b(&a.w, d, n);
	return attest_finish(&a);
}

TPM_RC tpm2_cc_Certify(struct tpm2_cmd *c)
{
	struct attest_ctx a;
	struct tpm2_object *o = tpm2_object_find(c->t, c->handles[0]);
	TPM2_TRY(attest_begin(&a, c, c->handles[1], 2, 1));
	TPM2_TRY(tpm2_in_done(c));
	if (!o)
		return TPM2_RC_H(TPM_RC_TYPE, 1);   /* a sequence object */
	attest_header(&a, TPM_ST_ATTEST_CERTIFY);
	tpm2_wr_tpm2b(&a.w, o->name.buf, o->name.size);
	tpm2_wr_tpm2b(&a.w, o->qname.buf, o->qname.size);
	return attest_finish(&a);
}

/* TPMT_TK_CREATION = HMAC-SHA-256(proof, TPM_ST_CREATION || Name || creationHash), the
 * objects family's construction (Create/CreatePrimary). */
static bool creation_ticket_ok(struct tpm2 *t, const struct tpmt_tk *tk,
                               const struct tpm2_object *o, const struct tpm2b_digest *ch)
{
	struct tpm2_hmac m;
	uint8_t tag[2], mac[TPM2_MAX_DIGEST];
	size_t n;
	if (tk->tag != TPM_ST_CREATION || tk->hierarchy == TPM_RH_NULL)
		return false;
	tpm2_put_u16(tag, TPM_ST_CREATION);
	tpm2_hmac_init(&m, TPM_ALG_SHA256, tpm2_hierarchy_proof(t, tk->hierarchy), TPM2_MAX_DIGEST);
	tpm2_hmac_update(&m, tag, 2);
	tpm2_hmac_update(&m, o->name.buf, o->name.size);
	tpm2_hmac_update(&m, ch->buf, ch->size);
	n = tpm2_hmac_final(&m, mac);
	return tk->digest.size == n && tpm2_ct_equal(mac, tk->digest.buf, n);
}

TPM_RC tpm2_cc_CertifyCreation(struct tpm2_cmd *c)
{
	struct attest_ctx a;
	struct tpm2_object *o = tpm2_object_find(c->t, c->handles[1]);
	struct tpm2b_digest ch;
	struct tpmt_scheme in;
	struct tpmt_tk tk;
	bool bad_key;
	TPM_RC rc;
	a.c = c;
	a.sign_handle = c->handles[0];
	TPM2_P(1, tpm2_rd_tpm2b(&c->in, &a.extra, &a.extra_len, MAX_DATA));
	TPM2_P(2, tpm2_rd_digest(&c->in, &ch));
	TPM2_P(3, tpm2_rd_sig_scheme(&c->in, &in, true));
	TPM2_P(4, tpm2_rd_ticket(&c->in, &tk));
	TPM2_TRY(tpm2_in_done(c));
	rc = resolve_scheme(c->t, a.sign_handle, &in, &a.scheme, &bad_key);
	if (rc)
		return bad_key ? TPM2_RC_H(rc, 1) : TPM2_RC_P(rc, 3);
	if (!o)
		return TPM2_RC_H(TPM_RC_TYPE, 2);
	if (!creation_ticket_ok(c->t, &tk, o, &ch))
		return TPM2_RC_P(TPM_RC_TICKET, 4);
	attest_header(&a, TPM_ST_ATTEST_CREATION);
	tpm2_wr_tpm2b(&a.w, o->name.buf, o->name.size);
	tpm2_wr_tpm2b(&a.w, ch.buf, ch.size);
	return attest_finish(&a);
}

TPM_RC tpm2_cc_GetTime(struct tpm2_cmd *c)
{
	struct attest_ctx a;
	struct tpm2 *t = c->t;
	TPM2_TRY(attest_begin(&a, c, c->handles[1], 2, 1));
	TPM2_TRY(tpm2_in_done(c));
	attest_header(&a, TPM_ST_ATTEST_TIME);
	tpm2_wr_time_info(&a.w, t);
	tpm2_wr_u64(&a.w, FIRMWARE_VERSION);
	return attest_finish(&a);
}

TPM_RC tpm2_cc_NV_Certify(struct tpm2_cmd *c)
{
	struct attest_ctx a;
	struct tpm2 *t = c->t;
	struct tpm2_nv_index *nv = tpm2_nv_find(t, c->handles[2]);
	uint32_t attrs = nv->pub.attrs, auth = c->handles[1];
	uint16_t size, offset;
	bool ok;
	TPM2_TRY(attest_begin(&a, c, c->handles[0], 1, 1));
	TPM2_P(3, tpm2_rd_u16(&c->in, &size));
	TPM2_P(4, tpm2_rd_u16(&c->in, &offset));
	TPM2_TRY(tpm2_in_done(c));
	if (auth == TPM_RH_PLATFORM)
		ok = attrs & TPMA_NV_PPREAD;
	else if (auth == TPM_RH_OWNER)
		ok = attrs & TPMA_NV_OWNERREAD;
	else
		ok = auth == nv->pub.index &&
		     (attrs & ((c->n_auths > 1 && c->auths[1].sess &&
		                c->auths[1].sess->type != TPM_SE_HMAC) ? TPMA_NV_POLICYREAD
		                                                       : TPMA_NV_AUTHREAD));
	if (!ok)
		return TPM_RC_NV_AUTHORIZATION;
	if (attrs & TPMA_NV_READLOCKED)
		return TPM_RC_NV_LOCKED;
	if (!(attrs & TPMA_NV_WRITTEN))
		return TPM_RC_NV_UNINITIALIZED;
	if ((uint32_t)size + offset > nv->pub.data_size)
		return TPM_RC_NV_RANGE;
	if (size > TPM2_MAX_NV_BUFFER)
		return TPM2_RC_P(TPM_RC_VALUE, 3);
	attest_header(&a, TPM_ST_ATTEST_NV);
	wr_name(&a.w, t, nv->pub.index);
	tpm2_wr_u16(&a.w, offset);
	tpm2_wr_tpm2b(&a.w, tpm2_nv_data(t, nv) + offset, size);
	return attest_finish(&a);
}

TPM_RC tpm2_cc_GetSessionAuditDigest(struct tpm2_cmd *c)
{
	struct attest_ctx a;
	struct tpm2 *t = c->t;
	struct tpm2_session *s = tpm2_session_lookup(t, c->handles[2]);
	TPM2_TRY(attest_begin(&a, c, c->handles[1], 2, 1));
	TPM2_TRY(tpm2_in_done(c));
	if (!s || s->type != TPM_SE_HMAC || !(s->flags & TPM2_SESS_AUDIT))
		return TPM2_RC_H(TPM_RC_TYPE, 3);
	attest_header(&a, TPM_ST_ATTEST_SESSION_AUDIT);
	tpm2_wr_u8(&a.w, t->audit_exclusive_session == (uint8_t)(s - t->sessions) + 1);
	tpm2_wr_tpm2b(&a.w, s->audit_digest.buf, s->audit_digest.size);
	return attest_finish(&a);
}

static bool cc_audited(struct tpm2 *t, unsigned idx)
{
	return t->audit_cmds[idx / 8] >> (idx % 8) & 1;
}

TPM_RC tpm2_cc_GetCommandAuditDigest(struct tpm2_cmd *c)
{
	struct attest_ctx a;
	struct tpm2 *t = c->t;
	struct tpm2_hash h;
	uint8_t cd[TPM2_MAX_DIGEST];
	size_t n;
	uint16_t alg = t->audit_alg == 0 || t->audit_alg == TPM_ALG_NULL ? TPM_ALG_SHA256
	                                                                 : t->audit_alg;
	TPM2_TRY(attest_begin(&a, c, c->handles[1], 2, 1));
	TPM2_TRY(tpm2_in_done(c));
	/* commandDigest = H(every audited command code, ascending) */
	tpm2_hash_init(&h, alg);
	for (unsigned i = 0; i < tpm2_cmd_table_len; i++)
		if (tpm2_cmd_table[i].fn && (cc_audited(t, i) ||
		    tpm2_cmd_table[i].cc == (TPM_CC_SetCommandCodeAuditStatus & 0xFFFF))) {
			uint8_t be[4];
			tpm2_put_u32(be, tpm2_cmd_table[i].cc);
			tpm2_hash_update(&h, be, 4);
		}
	n = tpm2_hash_final(&h, cd);
	attest_header(&a, TPM_ST_ATTEST_COMMAND_AUDIT);
	tpm2_wr_u64(&a.w, t->audit_counter);
	tpm2_wr_u16(&a.w, alg);
	tpm2_wr_tpm2b(&a.w, t->audit_digest.buf, t->audit_digest.size);
	tpm2_wr_tpm2b(&a.w, cd, n);
	TPM2_TRY(attest_finish(&a));
	/* a signed digest restarts the log (the next audited command bumps auditCounter); an
	 * unsigned read leaves it running - as the reference TPM */
	if (a.sign_handle != TPM_RH_NULL)
		t->audit_digest.size = 0;
	return TPM_RC_SUCCESS;
}

#define MAX_CC_LIST 256u   /* TPML_CC: MAX_CAP_CC */

static void set_audit_bit(struct tpm2 *t, uint32_t cc, bool on)
{
	const struct tpm2_cmd_desc *d = tpm2_cmd_find(cc);
	unsigned idx;
	if (!d)
		return;                       /* unimplemented codes are ignored (Part 3) */
	idx = (unsigned)(d - tpm2_cmd_table);
	if (on)
		t->audit_cmds[idx / 8] |= (uint8_t)(1u << (idx % 8));
	else
		t->audit_cmds[idx / 8] &= (uint8_t)~(1u << (idx % 8));
}

/* TPML_CC at the reader: checked on the first pass (apply == NULL), applied on the second. */
static TPM_RC cc_list(struct tpm2_rd *r, unsigned p, struct tpm2 *apply, bool on)
{
	uint32_t count, cc;
	TPM2_P(p, tpm2_rd_u32(r, &count));
	if (count > MAX_CC_LIST)
		return TPM2_RC_P(TPM_RC_SIZE, p);
	for (uint32_t i = 0; i < count; i++) {
		TPM2_P(p, tpm2_rd_u32(r, &cc));
		if (apply && (on || cc != TPM_CC_SetCommandCodeAuditStatus))
			set_audit_bit(apply, cc, on);
	}
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_SetCommandCodeAuditStatus(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	struct tpm2_rd lists;
	uint16_t alg;
	TPM2_P(1, tpm2_rd_alg_hash(&c->in, &alg, true));
	lists = c->in;
	TPM2_TRY(cc_list(&c->in, 2, NULL, true));
	TPM2_TRY(cc_list(&c->in, 3, NULL, false));
	TPM2_TRY(tpm2_in_done(c));
	/* A TPM that never audited uses SHA-256 (the reference TPM's manufacturing default), so
	 * tpm2-tools' "-g sha256 <codes>" sets the codes at the first call. */
	if (t->audit_alg == 0 || t->audit_alg == TPM_ALG_NULL)
		t->audit_alg = TPM_ALG_SHA256;
	if (alg != TPM_ALG_NULL && alg != t->audit_alg) {
		/* changing the algorithm is all this command does (Part 3, 21.2) */
		t->audit_alg = alg;
		t->audit_digest.size = 0;
		return TPM_RC_SUCCESS;
	}
	cc_list(&lists, 2, t, true);
	cc_list(&lists, 3, t, false);
	set_audit_bit(t, TPM_CC_SetCommandCodeAuditStatus, true);   /* always audited */
	return TPM_RC_SUCCESS;
}
