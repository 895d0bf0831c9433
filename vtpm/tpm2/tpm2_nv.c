/*
 * NV indices: descriptors in t->nv[], data packed in t->nv_data in definition order (an
 * undefine slides the later data down, so the arena never fragments).
 */
#include "tpm2_internal.h"

struct tpm2_nv_index *tpm2_nv_find(struct tpm2 *t, uint32_t handle)
{
	if (HANDLE_TYPE(handle) != TPM_HT_NV_INDEX)
		return NULL;
	for (unsigned i = 0; i < TPM2_NV_MAX_INDICES; i++)
		if (t->nv[i].pub.index == handle)
			return &t->nv[i];
	return NULL;
}

size_t tpm2_nv_name(const struct tpm2_nv_index *nv, uint8_t *out)
{
	uint8_t buf[2 + 4 + 2 + 4 + 2 + TPM2_MAX_DIGEST + 2];
	struct tpm2_wr w;
	size_t n;
	tpm2_wr_init(&w, buf, sizeof buf);
	tpm2_wr_nv_public(&w, &nv->pub);
	tpm2_put_u16(out, nv->pub.name_alg);
	n = tpm2_hash_buf(nv->pub.name_alg, buf + 2, w.off - 2, out + 2);
	return 2 + n;
}

uint8_t *tpm2_nv_data(struct tpm2 *t, struct tpm2_nv_index *nv)
{
	return t->nv_data + nv->data_off;
}

/* Startup: TPMA_NV_WRITE_STCLEAR / READ_STCLEAR locks go; CLEAR_STCLEAR indices forget that
 * they were written (not on Resume). */
void tpm2_nv_startup(struct tpm2 *t, bool clear)
{
	for (unsigned i = 0; i < TPM2_NV_MAX_INDICES; i++) {
		struct tpms_nv_public *p = &t->nv[i].pub;
		if (!p->index)
			continue;
		if (clear) {
			/* A WriteLock lasts until Startup(CLEAR), except on a WRITEDEFINE index that
			 * has been written: that one is forever (reference NvEntityStartup). */
			bool forever = (p->attrs & TPMA_NV_WRITEDEFINE) && (p->attrs & TPMA_NV_WRITTEN);
			if ((p->attrs & TPMA_NV_WRITE_STCLEAR) ||
			    ((p->attrs & (TPMA_NV_WRITEDEFINE | TPMA_NV_GLOBALLOCK)) && !forever))
				p->attrs &= ~(uint32_t)TPMA_NV_WRITELOCKED;
			p->attrs &= ~(uint32_t)TPMA_NV_READLOCKED;
			if (p->attrs & TPMA_NV_CLEAR_STCLEAR)
				p->attrs &= ~(uint32_t)TPMA_NV_WRITTEN;
		}
	}
}

static void nv_remove(struct tpm2 *t, struct tpm2_nv_index *nv)
{
	uint16_t off = nv->data_off, size = nv->pub.data_size;
	memmove(t->nv_data + off, t->nv_data + off + size, t->nv_used - off - size);
	t->nv_used = (uint16_t)(t->nv_used - size);
	memset(t->nv_data + t->nv_used, 0, size);
	for (unsigned i = 0; i < TPM2_NV_MAX_INDICES; i++)
		if (t->nv[i].pub.index && t->nv[i].data_off > off)
			t->nv[i].data_off = (uint16_t)(t->nv[i].data_off - size);
	tpm2_zeroise(nv, sizeof *nv);
}

void tpm2_nv_clear_owner(struct tpm2 *t)
{
	for (unsigned i = 0; i < TPM2_NV_MAX_INDICES; i++)
		if (t->nv[i].pub.index && !(t->nv[i].pub.attrs & TPMA_NV_PLATFORMCREATE))
			nv_remove(t, &t->nv[i]);
}

/* ------------------------------------------------------------------ access rules */

static unsigned nv_type(const struct tpm2_nv_index *nv)
{
	return (nv->pub.attrs & TPMA_NV_TPM_NT_MASK) >> TPMA_NV_TPM_NT_SHIFT;
}

static bool nv_policy_session(struct tpm2_cmd *c)
{
	return c->n_auths && c->auths[0].sess && c->auths[0].sess->type != TPM_SE_HMAC;
}

/* Which authorization may write/read (Part 3, NvWriteAccessChecks / NvReadAccessChecks). */
static TPM_RC nv_access(struct tpm2_cmd *c, const struct tpm2_nv_index *nv, bool write)
{
	uint32_t a = nv->pub.attrs, auth = c->handles[0];
	uint32_t pp = write ? TPMA_NV_PPWRITE : TPMA_NV_PPREAD;
	uint32_t own = write ? TPMA_NV_OWNERWRITE : TPMA_NV_OWNERREAD;
	uint32_t au = write ? TPMA_NV_AUTHWRITE : TPMA_NV_AUTHREAD;
	uint32_t pol = write ? TPMA_NV_POLICYWRITE : TPMA_NV_POLICYREAD;
	bool ok;
	if (auth == TPM_RH_PLATFORM)
		ok = a & pp;
	else if (auth == TPM_RH_OWNER)
		ok = a & own;
	else if (auth == nv->pub.index)
		ok = a & (nv_policy_session(c) ? pol : au);
	else
		ok = false;
	if (!ok)
		return TPM_RC_NV_AUTHORIZATION;
	if (a & (write ? TPMA_NV_WRITELOCKED : TPMA_NV_READLOCKED))
		return TPM_RC_NV_LOCKED;
	return TPM_RC_SUCCESS;
}

static struct tpm2_nv_index *nv_at(struct tpm2_cmd *c, unsigned n)
{
	return tpm2_nv_find(c->t, c->handles[n - 1]);
}

/* Index content changed: WRITTEN is part of the public area, hence of the Name. */
static void nv_written(struct tpm2_nv_index *nv)
{
	nv->pub.attrs |= TPMA_NV_WRITTEN;
}

/* ------------------------------------------------------------------ define / undefine */

TPM_RC tpm2_nv_check_public(const struct tpms_nv_public *p, bool platform, bool defined)
{
	uint32_t a = p->attrs;
	unsigned type = (a & TPMA_NV_TPM_NT_MASK) >> TPMA_NV_TPM_NT_SHIFT;
	size_t dsize = tpm2_hash_size(p->name_alg);
	if (platform != ((a & TPMA_NV_PLATFORMCREATE) != 0))
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 1);   /* the authHandle is wrong (libtpms: +H1) */
	if (p->auth_policy.size != 0 && p->auth_policy.size != dsize)
		return TPM2_RC_P(TPM_RC_SIZE, 2);
	if (!defined && (a & (TPMA_NV_WRITELOCKED | TPMA_NV_READLOCKED | TPMA_NV_WRITTEN)))
		return TPM2_RC_P(TPM_RC_ATTRIBUTES, 2);
	if (!(a & (TPMA_NV_PPREAD | TPMA_NV_OWNERREAD | TPMA_NV_AUTHREAD | TPMA_NV_POLICYREAD)) ||
	    !(a & (TPMA_NV_PPWRITE | TPMA_NV_OWNERWRITE | TPMA_NV_AUTHWRITE | TPMA_NV_POLICYWRITE)))
		return TPM2_RC_P(TPM_RC_ATTRIBUTES, 2);
	if ((a & TPMA_NV_POLICY_DELETE) && !platform)
		return TPM2_RC_P(TPM_RC_ATTRIBUTES, 2);
	switch (type) {
	case TPM_NT_ORDINARY:
		if (p->data_size > TPM2_NV_INDEX_MAX)
			return TPM2_RC_P(TPM_RC_SIZE, 2);
		return TPM_RC_SUCCESS;
	case TPM_NT_COUNTER:
	case TPM_NT_BITS:
		if (p->data_size != 8)
			return TPM2_RC_P(TPM_RC_SIZE, 2);
		if ((a & TPMA_NV_WRITEALL) || (type == TPM_NT_COUNTER && (a & TPMA_NV_CLEAR_STCLEAR)))
			return TPM2_RC_P(TPM_RC_ATTRIBUTES, 2);
		return TPM_RC_SUCCESS;
	case TPM_NT_EXTEND:
		if (p->data_size != dsize)
			return TPM2_RC_P(TPM_RC_SIZE, 2);
		if (a & TPMA_NV_WRITEALL)
			return TPM2_RC_P(TPM_RC_ATTRIBUTES, 2);
		return TPM_RC_SUCCESS;
	case TPM_NT_PIN_FAIL:
		/* failures must not also feed the DA counter (the index counts them itself) */
		if (!(a & TPMA_NV_NO_DA))
			return TPM2_RC_P(TPM_RC_ATTRIBUTES, 2);
		/* fall through */
	case TPM_NT_PIN_PASS:
		/* the authValue is unusable until written, so it cannot be the way to write */
		if (a & (TPMA_NV_AUTHWRITE | TPMA_NV_GLOBALLOCK | TPMA_NV_WRITEDEFINE))
			return TPM2_RC_P(TPM_RC_ATTRIBUTES, 2);
		if (p->data_size != 8)                 /* TPMS_NV_PIN_COUNTER_PARAMETERS */
			return TPM2_RC_P(TPM_RC_SIZE, 2);
		return TPM_RC_SUCCESS;
	}
	return TPM2_RC_P(TPM_RC_ATTRIBUTES, 2);
}

TPM_RC tpm2_cc_NV_DefineSpace(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	struct tpm2b_digest auth;
	struct tpms_nv_public pub;
	struct tpm2_nv_index *slot = NULL;
	TPM2_P(1, tpm2_rd_digest(&c->in, &auth));
	TPM2_P(2, tpm2_rd_nv_public(&c->in, &pub));
	TPM2_TRY(tpm2_in_done(c));
	TPM2_TRY(tpm2_nv_check_public(&pub, c->handles[0] == TPM_RH_PLATFORM, false));
	if (auth.size > tpm2_hash_size(pub.name_alg))
		return TPM2_RC_P(TPM_RC_SIZE, 1);
	if (tpm2_nv_find(t, pub.index))
		return TPM_RC_NV_DEFINED;
	for (unsigned i = 0; i < TPM2_NV_MAX_INDICES && !slot; i++)
		if (!t->nv[i].pub.index)
			slot = &t->nv[i];
	if (!slot || (size_t)t->nv_used + pub.data_size > TPM2_NV_ARENA_SIZE)
		return TPM_RC_NV_SPACE;
	slot->pub = pub;
	tpm2_auth_set(&slot->auth, auth.buf, auth.size);
	slot->data_off = t->nv_used;
	memset(t->nv_data + t->nv_used, 0xFF, pub.data_size);   /* erased flash */
	t->nv_used = (uint16_t)(t->nv_used + pub.data_size);
	return TPM_RC_SUCCESS;
}

static void nv_undefine(struct tpm2 *t, struct tpm2_nv_index *nv)
{
	if (nv_type(nv) == TPM_NT_COUNTER && (nv->pub.attrs & TPMA_NV_WRITTEN)) {
		uint8_t *d = tpm2_nv_data(t, nv);
		uint64_t v = (uint64_t)tpm2_get_u32(d) << 32 | tpm2_get_u32(d + 4);
		if (v > t->nv_max_counter)
			t->nv_max_counter = v;
	}
	nv_remove(t, nv);
}

TPM_RC tpm2_cc_NV_UndefineSpace(struct tpm2_cmd *c)
{
	struct tpm2_nv_index *nv = nv_at(c, 2);
	TPM2_TRY(tpm2_in_done(c));
	if (nv->pub.attrs & TPMA_NV_POLICY_DELETE)
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 2);
	if (c->handles[0] == TPM_RH_OWNER && (nv->pub.attrs & TPMA_NV_PLATFORMCREATE))
		return TPM_RC_NV_AUTHORIZATION;
	nv_undefine(c->t, nv);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_NV_UndefineSpaceSpecial(struct tpm2_cmd *c)
{
	struct tpm2_nv_index *nv = nv_at(c, 1);
	TPM2_TRY(tpm2_in_done(c));
	if (!(nv->pub.attrs & TPMA_NV_POLICY_DELETE))
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 1);
	nv_undefine(c->t, nv);
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ PIN indices
 * PIN Pass / PIN Fail (Part 1 "PIN Pass/PIN Fail Index", Part 3 NV_DefineSpace): the data is
 * TPMS_NV_PIN_COUNTER_PARAMETERS {pinCount, pinLimit} (big-endian u32s), written with
 * NV_Write like an ordinary index.  The index's authValue is usable (password or HMAC
 * session; never for the writing commands, which AUTHWRITE would need) only once written and
 * while pinCount < pinLimit, else TPM_RC_AUTH_UNAVAILABLE.  After each check of an
 * authorization for the index (any session kind, as the reference's CheckAuthSession):
 * PIN Fail counts a failure (pinCount+1) and resets the count on success; PIN Pass counts
 * every success. */

static bool nv_is_pin(const struct tpm2_nv_index *nv)
{
	return nv_type(nv) == TPM_NT_PIN_FAIL || nv_type(nv) == TPM_NT_PIN_PASS;
}

static bool nv_write_command(uint32_t cc)
{
	switch (cc) {
	case TPM_CC_NV_Write: case TPM_CC_NV_Increment: case TPM_CC_NV_SetBits:
	case TPM_CC_NV_Extend: case TPM_CC_NV_WriteLock:
		return true;
	}
	return false;
}

TPM_RC tpm2_nv_pin_auth_available(struct tpm2 *t, uint32_t handle, uint32_t cc)
{
	struct tpm2_nv_index *nv = tpm2_nv_find(t, handle);
	const uint8_t *d;
	if (!nv || !nv_is_pin(nv))
		return TPM_RC_SUCCESS;
	if (nv_write_command(cc) || !(nv->pub.attrs & TPMA_NV_WRITTEN))
		return TPM_RC_AUTH_UNAVAILABLE;
	d = tpm2_nv_data(t, nv);
	return tpm2_get_u32(d) < tpm2_get_u32(d + 4) ? TPM_RC_SUCCESS : TPM_RC_AUTH_UNAVAILABLE;
}

void tpm2_nv_pin_count(struct tpm2 *t, uint32_t handle, TPM_RC rc)
{
	struct tpm2_nv_index *nv = tpm2_nv_find(t, handle);
	uint32_t base = (rc & RC_FMT1) ? rc & 0xBFu : rc;   /* without the session number */
	uint8_t *d;
	if (!nv || !nv_is_pin(nv) || !(nv->pub.attrs & TPMA_NV_WRITTEN))
		return;
	if (rc != TPM_RC_SUCCESS && base != TPM_RC_AUTH_FAIL && base != TPM_RC_BAD_AUTH)
		return;     /* refused before the authValue or policy was checked */
	d = tpm2_nv_data(t, nv);
	if (nv_type(nv) == TPM_NT_PIN_FAIL)
		tpm2_put_u32(d, rc ? tpm2_get_u32(d) + 1 : 0);
	else if (!rc)
		tpm2_put_u32(d, tpm2_get_u32(d) + 1);
}

/* ------------------------------------------------------------------ reads */

TPM_RC tpm2_cc_NV_ReadPublic(struct tpm2_cmd *c)
{
	struct tpm2_nv_index *nv = nv_at(c, 1);
	uint8_t name[2 + TPM2_MAX_DIGEST];
	size_t n;
	TPM2_TRY(tpm2_in_done(c));
	n = tpm2_nv_name(nv, name);
	tpm2_wr_nv_public(&c->out, &nv->pub);
	tpm2_wr_tpm2b(&c->out, name, n);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_NV_Read(struct tpm2_cmd *c)
{
	struct tpm2_nv_index *nv = nv_at(c, 2);
	uint16_t size, offset;
	TPM2_P(1, tpm2_rd_u16(&c->in, &size));
	TPM2_P(2, tpm2_rd_u16(&c->in, &offset));
	TPM2_TRY(tpm2_in_done(c));
	TPM2_TRY(nv_access(c, nv, false));
	if (!(nv->pub.attrs & TPMA_NV_WRITTEN))
		return TPM_RC_NV_UNINITIALIZED;
	if ((uint32_t)size + offset > nv->pub.data_size)
		return TPM_RC_NV_RANGE;
	if (size > TPM2_MAX_NV_BUFFER)
		return TPM2_RC_P(TPM_RC_VALUE, 1);
	tpm2_wr_tpm2b(&c->out, tpm2_nv_data(c->t, nv) + offset, size);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_NV_ReadLock(struct tpm2_cmd *c)
{
	struct tpm2_nv_index *nv = nv_at(c, 2);
	TPM_RC rc;
	TPM2_TRY(tpm2_in_done(c));
	rc = nv_access(c, nv, false);
	if (rc == TPM_RC_NV_LOCKED)
		return TPM_RC_SUCCESS;   /* already locked */
	TPM2_TRY(rc);
	if (!(nv->pub.attrs & TPMA_NV_READ_STCLEAR))
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 2);
	nv->pub.attrs |= TPMA_NV_READLOCKED;
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ writes */

static TPM_RC write_checks(struct tpm2_cmd *c, struct tpm2_nv_index *nv, unsigned want_type)
{
	TPM2_TRY(nv_access(c, nv, true));
	if (nv_type(nv) != want_type)
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 2);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_NV_Write(struct tpm2_cmd *c)
{
	struct tpm2_nv_index *nv = nv_at(c, 2);
	const uint8_t *data;
	uint16_t size, offset;
	TPM2_P(1, tpm2_rd_tpm2b(&c->in, &data, &size, TPM2_MAX_NV_BUFFER));
	TPM2_P(2, tpm2_rd_u16(&c->in, &offset));
	TPM2_TRY(tpm2_in_done(c));
	TPM2_TRY(write_checks(c, nv, nv_is_pin(nv) ? nv_type(nv) : TPM_NT_ORDINARY));
	if ((uint32_t)size + offset > nv->pub.data_size)
		return TPM_RC_NV_RANGE;
	if ((nv->pub.attrs & TPMA_NV_WRITEALL) && size != nv->pub.data_size)
		return TPM_RC_NV_RANGE;
	memcpy(tpm2_nv_data(c->t, nv) + offset, data, size);
	nv_written(nv);
	return TPM_RC_SUCCESS;
}

static uint64_t nv_get_u64(struct tpm2 *t, struct tpm2_nv_index *nv)
{
	uint8_t *d = tpm2_nv_data(t, nv);
	return (uint64_t)tpm2_get_u32(d) << 32 | tpm2_get_u32(d + 4);
}

static void nv_put_u64(struct tpm2 *t, struct tpm2_nv_index *nv, uint64_t v)
{
	uint8_t *d = tpm2_nv_data(t, nv);
	tpm2_put_u32(d, (uint32_t)(v >> 32));
	tpm2_put_u32(d + 4, (uint32_t)v);
}

TPM_RC tpm2_cc_NV_Increment(struct tpm2_cmd *c)
{
	struct tpm2_nv_index *nv = nv_at(c, 2);
	uint64_t v;
	TPM2_TRY(tpm2_in_done(c));
	TPM2_TRY(write_checks(c, nv, TPM_NT_COUNTER));
	/* A new counter starts at the highest value any counter had, so a counter can never
	 * be rolled back by undefining and redefining it. */
	v = (nv->pub.attrs & TPMA_NV_WRITTEN) ? nv_get_u64(c->t, nv) : c->t->nv_max_counter;
	nv_put_u64(c->t, nv, v + 1);
	if (v + 1 > c->t->nv_max_counter)
		c->t->nv_max_counter = v + 1;
	nv_written(nv);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_NV_SetBits(struct tpm2_cmd *c)
{
	struct tpm2_nv_index *nv = nv_at(c, 2);
	uint64_t bits, v;
	TPM2_P(1, tpm2_rd_u64(&c->in, &bits));
	TPM2_TRY(tpm2_in_done(c));
	TPM2_TRY(write_checks(c, nv, TPM_NT_BITS));
	v = (nv->pub.attrs & TPMA_NV_WRITTEN) ? nv_get_u64(c->t, nv) : 0;
	nv_put_u64(c->t, nv, v | bits);
	nv_written(nv);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_NV_Extend(struct tpm2_cmd *c)
{
	struct tpm2_nv_index *nv = nv_at(c, 2);
	const uint8_t *data;
	uint16_t size;
	struct tpm2_hash h;
	uint8_t *d;
	size_t n;
	TPM2_P(1, tpm2_rd_tpm2b(&c->in, &data, &size, TPM2_MAX_NV_BUFFER));
	TPM2_TRY(tpm2_in_done(c));
	TPM2_TRY(write_checks(c, nv, TPM_NT_EXTEND));
	d = tpm2_nv_data(c->t, nv);
	n = tpm2_hash_size(nv->pub.name_alg);
	if (!(nv->pub.attrs & TPMA_NV_WRITTEN))
		memset(d, 0, n);
	tpm2_hash_init(&h, nv->pub.name_alg);
	tpm2_hash_update(&h, d, n);
	tpm2_hash_update(&h, data, size);
	tpm2_hash_final(&h, d);
	nv_written(nv);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_NV_WriteLock(struct tpm2_cmd *c)
{
	struct tpm2_nv_index *nv = nv_at(c, 2);
	TPM_RC rc;
	TPM2_TRY(tpm2_in_done(c));
	rc = nv_access(c, nv, true);
	if (rc == TPM_RC_NV_LOCKED)
		return TPM_RC_SUCCESS;   /* already locked */
	TPM2_TRY(rc);
	if (!(nv->pub.attrs & (TPMA_NV_WRITEDEFINE | TPMA_NV_WRITE_STCLEAR)))
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 2);
	nv->pub.attrs |= TPMA_NV_WRITELOCKED;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_NV_GlobalWriteLock(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	TPM2_TRY(tpm2_in_done(c));
	for (unsigned i = 0; i < TPM2_NV_MAX_INDICES; i++)
		if (t->nv[i].pub.index && (t->nv[i].pub.attrs & TPMA_NV_GLOBALLOCK))
			t->nv[i].pub.attrs |= TPMA_NV_WRITELOCKED;
	t->nv_global_locked = 1;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_NV_ChangeAuth(struct tpm2_cmd *c)
{
	struct tpm2_nv_index *nv = nv_at(c, 1);
	struct tpm2b_digest auth;
	TPM2_P(1, tpm2_rd_digest(&c->in, &auth));
	TPM2_TRY(tpm2_in_done(c));
	if (auth.size > tpm2_hash_size(nv->pub.name_alg))
		return TPM2_RC_P(TPM_RC_SIZE, 1);
	tpm2_auth_set(&nv->auth, auth.buf, auth.size);
	return TPM_RC_SUCCESS;
}
