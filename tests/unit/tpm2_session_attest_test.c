/*
 * Attestation through tpm2_execute: Quote (ECDSA and RSASSA signatures verified here with the
 * crypto layer, pcrDigest recomputed), Certify, GetTime, NV_Certify, command audit
 * (SetCommandCodeAuditStatus + GetCommandAuditDigest recomputed independently), scheme
 * errors, the privacy obfuscation of clockInfo for owner-hierarchy signers.
 * Keys are placed in object slots by the test (the objects family has its own tests).
 */
#include "tpm2_test.h"
#include "tpm2_session.h"

static uint32_t inject_ecc(struct tpm2 *t, tc_ecc_point *pub, uint32_t hier, uint16_t scheme)
{
	struct tpm2_slot *sl = tpm2_slot_alloc(t, TPM2_SLOT_OBJECT);
	struct tpm2_object *o = &sl->u.obj;
	tc_ecc_priv sk;
	tc_drbg d;
	tc_drbg_init(&d, TPM_ALG_SHA256, "ak", 2, &hier, sizeof hier);
	tc_ecc_keygen(TPM_ECC_NIST_P256, tc_drbg_prng(&d), &sk, pub);
	o->pub.type = TPM_ALG_ECC;
	o->pub.name_alg = TPM_ALG_SHA256;
	o->pub.attrs = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_USERWITHAUTH;
	o->pub.scheme.alg = scheme;
	o->pub.scheme.hash = TPM_ALG_SHA256;
	o->pub.curve = TPM_ECC_NIST_P256;
	o->pub.unique.ecc.x_size = o->pub.unique.ecc.y_size = 32;
	memcpy(o->pub.unique.ecc.x, pub->x, 32);
	memcpy(o->pub.unique.ecc.y, pub->y, 32);
	o->sens.sensitive.size = 32;
	memcpy(o->sens.sensitive.buf, sk.d, 32);
	o->name.size = 34;
	tpm2_put_u16(o->name.buf, TPM_ALG_SHA256);
	memset(o->name.buf + 2, 0x51, 32);
	o->qname.size = 34;
	tpm2_put_u16(o->qname.buf, TPM_ALG_SHA256);
	memset(o->qname.buf + 2, 0x52, 32);
	o->hierarchy = hier;
	return sl->handle;
}


struct attest {
	const uint8_t *body;    /* TPMS_ATTEST */
	size_t len;
	uint16_t type;
	const uint8_t *signer, *extra, *attested;
	uint16_t signer_len, extra_len;
	uint64_t clock;
	uint32_t reset, restart;
	uint64_t fw;
	const uint8_t *sig;     /* TPMT_SIGNATURE */
};

/* Parses quoted + signature after parameterSize (response with sessions). */
static bool parse(const struct tt_rsp *r, struct attest *a)
{
	const uint8_t *p = r->b + 14;
	static const uint8_t zero[64];
	memset(a, 0, sizeof *a);
	a->body = a->sig = a->signer = a->extra = a->attested = zero;
	if (r->rc || r->n < 20)
		return false;
	a->len = tpm2_get_u16(p);
	a->body = p + 2;
	a->sig = a->body + a->len;
	p = a->body;
	if (tpm2_get_u32(p) != TPM_GENERATED_VALUE)
		return false;
	a->type = tpm2_get_u16(p + 4);
	a->signer_len = tpm2_get_u16(p + 6);
	a->signer = p + 8;
	p += 8 + a->signer_len;
	a->extra_len = tpm2_get_u16(p);
	a->extra = p + 2;
	p += 2 + a->extra_len;
	a->clock = (uint64_t)tpm2_get_u32(p) << 32 | tpm2_get_u32(p + 4);
	a->reset = tpm2_get_u32(p + 8);
	a->restart = tpm2_get_u32(p + 12);
	a->fw = (uint64_t)tpm2_get_u32(p + 17) << 32 | tpm2_get_u32(p + 21);
	a->attested = p + 25;
	return true;
}

static bool ecdsa_ok(const struct attest *a, const tc_ecc_point *pub)
{
	uint8_t d[32];
	const uint8_t *s = a->sig;
	if (tpm2_get_u16(s) != TPM_ALG_ECDSA || tpm2_get_u16(s + 2) != TPM_ALG_SHA256)
		return false;
	tc_hash(TPM_ALG_SHA256, a->body, a->len, d);
	return tc_ecdsa_verify(pub, d, 32, s + 6, tpm2_get_u16(s + 4), s + 8 + tpm2_get_u16(s + 4),
	                       tpm2_get_u16(s + 6 + tpm2_get_u16(s + 4))) == TC_OK;
}

static uint32_t quote(struct tpm2 *t, uint32_t key, uint16_t scheme, struct tt_rsp *r)
{
	struct tt_cmd c;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Quote);
	tt_u32(&c, key);
	tt_pw_sessions(&c, "", NULL);
	tt_tpm2b(&c, "nonce-1234", 10);
	tt_u16(&c, scheme);
	if (scheme != TPM_ALG_NULL)
		tt_u16(&c, TPM_ALG_SHA256);
	tt_u32(&c, 1);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_u8(&c, 3); tt_u8(&c, 0x01); tt_u8(&c, 0x00); tt_u8(&c, 0x01);   /* PCR 0, 16 */
	return tt_exec(t, &c, r);
}

static void test_quote(void)
{
	struct tpm2 *t = tt_new();
	tc_ecc_point pub;
	tc_rsa_pub pk;
	struct tt_rsp r;
	struct attest a;
	uint32_t key = inject_ecc(t, &pub, TPM_RH_ENDORSEMENT, TPM_ALG_ECDSA);
	uint8_t pcrs[64], want[32];
	int bank = tpm2_pcr_bank_index(TPM_ALG_SHA256);
	memset(t->pcr[bank][16], 0x16, 32);
	CHECK_RC(quote(t, key, TPM_ALG_NULL, &r), 0, "quote: ECDSA key, inScheme NULL");
	CHECK(parse(&r, &a) && a.type == TPM_ST_ATTEST_QUOTE, "quote: TPMS_ATTEST magic and type QUOTE");
	CHECK(a.extra_len == 10 && !memcmp(a.extra, "nonce-1234", 10), "quote: extraData = qualifyingData");
	CHECK(a.signer_len == 34 && a.signer[2] == 0x52, "quote: qualifiedSigner = the key's qualified name");
	CHECK(a.reset == t->reset_count && a.fw == 0x0001000000000000ull,
	      "quote: endorsement signer: clockInfo and firmwareVersion in clear");
	memcpy(pcrs, t->pcr[bank][0], 32);
	memcpy(pcrs + 32, t->pcr[bank][16], 32);
	tc_hash(TPM_ALG_SHA256, pcrs, 64, want);
	{
		const uint8_t *q = a.attested;   /* TPML_PCR_SELECTION (10 bytes) || TPM2B_DIGEST */
		CHECK(tpm2_get_u32(q) == 1 && q[7] == 0x01 && q[9] == 0x01 && tpm2_get_u16(q + 10) == 32 &&
		      !memcmp(q + 12, want, 32), "quote: pcrDigest = SHA-256(PCR0 || PCR16)");
	}
	CHECK(ecdsa_ok(&a, &pub), "quote: ECDSA signature over TPMS_ATTEST verifies");
	CHECK_RC(quote(t, key, TPM_ALG_RSASSA, &r), TPM_RC_SCHEME + TPM_RC_P + TPM_RC_2,
	         "quote: inScheme differing from the key's -> SCHEME+P2");
	{
		uint32_t k2 = inject_ecc(t, &pub, TPM_RH_OWNER, TPM_ALG_NULL);
		CHECK_RC(quote(t, k2, TPM_ALG_NULL, &r), TPM_RC_SCHEME + TPM_RC_P + TPM_RC_2,
		         "quote: key without scheme and inScheme NULL -> SCHEME+P2");
		CHECK_RC(quote(t, k2, TPM_ALG_ECDSA, &r), 0, "quote: key without scheme, inScheme ECDSA");
		CHECK(parse(&r, &a) && ecdsa_ok(&a, &pub), "quote: signature with inScheme verifies");
		CHECK(a.reset != t->reset_count || a.fw != 0x0001000000000000ull,
		      "quote: owner-hierarchy signer: resetCount/firmwareVersion obfuscated");
	}
	free(t);
	t = tt_new();
	key = tt_inject_rsa(t, &pk, "rsa-ak", TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_USERWITHAUTH,
	                    TPM_ALG_RSASSA, TPM_RH_ENDORSEMENT, 0x61);
	CHECK_RC(quote(t, key, TPM_ALG_NULL, &r), 0, "quote: RSASSA key");
	{
		uint8_t d[32];
		parse(&r, &a);
		tc_hash(TPM_ALG_SHA256, a.body, a.len, d);
		CHECK(tpm2_get_u16(a.sig) == TPM_ALG_RSASSA &&
		      tc_rsa_verify(&pk, TC_ALG_RSASSA, TPM_ALG_SHA256, d, 32, a.sig + 6,
		                    tpm2_get_u16(a.sig + 4)) == TC_OK,
		      "quote: RSASSA-SHA256 signature verifies");
	}
	/* unsigned: NULL signHandle */
	{
		struct tt_cmd c;
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_GetTime);
		tt_u32(&c, TPM_RH_ENDORSEMENT);
		tt_u32(&c, TPM_RH_NULL);
		tt_pw_sessions(&c, "", "");
		tt_u16(&c, 0);
		tt_u16(&c, TPM_ALG_NULL);
		tt_now_ms += 1234;
		CHECK_RC(tt_exec(t, &c, &r), 0, "gettime: NULL signer");
		CHECK(parse(&r, &a) && a.type == TPM_ST_ATTEST_TIME && a.signer_len == 4 &&
		      tpm2_get_u32(a.signer) == TPM_RH_NULL && tpm2_get_u16(a.sig) == TPM_ALG_NULL,
		      "gettime: unsigned TPMS_ATTEST, signer = TPM_RH_NULL's Name");
		CHECK((uint64_t)tpm2_get_u32(a.attested) << 32 | tpm2_get_u32(a.attested + 4),
		      "gettime: TPMS_TIME_INFO.time advanced");
	}
	free(t);
}

static void test_certify_nv(void)
{
	struct tpm2 *t = tt_new();
	tc_ecc_point pub;
	struct tt_rsp r;
	struct tt_cmd c;
	struct attest a;
	uint32_t key = inject_ecc(t, &pub, TPM_RH_ENDORSEMENT, TPM_ALG_ECDSA);
	struct tpm2_nv_index *nv = &t->nv[0];
	uint8_t name[34];
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Certify);
	tt_u32(&c, key);
	tt_u32(&c, key);
	tt_pw_sessions(&c, "", "");
	tt_u16(&c, 0);
	tt_u16(&c, TPM_ALG_NULL);
	CHECK_RC(tt_exec(t, &c, &r), 0, "certify: a key certifies itself");
	CHECK(parse(&r, &a) && a.type == TPM_ST_ATTEST_CERTIFY && tpm2_get_u16(a.attested) == 34 &&
	      a.attested[2 + 2] == 0x51 && a.attested[36 + 2 + 2] == 0x52 && ecdsa_ok(&a, &pub),
	      "certify: name, qualifiedName, signature");
	memset(nv, 0, sizeof *nv);
	nv->pub.index = 0x01500050;
	nv->pub.name_alg = TPM_ALG_SHA256;
	nv->pub.attrs = TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE | TPMA_NV_WRITTEN;
	nv->pub.data_size = 8;
	t->nv_used = 8;
	memcpy(t->nv_data, "ABCDEFGH", 8);
	tpm2_nv_name(nv, name);
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Certify);
	tt_u32(&c, key); tt_u32(&c, nv->pub.index); tt_u32(&c, nv->pub.index);
	tt_pw_sessions(&c, "", "");
	tt_u16(&c, 0); tt_u16(&c, TPM_ALG_NULL); tt_u16(&c, 4); tt_u16(&c, 2);
	CHECK_RC(tt_exec(t, &c, &r), 0, "nv_certify: 4 bytes at offset 2");
	CHECK(parse(&r, &a) && a.type == TPM_ST_ATTEST_NV && !memcmp(a.attested + 2, name, 34) &&
	      tpm2_get_u16(a.attested + 36) == 2 && tpm2_get_u16(a.attested + 38) == 4 &&
	      !memcmp(a.attested + 40, "CDEF", 4) && ecdsa_ok(&a, &pub),
	      "nv_certify: indexName, offset, contents, signature");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Certify);
	tt_u32(&c, key); tt_u32(&c, nv->pub.index); tt_u32(&c, nv->pub.index);
	tt_pw_sessions(&c, "", "");
	tt_u16(&c, 0); tt_u16(&c, TPM_ALG_NULL); tt_u16(&c, 8); tt_u16(&c, 2);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_NV_RANGE, "nv_certify: past the end -> NV_RANGE");
	free(t);
}

static void test_command_audit(void)
{
	struct tpm2 *t = tt_new();
	struct tt_cmd c;
	struct tt_rsp r;
	struct attest a;
	uint8_t digest[32], cp[32], rp[32], be[4], cmds[32];
	tc_hash_ctx h;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_SetCommandCodeAuditStatus);
	tt_u32(&c, TPM_RH_OWNER);
	tt_pw_sessions(&c, "", NULL);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_u32(&c, 1); tt_u32(&c, TPM_CC_GetRandom);
	tt_u32(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), 0, "audit: SetCommandCodeAuditStatus(+GetRandom)");
	/* SetCommandCodeAuditStatus is always audited: the digest is running */
	CHECK(t->audit_digest.size == 32, "audit: SetCommandCodeAuditStatus itself audited");
	/* an unsigned GetCommandAuditDigest leaves it; a signed one restarts it */
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_GetCommandAuditDigest);
	tt_u32(&c, TPM_RH_ENDORSEMENT);
	tt_u32(&c, TPM_RH_NULL);
	tt_pw_sessions(&c, "", "");
	tt_u16(&c, 0);
	tt_u16(&c, TPM_ALG_NULL);
	CHECK_RC(tt_exec(t, &c, &r), 0, "audit: unsigned GetCommandAuditDigest");
	CHECK(t->audit_digest.size == 32, "audit: an unsigned read leaves the digest running");
	{
		tc_ecc_point pub;
		uint32_t key = inject_ecc(t, &pub, TPM_RH_ENDORSEMENT, TPM_ALG_ECDSA);
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_GetCommandAuditDigest);
		tt_u32(&c, TPM_RH_ENDORSEMENT);
		tt_u32(&c, key);
		tt_pw_sessions(&c, "", "");
		tt_u16(&c, 0);
		tt_u16(&c, TPM_ALG_NULL);
		CHECK_RC(tt_exec(t, &c, &r), 0, "audit: signed GetCommandAuditDigest");
		CHECK(parse(&r, &a) && ecdsa_ok(&a, &pub) && t->audit_digest.size == 0,
		      "audit: signed, verifies, and restarts the digest");
	}
	/* GetRandom(4), audited: digest = H(0...0 || cpHash || rpHash) */
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
	tt_u16(&c, 4);
	CHECK_RC(tt_exec(t, &c, &r), 0, "audit: an audited GetRandom");
	tc_hash_init(&h, TPM_ALG_SHA256);
	tpm2_put_u32(be, TPM_CC_GetRandom);
	tc_hash_update(&h, be, 4);
	tc_hash_update(&h, "\x00\x04", 2);
	tc_hash_final(&h, cp);
	tc_hash_init(&h, TPM_ALG_SHA256);
	memset(be, 0, 4);
	tc_hash_update(&h, be, 4);
	tpm2_put_u32(be, TPM_CC_GetRandom);
	tc_hash_update(&h, be, 4);
	tc_hash_update(&h, r.b + 10, r.n - 10);
	tc_hash_final(&h, rp);
	memset(digest, 0, 32);
	tc_hash_init(&h, TPM_ALG_SHA256);
	tc_hash_update(&h, digest, 32);
	tc_hash_update(&h, cp, 32);
	tc_hash_update(&h, rp, 32);
	tc_hash_final(&h, digest);
	/* commandDigest = H(audited codes ascending): SetCommandCodeAuditStatus, GetRandom */
	tc_hash_init(&h, TPM_ALG_SHA256);
	tpm2_put_u32(be, TPM_CC_SetCommandCodeAuditStatus);
	tc_hash_update(&h, be, 4);
	tpm2_put_u32(be, TPM_CC_GetRandom);
	tc_hash_update(&h, be, 4);
	tc_hash_final(&h, cmds);
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_GetCommandAuditDigest);
	tt_u32(&c, TPM_RH_ENDORSEMENT);
	tt_u32(&c, TPM_RH_NULL);
	tt_pw_sessions(&c, "", "");
	tt_u16(&c, 0);
	tt_u16(&c, TPM_ALG_NULL);
	CHECK_RC(tt_exec(t, &c, &r), 0, "audit: GetCommandAuditDigest");
	CHECK(parse(&r, &a) && a.type == TPM_ST_ATTEST_COMMAND_AUDIT, "audit: type COMMAND_AUDIT");
	{
		const uint8_t *q = a.attested + 8;   /* after auditCounter */
		CHECK(tpm2_get_u16(q) == TPM_ALG_SHA256, "audit: digestAlg SHA-256");
		CHECK(tpm2_get_u16(q + 2) == 32 && !memcmp(q + 4, digest, 32),
		      "audit: auditDigest = H(0 || cpHash || rpHash) of the audited GetRandom");
		CHECK(tpm2_get_u16(q + 36) == 32 && !memcmp(q + 38, cmds, 32),
		      "audit: commandDigest = H(audited command codes)");
	}
	free(t);
}

/* An audited NV_Write: cpHash uses the index's Name from before the write (WRITTEN clear). */
static void test_audit_names(void)
{
	struct tpm2 *t = tt_new();
	struct tpm2_nv_index *nv = &t->nv[0];
	struct tt_cmd c;
	struct tt_rsp r;
	uint8_t name[34], cp[32], rp[32], digest[32] = { 0 }, be[4];
	tc_hash_ctx h;
	memset(nv, 0, sizeof *nv);
	nv->pub.index = 0x01500060;
	nv->pub.name_alg = TPM_ALG_SHA256;
	nv->pub.attrs = TPMA_NV_OWNERREAD | TPMA_NV_OWNERWRITE;
	nv->pub.data_size = 4;
	t->nv_used = 4;
	tpm2_nv_name(nv, name);
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_SetCommandCodeAuditStatus);
	tt_u32(&c, TPM_RH_OWNER);
	tt_pw_sessions(&c, "", NULL);
	tt_u16(&c, TPM_ALG_NULL);
	tt_u32(&c, 1); tt_u32(&c, TPM_CC_NV_Write);
	tt_u32(&c, 0);
	tt_exec(t, &c, &r);
	t->audit_digest.size = 0;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
	tt_u32(&c, TPM_RH_OWNER);
	tt_u32(&c, nv->pub.index);
	tt_pw_sessions(&c, "", NULL);
	tt_tpm2b(&c, "abcd", 4);
	tt_u16(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), 0, "audit: audited NV_Write");
	CHECK(nv->pub.attrs & TPMA_NV_WRITTEN, "audit: the write changed the index's Name");
	tc_hash_init(&h, TPM_ALG_SHA256);
	tpm2_put_u32(be, TPM_CC_NV_Write); tc_hash_update(&h, be, 4);
	tpm2_put_u32(be, TPM_RH_OWNER); tc_hash_update(&h, be, 4);
	tc_hash_update(&h, name, 34);
	tc_hash_update(&h, "\x00\x04" "abcd" "\x00\x00", 8);
	tc_hash_final(&h, cp);
	tc_hash_init(&h, TPM_ALG_SHA256);
	memset(be, 0, 4); tc_hash_update(&h, be, 4);
	tpm2_put_u32(be, TPM_CC_NV_Write); tc_hash_update(&h, be, 4);
	tc_hash_final(&h, rp);
	tc_hash_init(&h, TPM_ALG_SHA256);
	tc_hash_update(&h, digest, 32);
	tc_hash_update(&h, cp, 32);
	tc_hash_update(&h, rp, 32);
	tc_hash_final(&h, digest);
	CHECK(t->audit_digest.size == 32 && !memcmp(t->audit_digest.buf, digest, 32),
	      "audit: cpHash over the Names before the command ran");
	free(t);
}

int main(void)
{
	test_audit_names();
	test_quote();
	test_certify_nv();
	test_command_audit();
	return tt_done();
}
