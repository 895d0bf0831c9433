/*
 * Sessions through tpm2_execute: StartAuthSession (unsalted, RSA- and ECC-salted, bound),
 * HMAC authorization computed independently here with the crypto layer (cpHash, rpHash,
 * nonce rolling), bind rules, DA, parameter encryption (AES-CFB, XOR), session audit,
 * continueSession, ContextSave/ContextLoad of sessions.
 */
#include "tpm2_test.h"
#include "tpm2_session.h"

struct sess {
	uint32_t handle;
	uint16_t hash;
	uint8_t key[64];
	size_t klen;
	uint8_t nt[64];          /* nonceTPM */
	size_t ntlen;
	uint8_t nc[32];          /* nonceCaller (this command) */
	uint16_t sym_alg, sym_bits;
};

static uint8_t nonce_ctr;

static void new_nonce(struct sess *s)
{
	for (size_t i = 0; i < sizeof s->nc; i++)
		s->nc[i] = (uint8_t)(nonce_ctr * 7 + i);
	nonce_ctr++;
}

/* StartAuthSession; salt (already encrypted) optional; bind_auth: the bind entity's auth. */
static uint32_t start(struct tpm2 *t, struct sess *s, uint8_t type, uint32_t tpm_key,
                      uint32_t bind, const uint8_t *enc_salt, size_t enc_len,
                      const uint8_t *salt, size_t salt_len, const char *bind_auth,
                      uint16_t sym_alg, uint16_t sym_bits)
{
	struct tt_cmd c;
	struct tt_rsp r;
	uint8_t kin[128];
	size_t kl = 0;
	memset(s, 0, sizeof *s);
	s->hash = TPM_ALG_SHA256;
	s->sym_alg = sym_alg;
	s->sym_bits = sym_bits;
	new_nonce(s);
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
	tt_u32(&c, tpm_key);
	tt_u32(&c, bind);
	tt_tpm2b(&c, s->nc, 32);
	tt_tpm2b(&c, enc_len ? enc_salt : (const uint8_t *)"", enc_len);
	tt_u8(&c, type);
	tt_u16(&c, sym_alg);
	if (sym_alg == TPM_ALG_AES) {
		tt_u16(&c, sym_bits);
		tt_u16(&c, TPM_ALG_CFB);
	} else if (sym_alg == TPM_ALG_XOR) {
		tt_u16(&c, TPM_ALG_SHA256);
	}
	tt_u16(&c, TPM_ALG_SHA256);
	if (tt_exec(t, &c, &r))
		return r.rc;
	s->handle = tpm2_get_u32(r.b + 10);
	s->ntlen = tpm2_get_u16(r.b + 14);
	memcpy(s->nt, r.b + 16, s->ntlen);
	if (bind_auth) {
		memcpy(kin, bind_auth, strlen(bind_auth));
		kl = strlen(bind_auth);
	}
	if (salt_len)
		memcpy(kin + kl, salt, salt_len);
	kl += salt_len;
	if (kl) {
		tc_kdfa(TPM_ALG_SHA256, kin, kl, "ATH", 3, s->nt, s->ntlen, s->nc, 32, 256, s->key);
		s->klen = 32;
	}
	return 0;
}

/* A command with one HMAC session.  handles/names: the command's handles and their Names;
 * auth: the authorized entity's authValue (NULL: not included). */
struct one {
	uint32_t cc;
	uint32_t handles[3];
	unsigned nh;
	uint8_t names[3][68];
	size_t name_len[3];
	const uint8_t *params;
	size_t plen;
	const char *auth;
	uint8_t attrs;
	bool bad_hmac;
};

static void hkey(const struct sess *s, const char *auth, uint8_t *key, size_t *kl)
{
	memcpy(key, s->key, s->klen);
	*kl = s->klen;
	if (auth) {
		memcpy(key + *kl, auth, strlen(auth));
		*kl += strlen(auth);
	}
}

static void cp_hash(const struct one *o, const uint8_t *params, uint8_t *cp)
{
	tc_hash_ctx h;
	uint8_t be[4];
	tc_hash_init(&h, TPM_ALG_SHA256);
	tpm2_put_u32(be, o->cc);
	tc_hash_update(&h, be, 4);
	for (unsigned i = 0; i < o->nh; i++)
		tc_hash_update(&h, o->names[i], o->name_len[i]);
	if (o->plen)
		tc_hash_update(&h, params, o->plen);
	tc_hash_final(&h, cp);
}

/* Sends the command; checks the response HMAC and rolls the nonce.  Returns the rc;
 * *rsp_ok = response HMAC verified. */
static uint32_t run_one(struct tpm2 *t, struct sess *s, const struct one *o, struct tt_rsp *r,
                        bool *rsp_ok, const uint8_t **rparams, size_t *rplen)
{
	struct tt_cmd c;
	uint8_t cp[32], mac[32], key[160], rp[32];
	size_t kl;
	tc_hmac_ctx m;
	new_nonce(s);
	cp_hash(o, o->params, cp);
	hkey(s, o->auth, key, &kl);
	tc_hmac_init(&m, TPM_ALG_SHA256, key, kl);
	tc_hmac_update(&m, cp, 32);
	tc_hmac_update(&m, s->nc, 32);
	tc_hmac_update(&m, s->nt, s->ntlen);
	tc_hmac_update(&m, &o->attrs, 1);
	tc_hmac_final(&m, mac);
	if (o->bad_hmac)
		mac[0] ^= 1;
	tt_begin(&c, TPM_ST_SESSIONS, o->cc);
	for (unsigned i = 0; i < o->nh; i++)
		tt_u32(&c, o->handles[i]);
	tt_u32(&c, 4 + 2 + 32 + 1 + 2 + 32);
	tt_u32(&c, s->handle);
	tt_tpm2b(&c, s->nc, 32);
	tt_u8(&c, o->attrs);
	tt_tpm2b(&c, mac, 32);
	if (o->plen)
		tt_bytes(&c, o->params, o->plen);
	*rsp_ok = false;
	if (tt_exec(t, &c, r))
		return r->rc;
	{
		/* handles out? none of the commands used here return one */
		size_t off = 10, psz = tpm2_get_u32(r->b + off);
		const uint8_t *p = r->b + off + 4, *a = p + psz;
		uint16_t ntl = tpm2_get_u16(a);
		uint8_t at = a[2 + ntl];
		const uint8_t *hm = a + 2 + ntl + 1 + 2;
		tc_hash_ctx h;
		uint8_t be[4] = { 0, 0, 0, 0 };
		*rparams = p;
		*rplen = psz;
		tc_hash_init(&h, TPM_ALG_SHA256);
		tc_hash_update(&h, be, 4);
		tpm2_put_u32(be, o->cc);
		tc_hash_update(&h, be, 4);
		tc_hash_update(&h, p, psz);
		tc_hash_final(&h, rp);
		memcpy(s->nt, a + 2, ntl);
		s->ntlen = ntl;
		tc_hmac_init(&m, TPM_ALG_SHA256, key, kl);
		tc_hmac_update(&m, rp, 32);
		tc_hmac_update(&m, s->nt, s->ntlen);
		tc_hmac_update(&m, s->nc, 32);
		tc_hmac_update(&m, &at, 1);
		tc_hmac_final(&m, mac);
		*rsp_ok = tpm2_get_u16(a + 2 + ntl + 1) == 32 && !memcmp(mac, hm, 32);
	}
	return 0;
}

static void pcr_name(struct one *o, unsigned i, uint32_t h)
{
	o->handles[i] = h;
	tpm2_put_u32(o->names[i], h);
	o->name_len[i] = 4;
}

/* PCR_Extend(pcr, sha256 digest d) with an HMAC session. */
static uint32_t extend_with(struct tpm2 *t, struct sess *s, uint32_t pcr, uint8_t attrs,
                            bool bad, bool *ok)
{
	uint8_t params[4 + 2 + 32];
	struct one o;
	struct tt_rsp r;
	const uint8_t *rp;
	size_t rl;
	memset(&o, 0, sizeof o);
	o.cc = TPM_CC_PCR_Extend;
	o.nh = 1;
	pcr_name(&o, 0, pcr);
	tpm2_put_u32(params, 1);
	tpm2_put_u16(params + 4, TPM_ALG_SHA256);
	memset(params + 6, 0x5A, 32);
	o.params = params;
	o.plen = sizeof params;
	o.auth = "";
	o.attrs = attrs;
	o.bad_hmac = bad;
	return run_one(t, s, &o, &r, ok, &rp, &rl);
}

/* ------------------------------------------------------------------ tests */

static void test_start_errors(void)
{
	struct tpm2 *t = tt_new();
	struct tt_cmd c;
	struct tt_rsp r;
	struct sess s[4];
	static const uint8_t n8[8];
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
	tt_u32(&c, TPM_RH_NULL); tt_u32(&c, TPM_RH_NULL);
	tt_tpm2b(&c, n8, 8); tt_u16(&c, 0); tt_u8(&c, TPM_SE_HMAC); tt_u16(&c, TPM_ALG_NULL);
	tt_u16(&c, TPM_ALG_SHA256);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_SIZE + TPM_RC_P + TPM_RC_1, "start: nonceCaller < 16 -> SIZE+P1");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
	tt_u32(&c, TPM_RH_NULL); tt_u32(&c, TPM_RH_NULL);
	tt_tpm2b(&c, s[0].nc, 16); tt_u16(&c, 0); tt_u8(&c, 2); tt_u16(&c, TPM_ALG_NULL);
	tt_u16(&c, TPM_ALG_SHA256);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_P + TPM_RC_3, "start: sessionType 2 -> VALUE+P3");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
	tt_u32(&c, TPM_RH_NULL); tt_u32(&c, TPM_RH_NULL);
	tt_tpm2b(&c, s[0].nc, 16); tt_u16(&c, 0); tt_u8(&c, TPM_SE_HMAC);
	tt_u16(&c, TPM_ALG_AES); tt_u16(&c, 128); tt_u16(&c, TPM_ALG_CBC);
	tt_u16(&c, TPM_ALG_SHA256);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_MODE + TPM_RC_P + 0x400, "start: AES-CBC -> MODE+P4");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
	tt_u32(&c, TPM_RH_NULL); tt_u32(&c, TPM_RH_NULL);
	tt_tpm2b(&c, s[0].nc, 16); tt_tpm2b(&c, n8, 8); tt_u8(&c, TPM_SE_HMAC);
	tt_u16(&c, TPM_ALG_NULL); tt_u16(&c, TPM_ALG_SHA256);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_P + TPM_RC_2, "start: salt without tpmKey -> VALUE+P2");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
	tt_u32(&c, TPM_RH_NULL); tt_u32(&c, TPM_RH_NULL);
	tt_tpm2b(&c, s[0].nc, 16); tt_u16(&c, 0); tt_u8(&c, TPM_SE_HMAC);
	tt_u16(&c, TPM_ALG_NULL); tt_u16(&c, TPM_ALG_NULL);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_HASH + TPM_RC_P + 0x500, "start: authHash NULL -> HASH+P5");
	CHECK_RC(start(t, &s[0], TPM_SE_HMAC, TPM_RH_NULL, TPM_RH_NULL, NULL, 0, NULL, 0, NULL,
	               TPM_ALG_NULL, 0), 0, "start: HMAC session");
	CHECK(HANDLE_TYPE(s[0].handle) == TPM_HT_HMAC_SESSION && s[0].ntlen == 32,
	      "start: HMAC handle 0x02xxxxxx, nonceTPM of 32 bytes");
	CHECK_RC(start(t, &s[1], TPM_SE_POLICY, TPM_RH_NULL, TPM_RH_NULL, NULL, 0, NULL, 0, NULL,
	               TPM_ALG_NULL, 0), 0, "start: policy session");
	CHECK(HANDLE_TYPE(s[1].handle) == TPM_HT_POLICY_SESSION, "start: policy handle 0x03xxxxxx");
	CHECK_RC(start(t, &s[2], TPM_SE_TRIAL, TPM_RH_NULL, TPM_RH_NULL, NULL, 0, NULL, 0, NULL,
	               TPM_ALG_NULL, 0), 0, "start: trial session");
	{
		unsigned n = 3;
		while (n < TPM2_SESSION_SLOTS &&
		       start(t, &s[3], TPM_SE_HMAC, TPM_RH_NULL, TPM_RH_NULL, NULL, 0, NULL, 0, NULL,
		             TPM_ALG_NULL, 0) == 0)
			n++;
		CHECK(n == TPM2_SESSION_SLOTS, "start: every session slot can be used");
		CHECK_RC(start(t, &s[3], TPM_SE_HMAC, TPM_RH_NULL, TPM_RH_NULL, NULL, 0, NULL, 0, NULL,
		               TPM_ALG_NULL, 0), TPM_RC_SESSION_MEMORY, "start: one more -> SESSION_MEMORY");
	}
	{
		bool ok;
		CHECK_RC(extend_with(t, &s[2], 16, TPMA_SESSION_CONTINUESESSION, false, &ok),
		         TPM_RC_ATTRIBUTES + TPM_RC_S + TPM_RC_1, "trial session used for authorization -> ATTRIBUTES+S1");
	}
	free(t);
}

static void test_hmac(void)
{
	struct tpm2 *t = tt_new();
	struct sess s;
	bool ok;
	uint8_t old[64];
	CHECK_RC(start(t, &s, TPM_SE_HMAC, TPM_RH_NULL, TPM_RH_NULL, NULL, 0, NULL, 0, NULL,
	               TPM_ALG_NULL, 0), 0, "hmac: start unsalted unbound");
	memcpy(old, s.nt, 32);
	CHECK_RC(extend_with(t, &s, 16, TPMA_SESSION_CONTINUESESSION, false, &ok), 0,
	         "hmac: PCR_Extend with a correct HMAC");
	CHECK(ok, "hmac: response HMAC verifies");
	CHECK(memcmp(old, s.nt, 32) != 0, "hmac: nonceTPM rolled");
	CHECK_RC(extend_with(t, &s, 16, TPMA_SESSION_CONTINUESESSION, false, &ok), 0,
	         "hmac: second command with the rolled nonce");
	CHECK_RC(extend_with(t, &s, 16, TPMA_SESSION_CONTINUESESSION, true, &ok),
	         TPM_RC_BAD_AUTH + TPM_RC_S + TPM_RC_1, "hmac: wrong HMAC on a PCR -> BAD_AUTH+S1");
	CHECK_RC(extend_with(t, &s, 16, 0, false, &ok), 0, "hmac: continueSession clear");
	CHECK(tpm2_session_lookup(t, s.handle) == NULL, "hmac: session flushed after the command");
	free(t);
}

/* Bound to the platform hierarchy (authValue "plat"): sessionKey from its authValue; for the
 * bind entity the HMAC leaves the authValue out, for others it's included. */
static void test_bound(void)
{
	struct tpm2 *t = tt_new();
	struct sess s;
	bool ok;
	tpm2_auth_set(&t->platform.auth, (const uint8_t *)"plat", 4);
	CHECK_RC(start(t, &s, TPM_SE_HMAC, TPM_RH_NULL, TPM_RH_PLATFORM, NULL, 0, NULL, 0, "plat",
	               TPM_ALG_NULL, 0), 0, "bound: start bound to platform");
	CHECK_RC(extend_with(t, &s, 16, TPMA_SESSION_CONTINUESESSION, false, &ok), 0,
	         "bound: authorizes a PCR (not the bind entity) with sessionKey||authValue");
	CHECK(ok, "bound: response HMAC verifies (key from the bind authValue)");
	{
		/* PCR_Allocate(platform) - the bind entity: key = sessionKey only */
		struct one o;
		struct tt_rsp r;
		const uint8_t *rp;
		size_t rl;
		uint8_t params[4];
		memset(&o, 0, sizeof o);
		o.cc = TPM_CC_PCR_Allocate;
		o.nh = 1;
		pcr_name(&o, 0, TPM_RH_PLATFORM);
		tpm2_put_u32(params, 0);
		o.params = params;
		o.plen = 4;
		o.auth = NULL;
		o.attrs = TPMA_SESSION_CONTINUESESSION;
		CHECK_RC(run_one(t, &s, &o, &r, &ok, &rp, &rl), 0, "bound: authorizes its bind entity without authValue");
		CHECK(ok, "bound: response HMAC for the bind entity verifies");
		o.auth = "plat";
		CHECK_RC(run_one(t, &s, &o, &r, &ok, &rp, &rl), TPM_RC_BAD_AUTH + TPM_RC_S + TPM_RC_1,
		         "bound: authValue wrongly included for the bind entity -> BAD_AUTH");
	}
	free(t);
	/* unbound session on the platform: authValue included */
	t = tt_new();
	tpm2_auth_set(&t->platform.auth, (const uint8_t *)"plat", 4);
	CHECK_RC(start(t, &s, TPM_SE_HMAC, TPM_RH_NULL, TPM_RH_NULL, NULL, 0, NULL, 0, NULL,
	               TPM_ALG_NULL, 0), 0, "unbound: start");
	{
		struct one o;
		struct tt_rsp r;
		const uint8_t *rp;
		size_t rl;
		uint8_t params[4] = { 0 };
		memset(&o, 0, sizeof o);
		o.cc = TPM_CC_PCR_Allocate;
		o.nh = 1;
		pcr_name(&o, 0, TPM_RH_PLATFORM);
		o.params = params;
		o.plen = 4;
		o.auth = "plat";
		o.attrs = TPMA_SESSION_CONTINUESESSION;
		CHECK_RC(run_one(t, &s, &o, &r, &ok, &rp, &rl), 0, "unbound: HMAC keyed with the authValue");
		CHECK(ok, "unbound: response HMAC verifies");
		o.auth = "nope";
		CHECK_RC(run_one(t, &s, &o, &r, &ok, &rp, &rl), TPM_RC_BAD_AUTH + TPM_RC_S + TPM_RC_1,
		         "unbound: wrong authValue -> BAD_AUTH+S1");
	}
	free(t);
}


static uint32_t inject_ecc(struct tpm2 *t, tc_ecc_point *pub, tc_ecc_priv *sk, uint32_t attrs,
                           uint16_t scheme)
{
	struct tpm2_slot *sl = tpm2_slot_alloc(t, TPM2_SLOT_OBJECT);
	struct tpm2_object *o = &sl->u.obj;
	tc_drbg d;
	tc_drbg_init(&d, TPM_ALG_SHA256, "ecc", 3, &attrs, sizeof attrs);
	tc_ecc_keygen(TPM_ECC_NIST_P256, tc_drbg_prng(&d), sk, pub);
	o->pub.type = TPM_ALG_ECC;
	o->pub.name_alg = TPM_ALG_SHA256;
	o->pub.attrs = attrs;
	o->pub.scheme.alg = scheme;
	o->pub.scheme.hash = TPM_ALG_SHA256;
	o->pub.symmetric.alg = TPM_ALG_NULL;
	o->pub.curve = TPM_ECC_NIST_P256;
	o->pub.kdf.alg = TPM_ALG_NULL;
	o->pub.unique.ecc.x_size = o->pub.unique.ecc.y_size = 32;
	memcpy(o->pub.unique.ecc.x, pub->x, 32);
	memcpy(o->pub.unique.ecc.y, pub->y, 32);
	o->sens.sensitive.size = 32;
	memcpy(o->sens.sensitive.buf, sk->d, 32);
	o->name.size = 34;
	tpm2_put_u16(o->name.buf, TPM_ALG_SHA256);
	memset(o->name.buf + 2, 0x43, 32);
	o->qname = o->name;
	o->hierarchy = TPM_RH_ENDORSEMENT;
	return sl->handle;
}

static void test_salted(void)
{
	struct tpm2 *t = tt_new();
	struct sess s;
	tc_rsa_pub pk;
	uint8_t salt[32], enc[256];
	size_t enc_len;
	tc_drbg d;
	bool ok;
	uint32_t key = tt_inject_rsa(t, &pk, "rsa", TPMA_OBJECT_DECRYPT | TPMA_OBJECT_RESTRICTED,
	                             TPM_ALG_NULL, TPM_RH_OWNER, 0x42);
	tc_drbg_init(&d, TPM_ALG_SHA256, "salt", 4, NULL, 0);
	memset(salt, 0xA5, sizeof salt);
	tc_rsa_encrypt(&pk, TC_ALG_OAEP, TPM_ALG_SHA256, "SECRET", 7, salt, 32, tc_drbg_prng(&d),
	               enc, sizeof enc, &enc_len);
	CHECK_RC(start(t, &s, TPM_SE_HMAC, key, TPM_RH_NULL, enc, enc_len, salt, 32, NULL,
	               TPM_ALG_AES, 128), 0, "salted: RSA-OAEP salted session starts");
	CHECK_RC(extend_with(t, &s, 16, TPMA_SESSION_CONTINUESESSION, false, &ok), 0,
	         "salted: HMAC keyed with KDFa(salt) accepted");
	CHECK(ok, "salted: response HMAC verifies");
	enc[5] ^= 1;
	CHECK_RC(start(t, &s, TPM_SE_HMAC, key, TPM_RH_NULL, enc, enc_len, salt, 32, NULL,
	               TPM_ALG_NULL, 0), TPM_RC_VALUE + TPM_RC_P + TPM_RC_2,
	         "salted: corrupted RSA salt -> VALUE+P2");
	free(t);

	t = tt_new();
	{
		tc_ecc_point tpub, epub, z;
		tc_ecc_priv tsk, esk;
		uint8_t blob[4 + 64];
		uint32_t k2 = inject_ecc(t, &tpub, &tsk, TPMA_OBJECT_DECRYPT | TPMA_OBJECT_RESTRICTED,
		                         TPM_ALG_NULL);
		tc_drbg_init(&d, TPM_ALG_SHA256, "eph", 3, NULL, 0);
		tc_ecc_keygen(TPM_ECC_NIST_P256, tc_drbg_prng(&d), &esk, &epub);
		tc_ecdh(&esk, &tpub, &z);
		tc_kdfe(TPM_ALG_SHA256, z.x, 32, "SECRET", 7, epub.x, 32, tpub.x, 32, 256, salt);
		tpm2_put_u16(blob, 32); memcpy(blob + 2, epub.x, 32);
		tpm2_put_u16(blob + 34, 32); memcpy(blob + 36, epub.y, 32);
		CHECK_RC(start(t, &s, TPM_SE_HMAC, k2, TPM_RH_NULL, blob, 68, salt, 32, NULL,
		               TPM_ALG_NULL, 0), 0, "salted: ECC (ECDH + KDFe) salted session starts");
		CHECK_RC(extend_with(t, &s, 16, TPMA_SESSION_CONTINUESESSION, false, &ok), 0,
		         "salted: ECC-salted HMAC accepted");
		CHECK(ok, "salted: ECC-salted response HMAC verifies");
		blob[40] ^= 1;
		CHECK_RC(start(t, &s, TPM_SE_HMAC, k2, TPM_RH_NULL, blob, 68, salt, 32, NULL,
		               TPM_ALG_NULL, 0), TPM_RC_VALUE + TPM_RC_P + TPM_RC_2,
		         "salted: point off the curve -> VALUE+P2 (as the reference TPM)");
		{
			tc_ecc_point p2;
			tc_ecc_priv s2;
			uint32_t k3 = inject_ecc(t, &p2, &s2, TPMA_OBJECT_SIGN_ENCRYPT, TPM_ALG_ECDSA);
			CHECK_RC(start(t, &s, TPM_SE_HMAC, k3, TPM_RH_NULL, blob, 68, salt, 32, NULL,
			               TPM_ALG_NULL, 0), TPM_RC_ATTRIBUTES + TPM_RC_H + TPM_RC_1,
			         "salted: tpmKey not a decrypt key -> ATTRIBUTES+H1");
		}
	}
	free(t);
}

/* PCR_Event with a decrypt session: the event data goes in encrypted; PCR 16 must hold the
 * extend of the plaintext's digest.  AES-128-CFB and XOR. */
static void test_param_decrypt(uint16_t alg, uint16_t bits, const char *name)
{
	struct tpm2 *t = tt_new();
	struct sess s;
	uint8_t data[20], params[22], kiv[32], expect[32], zero_h[64], key[64];
	struct one o;
	struct tt_rsp r;
	const uint8_t *rp;
	size_t rl, kl;
	bool ok;
	char label[96];
	tc_hash_ctx h;
	memset(data, 0x33, sizeof data);
	CHECK_RC(start(t, &s, TPM_SE_HMAC, TPM_RH_NULL, TPM_RH_PLATFORM, NULL, 0, NULL, 0, "",
	               alg, bits), 0, name);
	/* a session key is needed for encryption: bind to a non-empty authValue */
	free(t);
	t = tt_new();
	tpm2_auth_set(&t->platform.auth, (const uint8_t *)"k", 1);
	start(t, &s, TPM_SE_HMAC, TPM_RH_NULL, TPM_RH_PLATFORM, NULL, 0, NULL, 0, "k", alg, bits);
	new_nonce(&s);
	memcpy(params + 2, data, sizeof data);
	tpm2_put_u16(params, sizeof data);
	hkey(&s, "", key, &kl);
	if (alg == TPM_ALG_AES) {
		tc_kdfa(TPM_ALG_SHA256, key, kl, "CFB", 3, s.nc, 32, s.nt, s.ntlen, 256, kiv);
		tc_aes_crypt(TC_ALG_CFB, true, kiv, 16, kiv + 16, params + 2, params + 2, sizeof data);
	} else {
		tc_xor_obfuscate(TPM_ALG_SHA256, key, kl, s.nc, 32, s.nt, s.ntlen, params + 2,
		                 sizeof data);
	}
	/* run_one draws a new nonce: pre-compute with the one it will use */
	nonce_ctr--;
	memset(&o, 0, sizeof o);
	o.cc = TPM_CC_PCR_Event;
	o.nh = 1;
	pcr_name(&o, 0, 16);
	o.params = params;
	o.plen = sizeof params;
	o.auth = "";
	o.attrs = TPMA_SESSION_CONTINUESESSION | TPMA_SESSION_DECRYPT;
	snprintf(label, sizeof label, "%s: PCR_Event with encrypted eventData", name);
	CHECK_RC(run_one(t, &s, &o, &r, &ok, &rp, &rl), 0, label);
	memset(zero_h, 0, sizeof zero_h);
	tc_hash(TPM_ALG_SHA256, data, sizeof data, expect);
	tc_hash_init(&h, TPM_ALG_SHA256);
	tc_hash_update(&h, zero_h, 32);
	tc_hash_update(&h, expect, 32);
	tc_hash_final(&h, expect);
	snprintf(label, sizeof label, "%s: PCR 16 = extend(H(plaintext))", name);
	CHECK(!memcmp(t->pcr[tpm2_pcr_bank_index(TPM_ALG_SHA256)][16], expect, 32), label);
	snprintf(label, sizeof label, "%s: the decrypted eventData is wiped from the I/O buffer", name);
	CHECK(!tt_contains(t->io, sizeof t->io, data, sizeof data), label);
	free(t);
}

/* PolicyGetDigest of a fresh trial session (32 zero bytes) with an encrypt session. */
static void test_param_encrypt(uint16_t alg, uint16_t bits, const char *name)
{
	struct tpm2 *t = tt_new();
	struct sess s, trial;
	struct one o;
	struct tt_rsp r;
	const uint8_t *rp;
	size_t rl, kl;
	uint8_t buf[32], kiv[32], key[64], zero[32] = { 0 };
	bool ok;
	char label[96];
	tpm2_auth_set(&t->platform.auth, (const uint8_t *)"k", 1);
	start(t, &s, TPM_SE_HMAC, TPM_RH_NULL, TPM_RH_PLATFORM, NULL, 0, NULL, 0, "k", alg, bits);
	start(t, &trial, TPM_SE_TRIAL, TPM_RH_NULL, TPM_RH_NULL, NULL, 0, NULL, 0, NULL,
	      TPM_ALG_NULL, 0);
	memset(&o, 0, sizeof o);
	o.cc = TPM_CC_PolicyGetDigest;
	o.nh = 1;
	pcr_name(&o, 0, trial.handle);
	o.attrs = TPMA_SESSION_CONTINUESESSION | TPMA_SESSION_ENCRYPT;
	snprintf(label, sizeof label, "%s: PolicyGetDigest with response encryption", name);
	CHECK_RC(run_one(t, &s, &o, &r, &ok, &rp, &rl), 0, label);
	snprintf(label, sizeof label, "%s: response HMAC over the encrypted parameter", name);
	CHECK(ok && rl == 34 && tpm2_get_u16(rp) == 32, label);
	memcpy(buf, rp + 2, 32);
	hkey(&s, NULL, key, &kl);
	if (alg == TPM_ALG_AES) {
		tc_kdfa(TPM_ALG_SHA256, key, kl, "CFB", 3, s.nt, s.ntlen, s.nc, 32, 256, kiv);
		tc_aes_crypt(TC_ALG_CFB, false, kiv, 16, kiv + 16, buf, buf, 32);
	} else {
		tc_xor_obfuscate(TPM_ALG_SHA256, key, kl, s.nt, s.ntlen, s.nc, 32, buf, 32);
	}
	snprintf(label, sizeof label, "%s: decrypts to the trial digest (zeros)", name);
	CHECK(!memcmp(buf, zero, 32) && memcmp(rp + 2, zero, 32), label);
	free(t);
}

static void test_audit(void)
{
	struct tpm2 *t = tt_new();
	struct sess s;
	struct one o;
	struct tt_rsp r;
	const uint8_t *rp;
	size_t rl;
	bool ok;
	uint8_t params[2], digest[32] = { 0 }, cp[32], rph[32], be[4] = { 0 };
	tc_hash_ctx h;
	start(t, &s, TPM_SE_HMAC, TPM_RH_NULL, TPM_RH_NULL, NULL, 0, NULL, 0, NULL, TPM_ALG_NULL, 0);
	memset(&o, 0, sizeof o);
	o.cc = TPM_CC_GetRandom;
	tpm2_put_u16(params, 8);
	o.params = params;
	o.plen = 2;
	o.attrs = TPMA_SESSION_CONTINUESESSION | TPMA_SESSION_AUDIT;
	for (int i = 0; i < 2; i++) {
		CHECK_RC(run_one(t, &s, &o, &r, &ok, &rp, &rl), 0, "audit: GetRandom in an audit session");
		cp_hash(&o, params, cp);
		tc_hash_init(&h, TPM_ALG_SHA256);
		tc_hash_update(&h, be, 4);
		tpm2_put_u32(be, TPM_CC_GetRandom);
		tc_hash_update(&h, be, 4);
		memset(be, 0, 4);
		tc_hash_update(&h, rp, rl);
		tc_hash_final(&h, rph);
		tc_hash_init(&h, TPM_ALG_SHA256);
		tc_hash_update(&h, digest, 32);
		tc_hash_update(&h, cp, 32);
		tc_hash_update(&h, rph, 32);
		tc_hash_final(&h, digest);
	}
	CHECK(ok, "audit: response HMAC verifies (auditExclusive reported)");
	{
		struct tpm2_session *ts = tpm2_session_lookup(t, s.handle);
		CHECK(ts && !memcmp(ts->audit_digest.buf, digest, 32),
		      "audit: session digest = H(H(0||cp1||rp1)||cp2||rp2)");
	}
	/* GetSessionAuditDigest(EH, NULL signer) returns that digest, exclusive */
	{
		struct tt_cmd c;
		size_t off;
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_GetSessionAuditDigest);
		tt_u32(&c, TPM_RH_ENDORSEMENT);
		tt_u32(&c, TPM_RH_NULL);
		tt_u32(&c, s.handle);
		tt_pw_sessions(&c, "", "");
		tt_u16(&c, 0);
		tt_u16(&c, TPM_ALG_NULL);
		CHECK_RC(tt_exec(t, &c, &r), 0, "audit: GetSessionAuditDigest (unsigned)");
		off = 10 + 4 + 2;   /* parameterSize, TPM2B_ATTEST size */
		CHECK(tpm2_get_u32(r.b + off) == TPM_GENERATED_VALUE &&
		      tpm2_get_u16(r.b + off + 4) == TPM_ST_ATTEST_SESSION_AUDIT,
		      "audit: TPMS_ATTEST magic and type");
		/* magic 4, type 2, signer 2+4, extra 2+0, clock 17, fw 8, exclusive 1, digest 2+32 */
		off += 4 + 2 + 2 + 4 + 2 + 17 + 8;
		CHECK(r.b[off] == 1 && tpm2_get_u16(r.b + off + 1) == 32 &&
		      !memcmp(r.b + off + 3, digest, 32), "audit: attested digest and exclusivity");
		/* that command had no audit session: the session is no longer exclusive */
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_GetSessionAuditDigest);
		tt_u32(&c, TPM_RH_ENDORSEMENT);
		tt_u32(&c, TPM_RH_NULL);
		tt_u32(&c, s.handle);
		tt_pw_sessions(&c, "", "");
		tt_u16(&c, 0);
		tt_u16(&c, TPM_ALG_NULL);
		CHECK_RC(tt_exec(t, &c, &r), 0, "audit: GetSessionAuditDigest again");
		CHECK(r.b[off] == 0 && !memcmp(r.b + off + 3, digest, 32),
		      "audit: a command outside the session ended its exclusivity");
	}
	free(t);
}

static void test_da(void)
{
	struct tpm2 *t = tt_new();
	struct sess s, pol;
	struct tpm2_nv_index *nv = &t->nv[0];
	struct one o;
	struct tt_rsp r;
	const uint8_t *rp;
	size_t rl;
	bool ok;
	uint8_t params[2 + 0 + 2 + 2 + 4] = { 0 };
	memset(nv, 0, sizeof *nv);
	nv->pub.index = 0x01500001;
	nv->pub.name_alg = TPM_ALG_SHA256;
	nv->pub.attrs = TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE;
	nv->pub.data_size = 0;
	tpm2_auth_set(&nv->auth, (const uint8_t *)"nvpw", 4);
	t->da.max_tries = 2;
	t->da.failed_tries = 0;
	t->da.recovery_time = 1000;
	start(t, &s, TPM_SE_HMAC, TPM_RH_NULL, TPM_RH_NULL, NULL, 0, NULL, 0, NULL, TPM_ALG_NULL, 0);
	start(t, &pol, TPM_SE_POLICY, TPM_RH_NULL, TPM_RH_NULL, NULL, 0, NULL, 0, NULL,
	      TPM_ALG_NULL, 0);
	memset(&o, 0, sizeof o);
	o.cc = TPM_CC_PolicySecret;
	o.nh = 2;
	o.handles[0] = nv->pub.index;
	o.name_len[0] = tpm2_nv_name(nv, o.names[0]);
	pcr_name(&o, 1, pol.handle);
	o.params = params;
	o.plen = sizeof params;
	o.auth = "nvpw";
	o.attrs = TPMA_SESSION_CONTINUESESSION;
	CHECK_RC(run_one(t, &s, &o, &r, &ok, &rp, &rl), 0, "da: PolicySecret with the NV authValue");
	CHECK(ok, "da: response HMAC verifies");
	o.auth = "bad";
	CHECK_RC(run_one(t, &s, &o, &r, &ok, &rp, &rl), TPM_RC_AUTH_FAIL + TPM_RC_S + TPM_RC_1,
	         "da: wrong HMAC on a DA entity -> AUTH_FAIL+S1");
	CHECK(t->da.failed_tries == 1, "da: failure counted");
	run_one(t, &s, &o, &r, &ok, &rp, &rl);
	o.auth = "nvpw";
	CHECK_RC(run_one(t, &s, &o, &r, &ok, &rp, &rl), TPM_RC_LOCKOUT,
	         "da: after maxTries even the right HMAC -> LOCKOUT");
	free(t);
}

static void test_context(void)
{
	struct tpm2 *t = tt_new();
	struct sess s;
	static uint8_t blob[4096], blob2[4096];
	size_t len, len2;
	bool ok;
	start(t, &s, TPM_SE_HMAC, TPM_RH_NULL, TPM_RH_NULL, NULL, 0, NULL, 0, NULL, TPM_ALG_NULL, 0);
	CHECK_RC(tt_context_save(t, s.handle, blob, &len), 0, "context: save an HMAC session");
	CHECK_RC(extend_with(t, &s, 16, TPMA_SESSION_CONTINUESESSION, false, &ok),
	         TPM_RC_REFERENCE_S0, "context: saved session not usable -> REFERENCE_S0");
	nonce_ctr--;
	CHECK_RC(tt_context_load(t, blob, len, NULL), 0, "context: load it back");
	CHECK_RC(extend_with(t, &s, 16, TPMA_SESSION_CONTINUESESSION, false, &ok), 0,
	         "context: loaded session authorizes with its nonce and key");
	CHECK(ok, "context: response HMAC verifies after load");
	CHECK_RC(tt_context_load(t, blob, len, NULL), TPM_RC_HANDLE + TPM_RC_P + TPM_RC_1,
	         "context: loading a loaded session again -> HANDLE+P1");
	CHECK_RC(tt_context_save(t, s.handle, blob2, &len2), 0, "context: save again");
	CHECK_RC(tt_context_load(t, blob, len, NULL), TPM_RC_HANDLE + TPM_RC_P + TPM_RC_1,
	         "context: an older context of the session (replay) -> HANDLE+P1");
	blob2[len2 - 1] ^= 1;
	CHECK_RC(tt_context_load(t, blob2, len2, NULL), TPM_RC_INTEGRITY + TPM_RC_P + TPM_RC_1,
	         "context: tampered blob -> INTEGRITY+P1");
	blob2[len2 - 1] ^= 1;
	tt_shutdown(t, TPM_SU_CLEAR);
	tpm2_power_on(t);
	tt_startup(t, TPM_SU_CLEAR);
	CHECK_RC(tt_context_load(t, blob2, len2, NULL), TPM_RC_INTEGRITY + TPM_RC_P + TPM_RC_1,
	         "context: session saved before a TPM Reset -> INTEGRITY+P1");
	free(t);
}

/* A context-saved session survives Shutdown(STATE) + power loss + Startup(STATE), also through
 * the state blob (a new process); a Restart (Startup(CLEAR)) forgets it. */
static void test_resume(void)
{
	struct tpm2 *t = tt_new(), *u;
	struct sess s;
	static uint8_t blob[4096], state[200000];
	size_t len, n;
	bool ok;
	start(t, &s, TPM_SE_HMAC, TPM_RH_NULL, TPM_RH_NULL, NULL, 0, NULL, 0, NULL, TPM_ALG_NULL, 0);
	tt_context_save(t, s.handle, blob, &len);
	CHECK_RC(tt_shutdown(t, TPM_SU_STATE), 0, "resume: Shutdown(STATE) with a saved session");
	n = tpm2_state_save(t, tt_state_key, state, sizeof state);
	u = calloc(1, tpm2_instance_size());
	CHECK(n && tpm2_state_load(u, &tt_platform, tt_state_key, state, n) == 0, "resume: state blob reloaded");
	tpm2_power_on(u);
	CHECK_RC(tt_startup(u, TPM_SU_STATE), 0, "resume: Startup(STATE) in a new instance");
	CHECK_RC(tt_context_load(u, blob, len, NULL), 0, "resume: the saved session's context loads");
	nonce_ctr--;
	CHECK_RC(extend_with(u, &s, 16, TPMA_SESSION_CONTINUESESSION, false, &ok), 0,
	         "resume: and authorizes with its nonce");
	CHECK(ok, "resume: response HMAC verifies");
	CHECK_RC(tt_context_save(u, s.handle, blob, &len), 0, "resume: saved again");
	tt_shutdown(u, TPM_SU_STATE);
	tpm2_power_on(u);
	CHECK_RC(tt_startup(u, TPM_SU_CLEAR), 0, "resume: Startup(CLEAR) after Shutdown(STATE) (Restart)");
	CHECK_RC(tt_context_load(u, blob, len, NULL), TPM_RC_HANDLE + TPM_RC_P + TPM_RC_1,
	         "resume: a Restart forgets saved sessions -> HANDLE+P1");
	free(t);
	free(u);
}

int main(void)
{
	test_resume();
	test_start_errors();
	test_hmac();
	test_bound();
	test_salted();
	test_param_decrypt(TPM_ALG_AES, 128, "cfb");
	test_param_decrypt(TPM_ALG_XOR, 0, "xor");
	test_param_encrypt(TPM_ALG_AES, 128, "cfb");
	test_param_encrypt(TPM_ALG_XOR, 0, "xor");
	test_audit();
	test_da();
	test_context();
	return tt_done();
}
