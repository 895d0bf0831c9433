/*
 * The command families, driven through tpm2_execute() with real command bytes: start-up,
 * self test, capabilities, random, PCRs, hashing and sequences, contexts, NV, hierarchies,
 * dictionary attack, clock.
 */
#include "tpm2_test.h"

static struct tt_cmd c;
static struct tt_rsp r;

/* ------------------------------------------------------------------ small command helpers */

static void with_pw(uint16_t n_handles_unused, const char *pw)
{
	(void)n_handles_unused;
	tt_pw_sessions(&c, pw, NULL);
}

static uint32_t get_cap(struct tpm2 *t, uint32_t cap, uint32_t prop, uint32_t count)
{
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
	tt_u32(&c, cap);
	tt_u32(&c, prop);
	tt_u32(&c, count);
	return tt_exec(t, &c, &r);
}

/* Value of one TPM property (after GetCapability(TPM_PROPERTIES, pt, 1)). */
static uint32_t prop(struct tpm2 *t, uint32_t pt)
{
	if (get_cap(t, TPM_CAP_TPM_PROPERTIES, pt, 1) || tpm2_get_u32(r.b + 15) != 1 ||
	    tpm2_get_u32(r.b + 19) != pt)
		return 0xDEADBEEF;
	return tpm2_get_u32(r.b + 23);
}

static uint32_t pcr_extend(struct tpm2 *t, uint8_t loc, uint32_t pcr, uint16_t alg,
                           const uint8_t *d)
{
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tt_u32(&c, pcr);
	with_pw(1, "");
	tt_u32(&c, 1);
	tt_u16(&c, alg);
	tt_bytes(&c, d, tpm2_hash_size(alg));
	return tt_exec_loc(t, loc, &c, &r);
}

static uint32_t pcr_reset(struct tpm2 *t, uint8_t loc, uint32_t pcr)
{
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Reset);
	tt_u32(&c, pcr);
	with_pw(1, "");
	return tt_exec_loc(t, loc, &c, &r);
}

/* Reads one PCR of one bank into out; returns the rc. */
static uint32_t pcr_read1(struct tpm2 *t, uint16_t alg, unsigned pcr, uint8_t *out)
{
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tt_u32(&c, 1);
	tt_u16(&c, alg);
	tt_u8(&c, 3);
	tt_u8(&c, pcr < 8 ? (uint8_t)(1u << pcr) : 0);
	tt_u8(&c, pcr >= 8 && pcr < 16 ? (uint8_t)(1u << (pcr - 8)) : 0);
	tt_u8(&c, pcr >= 16 ? (uint8_t)(1u << (pcr - 16)) : 0);
	if (tt_exec(t, &c, &r))
		return r.rc;
	/* updateCounter(4) sel(4+2+1+3) count(4) size(2) digest */
	if (tpm2_get_u32(r.b + 24) != 1)
		return 0xBAD;
	memcpy(out, r.b + 30, tpm2_get_u16(r.b + 28));
	return 0;
}

static uint32_t nv_define(struct tpm2 *t, uint32_t auth_h, const char *auth_pw, uint32_t index,
                          uint32_t attrs, uint16_t size, const char *index_pw);
static uint32_t nv_write(struct tpm2 *t, uint32_t auth_h, uint32_t index, const char *pw,
                         const void *d, uint16_t n, uint16_t off);
#define NV_RW (TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE | TPMA_NV_OWNERREAD | TPMA_NV_OWNERWRITE)

static void restart(struct tpm2 *t, uint16_t shut, uint16_t start)
{
	if (shut != 0xFFFF)
		tt_shutdown(t, shut);
	tpm2_power_on(t);
	tt_startup(t, start);
}

/* ------------------------------------------------------------------ start-up, test, random */

static void test_startup(void)
{
	struct tpm2 *t = tt_new_raw();
	uint8_t d[32], v[32];
	memset(d, 0x5A, 32);
	CHECK_RC(tt_startup(t, 7), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1, "Startup: bad type -> VALUE+P1");
	CHECK_RC(tt_startup(t, TPM_SU_CLEAR), 0, "Startup(CLEAR) on a fresh TPM");
	CHECK(t->reset_count == 1, "Startup(CLEAR): a TPM Reset counts");
	pcr_extend(t, 0, 5, TPM_ALG_SHA256, d);
	pcr_read1(t, TPM_ALG_SHA256, 5, v);

	restart(t, 0xFFFF, TPM_SU_STATE);
	CHECK_RC(r.rc, 0, "(setup)");
	CHECK_RC(tt_startup(t, TPM_SU_STATE), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1,
	         "Startup(STATE) after a disorderly power cycle -> VALUE+P1");
	CHECK_RC(tt_startup(t, TPM_SU_CLEAR), 0, "Startup(CLEAR) after the refused STATE");
	CHECK(t->da.failed_tries == 0, "disorderly power cycle without DA use: no DA failure");

	pcr_extend(t, 0, 5, TPM_ALG_SHA256, d);
	pcr_read1(t, TPM_ALG_SHA256, 5, v);
	CHECK_RC(tt_shutdown(t, TPM_SU_STATE), 0, "Shutdown(STATE)");
	CHECK_RC(tt_shutdown(t, 9), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1, "Shutdown: bad type -> VALUE+P1");
	tpm2_power_on(t);
	CHECK_RC(tt_startup(t, TPM_SU_STATE), 0, "Startup(STATE) after Shutdown(STATE): resume");
	{
		uint8_t v2[32];
		pcr_read1(t, TPM_ALG_SHA256, 5, v2);
		CHECK(memcmp(v, v2, 32) == 0, "resume: PCR 5 keeps its value");
		CHECK(t->restart_count == 1 && t->reset_count == 2, "resume: restartCount counts, resetCount doesn't");
	}
	restart(t, TPM_SU_STATE, TPM_SU_CLEAR);
	{
		uint8_t v2[32], zero[32] = { 0 };
		pcr_read1(t, TPM_ALG_SHA256, 5, v2);
		CHECK(memcmp(v2, zero, 32) == 0, "restart (CLEAR after STATE): PCRs reset");
	}
	restart(t, TPM_SU_CLEAR, TPM_SU_CLEAR);
	CHECK(t->reset_count == 3, "Shutdown(CLEAR)+Startup(CLEAR): TPM Reset");
	nv_define(t, TPM_RH_OWNER, "", 0x01500000, NV_RW, 8, "pw");
	nv_write(t, 0x01500000, 0x01500000, "pw", "12345678", 8, 0);
	restart(t, 0xFFFF, TPM_SU_CLEAR);
	CHECK(t->da.failed_tries == 1, "disorderly power cycle while DA was in use: one DA failure");
	restart(t, TPM_SU_CLEAR, TPM_SU_CLEAR);
	CHECK(t->da.failed_tries == 1, "orderly power cycle: no DA failure");

	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_SelfTest);
	tt_u8(&c, 1);
	CHECK_RC(tt_exec(t, &c, &r), 0, "SelfTest(full)");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_SelfTest);
	tt_u8(&c, 2);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1, "SelfTest(2) -> VALUE+P1");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_IncrementalSelfTest);
	tt_u32(&c, 2);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_u16(&c, TPM_ALG_RSA);
	CHECK(tt_exec(t, &c, &r) == 0 && r.n == 14 && tpm2_get_u32(r.b + 10) == 0,
	      "IncrementalSelfTest: empty to-do list");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetTestResult);
	CHECK(tt_exec(t, &c, &r) == 0 && r.n == 16 && tpm2_get_u32(r.b + 12) == 0,
	      "GetTestResult: TPM_RC_SUCCESS");

	{
		uint8_t a[16], b[16];
		tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
		tt_u16(&c, 16);
		tt_exec(t, &c, &r);
		memcpy(a, r.b + 12, 16);
		CHECK(r.rc == 0 && tpm2_get_u16(r.b + 10) == 16, "GetRandom: 16 bytes");
		tt_exec(t, &c, &r);
		memcpy(b, r.b + 12, 16);
		CHECK(memcmp(a, b, 16) != 0, "GetRandom: two calls differ");
		tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
		tt_u16(&c, 1000);
		CHECK(tt_exec(t, &c, &r) == 0 && tpm2_get_u16(r.b + 10) == 64,
		      "GetRandom: capped at 64 bytes per call");
	}
	{   /* the pool: identical TPMs give identical streams until one of them is stirred */
		struct tpm2 *u, *v;
		uint8_t a[64], b[64];
		tt_entropy_ctr = 0;
		u = tt_new();
		tt_entropy_ctr = 0;
		v = tt_new();
		int same = 1;
		for (int i = 0; i < 40; i++) {   /* crosses several 512-byte pool refills */
			tpm2_random(u, a, 48);
			tpm2_random(v, b, 48);
			same &= memcmp(a, b, 48) == 0;
		}
		CHECK(same, "random: two identically seeded TPMs agree across pool refills");
		tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StirRandom);
		tt_tpm2b(&c, "stir", 4);
		tt_exec(u, &c, &r);
		tpm2_random(u, a, 32);
		tpm2_random(v, b, 32);
		CHECK(r.rc == 0 && memcmp(a, b, 32) != 0, "StirRandom: the very next random bytes change");
		free(u);
		free(v);
	}
	{
		uint8_t big[129] = { 0 };
		tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StirRandom);
		tt_tpm2b(&c, big, 128);
		CHECK_RC(tt_exec(t, &c, &r), 0, "StirRandom: 128 bytes");
		tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StirRandom);
		tt_tpm2b(&c, big, 129);
		CHECK_RC(tt_exec(t, &c, &r), TPM_RC_SIZE + TPM_RC_P + TPM_RC_1, "StirRandom: 129 bytes -> SIZE+P1");
	}
	free(t);
}

/* ------------------------------------------------------------------ capabilities */

static void test_capability(void)
{
	struct tpm2 *t = tt_new();
	uint32_t total = prop(t, TPM_PT_TOTAL_COMMANDS);

	get_cap(t, TPM_CAP_COMMANDS, 0, 1000);
	CHECK(r.rc == 0 && r.b[10] == 0 && tpm2_get_u32(r.b + 15) == total && total >= 40,
	      "COMMANDS: lists exactly TOTAL_COMMANDS entries");
	{
		int found_startup = 0, found_create = 0;
		for (uint32_t i = 0; i < tpm2_get_u32(r.b + 15); i++) {
			uint32_t a = tpm2_get_u32(r.b + 19 + 4 * i);
			if ((a & 0xFFFF) == TPM_CC_Startup && a == 0x400144)
				found_startup = 1;
			if ((a & 0xFFFF) == TPM_CC_Create && !tpm2_cmd_find(TPM_CC_Create))
				found_create = 1;
		}
		CHECK(found_startup, "COMMANDS: Startup with attributes 0x00400144");
		CHECK(!found_create, "COMMANDS: unimplemented commands are absent");
	}
	get_cap(t, TPM_CAP_COMMANDS, TPM_CC_PCR_Read, 2);
	CHECK(r.rc == 0 && r.b[10] == 1 && tpm2_get_u32(r.b + 15) == 2 &&
	      (tpm2_get_u32(r.b + 19) & 0xFFFF) >= TPM_CC_PCR_Read,
	      "COMMANDS: property is the first code, count limits, moreData set");

	CHECK(prop(t, TPM_PT_FAMILY_INDICATOR) == 0x322E3000, "PROPERTIES: family \"2.0\"");
	CHECK(prop(t, TPM_PT_MAX_COMMAND_SIZE) == 4096 && prop(t, TPM_PT_MAX_RESPONSE_SIZE) == 4096,
	      "PROPERTIES: MAX_COMMAND/RESPONSE_SIZE 4096");
	CHECK(prop(t, TPM_PT_PCR_COUNT) == 24 && prop(t, TPM_PT_PCR_SELECT_MIN) == 3,
	      "PROPERTIES: 24 PCRs, PCR_SELECT_MIN 3");
	CHECK(prop(t, TPM_PT_NV_BUFFER_MAX) == 1024 && prop(t, TPM_PT_INPUT_BUFFER) == 1024 &&
	      prop(t, TPM_PT_MAX_DIGEST) == 64, "PROPERTIES: buffer sizes");
	CHECK(prop(t, TPM_PT_HR_TRANSIENT_MIN) == 3 && prop(t, TPM_PT_HR_TRANSIENT_AVAIL) == 3,
	      "PROPERTIES: 3 transient slots, all free");
	CHECK(prop(t, TPM_PT_MAX_AUTH_FAIL) == 3 && prop(t, TPM_PT_LOCKOUT_COUNTER) == 0,
	      "PROPERTIES: DA defaults");
	CHECK((prop(t, TPM_PT_STARTUP_CLEAR) & 0xF) == 0xF, "PROPERTIES: all hierarchies enabled");
	get_cap(t, TPM_CAP_TPM_PROPERTIES, PT_FIXED, 1000);
	CHECK(r.rc == 0 && r.b[10] == 0 && tpm2_get_u32(r.b + 15) == 46,
	      "PROPERTIES: the 46 fixed properties, the group ends there (as libtpms)");
	get_cap(t, TPM_CAP_TPM_PROPERTIES, PT_VAR, 1000);
	CHECK(r.rc == 0 && r.b[10] == 0 && tpm2_get_u32(r.b + 15) == 21,
	      "PROPERTIES: the 21 variable properties");
	get_cap(t, TPM_CAP_TPM_PROPERTIES, PT_FIXED, 5);
	CHECK(r.rc == 0 && r.b[10] == 1 && tpm2_get_u32(r.b + 15) == 5, "PROPERTIES: moreData when cut");
	get_cap(t, TPM_CAP_TPM_PROPERTIES, PT_VAR, 1);
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 19) == TPM_PT_PERMANENT, "PROPERTIES: PT_VAR starts at PERMANENT");

	get_cap(t, TPM_CAP_PCRS, 0, 1);
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 15) == 4 && tpm2_get_u16(r.b + 19) == TPM_ALG_SHA1 &&
	      r.b[21] == 3 && r.b[22] == 0xFF, "PCRS: four banks, all allocated");
	get_cap(t, TPM_CAP_HANDLES, 0, 100);
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 15) == 24, "HANDLES: 24 PCRs");
	get_cap(t, TPM_CAP_HANDLES, HR_PERMANENT, 100);
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 15) == 7 && tpm2_get_u32(r.b + 19) == TPM_RH_OWNER,
	      "HANDLES: permanent handles");
	get_cap(t, TPM_CAP_HANDLES, HR_TRANSIENT, 100);
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 15) == 0, "HANDLES: no transient objects");
	get_cap(t, TPM_CAP_HANDLES, HR_NV_INDEX, 100);
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 15) == 0, "HANDLES: no NV indices");
	get_cap(t, TPM_CAP_HANDLES, HR_PERSISTENT, 100);
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 15) == 0, "HANDLES: no persistent objects");
	get_cap(t, TPM_CAP_HANDLES, HR_HMAC_SESSION, 100);
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 15) == 0, "HANDLES: no loaded sessions");
	get_cap(t, TPM_CAP_HANDLES, 0x05000000, 100);
	CHECK_RC(r.rc, TPM_RC_HANDLE + TPM_RC_P + TPM_RC_2, "HANDLES: unknown range -> HANDLE+P2");
	CHECK_RC(get_cap(t, 10, 0, 1), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1, "GetCapability: bad capability -> VALUE+P1");

	get_cap(t, TPM_CAP_ALGS, TPM_ALG_SHA256, 1);
	CHECK(r.rc == 0 && tpm2_get_u16(r.b + 19) == TPM_ALG_SHA256 &&
	      tpm2_get_u32(r.b + 21) == TPMA_ALGORITHM_HASH && r.b[10] == 1, "ALGS: SHA-256 is a hash");
	get_cap(t, TPM_CAP_ECC_CURVES, 0, 10);
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 15) == 2 && tpm2_get_u16(r.b + 19) == TPM_ECC_NIST_P256,
	      "ECC_CURVES: P-256 and P-384");
	get_cap(t, TPM_CAP_PCR_PROPERTIES, TPM_PT_PCR_RESET_L0, 1);
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 19) == TPM_PT_PCR_RESET_L0 && r.b[23] == 3 &&
	      r.b[24] == 0 && r.b[25] == 0 && r.b[26] == 0x81, "PCR_PROPERTIES: locality 0 resets PCR 16 and 23");
	get_cap(t, TPM_CAP_PCR_PROPERTIES, TPM_PT_PCR_RESET_L4, 1);
	CHECK(r.rc == 0 && r.b[26] == 0x7E, "PCR_PROPERTIES: locality 4 resets PCR 17-22 (as libtpms)");
	get_cap(t, TPM_CAP_PP_COMMANDS, 0, 10);
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 15) == 0, "PP_COMMANDS: none");
	get_cap(t, TPM_CAP_AUDIT_COMMANDS, 0, 10);
	CHECK(r.rc == 0 && (tpm2_cmd_find(TPM_CC_SetCommandCodeAuditStatus)
	                    ? tpm2_get_u32(r.b + 15) == 1 && tpm2_get_u32(r.b + 19) == TPM_CC_SetCommandCodeAuditStatus
	                    : tpm2_get_u32(r.b + 15) == 0),
	      "AUDIT_COMMANDS: SetCommandCodeAuditStatus is always audited (as manufactured)");

	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_TestParms);
	tt_u16(&c, TPM_ALG_RSA);
	tt_u16(&c, TPM_ALG_NULL);
	tt_u16(&c, TPM_ALG_NULL);
	tt_u16(&c, 2048);
	tt_u32(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), 0, "TestParms: RSA-2048");
	tpm2_put_u16(c.b + 16, 1000);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1, "TestParms: RSA-1000 -> VALUE+P1");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_TestParms);
	tt_u16(&c, TPM_ALG_ECC);
	tt_u16(&c, TPM_ALG_NULL);
	tt_u16(&c, TPM_ALG_NULL);
	tt_u16(&c, TPM_ECC_NIST_P521);
	tt_u16(&c, TPM_ALG_NULL);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_CURVE + TPM_RC_P + TPM_RC_1, "TestParms: P-521 -> CURVE+P1");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_TestParms);
	tt_u16(&c, TPM_ALG_SYMCIPHER);
	tt_u16(&c, TPM_ALG_AES);
	tt_u16(&c, 100);
	tt_u16(&c, TPM_ALG_CFB);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1, "TestParms: AES-100 -> VALUE+P1");
	tpm2_put_u16(c.b + 14, 192);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1, "TestParms: AES-192 -> VALUE+P1 (as libtpms)");
	tpm2_put_u16(c.b + 14, 256);
	CHECK_RC(tt_exec(t, &c, &r), 0, "TestParms: AES-256 CFB");
	free(t);
}

/* ------------------------------------------------------------------ PCRs */

static void test_pcr(void)
{
	struct tpm2 *t = tt_new();
	uint8_t d[64], v[64], want[64], buf[128], ff[32];
	memset(d, 0x42, sizeof d);
	memset(ff, 0xFF, sizeof ff);

	CHECK_RC(pcr_extend(t, 0, 23, TPM_ALG_SHA256, d), 0, "PCR_Extend: PCR 23 SHA-256");
	memset(buf, 0, 32);
	memcpy(buf + 32, d, 32);
	tpm2_hash_buf(TPM_ALG_SHA256, buf, 64, want);
	CHECK(pcr_read1(t, TPM_ALG_SHA256, 23, v) == 0 && memcmp(v, want, 32) == 0,
	      "PCR_Read: SHA-256(0^32 || digest)");
	CHECK(pcr_read1(t, TPM_ALG_SHA1, 23, v) == 0 && memcmp(v, ff, 0) == 0 && v[0] == 0,
	      "PCR_Read: the SHA-1 bank is untouched");
	CHECK_RC(pcr_extend(t, 0, 17, TPM_ALG_SHA256, d), TPM_RC_LOCALITY, "PCR_Extend: PCR 17 from locality 0 -> LOCALITY");
	CHECK(pcr_read1(t, TPM_ALG_SHA256, 17, v) == 0 && memcmp(v, ff, 32) == 0, "PCR 17 starts at all ones");
	CHECK_RC(pcr_reset(t, 0, 17), TPM_RC_LOCALITY, "PCR_Reset: PCR 17 from locality 0 -> LOCALITY");
	CHECK_RC(pcr_reset(t, 4, 17), TPM_RC_LOCALITY, "PCR_Reset: PCR 17 (D-RTM) not even from locality 4");
	CHECK_RC(pcr_reset(t, 4, 18), 0, "PCR_Reset: PCR 18 from locality 4");
	CHECK(pcr_read1(t, TPM_ALG_SHA256, 18, v) == 0 && v[0] == 0 && v[31] == 0, "PCR_Reset: PCR 18 now zero");
	CHECK_RC(pcr_extend(t, 2, 21, TPM_ALG_SHA256, d), 0, "PCR_Extend: PCR 21 from locality 2");
	CHECK_RC(pcr_extend(t, 3, 21, TPM_ALG_SHA256, d), TPM_RC_LOCALITY, "PCR_Extend: PCR 21 from locality 3 -> LOCALITY");
	CHECK_RC(pcr_reset(t, 0, 0), TPM_RC_LOCALITY, "PCR_Reset: PCR 0 -> LOCALITY");
	CHECK_RC(pcr_reset(t, 3, 23), 0, "PCR_Reset: PCR 23 from locality 3");
	CHECK(pcr_read1(t, TPM_ALG_SHA256, 23, v) == 0 && v[0] == 0, "PCR_Reset: PCR 23 zero again");
	CHECK_RC(pcr_extend(t, 0, TPM_RH_NULL, TPM_ALG_SHA256, d), 0, "PCR_Extend: TPM_RH_NULL is a no-op");

	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Event);
	tt_u32(&c, 16);
	with_pw(1, "");
	tt_tpm2b(&c, "event", 5);
	tt_exec(t, &c, &r);
	tpm2_hash_buf(TPM_ALG_SHA384, "event", 5, want);
	/* params: count(4) then (alg, digest) x4: sha1(2+20) sha256(2+32) sha384 */
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 14) == 4 && tpm2_get_u16(r.b + 18 + 22 + 34) == TPM_ALG_SHA384 &&
	      memcmp(r.b + 18 + 22 + 34 + 2, want, 48) == 0, "PCR_Event: digests of every bank");
	memset(buf, 0, 48);
	memcpy(buf + 48, want, 48);
	tpm2_hash_buf(TPM_ALG_SHA384, buf, 96, want);
	CHECK(pcr_read1(t, TPM_ALG_SHA384, 16, v) == 0 && memcmp(v, want, 48) == 0, "PCR_Event: PCR 16 extended in SHA-384");

	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tt_u32(&c, 1);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_u8(&c, 3);
	tt_u8(&c, 0xFF);
	tt_u8(&c, 0xFF);
	tt_u8(&c, 0xFF);
	tt_exec(t, &c, &r);
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 24) == 8 && r.b[21] == 0xFF && r.b[22] == 0 && r.b[23] == 0,
	      "PCR_Read: at most 8 values, the selection says which");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tt_u32(&c, 1);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_u8(&c, 4);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1, "PCR_Read: sizeofSelect 4 -> VALUE+P1");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tt_u32(&c, 1);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_u8(&c, 1);
	tt_u8(&c, 1);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1, "PCR_Read: sizeofSelect 1 (< PCR_SELECT_MIN) -> VALUE+P1");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tt_u32(&c, 1);
	tt_u16(&c, TPM_ALG_SM3_256);
	tt_u8(&c, 3);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_HASH + TPM_RC_P + TPM_RC_1, "PCR_Read: unknown bank -> HASH+P1");

	/* PCR_Allocate: drop SHA-1; takes effect at the next Startup(CLEAR) */
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Allocate);
	tt_u32(&c, TPM_RH_PLATFORM);
	with_pw(1, "");
	tt_u32(&c, 1);
	tt_u16(&c, TPM_ALG_SHA1);
	tt_u8(&c, 3);
	tt_u8(&c, 0);
	tt_u8(&c, 0);
	tt_u8(&c, 0);
	CHECK(tt_exec(t, &c, &r) == 0 && r.b[14] == 1, "PCR_Allocate: success");
	get_cap(t, TPM_CAP_PCRS, 0, 1);
	CHECK(r.b[22] == 0xFF, "PCR_Allocate: not before the next Startup");
	CHECK_RC(tt_shutdown(t, TPM_SU_STATE), TPM_RC_TYPE + TPM_RC_P + TPM_RC_1,
	         "Shutdown(STATE) with a pending PCR_Allocate -> TYPE+P1");
	restart(t, TPM_SU_CLEAR, TPM_SU_CLEAR);
	get_cap(t, TPM_CAP_PCRS, 0, 1);
	CHECK(r.b[22] == 0 && r.b[28] == 0xFF, "PCR_Allocate: SHA-1 bank gone after restart, SHA-256 kept");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tt_u32(&c, 1);
	tt_u16(&c, TPM_ALG_SHA1);
	tt_u8(&c, 3);
	tt_u8(&c, 1);
	tt_u8(&c, 0);
	tt_u8(&c, 0);
	CHECK(tt_exec(t, &c, &r) == 0 && tpm2_get_u32(r.b + 24) == 0 && r.b[21] == 0,
	      "PCR_Read: unallocated bank returns nothing");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Allocate);
	tt_u32(&c, TPM_RH_OWNER);
	with_pw(1, "");
	tt_u32(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_H + TPM_RC_1, "PCR_Allocate: owner -> VALUE+H1");
	free(t);
}

/* ------------------------------------------------------------------ hash, sequences, contexts */

static uint32_t seq_start(struct tpm2 *t, const char *auth, uint16_t alg)
{
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
	tt_tpm2b(&c, auth, strlen(auth));
	tt_u16(&c, alg);
	if (tt_exec(t, &c, &r))
		return 0;
	return tpm2_get_u32(r.b + 10);
}

static uint32_t seq_update(struct tpm2 *t, uint32_t h, const char *pw, const void *d, size_t n)
{
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_SequenceUpdate);
	tt_u32(&c, h);
	with_pw(1, pw);
	tt_tpm2b(&c, d, n);
	return tt_exec(t, &c, &r);
}

static uint32_t seq_complete(struct tpm2 *t, uint32_t h, const char *pw, const void *d, size_t n,
                             uint32_t hier)
{
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_SequenceComplete);
	tt_u32(&c, h);
	with_pw(1, pw);
	tt_tpm2b(&c, d, n);
	tt_u32(&c, hier);
	return tt_exec(t, &c, &r);
}

static uint32_t context_save(struct tpm2 *t, uint32_t h, uint8_t *blob, size_t *len)
{
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextSave);
	tt_u32(&c, h);
	if (tt_exec(t, &c, &r) == 0) {
		*len = r.n - 10;
		memcpy(blob, r.b + 10, *len);
	}
	return r.rc;
}

static uint32_t context_load(struct tpm2 *t, const uint8_t *blob, size_t len, uint32_t *h)
{
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextLoad);
	tt_bytes(&c, blob, len);
	if (tt_exec(t, &c, &r) == 0)
		*h = tpm2_get_u32(r.b + 10);
	return r.rc;
}

static uint32_t flush(struct tpm2 *t, uint32_t h)
{
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
	tt_u32(&c, h);
	return tt_exec(t, &c, &r);
}

static void test_hash(void)
{
	struct tpm2 *t = tt_new();
	uint8_t want[64];
	static const uint8_t gen[] = { 0xFF, 0x54, 0x43, 0x47, 1, 2, 3 };
	uint32_t h, h2;
	uint8_t blob[4096];
	size_t blen;

	tpm2_hash_buf(TPM_ALG_SHA256, "abc", 3, want);
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
	tt_tpm2b(&c, "abc", 3);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_u32(&c, TPM_RH_OWNER);
	tt_exec(t, &c, &r);
	CHECK(r.rc == 0 && tpm2_get_u16(r.b + 10) == 32 && memcmp(r.b + 12, want, 32) == 0,
	      "Hash: SHA-256(\"abc\")");
	CHECK(tpm2_get_u16(r.b + 44) == TPM_ST_HASHCHECK && tpm2_get_u32(r.b + 46) == TPM_RH_OWNER &&
	      tpm2_get_u16(r.b + 50) == 32, "Hash: owner ticket with a digest");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
	tt_tpm2b(&c, gen, sizeof gen);
	tt_u16(&c, TPM_ALG_SHA1);
	tt_u32(&c, TPM_RH_OWNER);
	tt_exec(t, &c, &r);
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 34) == TPM_RH_NULL && tpm2_get_u16(r.b + 38) == 0,
	      "Hash: data posing as TPM_GENERATED gets a NULL ticket");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
	tt_tpm2b(&c, "abc", 3);
	tt_u16(&c, TPM_ALG_NULL);
	tt_u32(&c, TPM_RH_OWNER);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_HASH + TPM_RC_P + TPM_RC_2, "Hash: NULL alg -> HASH+P2");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
	tt_tpm2b(&c, "abc", 3);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_u32(&c, TPM_RH_LOCKOUT);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_P + TPM_RC_3, "Hash: lockout hierarchy -> VALUE+P3");

	h = seq_start(t, "sq", TPM_ALG_SHA512);
	CHECK(HANDLE_TYPE(h) == TPM_HT_TRANSIENT, "HashSequenceStart: transient handle");
	CHECK_RC(seq_update(t, h, "sq", "a", 1), 0, "SequenceUpdate with the sequence's password");
	CHECK_RC(seq_update(t, h, "bad", "b", 1), TPM_RC_BAD_AUTH + TPM_RC_S + TPM_RC_1,
	         "SequenceUpdate: wrong password -> BAD_AUTH+S1");
	seq_update(t, h, "sq", "b", 1);
	CHECK_RC(context_save(t, h, blob, &blen), 0, "ContextSave of a hash sequence");
	CHECK_RC(flush(t, h), 0, "FlushContext of the sequence");
	CHECK_RC(seq_update(t, h, "sq", "c", 1), TPM_RC_REFERENCE_H0, "flushed sequence -> REFERENCE_H0");
	CHECK_RC(flush(t, h), TPM_RC_HANDLE + TPM_RC_P + TPM_RC_1, "FlushContext twice -> HANDLE+P1");
	CHECK_RC(context_load(t, blob, blen, &h2), 0, "ContextLoad of the sequence");
	seq_complete(t, h2, "sq", "c", 1, TPM_RH_NULL);
	tpm2_hash_buf(TPM_ALG_SHA512, "abc", 3, want);
	CHECK(r.rc == 0 && tpm2_get_u16(r.b + 14) == 64 && memcmp(r.b + 16, want, 64) == 0,
	      "SequenceComplete after save/load: SHA-512(\"abc\")");
	CHECK_RC(seq_update(t, h2, "sq", "c", 1), TPM_RC_REFERENCE_H0, "SequenceComplete flushes the sequence");

	blob[blen - 5] ^= 1;
	CHECK_RC(context_load(t, blob, blen, &h2), TPM_RC_INTEGRITY + TPM_RC_P + TPM_RC_1,
	         "ContextLoad: modified blob -> INTEGRITY+P1");
	blob[blen - 5] ^= 1;
	restart(t, TPM_SU_CLEAR, TPM_SU_CLEAR);
	CHECK_RC(context_load(t, blob, blen, &h2), TPM_RC_INTEGRITY + TPM_RC_P + TPM_RC_1,
	         "ContextLoad: context from before a TPM Reset -> INTEGRITY+P1");

	h = seq_start(t, "", TPM_ALG_SHA256);
	seq_start(t, "", TPM_ALG_SHA256);
	seq_start(t, "", TPM_ALG_SHA256);
	CHECK(seq_start(t, "", TPM_ALG_SHA256) == 0 && r.rc == TPM_RC_OBJECT_MEMORY,
	      "4th sequence -> OBJECT_MEMORY");
	get_cap(t, TPM_CAP_HANDLES, HR_TRANSIENT, 10);
	CHECK(tpm2_get_u32(r.b + 15) == 3, "HANDLES: three transient handles listed");
	CHECK_RC(context_save(t, h, blob, &blen), 0, "ContextSave with all slots full");
	CHECK_RC(context_load(t, blob, blen, &h2), TPM_RC_OBJECT_MEMORY, "ContextLoad with all slots full -> OBJECT_MEMORY");
	flush(t, 0x80000000);
	flush(t, 0x80000001);
	flush(t, 0x80000002);

	h = seq_start(t, "e", TPM_ALG_NULL);
	seq_update(t, h, "e", "ev", 2);
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_EventSequenceComplete);
	tt_u32(&c, 16);
	tt_u32(&c, h);
	tt_pw_sessions(&c, "", "e");
	tt_tpm2b(&c, "ent", 3);
	tt_exec(t, &c, &r);
	tpm2_hash_buf(TPM_ALG_SHA256, "event", 5, want);
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 14) == 4 && tpm2_get_u16(r.b + 18 + 22) == TPM_ALG_SHA256 &&
	      memcmp(r.b + 18 + 22 + 2, want, 32) == 0, "EventSequenceComplete: digests of every bank");
	{
		uint8_t v[32], buf[64];
		memset(buf, 0, 32);
		memcpy(buf + 32, want, 32);
		tpm2_hash_buf(TPM_ALG_SHA256, buf, 64, want);
		CHECK(pcr_read1(t, TPM_ALG_SHA256, 16, v) == 0 && memcmp(v, want, 32) == 0,
		      "EventSequenceComplete: PCR 16 extended");
	}
	h = seq_start(t, "", TPM_ALG_SHA256);
	CHECK_RC(seq_complete(t, h, "", "x", 1, TPM_RH_NULL), 0, "(setup)");
	h = seq_start(t, "", TPM_ALG_NULL);
	CHECK_RC(seq_complete(t, h, "", "x", 1, TPM_RH_NULL), TPM_RC_MODE + TPM_RC_H + TPM_RC_1,
	         "SequenceComplete on an event sequence -> MODE+H1");
	flush(t, h);

	/* HMAC with a keyed-hash object placed in a slot (objects family not needed) */
	{
		struct tpm2_slot *s = tpm2_slot_alloc(t, TPM2_SLOT_OBJECT);
		struct tpm2_object *o = &s->u.obj;
		uint8_t mac[32];
		o->pub.type = TPM_ALG_KEYEDHASH;
		o->pub.name_alg = TPM_ALG_SHA256;
		o->pub.attrs = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA;
		o->pub.scheme.alg = TPM_ALG_HMAC;
		o->pub.scheme.hash = TPM_ALG_SHA256;
		o->sens.sensitive.size = 3;
		memcpy(o->sens.sensitive.buf, "key", 3);
		o->hierarchy = TPM_RH_OWNER;
		tpm2_hmac_buf(TPM_ALG_SHA256, "key", 3, "data", 4, mac);
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_HMAC);
		tt_u32(&c, s->handle);
		with_pw(1, "");
		tt_tpm2b(&c, "data", 4);
		tt_u16(&c, TPM_ALG_NULL);
		tt_exec(t, &c, &r);
		CHECK(r.rc == 0 && tpm2_get_u16(r.b + 14) == 32 && memcmp(r.b + 16, mac, 32) == 0,
		      "HMAC: keyed-hash key, scheme's hash");
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_HMAC);
		tt_u32(&c, s->handle);
		with_pw(1, "");
		tt_tpm2b(&c, "data", 4);
		tt_u16(&c, TPM_ALG_SHA1);
		CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_P + TPM_RC_2, "HMAC: hash differs from the scheme -> VALUE+P2");
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_HMAC_Start);
		tt_u32(&c, s->handle);
		with_pw(1, "");
		tt_tpm2b(&c, "hs", 2);
		tt_u16(&c, TPM_ALG_SHA256);
		tt_exec(t, &c, &r);
		h = tpm2_get_u32(r.b + 10);
		CHECK(r.rc == 0 && HANDLE_TYPE(h) == TPM_HT_TRANSIENT && h != s->handle, "HMAC_Start: sequence handle");
		seq_update(t, h, "hs", "da", 2);
		seq_complete(t, h, "hs", "ta", 2, TPM_RH_OWNER);
		CHECK(r.rc == 0 && memcmp(r.b + 16, mac, 32) == 0 && tpm2_get_u32(r.b + 16 + 32 + 2) == TPM_RH_NULL,
		      "HMAC sequence: same MAC, NULL ticket");
		h = seq_start(t, "", TPM_ALG_SHA1);
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_HMAC_Start);
		tt_u32(&c, h);
		with_pw(1, "");
		tt_tpm2b(&c, "", 0);
		tt_u16(&c, TPM_ALG_SHA256);
		CHECK_RC(tt_exec(t, &c, &r), TPM_RC_TYPE + TPM_RC_H + TPM_RC_1, "HMAC_Start on a non-key -> TYPE+H1");
	}
	free(t);
}

/* ------------------------------------------------------------------ NV */

static uint32_t nv_define(struct tpm2 *t, uint32_t auth_h, const char *auth_pw, uint32_t index,
                          uint32_t attrs, uint16_t size, const char *index_pw)
{
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
	tt_u32(&c, auth_h);
	with_pw(1, auth_pw);
	tt_tpm2b(&c, index_pw, strlen(index_pw));
	tt_u16(&c, 14);
	tt_u32(&c, index);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_u32(&c, attrs);
	tt_u16(&c, 0);
	tt_u16(&c, size);
	return tt_exec(t, &c, &r);
}

static uint32_t nv_write(struct tpm2 *t, uint32_t auth_h, uint32_t index, const char *pw,
                         const void *d, uint16_t n, uint16_t off)
{
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
	tt_u32(&c, auth_h);
	tt_u32(&c, index);
	with_pw(2, pw);
	tt_tpm2b(&c, d, n);
	tt_u16(&c, off);
	return tt_exec(t, &c, &r);
}

static uint32_t nv_read(struct tpm2 *t, uint32_t auth_h, uint32_t index, const char *pw,
                        uint16_t n, uint16_t off)
{
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Read);
	tt_u32(&c, auth_h);
	tt_u32(&c, index);
	with_pw(2, pw);
	tt_u16(&c, n);
	tt_u16(&c, off);
	return tt_exec(t, &c, &r);   /* data at r.b + 16 (size at r.b + 14) */
}

static uint32_t nv_simple(struct tpm2 *t, uint32_t cc, uint32_t auth_h, uint32_t index, const char *pw)
{
	tt_begin(&c, TPM_ST_SESSIONS, cc);
	tt_u32(&c, auth_h);
	tt_u32(&c, index);
	with_pw(2, pw);
	return tt_exec(t, &c, &r);
}

#define NT(x) ((uint32_t)(x) << TPMA_NV_TPM_NT_SHIFT)

static void test_nv(void)
{
	struct tpm2 *t = tt_new();
	const uint32_t ix = 0x01500000, cnt = 0x01500001, bits = 0x01500002, ext = 0x01500003;
	uint8_t want[32], buf[64];

	CHECK_RC(nv_define(t, TPM_RH_OWNER, "", ix, NV_RW | TPMA_NV_NO_DA, 32, "ipw"), 0, "NV_DefineSpace: ordinary, 32 bytes");
	CHECK_RC(nv_define(t, TPM_RH_OWNER, "", ix, NV_RW, 32, ""), TPM_RC_NV_DEFINED, "NV_DefineSpace: again -> NV_DEFINED");
	CHECK_RC(nv_define(t, TPM_RH_OWNER, "", 0x01500010, NV_RW | TPMA_NV_PLATFORMCREATE, 8, ""),
	         TPM_RC_ATTRIBUTES + TPM_RC_H + TPM_RC_1, "NV_DefineSpace: owner with PLATFORMCREATE -> ATTRIBUTES+H1");
	CHECK_RC(nv_define(t, TPM_RH_OWNER, "", 0x01500010, TPMA_NV_AUTHREAD, 8, ""),
	         TPM_RC_ATTRIBUTES + TPM_RC_P + TPM_RC_2, "NV_DefineSpace: no write authorization -> ATTRIBUTES+P2");
	CHECK_RC(nv_define(t, TPM_RH_OWNER, "", 0x01500010, NV_RW | NT(TPM_NT_COUNTER), 4, ""),
	         TPM_RC_SIZE + TPM_RC_P + TPM_RC_2, "NV_DefineSpace: 4-byte counter -> SIZE+P2");
	CHECK_RC(nv_define(t, TPM_RH_OWNER, "", 0x01500010, NV_RW, 3000, ""),
	         TPM_RC_SIZE + TPM_RC_P + TPM_RC_2, "NV_DefineSpace: larger than NV_INDEX_MAX -> SIZE+P2");
	CHECK_RC(nv_define(t, TPM_RH_OWNER, "", 0x02000000, NV_RW, 8, ""),
	         TPM_RC_VALUE + TPM_RC_P + TPM_RC_2, "NV_DefineSpace: not an NV handle -> VALUE+P2");

	CHECK_RC(nv_read(t, ix, ix, "ipw", 4, 0), TPM_RC_NV_UNINITIALIZED, "NV_Read before any write -> NV_UNINITIALIZED");
	CHECK_RC(nv_write(t, ix, ix, "ipw", "hello", 5, 2), 0, "NV_Write with the index's password");
	CHECK_RC(nv_write(t, TPM_RH_OWNER, ix, "", "HE", 2, 0), 0, "NV_Write with owner authorization");
	CHECK(nv_read(t, ix, ix, "ipw", 7, 0) == 0 && tpm2_get_u16(r.b + 14) == 7 &&
	      memcmp(r.b + 16, "HEhello", 7) == 0, "NV_Read: what was written");
	CHECK_RC(nv_read(t, ix, ix, "ipw", 8, 30), TPM_RC_NV_RANGE, "NV_Read past the end -> NV_RANGE");
	CHECK_RC(nv_write(t, ix, ix, "ipw", "x", 1, 32), TPM_RC_NV_RANGE, "NV_Write past the end -> NV_RANGE");
	CHECK_RC(nv_read(t, ix, ix, "nope", 1, 0), TPM_RC_BAD_AUTH + TPM_RC_S + TPM_RC_1,
	         "NV_Read: wrong password on a NO_DA index -> BAD_AUTH+S1");
	CHECK_RC(nv_read(t, TPM_RH_PLATFORM, ix, "", 1, 0), TPM_RC_NV_AUTHORIZATION,
	         "NV_Read with platform auth, no PPREAD -> NV_AUTHORIZATION");

	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_NV_ReadPublic);
	tt_u32(&c, ix);
	tt_exec(t, &c, &r);
	{
		size_t pl = tpm2_get_u16(r.b + 10);
		uint32_t attrs = tpm2_get_u32(r.b + 12 + 6);
		tpm2_hash_buf(TPM_ALG_SHA256, r.b + 12, pl, want);
		CHECK(r.rc == 0 && (attrs & TPMA_NV_WRITTEN) && tpm2_get_u16(r.b + 12 + pl) == 34 &&
		      tpm2_get_u16(r.b + 14 + pl) == TPM_ALG_SHA256 && memcmp(r.b + 16 + pl, want, 32) == 0,
		      "NV_ReadPublic: WRITTEN set, Name = nameAlg || SHA-256(nvPublic)");
	}

	/* WRITEALL */
	nv_define(t, TPM_RH_OWNER, "", 0x01500004, NV_RW | TPMA_NV_WRITEALL, 8, "");
	CHECK_RC(nv_write(t, TPM_RH_OWNER, 0x01500004, "", "abc", 3, 0), TPM_RC_NV_RANGE,
	         "NV_Write: partial write of a WRITEALL index -> NV_RANGE");

	/* counter */
	nv_define(t, TPM_RH_OWNER, "", cnt, NV_RW | NT(TPM_NT_COUNTER), 8, "");
	for (int i = 0; i < 3; i++)
		nv_simple(t, TPM_CC_NV_Increment, cnt, cnt, "");
	CHECK(nv_read(t, cnt, cnt, "", 8, 0) == 0 && tpm2_get_u32(r.b + 16) == 0 && tpm2_get_u32(r.b + 20) == 3,
	      "NV_Increment x3 -> 3");
	CHECK_RC(nv_write(t, cnt, cnt, "", "12345678", 8, 0), TPM_RC_ATTRIBUTES + TPM_RC_H + TPM_RC_2,
	         "NV_Write to a counter -> ATTRIBUTES+H2");
	CHECK_RC(nv_simple(t, TPM_CC_NV_UndefineSpace, TPM_RH_OWNER, cnt, ""), 0, "NV_UndefineSpace: counter");
	nv_define(t, TPM_RH_OWNER, "", cnt, NV_RW | NT(TPM_NT_COUNTER), 8, "");
	nv_simple(t, TPM_CC_NV_Increment, cnt, cnt, "");
	CHECK(nv_read(t, cnt, cnt, "", 8, 0) == 0 && tpm2_get_u32(r.b + 20) == 4,
	      "NV counter: a redefined counter continues above the old value");

	/* bits */
	nv_define(t, TPM_RH_OWNER, "", bits, NV_RW | NT(TPM_NT_BITS), 8, "");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_SetBits);
	tt_u32(&c, bits);
	tt_u32(&c, bits);
	with_pw(2, "");
	tt_u64(&c, 1);
	tt_exec(t, &c, &r);
	tpm2_put_u32(c.b + c.n - 4, 4);
	tt_exec(t, &c, &r);
	CHECK(nv_read(t, bits, bits, "", 8, 0) == 0 && tpm2_get_u32(r.b + 20) == 5, "NV_SetBits 1 | 4 -> 5");

	/* extend */
	nv_define(t, TPM_RH_OWNER, "", ext, NV_RW | NT(TPM_NT_EXTEND), 32, "");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Extend);
	tt_u32(&c, ext);
	tt_u32(&c, ext);
	with_pw(2, "");
	tt_tpm2b(&c, "x", 1);
	CHECK_RC(tt_exec(t, &c, &r), 0, "NV_Extend");
	memset(buf, 0, 32);
	buf[32] = 'x';
	tpm2_hash_buf(TPM_ALG_SHA256, buf, 33, want);
	CHECK(nv_read(t, ext, ext, "", 32, 0) == 0 && memcmp(r.b + 16, want, 32) == 0,
	      "NV_Extend: SHA-256(0^32 || data)");

	/* locks */
	nv_define(t, TPM_RH_OWNER, "", 0x01500005, NV_RW | TPMA_NV_WRITE_STCLEAR | TPMA_NV_READ_STCLEAR, 8, "");
	nv_write(t, TPM_RH_OWNER, 0x01500005, "", "12345678", 8, 0);
	CHECK_RC(nv_simple(t, TPM_CC_NV_WriteLock, TPM_RH_OWNER, 0x01500005, ""), 0, "NV_WriteLock");
	CHECK_RC(nv_write(t, TPM_RH_OWNER, 0x01500005, "", "x", 1, 0), TPM_RC_NV_LOCKED, "NV_Write when locked -> NV_LOCKED");
	CHECK_RC(nv_simple(t, TPM_CC_NV_ReadLock, TPM_RH_OWNER, 0x01500005, ""), 0, "NV_ReadLock");
	CHECK_RC(nv_read(t, TPM_RH_OWNER, 0x01500005, "", 1, 0), TPM_RC_NV_LOCKED, "NV_Read when read-locked -> NV_LOCKED");
	CHECK_RC(nv_simple(t, TPM_CC_NV_WriteLock, TPM_RH_OWNER, ix, ""), TPM_RC_ATTRIBUTES + TPM_RC_H + TPM_RC_2,
	         "NV_WriteLock without WRITE_STCLEAR/WRITEDEFINE -> ATTRIBUTES+H2");
	restart(t, TPM_SU_CLEAR, TPM_SU_CLEAR);
	CHECK(nv_write(t, TPM_RH_OWNER, 0x01500005, "", "x", 1, 0) == 0 &&
	      nv_read(t, TPM_RH_OWNER, 0x01500005, "", 1, 0) == 0, "NV locks end at the next Startup(CLEAR)");
	nv_define(t, TPM_RH_OWNER, "", 0x01500006, NV_RW | TPMA_NV_GLOBALLOCK, 8, "");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_GlobalWriteLock);
	tt_u32(&c, TPM_RH_OWNER);
	with_pw(1, "");
	CHECK_RC(tt_exec(t, &c, &r), 0, "NV_GlobalWriteLock");
	CHECK_RC(nv_write(t, TPM_RH_OWNER, 0x01500006, "", "x", 1, 0), TPM_RC_NV_LOCKED, "GLOBALLOCK index locked");
	CHECK_RC(nv_write(t, TPM_RH_OWNER, ix, "", "x", 1, 0), 0, "other indices still writable");

	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_ChangeAuth);
	tt_u32(&c, ix);
	with_pw(1, "ipw");
	tt_tpm2b(&c, "new", 3);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_AUTH_TYPE, "NV_ChangeAuth with a password (ADMIN role) -> AUTH_TYPE");

	/* state round trip keeps NV */
	{
		static uint8_t blob[1 << 17];
		size_t n = tpm2_state_save(t, tt_state_key, blob, sizeof blob);
		struct tpm2 *u = tt_new_raw();
		CHECK(tpm2_state_load(u, &tt_platform, tt_state_key, blob, n) == 0, "(setup)");
		tpm2_power_on(u);
		tt_startup(u, TPM_SU_CLEAR);
		CHECK(nv_read(u, ix, ix, "ipw", 7, 0) == 0 && memcmp(r.b + 16, "xEhello", 7) == 0,
		      "NV content survives state save/load");
		free(u);
	}
	CHECK_RC(nv_simple(t, TPM_CC_NV_UndefineSpace, TPM_RH_OWNER, ix, ""), 0, "NV_UndefineSpace");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_NV_ReadPublic);
	tt_u32(&c, ix);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_HANDLE + TPM_RC_H + TPM_RC_1, "undefined index -> HANDLE+H1");
	CHECK(nv_read(t, ext, ext, "", 32, 0) == 0 && memcmp(r.b + 16, want, 32) == 0,
	      "NV: other indices intact after an undefine (arena compaction)");
	get_cap(t, TPM_CAP_HANDLES, HR_NV_INDEX, 100);
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 15) == 6 && tpm2_get_u32(r.b + 19) == cnt,
	      "HANDLES: NV indices listed in order");
	{
		int n = 0;
		while (nv_define(t, TPM_RH_OWNER, "", 0x01600000 + n, NV_RW, 2048, "") == 0 && n < 10)
			n++;
		CHECK(n == 3 && r.rc == TPM_RC_NV_SPACE, "NV_DefineSpace: arena full -> NV_SPACE");
	}
	free(t);
}

/* ------------------------------------------------------------------ hierarchies, DA, clock */

static uint32_t change_auth(struct tpm2 *t, uint32_t h, const char *old, const char *new_pw)
{
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
	tt_u32(&c, h);
	with_pw(1, old);
	tt_tpm2b(&c, new_pw, strlen(new_pw));
	return tt_exec(t, &c, &r);
}

static uint32_t one_handle(struct tpm2 *t, uint32_t cc, uint32_t h, const char *pw)
{
	tt_begin(&c, TPM_ST_SESSIONS, cc);
	tt_u32(&c, h);
	with_pw(1, pw);
	return tt_exec(t, &c, &r);
}

static uint32_t hier_control(struct tpm2 *t, uint32_t auth, uint32_t which, uint8_t state)
{
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyControl);
	tt_u32(&c, auth);
	with_pw(1, "");
	tt_u32(&c, which);
	tt_u8(&c, state);
	return tt_exec(t, &c, &r);
}

static uint32_t clear_control(struct tpm2 *t, uint32_t auth, uint8_t disable)
{
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_ClearControl);
	tt_u32(&c, auth);
	with_pw(1, "");
	tt_u8(&c, disable);
	return tt_exec(t, &c, &r);
}

static void test_hierarchy(void)
{
	struct tpm2 *t = tt_new();
	uint8_t sps[TPM2_SEED_SIZE], eps[TPM2_SEED_SIZE];

	CHECK_RC(change_auth(t, TPM_RH_OWNER, "", "opw"), 0, "HierarchyChangeAuth: owner");
	CHECK(prop(t, TPM_PT_PERMANENT) & TPMA_PERMANENT_OWNERAUTHSET, "PERMANENT: ownerAuthSet");
	CHECK_RC(nv_define(t, TPM_RH_OWNER, "", 0x01500000, NV_RW, 8, ""), TPM_RC_BAD_AUTH + TPM_RC_S + TPM_RC_1,
	         "owner authorization with the old password -> BAD_AUTH+S1");
	CHECK_RC(nv_define(t, TPM_RH_OWNER, "opw", 0x01500000, NV_RW, 8, ""), 0, "owner authorization with the new password");
	CHECK_RC(nv_define(t, TPM_RH_OWNER, "opw\0\0", 0x01500001, NV_RW, 8, ""), 0, "trailing zeros of a password are insignificant");
	CHECK_RC(change_auth(t, TPM_RH_PLATFORM, "", "ppw"), 0, "HierarchyChangeAuth: platform");
	restart(t, TPM_SU_CLEAR, TPM_SU_CLEAR);
	CHECK_RC(change_auth(t, TPM_RH_PLATFORM, "", ""), 0, "platformAuth is reset by Startup(CLEAR)");
	CHECK_RC(change_auth(t, TPM_RH_OWNER, "opw", "opw"), 0, "ownerAuth survives Startup(CLEAR)");

	memcpy(sps, t->sps, sizeof sps);
	CHECK_RC(clear_control(t, TPM_RH_LOCKOUT, 1), 0, "ClearControl(lockout, YES)");
	CHECK_RC(one_handle(t, TPM_CC_Clear, TPM_RH_LOCKOUT, ""), TPM_RC_DISABLED, "Clear when disabled -> DISABLED");
	CHECK_RC(clear_control(t, TPM_RH_LOCKOUT, 0), TPM_RC_AUTH_FAIL, "ClearControl(lockout, NO) -> AUTH_FAIL");
	CHECK_RC(clear_control(t, TPM_RH_PLATFORM, 0), 0, "ClearControl(platform, NO)");
	CHECK_RC(clear_control(t, TPM_RH_PLATFORM, 2), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1, "ClearControl(2) -> VALUE+P1");
	CHECK_RC(one_handle(t, TPM_CC_Clear, TPM_RH_LOCKOUT, ""), 0, "Clear (lockout)");
	CHECK(memcmp(sps, t->sps, sizeof sps) != 0 && t->owner.auth.size == 0, "Clear: new SPS, ownerAuth empty");
	get_cap(t, TPM_CAP_HANDLES, HR_NV_INDEX, 100);
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 15) == 0, "Clear: owner NV indices are gone");
	CHECK_RC(one_handle(t, TPM_CC_Clear, TPM_RH_OWNER, ""), TPM_RC_VALUE + TPM_RC_H + TPM_RC_1, "Clear(owner) -> VALUE+H1");

	CHECK_RC(hier_control(t, TPM_RH_OWNER, TPM_RH_OWNER, 0), 0, "HierarchyControl: owner disables itself");
	CHECK_RC(nv_define(t, TPM_RH_OWNER, "", 0x01500000, NV_RW, 8, ""), TPM_RC_HIERARCHY + TPM_RC_H + TPM_RC_1,
	         "disabled owner hierarchy -> HIERARCHY+H1");
	CHECK(!(prop(t, TPM_PT_STARTUP_CLEAR) & TPMA_STARTUP_CLEAR_SHENABLE), "STARTUP_CLEAR: shEnable clear");
	CHECK_RC(hier_control(t, TPM_RH_ENDORSEMENT, TPM_RH_OWNER, 1), TPM_RC_AUTH_TYPE,
	         "HierarchyControl: endorsement can't enable owner -> AUTH_TYPE");
	CHECK_RC(hier_control(t, TPM_RH_PLATFORM, TPM_RH_OWNER, 1), 0, "HierarchyControl: platform re-enables owner");
	CHECK_RC(hier_control(t, TPM_RH_OWNER, TPM_RH_OWNER, 1), 0, "HierarchyControl: owner 'enables' itself while enabled (no-op)");
	CHECK_RC(hier_control(t, TPM_RH_OWNER, TPM_RH_PLATFORM_NV, 0), TPM_RC_AUTH_TYPE, "HierarchyControl: owner can't touch phEnableNV -> AUTH_TYPE");
	CHECK_RC(hier_control(t, TPM_RH_PLATFORM, 0x40000005, 1), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1,
	         "HierarchyControl: bad hierarchy -> VALUE+P1");

	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_SetPrimaryPolicy);
	tt_u32(&c, TPM_RH_OWNER);
	with_pw(1, "");
	tt_u16(&c, 32);
	for (int i = 0; i < 32; i++)
		tt_u8(&c, (uint8_t)i);
	tt_u16(&c, TPM_ALG_SHA256);
	CHECK_RC(tt_exec(t, &c, &r), 0, "SetPrimaryPolicy: owner, SHA-256");
	get_cap(t, TPM_CAP_AUTH_POLICIES, TPM_RH_OWNER, 1);
	CHECK(r.rc == 0 && tpm2_get_u32(r.b + 19) == TPM_RH_OWNER && tpm2_get_u16(r.b + 23) == TPM_ALG_SHA256 &&
	      r.b[25 + 31] == 31, "AUTH_POLICIES: owner policy reported");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_SetPrimaryPolicy);
	tt_u32(&c, TPM_RH_OWNER);
	with_pw(1, "");
	tt_u16(&c, 32);
	for (int i = 0; i < 32; i++)
		tt_u8(&c, (uint8_t)i);
	tt_u16(&c, TPM_ALG_SHA1);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_SIZE + TPM_RC_P + TPM_RC_1, "SetPrimaryPolicy: size/alg mismatch -> SIZE+P1");

	memcpy(eps, t->eps, sizeof eps);
	CHECK_RC(one_handle(t, TPM_CC_ChangeEPS, TPM_RH_PLATFORM, ""), 0, "ChangeEPS");
	CHECK(memcmp(eps, t->eps, sizeof eps) != 0, "ChangeEPS: new endorsement seed");
	memcpy(eps, t->pps, sizeof eps);
	CHECK_RC(one_handle(t, TPM_CC_ChangePPS, TPM_RH_PLATFORM, ""), 0, "ChangePPS");
	CHECK(memcmp(eps, t->pps, sizeof eps) != 0, "ChangePPS: new platform seed");
	CHECK_RC(one_handle(t, TPM_CC_ChangeEPS, TPM_RH_OWNER, ""), TPM_RC_VALUE + TPM_RC_H + TPM_RC_1, "ChangeEPS(owner) -> VALUE+H1");
	free(t);
}

static uint32_t da_params(struct tpm2 *t, const char *pw, uint32_t max, uint32_t rec, uint32_t lrec)
{
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_DictionaryAttackParameters);
	tt_u32(&c, TPM_RH_LOCKOUT);
	with_pw(1, pw);
	tt_u32(&c, max);
	tt_u32(&c, rec);
	tt_u32(&c, lrec);
	return tt_exec(t, &c, &r);
}

static void test_da_and_clock(void)
{
	struct tpm2 *t = tt_new();
	const uint32_t ix = 0x01500000;
	uint64_t c0;

	CHECK_RC(da_params(t, "", 2, 10, 20), 0, "DictionaryAttackParameters: 2 tries, 10 s, 20 s");
	CHECK(prop(t, TPM_PT_MAX_AUTH_FAIL) == 2 && prop(t, TPM_PT_LOCKOUT_INTERVAL) == 10 &&
	      prop(t, TPM_PT_LOCKOUT_RECOVERY) == 20, "PROPERTIES: DA parameters reported");
	nv_define(t, TPM_RH_OWNER, "", ix, NV_RW, 8, "secret");
	nv_write(t, ix, ix, "secret", "12345678", 8, 0);
	CHECK_RC(nv_read(t, ix, ix, "guess1", 8, 0), TPM_RC_AUTH_FAIL + TPM_RC_S + TPM_RC_1, "DA: bad password -> AUTH_FAIL+S1");
	CHECK(prop(t, TPM_PT_LOCKOUT_COUNTER) == 1, "DA: failure counted");
	CHECK_RC(nv_read(t, ix, ix, "guess2", 8, 0), TPM_RC_AUTH_FAIL + TPM_RC_S + TPM_RC_1, "DA: second bad password");
	CHECK_RC(nv_read(t, ix, ix, "secret", 8, 0), TPM_RC_LOCKOUT, "DA: locked out, even the right password -> LOCKOUT");
	CHECK(prop(t, TPM_PT_PERMANENT) & TPMA_PERMANENT_INLOCKOUT, "PERMANENT: inLockout");
	tt_now_ms += 10 * 1000;
	CHECK_RC(nv_read(t, ix, ix, "secret", 8, 0), 0, "DA: after recoveryTime one try is back");
	CHECK(prop(t, TPM_PT_LOCKOUT_COUNTER) == 1, "DA: counter decreased by one");
	CHECK_RC(one_handle(t, TPM_CC_DictionaryAttackLockReset, TPM_RH_LOCKOUT, ""), 0, "DictionaryAttackLockReset");
	CHECK(prop(t, TPM_PT_LOCKOUT_COUNTER) == 0, "DA: counter reset");
	CHECK_RC(nv_read(t, ix, ix, "secret", 8, 0), 0, "(setup)");

	CHECK_RC(change_auth(t, TPM_RH_LOCKOUT, "", "lpw"), 0, "lockoutAuth set");
	CHECK_RC(one_handle(t, TPM_CC_DictionaryAttackLockReset, TPM_RH_LOCKOUT, "x"),
	         TPM_RC_AUTH_FAIL + TPM_RC_S + TPM_RC_1, "lockoutAuth failure -> AUTH_FAIL+S1");
	CHECK_RC(one_handle(t, TPM_CC_DictionaryAttackLockReset, TPM_RH_LOCKOUT, "lpw"), TPM_RC_LOCKOUT,
	         "lockoutAuth blocked after a failure -> LOCKOUT");
	tt_now_ms += 20 * 1000;
	CHECK_RC(one_handle(t, TPM_CC_DictionaryAttackLockReset, TPM_RH_LOCKOUT, "lpw"), 0,
	         "lockoutAuth usable again after lockoutRecovery");

	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadClock);
	tt_exec(t, &c, &r);
	c0 = (uint64_t)tpm2_get_u32(r.b + 18) << 32 | tpm2_get_u32(r.b + 22);
	CHECK(r.rc == 0 && r.n == 10 + 25 && tpm2_get_u32(r.b + 26) == t->reset_count && r.b[34] == 1,
	      "ReadClock: TPMS_TIME_INFO with resetCount and safe");
	tt_now_ms += 1500;
	tt_exec(t, &c, &r);
	CHECK(((uint64_t)tpm2_get_u32(r.b + 18) << 32 | tpm2_get_u32(r.b + 22)) == c0 + 1500,
	      "ReadClock: clock advances with the platform's time");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_ClockSet);
	tt_u32(&c, TPM_RH_OWNER);
	with_pw(1, "");
	tt_u64(&c, 5);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1, "ClockSet backwards -> VALUE+P1");
	tpm2_put_u32(c.b + c.n - 4, 0);
	tpm2_put_u32(c.b + c.n - 8, 1);
	CHECK_RC(tt_exec(t, &c, &r), 0, "ClockSet forwards");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadClock);
	tt_exec(t, &c, &r);
	CHECK(tpm2_get_u32(r.b + 18) == 1, "ReadClock: the clock was set");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_ClockRateAdjust);
	tt_u32(&c, TPM_RH_PLATFORM);
	with_pw(1, "");
	tt_u8(&c, 5);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_P + TPM_RC_1, "ClockRateAdjust(5) -> VALUE+P1");
	c.b[c.n - 1] = 0xFD;   /* -3 */
	CHECK_RC(tt_exec(t, &c, &r), 0, "ClockRateAdjust(-3)");
	free(t);
}

int main(void)
{
	test_startup();
	test_capability();
	test_pcr();
	test_hash();
	test_nv();
	test_hierarchy();
	test_da_and_clock();
	return tt_done();
}
