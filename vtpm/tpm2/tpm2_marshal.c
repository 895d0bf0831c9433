/*
 * Bounded readers/writers and the unmarshal/marshal functions for every structure the engine
 * parses (TPM 2.0 Part 2).  Value checks return the code Part 2 gives the type's unmarshal
 * function (TPMI_ALG_HASH -> TPM_RC_HASH, TPMI_ECC_CURVE -> TPM_RC_CURVE, ...).
 */
#include "tpm2_internal.h"

/* ------------------------------------------------------------------ primitives */

TPM_RC tpm2_rd_bytes(struct tpm2_rd *r, void *out, size_t n)
{
	if (tpm2_rd_left(r) < n)
		return TPM_RC_INSUFFICIENT;
	if (n)
		memcpy(out, r->p + r->off, n);
	r->off += n;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_rd_u8(struct tpm2_rd *r, uint8_t *v)
{
	return tpm2_rd_bytes(r, v, 1);
}

TPM_RC tpm2_rd_u16(struct tpm2_rd *r, uint16_t *v)
{
	if (tpm2_rd_left(r) < 2)
		return TPM_RC_INSUFFICIENT;
	*v = tpm2_get_u16(r->p + r->off);
	r->off += 2;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_rd_u32(struct tpm2_rd *r, uint32_t *v)
{
	if (tpm2_rd_left(r) < 4)
		return TPM_RC_INSUFFICIENT;
	*v = tpm2_get_u32(r->p + r->off);
	r->off += 4;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_rd_u64(struct tpm2_rd *r, uint64_t *v)
{
	if (tpm2_rd_left(r) < 8)
		return TPM_RC_INSUFFICIENT;
	*v = (uint64_t)tpm2_get_u32(r->p + r->off) << 32 | tpm2_get_u32(r->p + r->off + 4);
	r->off += 8;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_rd_tpm2b(struct tpm2_rd *r, const uint8_t **data, uint16_t *size, size_t max)
{
	size_t start = r->off;
	uint16_t n;
	TPM2_TRY(tpm2_rd_u16(r, &n));
	if (n > max) {
		r->off = start;
		return TPM_RC_SIZE;
	}
	if (tpm2_rd_left(r) < n) {
		r->off = start;
		return TPM_RC_INSUFFICIENT;
	}
	*data = r->p + r->off;
	*size = n;
	r->off += n;
	return TPM_RC_SUCCESS;
}

static void wr_raw(struct tpm2_wr *w, const void *p, size_t n)
{
	if (w->overflow || w->max - w->off < n) {
		w->overflow = true;
		return;
	}
	if (n)
		memcpy(w->p + w->off, p, n);
	w->off += n;
}

void tpm2_wr_bytes(struct tpm2_wr *w, const void *p, size_t n) { wr_raw(w, p, n); }
void tpm2_wr_u8(struct tpm2_wr *w, uint8_t v) { wr_raw(w, &v, 1); }

void tpm2_wr_u16(struct tpm2_wr *w, uint16_t v)
{
	uint8_t b[2];
	tpm2_put_u16(b, v);
	wr_raw(w, b, 2);
}

void tpm2_wr_u32(struct tpm2_wr *w, uint32_t v)
{
	uint8_t b[4];
	tpm2_put_u32(b, v);
	wr_raw(w, b, 4);
}

void tpm2_wr_u64(struct tpm2_wr *w, uint64_t v)
{
	tpm2_wr_u32(w, (uint32_t)(v >> 32));
	tpm2_wr_u32(w, (uint32_t)v);
}

void tpm2_wr_tpm2b(struct tpm2_wr *w, const void *p, size_t n)
{
	if (n > 0xFFFF) {
		w->overflow = true;
		return;
	}
	tpm2_wr_u16(w, (uint16_t)n);
	wr_raw(w, p, n);
}

size_t tpm2_wr_size_begin(struct tpm2_wr *w)
{
	size_t mark = w->off;
	tpm2_wr_u16(w, 0);
	return mark;
}

void tpm2_wr_size_end(struct tpm2_wr *w, size_t mark)
{
	if (w->overflow)
		return;
	tpm2_put_u16(w->p + mark, (uint16_t)(w->off - mark - 2));
}

/* ------------------------------------------------------------------ algorithm selectors */

bool tpm2_hash_alg_supported(uint16_t alg)
{
	return alg == TPM_ALG_SHA1 || alg == TPM_ALG_SHA256 || alg == TPM_ALG_SHA384 ||
	       alg == TPM_ALG_SHA512;
}

TPM_RC tpm2_rd_alg_hash(struct tpm2_rd *r, uint16_t *alg, bool null_ok)
{
	size_t start = r->off;
	TPM2_TRY(tpm2_rd_u16(r, alg));
	if (tpm2_hash_alg_supported(*alg) || (null_ok && *alg == TPM_ALG_NULL))
		return TPM_RC_SUCCESS;
	r->off = start;
	return TPM_RC_HASH;
}

TPM_RC tpm2_rd_digest(struct tpm2_rd *r, struct tpm2b_digest *d)
{
	const uint8_t *p;
	TPM2_TRY(tpm2_rd_tpm2b(r, &p, &d->size, TPM2_MAX_DIGEST));
	memcpy(d->buf, p, d->size);
	return TPM_RC_SUCCESS;
}

static TPM_RC rd_sized_buf(struct tpm2_rd *r, uint16_t *size, uint8_t *buf, size_t max)
{
	const uint8_t *p;
	TPM2_TRY(tpm2_rd_tpm2b(r, &p, size, max));
	memcpy(buf, p, *size);
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ PCR selections, digests */

TPM_RC tpm2_rd_pcr_selection(struct tpm2_rd *r, struct tpml_pcr_selection *s)
{
	TPM2_TRY(tpm2_rd_u32(r, &s->count));
	if (s->count > TPM2_NUM_BANKS)
		return TPM_RC_SIZE;
	for (uint32_t i = 0; i < s->count; i++) {
		struct tpms_pcr_selection *e = &s->sel[i];
		TPM2_TRY(tpm2_rd_alg_hash(r, &e->hash, false));
		TPM2_TRY(tpm2_rd_u8(r, &e->size));
		/* PCR_SELECT_MIN == PCR_SELECT_MAX == 3 for 24 PCRs (Part 2: outside -> VALUE) */
		if (e->size != TPM2_PCR_SELECT_MAX)
			return TPM_RC_VALUE;
		memset(e->select, 0, sizeof e->select);
		TPM2_TRY(tpm2_rd_bytes(r, e->select, e->size));
	}
	return TPM_RC_SUCCESS;
}

void tpm2_wr_pcr_selection(struct tpm2_wr *w, const struct tpml_pcr_selection *s)
{
	tpm2_wr_u32(w, s->count);
	for (uint32_t i = 0; i < s->count && i < TPM2_NUM_BANKS; i++) {
		tpm2_wr_u16(w, s->sel[i].hash);
		tpm2_wr_u8(w, s->sel[i].size);
		tpm2_wr_bytes(w, s->sel[i].select, s->sel[i].size);
	}
}

TPM_RC tpm2_rd_digest_values(struct tpm2_rd *r, struct tpml_digest_values *v)
{
	TPM2_TRY(tpm2_rd_u32(r, &v->count));
	if (v->count > TPM2_NUM_BANKS)
		return TPM_RC_SIZE;
	for (uint32_t i = 0; i < v->count; i++) {
		TPM2_TRY(tpm2_rd_alg_hash(r, &v->d[i].alg, false));
		TPM2_TRY(tpm2_rd_bytes(r, v->d[i].digest, tpm2_hash_size(v->d[i].alg)));
	}
	return TPM_RC_SUCCESS;
}

void tpm2_wr_digest_values(struct tpm2_wr *w, const struct tpml_digest_values *v)
{
	tpm2_wr_u32(w, v->count);
	for (uint32_t i = 0; i < v->count && i < TPM2_NUM_BANKS; i++) {
		tpm2_wr_u16(w, v->d[i].alg);
		tpm2_wr_bytes(w, v->d[i].digest, tpm2_hash_size(v->d[i].alg));
	}
}

/* ------------------------------------------------------------------ symmetric definitions */

/* AES-128 and AES-256 (AES-192 is not a TPM key size here, nor in libtpms) */
static bool aes_bits_ok(uint16_t bits) { return bits == 128 || bits == 256; }

static bool sym_mode_ok(uint16_t mode, bool null_ok)
{
	return mode == TPM_ALG_CFB || mode == TPM_ALG_CBC || mode == TPM_ALG_CTR ||
	       mode == TPM_ALG_OFB || mode == TPM_ALG_ECB || (null_ok && mode == TPM_ALG_NULL);
}

/* TPMT_SYM_DEF (xor_ok: sessions) and TPMT_SYM_DEF_OBJECT (objects: no XOR). */
TPM_RC tpm2_rd_sym_def(struct tpm2_rd *r, struct tpmt_sym_def *s, bool xor_ok, bool null_ok)
{
	memset(s, 0, sizeof *s);
	TPM2_TRY(tpm2_rd_u16(r, &s->alg));
	switch (s->alg) {
	case TPM_ALG_AES:
		TPM2_TRY(tpm2_rd_u16(r, &s->key_bits));
		if (!aes_bits_ok(s->key_bits))
			return TPM_RC_VALUE;
		TPM2_TRY(tpm2_rd_u16(r, &s->mode));
		/* Objects and sessions: CFB is the only mode the TPM uses itself, but the
		 * TPMT_SYM_DEF_OBJECT type admits every mode; object code checks CFB. */
		if (!sym_mode_ok(s->mode, true))
			return TPM_RC_MODE;
		return TPM_RC_SUCCESS;
	case TPM_ALG_XOR:
		if (!xor_ok)
			return TPM_RC_SYMMETRIC;
		return tpm2_rd_alg_hash(r, &s->key_bits, false);   /* keyBits.xor = hash */
	case TPM_ALG_NULL:
		return null_ok ? TPM_RC_SUCCESS : TPM_RC_SYMMETRIC;
	default:
		return TPM_RC_SYMMETRIC;
	}
}

void tpm2_wr_sym_def(struct tpm2_wr *w, const struct tpmt_sym_def *s)
{
	tpm2_wr_u16(w, s->alg);
	if (s->alg == TPM_ALG_AES) {
		tpm2_wr_u16(w, s->key_bits);
		tpm2_wr_u16(w, s->mode);
	} else if (s->alg == TPM_ALG_XOR) {
		tpm2_wr_u16(w, s->key_bits);
	}
}

/* ------------------------------------------------------------------ schemes */

enum scheme_set { SCHEMES_SIG, SCHEMES_RSA, SCHEMES_ECC, SCHEMES_KEYEDHASH, SCHEMES_KDF };

static bool scheme_in_set(uint16_t alg, enum scheme_set set)
{
	switch (set) {
	case SCHEMES_SIG:
		return alg == TPM_ALG_RSASSA || alg == TPM_ALG_RSAPSS || alg == TPM_ALG_ECDSA ||
		       alg == TPM_ALG_ECDAA || alg == TPM_ALG_ECSCHNORR || alg == TPM_ALG_SM2 ||
		       alg == TPM_ALG_HMAC;
	case SCHEMES_RSA:
		return alg == TPM_ALG_RSASSA || alg == TPM_ALG_RSAPSS || alg == TPM_ALG_RSAES ||
		       alg == TPM_ALG_OAEP;
	case SCHEMES_ECC:
		return alg == TPM_ALG_ECDSA || alg == TPM_ALG_ECDH || alg == TPM_ALG_ECDAA ||
		       alg == TPM_ALG_ECSCHNORR || alg == TPM_ALG_SM2 || alg == TPM_ALG_ECMQV;
	case SCHEMES_KEYEDHASH:
		return alg == TPM_ALG_HMAC || alg == TPM_ALG_XOR;
	case SCHEMES_KDF:
		return alg == TPM_ALG_MGF1 || alg == TPM_ALG_KDF1_SP800_56A ||
		       alg == TPM_ALG_KDF2 || alg == TPM_ALG_KDF1_SP800_108;
	}
	return false;
}

/* Reads (alg, details): every scheme but RSAES carries a hash; ECDAA also a count; keyed-
 * hash XOR a hash and a KDF. */
static TPM_RC rd_scheme(struct tpm2_rd *r, struct tpmt_scheme *s, enum scheme_set set,
                        bool null_ok, TPM_RC bad)
{
	memset(s, 0, sizeof *s);
	TPM2_TRY(tpm2_rd_u16(r, &s->alg));
	if (s->alg == TPM_ALG_NULL)
		return null_ok ? TPM_RC_SUCCESS : bad;
	if (!scheme_in_set(s->alg, set))
		return bad;
	if (s->alg == TPM_ALG_RSAES)
		return TPM_RC_SUCCESS;
	TPM2_TRY(tpm2_rd_alg_hash(r, &s->hash, false));
	if (s->alg == TPM_ALG_ECDAA)
		TPM2_TRY(tpm2_rd_u16(r, &s->count));
	if (s->alg == TPM_ALG_XOR) {
		TPM2_TRY(tpm2_rd_u16(r, &s->count));   /* kdf */
		if (!scheme_in_set(s->count, SCHEMES_KDF) && s->count != TPM_ALG_NULL)
			return TPM_RC_KDF;
	}
	return TPM_RC_SUCCESS;
}

static void wr_scheme(struct tpm2_wr *w, const struct tpmt_scheme *s)
{
	tpm2_wr_u16(w, s->alg);
	if (s->alg == TPM_ALG_NULL || s->alg == TPM_ALG_RSAES)
		return;
	tpm2_wr_u16(w, s->hash);
	if (s->alg == TPM_ALG_ECDAA || s->alg == TPM_ALG_XOR)
		tpm2_wr_u16(w, s->count);
}

TPM_RC tpm2_rd_sig_scheme(struct tpm2_rd *r, struct tpmt_scheme *s, bool null_ok)
{
	return rd_scheme(r, s, SCHEMES_SIG, null_ok, TPM_RC_SCHEME);
}

void tpm2_wr_sig_scheme(struct tpm2_wr *w, const struct tpmt_scheme *s) { wr_scheme(w, s); }

/* ------------------------------------------------------------------ TPMT_PUBLIC */

static TPM_RC rd_ecc_param(struct tpm2_rd *r, uint16_t *size, uint8_t *buf)
{
	return rd_sized_buf(r, size, buf, TPM2_MAX_ECC_BYTES);
}

static TPM_RC rd_ecc_point_body(struct tpm2_rd *r, struct tpms_ecc_point *p)
{
	TPM2_TRY(rd_ecc_param(r, &p->x_size, p->x));
	return rd_ecc_param(r, &p->y_size, p->y);
}

static void wr_ecc_point_body(struct tpm2_wr *w, const struct tpms_ecc_point *p)
{
	tpm2_wr_tpm2b(w, p->x, p->x_size);
	tpm2_wr_tpm2b(w, p->y, p->y_size);
}

static TPM_RC rd_public_params(struct tpm2_rd *r, struct tpmt_public *p)
{
	switch (p->type) {
	case TPM_ALG_KEYEDHASH:
		return rd_scheme(r, &p->scheme, SCHEMES_KEYEDHASH, true, TPM_RC_VALUE);
	case TPM_ALG_SYMCIPHER:
		return tpm2_rd_sym_def(r, &p->symmetric, false, false);
	case TPM_ALG_RSA:
		TPM2_TRY(tpm2_rd_sym_def(r, &p->symmetric, false, true));
		TPM2_TRY(rd_scheme(r, &p->scheme, SCHEMES_RSA, true, TPM_RC_VALUE));
		TPM2_TRY(tpm2_rd_u16(r, &p->key_bits));
		if (p->key_bits != 1024 && p->key_bits != 2048 && p->key_bits != 3072)
			return TPM_RC_VALUE;
		return tpm2_rd_u32(r, &p->exponent);
	case TPM_ALG_ECC:
		TPM2_TRY(tpm2_rd_sym_def(r, &p->symmetric, false, true));
		TPM2_TRY(rd_scheme(r, &p->scheme, SCHEMES_ECC, true, TPM_RC_SCHEME));
		TPM2_TRY(tpm2_rd_u16(r, &p->curve));
		if (p->curve != TPM_ECC_NIST_P256 && p->curve != TPM_ECC_NIST_P384)
			return TPM_RC_CURVE;
		return rd_scheme(r, &p->kdf, SCHEMES_KDF, true, TPM_RC_KDF);
	}
	return TPM_RC_TYPE;
}

static TPM_RC rd_public_unique(struct tpm2_rd *r, struct tpmt_public *p)
{
	switch (p->type) {
	case TPM_ALG_RSA:
		return rd_sized_buf(r, &p->unique.rsa.size, p->unique.rsa.buf, TPM2_MAX_RSA_BYTES);
	case TPM_ALG_ECC:
		return rd_ecc_point_body(r, &p->unique.ecc);
	default:
		return tpm2_rd_digest(r, &p->unique.sym);
	}
}

/* TPMT_PUBLIC_PARMS (TestParms): type + parameters. */
TPM_RC tpm2_rd_public_parms(struct tpm2_rd *r, struct tpmt_public *p)
{
	memset(p, 0, sizeof *p);
	TPM2_TRY(tpm2_rd_u16(r, &p->type));
	return rd_public_params(r, p);
}

static TPM_RC rd_public_head(struct tpm2_rd *r, struct tpmt_public *p, bool null_name_ok)
{
	memset(p, 0, sizeof *p);
	TPM2_TRY(tpm2_rd_u16(r, &p->type));
	if (p->type != TPM_ALG_RSA && p->type != TPM_ALG_ECC && p->type != TPM_ALG_KEYEDHASH &&
	    p->type != TPM_ALG_SYMCIPHER)
		return TPM_RC_TYPE;
	TPM2_TRY(tpm2_rd_alg_hash(r, &p->name_alg, null_name_ok));
	TPM2_TRY(tpm2_rd_u32(r, &p->attrs));
	if (p->attrs & TPMA_OBJECT_RESERVED_MASK)
		return TPM_RC_RESERVED_BITS;
	TPM2_TRY(tpm2_rd_digest(r, &p->auth_policy));
	return rd_public_params(r, p);
}

TPM_RC tpm2_rd_public(struct tpm2_rd *r, struct tpmt_public *p, bool null_name_ok)
{
	TPM2_TRY(rd_public_head(r, p, null_name_ok));
	return rd_public_unique(r, p);
}

TPM_RC tpm2_rd_template_derive(struct tpm2_rd *r, struct tpmt_public *p)
{
	uint16_t size;
	const uint8_t *body;
	struct tpm2_rd sub;
	TPM2_TRY(tpm2_rd_tpm2b(r, &body, &size, TPM2_MAX_COMMAND_SIZE));
	if (size == 0)
		return TPM_RC_SIZE;
	tpm2_rd_init(&sub, body, size);
	TPM2_TRY(rd_public_head(&sub, p, false));
	TPM2_TRY(rd_ecc_point_body(&sub, &p->unique.ecc));   /* TPMS_DERIVE: label, context */
	return tpm2_rd_left(&sub) ? TPM_RC_SIZE : TPM_RC_SUCCESS;
}

/* TPM2B_PUBLIC: the size must be non-zero and match the structure exactly. */
TPM_RC tpm2_rd_public_sized(struct tpm2_rd *r, struct tpmt_public *p, bool null_name_ok)
{
	uint16_t size;
	const uint8_t *body;
	struct tpm2_rd sub;
	TPM2_TRY(tpm2_rd_tpm2b(r, &body, &size, TPM2_MAX_COMMAND_SIZE));
	if (size == 0)
		return TPM_RC_SIZE;
	tpm2_rd_init(&sub, body, size);
	TPM2_TRY(tpm2_rd_public(&sub, p, null_name_ok));
	return tpm2_rd_left(&sub) ? TPM_RC_SIZE : TPM_RC_SUCCESS;
}

void tpm2_wr_public(struct tpm2_wr *w, const struct tpmt_public *p)
{
	tpm2_wr_u16(w, p->type);
	tpm2_wr_u16(w, p->name_alg);
	tpm2_wr_u32(w, p->attrs);
	tpm2_wr_tpm2b(w, p->auth_policy.buf, p->auth_policy.size);
	switch (p->type) {
	case TPM_ALG_KEYEDHASH:
		wr_scheme(w, &p->scheme);
		tpm2_wr_tpm2b(w, p->unique.sym.buf, p->unique.sym.size);
		break;
	case TPM_ALG_SYMCIPHER:
		tpm2_wr_sym_def(w, &p->symmetric);
		tpm2_wr_tpm2b(w, p->unique.sym.buf, p->unique.sym.size);
		break;
	case TPM_ALG_RSA:
		tpm2_wr_sym_def(w, &p->symmetric);
		wr_scheme(w, &p->scheme);
		tpm2_wr_u16(w, p->key_bits);
		tpm2_wr_u32(w, p->exponent);
		tpm2_wr_tpm2b(w, p->unique.rsa.buf, p->unique.rsa.size);
		break;
	case TPM_ALG_ECC:
		tpm2_wr_sym_def(w, &p->symmetric);
		wr_scheme(w, &p->scheme);
		tpm2_wr_u16(w, p->curve);
		wr_scheme(w, &p->kdf);
		wr_ecc_point_body(w, &p->unique.ecc);
		break;
	}
}

/* ------------------------------------------------------------------ TPMT_SENSITIVE */

TPM_RC tpm2_rd_sensitive(struct tpm2_rd *r, struct tpmt_sensitive *s)
{
	size_t max;
	memset(s, 0, sizeof *s);
	TPM2_TRY(tpm2_rd_u16(r, &s->type));
	switch (s->type) {
	case TPM_ALG_RSA: max = TPM2_MAX_RSA_BYTES; break;
	case TPM_ALG_ECC: max = TPM2_MAX_ECC_BYTES; break;
	case TPM_ALG_KEYEDHASH: max = TPM2_MAX_SYM_DATA; break;
	case TPM_ALG_SYMCIPHER: max = TPM2_MAX_SYM_KEY_BYTES; break;
	default: return TPM_RC_TYPE;
	}
	TPM2_TRY(tpm2_rd_digest(r, &s->auth));
	TPM2_TRY(tpm2_rd_digest(r, &s->seed));
	return rd_sized_buf(r, &s->sensitive.size, s->sensitive.buf, max);
}

void tpm2_wr_sensitive(struct tpm2_wr *w, const struct tpmt_sensitive *s)
{
	tpm2_wr_u16(w, s->type);
	tpm2_wr_tpm2b(w, s->auth.buf, s->auth.size);
	tpm2_wr_tpm2b(w, s->seed.buf, s->seed.size);
	tpm2_wr_tpm2b(w, s->sensitive.buf, s->sensitive.size);
}

/* ------------------------------------------------------------------ TPM2B_NV_PUBLIC */

TPM_RC tpm2_rd_nv_public(struct tpm2_rd *r, struct tpms_nv_public *p)
{
	uint16_t size;
	const uint8_t *body;
	struct tpm2_rd sub;
	TPM2_TRY(tpm2_rd_tpm2b(r, &body, &size, TPM2_MAX_COMMAND_SIZE));
	if (size == 0)
		return TPM_RC_SIZE;
	tpm2_rd_init(&sub, body, size);
	TPM2_TRY(tpm2_rd_u32(&sub, &p->index));
	if (HANDLE_TYPE(p->index) != TPM_HT_NV_INDEX)
		return TPM_RC_VALUE;
	TPM2_TRY(tpm2_rd_alg_hash(&sub, &p->name_alg, false));
	TPM2_TRY(tpm2_rd_u32(&sub, &p->attrs));
	if (p->attrs & TPMA_NV_RESERVED_MASK)
		return TPM_RC_RESERVED_BITS;
	TPM2_TRY(tpm2_rd_digest(&sub, &p->auth_policy));
	TPM2_TRY(tpm2_rd_u16(&sub, &p->data_size));
	return tpm2_rd_left(&sub) ? TPM_RC_SIZE : TPM_RC_SUCCESS;
}

void tpm2_wr_nv_public(struct tpm2_wr *w, const struct tpms_nv_public *p)
{
	size_t mark = tpm2_wr_size_begin(w);
	tpm2_wr_u32(w, p->index);
	tpm2_wr_u16(w, p->name_alg);
	tpm2_wr_u32(w, p->attrs);
	tpm2_wr_tpm2b(w, p->auth_policy.buf, p->auth_policy.size);
	tpm2_wr_u16(w, p->data_size);
	tpm2_wr_size_end(w, mark);
}

/* ------------------------------------------------------------------ TPMS_CONTEXT */

static bool saved_handle_ok(uint32_t h)
{
	uint8_t ht = HANDLE_TYPE(h);
	return ht == TPM_HT_HMAC_SESSION || ht == TPM_HT_POLICY_SESSION ||
	       h == 0x80000000u || h == 0x80000001u || h == 0x80000002u;
}

static bool hierarchy_plus_ok(uint32_t h)
{
	return tpm2_is_hierarchy(h) || h == TPM_RH_NULL;
}

TPM_RC tpm2_rd_context(struct tpm2_rd *r, struct tpms_context *c)
{
	TPM2_TRY(tpm2_rd_u64(r, &c->sequence));
	TPM2_TRY(tpm2_rd_u32(r, &c->saved_handle));
	if (!saved_handle_ok(c->saved_handle))
		return TPM_RC_VALUE;
	TPM2_TRY(tpm2_rd_u32(r, &c->hierarchy));
	if (!hierarchy_plus_ok(c->hierarchy))
		return TPM_RC_VALUE;
	return rd_sized_buf(r, &c->blob_size, c->blob, TPM2_MAX_CONTEXT_BLOB);
}

void tpm2_wr_context(struct tpm2_wr *w, const struct tpms_context *c)
{
	tpm2_wr_u64(w, c->sequence);
	tpm2_wr_u32(w, c->saved_handle);
	tpm2_wr_u32(w, c->hierarchy);
	tpm2_wr_tpm2b(w, c->blob, c->blob_size);
}

/* ------------------------------------------------------------------ TPMT_SIGNATURE */

TPM_RC tpm2_rd_signature(struct tpm2_rd *r, struct tpmt_signature *s)
{
	memset(s, 0, sizeof *s);
	TPM2_TRY(tpm2_rd_u16(r, &s->alg));
	switch (s->alg) {
	case TPM_ALG_NULL:
		return TPM_RC_SUCCESS;
	case TPM_ALG_RSASSA:
	case TPM_ALG_RSAPSS:
		TPM2_TRY(tpm2_rd_alg_hash(r, &s->hash, false));
		return rd_sized_buf(r, &s->u.rsa.size, s->u.rsa.buf, TPM2_MAX_RSA_BYTES);
	case TPM_ALG_ECDSA:
	case TPM_ALG_ECDAA:
	case TPM_ALG_ECSCHNORR:
	case TPM_ALG_SM2:
		TPM2_TRY(tpm2_rd_alg_hash(r, &s->hash, false));
		TPM2_TRY(rd_ecc_param(r, &s->u.ecc.r_size, s->u.ecc.r));
		return rd_ecc_param(r, &s->u.ecc.s_size, s->u.ecc.s);
	case TPM_ALG_HMAC:
		TPM2_TRY(tpm2_rd_alg_hash(r, &s->hash, false));
		return tpm2_rd_bytes(r, s->u.hmac, tpm2_hash_size(s->hash));
	}
	return TPM_RC_SCHEME;
}

void tpm2_wr_signature(struct tpm2_wr *w, const struct tpmt_signature *s)
{
	tpm2_wr_u16(w, s->alg);
	switch (s->alg) {
	case TPM_ALG_RSASSA:
	case TPM_ALG_RSAPSS:
		tpm2_wr_u16(w, s->hash);
		tpm2_wr_tpm2b(w, s->u.rsa.buf, s->u.rsa.size);
		break;
	case TPM_ALG_ECDSA:
	case TPM_ALG_ECDAA:
	case TPM_ALG_ECSCHNORR:
	case TPM_ALG_SM2:
		tpm2_wr_u16(w, s->hash);
		tpm2_wr_tpm2b(w, s->u.ecc.r, s->u.ecc.r_size);
		tpm2_wr_tpm2b(w, s->u.ecc.s, s->u.ecc.s_size);
		break;
	case TPM_ALG_HMAC:
		tpm2_wr_u16(w, s->hash);
		tpm2_wr_bytes(w, s->u.hmac, tpm2_hash_size(s->hash));
		break;
	}
}

/* ------------------------------------------------------------------ tickets, ECC points */

TPM_RC tpm2_rd_ticket(struct tpm2_rd *r, struct tpmt_tk *t)
{
	TPM2_TRY(tpm2_rd_u16(r, &t->tag));
	TPM2_TRY(tpm2_rd_u32(r, &t->hierarchy));
	if (!hierarchy_plus_ok(t->hierarchy))
		return TPM_RC_VALUE;
	return tpm2_rd_digest(r, &t->digest);
}

void tpm2_wr_ticket(struct tpm2_wr *w, const struct tpmt_tk *t)
{
	tpm2_wr_u16(w, t->tag);
	tpm2_wr_u32(w, t->hierarchy);
	tpm2_wr_tpm2b(w, t->digest.buf, t->digest.size);
}

TPM_RC tpm2_rd_ecc_point(struct tpm2_rd *r, struct tpms_ecc_point *p)
{
	uint16_t size;
	const uint8_t *body;
	struct tpm2_rd sub;
	TPM2_TRY(tpm2_rd_tpm2b(r, &body, &size, TPM2_MAX_COMMAND_SIZE));
	if (size == 0)
		return TPM_RC_SIZE;
	tpm2_rd_init(&sub, body, size);
	TPM2_TRY(rd_ecc_point_body(&sub, p));
	return tpm2_rd_left(&sub) ? TPM_RC_SIZE : TPM_RC_SUCCESS;
}

void tpm2_wr_ecc_point(struct tpm2_wr *w, const struct tpms_ecc_point *p)
{
	size_t mark = tpm2_wr_size_begin(w);
	wr_ecc_point_body(w, p);
	tpm2_wr_size_end(w, mark);
}
