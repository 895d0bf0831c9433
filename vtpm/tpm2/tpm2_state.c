/*
 * The persistent state blob.
 *
 *   "ATPM" | version u16 | reserved u16 | total length u32 | body
 *          | HMAC-SHA-256(key, everything before)
 *
 * key is the caller's (TPM2_STATE_KEY_SIZE bytes): whoever can write the storage but does not
 * hold the key cannot make the TPM load a modified or forged state (TPM2_STATE_ERR_INTEGRITY).
 * The body is written field by field (never a struct dump), so the layout does not depend on
 * the compiler or on struct tpm2.  Loading first validates the whole blob without touching
 * the TPM, then applies it.  Validation does not trust the MAC alone: every field must be one
 * the engine itself could have written (sizes per NV type, no duplicate indices or handles,
 * public/sensitive pairs that belong together, arena totals, booleans 0/1, ...), otherwise
 * TPM2_STATE_ERR_CORRUPT: a stolen key or a bug elsewhere cannot turn a blob into memory
 * corruption.  Any change to the body's layout bumps STATE_VERSION and older versions are
 * rejected (TPM2_STATE_ERR_VERSION), never misread.
 */
#include "tpm2_internal.h"
#include "tpm2_keys.h"

#define STATE_MAGIC   0x4154504Du   /* "ATPM" */
#define STATE_VERSION 5u   /* 2: sessions kept through Shutdown(STATE); 3: no DA timers; 4: HMAC;
                              5: clearCount (stClear object contexts) */
#define HEADER_SIZE   12u
#define DIGEST_SIZE   32u
#define PERSISTENT_PLATFORM_FIRST 0x81800000u   /* EvictControl's ranges (tpm2_cmd_object.c) */
#define CLOCK_MAX     0xFFFF000000000000ull     /* ClockSet's limit */

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
	case TPM2_STATE_ERR_INTEGRITY:
		return "state blob authentication failed (modified, or saved under another key)";
	case TPM2_STATE_ERR_CORRUPT: return "state blob content invalid (a field out of range)";
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
	tpm2_wr_u32(w, t->clear_count);
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

static void state_mac(const uint8_t *key, const uint8_t *buf, size_t len, uint8_t out[DIGEST_SIZE])
{
	struct tpm2_hmac m;
	tpm2_hmac_init(&m, TPM_ALG_SHA256, key, TPM2_STATE_KEY_SIZE);
	tpm2_hmac_update(&m, buf, len);
	tpm2_hmac_final(&m, out);
	tpm2_zeroise(&m, sizeof m);
}

size_t tpm2_state_save(const struct tpm2 *t, const uint8_t *key, uint8_t *buf, size_t max)
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
	state_mac(key, buf, w.off, buf + w.off);
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
	if (h.policy_alg == TPM_ALG_NULL ? h.policy.size != 0
	                                 : !tpm2_hash_alg_supported(h.policy_alg) ||
	                                   (h.policy.size && h.policy.size != tpm2_hash_size(h.policy_alg)))
		return false;
	if (dst)
		*dst = h;
	return true;
}

static bool ld_u8(struct tpm2_rd *r, uint8_t *dst) { return ld_bytes(r, dst, 1); }

/* A flag the engine only ever sets to 0 or 1. */
static bool ld_bool(struct tpm2_rd *r, uint8_t *dst)
{
	uint8_t v;
	if (!ld_u8(r, &v) || v > 1)
		return false;
	if (dst)
		*dst = v;
	return true;
}

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

/* An index as NV_DefineSpace would accept it (its attribute and size rules per type, one
 * place: tpm2_nv_check_public), plus what the engine may have changed since (WRITTEN, the
 * locks), an authValue no longer than nameAlg's digest, and a handle not seen before. */
static bool nv_index_valid(const struct tpms_nv_public *pub, const struct tpm2b_digest *auth,
                           const uint32_t *seen, unsigned n_seen)
{
	if (HANDLE_TYPE(pub->index) != TPM_HT_NV_INDEX ||
	    tpm2_nv_check_public(pub, (pub->attrs & TPMA_NV_PLATFORMCREATE) != 0, true) != 0 ||
	    auth->size > tpm2_hash_size(pub->name_alg))
		return false;
	for (unsigned i = 0; i < n_seen; i++)
		if (seen[i] == pub->index)
			return false;
	return true;
}

static bool ld_nv(struct tpm2_rd *r, struct tpm2 *t)
{
	uint16_t count, used = 0;
	uint32_t seen[TPM2_NV_MAX_INDICES];
	if (!ld_u16(r, &count) || count > TPM2_NV_MAX_INDICES)
		return false;
	for (unsigned i = 0; i < count; i++) {
		struct tpms_nv_public pub;
		struct tpm2b_digest auth;
		LD(tpm2_rd_nv_public(r, &pub));
		if (!ld_digest(r, &auth) || !nv_index_valid(&pub, &auth, seen, i) ||
		    (size_t)used + pub.data_size > TPM2_NV_ARENA_SIZE)
			return false;
		seen[i] = pub.index;
		if (t) {
			t->nv[i].pub = pub;
			t->nv[i].auth = auth;
			t->nv[i].data_off = used;
		}
		if (!ld_bytes(r, t ? t->nv_data + used : NULL, pub.data_size))
			return false;
		used = (uint16_t)(used + pub.data_size);
	}
	if (t)
		t->nv_used = used;
	return true;
}

/* A persistent object as EvictControl can have made it: a hierarchy matching the handle's
 * range, no external/public-only/stClear object, its Name the hash of its public area, and a
 * sensitive part that belongs to the public part (tpm2_keys_check_pair). */
static bool object_valid(uint32_t handle, const struct tpm2_object *o)
{
	struct tpm2b_name name;
	bool platform = handle >= PERSISTENT_PLATFORM_FIRST;
	if (platform ? o->hierarchy != TPM_RH_PLATFORM
	             : o->hierarchy != TPM_RH_OWNER && o->hierarchy != TPM_RH_ENDORSEMENT)
		return false;
	if ((o->flags & ~(uint32_t)TPM2_OBJ_PRIMARY) || (o->pub.attrs & TPMA_OBJECT_STCLEAR))
		return false;
	tpm2_keys_name(&o->pub, &name);
	if (name.size != o->name.size || memcmp(name.buf, o->name.buf, name.size) != 0 ||
	    o->qname.size != name.size)
		return false;
	return tpm2_keys_check_pair(&o->pub, &o->sens) == TPM_RC_SUCCESS;
}

static bool ld_object(struct tpm2_rd *r, uint32_t handle, struct tpm2_object *dst)
{
	/* parsed into a local (static-free) buffer only when applying; validation parses into
	 * the same local and drops it.  The key checks run in the validation pass only (dst
	 * NULL): they cost a scalar multiplication or an RSA key rebuild each. */
	struct tpm2_object o;
	bool ok;
	memset(&o, 0, sizeof o);
	ok = tpm2_rd_public_sized(r, &o.pub, true) == TPM_RC_SUCCESS &&
	     tpm2_rd_sensitive(r, &o.sens) == TPM_RC_SUCCESS && ld_name(r, &o.name) &&
	     ld_name(r, &o.qname) && tpm2_rd_u32(r, &o.hierarchy) == TPM_RC_SUCCESS &&
	     tpm2_rd_u32(r, &o.flags) == TPM_RC_SUCCESS && (dst || object_valid(handle, &o));
	if (ok && dst)
		*dst = o;
	tpm2_zeroise(&o, sizeof o);
	return ok;
}

static bool ld_persistent(struct tpm2_rd *r, struct tpm2 *t)
{
	uint16_t count;
	uint32_t seen[TPM2_PERSISTENT_SLOTS];
	if (!ld_u16(r, &count) || count > TPM2_PERSISTENT_SLOTS)
		return false;
	for (unsigned i = 0; i < count; i++) {
		uint32_t h;
		if (!ld_u32(r, &h) || HANDLE_TYPE(h) != TPM_HT_PERSISTENT)
			return false;
		for (unsigned j = 0; j < i; j++)
			if (seen[j] == h)
				return false;
		seen[i] = h;
		if (t)
			t->persistent[i].handle = h;
		if (!ld_object(r, h, T(persistent[i].obj)))
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
	uint16_t orderly, audit_alg;
	uint32_t failed, max_tries;
	uint64_t clock;
	bool ok = ld_bytes(r, T(eps), TPM2_SEED_SIZE) && ld_bytes(r, T(pps), TPM2_SEED_SIZE) &&
	          ld_bytes(r, T(sps), TPM2_SEED_SIZE) && ld_bytes(r, T(ph_proof), TPM2_MAX_DIGEST) &&
	          ld_bytes(r, T(sh_proof), TPM2_MAX_DIGEST) &&
	          ld_bytes(r, T(eh_proof), TPM2_MAX_DIGEST) && ld_hierarchy(r, T(owner)) &&
	          ld_hierarchy(r, T(endorsement)) && ld_hierarchy(r, T(platform)) &&
	          ld_hierarchy(r, T(lockout)) && ld_bool(r, T(disable_clear)) &&
	          ld_u32(r, &failed) && ld_u32(r, &max_tries) &&
	          ld_u32(r, T(da.recovery_time)) && ld_u32(r, T(da.lockout_recovery)) &&
	          ld_bool(r, T(da.lockout_auth_blocked)) && ld_u64(r, &clock) &&
	          ld_bool(r, T(clock_safe)) && ld_u8(r, &rate) && ld_u32(r, T(reset_count)) &&
	          ld_u32(r, T(restart_count)) && ld_u32(r, T(clear_count)) && ld_u16(r, &orderly) &&
	          ld_bytes(r, T(pcr_alloc.select), sizeof(struct tpm2_pcr_alloc)) &&
	          ld_bytes(r, T(pcr_alloc_next.select), sizeof(struct tpm2_pcr_alloc)) &&
	          ld_bool(r, T(pcr_alloc_pending)) && ld_nv(r, t) &&
	          ld_u64(r, T(nv_max_counter)) && ld_persistent(r, t) &&
	          ld_bytes(r, T(audit_cmds), TPM2_AUDIT_BITMAP_BYTES) &&
	          ld_u16(r, &audit_alg) && ld_u64(r, T(audit_counter));
	if (!ok)
		return false;
	/* the ranges the commands keep them in: DictionaryAttackParameters caps the counter,
	 * ClockSet the clock, ClockRateAdjust the rate, SetCommandCodeAuditStatus the hash */
	if (failed > max_tries || clock > CLOCK_MAX || (int8_t)rate < -3 || (int8_t)rate > 3 ||
	    (audit_alg != 0 && audit_alg != TPM_ALG_NULL && !tpm2_hash_alg_supported(audit_alg)))
		return false;
	if (orderly != TPM_SU_CLEAR && orderly != TPM_SU_STATE && orderly != TPM2_ORDERLY_NONE &&
	    orderly != TPM2_ORDERLY_DA_USED)
		return false;
	if (t) {
		t->da.failed_tries = failed;
		t->da.max_tries = max_tries;
		t->clock = clock;
		t->clock_rate = (int8_t)rate;
		t->orderly = orderly;
		t->audit_alg = audit_alg;
	}
	return ld_saved_state(r, t, orderly) && tpm2_rd_left(r) == 0;
}

static int check_envelope(const uint8_t *key, const uint8_t *buf, size_t len)
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
	state_mac(key, buf, total - DIGEST_SIZE, digest);
	if (!tpm2_ct_equal(digest, buf + total - DIGEST_SIZE, DIGEST_SIZE))
		return TPM2_STATE_ERR_INTEGRITY;
	return 0;
}

int tpm2_state_load(struct tpm2 *t, const struct tpm2_platform *plat, const uint8_t *key,
                    const uint8_t *buf, size_t len)
{
	struct tpm2_rd r;
	int err = check_envelope(key, buf, len);
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
