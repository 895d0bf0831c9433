/*
 * Object commands: CreatePrimary, Create, CreateLoaded, Load, LoadExternal, ReadPublic,
 * ObjectChangeAuth, Unseal, EvictControl (TPM 2.0 Part 3, 12 and 28.5).
 * Key material, Names and private blobs come from tpm2_keys.c.
 */
#include "tpm2_keys.h"

#define PERSISTENT_OWNER_LAST    0x817FFFFFu
#define PERSISTENT_PLATFORM_FIRST 0x81800000u

/* ------------------------------------------------------------------ shared pieces */

/* Everything a creation command reads, in parameter order. */
struct create_in {
	struct tpm2_sens_create sc;
	struct tpmt_public pub;
	const uint8_t *outside;
	uint16_t outside_len;
	struct tpml_pcr_selection pcrs;
};

static TPM_RC read_create_in(struct tpm2_cmd *c, struct create_in *in)
{
	TPM2_P(1, tpm2_rd_sens_create(&c->in, &in->sc));
	TPM2_P(2, tpm2_rd_public_sized(&c->in, &in->pub, false));
	TPM2_P(3, tpm2_rd_tpm2b(&c->in, &in->outside, &in->outside_len, TPM2_MAX_DATA));
	TPM2_P(4, tpm2_rd_pcr_selection(&c->in, &in->pcrs));
	return tpm2_in_done(c);
}

static TPM_RC check_template(const struct tpmt_public *pub, const struct tpm2_object *parent,
                             const struct tpm2_sens_create *sc)
{
	TPM_RC sens_rc, rc = tpm2_keys_check_template(pub, parent, sc, &sens_rc);
	if (rc)
		return tpm2_keys_rc(rc, 2);
	return sens_rc ? TPM2_RC_P(sens_rc, 1) : TPM_RC_SUCCESS;
}

/* The parent named by handle 1 must be a loaded storage key. */
static TPM_RC storage_parent(struct tpm2_cmd *c, unsigned idx, const struct tpm2_object **out)
{
	const struct tpm2_object *p = tpm2_object_find(c->t, c->handles[idx]);
	if (!p || !tpm2_keys_is_storage(p))
		return TPM2_RC_H(TPM_RC_TYPE, idx + 1);
	*out = p;
	return TPM_RC_SUCCESS;
}

static void set_identity(struct tpm2_object *o, const struct tpm2_object *parent,
                         uint32_t hierarchy)
{
	tpm2_keys_name(&o->pub, &o->name);
	tpm2_keys_qname(o->pub.name_alg, parent ? &parent->qname : NULL, hierarchy, &o->name,
	                &o->qname);
	o->hierarchy = hierarchy;
}

/* TPM2B_CREATION_DATA, creationHash, creationTicket (Part 3, 12.1 / 24.1). */
static void wr_creation(struct tpm2_cmd *c, const struct create_in *in,
                        const struct tpm2_object *o, const struct tpm2_object *parent)
{
	uint8_t buf[1024], digest[TPM2_MAX_DIGEST], hh[4];
	struct tpm2_wr w;
	struct tpmt_tk tk;
	size_t mark, n;
	uint16_t alg = o->pub.name_alg;
	tpm2_wr_init(&w, buf, sizeof buf);
	tpm2_wr_pcr_selection(&w, &in->pcrs);
	n = tpm2_pcr_digest(c->t, &in->pcrs, alg, digest);
	tpm2_wr_tpm2b(&w, digest, n);   /* H(nothing) for an empty selection, as libtpms */
	tpm2_wr_u8(&w, (uint8_t)(1u << c->locality));
	if (parent) {
		tpm2_wr_u16(&w, parent->pub.name_alg);
		tpm2_wr_tpm2b(&w, parent->name.buf, parent->name.size);
		tpm2_wr_tpm2b(&w, parent->qname.buf, parent->qname.size);
	} else {
		tpm2_put_u32(hh, o->hierarchy);
		tpm2_wr_u16(&w, TPM_ALG_NULL);
		tpm2_wr_tpm2b(&w, hh, 4);
		tpm2_wr_tpm2b(&w, hh, 4);
	}
	tpm2_wr_tpm2b(&w, in->outside, in->outside_len);
	mark = tpm2_wr_size_begin(&c->out);
	tpm2_wr_bytes(&c->out, buf, w.off);
	tpm2_wr_size_end(&c->out, mark);
	n = tpm2_hash_buf(alg, buf, w.off, digest);
	tpm2_wr_tpm2b(&c->out, digest, n);
	tpm2_keys_creation_ticket(c->t, o->hierarchy, &o->name, digest, n, &tk);
	tpm2_wr_ticket(&c->out, &tk);
}

static void wr_private(struct tpm2 *t, struct tpm2_wr *w, const struct tpm2_object *parent,
                       const struct tpm2_object *o)
{
	uint8_t priv[TPM2_MAX_PRIVATE];
	size_t n = tpm2_keys_wrap(t, parent, &o->sens, &o->name, priv, sizeof priv);
	if (!n)
		w->overflow = true;
	tpm2_wr_tpm2b(w, priv, n);
	tpm2_zeroise(priv, sizeof priv);
}

static struct tpm2_slot *new_object_slot(struct tpm2 *t)
{
	return tpm2_slot_alloc(t, TPM2_SLOT_OBJECT);
}

/* Object-creating commands (Create too: the reference TPM builds the new object in a slot)
 * answer TPM_RC_OBJECT_MEMORY before looking at their parameters when no slot is free, as
 * libtpms does; a resource manager then swaps a context out and retries. */
static TPM_RC need_slot(struct tpm2 *t)
{
	for (unsigned i = 0; i < TPM2_TRANSIENT_SLOTS; i++)
		if (t->slots[i].kind == TPM2_SLOT_FREE)
			return TPM_RC_SUCCESS;
	return TPM_RC_OBJECT_MEMORY;
}

/* ------------------------------------------------------------------ CreatePrimary / Create */

TPM_RC tpm2_cc_CreatePrimary(struct tpm2_cmd *c)
{
	struct create_in in;
	struct tpm2_slot *s;
	struct tpm2_object *o;
	TPM_RC rc;
	TPM2_TRY(need_slot(c->t));
	TPM2_TRY(read_create_in(c, &in));
	TPM2_TRY(check_template(&in.pub, NULL, &in.sc));
	s = new_object_slot(c->t);
	if (!s)
		return TPM_RC_OBJECT_MEMORY;
	o = &s->u.obj;
	o->pub = in.pub;
	rc = tpm2_keys_derive_primary(c->t, c->handles[0], &o->pub, &o->sens, &in.sc);
	if (rc) {
		tpm2_slot_free(c->t, s);
		return TPM2_RC_P(rc, 2);
	}
	o->flags = TPM2_OBJ_PRIMARY;
	set_identity(o, NULL, c->handles[0]);
	tpm2_keys_wr_public(&c->out, &o->pub);
	wr_creation(c, &in, o, NULL);
	tpm2_wr_tpm2b(&c->out, o->name.buf, o->name.size);
	c->rsp_handle = s->handle;
	tpm2_zeroise(&in.sc, sizeof in.sc);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_Create(struct tpm2_cmd *c)
{
	struct create_in in;
	const struct tpm2_object *parent;
	struct tpm2_object o;
	TPM_RC rc;
	TPM2_TRY(need_slot(c->t));
	TPM2_TRY(storage_parent(c, 0, &parent));
	TPM2_TRY(read_create_in(c, &in));
	TPM2_TRY(check_template(&in.pub, parent, &in.sc));
	memset(&o, 0, sizeof o);
	o.pub = in.pub;
	rc = tpm2_keys_generate(c->t, &o.pub, &o.sens, &in.sc, tc_rng_prng(&c->t->drbg.r));
	if (rc)
		return TPM2_RC_P(rc, 2);
	set_identity(&o, parent, parent->hierarchy);
	wr_private(c->t, &c->out, parent, &o);
	tpm2_keys_wr_public(&c->out, &o.pub);
	wr_creation(c, &in, &o, parent);
	tpm2_zeroise(&o, sizeof o);
	tpm2_zeroise(&in.sc, sizeof in.sc);
	return TPM_RC_SUCCESS;
}

/* CreateLoaded: inPublic is a TPM2B_TEMPLATE; the parent is a storage key, a hierarchy (then it
 * is CreatePrimary without creation data) or a derivation parent (derived ECC, keyed-hash or
 * symmetric object, not RSA, as the reference: the template's unique holds TPMS_DERIVE; no
 * private blob is returned, the object is re-derived). */
TPM_RC tpm2_cc_CreateLoaded(struct tpm2_cmd *c)
{
	struct tpm2_sens_create sc;
	struct tpmt_public pub;
	const struct tpm2_object *parent = NULL;
	struct tpm2_slot *s;
	struct tpm2_object *o;
	uint32_t h = c->handles[0];
	bool primary = HANDLE_TYPE(h) == TPM_HT_PERMANENT, derived = false;
	TPM_RC rc;
	TPM2_TRY(need_slot(c->t));
	if (!primary) {
		parent = tpm2_object_find(c->t, h);
		derived = parent && tpm2_keys_is_derivation_parent(parent);
		if (!derived)
			TPM2_TRY(storage_parent(c, 0, &parent));
	}
	TPM2_P(1, tpm2_rd_sens_create(&c->in, &sc));
	if (derived)
		TPM2_P(2, tpm2_rd_template_derive(&c->in, &pub));
	else
		TPM2_P(2, tpm2_rd_public_sized(&c->in, &pub, false));
	TPM2_TRY(tpm2_in_done(c));
	if (derived && pub.type == TPM_ALG_RSA)        /* no derived RSA keys (reference) */
		return TPM2_RC_P(TPM_RC_TYPE, 2);
	TPM2_TRY(check_template(&pub, parent, &sc));
	s = new_object_slot(c->t);
	if (!s)
		return TPM_RC_OBJECT_MEMORY;
	o = &s->u.obj;
	o->pub = pub;
	if (primary)
		rc = tpm2_keys_derive_primary(c->t, h, &o->pub, &o->sens, &sc);
	else if (derived)
		rc = tpm2_keys_derive_child(parent, &o->pub, &o->sens, &sc);
	else
		rc = tpm2_keys_generate(c->t, &o->pub, &o->sens, &sc, tc_rng_prng(&c->t->drbg.r));
	tpm2_zeroise(&sc, sizeof sc);
	if (rc) {
		tpm2_slot_free(c->t, s);
		return TPM2_RC_P(rc, 2);
	}
	o->flags = primary ? TPM2_OBJ_PRIMARY : 0;
	set_identity(o, parent, primary ? h : parent->hierarchy);
	if (primary || derived)
		tpm2_wr_u16(&c->out, 0);
	else
		wr_private(c->t, &c->out, parent, o);
	tpm2_keys_wr_public(&c->out, &o->pub);
	tpm2_wr_tpm2b(&c->out, o->name.buf, o->name.size);
	c->rsp_handle = s->handle;
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ Load / LoadExternal */

TPM_RC tpm2_cc_Load(struct tpm2_cmd *c)
{
	const struct tpm2_object *parent;
	const uint8_t *priv;
	uint16_t priv_len;
	struct tpmt_public pub;
	struct tpmt_sensitive sens;
	struct tpm2b_name name;
	struct tpm2_slot *s;
	TPM_RC rc;
	TPM2_TRY(need_slot(c->t));
	TPM2_TRY(storage_parent(c, 0, &parent));
	TPM2_P(1, tpm2_rd_tpm2b(&c->in, &priv, &priv_len, TPM2_MAX_PRIVATE));
	TPM2_P(2, tpm2_rd_public_sized(&c->in, &pub, false));
	TPM2_TRY(tpm2_in_done(c));
	if (!priv_len)
		return TPM2_RC_P(TPM_RC_SIZE, 1);
	rc = tpm2_keys_check_public(&pub, parent);
	if (rc)
		return tpm2_keys_rc(rc, 2);
	tpm2_keys_name(&pub, &name);
	TPM2_P(1, tpm2_keys_unwrap(parent, priv, priv_len, &name, &sens));
	rc = tpm2_keys_check_wrapped_pair(&pub, &sens);   /* integrity verified: made by us */
	if (rc) {
		tpm2_zeroise(&sens, sizeof sens);
		return TPM2_RC_P(rc, 2);
	}
	s = new_object_slot(c->t);
	if (!s) {
		tpm2_zeroise(&sens, sizeof sens);
		return TPM_RC_OBJECT_MEMORY;
	}
	s->u.obj.pub = pub;
	s->u.obj.sens = sens;
	tpm2_zeroise(&sens, sizeof sens);
	set_identity(&s->u.obj, parent, parent->hierarchy);
	tpm2_wr_tpm2b(&c->out, s->u.obj.name.buf, s->u.obj.name.size);
	c->rsp_handle = s->handle;
	return TPM_RC_SUCCESS;
}

static TPM_RC read_sensitive2b(struct tpm2_rd *r, struct tpmt_sensitive *sens, bool *present)
{
	const uint8_t *body;
	uint16_t size;
	struct tpm2_rd sub;
	TPM2_TRY(tpm2_rd_tpm2b(r, &body, &size, TPM2_MAX_COMMAND_SIZE));
	*present = size != 0;
	memset(sens, 0, sizeof *sens);
	if (!size)
		return TPM_RC_SUCCESS;
	tpm2_rd_init(&sub, body, size);
	TPM2_TRY(tpm2_rd_sensitive(&sub, sens));
	return tpm2_rd_left(&sub) ? TPM_RC_SIZE : TPM_RC_SUCCESS;
}

/* A public-only RSA/ECC key must be usable: modulus / point checked now (KEY / ECC_POINT+P2). */
static TPM_RC public_key_ok(const struct tpmt_public *pub)
{
	struct tpm2_object tmp;
	tc_rsa_pub pk;
	tc_ecc_point q;
	memset(&tmp, 0, sizeof tmp);
	tmp.pub = *pub;
	tmp.flags = TPM2_OBJ_PUBLIC_ONLY;
	if (pub->type == TPM_ALG_RSA)
		TPM2_P(2, tpm2_keys_rsa(&tmp, &pk, NULL));
	else if (pub->type == TPM_ALG_ECC)
		TPM2_P(2, tpm2_keys_ecc(&tmp, &q, NULL));
	return TPM_RC_SUCCESS;
}

static bool hierarchy_plus(uint32_t h) { return tpm2_is_hierarchy(h) || h == TPM_RH_NULL; }

TPM_RC tpm2_cc_LoadExternal(struct tpm2_cmd *c)
{
	struct tpmt_sensitive sens;
	struct tpmt_public pub;
	uint32_t hier;
	bool has_priv;
	struct tpm2_slot *s;
	struct tpm2_object *o;
	TPM_RC rc;
	TPM2_TRY(need_slot(c->t));
	TPM2_P(1, read_sensitive2b(&c->in, &sens, &has_priv));
	TPM2_P(2, tpm2_rd_public_sized(&c->in, &pub, true));
	TPM2_P(3, tpm2_rd_u32(&c->in, &hier));
	TPM2_TRY(tpm2_in_done(c));
	if (!hierarchy_plus(hier))
		return TPM2_RC_P(TPM_RC_VALUE, 3);
	if (!tpm2_hierarchy_enabled(c->t, hier))
		return TPM2_RC_P(TPM_RC_HIERARCHY, 3);
	if (has_priv && hier != TPM_RH_NULL)
		return TPM2_RC_P(TPM_RC_HIERARCHY, 3);
	if (has_priv && (pub.attrs & (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT)))
		return TPM2_RC_P(TPM_RC_ATTRIBUTES, 2);
	if (pub.name_alg != TPM_ALG_NULL || has_priv) {
		rc = tpm2_keys_check_public(&pub, NULL);
		if (rc)
			return tpm2_keys_rc(rc, 2);
	} else if (pub.type != TPM_ALG_RSA && pub.type != TPM_ALG_ECC) {
		return TPM2_RC_P(TPM_RC_TYPE, 2);
	}
	s = new_object_slot(c->t);   /* before the key checks, as libtpms */
	if (!s) {
		tpm2_zeroise(&sens, sizeof sens);
		return TPM_RC_OBJECT_MEMORY;
	}
	rc = has_priv ? tpm2_keys_check_pair(&pub, &sens) : public_key_ok(&pub);
	if (rc) {
		tpm2_slot_free(c->t, s);
		tpm2_zeroise(&sens, sizeof sens);
		if (!has_priv || rc == TPM_RC_BINDING)
			return rc;   /* public_key_ok numbers its own; BINDING unnumbered, as libtpms */
		return TPM2_RC_P(rc, 1);
	}
	o = &s->u.obj;
	o->pub = pub;
	o->sens = sens;
	tpm2_zeroise(&sens, sizeof sens);
	o->sens.type = pub.type;   /* also for a public-only object: its context must parse */
	o->flags = TPM2_OBJ_EXTERNAL | (has_priv ? 0 : TPM2_OBJ_PUBLIC_ONLY);
	set_identity(o, NULL, hier);
	o->qname = o->name;   /* no parent: the qualified Name is the Name (as libtpms) */
	if (pub.name_alg == TPM_ALG_NULL) {   /* Name: the handle (Part 1, "Names") */
		tpm2_put_u32(o->name.buf, s->handle);
		o->name.size = 4;
		o->qname = o->name;
	}
	tpm2_wr_tpm2b(&c->out, o->name.buf, o->name.size);
	c->rsp_handle = s->handle;
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ ReadPublic, ChangeAuth, Unseal */

static TPM_RC object_at(struct tpm2_cmd *c, unsigned idx, struct tpm2_object **out)
{
	struct tpm2_object *o = tpm2_object_find(c->t, c->handles[idx]);
	if (!o)   /* a sequence (as libtpms) */
		return TPM2_RC_H(TPM_RC_TYPE, idx + 1);
	*out = o;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_ReadPublic(struct tpm2_cmd *c)
{
	struct tpm2_object *o;
	TPM2_TRY(tpm2_in_done(c));
	if (HANDLE_TYPE(c->handles[0]) == TPM_HT_TRANSIENT && !tpm2_object_find(c->t, c->handles[0]))
		return TPM_RC_SEQUENCE;
	TPM2_TRY(object_at(c, 0, &o));
	tpm2_keys_wr_public(&c->out, &o->pub);
	tpm2_wr_tpm2b(&c->out, o->name.buf, o->name.size);
	tpm2_wr_tpm2b(&c->out, o->qname.buf, o->qname.size);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_ObjectChangeAuth(struct tpm2_cmd *c)
{
	struct tpm2_object *o, n;
	const struct tpm2_object *parent;
	struct tpm2b_digest auth;
	struct tpm2b_name qn;
	TPM2_TRY(object_at(c, 0, &o));
	TPM2_P(1, tpm2_rd_digest(&c->in, &auth));
	TPM2_TRY(tpm2_in_done(c));
	if (o->flags & (TPM2_OBJ_PUBLIC_ONLY | TPM2_OBJ_EXTERNAL))
		return TPM2_RC_H(TPM_RC_TYPE, 1);
	TPM2_TRY(storage_parent(c, 1, &parent));
	tpm2_keys_qname(o->pub.name_alg, &parent->qname, 0, &o->name, &qn);
	if (qn.size != o->qname.size || memcmp(qn.buf, o->qname.buf, qn.size))
		return TPM2_RC_H(TPM_RC_TYPE, 2);
	while (auth.size && auth.buf[auth.size - 1] == 0)
		auth.size--;
	if (auth.size > tpm2_hash_size(o->pub.name_alg))
		return TPM2_RC_P(TPM_RC_SIZE, 1);
	n = *o;
	memset(&n.sens.auth, 0, sizeof n.sens.auth);
	memcpy(n.sens.auth.buf, auth.buf, auth.size);
	n.sens.auth.size = auth.size;
	wr_private(c->t, &c->out, parent, &n);
	tpm2_zeroise(&n, sizeof n);
	tpm2_zeroise(&auth, sizeof auth);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_Unseal(struct tpm2_cmd *c)
{
	struct tpm2_object *o;
	TPM2_TRY(object_at(c, 0, &o));
	TPM2_TRY(tpm2_in_done(c));
	if (o->pub.type != TPM_ALG_KEYEDHASH || (o->flags & TPM2_OBJ_PUBLIC_ONLY))
		return TPM2_RC_H(TPM_RC_TYPE, 1);
	if (o->pub.attrs & (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_SIGN_ENCRYPT))
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 1);
	tpm2_wr_tpm2b(&c->out, o->sens.sensitive.buf, o->sens.sensitive.size);
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ EvictControl */

static bool owner_range(uint32_t h)
{
	return HANDLE_TYPE(h) == TPM_HT_PERSISTENT && h <= PERSISTENT_OWNER_LAST;
}

static bool platform_range(uint32_t h)
{
	return HANDLE_TYPE(h) == TPM_HT_PERSISTENT && h >= PERSISTENT_PLATFORM_FIRST;
}

static TPM_RC make_persistent(struct tpm2_cmd *c, struct tpm2_object *o, uint32_t ph)
{
	struct tpm2 *t = c->t;
	uint32_t auth = c->handles[0];
	struct tpm2_persistent *free_slot = NULL;
	if (o->flags & (TPM2_OBJ_EXTERNAL | TPM2_OBJ_PUBLIC_ONLY))
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 2);
	if (o->pub.attrs & TPMA_OBJECT_STCLEAR)
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 2);
	if (o->hierarchy == TPM_RH_NULL)   /* a temporary object (libtpms: ATTRIBUTES) */
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 2);
	if ((auth == TPM_RH_PLATFORM) != (o->hierarchy == TPM_RH_PLATFORM))
		return TPM2_RC_H(TPM_RC_HIERARCHY, 2);
	if (auth == TPM_RH_PLATFORM ? !platform_range(ph) : !owner_range(ph))
		return TPM2_RC_P(TPM_RC_RANGE, 1);
	if (tpm2_persistent_find(t, ph))
		return TPM_RC_NV_DEFINED;
	for (unsigned i = 0; i < TPM2_PERSISTENT_SLOTS && !free_slot; i++)
		if (!t->persistent[i].handle)
			free_slot = &t->persistent[i];
	if (!free_slot)
		return TPM_RC_NV_SPACE;
	free_slot->handle = ph;
	free_slot->obj = *o;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_EvictControl(struct tpm2_cmd *c)
{
	uint32_t ph, h = c->handles[1];
	struct tpm2_object *o;
	struct tpm2_persistent *p;
	TPM2_P(1, tpm2_rd_u32(&c->in, &ph));
	if (HANDLE_TYPE(ph) != TPM_HT_PERSISTENT)   /* TPMI_DH_PERSISTENT */
		return TPM2_RC_P(TPM_RC_VALUE, 1);
	TPM2_TRY(tpm2_in_done(c));
	if (HANDLE_TYPE(h) == TPM_HT_TRANSIENT) {
		o = tpm2_object_find(c->t, h);
		if (!o)
			return TPM2_RC_H(TPM_RC_ATTRIBUTES, 2);   /* a sequence (as libtpms) */
		return make_persistent(c, o, ph);
	}
	if (ph != h)
		return TPM2_RC_H(TPM_RC_HANDLE, 2);   /* as libtpms */
	p = tpm2_persistent_find(c->t, h);
	if (c->handles[0] == TPM_RH_OWNER && p->obj.hierarchy == TPM_RH_PLATFORM)
		return TPM2_RC_H(TPM_RC_HIERARCHY, 2);
	if (c->handles[0] == TPM_RH_OWNER && !owner_range(h))
		return TPM2_RC_P(TPM_RC_RANGE, 1);
	tpm2_zeroise(p, sizeof *p);
	return TPM_RC_SUCCESS;
}
