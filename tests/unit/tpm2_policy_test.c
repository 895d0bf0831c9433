/*
 * Policy sessions through tpm2_execute: every Policy* command's digest against Part 3's
 * formula recomputed here (trial and real sessions), the conditions each command checks, and
 * the deferred checks when a policy session authorizes (policyDigest vs authPolicy, command
 * code, locality, PCR change, cpHash/nameHash, NvWritten, expiry, PolicyAuthValue HMAC,
 * PolicyPassword), PolicySigned/PolicyTicket, PolicyAuthorize, PolicyNV, PolicyAuthorizeNV.
 * The target of authorization is PCR_Allocate under a platform authPolicy set directly.
 */
#include "tpm2_test.h"
#include "tpm2_session.h"

static uint8_t nc[32];

static uint32_t start(struct tpm2 *t, uint8_t type, uint32_t *h, uint8_t *nt)
{
	struct tt_cmd c;
	struct tt_rsp r;
	memset(nc, 0x61, sizeof nc);
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
	tt_u32(&c, TPM_RH_NULL);
	tt_u32(&c, TPM_RH_NULL);
	tt_tpm2b(&c, nc, 32);
	tt_u16(&c, 0);
	tt_u8(&c, type);
	tt_u16(&c, TPM_ALG_NULL);
	tt_u16(&c, TPM_ALG_SHA256);
	if (tt_exec(t, &c, &r))
		return r.rc;
	*h = tpm2_get_u32(r.b + 10);
	if (nt)
		memcpy(nt, r.b + 16, 32);
	return 0;
}

static void get_digest(struct tpm2 *t, uint32_t h, uint8_t *d)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyGetDigest);
	tt_u32(&c, h);
	memset(d, 0xEE, 32);
	if (!tt_exec(t, &c, &r) && tpm2_get_u16(r.b + 10) == 32)
		memcpy(d, r.b + 12, 32);
}

/* expected = H(expected || a || b) */
static void ext(uint8_t *d, const void *a, size_t al, const void *b, size_t bl)
{
	tc_hash_ctx h;
	tc_hash_init(&h, TPM_ALG_SHA256);
	tc_hash_update(&h, d, 32);
	if (al)
		tc_hash_update(&h, a, al);
	if (bl)
		tc_hash_update(&h, b, bl);
	tc_hash_final(&h, d);
}

static void ext_cc(uint8_t *d, uint32_t cc, const void *a, size_t al)
{
	uint8_t be[4];
	tpm2_put_u32(be, cc);
	ext(d, be, 4, a, al);
}

/* A policy command with no authorization: handle + raw parameters. */
static uint32_t pcmd(struct tpm2 *t, uint32_t cc, uint32_t h, const void *p, size_t n)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_NO_SESSIONS, cc);
	tt_u32(&c, h);
	if (n)
		tt_bytes(&c, p, n);
	return tt_exec(t, &c, &r);
}

static uint32_t pcmd_u32(struct tpm2 *t, uint32_t cc, uint32_t h, uint32_t v)
{
	uint8_t b[4];
	tpm2_put_u32(b, v);
	return pcmd(t, cc, h, b, 4);
}

static uint32_t pcmd_2b(struct tpm2 *t, uint32_t cc, uint32_t h, const uint8_t *d, size_t n)
{
	uint8_t b[2 + 64];
	tpm2_put_u16(b, (uint16_t)n);
	memcpy(b + 2, d, n);
	return pcmd(t, cc, h, b, 2 + n);
}

/* PCR_Allocate(platform, empty selection) authorized by a policy session; hmac given raw. */
static uint32_t allocate_with(struct tpm2 *t, uint8_t loc, uint32_t sess, const void *hmac,
                              size_t hlen)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Allocate);
	tt_u32(&c, TPM_RH_PLATFORM);
	tt_u32(&c, 4 + 2 + 32 + 1 + 2 + (uint32_t)hlen);
	tt_u32(&c, sess);
	tt_tpm2b(&c, nc, 32);
	tt_u8(&c, TPMA_SESSION_CONTINUESESSION);
	tt_u16(&c, (uint16_t)hlen);
	if (hlen)
		tt_bytes(&c, hmac, hlen);
	tt_u32(&c, 0);
	return tt_exec_loc(t, loc, &c, &r);
}

static void set_platform_policy(struct tpm2 *t, const uint8_t *d)
{
	memcpy(t->platform.policy.buf, d, 32);
	t->platform.policy.size = 32;
	t->platform.policy_alg = TPM_ALG_SHA256;
}

#define FAIL_S1(rc) ((rc) + TPM_RC_S + TPM_RC_1)

/* ------------------------------------------------------------------ digests */

static void test_digests(void)
{
	struct tpm2 *t = tt_new();
	uint32_t h;
	uint8_t want[32] = { 0 }, got[32], buf[64];
	CHECK_RC(start(t, TPM_SE_TRIAL, &h, NULL), 0, "digest: trial session");
	get_digest(t, h, got);
	CHECK(!memcmp(got, want, 32), "digest: starts as 32 zero bytes");

	CHECK_RC(pcmd_u32(t, TPM_CC_PolicyCommandCode, h, TPM_CC_Unseal), 0, "digest: PolicyCommandCode");
	tpm2_put_u32(buf, TPM_CC_Unseal);
	ext_cc(want, TPM_CC_PolicyCommandCode, buf, 4);
	get_digest(t, h, got);
	CHECK(!memcmp(got, want, 32), "digest: PolicyCommandCode = H(d || CC || code)");

	buf[0] = 0x03;
	CHECK_RC(pcmd(t, TPM_CC_PolicyLocality, h, buf, 1), 0, "digest: PolicyLocality");
	ext_cc(want, TPM_CC_PolicyLocality, buf, 1);
	CHECK_RC(pcmd(t, TPM_CC_PolicyAuthValue, h, NULL, 0), 0, "digest: PolicyAuthValue");
	ext_cc(want, TPM_CC_PolicyAuthValue, NULL, 0);
	CHECK_RC(pcmd(t, TPM_CC_PolicyPassword, h, NULL, 0), 0, "digest: PolicyPassword");
	ext_cc(want, TPM_CC_PolicyAuthValue, NULL, 0);
	buf[0] = 1;
	CHECK_RC(pcmd(t, TPM_CC_PolicyNvWritten, h, buf, 1), 0, "digest: PolicyNvWritten");
	ext_cc(want, TPM_CC_PolicyNvWritten, buf, 1);
	get_digest(t, h, got);
	CHECK(!memcmp(got, want, 32), "digest: Locality, AuthValue, Password (= AuthValue), NvWritten");

	memset(buf, 0x77, 32);
	CHECK_RC(pcmd_2b(t, TPM_CC_PolicyCpHash, h, buf, 32), 0, "digest: PolicyCpHash");
	ext_cc(want, TPM_CC_PolicyCpHash, buf, 32);
	CHECK_RC(pcmd_2b(t, TPM_CC_PolicyCpHash, h, buf, 20), TPM_RC_SIZE + TPM_RC_P + TPM_RC_1,
	         "digest: PolicyCpHash of the wrong size -> SIZE+P1");
	buf[0] ^= 1;
	CHECK_RC(pcmd_2b(t, TPM_CC_PolicyCpHash, h, buf, 32), TPM_RC_CPHASH,
	         "digest: a second, different cpHash -> CPHASH");
	CHECK_RC(pcmd_2b(t, TPM_CC_PolicyNameHash, h, buf, 32), TPM_RC_CPHASH,
	         "digest: nameHash after cpHash -> CPHASH");
	get_digest(t, h, got);
	CHECK(!memcmp(got, want, 32), "digest: PolicyCpHash = H(d || CC || cpHashA); failures leave it");

	/* PolicyPCR: sha256 PCR 16 after an extend */
	{
		uint8_t p[2 + 4 + 2 + 1 + 3], pcrs[32], sel[10];
		memcpy(pcrs, t->pcr[tpm2_pcr_bank_index(TPM_ALG_SHA256)][16], 32);
		tpm2_put_u16(p, 0);
		tpm2_put_u32(p + 2, 1);
		tpm2_put_u16(p + 6, TPM_ALG_SHA256);
		p[8] = 3; p[9] = 0; p[10] = 0; p[11] = 1;
		CHECK_RC(pcmd(t, TPM_CC_PolicyPCR, h, p, sizeof p), 0, "digest: PolicyPCR (empty pcrDigest)");
		memcpy(sel, p + 2, 10);
		tc_hash(TPM_ALG_SHA256, pcrs, 32, pcrs);
		{
			uint8_t a[10 + 32];
			memcpy(a, sel, 10);
			memcpy(a + 10, pcrs, 32);
			ext_cc(want, TPM_CC_PolicyPCR, a, sizeof a);
		}
		get_digest(t, h, got);
		CHECK(!memcmp(got, want, 32), "digest: PolicyPCR = H(d || CC || selection || H(PCRs))");
	}
	/* PolicyOR */
	{
		uint8_t p[4 + 2 * 34], other[32];
		memset(other, 0x12, 32);
		tpm2_put_u32(p, 2);
		tpm2_put_u16(p + 4, 32); memcpy(p + 6, other, 32);
		tpm2_put_u16(p + 38, 32); memcpy(p + 40, want, 32);
		CHECK_RC(pcmd(t, TPM_CC_PolicyOR, h, p, sizeof p), 0, "digest: PolicyOR");
		memset(want, 0, 32);
		{
			uint8_t a[64];
			memcpy(a, other, 32);
			memcpy(a + 32, p + 40, 32);
			ext_cc(want, TPM_CC_PolicyOR, a, 64);
		}
		get_digest(t, h, got);
		CHECK(!memcmp(got, want, 32), "digest: PolicyOR = H(0 || CC || d1 || d2)");
		tpm2_put_u32(p, 1);
		CHECK_RC(pcmd(t, TPM_CC_PolicyOR, h, p, 4 + 34), TPM_RC_SIZE + TPM_RC_P + TPM_RC_1,
		         "digest: PolicyOR with one digest -> SIZE+P1");
	}
	CHECK_RC(pcmd(t, TPM_CC_PolicyRestart, h, NULL, 0), 0, "digest: PolicyRestart");
	get_digest(t, h, got);
	memset(want, 0, 32);
	CHECK(!memcmp(got, want, 32), "digest: PolicyRestart -> zeros");
	/* PolicyNameHash, PolicyTemplate, PolicyDuplicationSelect, PolicyCounterTimer */
	memset(buf, 0x21, 32);
	CHECK_RC(pcmd_2b(t, TPM_CC_PolicyNameHash, h, buf, 32), 0, "digest: PolicyNameHash");
	ext_cc(want, TPM_CC_PolicyNameHash, buf, 32);
	CHECK_RC(pcmd_2b(t, TPM_CC_PolicyNameHash, h, buf, 32), TPM_RC_CPHASH,
	         "digest: PolicyNameHash twice -> CPHASH");
	CHECK_RC(pcmd_2b(t, TPM_CC_PolicyTemplate, h, buf, 32), TPM_RC_CPHASH,
	         "digest: PolicyTemplate after a nameHash -> CPHASH");
	get_digest(t, h, got);
	CHECK(!memcmp(got, want, 32), "digest: PolicyNameHash = H(d || CC || nameHash)");
	pcmd(t, TPM_CC_PolicyRestart, h, NULL, 0);
	memset(want, 0, 32);
	CHECK_RC(pcmd_2b(t, TPM_CC_PolicyTemplate, h, buf, 32), 0, "digest: PolicyTemplate");
	ext_cc(want, TPM_CC_PolicyTemplate, buf, 32);
	get_digest(t, h, got);
	CHECK(!memcmp(got, want, 32), "digest: PolicyTemplate = H(d || CC || templateHash)");
	pcmd(t, TPM_CC_PolicyRestart, h, NULL, 0);
	memset(want, 0, 32);
	{
		uint8_t p[2 + 34 + 2 + 34 + 1], obj[34], par[34];
		memset(obj, 0x31, 34); memset(par, 0x32, 34);
		tpm2_put_u16(p, 34); memcpy(p + 2, obj, 34);
		tpm2_put_u16(p + 36, 34); memcpy(p + 38, par, 34);
		p[72] = 1;
		CHECK_RC(pcmd(t, TPM_CC_PolicyDuplicationSelect, h, p, sizeof p), 0, "digest: PolicyDuplicationSelect");
		{
			uint8_t a[34 + 34 + 1];
			memcpy(a, obj, 34); memcpy(a + 34, par, 34); a[68] = 1;
			ext_cc(want, TPM_CC_PolicyDuplicationSelect, a, sizeof a);
		}
		get_digest(t, h, got);
		CHECK(!memcmp(got, want, 32), "digest: PolicyDuplicationSelect = H(d || CC || obj || parent || YES)");
		CHECK_RC(pcmd_u32(t, TPM_CC_PolicyCommandCode, h, TPM_CC_Unseal), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1,
		         "digest: PolicyCommandCode other than Duplicate after DuplicationSelect -> VALUE+P1");
	}
	pcmd(t, TPM_CC_PolicyRestart, h, NULL, 0);
	memset(want, 0, 32);
	{
		uint8_t p[2 + 8 + 2 + 2], args[32];
		tpm2_put_u16(p, 8);
		memset(p + 2, 0, 8);
		tpm2_put_u16(p + 10, 8);    /* offset: clock */
		tpm2_put_u16(p + 12, 7);    /* UNSIGNED_GE */
		CHECK_RC(pcmd(t, TPM_CC_PolicyCounterTimer, h, p, sizeof p), 0, "digest: PolicyCounterTimer");
		tc_hash(TPM_ALG_SHA256, p + 2, 12, args);
		ext_cc(want, TPM_CC_PolicyCounterTimer, args, 32);
		get_digest(t, h, got);
		CHECK(!memcmp(got, want, 32), "digest: PolicyCounterTimer = H(d || CC || H(operandB || offset || op))");
	}
	/* PolicySecret(owner) in the trial session: PolicyUpdate with the owner's Name */
	pcmd(t, TPM_CC_PolicyRestart, h, NULL, 0);
	memset(want, 0, 32);
	{
		struct tt_cmd c;
		struct tt_rsp r;
		uint8_t name[4], ref[4] = { 1, 2, 3, 4 };
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PolicySecret);
		tt_u32(&c, TPM_RH_OWNER);
		tt_u32(&c, h);
		tt_pw_sessions(&c, "", NULL);
		tt_u16(&c, 0); tt_u16(&c, 0); tt_tpm2b(&c, ref, 4); tt_u32(&c, 0);
		CHECK_RC(tt_exec(t, &c, &r), 0, "digest: PolicySecret(owner) trial");
		tpm2_put_u32(name, TPM_RH_OWNER);
		ext_cc(want, TPM_CC_PolicySecret, name, 4);
		ext(want, ref, 4, NULL, 0);
		get_digest(t, h, got);
		CHECK(!memcmp(got, want, 32), "digest: PolicySecret = H(H(d || CC || Name) || policyRef)");
	}
	free(t);
}

/* ------------------------------------------------------------------ checks at use */

static void test_use(void)
{
	struct tpm2 *t = tt_new();
	uint32_t h;
	uint8_t d[32], buf[40];
	/* policy: PolicyCommandCode(PCR_Allocate) */
	start(t, TPM_SE_TRIAL, &h, NULL);
	pcmd_u32(t, TPM_CC_PolicyCommandCode, h, TPM_CC_PCR_Allocate);
	get_digest(t, h, d);
	set_platform_policy(t, d);
	start(t, TPM_SE_POLICY, &h, NULL);
	CHECK_RC(allocate_with(t, 0, h, NULL, 0), FAIL_S1(TPM_RC_POLICY_FAIL),
	         "use: empty policy digest -> POLICY_FAIL+S1");
	pcmd_u32(t, TPM_CC_PolicyCommandCode, h, TPM_CC_PCR_Allocate);
	CHECK_RC(allocate_with(t, 0, h, NULL, 0), 0, "use: matching policy authorizes PCR_Allocate");
	CHECK_RC(allocate_with(t, 0, h, NULL, 0), FAIL_S1(TPM_RC_POLICY_FAIL),
	         "use: the policy is reset after use");
	/* command code mismatch: same digest via an OR branch is not possible; force the code */
	pcmd_u32(t, TPM_CC_PolicyCommandCode, h, TPM_CC_PCR_Allocate);
	tpm2_session_lookup(t, h)->command_code = TPM_CC_PCR_Reset;
	CHECK_RC(allocate_with(t, 0, h, NULL, 0), FAIL_S1(TPM_RC_POLICY_CC),
	         "use: session bound to another command -> POLICY_CC+S1");
	pcmd(t, TPM_CC_PolicyRestart, h, NULL, 0);

	/* locality */
	tpm2_sessions_reset(t);
	start(t, TPM_SE_TRIAL, &h, NULL);
	buf[0] = TPMA_LOCALITY_THREE;
	pcmd(t, TPM_CC_PolicyLocality, h, buf, 1);
	get_digest(t, h, d);
	set_platform_policy(t, d);
	tpm2_sessions_reset(t);
	start(t, TPM_SE_POLICY, &h, NULL);
	buf[0] = 0;
	CHECK_RC(pcmd(t, TPM_CC_PolicyLocality, h, buf, 1), TPM_RC_RANGE + TPM_RC_P + TPM_RC_1,
	         "use: PolicyLocality(0) -> RANGE+P1");
	buf[0] = TPMA_LOCALITY_THREE;
	pcmd(t, TPM_CC_PolicyLocality, h, buf, 1);
	CHECK_RC(allocate_with(t, 0, h, NULL, 0), TPM_RC_LOCALITY, "use: wrong locality -> LOCALITY");
	CHECK_RC(allocate_with(t, 3, h, NULL, 0), 0, "use: locality 3 accepted");

	/* PCR change after PolicyPCR */
	{
		uint8_t p[12] = { 0, 0, 0, 0, 0, 1, 0, 0x0B, 3, 0, 0, 1 };
		struct tt_cmd c;
		struct tt_rsp r;
		uint32_t tr;
		tpm2_sessions_reset(t);
		start(t, TPM_SE_POLICY, &h, NULL);
		start(t, TPM_SE_TRIAL, &tr, NULL);
		pcmd(t, TPM_CC_PolicyPCR, tr, p, sizeof p);
		get_digest(t, tr, d);
		set_platform_policy(t, d);
		pcmd(t, TPM_CC_PolicyRestart, tr, NULL, 0);
		pcmd(t, TPM_CC_PolicyPCR, h, p, sizeof p);
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
		tt_u32(&c, 1);   /* PCR 16 does not count (TPM_PT_PCR_NO_INCREMENT) */
		tt_pw_sessions(&c, "", NULL);
		tt_u32(&c, 1); tt_u16(&c, TPM_ALG_SHA256);
		memset(buf, 1, 32);
		tt_bytes(&c, buf, 32);
		tt_exec(t, &c, &r);
		CHECK_RC(allocate_with(t, 0, h, NULL, 0), TPM_RC_PCR_CHANGED,
		         "use: a PCR changed since PolicyPCR -> PCR_CHANGED");
		pcmd(t, TPM_CC_PolicyRestart, h, NULL, 0);
		memcpy(p + 0, "\0\0", 2);
		CHECK_RC(pcmd(t, TPM_CC_PolicyPCR, h, p, sizeof p), 0, "use: PolicyPCR again");
		CHECK_RC(allocate_with(t, 0, h, NULL, 0), 0,
		         "use: PolicyPCR again, PCR 16 unchanged -> authorizes");
		{
			uint8_t q[2 + 32 + 10];
			tpm2_put_u16(q, 32);
			memset(q + 2, 0xAB, 32);
			memcpy(q + 34, p + 2, 10);
			pcmd(t, TPM_CC_PolicyRestart, h, NULL, 0);
			CHECK_RC(pcmd(t, TPM_CC_PolicyPCR, h, q, sizeof q), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1,
			         "use: PolicyPCR with a pcrDigest that does not match -> VALUE+P1");
		}
	}

	/* PolicyAuthValue: HMAC keyed with the authValue; PolicyPassword: plaintext */
	tpm2_auth_set(&t->platform.auth, (const uint8_t *)"pp", 2);
	{
		uint32_t tr;
		uint8_t nt[32], cp[32], mac[32], be[4], attrs = TPMA_SESSION_CONTINUESESSION;
		tc_hash_ctx hc;
		tc_hmac_ctx m;
		tpm2_sessions_reset(t);
		start(t, TPM_SE_TRIAL, &tr, NULL);
		pcmd(t, TPM_CC_PolicyAuthValue, tr, NULL, 0);
		get_digest(t, tr, d);
		set_platform_policy(t, d);
		tpm2_sessions_reset(t);
		start(t, TPM_SE_POLICY, &h, nt);
		pcmd(t, TPM_CC_PolicyAuthValue, h, NULL, 0);
		CHECK_RC(allocate_with(t, 0, h, NULL, 0), FAIL_S1(TPM_RC_BAD_AUTH),
		         "use: PolicyAuthValue without an HMAC -> BAD_AUTH+S1");
		/* cpHash = H(CC || platform name || params) ; HMAC("" || "pp", ...) */
		tc_hash_init(&hc, TPM_ALG_SHA256);
		tpm2_put_u32(be, TPM_CC_PCR_Allocate); tc_hash_update(&hc, be, 4);
		tpm2_put_u32(be, TPM_RH_PLATFORM); tc_hash_update(&hc, be, 4);
		tpm2_put_u32(be, 0); tc_hash_update(&hc, be, 4);
		tc_hash_final(&hc, cp);
		tc_hmac_init(&m, TPM_ALG_SHA256, "pp", 2);
		tc_hmac_update(&m, cp, 32);
		tc_hmac_update(&m, nc, 32);
		tc_hmac_update(&m, nt, 32);
		tc_hmac_update(&m, &attrs, 1);
		tc_hmac_final(&m, mac);
		CHECK_RC(allocate_with(t, 0, h, mac, 32), 0, "use: PolicyAuthValue with HMAC(authValue) accepted");
		pcmd(t, TPM_CC_PolicyPassword, h, NULL, 0);
		CHECK_RC(allocate_with(t, 0, h, "px", 2), FAIL_S1(TPM_RC_BAD_AUTH),
		         "use: PolicyPassword with a wrong password -> BAD_AUTH+S1");
		CHECK_RC(allocate_with(t, 0, h, "pp", 2), 0, "use: PolicyPassword with the password");
	}

	/* cpHash */
	{
		uint32_t tr;
		uint8_t cp[32], be[4];
		tc_hash_ctx hc;
		tc_hash_init(&hc, TPM_ALG_SHA256);
		tpm2_put_u32(be, TPM_CC_PCR_Allocate); tc_hash_update(&hc, be, 4);
		tpm2_put_u32(be, TPM_RH_PLATFORM); tc_hash_update(&hc, be, 4);
		tpm2_put_u32(be, 0); tc_hash_update(&hc, be, 4);
		tc_hash_final(&hc, cp);
		tpm2_sessions_reset(t);
		start(t, TPM_SE_POLICY, &h, NULL);
		start(t, TPM_SE_TRIAL, &tr, NULL);
		pcmd_2b(t, TPM_CC_PolicyCpHash, tr, cp, 32);
		get_digest(t, tr, d);
		set_platform_policy(t, d);
		pcmd_2b(t, TPM_CC_PolicyCpHash, h, cp, 32);
		CHECK_RC(allocate_with(t, 0, h, NULL, 0), 0, "use: PolicyCpHash of this very command");
		cp[0] ^= 1;
		pcmd(t, TPM_CC_PolicyRestart, tr, NULL, 0);
		pcmd_2b(t, TPM_CC_PolicyCpHash, tr, cp, 32);
		get_digest(t, tr, d);
		set_platform_policy(t, d);
		pcmd_2b(t, TPM_CC_PolicyCpHash, h, cp, 32);
		CHECK_RC(allocate_with(t, 0, h, NULL, 0), FAIL_S1(TPM_RC_POLICY_FAIL),
		         "use: PolicyCpHash of other parameters -> POLICY_FAIL+S1");
		/* nameHash = H(platform's Name) */
		pcmd(t, TPM_CC_PolicyRestart, tr, NULL, 0);
		pcmd(t, TPM_CC_PolicyRestart, h, NULL, 0);
		tpm2_put_u32(be, TPM_RH_PLATFORM);
		tc_hash(TPM_ALG_SHA256, be, 4, cp);
		pcmd_2b(t, TPM_CC_PolicyNameHash, tr, cp, 32);
		get_digest(t, tr, d);
		set_platform_policy(t, d);
		pcmd_2b(t, TPM_CC_PolicyNameHash, h, cp, 32);
		CHECK_RC(allocate_with(t, 0, h, NULL, 0), 0, "use: PolicyNameHash of the handles");
	}

	/* expiry: PolicySecret(owner) with expiration 2 s, then 3 s later */
	{
		uint32_t tr;
		struct tt_cmd c;
		struct tt_rsp r;
		uint8_t nt[32];
		tpm2_sessions_reset(t);
		start(t, TPM_SE_TRIAL, &tr, NULL);
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PolicySecret);
		tt_u32(&c, TPM_RH_OWNER); tt_u32(&c, tr);
		tt_pw_sessions(&c, "", NULL);
		tt_u16(&c, 0); tt_u16(&c, 0); tt_u16(&c, 0); tt_u32(&c, 0);
		tt_exec(t, &c, &r);
		get_digest(t, tr, d);
		set_platform_policy(t, d);
		tpm2_sessions_reset(t);
		start(t, TPM_SE_POLICY, &h, nt);
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PolicySecret);
		tt_u32(&c, TPM_RH_OWNER); tt_u32(&c, h);
		tt_pw_sessions(&c, "", NULL);
		tt_u16(&c, 8); tt_bytes(&c, nt, 8);
		tt_u16(&c, 0); tt_u16(&c, 0); tt_u32(&c, 2);
		CHECK_RC(tt_exec(t, &c, &r), TPM_RC_NONCE + TPM_RC_P + TPM_RC_1,
		         "use: PolicySecret with a wrong nonceTPM -> NONCE+P1");
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PolicySecret);
		tt_u32(&c, TPM_RH_OWNER); tt_u32(&c, h);
		tt_pw_sessions(&c, "", NULL);
		tt_tpm2b(&c, nt, 32);
		tt_u16(&c, 0); tt_u16(&c, 0); tt_u32(&c, 2);
		CHECK_RC(tt_exec(t, &c, &r), 0, "use: PolicySecret(owner), expiration 2 s");
		tt_now_ms += 3000;
		CHECK_RC(allocate_with(t, 0, h, NULL, 0), FAIL_S1(TPM_RC_EXPIRED), "use: 3 s later -> EXPIRED+S1");
	}
	free(t);
}

/* ------------------------------------------------------------------ signed, ticket, authorize */

static uint32_t inject_ecc(struct tpm2 *t, tc_ecc_priv *sk)
{
	struct tpm2_slot *sl = tpm2_slot_alloc(t, TPM2_SLOT_OBJECT);
	struct tpm2_object *o = &sl->u.obj;
	tc_ecc_point pub;
	tc_drbg d;
	tc_drbg_init(&d, TPM_ALG_SHA256, "signer", 6, NULL, 0);
	tc_ecc_keygen(TPM_ECC_NIST_P256, tc_drbg_prng(&d), sk, &pub);
	o->pub.type = TPM_ALG_ECC;
	o->pub.name_alg = TPM_ALG_SHA256;
	o->pub.attrs = TPMA_OBJECT_SIGN_ENCRYPT;
	o->pub.scheme.alg = TPM_ALG_NULL;
	o->pub.curve = TPM_ECC_NIST_P256;
	o->pub.unique.ecc.x_size = o->pub.unique.ecc.y_size = 32;
	memcpy(o->pub.unique.ecc.x, pub.x, 32);
	memcpy(o->pub.unique.ecc.y, pub.y, 32);
	o->sens.sensitive.size = 32;
	memcpy(o->sens.sensitive.buf, sk->d, 32);
	o->name.size = 34;
	tpm2_put_u16(o->name.buf, TPM_ALG_SHA256);
	memset(o->name.buf + 2, 0x44, 32);
	o->qname = o->name;
	o->hierarchy = TPM_RH_OWNER;
	return sl->handle;
}

static uint32_t policy_signed(struct tpm2 *t, uint32_t key, uint32_t sess, const tc_ecc_priv *sk,
                              const uint8_t *nt, int32_t exp, bool corrupt, struct tt_rsp *r)
{
	struct tt_cmd c;
	uint8_t ahash[32], be[4], rr[32], ss[32];
	tc_hash_ctx h;
	tc_hash_init(&h, TPM_ALG_SHA256);
	tc_hash_update(&h, nt, 32);
	tpm2_put_u32(be, (uint32_t)exp);
	tc_hash_update(&h, be, 4);
	tc_hash_final(&h, ahash);
	tc_ecdsa_sign(sk, TPM_ALG_SHA256, ahash, 32, NULL, rr, ss);
	if (corrupt)
		ss[3] ^= 1;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicySigned);
	tt_u32(&c, key);
	tt_u32(&c, sess);
	tt_tpm2b(&c, nt, 32);
	tt_u16(&c, 0);
	tt_u16(&c, 0);
	tt_u32(&c, (uint32_t)exp);
	tt_u16(&c, TPM_ALG_ECDSA);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_tpm2b(&c, rr, 32);
	tt_tpm2b(&c, ss, 32);
	return tt_exec(t, &c, r);
}

static void test_signed(void)
{
	struct tpm2 *t = tt_new();
	tc_ecc_priv sk;
	uint32_t key = inject_ecc(t, &sk), h, h2;
	uint8_t nt[32], nt2[32], want[32] = { 0 }, got[32], name[34];
	struct tt_rsp r;
	struct tpm2_object *o = tpm2_object_find(t, key);
	memcpy(name, o->name.buf, 34);
	start(t, TPM_SE_POLICY, &h, nt);
	CHECK_RC(policy_signed(t, key, h, &sk, nt, -10, true, &r),
	         TPM_RC_SIGNATURE + TPM_RC_P + 0x500, "signed: bad signature -> SIGNATURE+P5");
	CHECK_RC(policy_signed(t, key, h, &sk, nt, -10, false, &r), 0,
	         "signed: ECDSA signature over H(nonceTPM || expiration) accepted");
	ext_cc(want, TPM_CC_PolicySigned, name, 34);
	ext(want, NULL, 0, NULL, 0);
	get_digest(t, h, got);
	CHECK(!memcmp(got, want, 32), "signed: digest = H(H(d || CC || keyName) || policyRef)");
	{
		/* response: timeout (8 bytes) and a ticket; PolicyTicket in a new session replays it */
		uint8_t tmo[8], tk[2 + 4 + 2 + 32];
		size_t off = 10;
		CHECK(tpm2_get_u16(r.b + off) == 8, "signed: negative expiration gives a timeout");
		memcpy(tmo, r.b + off + 2, 8);
		memcpy(tk, r.b + off + 10, sizeof tk);
		CHECK(tpm2_get_u16(tk) == TPM_ST_AUTH_SIGNED && tpm2_get_u16(tk + 6) == 32,
		      "signed: TPMT_TK_AUTH (AUTH_SIGNED) returned");
		start(t, TPM_SE_POLICY, &h2, nt2);
		{
			struct tt_cmd c;
			tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyTicket);
			tt_u32(&c, h2);
			tt_tpm2b(&c, tmo, 8);
			tt_u16(&c, 0);
			tt_u16(&c, 0);
			tt_tpm2b(&c, name, 34);
			tt_bytes(&c, tk, sizeof tk);
			CHECK_RC(tt_exec(t, &c, &r), 0, "ticket: PolicyTicket accepts the ticket");
			get_digest(t, h2, got);
			CHECK(!memcmp(got, want, 32), "ticket: same digest as PolicySigned");
			tk[10] ^= 1;
			tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyTicket);
			tt_u32(&c, h2);
			tt_tpm2b(&c, tmo, 8);
			tt_u16(&c, 0);
			tt_u16(&c, 0);
			tt_tpm2b(&c, name, 34);
			tt_bytes(&c, tk, sizeof tk);
			CHECK_RC(tt_exec(t, &c, &r), TPM_RC_TICKET + TPM_RC_P + 0x500,
			         "ticket: a forged ticket -> TICKET+P5");
		}
	}
	/* PolicyAuthorize: approve the current digest with a VERIFIED ticket for the key */
	{
		struct tt_cmd c;
		uint8_t ahash[32], approved[32];
		struct tpmt_tk tk;
		tc_hash_ctx hc;
		get_digest(t, h, approved);
		tc_hash_init(&hc, TPM_ALG_SHA256);
		tc_hash_update(&hc, approved, 32);
		tc_hash_final(&hc, ahash);
		tpm2_ticket_verified(t, TPM_RH_OWNER, ahash, 32, name, 34, &tk);
		tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyAuthorize);
		tt_u32(&c, h);
		tt_tpm2b(&c, approved, 32);
		tt_u16(&c, 0);
		tt_tpm2b(&c, name, 34);
		tt_u16(&c, tk.tag); tt_u32(&c, tk.hierarchy); tt_tpm2b(&c, tk.digest.buf, tk.digest.size);
		CHECK_RC(tt_exec(t, &c, &r), 0, "authorize: PolicyAuthorize with a valid ticket");
		memset(want, 0, 32);
		ext_cc(want, TPM_CC_PolicyAuthorize, name, 34);
		ext(want, NULL, 0, NULL, 0);
		get_digest(t, h, got);
		CHECK(!memcmp(got, want, 32), "authorize: digest = H(H(0 || CC || keySign) || policyRef)");
		tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyAuthorize);
		tt_u32(&c, h);
		tt_tpm2b(&c, approved, 32);
		tt_u16(&c, 0);
		tt_tpm2b(&c, name, 34);
		tt_u16(&c, tk.tag); tt_u32(&c, tk.hierarchy); tt_tpm2b(&c, tk.digest.buf, tk.digest.size);
		CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1,
		         "authorize: approvedPolicy != current digest -> VALUE+P1");
	}
	free(t);
}

/* ------------------------------------------------------------------ NV */

static void test_nv(void)
{
	struct tpm2 *t = tt_new();
	struct tpm2_nv_index *nv = &t->nv[0];
	uint32_t h;
	uint8_t want[32] = { 0 }, got[32], name[34], args[32];
	struct tt_cmd c;
	struct tt_rsp r;
	memset(nv, 0, sizeof *nv);
	nv->pub.index = 0x01500040;
	nv->pub.name_alg = TPM_ALG_SHA256;
	nv->pub.attrs = TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE | TPMA_NV_WRITTEN | TPMA_NV_NO_DA;
	nv->pub.data_size = 34;
	nv->data_off = 0;
	t->nv_used = 34;
	start(t, TPM_SE_POLICY, &h, NULL);
	/* the NV data holds TPMT_HA = sha256 || 32 bytes: first the PolicyNV comparisons */
	tpm2_put_u16(t->nv_data, TPM_ALG_SHA256);
	memset(t->nv_data + 2, 0, 32);
	tpm2_nv_name(nv, name);
	{
		uint8_t p[2 + 2 + 2 + 2];
		tpm2_put_u16(p, 2);
		tpm2_put_u16(p + 2, TPM_ALG_SHA256);
		tpm2_put_u16(p + 4, 0);    /* offset */
		tpm2_put_u16(p + 6, 0);    /* EQ */
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PolicyNV);
		tt_u32(&c, nv->pub.index); tt_u32(&c, nv->pub.index); tt_u32(&c, h);
		tt_pw_sessions(&c, "", NULL);
		tt_bytes(&c, p, sizeof p);
		CHECK_RC(tt_exec(t, &c, &r), 0, "nv: PolicyNV EQ holds");
		tc_hash(TPM_ALG_SHA256, p + 2, 6, args);
		{
			uint8_t a[32 + 34];
			memcpy(a, args, 32);
			memcpy(a + 32, name, 34);
			ext_cc(want, TPM_CC_PolicyNV, a, sizeof a);
		}
		get_digest(t, h, got);
		CHECK(!memcmp(got, want, 32), "nv: PolicyNV = H(d || CC || H(operandB||offset||op) || nvName)");
		tpm2_put_u16(p + 6, 3);    /* UNSIGNED_GT: 0x000B > 0x000B is false */
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PolicyNV);
		tt_u32(&c, nv->pub.index); tt_u32(&c, nv->pub.index); tt_u32(&c, h);
		tt_pw_sessions(&c, "", NULL);
		tt_bytes(&c, p, sizeof p);
		CHECK_RC(tt_exec(t, &c, &r), TPM_RC_POLICY, "nv: PolicyNV comparison false -> POLICY");
		tpm2_put_u16(p + 4, 33);
		tpm2_put_u16(p + 6, 0);
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PolicyNV);
		tt_u32(&c, nv->pub.index); tt_u32(&c, nv->pub.index); tt_u32(&c, h);
		tt_pw_sessions(&c, "", NULL);
		tt_bytes(&c, p, sizeof p);
		CHECK_RC(tt_exec(t, &c, &r), TPM_RC_NV_RANGE, "nv: PolicyNV past the end -> NV_RANGE");
		tpm2_put_u16(p + 4, 0);
		tpm2_put_u16(p + 6, 12);
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PolicyNV);
		tt_u32(&c, nv->pub.index); tt_u32(&c, nv->pub.index); tt_u32(&c, h);
		tt_pw_sessions(&c, "", NULL);
		tt_bytes(&c, p, sizeof p);
		CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_P + TPM_RC_3,
		         "nv: unknown operation -> VALUE+P3");
	}
	/* PolicyAuthorizeNV: the index holds the current digest */
	memcpy(t->nv_data + 2, want, 32);
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PolicyAuthorizeNV);
	tt_u32(&c, nv->pub.index); tt_u32(&c, nv->pub.index); tt_u32(&c, h);
	tt_pw_sessions(&c, "", NULL);
	CHECK_RC(tt_exec(t, &c, &r), 0, "nv: PolicyAuthorizeNV with the digest in NV");
	memset(want, 0, 32);
	ext_cc(want, TPM_CC_PolicyAuthorizeNV, name, 34);
	get_digest(t, h, got);
	CHECK(!memcmp(got, want, 32), "nv: PolicyAuthorizeNV = H(0 || CC || nvName)");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PolicyAuthorizeNV);
	tt_u32(&c, nv->pub.index); tt_u32(&c, nv->pub.index); tt_u32(&c, h);
	tt_pw_sessions(&c, "", NULL);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE, "nv: PolicyAuthorizeNV with another digest -> VALUE");
	nv->pub.attrs &= ~(uint32_t)TPMA_NV_WRITTEN;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PolicyAuthorizeNV);
	tt_u32(&c, nv->pub.index); tt_u32(&c, nv->pub.index); tt_u32(&c, h);
	tt_pw_sessions(&c, "", NULL);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_NV_UNINITIALIZED, "nv: unwritten index -> NV_UNINITIALIZED");
	free(t);
}

/* Every policy/attestation command with truncated and random parameters: always a
 * well-formed response, never success for an empty parameter area that needs parameters. */
static void test_garbage(void)
{
	static const uint32_t ccs[] = {
		TPM_CC_PolicyPCR, TPM_CC_PolicyOR, TPM_CC_PolicyLocality, TPM_CC_PolicyCommandCode,
		TPM_CC_PolicyCpHash, TPM_CC_PolicyNameHash, TPM_CC_PolicyTemplate,
		TPM_CC_PolicyNvWritten, TPM_CC_PolicyCounterTimer, TPM_CC_PolicyTicket,
		TPM_CC_PolicyAuthorize, TPM_CC_PolicyDuplicationSelect,
	};
	struct tpm2 *t = tt_new();
	uint32_t h, x = 12345;
	unsigned bad = 0, empty_ok = 0;
	start(t, TPM_SE_POLICY, &h, NULL);
	for (unsigned i = 0; i < sizeof ccs / sizeof ccs[0]; i++) {
		uint8_t p[160];
		if (pcmd(t, ccs[i], h, NULL, 0) == 0)
			empty_ok++;
		for (unsigned n = 1; n < sizeof p; n += 3) {
			uint32_t rc;
			for (unsigned k = 0; k < n; k++) {
				x = x * 1103515245u + 12345u;
				p[k] = (uint8_t)(x >> 16);
			}
			if (n < 8)
				memset(p, 0, n);   /* short inputs: zeros parse further */
			rc = pcmd(t, ccs[i], h, p, n);
			if (rc == 0xEEEEEEEEu || rc == 0xFFFFFFFFu)
				bad++;
			pcmd(t, TPM_CC_PolicyRestart, h, NULL, 0);
		}
	}
	CHECK(bad == 0, "garbage: every truncated/random policy command gets a well-formed response");
	CHECK(empty_ok == 0, "garbage: no policy command with parameters accepts an empty area");
	free(t);
}

int main(void)
{
	test_garbage();
	test_digests();
	test_use();
	test_signed();
	test_nv();
	return tt_done();
}
