/*
 * Transient slots (loaded objects and sequences) and persistent objects: allocation, lookup,
 * flushing, and the field-by-field payload of a slot for ContextSave/ContextLoad.
 * The objects family builds keys on top (tpm2_object_find() gives it the object).
 */
#include "tpm2_internal.h"

#define TRANSIENT_FIRST 0x80000000u
#define TRANSIENT_COUNT 0x00FFFFFFu   /* handle numbers cycle through the whole range */

struct tpm2_slot *tpm2_slot_find(struct tpm2 *t, uint32_t handle)
{
	for (unsigned i = 0; i < TPM2_TRANSIENT_SLOTS; i++)
		if (t->slots[i].kind != TPM2_SLOT_FREE && t->slots[i].handle == handle)
			return &t->slots[i];
	return NULL;
}

/* libtpms hands out 0x80000000 + slot; tpm2-tools and the kernel's resource manager don't
 * care, and reusing low numbers keeps handles stable across ContextLoad. */
struct tpm2_slot *tpm2_slot_alloc(struct tpm2 *t, uint8_t kind)
{
	for (unsigned i = 0; i < TPM2_TRANSIENT_SLOTS; i++) {
		struct tpm2_slot *s = &t->slots[i];
		if (s->kind != TPM2_SLOT_FREE)
			continue;
		memset(s, 0, sizeof *s);
		s->kind = kind;
		s->handle = TRANSIENT_FIRST + i;
		s->age = ++t->slot_age;
		return s;
	}
	return NULL;
}

void tpm2_slot_free(struct tpm2 *t, struct tpm2_slot *s)
{
	(void)t;
	tpm2_zeroise(s, sizeof *s);
}

struct tpm2_persistent *tpm2_persistent_find(struct tpm2 *t, uint32_t handle)
{
	if (HANDLE_TYPE(handle) != TPM_HT_PERSISTENT)
		return NULL;
	for (unsigned i = 0; i < TPM2_PERSISTENT_SLOTS; i++)
		if (t->persistent[i].handle == handle)
			return &t->persistent[i];
	return NULL;
}

struct tpm2_object *tpm2_object_find(struct tpm2 *t, uint32_t handle)
{
	struct tpm2_slot *s;
	struct tpm2_persistent *p;
	if (HANDLE_TYPE(handle) == TPM_HT_TRANSIENT) {
		s = tpm2_slot_find(t, handle);
		return s && s->kind == TPM2_SLOT_OBJECT ? &s->u.obj : NULL;
	}
	p = tpm2_persistent_find(t, handle);
	return p ? &p->obj : NULL;
}

void tpm2_objects_flush_hierarchy(struct tpm2 *t, uint32_t hierarchy)
{
	for (unsigned i = 0; i < TPM2_TRANSIENT_SLOTS; i++) {
		struct tpm2_slot *s = &t->slots[i];
		if (s->kind == TPM2_SLOT_OBJECT && s->u.obj.hierarchy == hierarchy)
			tpm2_slot_free(t, s);
	}
}

/* ------------------------------------------------------------------ context payload */

static void wr_digest(struct tpm2_wr *w, const struct tpm2b_digest *d)
{
	tpm2_wr_tpm2b(w, d->buf, d->size);
}

static void wr_hash(struct tpm2_wr *w, const struct tpm2_hash *h)
{
	uint8_t buf[TPM2_HASH_STATE_MAX];
	size_t n = tpm2_hash_save(h, buf, sizeof buf);
	tpm2_wr_tpm2b(w, buf, n);
}

static TPM_RC rd_hash(struct tpm2_rd *r, struct tpm2_hash *h)
{
	const uint8_t *p;
	uint16_t n;
	TPM2_TRY(tpm2_rd_tpm2b(r, &p, &n, TPM2_HASH_STATE_MAX));
	return tpm2_hash_load(h, p, n) ? TPM_RC_SUCCESS : TPM_RC_VALUE;
}

static void wr_hmac(struct tpm2_wr *w, const struct tpm2_hmac *m)
{
	uint8_t buf[TPM2_HASH_STATE_MAX];
	size_t n = tpm2_hmac_save(m, buf, sizeof buf);
	tpm2_wr_tpm2b(w, buf, n);
}

static TPM_RC rd_hmac(struct tpm2_rd *r, struct tpm2_hmac *m)
{
	const uint8_t *p;
	uint16_t n;
	TPM2_TRY(tpm2_rd_tpm2b(r, &p, &n, TPM2_HASH_STATE_MAX));
	return tpm2_hmac_load(m, p, n) ? TPM_RC_SUCCESS : TPM_RC_VALUE;
}

static TPM_RC rd_name(struct tpm2_rd *r, struct tpm2b_name *n)
{
	const uint8_t *p;
	TPM2_TRY(tpm2_rd_tpm2b(r, &p, &n->size, sizeof n->buf));
	memcpy(n->buf, p, n->size);
	return TPM_RC_SUCCESS;
}

void tpm2_slot_serialize(const struct tpm2_slot *s, struct tpm2_wr *w)
{
	tpm2_wr_u8(w, s->kind);
	if (s->kind == TPM2_SLOT_OBJECT) {
		const struct tpm2_object *o = &s->u.obj;
		size_t mark = tpm2_wr_size_begin(w);
		tpm2_wr_public(w, &o->pub);
		tpm2_wr_size_end(w, mark);
		tpm2_wr_sensitive(w, &o->sens);
		tpm2_wr_tpm2b(w, o->name.buf, o->name.size);
		tpm2_wr_tpm2b(w, o->qname.buf, o->qname.size);
		tpm2_wr_u32(w, o->hierarchy);
		tpm2_wr_u32(w, o->flags);
		return;
	}
	wr_digest(w, &s->u.seq.auth);
	wr_hash(w, &s->u.seq.hash);
	wr_hmac(w, &s->u.seq.hmac);
	for (unsigned i = 0; i < TPM2_NUM_BANKS; i++)
		wr_hash(w, &s->u.seq.event[i]);
	tpm2_wr_u8(w, s->u.seq.head_len);
	tpm2_wr_bytes(w, s->u.seq.head, sizeof s->u.seq.head);
}

TPM_RC tpm2_slot_deserialize(struct tpm2_slot *s, struct tpm2_rd *r)
{
	TPM2_TRY(tpm2_rd_u8(r, &s->kind));
	if (s->kind == TPM2_SLOT_OBJECT) {
		struct tpm2_object *o = &s->u.obj;
		TPM2_TRY(tpm2_rd_public_sized(r, &o->pub, true));
		TPM2_TRY(tpm2_rd_sensitive(r, &o->sens));
		TPM2_TRY(rd_name(r, &o->name));
		TPM2_TRY(rd_name(r, &o->qname));
		TPM2_TRY(tpm2_rd_u32(r, &o->hierarchy));
		return tpm2_rd_u32(r, &o->flags);
	}
	if (s->kind < TPM2_SLOT_HASH_SEQ || s->kind > TPM2_SLOT_EVENT_SEQ)
		return TPM_RC_VALUE;
	TPM2_TRY(tpm2_rd_digest(r, &s->u.seq.auth));
	TPM2_TRY(rd_hash(r, &s->u.seq.hash));
	TPM2_TRY(rd_hmac(r, &s->u.seq.hmac));
	for (unsigned i = 0; i < TPM2_NUM_BANKS; i++)
		TPM2_TRY(rd_hash(r, &s->u.seq.event[i]));
	TPM2_TRY(tpm2_rd_u8(r, &s->u.seq.head_len));
	if (s->u.seq.head_len > sizeof s->u.seq.head)
		return TPM_RC_VALUE;
	return tpm2_rd_bytes(r, s->u.seq.head, sizeof s->u.seq.head);
}
