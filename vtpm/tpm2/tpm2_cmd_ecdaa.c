/*
 * ECDAA: TPM2_Commit, TPM2_EC_Ephemeral (Part 3, 19.2 and 19.3) and the ECDAA signature
 * (Part 1, "ECDAA"), as the reference implementation does them, over the curves the engine
 * has (NIST P-256, P-384; tpm2-tools' `-G ecc256:ecdaa` and libtpms use them too).
 *
 * A commitment is a counter value c: r = KDFa(SHA-256, commitNonce, "ECDAA Commit", Name,
 * c(u64) || retry(u8)) with 1 <= r < n, never stored.  Commit/EC_Ephemeral return the low 16
 * bits of c and mark c mod 128 in t->commit_array; an ECDAA signature with scheme count c
 * regenerates r (only for one of the last 128 commitments whose bit is still set: TPM_RC_VALUE
 * otherwise) and clears the bit, so each r signs once.  The signature is (nonceK, s) with
 * nonceK random in [1, n-1] (leading zeros dropped, as the reference), T = H_scheme(nonceK ||
 * digest), s = r + T d mod n.  commitNonce and the counter are new at every TPM Reset.
 */
#include "tpm2_keys.h"

#define COMMIT_SLOTS 128u      /* bits in t->commit_array */

static bool commit_bit(const struct tpm2 *t, uint64_t c)
{
	unsigned i = (unsigned)(c % COMMIT_SLOTS);
	return (t->commit_array[i / 8] >> (i % 8)) & 1u;
}

static void commit_set(struct tpm2 *t, uint64_t c, bool on)
{
	unsigned i = (unsigned)(c % COMMIT_SLOTS);
	if (on)
		t->commit_array[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		t->commit_array[i / 8] &= (uint8_t)~(1u << (i % 8));
}

/* The commitment's r for counter c (name NULL: EC_Ephemeral). */
static bool generate_r(struct tpm2 *t, uint16_t curve, const struct tpm2b_name *name,
                       uint64_t c, tc_ecc_priv *r)
{
	size_t n = tc_ecc_size(curve);
	uint8_t v[9], buf[TPM2_MAX_ECC_BYTES];
	bool ok = false;
	tpm2_put_u32(v, (uint32_t)(c >> 32));
	tpm2_put_u32(v + 4, (uint32_t)c);
	for (unsigned retry = 0; retry < 64 && !ok; retry++) {
		v[8] = (uint8_t)retry;
		tpm2_kdfa(TPM_ALG_SHA256, t->commit_nonce, sizeof t->commit_nonce, "ECDAA Commit",
		          name ? name->buf : NULL, name ? name->size : 0, v, sizeof v,
		          (uint32_t)n * 8, buf);
		ok = tc_ecc_priv_set(r, curve, buf, n) == TC_OK;
	}
	tpm2_zeroise(buf, sizeof buf);
	return ok;
}

/* Marks the current counter committed and returns its low 16 bits. */
static uint16_t commit(struct tpm2 *t)
{
	uint64_t c = t->commit_counter++;
	commit_set(t, c, true);
	return (uint16_t)c;
}

static void to_point(struct tpms_ecc_point *out, const tc_ecc_point *in)
{
	size_t n = tc_ecc_size(in->curve);
	memcpy(out->x, in->x, n);
	memcpy(out->y, in->y, n);
	out->x_size = out->y_size = (uint16_t)n;
}

TPM_RC tpm2_ecdaa_sign(struct tpm2 *t, const struct tpm2_object *o, const struct tpmt_scheme *s,
                       const uint8_t *d, size_t dlen, struct tpmt_signature *sig)
{
	uint16_t curve = o->pub.curve;
	size_t n = tc_ecc_size(curve), klen = n;
	uint16_t back = (uint16_t)((uint16_t)t->commit_counter - s->count);
	uint64_t c = t->commit_counter - back;
	tc_ecc_priv sk, r, nonce;
	uint8_t tdig[TPM2_MAX_DIGEST];
	const uint8_t *k;
	struct tpm2_hash h;
	size_t tlen;
	TPM_RC rc = TPM_RC_SUCCESS;
	/* one of the last 128 commitments (the reference's counter window), not yet used */
	if (back == 0 || back > COMMIT_SLOTS || c >= t->commit_counter || !commit_bit(t, c))
		return TPM_RC_VALUE;
	TPM2_TRY(tpm2_keys_ecc(o, NULL, &sk));
	if (!generate_r(t, curve, &o->name, c, &r)) {
		tpm2_zeroise(&sk, sizeof sk);
		return TPM_RC_VALUE;
	}
	do {
		if (tc_ecc_keygen(curve, tc_rng_prng(&t->drbg.r), &nonce, NULL) != TC_OK) {
			rc = TPM_RC_NO_RESULT;
			break;
		}
		k = nonce.d;
		klen = n;
		while (klen > 1 && !*k) {       /* nonceK as a minimal big-endian number */
			k++;
			klen--;
		}
		tpm2_hash_init(&h, s->hash);
		tpm2_hash_update(&h, k, klen);
		tpm2_hash_update(&h, d, dlen);
		tlen = tpm2_hash_final(&h, tdig);
	} while (tc_ecc_schnorr_s(&sk, r.d, n, tdig, tlen, sig->u.ecc.s) != TC_OK);
	if (!rc) {
		memcpy(sig->u.ecc.r, k, klen);
		sig->u.ecc.r_size = (uint16_t)klen;
		sig->u.ecc.s_size = (uint16_t)n;
		commit_set(t, c, false);         /* each commitment signs once */
	}
	tpm2_zeroise(&sk, sizeof sk);
	tpm2_zeroise(&r, sizeof r);
	tpm2_zeroise(&nonce, sizeof nonce);
	return rc;
}

/* ------------------------------------------------------------------ commands */

struct commit_in {
	struct tpms_ecc_point p1;
	const uint8_t *s2, *y2;
	uint16_t s2_len, y2_len;
};

/* P2 = (H_nameAlg(s2) mod p, y2): TPM_RC_ECC_POINT+P2 if it is not on the curve. */
static TPM_RC make_p2(const struct tpm2_object *o, const struct commit_in *in, tc_ecc_point *p2)
{
	uint8_t hx[TPM2_MAX_DIGEST], x[TPM2_MAX_ECC_BYTES];
	size_t hl = tpm2_hash_buf(o->pub.name_alg, in->s2, in->s2_len, hx);
	if (!hl)
		return TPM2_RC_H(TPM_RC_HASH, 1);
	tc_ecc_mod_p(o->pub.curve, hx, hl, x);
	if (tc_ecc_point_set(p2, o->pub.curve, x, tc_ecc_size(o->pub.curve), in->y2,
	                     in->y2_len) != TC_OK)
		return TPM2_RC_P(TPM_RC_ECC_POINT, 2);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_Commit(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	const struct tpm2_object *o = tpm2_object_find(t, c->handles[0]);
	struct commit_in in;
	struct tpms_ecc_point K, L, E;
	tc_ecc_point p1, p2, out;
	tc_ecc_priv sk, r;
	bool have_p1, have_p2;
	TPM_RC rc = TPM_RC_SUCCESS;
	memset(&in, 0, sizeof in);
	TPM2_P(1, tpm2_rd_ecc_point(&c->in, &in.p1));
	TPM2_P(2, tpm2_rd_tpm2b(&c->in, &in.s2, &in.s2_len, TPM2_MAX_SYM_DATA));
	TPM2_P(3, tpm2_rd_tpm2b(&c->in, &in.y2, &in.y2_len, TPM2_MAX_ECC_BYTES));
	TPM2_TRY(tpm2_in_done(c));
	if (!o || o->pub.type != TPM_ALG_ECC)
		return TPM2_RC_H(TPM_RC_KEY, 1);
	if (o->pub.scheme.alg != TPM_ALG_ECDAA)          /* only anonymous-scheme keys */
		return TPM2_RC_H(TPM_RC_SCHEME, 1);
	have_p2 = in.s2_len != 0;
	if (have_p2 != (in.y2_len != 0))
		return TPM2_RC_P(TPM_RC_SIZE, 3);
	if (!tc_ecc_size(o->pub.curve))
		return TPM2_RC_H(TPM_RC_KEY, 1);
	if (have_p2) {
		TPM2_TRY(make_p2(o, &in, &p2));
		if (o->flags & TPM2_OBJ_PUBLIC_ONLY)
			return TPM2_RC_H(TPM_RC_KEY, 1);
	}
	have_p1 = in.p1.x_size || in.p1.y_size;
	if (have_p1 && tc_ecc_point_set(&p1, o->pub.curve, in.p1.x, in.p1.x_size, in.p1.y,
	                                in.p1.y_size) != TC_OK)
		return TPM2_RC_P(TPM_RC_ECC_POINT, 1);
	if (!generate_r(t, o->pub.curve, &o->name, t->commit_counter, &r))
		return TPM_RC_NO_RESULT;
	memset(&K, 0, sizeof K);
	memset(&L, 0, sizeof L);
	memset(&E, 0, sizeof E);
	if (have_p2) {                                   /* K = [d]P2, L = [r]P2 */
		rc = tpm2_keys_ecc(o, NULL, &sk);
		if (!rc && tc_ecdh(&sk, &p2, &out) != TC_OK)
			rc = TPM_RC_NO_RESULT;
		if (!rc)
			to_point(&K, &out);
		if (!rc && tc_ecdh(&r, &p2, &out) != TC_OK)
			rc = TPM_RC_NO_RESULT;
		if (!rc)
			to_point(&L, &out);
		tpm2_zeroise(&sk, sizeof sk);
	}
	if (!rc && (have_p1 || !have_p2)) {              /* E = [r]P1, or [r]G without P1, P2 */
		if ((have_p1 ? tc_ecdh(&r, &p1, &out) : tc_ecc_pub_from_priv(&r, &out)) != TC_OK)
			rc = TPM_RC_NO_RESULT;
		else
			to_point(&E, &out);
	}
	tpm2_zeroise(&r, sizeof r);
	if (rc)
		return rc;
	tpm2_wr_ecc_point(&c->out, &K);
	tpm2_wr_ecc_point(&c->out, &L);
	tpm2_wr_ecc_point(&c->out, &E);
	tpm2_wr_u16(&c->out, commit(t));
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_EC_Ephemeral(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	uint16_t curve;
	tc_ecc_priv r;
	tc_ecc_point q;
	struct tpms_ecc_point Q;
	TPM2_P(1, tpm2_rd_u16(&c->in, &curve));
	TPM2_TRY(tpm2_in_done(c));
	if (curve != TPM_ECC_NIST_P256 && curve != TPM_ECC_NIST_P384)
		return TPM2_RC_P(TPM_RC_CURVE, 1);
	if (!generate_r(t, curve, NULL, t->commit_counter, &r) || tc_ecc_pub_from_priv(&r, &q))
		return TPM_RC_NO_RESULT;
	tpm2_zeroise(&r, sizeof r);
	to_point(&Q, &q);
	tpm2_wr_ecc_point(&c->out, &Q);
	tpm2_wr_u16(&c->out, commit(t));
	return TPM_RC_SUCCESS;
}
