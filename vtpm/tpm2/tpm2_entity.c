/*
 * Entities: what a handle refers to, whether it exists, its authValue, authPolicy, Name and
 * hierarchy (TPM 2.0 Part 1, "Entities").  Object details come from tpm2_object_find()
 * (objects family); sequences and NV indices are resolved here.
 */
#include "tpm2_internal.h"

static const struct tpm2b_digest empty_auth;

uint16_t tpm2_handle_kind(uint32_t h)
{
	switch (HANDLE_TYPE(h)) {
	case TPM_HT_PCR: return h < TPM2_NUM_PCRS ? TPM2_HK_PCR : 0;
	case TPM_HT_NV_INDEX: return TPM2_HK_NV;
	case TPM_HT_HMAC_SESSION: return TPM2_HK_HS;
	case TPM_HT_POLICY_SESSION: return TPM2_HK_PS;
	case TPM_HT_TRANSIENT: return TPM2_HK_TR;
	case TPM_HT_PERSISTENT: return TPM2_HK_PER;
	}
	switch (h) {
	case TPM_RH_OWNER: return TPM2_HK_OWN;
	case TPM_RH_ENDORSEMENT: return TPM2_HK_END;
	case TPM_RH_PLATFORM: return TPM2_HK_PLAT;
	case TPM_RH_LOCKOUT: return TPM2_HK_LOCK;
	case TPM_RH_NULL: return TPM2_HK_NUL;
	}
	return 0;
}

bool tpm2_hierarchy_enabled(struct tpm2 *t, uint32_t hierarchy)
{
	switch (hierarchy) {
	case TPM_RH_OWNER: return t->sh_enable;
	case TPM_RH_ENDORSEMENT: return t->eh_enable;
	case TPM_RH_PLATFORM: return t->ph_enable;
	}
	return true;   /* NULL, LOCKOUT */
}

struct tpm2_hierarchy_auth *tpm2_hierarchy(struct tpm2 *t, uint32_t handle)
{
	switch (handle) {
	case TPM_RH_OWNER: return &t->owner;
	case TPM_RH_ENDORSEMENT: return &t->endorsement;
	case TPM_RH_PLATFORM: return &t->platform;
	case TPM_RH_LOCKOUT: return &t->lockout;
	}
	return NULL;
}

static bool nv_accessible(struct tpm2 *t, const struct tpm2_nv_index *nv)
{
	if (nv->pub.attrs & TPMA_NV_PLATFORMCREATE)
		return t->ph_enable_nv;
	return t->sh_enable;
}

TPM_RC tpm2_entity_check(struct tpm2 *t, uint32_t h)
{
	struct tpm2_nv_index *nv;
	struct tpm2_persistent *p;
	switch (HANDLE_TYPE(h)) {
	case TPM_HT_PCR:
		return h < TPM2_NUM_PCRS ? TPM_RC_SUCCESS : TPM_RC_VALUE;
	case TPM_HT_NV_INDEX:
		nv = tpm2_nv_find(t, h);
		return nv && nv_accessible(t, nv) ? TPM_RC_SUCCESS : TPM_RC_HANDLE;
	case TPM_HT_HMAC_SESSION:
	case TPM_HT_POLICY_SESSION:
		return tpm2_session_lookup(t, h) ? TPM_RC_SUCCESS : TPM_RC_REFERENCE_H0;
	case TPM_HT_TRANSIENT:
		return tpm2_slot_find(t, h) ? TPM_RC_SUCCESS : TPM_RC_REFERENCE_H0;
	case TPM_HT_PERSISTENT:
		p = tpm2_persistent_find(t, h);
		if (!p)
			return TPM_RC_HANDLE;
		return tpm2_hierarchy_enabled(t, p->obj.hierarchy) ? TPM_RC_SUCCESS
		                                                   : TPM_RC_HIERARCHY;
	case TPM_HT_PERMANENT:
		if (!tpm2_handle_kind(h))
			return TPM_RC_VALUE;
		return tpm2_hierarchy_enabled(t, h) ? TPM_RC_SUCCESS : TPM_RC_HIERARCHY;
	}
	return TPM_RC_VALUE;
}

const struct tpm2b_digest *tpm2_entity_auth(struct tpm2 *t, uint32_t h)
{
	struct tpm2_hierarchy_auth *ha;
	struct tpm2_nv_index *nv;
	struct tpm2_slot *s;
	struct tpm2_object *o;
	switch (HANDLE_TYPE(h)) {
	case TPM_HT_PCR:
		return &empty_auth;
	case TPM_HT_NV_INDEX:
		nv = tpm2_nv_find(t, h);
		return nv ? &nv->auth : NULL;
	case TPM_HT_PERMANENT:
		if (h == TPM_RH_NULL)
			return &empty_auth;
		ha = tpm2_hierarchy(t, h);
		return ha ? &ha->auth : NULL;
	case TPM_HT_TRANSIENT:
		s = tpm2_slot_find(t, h);
		if (s && s->kind != TPM2_SLOT_OBJECT)
			return &s->u.seq.auth;
		/* fall through */
	case TPM_HT_PERSISTENT:
		o = tpm2_object_find(t, h);
		return o ? &o->sens.auth : NULL;
	}
	return NULL;
}

const struct tpm2b_digest *tpm2_entity_policy(struct tpm2 *t, uint32_t h, uint16_t *alg)
{
	struct tpm2_hierarchy_auth *ha;
	struct tpm2_nv_index *nv;
	struct tpm2_object *o;
	switch (HANDLE_TYPE(h)) {
	case TPM_HT_NV_INDEX:
		nv = tpm2_nv_find(t, h);
		if (!nv)
			return NULL;
		*alg = nv->pub.name_alg;
		return &nv->pub.auth_policy;
	case TPM_HT_PERMANENT:
		ha = tpm2_hierarchy(t, h);
		if (!ha || ha->policy_alg == TPM_ALG_NULL)
			return NULL;
		*alg = ha->policy_alg;
		return &ha->policy;
	case TPM_HT_TRANSIENT:
	case TPM_HT_PERSISTENT:
		o = tpm2_object_find(t, h);
		if (!o)
			return NULL;
		*alg = o->pub.name_alg;
		return &o->pub.auth_policy;
	}
	return NULL;
}

size_t tpm2_entity_name(struct tpm2 *t, uint32_t h, uint8_t *out)
{
	struct tpm2_nv_index *nv;
	struct tpm2_slot *s;
	struct tpm2_object *o;
	switch (HANDLE_TYPE(h)) {
	case TPM_HT_NV_INDEX:
		nv = tpm2_nv_find(t, h);
		return nv ? tpm2_nv_name(nv, out) : 0;
	case TPM_HT_TRANSIENT:
		s = tpm2_slot_find(t, h);
		if (s && s->kind != TPM2_SLOT_OBJECT)
			return 0;   /* a sequence's Name is the Empty Buffer */
		/* fall through */
	case TPM_HT_PERSISTENT:
		o = tpm2_object_find(t, h);
		if (!o)
			return 0;
		memcpy(out, o->name.buf, o->name.size);
		return o->name.size;
	}
	tpm2_put_u32(out, h);
	return 4;
}

bool tpm2_entity_is_da(struct tpm2 *t, uint32_t h)
{
	struct tpm2_nv_index *nv;
	struct tpm2_object *o;
	switch (HANDLE_TYPE(h)) {
	case TPM_HT_NV_INDEX:
		nv = tpm2_nv_find(t, h);
		return nv && !(nv->pub.attrs & TPMA_NV_NO_DA);
	case TPM_HT_TRANSIENT:
	case TPM_HT_PERSISTENT:
		o = tpm2_object_find(t, h);   /* sequences: noDA */
		return o && !(o->pub.attrs & TPMA_OBJECT_NODA);
	}
	return false;   /* PCRs, hierarchies (lockout has its own rule) */
}

uint32_t tpm2_entity_hierarchy(struct tpm2 *t, uint32_t h)
{
	struct tpm2_nv_index *nv;
	struct tpm2_object *o;
	switch (HANDLE_TYPE(h)) {
	case TPM_HT_NV_INDEX:
		nv = tpm2_nv_find(t, h);
		return nv && (nv->pub.attrs & TPMA_NV_PLATFORMCREATE) ? TPM_RH_PLATFORM
		                                                      : TPM_RH_OWNER;
	case TPM_HT_TRANSIENT:
	case TPM_HT_PERSISTENT:
		o = tpm2_object_find(t, h);
		return o ? o->hierarchy : TPM_RH_NULL;
	case TPM_HT_PERMANENT:
		return tpm2_is_hierarchy(h) ? h : TPM_RH_NULL;
	}
	return TPM_RH_NULL;
}
