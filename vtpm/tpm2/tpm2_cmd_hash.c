/*
 * Hashing and HMAC: Hash, HMAC, HashSequenceStart, HMAC_Start, SequenceUpdate,
 * SequenceComplete, EventSequenceComplete.  Sequences live in transient slots
 * (tpm2_object.c) and can be context-saved like objects.
 */
#include "tpm2_internal.h"

#define TPM_GENERATED_VALUE 0xFF544347u
#define MAX_DIGEST_BUFFER   1024u

/* A ticket may only vouch for data that does not pose as a TPM-generated structure: every
 * TPMS_ATTEST starts with TPM_GENERATED_VALUE, so a message that starts with it gets a NULL
 * ticket and a restricted key will not sign its digest.  A message shorter than 4 bytes cannot
 * start with it. */
static bool starts_generated(const uint8_t *p, size_t len)
{
	return len >= 4 && tpm2_get_u32(p) == TPM_GENERATED_VALUE;
}

static TPM_RC rd_hierarchy_plus(struct tpm2_cmd *c, uint32_t *h, unsigned n)
{
	TPM2_P(n, tpm2_rd_u32(&c->in, h));
	/* TPMI_RH_HIERARCHY+: a disabled hierarchy is still a valid value here (libtpms) */
	if (!tpm2_is_hierarchy(*h) && *h != TPM_RH_NULL)
		return TPM2_RC_P(TPM_RC_VALUE, n);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_Hash(struct tpm2_cmd *c)
{
	const uint8_t *data;
	uint16_t size, alg;
	uint32_t hier;
	uint8_t digest[TPM2_MAX_DIGEST];
	struct tpmt_tk tk;
	size_t n;
	TPM2_P(1, tpm2_rd_tpm2b(&c->in, &data, &size, MAX_DIGEST_BUFFER));
	TPM2_P(2, tpm2_rd_alg_hash(&c->in, &alg, false));
	TPM2_TRY(rd_hierarchy_plus(c, &hier, 3));
	TPM2_TRY(tpm2_in_done(c));
	n = tpm2_hash_buf(alg, data, size, digest);
	tpm2_ticket_hashcheck(c->t, starts_generated(data, size) ? TPM_RH_NULL : hier, alg, digest,
	                      n, &tk);
	tpm2_wr_tpm2b(&c->out, digest, n);
	tpm2_wr_ticket(&c->out, &tk);
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ keyed-hash keys */

/* The HMAC key behind handle 1 and the hash to use (Part 3, TPM2_HMAC / HMAC_Start). */
static TPM_RC hmac_key(struct tpm2_cmd *c, uint16_t *alg, const struct tpm2_object **key)
{
	const struct tpm2_object *o = tpm2_object_find(c->t, c->handles[0]);
	if (!o || o->pub.type != TPM_ALG_KEYEDHASH)
		return TPM2_RC_H(TPM_RC_TYPE, 1);
	if (o->pub.attrs & TPMA_OBJECT_RESTRICTED)
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 1);
	if (!(o->pub.attrs & TPMA_OBJECT_SIGN_ENCRYPT))
		return TPM2_RC_H(TPM_RC_KEY, 1);
	if (o->pub.scheme.alg == TPM_ALG_HMAC) {
		if (*alg == TPM_ALG_NULL)
			*alg = o->pub.scheme.hash;
		else if (*alg != o->pub.scheme.hash)
			return TPM2_RC_P(TPM_RC_VALUE, 2);
	} else if (*alg == TPM_ALG_NULL) {
		return TPM2_RC_P(TPM_RC_VALUE, 2);
	}
	*key = o;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_HMAC(struct tpm2_cmd *c)
{
	const uint8_t *data;
	uint16_t size, alg;
	const struct tpm2_object *key;
	uint8_t mac[TPM2_MAX_DIGEST];
	size_t n;
	TPM2_P(1, tpm2_rd_tpm2b(&c->in, &data, &size, MAX_DIGEST_BUFFER));
	TPM2_P(2, tpm2_rd_alg_hash(&c->in, &alg, true));
	TPM2_TRY(tpm2_in_done(c));
	TPM2_TRY(hmac_key(c, &alg, &key));
	n = tpm2_hmac_buf(alg, key->sens.sensitive.buf, key->sens.sensitive.size, data, size, mac);
	tpm2_wr_tpm2b(&c->out, mac, n);
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ sequences */

static TPM_RC new_sequence(struct tpm2_cmd *c, uint8_t kind, const struct tpm2b_digest *auth,
                           struct tpm2_slot **out)
{
	struct tpm2_slot *s = tpm2_slot_alloc(c->t, kind);
	if (!s)
		return TPM_RC_OBJECT_MEMORY;
	tpm2_auth_set(&s->u.seq.auth, auth->buf, auth->size);
	c->rsp_handle = s->handle;
	*out = s;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_HashSequenceStart(struct tpm2_cmd *c)
{
	struct tpm2b_digest auth;
	uint16_t alg;
	struct tpm2_slot *s;
	TPM2_P(1, tpm2_rd_digest(&c->in, &auth));
	TPM2_P(2, tpm2_rd_alg_hash(&c->in, &alg, true));
	TPM2_TRY(tpm2_in_done(c));
	if (alg == TPM_ALG_NULL) {
		TPM2_TRY(new_sequence(c, TPM2_SLOT_EVENT_SEQ, &auth, &s));
		for (unsigned b = 0; b < TPM2_NUM_BANKS; b++)
			tpm2_hash_init(&s->u.seq.event[b], tpm2_pcr_bank_alg(b));
		return TPM_RC_SUCCESS;
	}
	TPM2_TRY(new_sequence(c, TPM2_SLOT_HASH_SEQ, &auth, &s));
	tpm2_hash_init(&s->u.seq.hash, alg);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_HMAC_Start(struct tpm2_cmd *c)
{
	struct tpm2b_digest auth;
	uint16_t alg;
	const struct tpm2_object *key;
	struct tpm2_slot *s;
	TPM2_P(1, tpm2_rd_digest(&c->in, &auth));
	TPM2_P(2, tpm2_rd_alg_hash(&c->in, &alg, true));
	TPM2_TRY(tpm2_in_done(c));
	TPM2_TRY(hmac_key(c, &alg, &key));
	TPM2_TRY(new_sequence(c, TPM2_SLOT_HMAC_SEQ, &auth, &s));
	tpm2_hmac_init(&s->u.seq.hmac, alg, key->sens.sensitive.buf, key->sens.sensitive.size);
	return TPM_RC_SUCCESS;
}

/* The sequence behind handle n, of one of the kinds in mask (bit = slot kind). */
static TPM_RC sequence_at(struct tpm2_cmd *c, unsigned n, unsigned mask, struct tpm2_slot **out)
{
	struct tpm2_slot *s = tpm2_slot_find(c->t, c->handles[n - 1]);
	if (!s || !(mask >> s->kind & 1))
		return TPM2_RC_H(TPM_RC_MODE, n);
	*out = s;
	return TPM_RC_SUCCESS;
}

#define SEQ_HASH  (1u << TPM2_SLOT_HASH_SEQ)
#define SEQ_HMAC  (1u << TPM2_SLOT_HMAC_SEQ)
#define SEQ_EVENT (1u << TPM2_SLOT_EVENT_SEQ)

static void sequence_update(struct tpm2_slot *s, const uint8_t *data, size_t len)
{
	struct tpm2_sequence *q = &s->u.seq;
	switch (s->kind) {
	case TPM2_SLOT_HASH_SEQ:
		/* collect the message's first 4 bytes across updates (1+3, 0+1+3, 2+2, ...): the
		 * ticket judges the message, not the first update */
		for (size_t i = 0; i < len && q->head_len < sizeof q->head; i++)
			q->head[q->head_len++] = data[i];
		tpm2_hash_update(&q->hash, data, len);
		break;
	case TPM2_SLOT_HMAC_SEQ:
		tpm2_hmac_update(&q->hmac, data, len);
		break;
	case TPM2_SLOT_EVENT_SEQ:
		for (unsigned b = 0; b < TPM2_NUM_BANKS; b++)
			tpm2_hash_update(&q->event[b], data, len);
		break;
	}
}

TPM_RC tpm2_cc_SequenceUpdate(struct tpm2_cmd *c)
{
	const uint8_t *data;
	uint16_t size;
	struct tpm2_slot *s;
	TPM2_P(1, tpm2_rd_tpm2b(&c->in, &data, &size, MAX_DIGEST_BUFFER));
	TPM2_TRY(tpm2_in_done(c));
	TPM2_TRY(sequence_at(c, 1, SEQ_HASH | SEQ_HMAC | SEQ_EVENT, &s));
	sequence_update(s, data, size);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_SequenceComplete(struct tpm2_cmd *c)
{
	const uint8_t *data;
	uint16_t size;
	uint32_t hier;
	struct tpm2_slot *s;
	uint8_t digest[TPM2_MAX_DIGEST];
	struct tpmt_tk tk;
	size_t n;
	TPM2_P(1, tpm2_rd_tpm2b(&c->in, &data, &size, MAX_DIGEST_BUFFER));
	TPM2_TRY(rd_hierarchy_plus(c, &hier, 2));
	TPM2_TRY(tpm2_in_done(c));
	TPM2_TRY(sequence_at(c, 1, SEQ_HASH | SEQ_HMAC, &s));
	sequence_update(s, data, size);
	if (s->kind == TPM2_SLOT_HASH_SEQ) {
		n = tpm2_hash_final(&s->u.seq.hash, digest);
		tpm2_ticket_hashcheck(c->t,
		                      starts_generated(s->u.seq.head, s->u.seq.head_len) ? TPM_RH_NULL
		                                                                           : hier,
		                      s->u.seq.hash.alg, digest, n, &tk);
	} else {
		n = tpm2_hmac_final(&s->u.seq.hmac, digest);
		tpm2_ticket_hashcheck(c->t, TPM_RH_NULL, TPM_ALG_NULL, digest, n, &tk);
	}
	tpm2_slot_free(c->t, s);
	tpm2_wr_tpm2b(&c->out, digest, n);
	tpm2_wr_ticket(&c->out, &tk);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_EventSequenceComplete(struct tpm2_cmd *c)
{
	const uint8_t *data;
	uint16_t size;
	struct tpm2_slot *s;
	struct tpml_digest_values v;
	uint32_t pcr = c->handles[0];
	TPM2_P(1, tpm2_rd_tpm2b(&c->in, &data, &size, MAX_DIGEST_BUFFER));
	TPM2_TRY(tpm2_in_done(c));
	TPM2_TRY(sequence_at(c, 2, SEQ_EVENT, &s));
	if (pcr != TPM_RH_NULL && !(tpm2_pcr_extend_localities(pcr) >> c->locality & 1))
		return TPM_RC_LOCALITY;
	sequence_update(s, data, size);
	v.count = TPM2_NUM_BANKS;
	for (unsigned b = 0; b < TPM2_NUM_BANKS; b++) {
		v.d[b].alg = tpm2_pcr_bank_alg(b);
		tpm2_hash_final(&s->u.seq.event[b], v.d[b].digest);
		if (pcr != TPM_RH_NULL)
			tpm2_pcr_extend(c->t, b, pcr, v.d[b].digest);
	}
	tpm2_slot_free(c->t, s);
	tpm2_wr_digest_values(&c->out, &v);
	return TPM_RC_SUCCESS;
}
