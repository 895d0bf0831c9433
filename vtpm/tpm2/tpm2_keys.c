/*
 * Objects family: template rules, key generation, primary-key derivation, Names, protection
 * of sensitive areas, outer wrappers and secret sharing (TPM 2.0 Part 1: "Object Attributes",
 * "Primary Objects", "Protected Storage", "Secret Sharing", "Credential Protection").
 *
 * Primary derivation: material = KDFa(nameAlg, primarySeed, "Primary Object Creation",
 * H(template), H(sensitive.data), 512).  The key comes from an HMAC_DRBG (SHA-256) seeded with
 * material; the seedValue (storage protection seed / obfuscation value) from
 * KDFa(nameAlg, material, "SEED", ...).  Same seed + same template + same data = same key, on
 * every platform (the vEK relies on it).  The template's unique field is part of H(template),
 * so it acts as the caller's entropy, as Part 1 intends.
 */
#include "tpm2_keys.h"

/* ------------------------------------------------------------------ small helpers */

TPM_RC tpm2_rd_sens_create(struct tpm2_rd *r, struct tpm2_sens_create *s)
{
	const uint8_t *body, *p;
	uint16_t size, n;
	struct tpm2_rd sub;
	memset(s, 0, sizeof *s);
	TPM2_TRY(tpm2_rd_tpm2b(r, &body, &size, TPM2_MAX_COMMAND_SIZE));
	tpm2_rd_init(&sub, body, size);
	TPM2_TRY(tpm2_rd_tpm2b(&sub, &p, &n, TPM2_MAX_DIGEST));
	while (n && p[n - 1] == 0)
		n--;
	memcpy(s->auth.buf, p, n);
	s->auth.size = n;
	TPM2_TRY(tpm2_rd_tpm2b(&sub, &p, &n, TPM2_MAX_SYM_DATA));
	memcpy(s->data, p, n);
	s->data_size = n;
	return tpm2_rd_left(&sub) ? TPM_RC_SIZE : TPM_RC_SUCCESS;
}

const uint8_t *tpm2_keys_seed(struct tpm2 *t, uint32_t hierarchy)
{
	switch (hierarchy) {
	case TPM_RH_ENDORSEMENT: return t->eps;
	case TPM_RH_PLATFORM: return t->pps;
	case TPM_RH_OWNER: return t->sps;
	}
	return t->null_seed;
}

const uint8_t *tpm2_keys_proof(struct tpm2 *t, uint32_t hierarchy)
{
	switch (hierarchy) {
	case TPM_RH_PLATFORM: return t->ph_proof;
	case TPM_RH_OWNER: return t->sh_proof;
	case TPM_RH_ENDORSEMENT: return t->eh_proof;
	}
	return t->null_proof;
}

void tpm2_keys_wr_public(struct tpm2_wr *w, const struct tpmt_public *pub)
{
	size_t mark = tpm2_wr_size_begin(w);
	tpm2_wr_public(w, pub);
	tpm2_wr_size_end(w, mark);
}

static size_t marshal_public(const struct tpmt_public *pub, uint8_t *buf, size_t max)
{
	struct tpm2_wr w;
	tpm2_wr_init(&w, buf, max);
	tpm2_wr_public(&w, pub);
	return w.overflow ? 0 : w.off;
}

void tpm2_keys_name(const struct tpmt_public *pub, struct tpm2b_name *name)
{
	uint8_t buf[1024];
	size_t n = marshal_public(pub, buf, sizeof buf);
	memset(name, 0, sizeof *name);
	if (!tpm2_hash_size(pub->name_alg) || !n)
		return;
	tpm2_put_u16(name->buf, pub->name_alg);
	name->size = (uint16_t)(2 + tpm2_hash_buf(pub->name_alg, buf, n, name->buf + 2));
}

void tpm2_keys_qname(uint16_t name_alg, const struct tpm2b_name *parent_qn, uint32_t hierarchy,
                     const struct tpm2b_name *name, struct tpm2b_name *qn)
{
	struct tpm2_hash h;
	uint8_t hh[4];
	memset(qn, 0, sizeof *qn);
	if (!tpm2_hash_init(&h, name_alg))
		return;
	if (parent_qn) {
		tpm2_hash_update(&h, parent_qn->buf, parent_qn->size);
	} else {
		tpm2_put_u32(hh, hierarchy);
		tpm2_hash_update(&h, hh, 4);
	}
	tpm2_hash_update(&h, name->buf, name->size);
	tpm2_put_u16(qn->buf, name_alg);
	qn->size = (uint16_t)(2 + tpm2_hash_final(&h, qn->buf + 2));
}

bool tpm2_keys_is_storage(const struct tpm2_object *o)
{
	uint32_t a = o->pub.attrs;
	return (o->pub.type == TPM_ALG_RSA || o->pub.type == TPM_ALG_ECC ||
	        o->pub.type == TPM_ALG_SYMCIPHER) &&
	       (a & TPMA_OBJECT_RESTRICTED) && (a & TPMA_OBJECT_DECRYPT) &&
	       !(a & TPMA_OBJECT_SIGN_ENCRYPT) && !(o->flags & TPM2_OBJ_PUBLIC_ONLY);
}

/* ------------------------------------------------------------------ template rules
 * The order of the checks follows the reference implementation (libtpms), so that a template
 * with several faults gets the same response code as on a real TPM:
 *   1. what the caller may supply in inSensitive (CreateChecks)       Create/CreatePrimary only
 *   2. attribute consistency (PublicAttributesValidation)
 *   3. scheme, then symmetric, then KDF (SchemeChecks)
 * A differential run against libtpms over ~700 templates and error paths found no other
 * difference than those listed in docs/objects.md. */

static bool rsa_sig_scheme(uint16_t s) { return s == TPM_ALG_RSASSA || s == TPM_ALG_RSAPSS; }
static bool rsa_dec_scheme(uint16_t s) { return s == TPM_ALG_OAEP || s == TPM_ALG_RSAES; }

static bool has(uint32_t attrs, uint32_t bit) { return (attrs & bit) != 0; }

/* RSA / ECC: scheme rules for the sign/decrypt/restricted combinations. */
static TPM_RC check_asym_scheme(const struct tpmt_public *pub)
{
	uint32_t a = pub->attrs;
	bool sign = has(a, TPMA_OBJECT_SIGN_ENCRYPT), dec = has(a, TPMA_OBJECT_DECRYPT);
	bool restricted = has(a, TPMA_OBJECT_RESTRICTED), rsa = pub->type == TPM_ALG_RSA;
	uint16_t s = pub->scheme.alg;
	if (sign && dec)
		return s == TPM_ALG_NULL ? TPM_RC_SUCCESS : TPM_RC_SCHEME;
	if (sign) {
		if (s == TPM_ALG_NULL)
			return restricted ? TPM_RC_SCHEME : TPM_RC_SUCCESS;
		return (rsa ? rsa_sig_scheme(s) : s == TPM_ALG_ECDSA || s == TPM_ALG_ECDAA)
		       ? TPM_RC_SUCCESS : TPM_RC_SCHEME;
	}
	if (s == TPM_ALG_NULL)
		return TPM_RC_SUCCESS;
	if (restricted)
		return TPM_RC_SCHEME;
	return (rsa ? rsa_dec_scheme(s) : s == TPM_ALG_ECDH) ? TPM_RC_SUCCESS : TPM_RC_SCHEME;
}

static TPM_RC check_asym(const struct tpmt_public *pub)
{
	uint32_t a = pub->attrs;
	bool storage = has(a, TPMA_OBJECT_RESTRICTED) && has(a, TPMA_OBJECT_DECRYPT);
	TPM2_TRY(check_asym_scheme(pub));
	if (storage ? pub->symmetric.alg != TPM_ALG_AES || pub->symmetric.mode != TPM_ALG_CFB
	            : pub->symmetric.alg != TPM_ALG_NULL)
		return TPM_RC_SYMMETRIC;
	if (pub->type == TPM_ALG_ECC && pub->kdf.alg != TPM_ALG_NULL)
		return TPM_RC_KDF;
	if (pub->type == TPM_ALG_RSA && pub->exponent != 0 &&
	    (pub->exponent < 65537u || !(pub->exponent & 1)))
		return TPM2_KEYS_RAW | TPM_RC_RANGE;   /* unnumbered, as libtpms */
	return TPM_RC_SUCCESS;
}

/* sign only: HMAC; decrypt only (derivation parent): XOR; both or neither: no scheme. */
static TPM_RC check_keyedhash(const struct tpmt_public *pub)
{
	bool sign = has(pub->attrs, TPMA_OBJECT_SIGN_ENCRYPT), dec = has(pub->attrs, TPMA_OBJECT_DECRYPT);
	uint16_t want = sign == dec ? TPM_ALG_NULL : sign ? TPM_ALG_HMAC : TPM_ALG_XOR;
	return pub->scheme.alg == want ? TPM_RC_SUCCESS : TPM_RC_SCHEME;
}

/* A restricted decrypt SYMCIPHER is a symmetric storage parent: its seedValue protects its
 * children exactly as an asymmetric parent's does (AES-CFB with its key size), but it cannot
 * receive a shared secret (Import/MakeCredential/salting need an asymmetric key).  A decrypt
 * key's mode must be a block-cipher mode (or NULL), as the reference's SchemeChecks. */
static TPM_RC check_symcipher(const struct tpmt_public *pub)
{
	if (pub->symmetric.alg != TPM_ALG_AES)
		return TPM_RC_SYMMETRIC;
	if (has(pub->attrs, TPMA_OBJECT_DECRYPT)) {
		switch (pub->symmetric.mode) {
		case TPM_ALG_CTR: case TPM_ALG_OFB: case TPM_ALG_CBC: case TPM_ALG_CFB:
		case TPM_ALG_ECB: case TPM_ALG_NULL:
			break;
		default:
			return TPM_RC_SCHEME;
		}
	}
	return TPM_RC_SUCCESS;
}

static TPM_RC check_attributes(const struct tpmt_public *pub, const struct tpm2_object *parent)
{
	uint32_t a = pub->attrs;
	bool fixed_tpm = has(a, TPMA_OBJECT_FIXEDTPM), fixed_parent = has(a, TPMA_OBJECT_FIXEDPARENT);
	bool sign = has(a, TPMA_OBJECT_SIGN_ENCRYPT), dec = has(a, TPMA_OBJECT_DECRYPT);
	bool enc_dup = has(a, TPMA_OBJECT_ENCRYPTEDDUPLICATION);
	/* Under a fixedTPM parent (or a hierarchy) fixedParent and fixedTPM go together. */
	if (!parent || has(parent->pub.attrs, TPMA_OBJECT_FIXEDTPM)) {
		if (fixed_parent != fixed_tpm)
			return TPM_RC_ATTRIBUTES;
	} else if (fixed_tpm) {
		return TPM_RC_ATTRIBUTES;
	}
	if (parent && tpm2_keys_is_derivation_parent(parent) && !fixed_parent)
		return TPM_RC_ATTRIBUTES;   /* a derived object cannot move */
	if (sign == dec) {
		if (has(a, TPMA_OBJECT_RESTRICTED))
			return TPM_RC_ATTRIBUTES;
		if (!sign && pub->type != TPM_ALG_KEYEDHASH)
			return TPM_RC_ATTRIBUTES;
	}
	if (fixed_tpm && enc_dup)
		return TPM_RC_ATTRIBUTES;
	if (parent && has(parent->pub.attrs, TPMA_OBJECT_ENCRYPTEDDUPLICATION) && !fixed_tpm &&
	    !enc_dup)
		return TPM_RC_ATTRIBUTES;
	if (pub->auth_policy.size && pub->auth_policy.size != tpm2_hash_size(pub->name_alg))
		return TPM_RC_SIZE;
	return TPM_RC_SUCCESS;
}

/* A storage key that cannot leave its parent (fixedParent) protects its children with the
 * same algorithms as its parent: same nameAlg (TPM_RC_HASH) and symmetric definition
 * (TPM_RC_SYMMETRIC), the reference's SchemeChecks.  Keyed-hash (derivation) parents have no
 * symmetric definition and are not constrained. */
static TPM_RC check_storage_child(const struct tpmt_public *pub, const struct tpm2_object *parent)
{
	const struct tpmt_sym_def *a = &pub->symmetric, *b;
	if (!parent || pub->type == TPM_ALG_KEYEDHASH || !has(pub->attrs, TPMA_OBJECT_RESTRICTED) ||
	    !has(pub->attrs, TPMA_OBJECT_DECRYPT) || !has(pub->attrs, TPMA_OBJECT_FIXEDPARENT))
		return TPM_RC_SUCCESS;
	b = &parent->pub.symmetric;
	if (pub->name_alg != parent->pub.name_alg)
		return TPM_RC_HASH;
	if (a->alg != b->alg || a->key_bits != b->key_bits || a->mode != b->mode)
		return TPM_RC_SYMMETRIC;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_keys_check_public(const struct tpmt_public *pub, const struct tpm2_object *parent)
{
	TPM_RC rc = TPM_RC_TYPE;
	/* AES-192 is not implemented: libtpms refuses it while unmarshalling (TPM_RC_VALUE). */
	if ((pub->type == TPM_ALG_SYMCIPHER || pub->symmetric.alg == TPM_ALG_AES) &&
	    pub->symmetric.key_bits == 192)
		return TPM_RC_VALUE;
	TPM2_TRY(check_attributes(pub, parent));
	switch (pub->type) {
	case TPM_ALG_RSA:
	case TPM_ALG_ECC:
		rc = check_asym(pub);
		break;
	case TPM_ALG_KEYEDHASH:
		rc = check_keyedhash(pub);
		break;
	case TPM_ALG_SYMCIPHER:
		rc = check_symcipher(pub);
		break;
	}
	return rc ? rc : check_storage_child(pub, parent);
}

/* What the caller may supply in inSensitive (libtpms CreateChecks).  For a primary object
 * (parent NULL) data given with sensitiveDataOrigin SET is extra input to the derivation. */
static TPM_RC check_create(const struct tpmt_public *pub, const struct tpm2_object *parent,
                           const struct tpm2_sens_create *sc)
{
	uint32_t a = pub->attrs;
	bool origin = has(a, TPMA_OBJECT_SENSITIVEDATAORIGIN);
	if (parent && tpm2_keys_is_derivation_parent(parent)) {
		/* derived: everything comes from the parent (codes unnumbered, as libtpms) */
		return origin ? TPM2_KEYS_RAW | TPM_RC_ATTRIBUTES : TPM_RC_SUCCESS;
	}
	if (!origin && sc->data_size == 0)
		return TPM_RC_ATTRIBUTES;
	if (parent && origin && sc->data_size)
		return TPM_RC_ATTRIBUTES;
	switch (pub->type) {
	case TPM_ALG_KEYEDHASH:
		if (!has(a, TPMA_OBJECT_SIGN_ENCRYPT) && !has(a, TPMA_OBJECT_DECRYPT) && origin)
			return TPM_RC_ATTRIBUTES;
		/* fall through */
	case TPM_ALG_SYMCIPHER:
		if (has(a, TPMA_OBJECT_RESTRICTED) && !origin &&
		    (has(a, TPMA_OBJECT_FIXEDPARENT) || has(a, TPMA_OBJECT_FIXEDTPM)))
			return TPM_RC_ATTRIBUTES;
		return TPM_RC_SUCCESS;
	}
	return origin ? TPM_RC_SUCCESS : TPM_RC_ATTRIBUTES;
}

TPM_RC tpm2_keys_check_template(const struct tpmt_public *pub, const struct tpm2_object *parent,
                                const struct tpm2_sens_create *sc, TPM_RC *sens_rc)
{
	bool origin = has(pub->attrs, TPMA_OBJECT_SENSITIVEDATAORIGIN);
	*sens_rc = TPM_RC_SUCCESS;
	if (sc->auth.size > tpm2_hash_size(pub->name_alg)) {
		*sens_rc = TPM_RC_SIZE;
		return TPM_RC_SUCCESS;
	}
	if ((pub->type == TPM_ALG_SYMCIPHER || pub->symmetric.alg == TPM_ALG_AES) &&
	    pub->symmetric.key_bits == 192)
		return TPM_RC_VALUE;
	TPM2_TRY(check_create(pub, parent, sc));
	TPM2_TRY(tpm2_keys_check_public(pub, parent));
	if (parent && tpm2_keys_is_derivation_parent(parent) && sc->data_size)
		return TPM2_KEYS_RAW | TPM_RC_SIZE;   /* derived: no caller data (as libtpms) */
	/* a supplied symmetric key must have the key size (unnumbered, as libtpms) */
	if (pub->type == TPM_ALG_SYMCIPHER && !origin && sc->data_size != pub->symmetric.key_bits / 8 &&
	    !(parent && tpm2_keys_is_derivation_parent(parent)))
		return TPM2_KEYS_RAW | TPM_RC_KEY_SIZE;
	return TPM_RC_SUCCESS;
}


/* ------------------------------------------------------------------ key generation */

static size_t sym_key_bytes(const struct tpmt_public *pub)
{
	return pub->symmetric.key_bits / 8u;
}

static uint16_t keyedhash_alg(const struct tpmt_public *pub)
{
	return pub->scheme.alg == TPM_ALG_HMAC ? pub->scheme.hash : pub->name_alg;
}

static TPM_RC gen_rsa(struct tpmt_public *pub, struct tpmt_sensitive *sens,
                      const br_prng_class **rng)
{
	tc_rsa_priv sk;
	tc_rsa_pub pk;
	int rc = tc_rsa_keygen(rng, pub->key_bits, pub->exponent, &sk, &pk);
	if (rc != TC_OK) {
		tc_zeroize(&sk, sizeof sk);
		return rc == TC_ERR_VALUE || rc == TC_ERR_ALG ? TPM_RC_VALUE : TPM_RC_NO_RESULT;
	}
	memcpy(pub->unique.rsa.buf, pk.n, pk.n_len);
	pub->unique.rsa.size = (uint16_t)pk.n_len;
	sens->sensitive.size = (uint16_t)tc_rsa_priv_prime(&sk, sens->sensitive.buf,
	                                                    sizeof sens->sensitive.buf);
	tc_zeroize(&sk, sizeof sk);
	return TPM_RC_SUCCESS;
}

static TPM_RC gen_ecc(struct tpmt_public *pub, struct tpmt_sensitive *sens,
                      const br_prng_class **rng)
{
	tc_ecc_priv sk;
	tc_ecc_point q;
	size_t n = tc_ecc_size(pub->curve);
	if (!n || tc_ecc_keygen(pub->curve, rng, &sk, &q) != TC_OK)
		return TPM_RC_CURVE;
	memcpy(pub->unique.ecc.x, q.x, n);
	memcpy(pub->unique.ecc.y, q.y, n);
	pub->unique.ecc.x_size = pub->unique.ecc.y_size = (uint16_t)n;
	memcpy(sens->sensitive.buf, sk.d, n);
	sens->sensitive.size = (uint16_t)n;
	tc_zeroize(&sk, sizeof sk);
	return TPM_RC_SUCCESS;
}

/* KEYEDHASH / SYMCIPHER: unique = H_nameAlg(seedValue || sensitive). */
static void sym_unique(struct tpmt_public *pub, const struct tpmt_sensitive *sens)
{
	struct tpm2_hash h;
	tpm2_hash_init(&h, pub->name_alg);
	tpm2_hash_update(&h, sens->seed.buf, sens->seed.size);
	tpm2_hash_update(&h, sens->sensitive.buf, sens->sensitive.size);
	pub->unique.sym.size = (uint16_t)tpm2_hash_final(&h, pub->unique.sym.buf);
}

static bool needs_seed(const struct tpmt_public *pub)
{
	if (pub->type == TPM_ALG_KEYEDHASH || pub->type == TPM_ALG_SYMCIPHER)
		return true;
	return (pub->attrs & TPMA_OBJECT_RESTRICTED) && (pub->attrs & TPMA_OBJECT_DECRYPT);
}

/* Key material from rng; the seedValue is filled by the caller (before, for sym types). */
static TPM_RC gen_key(struct tpmt_public *pub, struct tpmt_sensitive *sens,
                      const struct tpm2_sens_create *sc, const br_prng_class **rng)
{
	size_t n;
	switch (pub->type) {
	case TPM_ALG_RSA:
		return gen_rsa(pub, sens, rng);
	case TPM_ALG_ECC:
		return gen_ecc(pub, sens, rng);
	case TPM_ALG_KEYEDHASH:
	case TPM_ALG_SYMCIPHER:
		/* the caller's key / data; a derived object (no data) gets generated bits */
		if (!(pub->attrs & TPMA_OBJECT_SENSITIVEDATAORIGIN) && sc->data_size) {
			memcpy(sens->sensitive.buf, sc->data, sc->data_size);
			sens->sensitive.size = sc->data_size;
		} else {
			n = pub->type == TPM_ALG_SYMCIPHER ? sym_key_bytes(pub)
			                                   : tpm2_hash_size(keyedhash_alg(pub));
			(*rng)->generate(rng, sens->sensitive.buf, n);
			sens->sensitive.size = (uint16_t)n;
		}
		sym_unique(pub, sens);
		return TPM_RC_SUCCESS;
	}
	return TPM_RC_TYPE;
}

static void sens_init(struct tpmt_sensitive *sens, const struct tpmt_public *pub,
                      const struct tpm2_sens_create *sc)
{
	memset(sens, 0, sizeof *sens);
	sens->type = pub->type;
	sens->auth = sc->auth;
}

TPM_RC tpm2_keys_generate(struct tpm2 *t, struct tpmt_public *pub, struct tpmt_sensitive *sens,
                          const struct tpm2_sens_create *sc, const br_prng_class **rng)
{
	(void)t;
	sens_init(sens, pub, sc);
	if (needs_seed(pub)) {
		sens->seed.size = (uint16_t)tpm2_hash_size(pub->name_alg);
		(*rng)->generate(rng, sens->seed.buf, sens->seed.size);
	}
	return gen_key(pub, sens, sc, rng);
}

/* Key + seedValue from 64 bytes of derivation material (primary and derived objects). */
static TPM_RC derive_from(const uint8_t material[64], struct tpmt_public *pub,
                          struct tpmt_sensitive *sens, const struct tpm2_sens_create *sc)
{
	size_t hs = tpm2_hash_size(pub->name_alg);
	tc_drbg d;
	TPM_RC rc;
	sens_init(sens, pub, sc);
	if (needs_seed(pub)) {
		sens->seed.size = (uint16_t)hs;
		tpm2_kdfa(pub->name_alg, material, 64, "SEED", NULL, 0, NULL, 0, (uint32_t)(hs * 8),
		          sens->seed.buf);
	}
	tc_drbg_init(&d, TC_ALG_SHA256, material, 64, NULL, 0);
	rc = gen_key(pub, sens, sc, tc_drbg_prng(&d));
	tc_zeroize(&d, sizeof d);
	return rc;
}

TPM_RC tpm2_keys_derive_primary(struct tpm2 *t, uint32_t hierarchy, struct tpmt_public *pub,
                                struct tpmt_sensitive *sens, const struct tpm2_sens_create *sc)
{
	uint8_t tmpl[1024], th[TPM2_MAX_DIGEST], dh[TPM2_MAX_DIGEST], material[64];
	size_t n = marshal_public(pub, tmpl, sizeof tmpl), hs = tpm2_hash_size(pub->name_alg);
	TPM_RC rc;
	if (!n || !hs)
		return TPM_RC_HASH;
	tpm2_hash_buf(pub->name_alg, tmpl, n, th);
	tpm2_hash_buf(pub->name_alg, sc->data, sc->data_size, dh);
	tpm2_kdfa(pub->name_alg, tpm2_keys_seed(t, hierarchy), TPM2_SEED_SIZE,
	          "Primary Object Creation", th, hs, dh, hs, 512, material);
	rc = derive_from(material, pub, sens, sc);
	tc_zeroize(material, sizeof material);
	return rc;
}

bool tpm2_keys_is_derivation_parent(const struct tpm2_object *o)
{
	uint32_t a = o->pub.attrs;
	return o->pub.type == TPM_ALG_KEYEDHASH && (a & TPMA_OBJECT_RESTRICTED) &&
	       (a & TPMA_OBJECT_DECRYPT) && !(a & TPMA_OBJECT_SIGN_ENCRYPT) &&
	       !(o->flags & TPM2_OBJ_PUBLIC_ONLY);
}

/* Derived object (Part 1 "Derived objects"; ECC, keyed-hash, symmetric): the template's unique
 * is TPMS_DERIVE, i.e. label and context, parsed into unique.ecc x and y.  material =
 * KDFa(parent's XOR hash, parent's key bits, label, context, 512); the key then comes from it as
 * for a primary, so the same parent + label + context + template give the same key. */
TPM_RC tpm2_keys_derive_child(const struct tpm2_object *parent, struct tpmt_public *pub,
                              struct tpmt_sensitive *sens, const struct tpm2_sens_create *sc)
{
	uint8_t label[32], context[32], material[64];
	size_t ll = pub->unique.ecc.x_size, cl = pub->unique.ecc.y_size;
	uint16_t hash = parent->pub.scheme.hash;
	TPM_RC rc;
	if (pub->type == TPM_ALG_RSA)
		return TPM_RC_TYPE;
	if (ll > sizeof label || cl > sizeof context)
		return TPM_RC_SIZE;
	memcpy(label, pub->unique.ecc.x, ll);
	memcpy(context, pub->unique.ecc.y, cl);
	if (tc_kdfa(hash, parent->sens.sensitive.buf, parent->sens.sensitive.size, label, ll,
	            context, cl, NULL, 0, 512, material) != TC_OK)
		return TPM_RC_HASH;
	rc = derive_from(material, pub, sens, sc);
	tc_zeroize(material, sizeof material);
	return rc;
}

/* ------------------------------------------------------------------ crypto views */

TPM_RC tpm2_keys_rsa(const struct tpm2_object *o, tc_rsa_pub *pk, tc_rsa_priv *sk)
{
	const struct tpmt_public *p = &o->pub;
	if (p->type != TPM_ALG_RSA)
		return TPM_RC_KEY;
	if (tc_rsa_pub_set(pk, p->unique.rsa.buf, p->unique.rsa.size, p->exponent) != TC_OK ||
	    pk->bits != p->key_bits)
		return TPM_RC_KEY;
	if (!sk)
		return TPM_RC_SUCCESS;
	if (o->flags & TPM2_OBJ_PUBLIC_ONLY)
		return TPM_RC_KEY;
	return tc_rsa_priv_from_prime(sk, pk, o->sens.sensitive.buf, o->sens.sensitive.size) == TC_OK
	       ? TPM_RC_SUCCESS : TPM_RC_KEY;
}

TPM_RC tpm2_keys_ecc(const struct tpm2_object *o, tc_ecc_point *pub, tc_ecc_priv *sk)
{
	const struct tpmt_public *p = &o->pub;
	if (p->type != TPM_ALG_ECC)
		return TPM_RC_KEY;
	if (pub && tc_ecc_point_set(pub, p->curve, p->unique.ecc.x, p->unique.ecc.x_size,
	                            p->unique.ecc.y, p->unique.ecc.y_size) != TC_OK)
		return TPM_RC_ECC_POINT;
	if (!sk)
		return TPM_RC_SUCCESS;
	if (o->flags & TPM2_OBJ_PUBLIC_ONLY)
		return TPM_RC_KEY;
	return tc_ecc_priv_set(sk, p->curve, o->sens.sensitive.buf, o->sens.sensitive.size) == TC_OK
	       ? TPM_RC_SUCCESS : TPM_RC_KEY;
}

static TPM_RC check_pair(const struct tpmt_public *pub, const struct tpmt_sensitive *sens,
                         bool recompute_ecc_point);

TPM_RC tpm2_keys_check_pair(const struct tpmt_public *pub, const struct tpmt_sensitive *sens)
{
	return check_pair(pub, sens, true);
}

TPM_RC tpm2_keys_check_wrapped_pair(const struct tpmt_public *pub,
                                    const struct tpmt_sensitive *sens)
{
	return check_pair(pub, sens, false);
}

static TPM_RC check_pair(const struct tpmt_public *pub, const struct tpmt_sensitive *sens,
                         bool recompute_ecc_point)
{
	struct tpm2_object o;
	tc_rsa_pub pk;
	tc_rsa_priv sk;
	tc_ecc_point q, q2;
	tc_ecc_priv d;
	struct tpmt_public tmp;
	TPM_RC rc = TPM_RC_SUCCESS;
	size_t n;
	if (sens->type != pub->type)
		return TPM_RC_TYPE;
	if (sens->seed.size > tpm2_hash_size(pub->name_alg) ||
	    (needs_seed(pub) && sens->seed.size != tpm2_hash_size(pub->name_alg) &&
	     pub->type != TPM_ALG_RSA && pub->type != TPM_ALG_ECC))
		return TPM_RC_KEY_SIZE;
	if (sens->auth.size > tpm2_hash_size(pub->name_alg))
		return TPM_RC_SIZE;
	memset(&o, 0, sizeof o);
	o.pub = *pub;
	o.sens = *sens;
	switch (pub->type) {
	case TPM_ALG_RSA:
		if (sens->sensitive.size != pub->key_bits / 16)
			rc = TPM_RC_KEY_SIZE;
		else if (tpm2_keys_rsa(&o, &pk, &sk) != TPM_RC_SUCCESS)
			rc = TPM_RC_BINDING;
		tc_zeroize(&sk, sizeof sk);
		break;
	case TPM_ALG_ECC:
		n = tc_ecc_size(pub->curve);
		if (tpm2_keys_ecc(&o, &q, &d) != TPM_RC_SUCCESS)
			rc = TPM_RC_BINDING;
		else if (recompute_ecc_point && (tc_ecc_pub_from_priv(&d, &q2) ||
		         !tpm2_ct_equal(q.x, q2.x, n) || !tpm2_ct_equal(q.y, q2.y, n)))
			rc = TPM_RC_BINDING;
		tc_zeroize(&d, sizeof d);
		break;
	case TPM_ALG_SYMCIPHER:
		if (sens->sensitive.size != sym_key_bytes(pub))
			return TPM_RC_KEY_SIZE;
		/* fall through */
	case TPM_ALG_KEYEDHASH:
		tmp = *pub;
		sym_unique(&tmp, sens);
		if (tmp.unique.sym.size != pub->unique.sym.size ||
		    !tpm2_ct_equal(tmp.unique.sym.buf, pub->unique.sym.buf, tmp.unique.sym.size))
			rc = TPM_RC_BINDING;
		break;
	default:
		rc = TPM_RC_TYPE;
	}
	tpm2_zeroise(&o, sizeof o);
	return rc;
}

/* ------------------------------------------------------------------ protection */

/* Outer wrapper (Part 1, "Outer protection"): integrity TPM2B || [TPM2B_IV] || ciphertext.
 * symKey = KDFa(nameAlg, seed, "STORAGE", Name), hmacKey = KDFa(nameAlg, seed, "INTEGRITY"),
 * integrity = HMAC(hmacKey, [TPM2B_IV ||] ciphertext || Name).  Private areas under a storage
 * parent carry a random IV ("useIV" of the reference); duplication blobs and credentials use a
 * zero IV and do not store it. */
static size_t outer_wrap(uint16_t name_alg, const struct tpmt_sym_def *sym, const uint8_t *seed,
                         size_t seed_len, const struct tpm2b_name *name, const uint8_t *rand_iv,
                         const uint8_t *in, size_t in_len, uint8_t *out, size_t max)
{
	uint8_t key[32], hkey[TPM2_MAX_DIGEST], iv[16] = { 0 };
	size_t hs = tpm2_hash_size(name_alg), kb = sym->key_bits / 8u, ivl = rand_iv ? 2 + 16 : 0;
	uint8_t *body = out + 2 + hs, *enc = body + ivl;
	struct tpm2_hmac m;
	if (!hs || kb > sizeof key || !kb || 2 + hs + ivl + in_len > max)
		return 0;
	if (rand_iv) {
		tpm2_put_u16(body, 16);
		memcpy(body + 2, rand_iv, 16);
		memcpy(iv, rand_iv, 16);
	}
	memcpy(enc, in, in_len);
	tpm2_kdfa(name_alg, seed, seed_len, "STORAGE", name->buf, name->size, NULL, 0,
	          sym->key_bits, key);
	tpm2_aes_cfb(key, kb, iv, true, enc, in_len);
	tpm2_kdfa(name_alg, seed, seed_len, "INTEGRITY", NULL, 0, NULL, 0, (uint32_t)(hs * 8), hkey);
	tpm2_hmac_init(&m, name_alg, hkey, hs);
	tpm2_hmac_update(&m, body, ivl + in_len);
	tpm2_hmac_update(&m, name->buf, name->size);
	tpm2_hmac_final(&m, out + 2);
	tpm2_put_u16(out, (uint16_t)hs);
	tpm2_zeroise(key, sizeof key);
	tpm2_zeroise(hkey, sizeof hkey);
	tpm2_zeroise(&m, sizeof m);
	return 2 + hs + ivl + in_len;
}

static TPM_RC outer_unwrap(uint16_t name_alg, const struct tpmt_sym_def *sym, const uint8_t *seed,
                           size_t seed_len, const struct tpm2b_name *name, bool use_iv,
                           const uint8_t *blob, size_t blob_len, uint8_t *out, size_t *out_len)
{
	uint8_t key[32], hkey[TPM2_MAX_DIGEST], mac[TPM2_MAX_DIGEST], iv[16] = { 0 };
	size_t hs = tpm2_hash_size(name_alg), kb = sym->key_bits / 8u, n;
	const uint8_t *body;
	struct tpm2_hmac m;
	uint16_t isize;
	if (!hs || !kb || kb > sizeof key)
		return TPM_RC_SYMMETRIC;
	/* the integrity TPM2B is unmarshalled first (INSUFFICIENT / SIZE, as libtpms), then the
	 * HMAC compared (a wrong size is an INTEGRITY failure) */
	if (blob_len < 2)
		return TPM_RC_INSUFFICIENT;
	isize = tpm2_get_u16(blob);
	if (isize > TPM2_MAX_DIGEST)
		return TPM_RC_SIZE;
	if (blob_len - 2 < isize)
		return TPM_RC_INSUFFICIENT;
	if (isize != hs)
		return TPM_RC_INTEGRITY;
	body = blob + 2 + hs;
	n = blob_len - 2 - hs;
	tpm2_kdfa(name_alg, seed, seed_len, "INTEGRITY", NULL, 0, NULL, 0, (uint32_t)(hs * 8), hkey);
	tpm2_hmac_init(&m, name_alg, hkey, hs);
	tpm2_hmac_update(&m, body, n);
	tpm2_hmac_update(&m, name->buf, name->size);
	tpm2_hmac_final(&m, mac);
	tpm2_zeroise(hkey, sizeof hkey);
	tpm2_zeroise(&m, sizeof m);
	if (!tpm2_ct_equal(mac, blob + 2, hs))
		return TPM_RC_INTEGRITY;
	if (use_iv) {   /* authentic, so the IV is ours: a bad one means another format */
		if (n < 2 + 16 || tpm2_get_u16(body) != 16)
			return TPM_RC_VALUE;
		memcpy(iv, body + 2, 16);
		body += 2 + 16;
		n -= 2 + 16;
	}
	memcpy(out, body, n);
	tpm2_kdfa(name_alg, seed, seed_len, "STORAGE", name->buf, name->size, NULL, 0,
	          sym->key_bits, key);
	tpm2_aes_cfb(key, kb, iv, false, out, n);
	tpm2_zeroise(key, sizeof key);
	*out_len = n;
	return TPM_RC_SUCCESS;
}

size_t tpm2_keys_outer_wrap(uint16_t name_alg, const struct tpmt_sym_def *sym, const uint8_t *seed,
                            size_t seed_len, const struct tpm2b_name *name, const uint8_t *in,
                            size_t in_len, uint8_t *out, size_t max)
{
	return outer_wrap(name_alg, sym, seed, seed_len, name, NULL, in, in_len, out, max);
}

TPM_RC tpm2_keys_outer_unwrap(uint16_t name_alg, const struct tpmt_sym_def *sym,
                              const uint8_t *seed, size_t seed_len, const struct tpm2b_name *name,
                              const uint8_t *blob, size_t blob_len, uint8_t *out, size_t *out_len)
{
	return outer_unwrap(name_alg, sym, seed, seed_len, name, false, blob, blob_len, out, out_len);
}

size_t tpm2_keys_wrap(struct tpm2 *t, const struct tpm2_object *parent,
                      const struct tpmt_sensitive *sens, const struct tpm2b_name *name,
                      uint8_t *out, size_t max)
{
	uint8_t plain[TPM2_MAX_PRIVATE], iv[16];
	struct tpm2_wr w;
	size_t mark, n;
	tpm2_wr_init(&w, plain, sizeof plain);
	mark = tpm2_wr_size_begin(&w);
	tpm2_wr_sensitive(&w, sens);
	tpm2_wr_size_end(&w, mark);
	if (w.overflow)
		return 0;
	tpm2_random(t, iv, sizeof iv);
	n = outer_wrap(parent->pub.name_alg, &parent->pub.symmetric, parent->sens.seed.buf,
	               parent->sens.seed.size, name, iv, plain, w.off, out, max);
	tpm2_zeroise(plain, sizeof plain);
	return n;
}

/* Parses TPM2B_SENSITIVE from a decrypted buffer: the size must match exactly. */
TPM_RC tpm2_keys_parse_sensitive2b(const uint8_t *p, size_t n, struct tpmt_sensitive *sens)
{
	struct tpm2_rd r, sub;
	const uint8_t *body;
	uint16_t size;
	tpm2_rd_init(&r, p, n);
	TPM2_TRY(tpm2_rd_tpm2b(&r, &body, &size, n));
	if (tpm2_rd_left(&r))
		return TPM_RC_SIZE;
	tpm2_rd_init(&sub, body, size);
	TPM2_TRY(tpm2_rd_sensitive(&sub, sens));
	return tpm2_rd_left(&sub) ? TPM_RC_SIZE : TPM_RC_SUCCESS;
}

TPM_RC tpm2_keys_unwrap(const struct tpm2_object *parent, const uint8_t *priv, size_t len,
                        const struct tpm2b_name *name, struct tpmt_sensitive *sens)
{
	uint8_t plain[TPM2_MAX_PRIVATE];
	size_t n;
	TPM_RC rc;
	if (len > sizeof plain)
		return TPM_RC_SIZE;
	rc = outer_unwrap(parent->pub.name_alg, &parent->pub.symmetric, parent->sens.seed.buf,
	                  parent->sens.seed.size, name, true, priv, len, plain, &n);
	if (rc == TPM_RC_SUCCESS)
		rc = tpm2_keys_parse_sensitive2b(plain, n, sens);
	tpm2_zeroise(plain, sizeof plain);
	return rc;
}

/* ------------------------------------------------------------------ secret sharing */

static size_t label_len(const char *label) { return strlen(label) + 1; }

TPM_RC tpm2_keys_secret_make(struct tpm2 *t, const struct tpm2_object *key, const char *label,
                             uint8_t *seed, size_t *seed_len, uint8_t *enc, size_t *enc_len)
{
	size_t hs = tpm2_hash_size(key->pub.name_alg), n;
	if (!(key->pub.attrs & TPMA_OBJECT_DECRYPT))
		return TPM_RC_TYPE;
	*seed_len = hs;
	if (key->pub.type == TPM_ALG_RSA) {
		tc_rsa_pub pk;
		TPM2_TRY(tpm2_keys_rsa(key, &pk, NULL));
		tpm2_random(t, seed, hs);
		if (tc_rsa_encrypt(&pk, TC_ALG_OAEP, key->pub.name_alg, label, label_len(label), seed,
		                   hs, tc_rng_prng(&t->drbg.r), enc, TPM2_MAX_SECRET, enc_len) != TC_OK)
			return TPM_RC_KEY;
		return TPM_RC_SUCCESS;
	}
	if (key->pub.type == TPM_ALG_ECC) {
		tc_ecc_point qs, qe, z;
		tc_ecc_priv de;
		struct tpm2_wr w;
		TPM2_TRY(tpm2_keys_ecc(key, &qs, NULL));
		n = tc_ecc_size(qs.curve);
		if (tc_ecc_keygen(qs.curve, tc_rng_prng(&t->drbg.r), &de, &qe) != TC_OK ||
		    tc_ecdh(&de, &qs, &z) != TC_OK) {
			tc_zeroize(&de, sizeof de);
			return TPM_RC_KEY;
		}
		tc_kdfe(key->pub.name_alg, z.x, n, label, label_len(label), qe.x, n, qs.x, n,
		        (uint32_t)(hs * 8), seed);
		tc_zeroize(&de, sizeof de);
		tc_zeroize(&z, sizeof z);
		tpm2_wr_init(&w, enc, TPM2_MAX_SECRET);
		tpm2_wr_tpm2b(&w, qe.x, n);
		tpm2_wr_tpm2b(&w, qe.y, n);
		*enc_len = w.off;
		return TPM_RC_SUCCESS;
	}
	return TPM_RC_TYPE;
}

static TPM_RC recover_ecc(const struct tpm2_object *key, const char *label, const uint8_t *enc,
                          size_t enc_len, uint8_t *seed, size_t *seed_len)
{
	struct tpms_ecc_point pe;
	struct tpm2_rd r;
	tc_ecc_point qs, qe, z;
	tc_ecc_priv d;
	size_t n, hs = tpm2_hash_size(key->pub.name_alg);
	TPM_RC rc;
	tpm2_rd_init(&r, enc, enc_len);
	memset(&pe, 0, sizeof pe);
	/* TPMS_ECC_POINT: two TPM2B_ECC_PARAMETERs */
	{
		const uint8_t *p;
		uint16_t len;
		TPM2_TRY(tpm2_rd_tpm2b(&r, &p, &len, TPM2_MAX_ECC_BYTES));
		memcpy(pe.x, p, len); pe.x_size = len;
		TPM2_TRY(tpm2_rd_tpm2b(&r, &p, &len, TPM2_MAX_ECC_BYTES));
		memcpy(pe.y, p, len); pe.y_size = len;
	}
	TPM2_TRY(tpm2_keys_ecc(key, &qs, &d));
	n = tc_ecc_size(qs.curve);
	if (tc_ecc_point_set(&qe, qs.curve, pe.x, pe.x_size, pe.y, pe.y_size) != TC_OK ||
	    tc_ecdh(&d, &qe, &z) != TC_OK) {
		rc = TPM_RC_ECC_POINT;   /* checked before trailing bytes, as libtpms */
	} else if (tpm2_rd_left(&r)) {
		rc = TPM_RC_SIZE;
	} else {
		tc_kdfe(key->pub.name_alg, z.x, n, label, label_len(label), qe.x, n, qs.x, n,
		        (uint32_t)(hs * 8), seed);
		*seed_len = hs;
		rc = TPM_RC_SUCCESS;
	}
	tc_zeroize(&d, sizeof d);
	tc_zeroize(&z, sizeof z);
	return rc;
}

TPM_RC tpm2_keys_secret_recover(const struct tpm2_object *key, const char *label,
                                const uint8_t *enc, size_t enc_len, uint8_t *seed,
                                size_t *seed_len)
{
	if (!(key->pub.attrs & TPMA_OBJECT_DECRYPT) || (key->flags & TPM2_OBJ_PUBLIC_ONLY))
		return TPM_RC_TYPE;
	if (key->pub.type == TPM_ALG_RSA) {
		tc_rsa_pub pk;
		tc_rsa_priv sk;
		int rc;
		TPM2_TRY(tpm2_keys_rsa(key, &pk, &sk));
		rc = tc_rsa_decrypt(&sk, TC_ALG_OAEP, key->pub.name_alg, label, label_len(label), enc,
		                    enc_len, seed, TPM2_MAX_DIGEST, seed_len);
		tc_zeroize(&sk, sizeof sk);
		if (rc == TC_ERR_SIZE)
			return TPM_RC_SIZE;
		return rc == TC_OK ? TPM_RC_SUCCESS : TPM_RC_VALUE;
	}
	if (key->pub.type == TPM_ALG_ECC)
		return recover_ecc(key, label, enc, enc_len, seed, seed_len);
	return TPM_RC_TYPE;
}

/* ------------------------------------------------------------------ tickets */

static void ticket(struct tpm2 *t, uint16_t tag, uint32_t hierarchy, const uint8_t *a, size_t alen,
                   const struct tpm2b_name *b, struct tpmt_tk *tk)
{
	struct tpm2_hmac m;
	uint8_t tb[2];
	tk->tag = tag;
	tk->hierarchy = hierarchy;
	tk->digest.size = 0;
	tpm2_put_u16(tb, tag);
	tpm2_hmac_init(&m, TPM_ALG_SHA256, tpm2_keys_proof(t, hierarchy), TPM2_MAX_DIGEST);
	tpm2_hmac_update(&m, tb, 2);
	tpm2_hmac_update(&m, a, alen);
	if (b)
		tpm2_hmac_update(&m, b->buf, b->size);
	tk->digest.size = (uint16_t)tpm2_hmac_final(&m, tk->digest.buf);
}

void tpm2_keys_creation_ticket(struct tpm2 *t, uint32_t hierarchy, const struct tpm2b_name *name,
                               const uint8_t *creation_hash, size_t len, struct tpmt_tk *tk)
{
	/* TPM_ST_CREATION || name || creationHash */
	uint8_t buf[2 + TPM2_MAX_DIGEST + TPM2_MAX_DIGEST];
	memcpy(buf, name->buf, name->size);
	memcpy(buf + name->size, creation_hash, len);
	ticket(t, TPM_ST_CREATION, hierarchy, buf, name->size + len, NULL, tk);
}

void tpm2_keys_verified_ticket(struct tpm2 *t, uint32_t hierarchy, const uint8_t *digest,
                               size_t len, const struct tpm2b_name *key_name, struct tpmt_tk *tk)
{
	if (hierarchy == TPM_RH_NULL) {
		tk->tag = TPM_ST_VERIFIED;
		tk->hierarchy = TPM_RH_NULL;
		tk->digest.size = 0;
		return;
	}
	ticket(t, TPM_ST_VERIFIED, hierarchy, digest, len, key_name, tk);
}

bool tpm2_keys_hashcheck_ok(struct tpm2 *t, const struct tpmt_tk *tk, const uint8_t *digest,
                            size_t len)
{
	struct tpmt_tk want;
	if (tk->tag != TPM_ST_HASHCHECK || tk->hierarchy == TPM_RH_NULL)
		return false;
	ticket(t, TPM_ST_HASHCHECK, tk->hierarchy, digest, len, NULL, &want);
	return want.digest.size == tk->digest.size &&
	       tpm2_ct_equal(want.digest.buf, tk->digest.buf, want.digest.size);
}
