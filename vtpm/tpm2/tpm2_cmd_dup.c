/*
 * Duplication and credentials: Duplicate, Import, MakeCredential, ActivateCredential
 * (TPM 2.0 Part 3, 12.5, 12.6, 13.1, 13.3; Part 1 "Duplication" and "Credential Protection").
 *
 * Outer wrapper: a seed shared with the new parent / EK (RSA-OAEP with label "DUPLICATE" or
 * "IDENTITY", or ECDH + KDFe), symKey = KDFa(nameAlg, seed, "STORAGE", name), HMAC key =
 * KDFa(nameAlg, seed, "INTEGRITY"), AES-CFB with a zero IV, HMAC over ciphertext || name
 * (tpm2_keys_outer_wrap).  Inner wrapper (Duplicate/Import with symmetricAlg):
 * AES-CFB(encryptionKey, TPM2B(H_nameAlg(sensitive || name)) || sensitive).
 */
#include "tpm2_keys.h"

#define ID_OBJECT_MAX (2u + TPM2_MAX_DIGEST + 2u + TPM2_MAX_DIGEST)   /* TPMS_ID_OBJECT */

static TPM_RC rd_sym_object(struct tpm2_rd *r, struct tpmt_sym_def *s)
{
	TPM2_TRY(tpm2_rd_sym_def(r, s, false, true));
	if (s->alg != TPM_ALG_NULL && s->mode != TPM_ALG_CFB)
		return TPM_RC_MODE;
	return TPM_RC_SUCCESS;
}

static bool asym_storage_public(const struct tpm2_object *o)
{
	uint32_t a = o->pub.attrs;
	return (o->pub.type == TPM_ALG_RSA || o->pub.type == TPM_ALG_ECC) &&
	       (a & TPMA_OBJECT_RESTRICTED) && (a & TPMA_OBJECT_DECRYPT) &&
	       !(a & TPMA_OBJECT_SIGN_ENCRYPT);
}

/* ------------------------------------------------------------------ credentials */

TPM_RC tpm2_cc_MakeCredential(struct tpm2_cmd *c)
{
	const struct tpm2_object *ek = tpm2_object_find(c->t, c->handles[0]);
	struct tpm2b_digest cred;
	struct tpm2b_name name;
	const uint8_t *np;
	uint8_t seed[TPM2_MAX_DIGEST], secret[TPM2_MAX_SECRET], plain[2 + TPM2_MAX_DIGEST];
	uint8_t blob[2 + TPM2_MAX_DIGEST + sizeof plain];
	size_t seed_len, secret_len, n;
	TPM2_P(1, tpm2_rd_digest(&c->in, &cred));
	TPM2_P(2, tpm2_rd_tpm2b(&c->in, &np, &name.size, sizeof name.buf));   /* TPM2B_NAME */
	memcpy(name.buf, np, name.size);
	TPM2_TRY(tpm2_in_done(c));
	if (!ek || !asym_storage_public(ek))
		return TPM2_RC_H(TPM_RC_TYPE, 1);
	if (cred.size > tpm2_hash_size(ek->pub.name_alg))
		return TPM2_RC_P(TPM_RC_SIZE, 1);
	TPM2_H(1, tpm2_keys_secret_make(c->t, ek, "IDENTITY", seed, &seed_len, secret, &secret_len));
	tpm2_put_u16(plain, cred.size);
	memcpy(plain + 2, cred.buf, cred.size);
	n = tpm2_keys_outer_wrap(ek->pub.name_alg, &ek->pub.symmetric, seed, seed_len, &name, plain,
	                         2u + cred.size, blob, sizeof blob);
	tpm2_zeroise(seed, sizeof seed);
	tpm2_zeroise(plain, sizeof plain);
	if (!n)
		return TPM2_RC_H(TPM_RC_KEY, 1);
	tpm2_wr_tpm2b(&c->out, blob, n);
	tpm2_wr_tpm2b(&c->out, secret, secret_len);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_ActivateCredential(struct tpm2_cmd *c)
{
	const struct tpm2_object *obj = tpm2_object_find(c->t, c->handles[0]);
	const struct tpm2_object *key = tpm2_object_find(c->t, c->handles[1]);
	const uint8_t *blob, *secret;
	uint16_t blob_len, secret_len;
	uint8_t seed[TPM2_MAX_DIGEST], plain[ID_OBJECT_MAX];
	size_t seed_len, n;
	TPM_RC rc;
	TPM2_P(1, tpm2_rd_tpm2b(&c->in, &blob, &blob_len, ID_OBJECT_MAX));
	TPM2_P(2, tpm2_rd_tpm2b(&c->in, &secret, &secret_len, TPM2_MAX_SECRET));
	TPM2_TRY(tpm2_in_done(c));
	if (!obj)
		return TPM2_RC_H(TPM_RC_HANDLE, 1);
	if (!key || !asym_storage_public(key) || (key->flags & TPM2_OBJ_PUBLIC_ONLY))
		return TPM2_RC_H(TPM_RC_TYPE, 2);
	TPM2_P(2, tpm2_keys_secret_recover(key, "IDENTITY", secret, secret_len, seed, &seed_len));
	rc = tpm2_keys_outer_unwrap(key->pub.name_alg, &key->pub.symmetric, seed, seed_len,
	                            &obj->name, blob, blob_len, plain, &n);
	tpm2_zeroise(seed, sizeof seed);
	if (rc)
		return TPM2_RC_P(rc, 1);
	if (n < 2 || tpm2_get_u16(plain) != n - 2 || n - 2 > tpm2_hash_size(key->pub.name_alg)) {
		tpm2_zeroise(plain, n);
		return TPM2_RC_P(TPM_RC_SIZE, 1);
	}
	tpm2_wr_tpm2b(&c->out, plain + 2, n - 2);
	tpm2_zeroise(plain, n);
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ duplication */

static size_t sensitive2b(const struct tpmt_sensitive *s, uint8_t *out, size_t max)
{
	struct tpm2_wr w;
	size_t mark;
	tpm2_wr_init(&w, out, max);
	mark = tpm2_wr_size_begin(&w);
	tpm2_wr_sensitive(&w, s);
	tpm2_wr_size_end(&w, mark);
	return w.overflow ? 0 : w.off;
}

/* Inner wrapper in place: buf holds TPM2B_SENSITIVE at buf + 2 + hs; returns the new length. */
static size_t inner_wrap(uint16_t name_alg, const struct tpm2b_name *name, const uint8_t *key,
                         size_t key_len, uint8_t *buf, size_t sens_len)
{
	size_t hs = tpm2_hash_size(name_alg);
	uint8_t iv[16] = { 0 };
	struct tpm2_hash h;
	tpm2_hash_init(&h, name_alg);
	tpm2_hash_update(&h, buf + 2 + hs, sens_len);
	tpm2_hash_update(&h, name->buf, name->size);
	tpm2_hash_final(&h, buf + 2);
	tpm2_put_u16(buf, (uint16_t)hs);
	tpm2_aes_cfb(key, key_len, iv, true, buf, 2 + hs + sens_len);
	return 2 + hs + sens_len;
}

static TPM_RC inner_unwrap(uint16_t name_alg, const struct tpm2b_name *name, const uint8_t *key,
                           size_t key_len, uint8_t *buf, size_t len, size_t *off)
{
	size_t hs = tpm2_hash_size(name_alg);
	uint8_t iv[16] = { 0 }, d[TPM2_MAX_DIGEST];
	struct tpm2_hash h;
	uint16_t n;
	tpm2_aes_cfb(key, key_len, iv, false, buf, len);
	/* the integrity TPM2B is unmarshalled first (INSUFFICIENT / SIZE), then compared */
	if (len < 2)
		return TPM_RC_INSUFFICIENT;
	n = tpm2_get_u16(buf);
	if (n > TPM2_MAX_DIGEST)
		return TPM_RC_SIZE;
	if (len - 2 < n)
		return TPM_RC_INSUFFICIENT;
	if (n != hs)
		return TPM_RC_INTEGRITY;
	tpm2_hash_init(&h, name_alg);
	tpm2_hash_update(&h, buf + 2 + hs, len - 2 - hs);
	tpm2_hash_update(&h, name->buf, name->size);
	tpm2_hash_final(&h, d);
	if (!tpm2_ct_equal(d, buf + 2, hs))
		return TPM_RC_INTEGRITY;
	*off = 2 + hs;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_Duplicate(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	const struct tpm2_object *o = tpm2_object_find(t, c->handles[0]);
	const struct tpm2_object *np = NULL;
	const uint8_t *ekey_in;
	uint16_t ekey_in_len;
	struct tpmt_sym_def sym;
	uint8_t ekey[32], buf[TPM2_MAX_PRIVATE], out[TPM2_MAX_PRIVATE];
	uint8_t seed[TPM2_MAX_DIGEST], secret[TPM2_MAX_SECRET];
	size_t hs, n, ekey_len = 0, seed_len = 0, secret_len = 0, sens_len;
	bool gen_key = false;
	TPM2_P(1, tpm2_rd_tpm2b(&c->in, &ekey_in, &ekey_in_len, TPM2_MAX_DATA));
	TPM2_P(2, rd_sym_object(&c->in, &sym));
	TPM2_TRY(tpm2_in_done(c));
	/* libtpms' order; a primary whose fixedParent is clear may be duplicated too */
	if (!o)
		return TPM2_RC_H(TPM_RC_TYPE, 1);
	if (o->pub.attrs & TPMA_OBJECT_FIXEDPARENT)
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 1);
	if (o->flags & TPM2_OBJ_PUBLIC_ONLY)
		return TPM2_RC_H(TPM_RC_TYPE, 1);
	if (c->handles[1] != TPM_RH_NULL) {
		np = tpm2_object_find(t, c->handles[1]);
		if (!np || !asym_storage_public(np))
			return TPM2_RC_H(TPM_RC_TYPE, 2);
	}
	if (o->pub.attrs & TPMA_OBJECT_ENCRYPTEDDUPLICATION) {
		if (sym.alg == TPM_ALG_NULL)
			return TPM2_RC_P(TPM_RC_SYMMETRIC, 2);
		if (!np)
			return TPM2_RC_H(TPM_RC_HIERARCHY, 2);
	}
	if (sym.alg == TPM_ALG_NULL) {
		if (ekey_in_len)
			return TPM2_RC_P(TPM_RC_SIZE, 1);
	} else if (ekey_in_len == 0) {
		gen_key = true;
		ekey_len = sym.key_bits / 8u;
		tpm2_random(t, ekey, ekey_len);
	} else if (ekey_in_len != sym.key_bits / 8u) {
		return TPM2_RC_P(TPM_RC_SIZE, 1);
	} else {
		ekey_len = ekey_in_len;
		memcpy(ekey, ekey_in, ekey_len);
	}
	hs = tpm2_hash_size(o->pub.name_alg);
	sens_len = sensitive2b(&o->sens, buf + 2 + hs, sizeof buf - 2 - hs);
	if (!sens_len)
		return TPM_RC_FAILURE;
	if (sym.alg != TPM_ALG_NULL) {
		n = inner_wrap(o->pub.name_alg, &o->name, ekey, ekey_len, buf, sens_len);
	} else {
		memmove(buf, buf + 2 + hs, sens_len);
		n = sens_len;
	}
	if (np) {
		TPM_RC rc = tpm2_keys_secret_make(t, np, "DUPLICATE", seed, &seed_len, secret,
		                                  &secret_len);
		if (rc) {
			tpm2_zeroise(buf, sizeof buf);
			return TPM2_RC_H(rc, 2);
		}
		n = tpm2_keys_outer_wrap(np->pub.name_alg, &np->pub.symmetric, seed, seed_len, &o->name,
		                         buf, n, out, sizeof out);
		tpm2_zeroise(seed, sizeof seed);
	} else {
		memcpy(out, buf, n);
	}
	tpm2_zeroise(buf, sizeof buf);
	tpm2_wr_tpm2b(&c->out, ekey, gen_key ? ekey_len : 0);
	tpm2_wr_tpm2b(&c->out, out, n);
	tpm2_wr_tpm2b(&c->out, secret, secret_len);
	tpm2_zeroise(out, sizeof out);
	tpm2_zeroise(ekey, sizeof ekey);
	return TPM_RC_SUCCESS;
}

struct import_in {
	const uint8_t *ekey, *dup, *seed;
	uint16_t ekey_len, dup_len, seed_len;
	struct tpmt_public pub;
	struct tpmt_sym_def sym;
};

static TPM_RC import_unwrap(struct tpm2_cmd *c, const struct tpm2_object *parent,
                            const struct import_in *in, const struct tpm2b_name *name,
                            struct tpmt_sensitive *sens)
{
	uint8_t buf[TPM2_MAX_PRIVATE], seed[TPM2_MAX_DIGEST];
	size_t n, seed_len, off = 0;
	TPM_RC rc;
	(void)c;
	if (in->dup_len > sizeof buf)
		return TPM2_RC_P(TPM_RC_SIZE, 3);
	if (in->seed_len) {
		if (parent->pub.type == TPM_ALG_SYMCIPHER)   /* no secret sharing with it */
			return TPM2_RC_H(TPM_RC_TYPE, 1);
		TPM2_P(4, tpm2_keys_secret_recover(parent, "DUPLICATE", in->seed, in->seed_len, seed,
		                                   &seed_len));
		rc = tpm2_keys_outer_unwrap(parent->pub.name_alg, &parent->pub.symmetric, seed, seed_len,
		                            name, in->dup, in->dup_len, buf, &n);
		tpm2_zeroise(seed, sizeof seed);
		if (rc)
			return TPM2_RC_P(rc, 3);
	} else {
		memcpy(buf, in->dup, in->dup_len);
		n = in->dup_len;
	}
	if (in->sym.alg != TPM_ALG_NULL) {
		rc = inner_unwrap(in->pub.name_alg, name, in->ekey, in->ekey_len, buf, n, &off);
		if (rc) {
			tpm2_zeroise(buf, sizeof buf);
			return TPM2_RC_P(rc, 3);
		}
	}
	rc = tpm2_keys_parse_sensitive2b(buf + off, n - off, sens);
	tpm2_zeroise(buf, sizeof buf);
	return rc ? TPM2_RC_P(rc, 3) : TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_Import(struct tpm2_cmd *c)
{
	const struct tpm2_object *parent = tpm2_object_find(c->t, c->handles[0]);
	struct import_in in;
	struct tpm2_object o;
	uint8_t priv[TPM2_MAX_PRIVATE];
	size_t n;
	TPM_RC rc;
	if (!parent || !tpm2_keys_is_storage(parent))
		return TPM2_RC_H(TPM_RC_TYPE, 1);
	TPM2_P(1, tpm2_rd_tpm2b(&c->in, &in.ekey, &in.ekey_len, TPM2_MAX_DATA));
	TPM2_P(2, tpm2_rd_public_sized(&c->in, &in.pub, false));
	TPM2_P(3, tpm2_rd_tpm2b(&c->in, &in.dup, &in.dup_len, TPM2_MAX_PRIVATE));
	TPM2_P(4, tpm2_rd_tpm2b(&c->in, &in.seed, &in.seed_len, TPM2_MAX_SECRET));
	TPM2_P(5, rd_sym_object(&c->in, &in.sym));
	TPM2_TRY(tpm2_in_done(c));
	if (in.pub.attrs & (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT))
		return TPM2_RC_P(TPM_RC_ATTRIBUTES, 2);
	if (in.sym.alg != TPM_ALG_NULL && in.ekey_len != in.sym.key_bits / 8u)
		return TPM2_RC_P(TPM_RC_SIZE, 1);
	if (in.pub.attrs & TPMA_OBJECT_ENCRYPTEDDUPLICATION) {   /* codes as libtpms */
		if (in.sym.alg == TPM_ALG_NULL)
			return TPM2_RC_P(TPM_RC_ATTRIBUTES, 1);
		if (!in.seed_len)
			return TPM2_RC_P(TPM_RC_ATTRIBUTES, 4);
	}
	rc = tpm2_keys_check_public(&in.pub, parent);
	if (rc)
		return tpm2_keys_rc(rc, 2);
	memset(&o, 0, sizeof o);
	o.pub = in.pub;
	tpm2_keys_name(&o.pub, &o.name);
	TPM2_TRY(import_unwrap(c, parent, &in, &o.name, &o.sens));
	rc = tpm2_keys_check_pair(&o.pub, &o.sens);
	if (!rc) {
		n = tpm2_keys_wrap(c->t, parent, &o.sens, &o.name, priv, sizeof priv);
		if (!n)
			rc = TPM_RC_FAILURE;
		else
			tpm2_wr_tpm2b(&c->out, priv, n);
	}
	tpm2_zeroise(&o, sizeof o);
	tpm2_zeroise(priv, sizeof priv);
	if (rc == TPM_RC_BINDING)
		return rc;      /* unnumbered, as the reference (ObjectLoad's blame is not added) */
	return rc ? TPM2_RC_P(rc, 2) : TPM_RC_SUCCESS;
}
