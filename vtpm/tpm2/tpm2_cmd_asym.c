/*
 * Asymmetric (and keyed-hash signing) commands: Sign, VerifySignature, RSA_Encrypt,
 * RSA_Decrypt, ECDH_KeyGen, ECDH_ZGen, ECC_Parameters (TPM 2.0 Part 3, 14 and 20).
 */
#include "tpm2_keys.h"

static struct tpm2_object *key_at(struct tpm2_cmd *c)
{
	return tpm2_object_find(c->t, c->handles[0]);
}

static const br_prng_class **rng(struct tpm2_cmd *c) { return tc_rng_prng(&c->t->drbg.r); }

/* The scheme to use: the key's if it has one (the caller's must then be NULL or the same),
 * else the caller's.  TPM_RC_SCHEME for a conflict. */
static TPM_RC pick_scheme(const struct tpmt_scheme *key, const struct tpmt_scheme *in,
                          struct tpmt_scheme *out)
{
	if (key->alg == TPM_ALG_NULL) {
		*out = *in;
		return TPM_RC_SUCCESS;
	}
	if (in->alg != TPM_ALG_NULL && (in->alg != key->alg || in->hash != key->hash))
		return TPM_RC_SCHEME;
	*out = in->alg != TPM_ALG_NULL ? *in : *key;   /* the caller's carries ECDAA's count */
	return TPM_RC_SUCCESS;
}

static bool scheme_fits_key(uint16_t type, uint16_t scheme)
{
	switch (type) {
	case TPM_ALG_RSA: return scheme == TPM_ALG_RSASSA || scheme == TPM_ALG_RSAPSS;
	case TPM_ALG_ECC: return scheme == TPM_ALG_ECDSA || scheme == TPM_ALG_ECDAA;
	case TPM_ALG_KEYEDHASH: return scheme == TPM_ALG_HMAC;
	}
	return false;
}

/* ------------------------------------------------------------------ Sign */

TPM_RC tpm2_sign_digest(struct tpm2 *t, const struct tpm2_object *o,
                         const struct tpmt_scheme *s, const uint8_t *d, size_t dlen,
                         struct tpmt_signature *sig)
{
	TPM_RC rc = TPM_RC_SUCCESS;
	memset(sig, 0, sizeof *sig);
	sig->alg = s->alg;
	sig->hash = s->hash;
	if (o->pub.type == TPM_ALG_RSA) {
		tc_rsa_pub pk;
		tc_rsa_priv sk;
		size_t n = 0;
		rc = tpm2_keys_rsa(o, &pk, &sk);
		if (!rc && tc_rsa_sign(&sk, s->alg, s->hash, d, dlen, tc_rng_prng(&t->drbg.r),
		                       sig->u.rsa.buf, sizeof sig->u.rsa.buf, &n) != TC_OK)
			rc = TPM_RC_KEY;
		sig->u.rsa.size = (uint16_t)n;
		tc_zeroize(&sk, sizeof sk);
	} else if (o->pub.type == TPM_ALG_ECC && s->alg == TPM_ALG_ECDAA) {
		rc = tpm2_ecdaa_sign(t, o, s, d, dlen, sig);
	} else if (o->pub.type == TPM_ALG_ECC) {
		tc_ecc_priv sk;
		size_t n = tc_ecc_size(o->pub.curve);
		rc = tpm2_keys_ecc(o, NULL, &sk);
		if (!rc && tc_ecdsa_sign(&sk, s->hash, d, dlen, tc_rng_prng(&t->drbg.r),
		                         sig->u.ecc.r, sig->u.ecc.s) != TC_OK)
			rc = TPM_RC_KEY;
		sig->u.ecc.r_size = sig->u.ecc.s_size = (uint16_t)n;
		tc_zeroize(&sk, sizeof sk);
	} else {
		/* keyed-hash: HMAC(key, digest), the reference's CryptHmacSign */
		tpm2_hmac_buf(s->hash, o->sens.sensitive.buf, o->sens.sensitive.size, d, dlen,
		              sig->u.hmac);
	}
	return rc;
}

TPM_RC tpm2_cc_Sign(struct tpm2_cmd *c)
{
	struct tpm2_object *o = key_at(c);
	struct tpm2b_digest d;
	struct tpmt_scheme in, s;
	struct tpmt_tk tk;
	struct tpmt_signature sig;
	TPM_RC rc;
	if (!o)
		return TPM2_RC_H(TPM_RC_KEY, 1);
	TPM2_P(1, tpm2_rd_digest(&c->in, &d));
	TPM2_P(2, tpm2_rd_sig_scheme(&c->in, &in, true));
	TPM2_P(3, tpm2_rd_ticket(&c->in, &tk));
	TPM2_TRY(tpm2_in_done(c));
	if (!(o->pub.attrs & TPMA_OBJECT_SIGN_ENCRYPT) || (o->flags & TPM2_OBJ_PUBLIC_ONLY))
		return TPM2_RC_H(TPM_RC_KEY, 1);
	TPM2_P(2, pick_scheme(&o->pub.scheme, &in, &s));
	if (!scheme_fits_key(o->pub.type, s.alg))
		return TPM2_RC_P(TPM_RC_SCHEME, 2);
	if (d.size != tpm2_hash_size(s.hash))
		return TPM2_RC_P(TPM_RC_SIZE, 1);
	if (tk.tag != TPM_ST_HASHCHECK)
		return TPM2_RC_P(TPM_RC_TAG, 3);
	if ((o->pub.attrs & TPMA_OBJECT_RESTRICTED) && !tpm2_keys_hashcheck_ok(c->t, &tk, d.buf, d.size))
		return TPM2_RC_P(TPM_RC_TICKET, 3);
	rc = tpm2_sign_digest(c->t, o, &s, d.buf, d.size, &sig);
	if (rc == TPM_RC_VALUE)
		return rc;          /* ECDAA without a usable commitment: unnumbered, as libtpms */
	TPM2_H(1, rc);
	tpm2_wr_signature(&c->out, &sig);
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ VerifySignature */

static bool verify(const struct tpm2_object *o, const struct tpm2b_digest *d,
                   const struct tpmt_signature *sig)
{
	if (!scheme_fits_key(o->pub.type, sig->alg))
		return false;
	if (o->pub.type == TPM_ALG_RSA) {
		tc_rsa_pub pk;
		return !tpm2_keys_rsa(o, &pk, NULL) &&
		       tc_rsa_verify(&pk, sig->alg, sig->hash, d->buf, d->size, sig->u.rsa.buf,
		                     sig->u.rsa.size) == TC_OK;
	}
	if (o->pub.type == TPM_ALG_ECC) {
		tc_ecc_point q;
		return !tpm2_keys_ecc(o, &q, NULL) &&
		       tc_ecdsa_verify(&q, d->buf, d->size, sig->u.ecc.r, sig->u.ecc.r_size,
		                       sig->u.ecc.s, sig->u.ecc.s_size) == TC_OK;
	}
	{
		uint8_t mac[TPM2_MAX_DIGEST];
		size_t n;
		if (o->flags & TPM2_OBJ_PUBLIC_ONLY)
			return false;
		n = tpm2_hmac_buf(sig->hash, o->sens.sensitive.buf, o->sens.sensitive.size, d->buf,
		                  d->size, mac);
		return n && tpm2_ct_equal(mac, sig->u.hmac, n);
	}
}

TPM_RC tpm2_cc_VerifySignature(struct tpm2_cmd *c)
{
	struct tpm2_object *o = key_at(c);
	struct tpm2b_digest d;
	struct tpmt_signature sig;
	struct tpmt_tk tk;
	if (!o)
		return TPM2_RC_H(TPM_RC_KEY, 1);
	TPM2_P(1, tpm2_rd_digest(&c->in, &d));
	TPM2_P(2, tpm2_rd_signature(&c->in, &sig));
	TPM2_TRY(tpm2_in_done(c));
	if (!(o->pub.attrs & TPMA_OBJECT_SIGN_ENCRYPT))
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 1);
	/* an ECDAA signature is checked by the DAA verifier, not the TPM (SCHEME, as libtpms) */
	if (!scheme_fits_key(o->pub.type, sig.alg) || sig.alg == TPM_ALG_ECDAA)
		return TPM2_RC_P(TPM_RC_SCHEME, 2);
	if (!verify(o, &d, &sig))
		return TPM2_RC_P(TPM_RC_SIGNATURE, 2);
	tpm2_keys_verified_ticket(c->t, o->hierarchy, d.buf, d.size, &o->name, &tk);
	tpm2_wr_ticket(&c->out, &tk);
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ RSA_Encrypt / RSA_Decrypt */

/* TPMT_RSA_DECRYPT+: NULL, RSAES, or OAEP with a hash. */
static TPM_RC rd_rsa_decrypt_scheme(struct tpm2_rd *r, struct tpmt_scheme *s)
{
	memset(s, 0, sizeof *s);
	TPM2_TRY(tpm2_rd_u16(r, &s->alg));
	if (s->alg == TPM_ALG_NULL || s->alg == TPM_ALG_RSAES)
		return TPM_RC_SUCCESS;
	if (s->alg != TPM_ALG_OAEP)
		return TPM_RC_VALUE;
	return tpm2_rd_alg_hash(r, &s->hash, false);
}

struct rsa_io {
	const uint8_t *data;
	uint16_t len;
	struct tpmt_scheme scheme;
	const uint8_t *label;
	uint16_t label_len;
};

static TPM_RC rsa_prepare(struct tpm2_cmd *c, const struct tpm2_object *o, struct rsa_io *io,
                          bool decrypt)
{
	struct tpmt_scheme in;
	TPM2_P(1, tpm2_rd_tpm2b(&c->in, &io->data, &io->len, TPM2_MAX_RSA_BYTES));
	TPM2_P(2, rd_rsa_decrypt_scheme(&c->in, &in));
	TPM2_P(3, tpm2_rd_tpm2b(&c->in, &io->label, &io->label_len, TPM2_MAX_DATA));
	TPM2_TRY(tpm2_in_done(c));
	if (o->pub.type != TPM_ALG_RSA)
		return TPM2_RC_H(TPM_RC_KEY, 1);
	if (!(o->pub.attrs & TPMA_OBJECT_DECRYPT))
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 1);
	if (decrypt && (o->pub.attrs & TPMA_OBJECT_RESTRICTED))
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 1);
	if (io->label_len && io->label[io->label_len - 1] != 0)
		return TPM2_RC_P(TPM_RC_VALUE, 3);
	if (o->pub.scheme.alg == TPM_ALG_OAEP || o->pub.scheme.alg == TPM_ALG_RSAES ||
	    o->pub.scheme.alg == TPM_ALG_NULL)
		TPM2_P(2, pick_scheme(&o->pub.scheme, &in, &io->scheme));
	else
		io->scheme = in;   /* a signing scheme on a sign+decrypt key: the caller's */
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_RSA_Encrypt(struct tpm2_cmd *c)
{
	struct tpm2_object *o = key_at(c);
	struct rsa_io io;
	tc_rsa_pub pk;
	uint8_t out[TPM2_MAX_RSA_BYTES];
	size_t n;
	if (!o)
		return TPM2_RC_H(TPM_RC_KEY, 1);
	TPM2_TRY(rsa_prepare(c, o, &io, false));
	TPM2_H(1, tpm2_keys_rsa(o, &pk, NULL));
	if (io.scheme.alg == TPM_ALG_NULL && io.len > pk.n_len)
		return TPM_RC_VALUE;   /* raw: longer than the modulus (unnumbered, as libtpms) */
	if (tc_rsa_encrypt(&pk, io.scheme.alg, io.scheme.hash, io.label, io.label_len, io.data,
	                   io.len, rng(c), out, sizeof out, &n) != TC_OK)
		return TPM2_RC_P(TPM_RC_VALUE, 1);
	tpm2_wr_tpm2b(&c->out, out, n);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_RSA_Decrypt(struct tpm2_cmd *c)
{
	struct tpm2_object *o = key_at(c);
	struct rsa_io io;
	tc_rsa_pub pk;
	tc_rsa_priv sk;
	uint8_t out[TPM2_MAX_RSA_BYTES];
	size_t n;
	int rc;
	if (!o)
		return TPM2_RC_H(TPM_RC_KEY, 1);
	TPM2_TRY(rsa_prepare(c, o, &io, true));
	if (o->flags & TPM2_OBJ_PUBLIC_ONLY)
		return TPM2_RC_H(TPM_RC_KEY, 1);
	TPM2_H(1, tpm2_keys_rsa(o, &pk, &sk));
	if (io.len != pk.n_len) {
		tc_zeroize(&sk, sizeof sk);
		return TPM2_RC_P(TPM_RC_SIZE, 1);
	}
	rc = tc_rsa_decrypt(&sk, io.scheme.alg, io.scheme.hash, io.label, io.label_len, io.data,
	                    io.len, out, sizeof out, &n);
	tc_zeroize(&sk, sizeof sk);
	if (rc != TC_OK)
		return TPM2_RC_P(TPM_RC_VALUE, 1);
	tpm2_wr_tpm2b(&c->out, out, n);
	tpm2_zeroise(out, sizeof out);
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ ECDH */

static void wr_point(struct tpm2_wr *w, const tc_ecc_point *p)
{
	size_t n = tc_ecc_size(p->curve), mark = tpm2_wr_size_begin(w);
	tpm2_wr_tpm2b(w, p->x, n);
	tpm2_wr_tpm2b(w, p->y, n);
	tpm2_wr_size_end(w, mark);
}

TPM_RC tpm2_cc_ECDH_KeyGen(struct tpm2_cmd *c)
{
	struct tpm2_object *o = key_at(c);
	tc_ecc_point qs, qe, z;
	tc_ecc_priv de;
	TPM2_TRY(tpm2_in_done(c));
	if (!o || o->pub.type != TPM_ALG_ECC)
		return TPM2_RC_H(TPM_RC_KEY, 1);
	TPM2_H(1, tpm2_keys_ecc(o, &qs, NULL));
	if (tc_ecc_keygen(qs.curve, rng(c), &de, &qe) != TC_OK || tc_ecdh(&de, &qs, &z) != TC_OK) {
		tc_zeroize(&de, sizeof de);
		return TPM_RC_NO_RESULT;
	}
	tc_zeroize(&de, sizeof de);
	wr_point(&c->out, &z);
	wr_point(&c->out, &qe);
	tc_zeroize(&z, sizeof z);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_ECDH_ZGen(struct tpm2_cmd *c)
{
	struct tpm2_object *o = key_at(c);
	struct tpms_ecc_point in;
	tc_ecc_point p, z;
	tc_ecc_priv d;
	int rc;
	TPM2_P(1, tpm2_rd_ecc_point(&c->in, &in));
	TPM2_TRY(tpm2_in_done(c));
	if (!o || o->pub.type != TPM_ALG_ECC || (o->flags & TPM2_OBJ_PUBLIC_ONLY))
		return TPM2_RC_H(TPM_RC_KEY, 1);
	if (!(o->pub.attrs & TPMA_OBJECT_DECRYPT) || (o->pub.attrs & TPMA_OBJECT_RESTRICTED))
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 1);
	if (tc_ecc_point_set(&p, o->pub.curve, in.x, in.x_size, in.y, in.y_size) != TC_OK)
		return TPM2_RC_P(TPM_RC_ECC_POINT, 1);
	TPM2_H(1, tpm2_keys_ecc(o, NULL, &d));
	rc = tc_ecdh(&d, &p, &z);
	tc_zeroize(&d, sizeof d);
	if (rc != TC_OK)
		return TPM2_RC_P(TPM_RC_ECC_POINT, 1);
	wr_point(&c->out, &z);
	tc_zeroize(&z, sizeof z);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_ECC_Parameters(struct tpm2_cmd *c)
{
	uint16_t curve;
	const tc_ecc_params *p;
	TPM2_P(1, tpm2_rd_u16(&c->in, &curve));
	TPM2_TRY(tpm2_in_done(c));
	p = curve == TPM_ECC_NIST_P256 || curve == TPM_ECC_NIST_P384 ? tc_ecc_get_params(curve) : NULL;
	if (!p)
		return TPM2_RC_P(TPM_RC_CURVE, 1);
	tpm2_wr_u16(&c->out, curve);
	tpm2_wr_u16(&c->out, p->key_bits);
	tpm2_wr_u16(&c->out, TPM_ALG_KDF1_SP800_56A);   /* kdf, as libtpms: with the curve's hash */
	tpm2_wr_u16(&c->out, curve == TPM_ECC_NIST_P256 ? TPM_ALG_SHA256 : TPM_ALG_SHA384);
	tpm2_wr_u16(&c->out, TPM_ALG_NULL);             /* sign */
	tpm2_wr_tpm2b(&c->out, p->p, p->size);
	tpm2_wr_tpm2b(&c->out, p->a, p->size);
	tpm2_wr_tpm2b(&c->out, p->b, p->size);
	tpm2_wr_tpm2b(&c->out, p->gx, p->size);
	tpm2_wr_tpm2b(&c->out, p->gy, p->size);
	tpm2_wr_tpm2b(&c->out, p->n, p->size);
	tpm2_wr_tpm2b(&c->out, p->h, p->h_len);
	return TPM_RC_SUCCESS;
}
