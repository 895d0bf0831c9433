/*
 * Enhanced authorization (Part 1, 19.7; Part 3, 23): the policy commands, which extend a
 * policy or trial session's policyDigest and record deferred conditions, and
 * tpm2_policy_check, which verifies a policy session when it authorizes.
 *
 * Digest formulas (H = the session's authHash, || = concatenation, CC = this command's code):
 *   most commands      H(digest || CC || args)
 *   PolicyUpdate       d' = H(digest || CC || Name); d'' = H(d' || policyRef)
 *                      (PolicySigned, PolicySecret, PolicyTicket; PolicyAuthorize from 0...0)
 *   PolicyOR           H(0...0 || CC || digest1 || ... || digestN)
 *   PolicyPCR          H(digest || CC || TPML_PCR_SELECTION || pcrDigest)
 *   PolicyNV/Counter   H(digest || CC || H(operandB || offset || operation) [|| nvName])
 *   PolicyAuthorizeNV  H(0...0 || CC || nvName)
 *   PolicyPassword     same digest as PolicyAuthValue
 * A trial session computes the digest only: no condition is checked.
 */
#include "tpm2_session.h"
#include "tpm2_keys.h"

/* ------------------------------------------------------------------ helpers */

static struct tpm2_session *policy_session(struct tpm2_cmd *c, unsigned handle_idx)
{
	return tpm2_session_lookup(c->t, c->handles[handle_idx]);
}

static bool is_trial(const struct tpm2_session *s) { return s->type == TPM_SE_TRIAL; }

static size_t dsize(const struct tpm2_session *s) { return tpm2_hash_size(s->hash_alg); }

void tpm2_policy_reset(struct tpm2_session *s)
{
	uint32_t keep = s->flags & (TPM2_SESS_BOUND | TPM2_SESS_DA_BOUND | TPM2_SESS_LOCKOUT_BOUND |
	                            TPM2_SESS_AUDIT);
	memset(s->policy_digest.buf, 0, sizeof s->policy_digest.buf);
	s->policy_digest.size = (uint16_t)dsize(s);
	s->cp_hash.size = 0;
	s->template_hash.size = 0;
	s->command_code = 0;
	s->pcr_counter = 0;
	s->timeout = 0;
	s->locality_mask = 0;
	s->flags = keep;
}

/* digest = H(digest || cc || a || b) */
static void extend(struct tpm2_session *s, uint32_t cc, const void *a, size_t alen,
                   const void *b, size_t blen)
{
	struct tpm2_hash h;
	uint8_t be[4];
	tpm2_put_u32(be, cc);
	tpm2_hash_init(&h, s->hash_alg);
	tpm2_hash_update(&h, s->policy_digest.buf, s->policy_digest.size);
	tpm2_hash_update(&h, be, 4);
	tpm2_hash_update(&h, a, alen);
	tpm2_hash_update(&h, b, blen);
	tpm2_hash_final(&h, s->policy_digest.buf);
}

/* PolicyUpdate(): two steps, the second with policyRef (possibly empty). */
static void policy_update(struct tpm2_session *s, uint32_t cc, const uint8_t *name,
                          size_t name_len, const struct tpm2b_digest *ref)
{
	extend(s, cc, name, name_len, NULL, 0);
	{
		struct tpm2_hash h;
		tpm2_hash_init(&h, s->hash_alg);
		tpm2_hash_update(&h, s->policy_digest.buf, s->policy_digest.size);
		tpm2_hash_update(&h, ref->buf, ref->size);
		tpm2_hash_final(&h, s->policy_digest.buf);
	}
}

static void zero_digest(struct tpm2_session *s)
{
	memset(s->policy_digest.buf, 0, sizeof s->policy_digest.buf);
}

static uint64_t tpm_now(struct tpm2 *t)
{
	tpm2_clock_update(t);
	return t->clock;
}

/* ------------------------------------------------------------------ tickets */

void tpm2_ticket_auth(struct tpm2 *t, uint16_t tag, uint32_t hierarchy, uint64_t timeout,
                      const struct tpm2b_digest *cp, const struct tpm2b_digest *ref,
                      const uint8_t *name, size_t name_len, struct tpmt_tk *tk)
{
	struct tpm2_hmac m;
	uint8_t b[10];
	tk->tag = tag;
	tk->hierarchy = hierarchy;
	tpm2_put_u16(b, tag);
	tpm2_put_u32(b + 2, (uint32_t)(timeout >> 32));
	tpm2_put_u32(b + 6, (uint32_t)timeout);
	tpm2_hmac_init(&m, TPM_ALG_SHA256, tpm2_hierarchy_proof(t, hierarchy), TPM2_MAX_DIGEST);
	tpm2_hmac_update(&m, b, sizeof b);
	tpm2_hmac_update(&m, cp->buf, cp->size);
	tpm2_hmac_update(&m, ref->buf, ref->size);
	tpm2_hmac_update(&m, name, name_len);
	tk->digest.size = (uint16_t)tpm2_hmac_final(&m, tk->digest.buf);
}

void tpm2_ticket_verified(struct tpm2 *t, uint32_t hierarchy, const uint8_t *digest,
                          size_t len, const uint8_t *name, size_t name_len, struct tpmt_tk *tk)
{
	struct tpm2_hmac m;
	uint8_t b[2];
	tk->tag = TPM_ST_VERIFIED;
	tk->hierarchy = hierarchy;
	tpm2_put_u16(b, TPM_ST_VERIFIED);
	tpm2_hmac_init(&m, TPM_ALG_SHA256, tpm2_hierarchy_proof(t, hierarchy), TPM2_MAX_DIGEST);
	tpm2_hmac_update(&m, b, 2);
	tpm2_hmac_update(&m, digest, len);
	tpm2_hmac_update(&m, name, name_len);
	tk->digest.size = (uint16_t)tpm2_hmac_final(&m, tk->digest.buf);
}

/* ------------------------------------------------------------------ simple assertions */

TPM_RC tpm2_cc_PolicyRestart(struct tpm2_cmd *c)
{
	TPM2_TRY(tpm2_in_done(c));
	tpm2_policy_reset(policy_session(c, 0));
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_PolicyGetDigest(struct tpm2_cmd *c)
{
	struct tpm2_session *s = policy_session(c, 0);
	TPM2_TRY(tpm2_in_done(c));
	tpm2_wr_tpm2b(&c->out, s->policy_digest.buf, s->policy_digest.size);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_PolicyAuthValue(struct tpm2_cmd *c)
{
	struct tpm2_session *s = policy_session(c, 0);
	TPM2_TRY(tpm2_in_done(c));
	extend(s, TPM_CC_PolicyAuthValue, NULL, 0, NULL, 0);
	s->flags = (s->flags & ~(uint32_t)TPM2_SESS_PASSWORD) | TPM2_SESS_AUTH_NEEDED;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_PolicyPassword(struct tpm2_cmd *c)
{
	struct tpm2_session *s = policy_session(c, 0);
	TPM2_TRY(tpm2_in_done(c));
	extend(s, TPM_CC_PolicyAuthValue, NULL, 0, NULL, 0);
	s->flags = (s->flags & ~(uint32_t)TPM2_SESS_AUTH_NEEDED) | TPM2_SESS_PASSWORD;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_PolicyCommandCode(struct tpm2_cmd *c)
{
	struct tpm2_session *s = policy_session(c, 0);
	uint32_t code;
	uint8_t be[4];
	TPM2_P(1, tpm2_rd_u32(&c->in, &code));
	TPM2_TRY(tpm2_in_done(c));
	if (s->command_code && s->command_code != code)
		return TPM2_RC_P(TPM_RC_VALUE, 1);
	if (!tpm2_cmd_find(code))
		return TPM2_RC_P(TPM_RC_POLICY_CC, 1);
	tpm2_put_u32(be, code);
	extend(s, TPM_CC_PolicyCommandCode, be, 4, NULL, 0);
	s->command_code = code;
	return TPM_RC_SUCCESS;
}

/* TPMA_LOCALITY: bits 0..4 = localities 0..4 (combinable); 32..255 = one extended locality. */
#define LOCALITY_EXTENDED 0x1Fu

TPM_RC tpm2_cc_PolicyLocality(struct tpm2_cmd *c)
{
	struct tpm2_session *s = policy_session(c, 0);
	uint8_t loc, merged = 0;
	TPM2_P(1, tpm2_rd_u8(&c->in, &loc));
	TPM2_TRY(tpm2_in_done(c));
	if (loc == 0)
		return TPM2_RC_P(TPM_RC_RANGE, 1);
	if (!s->locality_mask)
		merged = loc;
	else if (s->locality_mask <= LOCALITY_EXTENDED && loc <= LOCALITY_EXTENDED)
		merged = (uint8_t)(s->locality_mask & loc);    /* intersection of the sets */
	else if (s->locality_mask == loc)
		merged = loc;                                  /* the same extended locality */
	if (!merged)
		return TPM2_RC_P(TPM_RC_RANGE, 1);
	extend(s, TPM_CC_PolicyLocality, &loc, 1, NULL, 0);
	s->locality_mask = merged;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_PolicyNvWritten(struct tpm2_cmd *c)
{
	struct tpm2_session *s = policy_session(c, 0);
	uint8_t yes;
	TPM2_P(1, tpm2_rd_u8(&c->in, &yes));
	TPM2_TRY(tpm2_in_done(c));
	if (yes > 1)
		return TPM2_RC_P(TPM_RC_VALUE, 1);
	if ((s->flags & TPM2_SESS_NV_WRITTEN) &&
	    ((s->flags & TPM2_SESS_NV_WRITTEN_YES) != 0) != (yes != 0))
		return TPM2_RC_P(TPM_RC_VALUE, 1);
	extend(s, TPM_CC_PolicyNvWritten, &yes, 1, NULL, 0);
	s->flags |= TPM2_SESS_NV_WRITTEN | (yes ? TPM2_SESS_NV_WRITTEN_YES : 0);
	return TPM_RC_SUCCESS;
}

/* cpHash and nameHash share one slot (Part 3: TPM_RC_CPHASH if already set). */
static TPM_RC set_cp_hash(struct tpm2_session *s, const struct tpm2b_digest *d, uint32_t flag)
{
	if (s->flags & TPM2_SESS_TEMPLATE)
		return TPM_RC_CPHASH;     /* the reference TPM keeps templateHash in the same place */
	if ((s->flags & (TPM2_SESS_CPHASH | TPM2_SESS_NAMEHASH)) &&
	    (!(s->flags & flag) || s->cp_hash.size != d->size ||
	     memcmp(s->cp_hash.buf, d->buf, d->size)))
		return TPM_RC_CPHASH;
	s->cp_hash = *d;
	s->flags |= flag;
	return TPM_RC_SUCCESS;
}

static TPM_RC hash_arg(struct tpm2_cmd *c, struct tpm2_session *s, struct tpm2b_digest *d)
{
	TPM2_P(1, tpm2_rd_digest(&c->in, d));
	TPM2_TRY(tpm2_in_done(c));
	if (d->size != dsize(s))
		return TPM2_RC_P(TPM_RC_SIZE, 1);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_PolicyCpHash(struct tpm2_cmd *c)
{
	struct tpm2_session *s = policy_session(c, 0);
	struct tpm2b_digest d;
	TPM2_TRY(hash_arg(c, s, &d));
	TPM2_TRY(set_cp_hash(s, &d, TPM2_SESS_CPHASH));
	extend(s, TPM_CC_PolicyCpHash, d.buf, d.size, NULL, 0);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_PolicyNameHash(struct tpm2_cmd *c)
{
	struct tpm2_session *s = policy_session(c, 0);
	struct tpm2b_digest d;
	TPM2_TRY(hash_arg(c, s, &d));
	if (s->flags & (TPM2_SESS_CPHASH | TPM2_SESS_NAMEHASH))
		return TPM_RC_CPHASH;
	TPM2_TRY(set_cp_hash(s, &d, TPM2_SESS_NAMEHASH));
	extend(s, TPM_CC_PolicyNameHash, d.buf, d.size, NULL, 0);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_PolicyTemplate(struct tpm2_cmd *c)
{
	struct tpm2_session *s = policy_session(c, 0);
	struct tpm2b_digest d;
	TPM2_TRY(hash_arg(c, s, &d));
	if (s->flags & (TPM2_SESS_CPHASH | TPM2_SESS_NAMEHASH))
		return TPM_RC_CPHASH;
	if ((s->flags & TPM2_SESS_TEMPLATE) && memcmp(s->template_hash.buf, d.buf, d.size))
		return TPM2_RC_P(TPM_RC_VALUE, 1);
	s->template_hash = d;
	s->flags |= TPM2_SESS_TEMPLATE;
	extend(s, TPM_CC_PolicyTemplate, d.buf, d.size, NULL, 0);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_PolicyDuplicationSelect(struct tpm2_cmd *c)
{
	struct tpm2_session *s = policy_session(c, 0);
	const uint8_t *obj, *parent;
	uint16_t olen, plen;
	uint8_t include;
	struct tpm2b_digest nh;
	struct tpm2_hash h;
	TPM2_P(1, tpm2_rd_tpm2b(&c->in, &obj, &olen, 2 + TPM2_MAX_DIGEST));
	TPM2_P(2, tpm2_rd_tpm2b(&c->in, &parent, &plen, 2 + TPM2_MAX_DIGEST));
	TPM2_P(3, tpm2_rd_u8(&c->in, &include));
	TPM2_TRY(tpm2_in_done(c));
	if (include > 1)
		return TPM2_RC_P(TPM_RC_VALUE, 3);
	if (s->flags & (TPM2_SESS_CPHASH | TPM2_SESS_NAMEHASH))
		return TPM_RC_CPHASH;
	if (s->command_code && s->command_code != TPM_CC_Duplicate)
		return TPM_RC_COMMAND_CODE;
	tpm2_hash_init(&h, s->hash_alg);
	tpm2_hash_update(&h, obj, olen);
	tpm2_hash_update(&h, parent, plen);
	nh.size = (uint16_t)tpm2_hash_final(&h, nh.buf);
	TPM2_TRY(set_cp_hash(s, &nh, TPM2_SESS_NAMEHASH));
	tpm2_hash_init(&h, s->hash_alg);
	{
		uint8_t be[4];
		tpm2_put_u32(be, TPM_CC_PolicyDuplicationSelect);
		tpm2_hash_update(&h, s->policy_digest.buf, s->policy_digest.size);
		tpm2_hash_update(&h, be, 4);
		if (include)
			tpm2_hash_update(&h, obj, olen);
		tpm2_hash_update(&h, parent, plen);
		tpm2_hash_update(&h, &include, 1);
		tpm2_hash_final(&h, s->policy_digest.buf);
	}
	s->command_code = TPM_CC_Duplicate;
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ PCR, OR */

TPM_RC tpm2_cc_PolicyPCR(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	struct tpm2_session *s = policy_session(c, 0);
	struct tpm2b_digest given;
	struct tpml_pcr_selection sel;
	uint8_t now[TPM2_MAX_DIGEST], selbuf[4 + TPM2_NUM_BANKS * (3 + TPM2_PCR_SELECT_MAX)];
	struct tpm2_wr w;
	size_t n;
	TPM2_P(1, tpm2_rd_digest(&c->in, &given));
	TPM2_P(2, tpm2_rd_pcr_selection(&c->in, &sel));
	TPM2_TRY(tpm2_in_done(c));
	n = tpm2_pcr_digest(t, &sel, s->hash_alg, now);
	/* a pcrDigest of another size cannot be the PCRs' digest: VALUE, as the reference */
	if (!is_trial(s) && given.size && (given.size != n || memcmp(given.buf, now, n)))
		return TPM2_RC_P(TPM_RC_VALUE, 1);
	if (given.size && given.size != n)
		return TPM2_RC_P(TPM_RC_SIZE, 1);
	if (given.size)
		memcpy(now, given.buf, n);
	tpm2_wr_init(&w, selbuf, sizeof selbuf);
	tpm2_wr_pcr_selection(&w, &sel);
	extend(s, TPM_CC_PolicyPCR, selbuf, w.off, now, n);
	if (!is_trial(s)) {
		s->flags |= TPM2_SESS_PCR;
		s->pcr_counter = t->pcr_update_counter;
	}
	return TPM_RC_SUCCESS;
}

#define POLICY_OR_MAX 8u

TPM_RC tpm2_cc_PolicyOR(struct tpm2_cmd *c)
{
	struct tpm2_session *s = policy_session(c, 0);
	struct tpm2b_digest list[POLICY_OR_MAX];
	uint32_t count;
	bool found = is_trial(s);
	struct tpm2_hash h;
	uint8_t be[4];
	TPM2_P(1, tpm2_rd_u32(&c->in, &count));
	if (count < 2 || count > POLICY_OR_MAX)
		return TPM2_RC_P(TPM_RC_SIZE, 1);
	for (uint32_t i = 0; i < count; i++) {
		TPM2_P(1, tpm2_rd_digest(&c->in, &list[i]));
		if (list[i].size == s->policy_digest.size &&
		    !memcmp(list[i].buf, s->policy_digest.buf, list[i].size))
			found = true;
	}
	TPM2_TRY(tpm2_in_done(c));
	if (!found)
		return TPM2_RC_P(TPM_RC_VALUE, 1);
	zero_digest(s);
	tpm2_put_u32(be, TPM_CC_PolicyOR);
	tpm2_hash_init(&h, s->hash_alg);
	tpm2_hash_update(&h, s->policy_digest.buf, s->policy_digest.size);
	tpm2_hash_update(&h, be, 4);
	for (uint32_t i = 0; i < count; i++)
		tpm2_hash_update(&h, list[i].buf, list[i].size);
	tpm2_hash_final(&h, s->policy_digest.buf);
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ comparisons */

/* operandA (from NV or TPMS_TIME_INFO) against operandB, both big-endian, same size.
 * Signed comparisons follow the reference implementation (SignedCompareB), not two's
 * complement: when the signs differ the non-negative operand is greater, and when both are
 * negative the unsigned order is reversed (sign-magnitude order: 0x81 > 0x82).  Policies
 * written against real TPMs (libtpms and the hardware built on the reference code) depend on
 * this; docs/tpm-sessions.md lists it. */
static bool compare(const uint8_t *a, const uint8_t *b, size_t n, uint16_t op)
{
	int cmp_u = memcmp(a, b, n), cmp_s = cmp_u;
	bool all = true, none = true;
	if (n && (a[0] ^ b[0]) & 0x80)           /* signs differ: the negative one is smaller */
		cmp_s = (a[0] & 0x80) ? -1 : 1;
	else if (n && (a[0] & 0x80))             /* both negative: reversed unsigned order */
		cmp_s = -cmp_u;
	for (size_t i = 0; i < n; i++) {
		all &= (a[i] & b[i]) == b[i];
		none &= (a[i] & b[i]) == 0;
	}
	switch (op) {
	case 0: return cmp_u == 0;            /* EQ */
	case 1: return cmp_u != 0;            /* NEQ */
	case 2: return cmp_s > 0;             /* SIGNED_GT */
	case 3: return cmp_u > 0;             /* UNSIGNED_GT */
	case 4: return cmp_s < 0;             /* SIGNED_LT */
	case 5: return cmp_u < 0;             /* UNSIGNED_LT */
	case 6: return cmp_s >= 0;            /* SIGNED_GE */
	case 7: return cmp_u >= 0;            /* UNSIGNED_GE */
	case 8: return cmp_s <= 0;            /* SIGNED_LE */
	case 9: return cmp_u <= 0;            /* UNSIGNED_LE */
	case 10: return all;                  /* BITSET */
	case 11: return none;                 /* BITCLEAR */
	}
	return false;
}

struct operand {
	struct tpm2b_digest b;    /* TPM2B_OPERAND (<= sizeof TPMU_HA) */
	uint16_t offset, op;
};

static TPM_RC read_operand(struct tpm2_cmd *c, struct operand *o, unsigned first)
{
	TPM2_P(first, tpm2_rd_digest(&c->in, &o->b));
	TPM2_P(first + 1, tpm2_rd_u16(&c->in, &o->offset));
	TPM2_P(first + 2, tpm2_rd_u16(&c->in, &o->op));
	TPM2_TRY(tpm2_in_done(c));
	if (o->op > TPM_EO_BITCLEAR)
		return TPM2_RC_P(TPM_RC_VALUE, first + 2);
	return TPM_RC_SUCCESS;
}

/* args = H(operandB || offset || operation) */
static size_t operand_args(const struct tpm2_session *s, const struct operand *o, uint8_t *out)
{
	struct tpm2_hash h;
	uint8_t be[4];
	tpm2_put_u16(be, o->offset);
	tpm2_put_u16(be + 2, o->op);
	tpm2_hash_init(&h, s->hash_alg);
	tpm2_hash_update(&h, o->b.buf, o->b.size);
	tpm2_hash_update(&h, be, 4);
	return tpm2_hash_final(&h, out);
}

/* operandA of PolicyCounterTimer: the marshalled TPMS_TIME_INFO (time, clockInfo). */
static void time_info(struct tpm2 *t, uint8_t out[25])
{
	struct tpm2_wr w;
	tpm2_clock_update(t);
	tpm2_wr_init(&w, out, 25);
	tpm2_wr_time_info(&w, t);
}

TPM_RC tpm2_cc_PolicyCounterTimer(struct tpm2_cmd *c)
{
	struct tpm2_session *s = policy_session(c, 0);
	struct operand o;
	uint8_t args[TPM2_MAX_DIGEST], ti[25];
	size_t n;
	TPM2_TRY(read_operand(c, &o, 1));
	if (!is_trial(s)) {
		if ((size_t)o.offset + o.b.size > sizeof ti)
			return TPM_RC_RANGE;
		time_info(c->t, ti);
		if (!compare(ti + o.offset, o.b.buf, o.b.size, o.op))
			return TPM_RC_POLICY;
	}
	n = operand_args(s, &o, args);
	extend(s, TPM_CC_PolicyCounterTimer, args, n, NULL, 0);
	return TPM_RC_SUCCESS;
}

/* NV read access for PolicyNV / PolicyAuthorizeNV (Part 3, NvReadAccessChecks). */
static TPM_RC nv_read_check(struct tpm2_cmd *c, const struct tpm2_nv_index *nv)
{
	uint32_t a = nv->pub.attrs, auth = c->handles[0];
	bool policy = c->n_auths && c->auths[0].sess && c->auths[0].sess->type != TPM_SE_HMAC;
	bool ok;
	if (auth == TPM_RH_PLATFORM)
		ok = a & TPMA_NV_PPREAD;
	else if (auth == TPM_RH_OWNER)
		ok = a & TPMA_NV_OWNERREAD;
	else
		ok = auth == nv->pub.index && (a & (policy ? TPMA_NV_POLICYREAD : TPMA_NV_AUTHREAD));
	if (!ok)
		return TPM_RC_NV_AUTHORIZATION;
	if (a & TPMA_NV_READLOCKED)
		return TPM_RC_NV_LOCKED;
	if (!(a & TPMA_NV_WRITTEN))
		return TPM_RC_NV_UNINITIALIZED;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_PolicyNV(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	struct tpm2_session *s = policy_session(c, 2);
	struct tpm2_nv_index *nv = tpm2_nv_find(t, c->handles[1]);
	struct operand o;
	uint8_t args[TPM2_MAX_DIGEST], name[2 + TPM2_MAX_DIGEST];
	size_t n, nlen;
	TPM2_TRY(read_operand(c, &o, 1));
	TPM2_TRY(nv_read_check(c, nv));
	if (!is_trial(s)) {
		if ((size_t)o.offset + o.b.size > nv->pub.data_size)
			return TPM_RC_NV_RANGE;
		if (!compare(tpm2_nv_data(t, nv) + o.offset, o.b.buf, o.b.size, o.op))
			return TPM_RC_POLICY;
	}
	n = operand_args(s, &o, args);
	nlen = tpm2_nv_name(nv, name);
	extend(s, TPM_CC_PolicyNV, args, n, name, nlen);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_PolicyAuthorizeNV(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	struct tpm2_session *s = policy_session(c, 2);
	struct tpm2_nv_index *nv = tpm2_nv_find(t, c->handles[1]);
	uint8_t name[2 + TPM2_MAX_DIGEST];
	size_t nlen;
	TPM2_TRY(tpm2_in_done(c));
	TPM2_TRY(nv_read_check(c, nv));
	if (!is_trial(s)) {
		const uint8_t *d = tpm2_nv_data(t, nv);
		size_t n = dsize(s);
		if (nv->pub.data_size < 2 + n || tpm2_get_u16(d) != s->hash_alg)
			return TPM_RC_HASH;
		if (memcmp(d + 2, s->policy_digest.buf, n))
			return TPM_RC_VALUE;
	}
	nlen = tpm2_nv_name(nv, name);
	zero_digest(s);
	extend(s, TPM_CC_PolicyAuthorizeNV, name, nlen, NULL, 0);
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ signed / secret / ticket */

/* Part 3 PolicyParameterChecks: nonceTPM, cpHashA and expiration.  *timeout gets the
 * authorization's expiry (TPM clock ms, 0: none). */
static TPM_RC parameter_checks(struct tpm2_cmd *c, struct tpm2_session *s,
                               const struct tpm2b_digest *nonce, const struct tpm2b_digest *cp,
                               int32_t expiration, unsigned p_nonce, unsigned p_cp,
                               unsigned p_exp, uint64_t *timeout)
{
	uint64_t now = tpm_now(c->t);
	*timeout = 0;
	if (nonce->size && (nonce->size != s->nonce_tpm.size ||
	                    !tpm2_ct_equal(nonce->buf, s->nonce_tpm.buf, nonce->size)))
		return TPM2_RC_P(TPM_RC_NONCE, p_nonce);
	if (cp->size && cp->size != dsize(s))
		return TPM2_RC_P(TPM_RC_SIZE, p_cp);
	if (cp->size && (s->flags & (TPM2_SESS_CPHASH | TPM2_SESS_NAMEHASH)) &&
	    (!(s->flags & TPM2_SESS_CPHASH) || memcmp(cp->buf, s->cp_hash.buf, cp->size)))
		return TPM_RC_CPHASH;
	if (expiration != 0) {
		uint64_t secs = expiration < 0 ? (uint64_t)(-(int64_t)expiration)
		                               : (uint64_t)expiration;
		/* relative to the session's start if the nonce binds it, else to the TPM clock 0 */
		*timeout = (nonce->size ? s->start_time : 0) + secs * 1000;
		if (now > *timeout)
			return TPM2_RC_P(TPM_RC_EXPIRED, p_exp);
	}
	return TPM_RC_SUCCESS;
}

/* Record a checked authorization's effects on the session. */
static void apply_auth(struct tpm2_session *s, const struct tpm2b_digest *cp, uint64_t timeout)
{
	if (cp->size) {
		s->cp_hash = *cp;
		s->flags |= TPM2_SESS_CPHASH;
	}
	if (timeout && (!s->timeout || timeout < s->timeout))
		s->timeout = timeout;
}

static void write_auth_outputs(struct tpm2_cmd *c, uint16_t tag, uint32_t hierarchy,
                               int32_t expiration, uint64_t timeout,
                               const struct tpm2b_digest *cp, const struct tpm2b_digest *ref,
                               const uint8_t *name, size_t name_len)
{
	struct tpmt_tk tk = { tag, TPM_RH_NULL, { 0, { 0 } } };
	uint8_t tb[8];
	if (expiration < 0 && hierarchy != TPM_RH_NULL) {
		tpm2_ticket_auth(c->t, tag, hierarchy, timeout, cp, ref, name, name_len, &tk);
		tpm2_put_u32(tb, (uint32_t)(timeout >> 32));
		tpm2_put_u32(tb + 4, (uint32_t)timeout);
		tpm2_wr_tpm2b(&c->out, tb, 8);
	} else {
		tpm2_wr_u16(&c->out, 0);
	}
	tpm2_wr_ticket(&c->out, &tk);
}

TPM_RC tpm2_cc_PolicySecret(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	struct tpm2_session *s = policy_session(c, 1);
	struct tpm2b_digest nonce, cp, ref;
	uint32_t exp_u;
	int32_t expiration;
	uint64_t timeout = 0;
	uint8_t name[2 + TPM2_MAX_DIGEST];
	size_t nlen;
	TPM2_P(1, tpm2_rd_digest(&c->in, &nonce));
	TPM2_P(2, tpm2_rd_digest(&c->in, &cp));
	TPM2_P(3, tpm2_rd_digest(&c->in, &ref));
	TPM2_P(4, tpm2_rd_u32(&c->in, &exp_u));
	TPM2_TRY(tpm2_in_done(c));
	expiration = (int32_t)exp_u;
	if (!is_trial(s))
		TPM2_TRY(parameter_checks(c, s, &nonce, &cp, expiration, 1, 2, 4, &timeout));
	nlen = tpm2_entity_name(t, c->handles[0], name);
	policy_update(s, TPM_CC_PolicySecret, name, nlen, &ref);
	if (!is_trial(s))
		apply_auth(s, &cp, timeout);
	write_auth_outputs(c, TPM_ST_AUTH_SECRET, is_trial(s) ? TPM_RH_NULL :
	                   tpm2_entity_hierarchy(t, c->handles[0]), expiration, timeout, &cp,
	                   &ref, name, nlen);
	return TPM_RC_SUCCESS;
}

/* Verify a signature with a loaded object's public key (PolicySigned). */
static TPM_RC verify_with_object(const struct tpm2_object *o, const struct tpmt_signature *sig,
                                 const uint8_t *digest, size_t len)
{
	int rc;
	if (o->pub.type == TPM_ALG_RSA) {
		tc_rsa_pub pk;
		if (sig->alg != TPM_ALG_RSASSA && sig->alg != TPM_ALG_RSAPSS)
			return TPM_RC_SCHEME;
		if (tpm2_keys_rsa(o, &pk, NULL))
			return TPM_RC_KEY;
		rc = tc_rsa_verify(&pk, sig->alg, sig->hash, digest, len, sig->u.rsa.buf,
		                   sig->u.rsa.size);
	} else if (o->pub.type == TPM_ALG_ECC) {
		tc_ecc_point q;
		if (sig->alg != TPM_ALG_ECDSA)
			return TPM_RC_SCHEME;
		if (tpm2_keys_ecc(o, &q, NULL))
			return TPM_RC_KEY;
		rc = tc_ecdsa_verify(&q, digest, len, sig->u.ecc.r, sig->u.ecc.r_size, sig->u.ecc.s,
		                     sig->u.ecc.s_size);
	} else {
		return TPM_RC_SCHEME;
	}
	return rc == TC_OK ? TPM_RC_SUCCESS : TPM_RC_SIGNATURE;
}

TPM_RC tpm2_cc_PolicySigned(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	struct tpm2_session *s = policy_session(c, 1);
	struct tpm2_object *o = tpm2_object_find(t, c->handles[0]);
	struct tpm2b_digest nonce, cp, ref;
	struct tpmt_signature sig;
	uint32_t exp_u;
	int32_t expiration;
	uint64_t timeout = 0;
	uint8_t name[2 + TPM2_MAX_DIGEST], ahash[TPM2_MAX_DIGEST], be[4];
	size_t nlen;
	TPM2_P(1, tpm2_rd_digest(&c->in, &nonce));
	TPM2_P(2, tpm2_rd_digest(&c->in, &cp));
	TPM2_P(3, tpm2_rd_digest(&c->in, &ref));
	TPM2_P(4, tpm2_rd_u32(&c->in, &exp_u));
	TPM2_P(5, tpm2_rd_signature(&c->in, &sig));
	TPM2_TRY(tpm2_in_done(c));
	expiration = (int32_t)exp_u;
	if (!o)
		return TPM2_RC_H(TPM_RC_HANDLE, 1);
	if (!is_trial(s)) {
		struct tpm2_hash h;
		size_t alen;
		TPM_RC rc;
		TPM2_TRY(parameter_checks(c, s, &nonce, &cp, expiration, 1, 2, 4, &timeout));
		/* aHash = H(nonceTPM || expiration || cpHashA || policyRef), signature's hash */
		if (!tpm2_hash_init(&h, sig.hash))
			return TPM2_RC_P(TPM_RC_HASH, 5);
		tpm2_put_u32(be, exp_u);
		tpm2_hash_update(&h, nonce.buf, nonce.size);
		tpm2_hash_update(&h, be, 4);
		tpm2_hash_update(&h, cp.buf, cp.size);
		tpm2_hash_update(&h, ref.buf, ref.size);
		alen = tpm2_hash_final(&h, ahash);
		if (!(o->pub.attrs & TPMA_OBJECT_SIGN_ENCRYPT))
			return TPM2_RC_P(TPM_RC_SIGNATURE, 5);   /* not a signing key: as libtpms */
		rc = verify_with_object(o, &sig, ahash, alen);
		if (rc)
			return TPM2_RC_P(rc, 5);
	}
	nlen = tpm2_entity_name(t, c->handles[0], name);
	policy_update(s, TPM_CC_PolicySigned, name, nlen, &ref);
	if (!is_trial(s))
		apply_auth(s, &cp, timeout);
	write_auth_outputs(c, TPM_ST_AUTH_SIGNED, is_trial(s) ? TPM_RH_NULL : o->hierarchy,
	                   expiration, timeout, &cp, &ref, name, nlen);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_PolicyTicket(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	struct tpm2_session *s = policy_session(c, 0);
	struct tpm2b_digest tmo, cp, ref;
	const uint8_t *name;
	uint16_t nlen;
	struct tpmt_tk tk, want;
	uint64_t timeout = 0;
	TPM2_P(1, tpm2_rd_digest(&c->in, &tmo));
	TPM2_P(2, tpm2_rd_digest(&c->in, &cp));
	TPM2_P(3, tpm2_rd_digest(&c->in, &ref));
	TPM2_P(4, tpm2_rd_tpm2b(&c->in, &name, &nlen, 2 + TPM2_MAX_DIGEST));
	TPM2_P(5, tpm2_rd_ticket(&c->in, &tk));
	TPM2_TRY(tpm2_in_done(c));
	if (is_trial(s))   /* a trial policy uses the authorization itself, never a ticket */
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 1);
	if (tk.tag != TPM_ST_AUTH_SIGNED && tk.tag != TPM_ST_AUTH_SECRET)
		return TPM2_RC_P(TPM_RC_TAG, 5);
	if (tmo.size != 8)
		return TPM2_RC_P(TPM_RC_SIZE, 1);
	timeout = (uint64_t)tpm2_get_u32(tmo.buf) << 32 | tpm2_get_u32(tmo.buf + 4);
	if (cp.size && cp.size != dsize(s))
		return TPM2_RC_P(TPM_RC_SIZE, 2);
	if (!is_trial(s)) {
		if (timeout < tpm_now(t))
			return TPM2_RC_P(TPM_RC_EXPIRED, 1);
		if (tk.hierarchy == TPM_RH_NULL)
			return TPM2_RC_P(TPM_RC_TICKET, 5);
		tpm2_ticket_auth(t, tk.tag, tk.hierarchy, timeout, &cp, &ref, name, nlen, &want);
		if (tk.digest.size != want.digest.size ||
		    !tpm2_ct_equal(tk.digest.buf, want.digest.buf, want.digest.size))
			return TPM2_RC_P(TPM_RC_TICKET, 5);
		if (cp.size && (s->flags & (TPM2_SESS_CPHASH | TPM2_SESS_NAMEHASH)) &&
		    (!(s->flags & TPM2_SESS_CPHASH) || memcmp(cp.buf, s->cp_hash.buf, cp.size)))
			return TPM_RC_CPHASH;
	}
	policy_update(s, tk.tag == TPM_ST_AUTH_SIGNED ? TPM_CC_PolicySigned : TPM_CC_PolicySecret,
	              name, nlen, &ref);
	if (!is_trial(s))
		apply_auth(s, &cp, timeout);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_PolicyAuthorize(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	struct tpm2_session *s = policy_session(c, 0);
	struct tpm2b_digest approved, ref;
	const uint8_t *key;
	uint16_t klen;
	struct tpmt_tk tk;
	TPM2_P(1, tpm2_rd_digest(&c->in, &approved));
	TPM2_P(2, tpm2_rd_digest(&c->in, &ref));
	TPM2_P(3, tpm2_rd_tpm2b(&c->in, &key, &klen, 2 + TPM2_MAX_DIGEST));
	TPM2_P(4, tpm2_rd_ticket(&c->in, &tk));
	TPM2_TRY(tpm2_in_done(c));
	if (!is_trial(s)) {
		uint16_t alg = klen >= 2 ? tpm2_get_u16(key) : 0;
		uint8_t ahash[TPM2_MAX_DIGEST];
		struct tpm2_hash h;
		struct tpmt_tk want;
		size_t n;
		if (!tpm2_hash_size(alg))
			return TPM2_RC_P(TPM_RC_HASH, 3);
		if (klen != 2 + tpm2_hash_size(alg))
			return TPM2_RC_P(TPM_RC_SIZE, 3);
		if (approved.size != s->policy_digest.size ||
		    memcmp(approved.buf, s->policy_digest.buf, approved.size))
			return TPM2_RC_P(TPM_RC_VALUE, 1);
		/* aHash = H_keyNameAlg(approvedPolicy || policyRef), then the VERIFIED ticket */
		tpm2_hash_init(&h, alg);
		tpm2_hash_update(&h, approved.buf, approved.size);
		tpm2_hash_update(&h, ref.buf, ref.size);
		n = tpm2_hash_final(&h, ahash);
		if (tk.tag != TPM_ST_VERIFIED || tk.hierarchy == TPM_RH_NULL)
			return TPM2_RC_P(TPM_RC_VALUE, 4);
		tpm2_ticket_verified(t, tk.hierarchy, ahash, n, key, klen, &want);
		if (tk.digest.size != want.digest.size ||
		    !tpm2_ct_equal(tk.digest.buf, want.digest.buf, want.digest.size))
			return TPM2_RC_P(TPM_RC_VALUE, 4);
	}
	zero_digest(s);
	policy_update(s, TPM_CC_PolicyAuthorize, key, klen, &ref);
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ the check at use */

static size_t name_hash(struct tpm2_cmd *c, uint16_t alg, uint8_t *out)
{
	struct tpm2_hash h;
	uint8_t name[2 + TPM2_MAX_DIGEST];
	tpm2_hash_init(&h, alg);
	for (unsigned i = 0; i < c->desc->handles_in; i++)
		tpm2_hash_update(&h, name, tpm2_entity_name(c->t, c->handles[i], name));
	return tpm2_hash_final(&h, out);
}

/* PolicyTemplate: H(inPublic) of Create / CreatePrimary / CreateLoaded (2nd parameter; only
 * the 1st can be encrypted, so the raw parameters serve). */
static bool template_matches(struct tpm2_cmd *c, const struct tpm2_session *s)
{
	struct tpm2_rd r;
	const uint8_t *p;
	uint16_t n;
	uint8_t d[TPM2_MAX_DIGEST];
	if (c->cc != TPM_CC_Create && c->cc != TPM_CC_CreatePrimary && c->cc != TPM_CC_CreateLoaded)
		return false;
	tpm2_rd_init(&r, c->params, c->params_len);
	if (tpm2_rd_tpm2b(&r, &p, &n, TPM2_MAX_COMMAND_SIZE) ||
	    tpm2_rd_tpm2b(&r, &p, &n, TPM2_MAX_COMMAND_SIZE))
		return false;
	return tpm2_hash_buf(s->hash_alg, p, n, d) == s->template_hash.size &&
	       !memcmp(d, s->template_hash.buf, s->template_hash.size);
}

TPM_RC tpm2_policy_check(struct tpm2_cmd *c, struct tpm2_session *s, int handle_idx,
                         const uint8_t *cp, size_t cp_len)
{
	struct tpm2 *t = c->t;
	uint32_t h = c->handles[handle_idx];
	uint16_t alg = 0;
	const struct tpm2b_digest *policy = tpm2_entity_policy(t, h, &alg);
	uint8_t role = c->desc->role[handle_idx];
	if ((s->flags & TPM2_SESS_PCR) && s->pcr_counter != t->pcr_update_counter)
		return TPM_RC_PCR_CHANGED;
	if (!policy || policy->size != s->policy_digest.size ||
	    !tpm2_ct_equal(policy->buf, s->policy_digest.buf, policy->size) || alg != s->hash_alg)
		return TPM_RC_POLICY_FAIL;
	if (s->timeout && tpm_now(t) > s->timeout)
		return TPM_RC_EXPIRED;
	if (s->command_code) {
		if (s->command_code != c->cc)
			return TPM_RC_POLICY_CC;
	} else if (role == TPM2_ROLE_ADMIN || role == TPM2_ROLE_DUP) {
		return TPM_RC_POLICY_FAIL;
	}
	if (s->locality_mask && (s->locality_mask > LOCALITY_EXTENDED ||   /* never ours (0..4) */
	                         !(s->locality_mask & (1u << c->locality))))
		return TPM_RC_LOCALITY;
	if (s->flags & TPM2_SESS_CPHASH) {
		if (cp_len != s->cp_hash.size || memcmp(cp, s->cp_hash.buf, cp_len))
			return TPM_RC_POLICY_FAIL;
	} else if (s->flags & TPM2_SESS_NAMEHASH) {
		uint8_t nh[TPM2_MAX_DIGEST];
		size_t n = name_hash(c, s->hash_alg, nh);
		if (n != s->cp_hash.size || memcmp(nh, s->cp_hash.buf, n))
			return TPM_RC_POLICY_FAIL;
	}
	if (s->flags & TPM2_SESS_NV_WRITTEN) {
		struct tpm2_nv_index *nv = tpm2_nv_find(t, h);
		if (!nv || ((nv->pub.attrs & TPMA_NV_WRITTEN) != 0) !=
		           ((s->flags & TPM2_SESS_NV_WRITTEN_YES) != 0))
			return TPM_RC_POLICY_FAIL;
	}
	if ((s->flags & TPM2_SESS_TEMPLATE) && !template_matches(c, s))
		return TPM_RC_POLICY_FAIL;
	return TPM_RC_SUCCESS;
}
