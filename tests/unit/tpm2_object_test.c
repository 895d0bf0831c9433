/*
 * Objects family through tpm2_execute: primary-key determinism (TCG EK templates), Create /
 * Load / Unseal / ObjectChangeAuth / EvictControl / ReadPublic / LoadExternal, signatures and
 * encryption checked with the crypto layer, duplication and credentials, bad templates.
 */
#include "tpm2_test.h"
#include "tpm2_keys.h"

static const uint8_t ek_policy[32] = {
	0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xB3, 0xF8, 0x1A, 0x90, 0xCC, 0x8D, 0x46, 0xA5, 0xD7, 0x24,
	0xFD, 0x52, 0xD7, 0x6E, 0x06, 0x52, 0x0B, 0x64, 0xF2, 0xA1, 0xDA, 0x1B, 0x33, 0x14, 0x69, 0xAA,
};

#define EK_ATTRS 0x000300B2u
#define PIN_EK_RSA "22cd2d5eeb7fbe752e9c84ccf93835c94dea328faec789b0383e198a9cf864db"
#define PIN_EK_ECC "28edfea14b702728810ca9d399cc8ffe88ad0a433adba5d4e4d6e8d8f7c4cbd0"
#define SRK_ATTRS 0x00030072u   /* fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|restricted|decrypt */
#define SIGN_ATTRS 0x00040072u  /* ... |sign */
#define SEAL_ATTRS 0x00000052u  /* fixedTPM|fixedParent|userWithAuth */

/* ------------------------------------------------------------------ templates */

struct tmpl { uint8_t b[600]; size_t n; };

static void t16(struct tmpl *t, uint16_t v) { t->b[t->n++] = (uint8_t)(v >> 8); t->b[t->n++] = (uint8_t)v; }
static void t32(struct tmpl *t, uint32_t v) { t16(t, (uint16_t)(v >> 16)); t16(t, (uint16_t)v); }
static void tb(struct tmpl *t, const void *p, size_t n)
{
	t16(t, (uint16_t)n);
	if (n)
		memcpy(t->b + t->n, p, n);
	t->n += n;
}
static void tzeros(struct tmpl *t, size_t n) { t16(t, (uint16_t)n); memset(t->b + t->n, 0, n); t->n += n; }

static struct tmpl rsa_tmpl(uint32_t attrs, const uint8_t *policy, size_t plen, uint16_t sym_bits,
                            uint16_t scheme, uint16_t hash, size_t unique_len)
{
	struct tmpl t = { .n = 0 };
	t16(&t, TPM_ALG_RSA); t16(&t, TPM_ALG_SHA256); t32(&t, attrs); tb(&t, policy, plen);
	if (sym_bits) { t16(&t, TPM_ALG_AES); t16(&t, sym_bits); t16(&t, TPM_ALG_CFB); }
	else t16(&t, TPM_ALG_NULL);
	t16(&t, scheme); if (scheme != TPM_ALG_NULL) t16(&t, hash);
	t16(&t, 2048); t32(&t, 0);
	tzeros(&t, unique_len);
	return t;
}

static struct tmpl ecc_tmpl(uint32_t attrs, const uint8_t *policy, size_t plen, uint16_t sym_bits,
                            uint16_t scheme, uint16_t curve)
{
	struct tmpl t = { .n = 0 };
	t16(&t, TPM_ALG_ECC); t16(&t, TPM_ALG_SHA256); t32(&t, attrs); tb(&t, policy, plen);
	if (sym_bits) { t16(&t, TPM_ALG_AES); t16(&t, sym_bits); t16(&t, TPM_ALG_CFB); }
	else t16(&t, TPM_ALG_NULL);
	t16(&t, scheme); if (scheme != TPM_ALG_NULL) t16(&t, TPM_ALG_SHA256);
	t16(&t, curve); t16(&t, TPM_ALG_NULL);
	tzeros(&t, 32); tzeros(&t, 32);
	return t;
}

static struct tmpl kh_tmpl(uint32_t attrs, uint16_t scheme)
{
	struct tmpl t = { .n = 0 };
	t16(&t, TPM_ALG_KEYEDHASH); t16(&t, TPM_ALG_SHA256); t32(&t, attrs); tb(&t, NULL, 0);
	t16(&t, scheme); if (scheme != TPM_ALG_NULL) t16(&t, TPM_ALG_SHA256);
	tb(&t, NULL, 0);
	return t;
}

static struct tmpl sym_tmpl(uint16_t bits)
{
	struct tmpl t = { .n = 0 };
	t16(&t, TPM_ALG_SYMCIPHER); t16(&t, TPM_ALG_SHA256);
	t32(&t, 0x00060052u); tb(&t, NULL, 0);
	t16(&t, TPM_ALG_AES); t16(&t, bits); t16(&t, TPM_ALG_NULL);
	tb(&t, NULL, 0);
	return t;
}

/* ------------------------------------------------------------------ command helpers */

static void sens_create(struct tt_cmd *c, const char *auth, const void *data, size_t dlen)
{
	tt_u16(c, (uint16_t)(4 + strlen(auth) + dlen));
	tt_tpm2b(c, auth, strlen(auth));
	tt_tpm2b(c, dlen ? data : "", dlen);
}

struct obj_out {
	uint32_t handle;
	struct tpmt_public pub;
	uint8_t priv[TPM2_MAX_PRIVATE];
	uint16_t priv_len;
	uint8_t pub_raw[1024];
	uint16_t pub_raw_len;
	struct tpm2b_digest name;
};

static uint32_t create_primary(struct tpm2 *t, uint32_t hier, const struct tmpl *tp,
                               const char *auth, struct obj_out *o)
{
	struct tt_cmd c;
	struct tt_rsp r;
	const uint8_t *p;
	uint16_t n;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
	tt_u32(&c, hier);
	tt_pw_sessions(&c, "", NULL);
	sens_create(&c, auth, NULL, 0);
	tt_tpm2b(&c, tp->b, tp->n);
	tt_u16(&c, 0);           /* outsideInfo */
	tt_u32(&c, 0);           /* creationPCR */
	if (tt_exec(t, &c, &r))
		return r.rc;
	o->handle = tpm2_get_u32(r.b + 10);
	tt_skip(&r, 8);
	if (tpm2_rd_public_sized(&r.r, &o->pub, false))
		return 0xBAD;
	/* creationData, creationHash, ticket, name */
	tpm2_rd_tpm2b(&r.r, &p, &n, 4096);
	tpm2_rd_tpm2b(&r.r, &p, &n, 64);
	{ struct tpmt_tk tk; tpm2_rd_ticket(&r.r, &tk); }
	tpm2_rd_digest(&r.r, &o->name);
	return 0;
}

static uint32_t create(struct tpm2 *t, uint32_t parent, const struct tmpl *tp, const char *auth,
                       const void *data, size_t dlen, struct obj_out *o)
{
	struct tt_cmd c;
	struct tt_rsp r;
	const uint8_t *p;
	uint16_t n;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Create);
	tt_u32(&c, parent);
	tt_pw_sessions(&c, "", NULL);
	sens_create(&c, auth, data, dlen);
	tt_tpm2b(&c, tp->b, tp->n);
	tt_u16(&c, 0);
	tt_u32(&c, 0);
	if (tt_exec(t, &c, &r))
		return r.rc;
	tt_skip(&r, 4);
	tpm2_rd_tpm2b(&r.r, &p, &n, sizeof o->priv);
	memcpy(o->priv, p, n);
	o->priv_len = n;
	{
		size_t at = r.r.off;
		if (tpm2_rd_public_sized(&r.r, &o->pub, false))
			return 0xBAD;
		o->pub_raw_len = (uint16_t)(r.r.off - at);
		memcpy(o->pub_raw, r.b + at, o->pub_raw_len);
	}
	return 0;
}

static uint32_t load(struct tpm2 *t, uint32_t parent, const struct obj_out *o, uint32_t *h)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Load);
	tt_u32(&c, parent);
	tt_pw_sessions(&c, "", NULL);
	tt_tpm2b(&c, o->priv, o->priv_len);
	tt_bytes(&c, o->pub_raw, o->pub_raw_len);
	if (tt_exec(t, &c, &r))
		return r.rc;
	*h = tpm2_get_u32(r.b + 10);
	return 0;
}

static struct tpm2 *tpm_with_seed(uint8_t v)
{
	struct tpm2 *t = calloc(1, tpm2_instance_size());
	struct tpm2_seeds seeds;
	memset(&seeds, v, sizeof seeds);
	seeds.sps[0] ^= 0x5A;   /* owner and endorsement seeds differ, as on a real TPM */
	tpm2_manufacture(t, &tt_platform, &seeds);
	tpm2_power_on(t);
	tt_startup(t, TPM_SU_CLEAR);
	return t;
}

static bool same_unique(const struct tpmt_public *a, const struct tpmt_public *b)
{
	if (a->type == TPM_ALG_RSA)
		return a->unique.rsa.size == b->unique.rsa.size &&
		       !memcmp(a->unique.rsa.buf, b->unique.rsa.buf, a->unique.rsa.size);
	return a->unique.ecc.x_size == b->unique.ecc.x_size &&
	       !memcmp(a->unique.ecc.x, b->unique.ecc.x, a->unique.ecc.x_size) &&
	       !memcmp(a->unique.ecc.y, b->unique.ecc.y, a->unique.ecc.y_size);
}

/* ------------------------------------------------------------------ tests */

static void test_ek_determinism(void)
{
	struct tpm2 *t1 = tpm_with_seed(0x11), *t2 = tpm_with_seed(0x11), *t3 = tpm_with_seed(0x22);
	struct tmpl rsa = rsa_tmpl(EK_ATTRS, ek_policy, 32, 128, TPM_ALG_NULL, 0, 256);
	struct tmpl ecc = ecc_tmpl(EK_ATTRS, ek_policy, 32, 128, TPM_ALG_NULL, TPM_ECC_NIST_P256);
	struct obj_out a, b, d;
	tc_ecc_point q;
	CHECK_RC(create_primary(t1, TPM_RH_ENDORSEMENT, &rsa, "", &a), 0, "ek rsa2048 createprimary");
	CHECK(a.pub.unique.rsa.size == 256 && a.pub.attrs == EK_ATTRS &&
	      a.pub.auth_policy.size == 32, "ek rsa2048 public area shape");
	CHECK_RC(create_primary(t2, TPM_RH_ENDORSEMENT, &rsa, "", &b), 0, "ek rsa2048 second tpm");
	CHECK(same_unique(&a.pub, &b.pub), "ek rsa2048 same seed + template -> same key");
	CHECK(a.name.size == 34 && !memcmp(a.name.buf, b.name.buf, 34), "ek rsa2048 same name");
	tt_flush(t1, a.handle);
	CHECK_RC(create_primary(t1, TPM_RH_ENDORSEMENT, &rsa, "other-auth", &b), 0,
	         "ek rsa2048 recreate with another userAuth");
	CHECK(same_unique(&a.pub, &b.pub), "ek rsa2048 userAuth does not change the key");
	CHECK_RC(create_primary(t3, TPM_RH_ENDORSEMENT, &rsa, "", &d), 0, "ek rsa2048 other seed");
	CHECK(!same_unique(&a.pub, &d.pub), "ek rsa2048 other seed -> other key");
	tt_flush(t1, b.handle); tt_flush(t2, b.handle); tt_flush(t3, d.handle);

	CHECK_RC(create_primary(t1, TPM_RH_ENDORSEMENT, &ecc, "", &a), 0, "ek p256 createprimary");
	CHECK_RC(create_primary(t2, TPM_RH_ENDORSEMENT, &ecc, "", &b), 0, "ek p256 second tpm");
	CHECK(same_unique(&a.pub, &b.pub), "ek p256 same seed + template -> same key");
	CHECK(tc_ecc_point_set(&q, TC_ECC_NIST_P256, a.pub.unique.ecc.x, a.pub.unique.ecc.x_size,
	                       a.pub.unique.ecc.y, a.pub.unique.ecc.y_size) == TC_OK,
	      "ek p256 public point is on the curve");
	CHECK_RC(create_primary(t3, TPM_RH_ENDORSEMENT, &ecc, "", &d), 0, "ek p256 other seed");
	CHECK(!same_unique(&a.pub, &d.pub), "ek p256 other seed -> other key");
	/* the owner hierarchy has another seed */
	tt_flush(t2, b.handle);
	CHECK_RC(create_primary(t2, TPM_RH_OWNER, &ecc, "", &b), 0, "p256 in owner hierarchy");
	CHECK(!same_unique(&a.pub, &b.pub), "owner and endorsement seeds differ");
	free(t1); free(t2); free(t3);
}

/* The vEK must never change between builds for the same seed: pin SHA-256 of the EK public
 * keys the derivation gives for endorsement seed 0x11..11 (docs/objects.md).  A change here
 * changes every LPAR's vEK: only with a very good reason (and a note in the docs). */
static void test_ek_pinned(void)
{
	static const char *want_rsa = PIN_EK_RSA, *want_ecc = PIN_EK_ECC;
	struct tpm2 *t = tt_new();   /* seeds 0x11 */
	struct tmpl rsa = rsa_tmpl(EK_ATTRS, ek_policy, 32, 128, TPM_ALG_NULL, 0, 256);
	struct tmpl ecc = ecc_tmpl(EK_ATTRS, ek_policy, 32, 128, TPM_ALG_NULL, TPM_ECC_NIST_P256);
	struct obj_out o;
	uint8_t d[32];
	char hex[65];
	if (create_primary(t, TPM_RH_ENDORSEMENT, &rsa, "", &o) == 0) {
		tc_hash(TC_ALG_SHA256, o.pub.unique.rsa.buf, o.pub.unique.rsa.size, d);
		for (int i = 0; i < 32; i++) sprintf(hex + 2 * i, "%02x", d[i]);
		tt_check(!strcmp(hex, want_rsa), "pinned vEK rsa2048 (sha256 of the modulus)", "got %s", hex);
		tt_flush(t, o.handle);
	}
	if (create_primary(t, TPM_RH_ENDORSEMENT, &ecc, "", &o) == 0) {
		uint8_t xy[64];
		memcpy(xy, o.pub.unique.ecc.x, 32);
		memcpy(xy + 32, o.pub.unique.ecc.y, 32);
		tc_hash(TC_ALG_SHA256, xy, 64, d);
		for (int i = 0; i < 32; i++) sprintf(hex + 2 * i, "%02x", d[i]);
		tt_check(!strcmp(hex, want_ecc), "pinned vEK p256 (sha256 of x || y)", "got %s", hex);
		tt_flush(t, o.handle);
	}
	free(t);
}

static void test_bad_templates(struct tpm2 *t)
{
	struct obj_out o;
	struct tmpl x;
	uint8_t pol[20] = { 0 };
	x = ecc_tmpl(SRK_ATTRS & ~TPMA_OBJECT_FIXEDPARENT, NULL, 0, 128, TPM_ALG_NULL, TPM_ECC_NIST_P256);
	CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &o), TPM_RC_ATTRIBUTES + TPM_RC_P + TPM_RC_2,
	         "fixedTPM without fixedParent -> ATTRIBUTES+P2");
	x = ecc_tmpl(SRK_ATTRS, NULL, 0, 0, TPM_ALG_NULL, TPM_ECC_NIST_P256);
	CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &o), TPM_RC_SYMMETRIC + TPM_RC_P + TPM_RC_2,
	         "storage key without symmetric -> SYMMETRIC+P2");
	x = ecc_tmpl(SIGN_ATTRS | TPMA_OBJECT_RESTRICTED, NULL, 0, 0, TPM_ALG_NULL, TPM_ECC_NIST_P256);
	CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &o), TPM_RC_SCHEME + TPM_RC_P + TPM_RC_2,
	         "restricted signing key without scheme -> SCHEME+P2");
	x = ecc_tmpl(SRK_ATTRS, pol, sizeof pol, 128, TPM_ALG_NULL, TPM_ECC_NIST_P256);
	CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &o), TPM_RC_SIZE + TPM_RC_P + TPM_RC_2,
	         "authPolicy of the wrong size -> SIZE+P2");
	x = ecc_tmpl(SRK_ATTRS, NULL, 0, 128, TPM_ALG_NULL, 0x0010);
	CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &o), TPM_RC_CURVE + TPM_RC_P + TPM_RC_2,
	         "unknown curve -> CURVE+P2");
	x = kh_tmpl(SEAL_ATTRS | TPMA_OBJECT_SENSITIVEDATAORIGIN, TPM_ALG_NULL);
	CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &o), TPM_RC_ATTRIBUTES + TPM_RC_P + TPM_RC_2,
	         "sealed object with sensitiveDataOrigin -> ATTRIBUTES+P2");
	x = kh_tmpl(SEAL_ATTRS, TPM_ALG_NULL);
	CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &o), TPM_RC_ATTRIBUTES + TPM_RC_P + TPM_RC_2,
	         "sealed object without data -> ATTRIBUTES+P2");
	x = ecc_tmpl((SRK_ATTRS & ~TPMA_OBJECT_FIXEDTPM), NULL, 0, 128, TPM_ALG_NULL, TPM_ECC_NIST_P256);
	CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &o), TPM_RC_ATTRIBUTES + TPM_RC_P + TPM_RC_2,
	         "primary with fixedParent but not fixedTPM -> ATTRIBUTES+P2");
	x = ecc_tmpl(SRK_ATTRS, NULL, 0, 0, TPM_ALG_ECDSA, TPM_ECC_NIST_P256);
	CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &o), TPM_RC_SCHEME + TPM_RC_P + TPM_RC_2,
	         "storage key with a scheme and no symmetric -> SCHEME+P2 (scheme checked first)");
	x = kh_tmpl(0x00040072u, TPM_ALG_NULL);
	CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &o), TPM_RC_SCHEME + TPM_RC_P + TPM_RC_2,
	         "keyed-hash signing key without HMAC scheme -> SCHEME+P2");
	x = rsa_tmpl(SIGN_ATTRS, NULL, 0, 0, TPM_ALG_RSASSA, TPM_ALG_SHA256, 0);
	x.b[x.n - 3] = 3;   /* exponent 3 (the u32 before the empty unique) */
	CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &o), TPM_RC_RANGE,
	         "rsa exponent below 65537 -> RANGE (unnumbered, as libtpms)");
	x = ecc_tmpl(SRK_ATTRS, NULL, 0, 128, TPM_ALG_NULL, TPM_ECC_NIST_P256);
	x.b[0] = 0x00; x.b[1] = 0x99;
	CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &o), TPM_RC_TYPE + TPM_RC_P + TPM_RC_2,
	         "unknown type -> TYPE+P2");
	{
		struct tt_cmd c;
		struct tt_rsp r;
		x = ecc_tmpl(SRK_ATTRS, NULL, 0, 128, TPM_ALG_NULL, TPM_ECC_NIST_P256);
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
		tt_u32(&c, TPM_RH_OWNER);
		tt_pw_sessions(&c, "", NULL);
		sens_create(&c, "", "data", 4);
		tt_tpm2b(&c, x.b, x.n);
		tt_u16(&c, 0);
		tt_u32(&c, 0);
		CHECK_RC(tt_exec(t, &c, &r), 0,
		         "primary asymmetric key with sensitive data (extra derivation input) is accepted");
		{
			struct obj_out a, b;
			uint32_t h1 = tpm2_get_u32(r.b + 10);
			CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &a), 0, "same template without data");
			CHECK(a.pub.unique.ecc.x_size == 32, "primary without data has a key");
			(void)b;
			tt_flush(t, a.handle);
			tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
			tt_u32(&c, h1);
			tt_exec(t, &c, &r);
			tpm2_rd_public_sized(&r.r, &b.pub, false);
			CHECK(!same_unique(&a.pub, &b.pub), "sensitive data changes the derived primary");
			tt_flush(t, h1);
		}
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
		tt_u32(&c, TPM_RH_OWNER);
		tt_pw_sessions(&c, "", NULL);
		sens_create(&c, "", NULL, 0);
		tt_tpm2b(&c, x.b, x.n - 1);
		tt_u16(&c, 0);
		tt_u32(&c, 0);
		CHECK(tt_exec(t, &c, &r) != 0 && (r.rc & RC_FMT1) && (r.rc & TPM_RC_P),
		      "truncated template -> a parameter error");
	}
}

static void test_sign(struct tpm2 *t, uint32_t srk)
{
	struct obj_out o;
	struct tmpl x;
	uint32_t h;
	uint8_t digest[32];
	struct tt_cmd c;
	struct tt_rsp r;
	struct tpmt_signature sig;
	memset(digest, 0x5A, sizeof digest);

	x = ecc_tmpl(SIGN_ATTRS, NULL, 0, 0, TPM_ALG_ECDSA, TPM_ECC_NIST_P256);
	CHECK_RC(create(t, srk, &x, "key", NULL, 0, &o), 0, "create p256 ecdsa key under srk");
	CHECK_RC(load(t, srk, &o, &h), 0, "load p256 key");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
	tt_u32(&c, h);
	tt_pw_sessions(&c, "key", NULL);
	tt_tpm2b(&c, digest, 32);
	tt_u16(&c, TPM_ALG_NULL);
	tt_u16(&c, TPM_ST_HASHCHECK); tt_u32(&c, TPM_RH_NULL); tt_u16(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), 0, "sign ecdsa");
	tt_skip(&r, 4);
	CHECK(tpm2_rd_signature(&r.r, &sig) == 0 && sig.alg == TPM_ALG_ECDSA, "ecdsa signature parses");
	{
		tc_ecc_point q;
		tc_ecc_point_set(&q, TC_ECC_NIST_P256, o.pub.unique.ecc.x, 32, o.pub.unique.ecc.y, 32);
		CHECK(tc_ecdsa_verify(&q, digest, 32, sig.u.ecc.r, sig.u.ecc.r_size, sig.u.ecc.s,
		                      sig.u.ecc.s_size) == TC_OK, "ecdsa signature verifies with tcrypto");
	}
	/* VerifySignature of our own signature, then of a corrupted one */
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_VerifySignature);
	tt_u32(&c, h);
	tt_tpm2b(&c, digest, 32);
	{
		size_t at = c.n;
		struct tpm2_wr w;
		tpm2_wr_init(&w, c.b + at, 512);
		tpm2_wr_signature(&w, &sig);
		c.n += w.off;
		CHECK_RC(tt_exec(t, &c, &r), 0, "verifysignature accepts the signature");
		c.b[c.n - 3] ^= 1;
		c.n = c.n;   /* same command, one bit flipped in s */
		CHECK_RC(tt_exec(t, &c, &r), TPM_RC_SIGNATURE + TPM_RC_P + TPM_RC_2,
		         "verifysignature rejects a corrupted signature");
	}
	/* wrong password: AUTH_FAIL */
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
	tt_u32(&c, h);
	tt_pw_sessions(&c, "nope", NULL);
	tt_tpm2b(&c, digest, 32);
	tt_u16(&c, TPM_ALG_NULL);
	tt_u16(&c, TPM_ST_HASHCHECK); tt_u32(&c, TPM_RH_NULL); tt_u16(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_AUTH_FAIL + TPM_RC_S + TPM_RC_1, "sign with a wrong password");
	/* wrong digest size */
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
	tt_u32(&c, h);
	tt_pw_sessions(&c, "key", NULL);
	tt_tpm2b(&c, digest, 20);
	tt_u16(&c, TPM_ALG_NULL);
	tt_u16(&c, TPM_ST_HASHCHECK); tt_u32(&c, TPM_RH_NULL); tt_u16(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_SIZE + TPM_RC_P + TPM_RC_1, "sign a digest of the wrong size");
	tt_flush(t, h);

	/* RSA-PSS / RSASSA key */
	x = rsa_tmpl(SIGN_ATTRS, NULL, 0, 0, TPM_ALG_NULL, 0, 0);
	CHECK_RC(create(t, srk, &x, "", NULL, 0, &o), 0, "create rsa2048 signing key");
	CHECK_RC(load(t, srk, &o, &h), 0, "load rsa2048 key");
	for (int pss = 0; pss < 2; pss++) {
		uint16_t scheme = pss ? TPM_ALG_RSAPSS : TPM_ALG_RSASSA;
		tc_rsa_pub pk;
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
		tt_u32(&c, h);
		tt_pw_sessions(&c, "", NULL);
		tt_tpm2b(&c, digest, 32);
		tt_u16(&c, scheme); tt_u16(&c, TPM_ALG_SHA256);
		tt_u16(&c, TPM_ST_HASHCHECK); tt_u32(&c, TPM_RH_NULL); tt_u16(&c, 0);
		CHECK_RC(tt_exec(t, &c, &r), 0, pss ? "sign rsapss" : "sign rsassa");
		tt_skip(&r, 4);
		tpm2_rd_signature(&r.r, &sig);
		tc_rsa_pub_set(&pk, o.pub.unique.rsa.buf, o.pub.unique.rsa.size, 0);
		CHECK(sig.alg == scheme && tc_rsa_verify(&pk, scheme, TC_ALG_SHA256, digest, 32,
		                                         sig.u.rsa.buf, sig.u.rsa.size) == TC_OK,
		      pss ? "rsapss signature verifies with tcrypto" : "rsassa signature verifies with tcrypto");
	}
	/* RSA encrypt (public) / decrypt (private): OAEP round trip */
	{
		const char msg[] = "attack at dawn";
		uint8_t ct[256];
		const uint8_t *p;
		uint16_t n;
		x = rsa_tmpl(0x00060072u & ~TPMA_OBJECT_RESTRICTED, NULL, 0, 0, TPM_ALG_NULL, 0, 0);
		(void)x;
		tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_RSA_Encrypt);
		tt_u32(&c, h);
		tt_tpm2b(&c, msg, sizeof msg);
		tt_u16(&c, TPM_ALG_OAEP); tt_u16(&c, TPM_ALG_SHA256);
		tt_u16(&c, 0);
		CHECK_RC(tt_exec(t, &c, &r), TPM_RC_ATTRIBUTES + TPM_RC_H + TPM_RC_1,
		         "rsa_encrypt with a sign-only key -> ATTRIBUTES+H1");
		(void)ct; (void)p; (void)n;
	}
	tt_flush(t, h);
}

static void test_rsa_crypt(struct tpm2 *t, uint32_t srk)
{
	struct obj_out o;
	struct tmpl x = rsa_tmpl(0x00060072u, NULL, 0, 0, TPM_ALG_NULL, 0, 0);  /* decrypt|sign */
	uint32_t h;
	struct tt_cmd c;
	struct tt_rsp r;
	const char msg[] = "attack at dawn";
	uint8_t ct[256];
	const uint8_t *p;
	uint16_t n;
	CHECK_RC(create(t, srk, &x, "", NULL, 0, &o), 0, "create rsa decrypt key");
	CHECK_RC(load(t, srk, &o, &h), 0, "load rsa decrypt key");
	for (int s = 0; s < 3; s++) {
		uint16_t scheme = s == 0 ? TPM_ALG_OAEP : s == 1 ? TPM_ALG_RSAES : TPM_ALG_NULL;
		const char *name = s == 0 ? "oaep" : s == 1 ? "rsaes" : "raw";
		char label[64];
		tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_RSA_Encrypt);
		tt_u32(&c, h);
		tt_tpm2b(&c, msg, sizeof msg);
		tt_u16(&c, scheme); if (scheme == TPM_ALG_OAEP) tt_u16(&c, TPM_ALG_SHA256);
		tt_tpm2b(&c, s == 0 ? "lbl" : "", s == 0 ? 4 : 0);
		snprintf(label, sizeof label, "rsa_encrypt %s", name);
		CHECK_RC(tt_exec(t, &c, &r), 0, label);
		tpm2_rd_tpm2b(&r.r, &p, &n, 256);
		memcpy(ct, p, n);
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_RSA_Decrypt);
		tt_u32(&c, h);
		tt_pw_sessions(&c, "", NULL);
		tt_tpm2b(&c, ct, n);
		tt_u16(&c, scheme); if (scheme == TPM_ALG_OAEP) tt_u16(&c, TPM_ALG_SHA256);
		tt_tpm2b(&c, s == 0 ? "lbl" : "", s == 0 ? 4 : 0);
		snprintf(label, sizeof label, "rsa_decrypt %s", name);
		CHECK_RC(tt_exec(t, &c, &r), 0, label);
		tt_skip(&r, 4);
		tpm2_rd_tpm2b(&r.r, &p, &n, 256);
		snprintf(label, sizeof label, "rsa %s round trip", name);
		CHECK(s == 2 ? (n == 256 && !memcmp(p + 256 - sizeof msg, msg, sizeof msg))
		             : (n == sizeof msg && !memcmp(p, msg, n)), label);
	}
	/* OAEP with the wrong label */
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_RSA_Decrypt);
	tt_u32(&c, h);
	tt_pw_sessions(&c, "", NULL);
	{
		/* re-encrypt with label "lbl" */
		struct tt_cmd e;
		tt_begin(&e, TPM_ST_NO_SESSIONS, TPM_CC_RSA_Encrypt);
		tt_u32(&e, h);
		tt_tpm2b(&e, msg, sizeof msg);
		tt_u16(&e, TPM_ALG_OAEP); tt_u16(&e, TPM_ALG_SHA256);
		tt_tpm2b(&e, "lbl", 4);
		tt_exec(t, &e, &r);
		tpm2_rd_tpm2b(&r.r, &p, &n, 256);
		memcpy(ct, p, n);
	}
	tt_tpm2b(&c, ct, n);
	tt_u16(&c, TPM_ALG_OAEP); tt_u16(&c, TPM_ALG_SHA256);
	tt_tpm2b(&c, "other", 6);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1, "oaep with the wrong label -> VALUE+P1");
	tt_flush(t, h);
}

static void test_seal(struct tpm2 *t, uint32_t srk)
{
	struct obj_out o;
	struct tmpl x = kh_tmpl(SEAL_ATTRS, TPM_ALG_NULL);
	uint32_t h, h2;
	struct tt_cmd c;
	struct tt_rsp r;
	const uint8_t *p;
	uint16_t n;
	const char secret[] = "the eagle has landed";
	CHECK_RC(create(t, srk, &x, "pw", secret, sizeof secret, &o), 0, "create sealed data object");
	CHECK_RC(load(t, srk, &o, &h), 0, "load sealed data object");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
	tt_u32(&c, h);
	tt_pw_sessions(&c, "pw", NULL);
	CHECK_RC(tt_exec(t, &c, &r), 0, "unseal");
	tt_skip(&r, 4);
	tpm2_rd_tpm2b(&r.r, &p, &n, 128);
	CHECK(n == sizeof secret && !memcmp(p, secret, n), "unseal returns the sealed data");

	/* ObjectChangeAuth: new private, loadable, new password works, old does not */
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_ObjectChangeAuth);
	tt_u32(&c, h);
	tt_u32(&c, srk);
	tt_pw_sessions(&c, "pw", NULL);
	tt_tpm2b(&c, "newpw", 5);
	CHECK_RC(tt_exec(t, &c, &r), 0, "objectchangeauth");
	tt_skip(&r, 4);
	tpm2_rd_tpm2b(&r.r, &p, &n, sizeof o.priv);
	memcpy(o.priv, p, n);
	o.priv_len = n;
	tt_flush(t, h);
	CHECK_RC(load(t, srk, &o, &h2), 0, "load the re-wrapped private");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
	tt_u32(&c, h2);
	tt_pw_sessions(&c, "newpw", NULL);
	CHECK_RC(tt_exec(t, &c, &r), 0, "unseal with the new password");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
	tt_u32(&c, h2);
	tt_pw_sessions(&c, "pw", NULL);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_AUTH_FAIL + TPM_RC_S + TPM_RC_1, "unseal with the old password fails");
	tt_flush(t, h2);

	/* tampered private -> INTEGRITY+P1; private with another name (public changed) too */
	o.priv[o.priv_len - 1] ^= 0x80;
	CHECK_RC(load(t, srk, &o, &h), TPM_RC_INTEGRITY + TPM_RC_P + TPM_RC_1, "load a tampered private -> INTEGRITY+P1");
	o.priv[o.priv_len - 1] ^= 0x80;
	o.pub_raw[o.pub_raw_len - 1] ^= 1;   /* unique changes -> name changes */
	CHECK_RC(load(t, srk, &o, &h), TPM_RC_INTEGRITY + TPM_RC_P + TPM_RC_1, "load with a foreign public -> INTEGRITY+P1");
	o.pub_raw[o.pub_raw_len - 1] ^= 1;

	/* Unseal of a key -> TYPE */
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
	tt_u32(&c, srk);
	tt_pw_sessions(&c, "", NULL);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_TYPE + TPM_RC_H + TPM_RC_1, "unseal of a storage key -> TYPE+H1");
}

static void test_evict_readpublic(struct tpm2 *t, uint32_t srk, const struct tpm2b_digest *srk_name)
{
	struct tt_cmd c;
	struct tt_rsp r;
	struct tpmt_public pub;
	struct tpm2b_digest name;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_EvictControl);
	tt_u32(&c, TPM_RH_OWNER); tt_u32(&c, srk);
	tt_pw_sessions(&c, "", NULL);
	tt_u32(&c, 0x81000001);
	CHECK_RC(tt_exec(t, &c, &r), 0, "evictcontrol persists the srk");
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_NV_DEFINED, "evictcontrol to a used handle -> NV_DEFINED");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_EvictControl);
	tt_u32(&c, TPM_RH_OWNER); tt_u32(&c, srk);
	tt_pw_sessions(&c, "", NULL);
	tt_u32(&c, 0x81800001);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_RANGE + TPM_RC_P + TPM_RC_1, "owner evict into the platform range -> RANGE+P1");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
	tt_u32(&c, 0x81000001);
	CHECK_RC(tt_exec(t, &c, &r), 0, "readpublic of the persistent srk");
	tpm2_rd_public_sized(&r.r, &pub, false);
	tpm2_rd_digest(&r.r, &name);
	CHECK(name.size == srk_name->size && !memcmp(name.buf, srk_name->buf, name.size),
	      "persistent srk keeps its name");
	/* survives a state save/load */
	{
		static uint8_t blob[65536];
		size_t n = tpm2_state_save(t, tt_state_key, blob, sizeof blob);
		struct tpm2 *t2 = calloc(1, tpm2_instance_size());
		int lrc = n > 0 ? tpm2_state_load(t2, &tt_platform, tt_state_key, blob, n) : -100;
		tt_check(lrc == 0, "state with a persistent object saves and loads", "load: %d (%s)",
		         lrc, lrc == -100 ? "save failed" : tpm2_state_strerror(lrc));
		if (lrc == 0) {
			tpm2_power_on(t2);
			tt_startup(t2, TPM_SU_CLEAR);
			CHECK_RC(tt_exec(t2, &c, &r), 0, "persistent srk after state reload");
		}
		free(t2);
	}
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_EvictControl);
	tt_u32(&c, TPM_RH_OWNER); tt_u32(&c, 0x81000001);
	tt_pw_sessions(&c, "", NULL);
	tt_u32(&c, 0x81000001);
	CHECK_RC(tt_exec(t, &c, &r), 0, "evictcontrol removes the persistent srk");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
	tt_u32(&c, 0x81000001);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_HANDLE + TPM_RC_H + TPM_RC_1, "removed persistent handle -> HANDLE+H1");
}

static void test_flush_zeroises(struct tpm2 *t, uint32_t srk)
{
	struct obj_out o;
	struct tmpl x = kh_tmpl(SEAL_ATTRS, TPM_ALG_NULL);
	uint32_t h;
	static const uint8_t zero[sizeof(struct tpm2_slot)];
	CHECK_RC(create(t, srk, &x, "", "zz", 2, &o), 0, "create object to flush");
	CHECK_RC(load(t, srk, &o, &h), 0, "load object to flush");
	CHECK_RC(tt_flush(t, h), 0, "flush object");
	bool clean = true;
	for (unsigned i = 0; i < TPM2_TRANSIENT_SLOTS; i++)
		if (t->slots[i].kind == TPM2_SLOT_FREE && memcmp(&t->slots[i], zero, sizeof zero))
			clean = false;
	CHECK(clean, "flushed slot is zeroised");
}

static void test_sym(struct tpm2 *t, uint32_t srk)
{
	static const uint16_t modes[] = { TPM_ALG_CFB, TPM_ALG_CBC, TPM_ALG_CTR, TPM_ALG_OFB, TPM_ALG_ECB };
	static const char *mode_names[] = { "cfb", "cbc", "ctr", "ofb", "ecb" };
	uint8_t key[32], iv[16], data[64], want[64], wiv[16];
	for (unsigned i = 0; i < sizeof key; i++) key[i] = (uint8_t)(i * 7 + 1);
	for (unsigned i = 0; i < sizeof iv; i++) iv[i] = (uint8_t)(0xA0 + i);
	for (unsigned i = 0; i < sizeof data; i++) data[i] = (uint8_t)i;
	for (int kb = 0; kb < 2; kb++) {
		uint16_t bits = kb ? 256 : 128;
		struct tmpl x = sym_tmpl(bits);
		struct obj_out o;
		uint32_t h;
		char name[96];
		snprintf(name, sizeof name, "create aes-%u key with a supplied key", bits);
		CHECK_RC(create(t, srk, &x, "", key, bits / 8, &o), 0, name);
		if (load(t, srk, &o, &h))
			continue;
		for (unsigned m = 0; m < 5; m++) {
			struct tt_cmd c;
			struct tt_rsp r;
			const uint8_t *p, *piv;
			uint16_t n, niv;
			bool ecb = modes[m] == TPM_ALG_ECB;
			tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_EncryptDecrypt2);
			tt_u32(&c, h);
			tt_pw_sessions(&c, "", NULL);
			tt_tpm2b(&c, data, sizeof data);
			tt_u8(&c, 0);
			tt_u16(&c, modes[m]);
			tt_tpm2b(&c, iv, ecb ? 0 : 16);
			snprintf(name, sizeof name, "encryptdecrypt2 aes-%u-%s encrypt", bits, mode_names[m]);
			CHECK_RC(tt_exec(t, &c, &r), 0, name);
			tt_skip(&r, 4);
			tpm2_rd_tpm2b(&r.r, &p, &n, 1024);
			tpm2_rd_tpm2b(&r.r, &piv, &niv, 16);
			memcpy(wiv, iv, 16);
			tc_aes_crypt(modes[m], true, key, bits / 8, wiv, data, want, sizeof data);
			snprintf(name, sizeof name, "aes-%u-%s ciphertext and ivOut match tcrypto", bits, mode_names[m]);
			CHECK(n == sizeof data && !memcmp(p, want, n) &&
			      (ecb ? niv == 0 : niv == 16 && !memcmp(piv, wiv, 16)), name);
			/* decrypt back with EncryptDecrypt (parameter order of the old command) */
			tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_EncryptDecrypt);
			tt_u32(&c, h);
			tt_pw_sessions(&c, "", NULL);
			tt_u8(&c, 1);
			tt_u16(&c, modes[m]);
			tt_tpm2b(&c, iv, ecb ? 0 : 16);
			tt_tpm2b(&c, want, sizeof data);
			snprintf(name, sizeof name, "encryptdecrypt aes-%u-%s decrypt", bits, mode_names[m]);
			CHECK_RC(tt_exec(t, &c, &r), 0, name);
			tt_skip(&r, 4);
			tpm2_rd_tpm2b(&r.r, &p, &n, 1024);
			snprintf(name, sizeof name, "aes-%u-%s round trip", bits, mode_names[m]);
			CHECK(n == sizeof data && !memcmp(p, data, n), name);
		}
		{
			struct tt_cmd c;
			struct tt_rsp r;
			tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_EncryptDecrypt2);
			tt_u32(&c, h);
			tt_pw_sessions(&c, "", NULL);
			tt_tpm2b(&c, data, 15);
			tt_u8(&c, 0);
			tt_u16(&c, TPM_ALG_CBC);
			tt_tpm2b(&c, iv, 16);
			CHECK_RC(tt_exec(t, &c, &r), TPM_RC_SIZE + TPM_RC_P + TPM_RC_1, bits == 128 ? "aes-128 cbc with a partial block -> SIZE+P1" : "aes-256 cbc with a partial block -> SIZE+P1");
			tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_EncryptDecrypt2);
			tt_u32(&c, h);
			tt_pw_sessions(&c, "", NULL);
			tt_tpm2b(&c, data, 16);
			tt_u8(&c, 0);
			tt_u16(&c, TPM_ALG_CFB);
			tt_tpm2b(&c, iv, 8);
			CHECK_RC(tt_exec(t, &c, &r), TPM_RC_SIZE + TPM_RC_P + 0x400, bits == 128 ? "aes-128 short iv -> SIZE+P4" : "aes-256 short iv -> SIZE+P4");
			tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_EncryptDecrypt2);
			tt_u32(&c, h);
			tt_pw_sessions(&c, "", NULL);
			tt_tpm2b(&c, data, 16);
			tt_u8(&c, 0);
			tt_u16(&c, TPM_ALG_NULL);
			tt_tpm2b(&c, iv, 16);
			CHECK_RC(tt_exec(t, &c, &r), TPM_RC_MODE + TPM_RC_P + TPM_RC_3, bits == 128 ? "aes-128 no mode anywhere -> MODE+P3" : "aes-256 no mode anywhere -> MODE+P3");
		}
		tt_flush(t, h);
	}
}

static uint32_t make_credential(struct tpm2 *t, uint32_t key, const uint8_t *cred, size_t clen,
                                const struct tpm2b_digest *name, uint8_t *blob, uint16_t *blen,
                                uint8_t *secret, uint16_t *slen)
{
	struct tt_cmd c;
	struct tt_rsp r;
	const uint8_t *p;
	uint16_t n;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_MakeCredential);
	tt_u32(&c, key);
	tt_tpm2b(&c, cred, clen);
	tt_tpm2b(&c, name->buf, name->size);
	if (tt_exec(t, &c, &r))
		return r.rc;
	tpm2_rd_tpm2b(&r.r, &p, &n, 1024); memcpy(blob, p, n); *blen = n;
	tpm2_rd_tpm2b(&r.r, &p, &n, 1024); memcpy(secret, p, n); *slen = n;
	return 0;
}

static uint32_t activate(struct tpm2 *t, uint32_t obj, uint32_t key, const uint8_t *blob,
                         uint16_t blen, const uint8_t *secret, uint16_t slen, uint8_t *out,
                         uint16_t *olen)
{
	struct tt_cmd c;
	struct tt_rsp r;
	const uint8_t *p;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_ActivateCredential);
	tt_u32(&c, obj);
	tt_u32(&c, key);
	tt_pw_sessions(&c, "", "");
	tt_tpm2b(&c, blob, blen);
	tt_tpm2b(&c, secret, slen);
	if (tt_exec(t, &c, &r))
		return r.rc;
	tt_skip(&r, 4);
	tpm2_rd_tpm2b(&r.r, &p, olen, 64);
	memcpy(out, p, *olen);
	return 0;
}

static void test_credentials(struct tpm2 *t, uint32_t srk, const char *what)
{
	struct obj_out o, o2;
	struct tmpl x = ecc_tmpl(SIGN_ATTRS, NULL, 0, 0, TPM_ALG_ECDSA, TPM_ECC_NIST_P256);
	uint32_t h = 0, h2 = 0;
	uint8_t blob[1024], secret[1024], out[64];
	uint16_t blen, slen, olen = 0;
	const uint8_t cred[16] = "0123456789abcdef";
	char name[128];
	struct tt_cmd c;
	struct tt_rsp r;
	snprintf(name, sizeof name, "%s create+load the credential object", what);
	CHECK(create(t, srk, &x, "", NULL, 0, &o) == 0 && load(t, srk, &o, &h) == 0, name);
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
	tt_u32(&c, h);
	tt_exec(t, &c, &r);
	tpm2_rd_public_sized(&r.r, &o.pub, false);
	tpm2_rd_digest(&r.r, &o.name);
	snprintf(name, sizeof name, "%s makecredential", what);
	CHECK_RC(make_credential(t, srk, cred, sizeof cred, &o.name, blob, &blen, secret, &slen), 0, name);
	snprintf(name, sizeof name, "%s activatecredential", what);
	CHECK_RC(activate(t, h, srk, blob, blen, secret, slen, out, &olen), 0, name);
	snprintf(name, sizeof name, "%s activatecredential returns the credential", what);
	CHECK(olen == sizeof cred && !memcmp(out, cred, olen), name);
	snprintf(name, sizeof name, "%s makecredential with a signing key -> TYPE+H1", what);
	CHECK_RC(make_credential(t, h, cred, sizeof cred, &o.name, out, &olen, out, &olen),
	         TPM_RC_TYPE + TPM_RC_H + TPM_RC_1, name);
	secret[slen / 2] ^= 1;
	snprintf(name, sizeof name, "%s activatecredential with a corrupted secret fails", what);
	CHECK(activate(t, h, srk, blob, blen, secret, slen, out, &olen) != 0, name);
	secret[slen / 2] ^= 1;
	tt_flush(t, h);
	/* another object: its name differs -> INTEGRITY */
	snprintf(name, sizeof name, "%s create+load a second object", what);
	CHECK(create(t, srk, &x, "", NULL, 0, &o2) == 0 && load(t, srk, &o2, &h2) == 0, name);
	snprintf(name, sizeof name, "%s activatecredential for another object -> INTEGRITY+P1", what);
	CHECK_RC(activate(t, h2, srk, blob, blen, secret, slen, out, &olen),
	         TPM_RC_INTEGRITY + TPM_RC_P + TPM_RC_1, name);
	tt_flush(t, h2);
}

/* Import of an externally wrapped key (what tpm2_import does with an openssl key): outer
 * wrapper to the parent with a seed, optional inner wrapper, then Load and use it. */
static void test_import(struct tpm2 *t, uint32_t srk, bool inner)
{
	struct tt_cmd c;
	struct tt_rsp r;
	struct tpm2_object parent, key;
	struct tmpl x = kh_tmpl(0x00040040u, TPM_ALG_HMAC);  /* userWithAuth|sign, HMAC key */
	struct tpm2_rd rd;
	uint8_t plain[512], seed[64], secret[600], dup[600], ekey[16];
	size_t seed_len, secret_len, n, hs = 32;
	struct tpm2_wr w;
	struct obj_out o;
	const uint8_t *p;
	uint16_t pn;
	uint32_t h;
	const char *what = inner ? "import with inner wrapper" : "import (outer wrapper only)";
	char name[128];
	memset(&parent, 0, sizeof parent);
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
	tt_u32(&c, srk);
	tt_exec(t, &c, &r);
	tpm2_rd_public_sized(&r.r, &parent.pub, false);
	parent.flags = TPM2_OBJ_PUBLIC_ONLY;
	/* the key to import */
	memset(&key, 0, sizeof key);
	tpm2_rd_init(&rd, x.b, x.n);
	tpm2_rd_public(&rd, &key.pub, false);
	key.sens.type = TPM_ALG_KEYEDHASH;
	key.sens.seed.size = 32;
	memset(key.sens.seed.buf, 0x33, 32);
	key.sens.sensitive.size = 32;
	memset(key.sens.sensitive.buf, 0x44, 32);
	{
		struct tpm2_hash hh;
		tpm2_hash_init(&hh, TPM_ALG_SHA256);
		tpm2_hash_update(&hh, key.sens.seed.buf, 32);
		tpm2_hash_update(&hh, key.sens.sensitive.buf, 32);
		key.pub.unique.sym.size = (uint16_t)tpm2_hash_final(&hh, key.pub.unique.sym.buf);
	}
	tpm2_keys_name(&key.pub, &key.name);
	tpm2_wr_init(&w, plain + 2 + hs, sizeof plain - 2 - hs);
	{ size_t m = tpm2_wr_size_begin(&w); tpm2_wr_sensitive(&w, &key.sens); tpm2_wr_size_end(&w, m); }
	n = w.off;
	if (inner) {
		uint8_t iv[16] = { 0 };
		struct tpm2_hash hh;
		memset(ekey, 0x77, sizeof ekey);
		tpm2_hash_init(&hh, TPM_ALG_SHA256);
		tpm2_hash_update(&hh, plain + 2 + hs, n);
		tpm2_hash_update(&hh, key.name.buf, key.name.size);
		tpm2_hash_final(&hh, plain + 2);
		tpm2_put_u16(plain, (uint16_t)hs);
		n += 2 + hs;
		tpm2_aes_cfb(ekey, 16, iv, true, plain, n);
	} else {
		memmove(plain, plain + 2 + hs, n);
	}
	CHECK(tpm2_keys_secret_make(t, &parent, "DUPLICATE", seed, &seed_len, secret, &secret_len) == 0,
	      inner ? "import seed (inner) encrypted to the parent" : "import seed encrypted to the parent");
	n = tpm2_keys_outer_wrap(parent.pub.name_alg, &parent.pub.symmetric, seed, seed_len, &key.name,
	                         plain, n, dup, sizeof dup);
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Import);
	tt_u32(&c, srk);
	tt_pw_sessions(&c, "", NULL);
	tt_tpm2b(&c, ekey, inner ? 16 : 0);
	{
		size_t at = c.n;
		struct tpm2_wr pw;
		tpm2_wr_init(&pw, c.b + at, 1024);
		tpm2_keys_wr_public(&pw, &key.pub);
		c.n += pw.off;
		memcpy(o.pub_raw, c.b + at, pw.off);
		o.pub_raw_len = (uint16_t)pw.off;
	}
	tt_tpm2b(&c, dup, n);
	tt_tpm2b(&c, secret, secret_len);
	if (inner) { tt_u16(&c, TPM_ALG_AES); tt_u16(&c, 128); tt_u16(&c, TPM_ALG_CFB); }
	else tt_u16(&c, TPM_ALG_NULL);
	snprintf(name, sizeof name, "%s", what);
	CHECK_RC(tt_exec(t, &c, &r), 0, name);
	tt_skip(&r, 4);
	tpm2_rd_tpm2b(&r.r, &p, &pn, sizeof o.priv);
	memcpy(o.priv, p, pn);
	o.priv_len = pn;
	snprintf(name, sizeof name, "%s: load the imported key", what);
	CHECK_RC(load(t, srk, &o, &h), 0, name);
	{
		uint8_t mac[32], d[32];
		memset(d, 0x12, sizeof d);
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
		tt_u32(&c, h);
		tt_pw_sessions(&c, "", NULL);
		tt_tpm2b(&c, d, 32);
		tt_u16(&c, TPM_ALG_NULL);
		tt_u16(&c, TPM_ST_HASHCHECK); tt_u32(&c, TPM_RH_NULL); tt_u16(&c, 0);
		snprintf(name, sizeof name, "%s: hmac sign with the imported key", what);
		CHECK_RC(tt_exec(t, &c, &r), 0, name);
		tt_skip(&r, 4 + 4);
		tpm2_hmac_buf(TPM_ALG_SHA256, key.sens.sensitive.buf, 32, d, 32, mac);
		snprintf(name, sizeof name, "%s: hmac equals the one computed with the imported key", what);
		CHECK(r.r.off + 32 <= r.n && !memcmp(r.b + r.r.off, mac, 32), name);
	}
	tt_flush(t, h);
	/* corrupted duplicate -> INTEGRITY+P3 */
	dup[n - 1] ^= 1;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Import);
	tt_u32(&c, srk);
	tt_pw_sessions(&c, "", NULL);
	tt_tpm2b(&c, ekey, inner ? 16 : 0);
	tt_bytes(&c, o.pub_raw, o.pub_raw_len);
	tt_tpm2b(&c, dup, n);
	tt_tpm2b(&c, secret, secret_len);
	if (inner) { tt_u16(&c, TPM_ALG_AES); tt_u16(&c, 128); tt_u16(&c, TPM_ALG_CFB); }
	else tt_u16(&c, TPM_ALG_NULL);
	snprintf(name, sizeof name, "%s: corrupted duplicate -> INTEGRITY+P3", what);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_INTEGRITY + TPM_RC_P + TPM_RC_3, name);
}

/* LoadExternal of a public ECC key, then ContextSave / Flush / ContextLoad (what a resource
 * manager does between commands) and VerifySignature of an ECDSA signature made by tcrypto. */
static void test_loadexternal_context(struct tpm2 *t)
{
	struct tmpl x = ecc_tmpl(0x00040040u, NULL, 0, 0, TPM_ALG_NULL, TPM_ECC_NIST_P256);
	tc_ecc_priv sk;
	tc_ecc_point q;
	uint8_t seedb[32], digest[32], rr[32], ss[32], ctx[2048];
	tc_drbg d;
	struct tt_cmd c;
	struct tt_rsp r;
	uint32_t h;
	size_t ctx_len;
	memset(seedb, 9, sizeof seedb);
	memset(digest, 0x42, sizeof digest);
	tc_drbg_init(&d, TC_ALG_SHA256, seedb, sizeof seedb, NULL, 0);
	tc_ecc_keygen(TC_ECC_NIST_P256, tc_drbg_prng(&d), &sk, &q);
	tc_ecdsa_sign(&sk, TC_ALG_SHA256, digest, 32, NULL, rr, ss);
	/* unique: replace the zero x/y of the template with q */
	memcpy(x.b + x.n - 32, q.y, 32);
	memcpy(x.b + x.n - 34 - 32, q.x, 32);
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_LoadExternal);
	tt_u16(&c, 0);
	tt_tpm2b(&c, x.b, x.n);
	tt_u32(&c, TPM_RH_OWNER);
	CHECK_RC(tt_exec(t, &c, &r), 0, "loadexternal of a p256 public key");
	h = tpm2_get_u32(r.b + 10);
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextSave);
	tt_u32(&c, h);
	CHECK_RC(tt_exec(t, &c, &r), 0, "contextsave of a public-only object");
	ctx_len = r.n - 10;
	memcpy(ctx, r.b + 10, ctx_len);
	tt_flush(t, h);
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextLoad);
	tt_bytes(&c, ctx, ctx_len);
	CHECK_RC(tt_exec(t, &c, &r), 0, "contextload of a public-only object");
	h = tpm2_get_u32(r.b + 10);
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_VerifySignature);
	tt_u32(&c, h);
	tt_tpm2b(&c, digest, 32);
	tt_u16(&c, TPM_ALG_ECDSA); tt_u16(&c, TPM_ALG_SHA256);
	tt_tpm2b(&c, rr, 32); tt_tpm2b(&c, ss, 32);
	CHECK_RC(tt_exec(t, &c, &r), 0, "verifysignature with the reloaded public key");
	{
		struct tpmt_tk tk;
		CHECK(tpm2_rd_ticket(&r.r, &tk) == 0 && tk.tag == TPM_ST_VERIFIED &&
		      tk.hierarchy == TPM_RH_OWNER && tk.digest.size == 32,
		      "verified ticket for the owner hierarchy");
	}
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
	tt_u32(&c, h);
	tt_pw_sessions(&c, "", NULL);
	tt_tpm2b(&c, digest, 32);
	tt_u16(&c, TPM_ALG_ECDSA); tt_u16(&c, TPM_ALG_SHA256);
	tt_u16(&c, TPM_ST_HASHCHECK); tt_u32(&c, TPM_RH_NULL); tt_u16(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_KEY + TPM_RC_H + TPM_RC_1, "sign with a public-only key -> KEY+H1");
	tt_flush(t, h);
	tc_zeroize(&sk, sizeof sk);
}

static uint32_t hash_ticket(struct tpm2 *t, const void *data, size_t len, uint8_t *digest,
                            struct tpmt_tk *tk)
{
	struct tt_cmd c;
	struct tt_rsp r;
	const uint8_t *p;
	uint16_t n;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
	tt_tpm2b(&c, data, len);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_u32(&c, TPM_RH_OWNER);
	if (tt_exec(t, &c, &r))
		return r.rc;
	tpm2_rd_tpm2b(&r.r, &p, &n, 64);
	memcpy(digest, p, n);
	return tpm2_rd_ticket(&r.r, tk);
}

static uint32_t sign_with_ticket(struct tpm2 *t, uint32_t h, const uint8_t *digest,
                                 const struct tpmt_tk *tk)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
	tt_u32(&c, h);
	tt_pw_sessions(&c, "", NULL);
	tt_tpm2b(&c, digest, 32);
	tt_u16(&c, TPM_ALG_NULL);
	tt_u16(&c, tk->tag); tt_u32(&c, tk->hierarchy); tt_tpm2b(&c, tk->digest.buf, tk->digest.size);
	return tt_exec(t, &c, &r);
}

/* Restricted signing keys sign only digests the TPM hashed itself (TPMT_TK_HASHCHECK). */
static void test_restricted_sign(struct tpm2 *t)
{
	struct tmpl x = ecc_tmpl(SIGN_ATTRS | TPMA_OBJECT_RESTRICTED, NULL, 0, 0, TPM_ALG_ECDSA,
	                         TPM_ECC_NIST_P256);
	struct obj_out ak;
	struct tpmt_tk tk, null_tk = { TPM_ST_HASHCHECK, TPM_RH_NULL, { 0, { 0 } } };
	uint8_t digest[32];
	const uint8_t forged[] = { 0xFF, 'T', 'C', 'G', 1, 2, 3, 4 };
	CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &ak), 0, "restricted ecdsa signing primary");
	CHECK_RC(hash_ticket(t, "plain data", 10, digest, &tk), 0, "hash with a ticket");
	CHECK_RC(sign_with_ticket(t, ak.handle, digest, &tk), 0, "restricted key signs with a valid hashcheck ticket");
	CHECK_RC(sign_with_ticket(t, ak.handle, digest, &null_tk), TPM_RC_TICKET + TPM_RC_P + TPM_RC_3,
	         "restricted key without a ticket -> TICKET+P3");
	digest[0] ^= 1;
	CHECK_RC(sign_with_ticket(t, ak.handle, digest, &tk), TPM_RC_TICKET + TPM_RC_P + TPM_RC_3,
	         "ticket for another digest -> TICKET+P3");
	CHECK_RC(hash_ticket(t, forged, sizeof forged, digest, &tk), 0, "hash of TPM_GENERATED-looking data");
	CHECK_RC(sign_with_ticket(t, ak.handle, digest, &tk), TPM_RC_TICKET + TPM_RC_P + TPM_RC_3,
	         "restricted key refuses a digest of TPM_GENERATED-looking data");
	tt_flush(t, ak.handle);
}

static void test_createloaded_ecdh_params(struct tpm2 *t, uint32_t srk)
{
	struct tmpl x = ecc_tmpl(0x00020072u, NULL, 0, 0, TPM_ALG_NULL, TPM_ECC_NIST_P256);  /* decrypt */
	struct tt_cmd c;
	struct tt_rsp r;
	uint32_t h, h2;
	struct tpmt_public pub;
	struct tpm2b_digest name, name2;
	const uint8_t *p;
	uint16_t n;
	struct tpms_ecc_point z, q, z2;
	/* CreateLoaded under the srk: handle, private, public, name */
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_CreateLoaded);
	tt_u32(&c, srk);
	tt_pw_sessions(&c, "", NULL);
	sens_create(&c, "", NULL, 0);
	tt_tpm2b(&c, x.b, x.n);
	CHECK_RC(tt_exec(t, &c, &r), 0, "createloaded of an ecdh key under the srk");
	h = tpm2_get_u32(r.b + 10);
	tt_skip(&r, 8);
	tpm2_rd_tpm2b(&r.r, &p, &n, 2048);
	CHECK(n > 0, "createloaded returns a private blob for a child");
	tpm2_rd_public_sized(&r.r, &pub, false);
	tpm2_rd_digest(&r.r, &name);
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
	tt_u32(&c, h);
	tt_exec(t, &c, &r);
	tpm2_rd_public_sized(&r.r, &pub, false);
	tpm2_rd_digest(&r.r, &name2);
	CHECK(name.size == 34 && name.size == name2.size && !memcmp(name.buf, name2.buf, 34),
	      "createloaded name equals readpublic's");
	/* ECDH_KeyGen with the public part, ECDH_ZGen with the private part: same Z */
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ECDH_KeyGen);
	tt_u32(&c, h);
	CHECK_RC(tt_exec(t, &c, &r), 0, "ecdh_keygen");
	tpm2_rd_ecc_point(&r.r, &z);
	tpm2_rd_ecc_point(&r.r, &q);
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_ECDH_ZGen);
	tt_u32(&c, h);
	tt_pw_sessions(&c, "", NULL);
	{
		struct tpm2_wr w;
		tpm2_wr_init(&w, c.b + c.n, 200);
		tpm2_wr_ecc_point(&w, &q);
		c.n += w.off;
	}
	CHECK_RC(tt_exec(t, &c, &r), 0, "ecdh_zgen");
	tt_skip(&r, 4);
	tpm2_rd_ecc_point(&r.r, &z2);
	CHECK(z.x_size == 32 && z2.x_size == 32 && !memcmp(z.x, z2.x, 32) && !memcmp(z.y, z2.y, 32),
	      "ecdh_zgen(keygen's ephemeral) equals keygen's z");
	q.y[31] ^= 1;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_ECDH_ZGen);
	tt_u32(&c, h);
	tt_pw_sessions(&c, "", NULL);
	{
		struct tpm2_wr w;
		tpm2_wr_init(&w, c.b + c.n, 200);
		tpm2_wr_ecc_point(&w, &q);
		c.n += w.off;
	}
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_ECC_POINT + TPM_RC_P + TPM_RC_1, "ecdh_zgen with a point off the curve -> ECC_POINT+P1");
	tt_flush(t, h);
	/* CreateLoaded with a hierarchy: a primary, the same key as CreatePrimary's */
	x = ecc_tmpl(SRK_ATTRS, NULL, 0, 128, TPM_ALG_NULL, TPM_ECC_NIST_P256);
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_CreateLoaded);
	tt_u32(&c, TPM_RH_OWNER);
	tt_pw_sessions(&c, "", NULL);
	sens_create(&c, "", NULL, 0);
	tt_tpm2b(&c, x.b, x.n);
	CHECK_RC(tt_exec(t, &c, &r), 0, "createloaded of a primary");
	h = tpm2_get_u32(r.b + 10);
	tt_skip(&r, 8);
	tpm2_rd_tpm2b(&r.r, &p, &n, 2048);
	CHECK(n == 0, "createloaded of a primary returns no private");
	tpm2_rd_public_sized(&r.r, &pub, false);
	tpm2_rd_digest(&r.r, &name);
	tt_flush(t, h);
	{
		struct obj_out o;
		CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &o), 0, "createprimary of the same template");
		CHECK(o.name.size == name.size && !memcmp(o.name.buf, name.buf, name.size),
		      "createloaded(hierarchy) and createprimary derive the same key");
		h2 = o.handle;
		tt_flush(t, h2);
	}
	/* ECC_Parameters */
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ECC_Parameters);
	tt_u16(&c, TPM_ECC_NIST_P256);
	CHECK_RC(tt_exec(t, &c, &r), 0, "ecc_parameters p256");
	{
		const tc_ecc_params *ep = tc_ecc_get_params(TC_ECC_NIST_P256);
		uint16_t id, bits, kdf, kdf_hash, sign;
		tpm2_rd_u16(&r.r, &id); tpm2_rd_u16(&r.r, &bits);
		tpm2_rd_u16(&r.r, &kdf); tpm2_rd_u16(&r.r, &kdf_hash); tpm2_rd_u16(&r.r, &sign);
		tpm2_rd_tpm2b(&r.r, &p, &n, 66);
		CHECK(id == TPM_ECC_NIST_P256 && bits == 256 && n == 32 && !memcmp(p, ep->p, 32),
		      "ecc_parameters p256 returns the curve's p");
		CHECK(kdf == TPM_ALG_KDF1_SP800_56A && kdf_hash == TPM_ALG_SHA256 && sign == TPM_ALG_NULL,
		      "ecc_parameters p256 kdf KDF1_SP800_56A(SHA-256), no sign scheme (as libtpms)");
	}
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ECC_Parameters);
	tt_u16(&c, TPM_ECC_NIST_P521);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_CURVE + TPM_RC_P + TPM_RC_1, "ecc_parameters of an unsupported curve -> CURVE+P1");
}

static void test_p384(struct tpm2 *t, uint32_t srk)
{
	struct tmpl x = ecc_tmpl(SIGN_ATTRS, NULL, 0, 0, TPM_ALG_ECDSA, TPM_ECC_NIST_P384);
	struct obj_out o;
	uint32_t h;
	uint8_t digest[32];
	struct tt_cmd c;
	struct tt_rsp r;
	struct tpmt_signature sig;
	tc_ecc_point q;
	memset(digest, 0x77, sizeof digest);
	CHECK_RC(create(t, srk, &x, "", NULL, 0, &o), 0, "create p384 ecdsa key");
	CHECK(o.pub.unique.ecc.x_size == 48, "p384 public coordinate is 48 bytes");
	CHECK_RC(load(t, srk, &o, &h), 0, "load p384 key");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
	tt_u32(&c, h);
	tt_pw_sessions(&c, "", NULL);
	tt_tpm2b(&c, digest, 32);
	tt_u16(&c, TPM_ALG_NULL);
	tt_u16(&c, TPM_ST_HASHCHECK); tt_u32(&c, TPM_RH_NULL); tt_u16(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), 0, "sign p384");
	tt_skip(&r, 4);
	tpm2_rd_signature(&r.r, &sig);
	tc_ecc_point_set(&q, TC_ECC_NIST_P384, o.pub.unique.ecc.x, 48, o.pub.unique.ecc.y, 48);
	CHECK(tc_ecdsa_verify(&q, digest, 32, sig.u.ecc.r, sig.u.ecc.r_size, sig.u.ecc.s,
	                      sig.u.ecc.s_size) == TC_OK, "p384 signature verifies with tcrypto");
	tt_flush(t, h);
}

/* Derived objects: CreateLoaded under a keyed-hash derivation parent (restricted|decrypt, XOR
 * scheme); the ECC template's unique holds TPMS_DERIVE (label, context). */
static uint32_t create_derived(struct tpm2 *t, uint32_t parent, const char *label,
                               const char *context, uint16_t type, struct tpmt_public *out,
                               uint32_t *h)
{
	struct tmpl x;
	struct tt_cmd c;
	struct tt_rsp r;
	const uint8_t *p;
	uint16_t n;
	if (type == TPM_ALG_ECC) {
		x.n = 0;
		/* sensitiveDataOrigin clear: everything comes from the parent */
		t16(&x, TPM_ALG_ECC); t16(&x, TPM_ALG_SHA256);
		t32(&x, SIGN_ATTRS & ~TPMA_OBJECT_SENSITIVEDATAORIGIN); tb(&x, NULL, 0);
		t16(&x, TPM_ALG_NULL); t16(&x, TPM_ALG_ECDSA); t16(&x, TPM_ALG_SHA256);
		t16(&x, TPM_ECC_NIST_P256); t16(&x, TPM_ALG_NULL);
		tb(&x, label, strlen(label)); tb(&x, context, strlen(context));
	} else {
		x = rsa_tmpl(SIGN_ATTRS, NULL, 0, 0, TPM_ALG_NULL, 0, 0);
	}
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_CreateLoaded);
	tt_u32(&c, parent);
	tt_pw_sessions(&c, "", NULL);
	sens_create(&c, "", NULL, 0);
	tt_tpm2b(&c, x.b, x.n);
	if (tt_exec(t, &c, &r))
		return r.rc;
	*h = tpm2_get_u32(r.b + 10);
	tt_skip(&r, 8);
	tpm2_rd_tpm2b(&r.r, &p, &n, 2048);
	return tpm2_rd_public_sized(&r.r, out, false);
}

static void test_derived(struct tpm2 *t)
{
	struct tmpl x = { .n = 0 };
	struct obj_out dp;
	struct tpmt_public a, b, d;
	uint32_t h1 = 0, h2 = 0, h3 = 0;
	/* fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|restricted|decrypt, XOR(SHA-256, KDF1_SP800_108) */
	t16(&x, TPM_ALG_KEYEDHASH); t16(&x, TPM_ALG_SHA256); t32(&x, SRK_ATTRS); tb(&x, NULL, 0);
	t16(&x, TPM_ALG_XOR); t16(&x, TPM_ALG_SHA256); t16(&x, TPM_ALG_KDF1_SP800_108);
	tb(&x, NULL, 0);
	CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &dp), 0, "derivation parent (keyed-hash, XOR) createprimary");
	CHECK_RC(create_derived(t, dp.handle, "label", "ctx-1", TPM_ALG_ECC, &a, &h1), 0, "createloaded derived p256 key");
	CHECK_RC(create_derived(t, dp.handle, "label", "ctx-1", TPM_ALG_ECC, &b, &h2), 0, "createloaded the same derived key again");
	CHECK(a.unique.ecc.x_size == 32 && same_unique(&a, &b), "same parent + label + context -> same derived key");
	tt_flush(t, h2);
	CHECK_RC(create_derived(t, dp.handle, "label", "ctx-2", TPM_ALG_ECC, &d, &h3), 0, "derived key with another context");
	CHECK(!same_unique(&a, &d), "another context -> another derived key");
	tt_flush(t, h3);
	tt_flush(t, h1);
	{
		struct tt_cmd c;
		struct tt_rsp r;
		struct tmpl y = ecc_tmpl(SIGN_ATTRS, NULL, 0, 0, TPM_ALG_ECDSA, TPM_ECC_NIST_P256);
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_CreateLoaded);
		tt_u32(&c, dp.handle);
		tt_pw_sessions(&c, "", NULL);
		sens_create(&c, "", NULL, 0);
		tt_tpm2b(&c, y.b, y.n);
		CHECK_RC(tt_exec(t, &c, &r), TPM_RC_ATTRIBUTES, "derived object with sensitiveDataOrigin -> ATTRIBUTES (unnumbered, as libtpms)");
	}
	/* the template is read with a TPMS_DERIVE unique first: a plain RSA template lacks the
	 * context (INSUFFICIENT+P2, as libtpms); with one, RSA is TYPE+P2 (features vs libtpms) */
	CHECK_RC(create_derived(t, dp.handle, "label", "ctx", TPM_ALG_RSA, &d, &h3),
	         TPM_RC_INSUFFICIENT + TPM_RC_P + TPM_RC_2,
	         "derived plain rsa template -> INSUFFICIENT+P2 (no TPMS_DERIVE context)");
	tt_flush(t, dp.handle);
}

/* RSA-3072 ("3072 if cheap"): create, load, RSASSA-SHA384 signature checked with tcrypto. */
static void test_rsa3072(struct tpm2 *t, uint32_t srk)
{
	struct tmpl x = rsa_tmpl(SIGN_ATTRS, NULL, 0, 0, TPM_ALG_RSASSA, TPM_ALG_SHA384, 0);
	struct obj_out o;
	uint32_t h;
	uint8_t digest[48];
	struct tt_cmd c;
	struct tt_rsp r;
	struct tpmt_signature sig;
	tc_rsa_pub pk;
	x.b[x.n - 8] = 0x0C; x.b[x.n - 7] = 0x00;   /* keyBits 3072 */
	memset(digest, 0x38, sizeof digest);
	CHECK_RC(create(t, srk, &x, "", NULL, 0, &o), 0, "create rsa3072 rsassa-sha384 key");
	CHECK(o.pub.key_bits == 3072 && o.pub.unique.rsa.size == 384, "rsa3072 modulus is 384 bytes");
	if (load(t, srk, &o, &h))
		return;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
	tt_u32(&c, h);
	tt_pw_sessions(&c, "", NULL);
	tt_tpm2b(&c, digest, 48);
	tt_u16(&c, TPM_ALG_NULL);
	tt_u16(&c, TPM_ST_HASHCHECK); tt_u32(&c, TPM_RH_NULL); tt_u16(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), 0, "sign rsa3072");
	tt_skip(&r, 4);
	tpm2_rd_signature(&r.r, &sig);
	tc_rsa_pub_set(&pk, o.pub.unique.rsa.buf, 384, 0);
	CHECK(sig.alg == TPM_ALG_RSASSA && sig.hash == TPM_ALG_SHA384 &&
	      tc_rsa_verify(&pk, TC_ALG_RSASSA, TC_ALG_SHA384, digest, 48, sig.u.rsa.buf,
	                    sig.u.rsa.size) == TC_OK, "rsa3072 signature verifies with tcrypto");
	tt_flush(t, h);
}

int main(void)
{
	struct tpm2 *t;
	struct obj_out srk;
	struct tmpl x;
	test_ek_determinism();
	test_ek_pinned();
	t = tt_new();
	test_bad_templates(t);
	test_loadexternal_context(t);
	test_restricted_sign(t);
	test_derived(t);
	x = rsa_tmpl(SRK_ATTRS, NULL, 0, 128, TPM_ALG_NULL, 0, 0);
	CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &srk), 0, "rsa2048 srk createprimary");
	test_seal(t, srk.handle);
	test_sign(t, srk.handle);
	test_rsa_crypt(t, srk.handle);
	test_sym(t, srk.handle);
	test_createloaded_ecdh_params(t, srk.handle);
	test_p384(t, srk.handle);
	test_rsa3072(t, srk.handle);
	test_credentials(t, srk.handle, "rsa");
	test_import(t, srk.handle, false);
	test_import(t, srk.handle, true);
	{
		struct obj_out esrk;
		x = ecc_tmpl(SRK_ATTRS, NULL, 0, 128, TPM_ALG_NULL, TPM_ECC_NIST_P256);
		CHECK_RC(create_primary(t, TPM_RH_OWNER, &x, "", &esrk), 0, "p256 srk createprimary");
		test_credentials(t, esrk.handle, "ecc");
		tt_flush(t, esrk.handle);
	}
	test_flush_zeroises(t, srk.handle);
	test_evict_readpublic(t, srk.handle, &srk.name);
	free(t);
	return tt_done();
}
