/*
 * Contexts: ContextSave, ContextLoad, FlushContext, and the blob protection objects and
 * sessions share.
 *
 * contextBlob = TPM2B integrity || AES-256-CFB(payload), with
 *   key, iv   = KDFa(SHA-256, contextKey, "CONTEXT", sequence, savedHandle || hierarchy, 384)
 *   integrity = HMAC-SHA-256(contextKey, "INTEGRITY" || sequence || savedHandle || hierarchy
 *                                        || proof(hierarchy) || encrypted payload)
 * contextKey is drawn fresh at every TPM Reset, so a context saved in an earlier boot fails
 * the integrity check: TPM_RC_INTEGRITY on ContextLoad (the kernel's resource manager treats
 * it as "context gone"), never a misread.  proof(hierarchy) is the hierarchy's secret proof
 * value (tpm2_hierarchy_proof; the NULL hierarchy's for sessions and sequences), which
 * Clear (owner, endorsement), ChangeEPS and ChangePPS replace: an object context saved before
 * them fails the same way, as in the reference TPM, and the old key can no longer be used.
 * An stClear object is saved with savedHandle 0x80000002 and clearCount (TPM Restarts since
 * the last Reset) in the integrity, so its context dies at the next TPM Restart (reference).
 */
#include "tpm2_internal.h"

#define INTEGRITY_SIZE 32u
#define SAVED_OBJECT   0x80000000u
#define SAVED_SEQUENCE 0x80000001u
#define SAVED_STCLEAR  0x80000002u   /* an stClear object: invalid after a TPM Restart */

static void context_keys(struct tpm2 *t, const struct tpms_context *ctx, uint8_t out[48])
{
	uint8_t u[8], v[8];
	tpm2_put_u32(u, (uint32_t)(ctx->sequence >> 32));
	tpm2_put_u32(u + 4, (uint32_t)ctx->sequence);
	tpm2_put_u32(v, ctx->saved_handle);
	tpm2_put_u32(v + 4, ctx->hierarchy);
	tpm2_kdfa(TPM_ALG_SHA256, t->context_key, sizeof t->context_key, "CONTEXT", u, 8, v, 8,
	          48 * 8, out);
}

static void context_mac(struct tpm2 *t, const struct tpms_context *ctx, const uint8_t *enc,
                        size_t len, uint8_t out[INTEGRITY_SIZE])
{
	struct tpm2_hmac m;
	uint8_t hdr[16];
	tpm2_put_u32(hdr, (uint32_t)(ctx->sequence >> 32));
	tpm2_put_u32(hdr + 4, (uint32_t)ctx->sequence);
	tpm2_put_u32(hdr + 8, ctx->saved_handle);
	tpm2_put_u32(hdr + 12, ctx->hierarchy);
	tpm2_hmac_init(&m, TPM_ALG_SHA256, t->context_key, sizeof t->context_key);
	tpm2_hmac_update(&m, "INTEGRITY", 10);
	tpm2_hmac_update(&m, hdr, sizeof hdr);
	tpm2_hmac_update(&m, tpm2_hierarchy_proof(t, ctx->hierarchy), TPM2_MAX_DIGEST);
	if (ctx->saved_handle == SAVED_STCLEAR) {      /* clearCount, as the reference */
		uint8_t cc[4];
		tpm2_put_u32(cc, t->clear_count);
		tpm2_hmac_update(&m, cc, sizeof cc);
	}
	tpm2_hmac_update(&m, enc, len);
	tpm2_hmac_final(&m, out);
}

TPM_RC tpm2_context_seal(struct tpm2 *t, struct tpms_context *ctx, const uint8_t *payload,
                         size_t len)
{
	uint8_t keys[48];
	uint8_t *enc = ctx->blob + 2 + INTEGRITY_SIZE;
	if (len > sizeof ctx->blob - 2 - INTEGRITY_SIZE)
		return TPM_RC_FAILURE;
	memcpy(enc, payload, len);
	context_keys(t, ctx, keys);
	tpm2_aes_cfb(keys, 32, keys + 32, true, enc, len);
	tpm2_zeroise(keys, sizeof keys);
	tpm2_put_u16(ctx->blob, INTEGRITY_SIZE);
	context_mac(t, ctx, enc, len, ctx->blob + 2);
	ctx->blob_size = (uint16_t)(2 + INTEGRITY_SIZE + len);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_context_open(struct tpm2 *t, const struct tpms_context *ctx, uint8_t *payload,
                         size_t max, size_t *len)
{
	uint8_t mac[INTEGRITY_SIZE], keys[48];
	size_t n;
	if (ctx->blob_size < 2 + INTEGRITY_SIZE || tpm2_get_u16(ctx->blob) != INTEGRITY_SIZE)
		return TPM_RC_SIZE;
	n = ctx->blob_size - 2 - INTEGRITY_SIZE;
	if (n > max)
		return TPM_RC_SIZE;
	context_mac(t, ctx, ctx->blob + 2 + INTEGRITY_SIZE, n, mac);
	if (!tpm2_ct_equal(mac, ctx->blob + 2, INTEGRITY_SIZE))
		return TPM_RC_INTEGRITY;
	memcpy(payload, ctx->blob + 2 + INTEGRITY_SIZE, n);
	context_keys(t, ctx, keys);
	tpm2_aes_cfb(keys, 32, keys + 32, false, payload, n);
	tpm2_zeroise(keys, sizeof keys);
	*len = n;
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ commands */

TPM_RC tpm2_cc_ContextSave(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	uint32_t h = c->handles[0];
	struct tpms_context ctx;
	/* context commands take no sessions, so the parameter-decryption buffer is free */
	uint8_t *payload = t->io;
	struct tpm2_wr pw;
	TPM_RC rc;
	TPM2_TRY(tpm2_in_done(c));
	memset(&ctx, 0, sizeof ctx);
	tpm2_wr_init(&pw, payload, TPM2_MAX_CONTEXT_BLOB - 2 - INTEGRITY_SIZE);
	ctx.hierarchy = TPM_RH_NULL;
	if (HANDLE_TYPE(h) == TPM_HT_TRANSIENT) {
		struct tpm2_slot *s = tpm2_slot_find(t, h);
		tpm2_slot_serialize(s, &pw);
		ctx.saved_handle = s->kind != TPM2_SLOT_OBJECT ? SAVED_SEQUENCE
		                   : (s->u.obj.pub.attrs & TPMA_OBJECT_STCLEAR) ? SAVED_STCLEAR
		                   : SAVED_OBJECT;
		if (s->kind == TPM2_SLOT_OBJECT)
			ctx.hierarchy = s->u.obj.hierarchy;
		ctx.sequence = ++t->context_counter;
	} else {
		rc = tpm2_session_context_save(t, h, &pw, &ctx.sequence);
		if (rc == TPM_RC_REFERENCE_H0)
			return rc;
		if (rc)
			return TPM2_RC_H(rc, 1);
		ctx.saved_handle = h;
	}
	if (pw.overflow)
		return TPM_RC_FAILURE;
	TPM2_TRY(tpm2_context_seal(t, &ctx, payload, pw.off));
	tpm2_zeroise(payload, pw.off);
	tpm2_wr_context(&c->out, &ctx);
	return TPM_RC_SUCCESS;
}

static TPM_RC load_object_context(struct tpm2_cmd *c, const struct tpms_context *ctx)
{
	struct tpm2 *t = c->t;
	uint8_t *payload = t->io;   /* no sessions on context commands: the buffer is free */
	size_t len;
	struct tpm2_rd r;
	struct tpm2_slot *s;
	TPM_RC rc;
	if (!tpm2_hierarchy_enabled(t, ctx->hierarchy))
		return TPM2_RC_P(TPM_RC_HIERARCHY, 1);
	TPM2_P(1, tpm2_context_open(t, ctx, payload, TPM2_MAX_CONTEXT_BLOB, &len));
	s = tpm2_slot_alloc(t, TPM2_SLOT_HASH_SEQ);
	if (!s) {
		tpm2_zeroise(payload, len);
		return TPM_RC_OBJECT_MEMORY;
	}
	tpm2_rd_init(&r, payload, len);
	rc = tpm2_slot_deserialize(s, &r);
	tpm2_zeroise(payload, len);
	if (rc || tpm2_rd_left(&r) ||
	    (s->kind == TPM2_SLOT_OBJECT) != (ctx->saved_handle != SAVED_SEQUENCE)) {
		tpm2_slot_free(t, s);
		return TPM2_RC_P(TPM_RC_INTEGRITY, 1);   /* authentic but unparseable: ours is broken */
	}
	c->rsp_handle = s->handle;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_ContextLoad(struct tpm2_cmd *c)
{
	struct tpms_context ctx;
	TPM2_P(1, tpm2_rd_context(&c->in, &ctx));
	TPM2_TRY(tpm2_in_done(c));
	/* An integrity TPM2B overrunning the blob doesn't even unmarshal: bare TPM_RC_SIZE
	 * (libtpms); a well-formed blob of the wrong shape is SIZE+P1 in tpm2_context_open. */
	if (ctx.blob_size < 2 || tpm2_get_u16(ctx.blob) > ctx.blob_size - 2)
		return TPM_RC_SIZE;
	if (HANDLE_TYPE(ctx.saved_handle) == TPM_HT_TRANSIENT)
		return load_object_context(c, &ctx);
	{
		uint8_t *payload = c->t->io;
		size_t len;
		struct tpm2_rd r;
		TPM_RC rc;
		TPM2_P(1, tpm2_context_open(c->t, &ctx, payload, TPM2_MAX_CONTEXT_BLOB, &len));
		tpm2_rd_init(&r, payload, len);
		rc = tpm2_session_context_load(c->t, ctx.saved_handle, &r);
		tpm2_zeroise(payload, len);
		if (rc)
			return TPM2_RC_P(rc, 1);
		c->rsp_handle = ctx.saved_handle;
		return TPM_RC_SUCCESS;
	}
}

TPM_RC tpm2_cc_FlushContext(struct tpm2_cmd *c)
{
	uint32_t h;
	TPM2_P(1, tpm2_rd_u32(&c->in, &h));
	TPM2_TRY(tpm2_in_done(c));
	switch (HANDLE_TYPE(h)) {
	case TPM_HT_TRANSIENT: {
		struct tpm2_slot *s = tpm2_slot_find(c->t, h);
		if (!s)
			return TPM2_RC_P(TPM_RC_HANDLE, 1);
		tpm2_slot_free(c->t, s);
		return TPM_RC_SUCCESS;
	}
	case TPM_HT_HMAC_SESSION:
	case TPM_HT_POLICY_SESSION:
		for (unsigned i = 0; i < TPM2_SESSION_SLOTS; i++)
			if (c->t->sessions[i].handle == h) {
				tpm2_session_flush(c->t, h);
				return TPM_RC_SUCCESS;
			}
		return TPM2_RC_P(TPM_RC_HANDLE, 1);
	}
	return TPM2_RC_P(TPM_RC_VALUE, 1);
}
