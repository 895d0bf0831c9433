/*
 * The persistent state blob.
 *
 *   "ATPM" | version u16 | reserved u16 | total length u32 | body | SHA-256(everything before)
 *
 * The body is written field by field (never a struct dump), so the layout does not depend on
 * the compiler or on struct tpm2.  Loading first validates the whole blob without touching
 * the TPM, then applies it; any change to the body's layout bumps TPM2_STATE_VERSION and
 * older versions are rejected (TPM2_STATE_ERR_VERSION), never misread.
 */
#include "tpm2_internal.h"

#define STATE_MAGIC   0x4154504Du   /* "ATPM" */
#define STATE_VERSION 3u   /* 2: saved sessions kept through Shutdown(STATE); 3: no DA timers */
#define HEADER_SIZE   12u
#define DIGEST_SIZE   32u

size_t tpm2_state_max_size(void)
{
	/* Every serialised field is at most its in-memory size plus a small prefix; the volatile
	 * half of struct tpm2 (PCRs, slots, I/O buffer) alone exceeds all prefixes. */
	return sizeof(struct tpm2) + HEADER_SIZE + DIGEST_SIZE;
}

const char *tpm2_state_strerror(int err)
{
	switch (err) {
	case 0: return "ok";
	case TPM2_STATE_ERR_TRUNCATED: return "state blob truncated";
	case TPM2_STATE_ERR_MAGIC: return "not an Anchor TPM state blob (bad magic)";
	case TPM2_STATE_ERR_VERSION: return "state blob version not supported";
	case TPM2_STATE_ERR_INTEGRITY: return "state blob integrity check failed (corrupted)";
	case TPM2_STATE_ERR_CORRUPT: return "state blob content invalid";
	}
	return "unknown state error";
}

/* ------------------------------------------------------------------ save */

static void wr_digest(struct tpm2_wr *w, const struct tpm2b_digest *d)
{
	tpm2_wr_tpm2b(w, d->buf, d->size);
}

static void wr_hierarchy(struct tpm2_wr *w, const struct tpm2_hierarchy_auth *h)
{
	wr_digest(w, &h->auth);
	wr_digest(w, &h->policy);
	tpm2_wr_u16(w, h->policy_alg);
}

static void wr_object(struct tpm2_wr *w, const struct tpm2_object *o)
{
	size_t mark = tpm2_wr_size_begin(w);
	tpm2_wr_public(w, &o->pub);
	tpm2_wr_size_end(w, mark);
	tpm2_wr_sensitive(w, &o->sens);
	tpm2_wr_tpm2b(w, o->name.buf, o->name.size);   /* TPM2B_NAME: up to 66 bytes */
	tpm2_wr_tpm2b(w, o->qname.buf, o->qname.size);
	tpm2_wr_u32(w, o->hierarchy);
	tpm2_wr_u32(w, o->flags);
}

static unsigned count_nv(const struct tpm2 *t)
{
	unsigned n = 0;
	for (unsigned i = 0; i < TPM2_NV_MAX_INDICES; i++)
		n += t->nv[i].pub.index != 0;
	return n;
}

static unsigned count_persistent(const struct tpm2 *t)
{
	unsigned n = 0;
	for (unsigned i = 0; i < TPM2_PERSISTENT_SLOTS; i++)
		n += t->persistent[i].handle != 0;
	return n;
}

static void wr_body(struct tpm2_wr *w, const struct tpm2 *t)
{
	tpm2_wr_bytes(w, t->eps, TPM2_SEED_SIZE);
	tpm2_wr_bytes(w, t->pps, TPM2_SEED_SIZE);
	tpm2_wr_bytes(w, t->sps, TPM2_SEED_SIZE);
	tpm2_wr_bytes(w, t->ph_proof, TPM2_MAX_DIGEST);
	tpm2_wr_bytes(w, t->sh_proof, TPM2_MAX_DIGEST);
	tpm2_wr_bytes(w, t->eh_proof, TPM2_MAX_DIGEST);
	wr_hierarchy(w, &t->owner);
	wr_hierarchy(w, &t->endorsement);
	wr_hierarchy(w, &t->platform);
	wr_hierarchy(w, &t->lockout);
	tpm2_wr_u8(w, t->disable_clear);
	tpm2_wr_u32(w, t->da.failed_tries);
	tpm2_wr_u32(w, t->da.max_tries);
	tpm2_wr_u32(w, t->da.recovery_time);
	tpm2_wr_u32(w, t->da.lockout_recovery);
	tpm2_wr_u8(w, t->da.lockout_auth_blocked);
	tpm2_wr_u64(w, t->clock);
	tpm2_wr_u8(w, t->clock_safe);
	tpm2_wr_u8(w, (uint8_t)t->clock_rate);
	tpm2_wr_u32(w, t->reset_count);
	tpm2_wr_u32(w, t->restart_count);
	tpm2_wr_u16(w, t->orderly);
	tpm2_wr_bytes(w, &t->pcr_alloc.select, sizeof t->pcr_alloc.select);
	tpm2_wr_bytes(w, &t->pcr_alloc_next.select, sizeof t->pcr_alloc_next.select);
	tpm2_wr_u8(w, t->pcr_alloc_pending);
	tpm2_wr_u16(w, (uint16_t)count_nv(t));
	for (unsigned i = 0; i < TPM2_NV_MAX_INDICES; i++) {
		const struct tpm2_nv_index *nv = &t->nv[i];
		if (!nv->pub.index)
			continue;
		tpm2_wr_nv_public(w, &nv->pub);
		wr_digest(w, &nv->auth);
		tpm2_wr_bytes(w, t->nv_data + nv->data_off, nv->pub.data_size);
	}
	tpm2_wr_u64(w, t->nv_max_counter);
	tpm2_wr_u16(w, (uint16_t)count_persistent(t));
	for (unsigned i = 0; i < TPM2_PERSISTENT_SLOTS; i++) {
		if (!t->persistent[i].handle)
			continue;
		tpm2_wr_u32(w, t->persistent[i].handle);
		wr_object(w, &t->persistent[i].obj);
	}
	tpm2_wr_bytes(w, t->audit_cmds, TPM2_AUDIT_BITMAP_BYTES);
	tpm2_wr_u16(w, t->audit_alg);
	tpm2_wr_u64(w, t->audit_counter);
	/* What Startup(STATE) needs, only after Shutdown(STATE) */
	tpm2_wr_u8(w, t->orderly == TPM_SU_STATE);
	if (t->orderly == TPM_SU_STATE) {
		for (unsigned b = 0; b < TPM2_NUM_BANKS; b++)
			for (unsigned p = 0; p < TPM2_NUM_PCRS; p++)
				tpm2_wr_bytes(w, t->pcr_saved[b][p],
				              tpm2_hash_size(tpm2_pcr_bank_alg(b)));
		tpm2_wr_u8(w, t->saved_enables);
		tpm2_wr_u64(w, t->saved_context_counter);
		for (unsigned i = 0; i < TPM2_SESSION_SLOTS; i++) {
			tpm2_wr_u32(w, t->saved_sessions[i].handle);
			tpm2_wr_u64(w, t->saved_sessions[i].seq);
		}
		tpm2_wr_bytes(w, t->context_key, sizeof t->context_key);
		tpm2_wr_bytes(w, t->null_proof, sizeof t->null_proof);
		tpm2_wr_bytes(w, t->null_seed, sizeof t->null_seed);
	}
}

size_t tpm2_state_save(const struct tpm2 *t, uint8_t *buf, size_t max)
{
	struct tpm2_wr w;
	if (max < HEADER_SIZE + DIGEST_SIZE)
		return 0;
	tpm2_wr_init(&w, buf, max - DIGEST_SIZE);
	tpm2_wr_u32(&w, STATE_MAGIC);
	tpm2_wr_u16(&w, STATE_VERSION);
	tpm2_wr_u16(&w, 0);
	tpm2_wr_u32(&w, 0);                 /* length, patched below */
	wr_body(&w, t);
	if (w.overflow)
		return 0;
	tpm2_put_u32(buf + 8, (uint32_t)(w.off + DIGEST_SIZE));
	tpm2_hash_buf(TPM_ALG_SHA256, buf, w.off, buf + w.off);
	return w.off + DIGEST_SIZE;
}

/* ------------------------------------------------------------------ load
 * Every reader takes `t` possibly NULL: pass 1 validates with t == NULL, pass 2 applies. */

#define LD(expr) do { if ((expr) != TPM_RC_SUCCESS) return false; } while (0)

static bool ld_bytes(struct tpm2_rd *r, void *dst, size_t n)
{
	if (tpm2_rd_left(r) < n)
		return false;
	if (dst)
		memcpy(dst, r->p + r->off, n);
	r->off += n;
	return true;
}

static bool ld_name(struct tpm2_rd *r, struct tpm2b_name *dst)
{
	const uint8_t *p;
	uint16_t n;
	LD(tpm2_rd_tpm2b(r, &p, &n, sizeof dst->buf));
	dst->size = n;
	memcpy(dst->buf, p, n);
	return true;
}

static bool ld_digest(struct tpm2_rd *r, struct tpm2b_digest *dst)
{
	struct tpm2b_digest d;
	LD(tpm2_rd_digest(r, &d));
	if (dst)
		*dst = d;
	return true;
}

static bool ld_hierarchy(struct tpm2_rd *r, struct tpm2_hierarchy_auth *dst)
{
	struct tpm2_hierarchy_auth h;
	if (!ld_digest(r, &h.auth) || !ld_digest(r, &h.policy))
		return false;
	LD(tpm2_rd_u16(r, &h.policy_alg));
	if (h.policy_alg != TPM_ALG_NULL && !tpm2_hash_alg_supported(h.policy_alg))
		return false;
	if (dst)
		*dst = h;
	return true;
}

static bool ld_u8(struct tpm2_rd *r, uint8_t *dst) { return ld_bytes(r, dst, 1); }

static bool ld_u16(struct tpm2_rd *r, uint16_t *dst)
{
	uint16_t v;
	LD(tpm2_rd_u16(r, &v));
	if (dst)
		*dst = v;
	return true;
}

static bool ld_u32(struct tpm2_rd *r, uint32_t *dst)
{
	uint32_t v;
	LD(tpm2_rd_u32(r, &v));
	if (dst)
		*dst = v;
	return true;
}

static bool ld_u64(struct tpm2_rd *r, uint64_t *dst)
{
	uint64_t v;
	LD(tpm2_rd_u64(r, &v));
	if (dst)
		*dst = v;
	return true;
}

#define T(field) (t ? &t->field : NULL)

static bool ld_nv(struct tpm2_rd *r, struct tpm2 *t)
{
	uint16_t count, used = 0;
	if (!ld_u16(r, &count) || count > TPM2_NV_MAX_INDICES)
		return false;
	for (unsigned i = 0; i < count; i++) {
		struct tpms_nv_public pub;
		LD(tpm2_rd_nv_public(r, &pub));
		if (pub.data_size > TPM2_NV_INDEX_MAX || used + pub.data_size > TPM2_NV_ARENA_SIZE)
			return false;
		if (t) {
			t->nv[i].pub = pub;
			t->nv[i].data_off = used;
		}
		if (!ld_digest(r, T(nv[i].auth)) ||
		    !ld_bytes(r, t ? t->nv_data + used : NULL, pub.data_size))
			return false;
		used = (uint16_t)(used + pub.data_size);
	}
	if (t)
		t->nv_used = used;
	return true;
}

static bool ld_object(struct tpm2_rd *r, struct tpm2_object *dst)
{
	/* parsed into a local (static-free) buffer only when applying; validation parses into
	 * the same local and drops it */
	struct tpm2_object o;
	LD(tpm2_rd_public_sized(r, &o.pub, true));
	LD(tpm2_rd_sensitive(r, &o.sens));
	if (!ld_name(r, &o.name) || !ld_name(r, &o.qname))
		return false;
	LD(tpm2_rd_u32(r, &o.hierarchy));
	LD(tpm2_rd_u32(r, &o.flags));
	if (dst)
		*dst = o;
	tpm2_zeroise(&o, sizeof o);
	return true;
}

static bool ld_persistent(struct tpm2_rd *r, struct tpm2 *t)
{
	uint16_t count;
	if (!ld_u16(r, &count) || count > TPM2_PERSISTENT_SLOTS)
		return false;
	for (unsigned i = 0; i < count; i++) {
		uint32_t h;
		if (!ld_u32(r, &h) || HANDLE_TYPE(h) != TPM_HT_PERSISTENT)
			return false;
		if (t)
			t->persistent[i].handle = h;
		if (!ld_object(r, T(persistent[i].obj)))
			return false;
	}
	return true;
}

static bool ld_saved_state(struct tpm2_rd *r, struct tpm2 *t, uint16_t orderly)
{
	uint8_t present;
	/* present exactly when the last shutdown was Shutdown(STATE): one encoding per state */
	if (!ld_u8(r, &present) || present != (orderly == TPM_SU_STATE))
		return false;
	if (!present)
		return true;
	for (unsigned b = 0; b < TPM2_NUM_BANKS; b++)
		for (unsigned p = 0; p < TPM2_NUM_PCRS; p++)
			if (!ld_bytes(r, T(pcr_saved[b][p]), tpm2_hash_size(tpm2_pcr_bank_alg(b))))
				return false;
	if (!ld_u8(r, T(saved_enables)) || !ld_u64(r, T(saved_context_counter)))
		return false;
	for (unsigned i = 0; i < TPM2_SESSION_SLOTS; i++) {
		uint32_t h;
		/* a saved session's handle names its own slot (tpm2_session.c), or is 0 */
		if (!ld_u32(r, &h) || !ld_u64(r, T(saved_sessions[i].seq)) ||
		    (h && ((HANDLE_TYPE(h) != TPM_HT_HMAC_SESSION &&
		            HANDLE_TYPE(h) != TPM_HT_POLICY_SESSION) || (h & 0xFFFFFF) != i)))
			return false;
		if (t)
			t->saved_sessions[i].handle = h;
	}
	return ld_bytes(r, T(context_key), 32) && ld_bytes(r, T(null_proof), TPM2_MAX_DIGEST) &&
	       ld_bytes(r, T(null_seed), TPM2_SEED_SIZE);
}

static bool ld_body(struct tpm2_rd *r, struct tpm2 *t)
{
	uint8_t rate;
	uint16_t orderly;
	bool ok = ld_bytes(r, T(eps), TPM2_SEED_SIZE) && ld_bytes(r, T(pps), TPM2_SEED_SIZE) &&
	          ld_bytes(r, T(sps), TPM2_SEED_SIZE) && ld_bytes(r, T(ph_proof), TPM2_MAX_DIGEST) &&
	          ld_bytes(r, T(sh_proof), TPM2_MAX_DIGEST) &&
	          ld_bytes(r, T(eh_proof), TPM2_MAX_DIGEST) && ld_hierarchy(r, T(owner)) &&
	          ld_hierarchy(r, T(endorsement)) && ld_hierarchy(r, T(platform)) &&
	          ld_hierarchy(r, T(lockout)) && ld_u8(r, T(disable_clear)) &&
	          ld_u32(r, T(da.failed_tries)) && ld_u32(r, T(da.max_tries)) &&
	          ld_u32(r, T(da.recovery_time)) && ld_u32(r, T(da.lockout_recovery)) &&
	          ld_u8(r, T(da.lockout_auth_blocked)) && ld_u64(r, T(clock)) &&
	          ld_u8(r, T(clock_safe)) && ld_u8(r, &rate) && ld_u32(r, T(reset_count)) &&
	          ld_u32(r, T(restart_count)) && ld_u16(r, &orderly) &&
	          ld_bytes(r, T(pcr_alloc.select), sizeof(struct tpm2_pcr_alloc)) &&
	          ld_bytes(r, T(pcr_alloc_next.select), sizeof(struct tpm2_pcr_alloc)) &&
	          ld_u8(r, T(pcr_alloc_pending)) && ld_nv(r, t) &&
	          ld_u64(r, T(nv_max_counter)) && ld_persistent(r, t) &&
	          ld_bytes(r, T(audit_cmds), TPM2_AUDIT_BITMAP_BYTES) &&
	          ld_u16(r, T(audit_alg)) && ld_u64(r, T(audit_counter));
	if (!ok)
		return false;
	if (orderly != TPM_SU_CLEAR && orderly != TPM_SU_STATE && orderly != TPM2_ORDERLY_NONE &&
	    orderly != TPM2_ORDERLY_DA_USED)
		return false;
	if (t) {
		t->clock_rate = (int8_t)rate;
		t->orderly = orderly;
	}
	return ld_saved_state(r, t, orderly) && tpm2_rd_left(r) == 0;
}

static int check_envelope(const uint8_t *buf, size_t len)
{
	uint8_t digest[DIGEST_SIZE];
	uint32_t total;
	if (len < HEADER_SIZE)
		return TPM2_STATE_ERR_TRUNCATED;
	if (tpm2_get_u32(buf) != STATE_MAGIC)
		return TPM2_STATE_ERR_MAGIC;
	if (tpm2_get_u16(buf + 4) != STATE_VERSION)
		return TPM2_STATE_ERR_VERSION;
	total = tpm2_get_u32(buf + 8);
	if (total > len)
		return TPM2_STATE_ERR_TRUNCATED;
	if (total < len || total < HEADER_SIZE + DIGEST_SIZE || tpm2_get_u16(buf + 6) != 0)
		return TPM2_STATE_ERR_CORRUPT;
	tpm2_hash_buf(TPM_ALG_SHA256, buf, total - DIGEST_SIZE, digest);
	if (!tpm2_ct_equal(digest, buf + total - DIGEST_SIZE, DIGEST_SIZE))
		return TPM2_STATE_ERR_INTEGRITY;
	return 0;
}

int tpm2_state_load(struct tpm2 *t, const struct tpm2_platform *plat, const uint8_t *buf,
                    size_t len)
{
	struct tpm2_rd r;
	int err = check_envelope(buf, len);
	if (err)
		return err;
	tpm2_rd_init(&r, buf + HEADER_SIZE, len - HEADER_SIZE - DIGEST_SIZE);
	if (!ld_body(&r, NULL))
		return TPM2_STATE_ERR_CORRUPT;
	tpm2_zeroise(t, sizeof *t);
	t->plat = *plat;
	tc_rng_init(&t->drbg.r, plat->entropy, plat->ctx);
	tpm2_rd_init(&r, buf + HEADER_SIZE, len - HEADER_SIZE - DIGEST_SIZE);
	ld_body(&r, t);
	return 0;
}
