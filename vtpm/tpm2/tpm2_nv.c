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
			if (p->attrs & TPMA_NV_WRITE_STCLEAR)
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
