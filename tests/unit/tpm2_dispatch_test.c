/*
 * Dispatch: header checks, handle validation, the authorization area, response format, the
 * command table against tpm2-tss's constants and libtpms's TPMA_CC values.
 */
#include <tss2/tss2_tpm2_types.h>
/* tpm2-tss and the spec share the TPMA_* names: ours (identical values) win below. */
#pragma clang diagnostic ignored "-Wmacro-redefined"
#include "tpm2_test.h"

static uint32_t raw(struct tpm2 *t, const uint8_t *cmd, size_t len, size_t *rlen)
{
	uint8_t rsp[TPM2_MAX_RESPONSE_SIZE];
	*rlen = tpm2_execute(t, 0, cmd, len, rsp, sizeof rsp);
	if (*rlen < 10 || tpm2_get_u32(rsp + 2) != *rlen)
		return 0xEEEEEEEE;
	return tpm2_get_u32(rsp + 6);
}

static void test_header(void)
{
	struct tpm2 *t = tt_new();
	struct tt_cmd c;
	struct tt_rsp r;
	size_t rl;
	static const uint8_t short_cmd[] = { 0x80, 0x01, 0x00, 0x00 };
	static const uint8_t bad_tag[] = { 0x80, 0x03, 0, 0, 0, 12, 0, 0, 1, 0x7B, 0, 8 };

	CHECK_RC(raw(t, short_cmd, 0, &rl), TPM_RC_INSUFFICIENT, "header: empty command");
	CHECK_RC(raw(t, short_cmd, sizeof short_cmd, &rl), TPM_RC_INSUFFICIENT, "header: 4 bytes");
	CHECK_RC(raw(t, bad_tag, sizeof bad_tag, &rl), TPM_RC_BAD_TAG, "header: bad tag");

	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
	tt_u16(&c, 8);
	tt_end(&c);
	CHECK_RC(raw(t, c.b, c.n - 1, &rl), TPM_RC_COMMAND_SIZE, "header: size larger than data");
	c.b[c.n++] = 0;
	CHECK_RC(raw(t, c.b, c.n, &rl), TPM_RC_COMMAND_SIZE, "header: size smaller than data");
	{
		static uint8_t big[TPM2_MAX_COMMAND_SIZE + 1];
		memcpy(big, c.b, 10);
		tpm2_put_u32(big + 2, sizeof big);
		CHECK_RC(raw(t, big, sizeof big, &rl), TPM_RC_COMMAND_SIZE, "header: larger than MAX_COMMAND_SIZE");
	}
	tt_begin(&c, TPM_ST_NO_SESSIONS, 0x1FF);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_COMMAND_CODE, "header: unknown command code");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PP_Commands);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_COMMAND_CODE, "header: left-out command (PP_Commands)");
	tt_begin(&c, TPM_ST_NO_SESSIONS, 0x20000144);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_COMMAND_CODE, "header: vendor bit");
	CHECK_RC(tt_startup(t, TPM_SU_CLEAR), TPM_RC_INITIALIZE, "header: Startup when started");

	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_INSUFFICIENT + TPM_RC_P + TPM_RC_1,
	         "params: missing parameter 1 -> INSUFFICIENT+P1");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
	tt_u16(&c, 8);
	tt_u8(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_SIZE, "params: trailing byte -> SIZE");
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
	tt_u32(&c, TPM_CAP_TPM_PROPERTIES);
	tt_u32(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_INSUFFICIENT + TPM_RC_P + TPM_RC_3,
	         "params: missing parameter 3 -> INSUFFICIENT+P3");
	free(t);

	t = tt_new_raw();
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
	tt_u16(&c, 8);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_INITIALIZE, "header: command before Startup");
	free(t);

	t = calloc(1, tpm2_instance_size());
	{
		struct tpm2_seeds s;
		memset(&s, 0, sizeof s);
		tpm2_manufacture(t, &tt_platform, &s);
	}
	CHECK_RC(tt_startup(t, TPM_SU_CLEAR), TPM_RC_INITIALIZE, "header: Startup before power-on");
	free(t);
}

static void test_overlap(void)
{
	struct tpm2 *t = tt_new();
	uint8_t buf[TPM2_MAX_RESPONSE_SIZE];
	size_t n;
	static const uint8_t getrandom[] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 1, 0x7B, 0, 8 };
	memcpy(buf, getrandom, sizeof getrandom);
	n = tpm2_execute(t, 0, buf, sizeof getrandom, buf, sizeof buf);
	CHECK(n == 10 && tpm2_get_u32(buf + 6) == TPM_RC_FAILURE,
	      "api: command and response in one buffer -> FAILURE, nothing executed");
	free(t);
}

static void test_every_truncation(void)
{
	struct tpm2 *t = tt_new();
	struct tt_cmd c;
	int bad = 0;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tt_u32(&c, 16);
	tt_pw_sessions(&c, "", NULL);
	tt_u32(&c, 1);
	tt_u16(&c, TPM_ALG_SHA256);
	for (int i = 0; i < 32; i++)
		tt_u8(&c, (uint8_t)i);
	tt_end(&c);
	for (size_t len = 0; len < c.n; len++) {
		uint8_t cmd[512];
		uint8_t rsp[TPM2_MAX_RESPONSE_SIZE];
		size_t rl;
		memcpy(cmd, c.b, len);
		if (len >= 6)
			tpm2_put_u32(cmd + 2, (uint32_t)len);   /* consistent size: parse errors */
		rl = tpm2_execute(t, 0, cmd, len, rsp, sizeof rsp);
		if (rl != 10 || tpm2_get_u32(rsp + 2) != 10 || tpm2_get_u32(rsp + 6) == 0)
			bad++;
	}
	CHECK(bad == 0, "every truncation of PCR_Extend gives a 10-byte error response");
	free(t);
}

static void test_handles_and_auth(void)
{
	struct tpm2 *t = tt_new();
	struct tt_cmd c;
	struct tt_rsp r;

	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Extend);
	tt_u32(&c, 16);
	tt_u32(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_AUTH_MISSING, "auth: PCR_Extend without sessions");

	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tt_u32(&c, 24);
	tt_pw_sessions(&c, "", NULL);
	tt_u32(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_H + TPM_RC_1, "handle: PCR 24 -> VALUE+H1");

	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tt_u32(&c, TPM_RH_OWNER);
	tt_pw_sessions(&c, "", NULL);
	tt_u32(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_VALUE + TPM_RC_H + TPM_RC_1, "handle: owner as PCR -> VALUE+H1");

	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tt_u32(&c, 16);
	tt_u32(&c, 1000);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_SIZE, "auth: authorizationSize beyond the command -> SIZE");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tt_u32(&c, 16);
	tt_u32(&c, 8);
	tt_u32(&c, TPM_RS_PW);
	tt_u32(&c, 0);
	tt_u32(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_SIZE, "auth: authorizationSize below one session -> SIZE");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tt_u32(&c, 16);
	tt_u32(&c, 36);
	for (int i = 0; i < 4; i++) {
		tt_u32(&c, TPM_RS_PW);
		tt_u16(&c, 0);
		tt_u8(&c, 1);
		tt_u16(&c, 0);
	}
	tt_u32(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_SIZE + TPM_RC_S + 0x400, "auth: a 4th session -> SIZE+S4");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tt_u32(&c, 16);
	tt_u32(&c, 10);
	tt_u32(&c, TPM_RS_PW);
	tt_u16(&c, 0);
	tt_u8(&c, 1);
	tt_u16(&c, 0);
	tt_u8(&c, 0);
	tt_u32(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_INSUFFICIENT + TPM_RC_S + TPM_RC_2,
	         "auth: a stray byte after a session -> INSUFFICIENT+S2");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tt_u32(&c, 16);
	tt_pw_sessions(&c, "", "");
	tt_u32(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_HANDLE + TPM_RC_S + TPM_RC_2,
	         "auth: a password session with no handle to authorize -> HANDLE+S2");

	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tt_u32(&c, 16);
	tt_u32(&c, 9);
	tt_u32(&c, 0x02000000);
	tt_u16(&c, 0);
	tt_u8(&c, 1);
	tt_u16(&c, 0);
	tt_u32(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_REFERENCE_S0, "auth: session not loaded -> REFERENCE_S0");

	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tt_u32(&c, 16);
	tt_u32(&c, 9);
	tt_u32(&c, TPM_RS_PW);
	tt_u16(&c, 0);
	tt_u8(&c, TPMA_SESSION_ENCRYPT);
	tt_u16(&c, 0);
	tt_u32(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_ATTRIBUTES + TPM_RC_S + TPM_RC_1,
	         "auth: password session with encrypt -> ATTRIBUTES+S1");

	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_ContextSave);
	tt_u32(&c, 0x80000000);
	tt_pw_sessions(&c, "", NULL);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_REFERENCE_H0,
	         "handle: ContextSave of an empty slot -> REFERENCE_H0 (0x910, before the sessions)");
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_FlushContext);
	tt_pw_sessions(&c, "", NULL);
	tt_u32(&c, 0x80000000);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_AUTH_CONTEXT, "auth: sessions on FlushContext -> AUTH_CONTEXT");

	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tt_u32(&c, 16);
	tt_pw_sessions(&c, "wrong", NULL);
	tt_u32(&c, 0);
	CHECK_RC(tt_exec(t, &c, &r), TPM_RC_BAD_AUTH + TPM_RC_S + TPM_RC_1,
	         "auth: wrong PCR password -> BAD_AUTH+S1 (PCRs are not DA-protected)");

	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tt_u32(&c, 16);
	tt_pw_sessions(&c, "", NULL);
	tt_u32(&c, 0);
	tt_exec(t, &c, &r);
	{
		static const uint8_t want[] = { 0x80, 0x02, 0, 0, 0, 19, 0, 0, 0, 0,
		                                0, 0, 0, 0, 0, 0, 1, 0, 0 };
		CHECK(r.n == sizeof want && memcmp(r.b, want, sizeof want) == 0,
		      "response: ST_SESSIONS, parameterSize 0, password auth echoed");
	}
	free(t);
}

/* TPMA_CC of the commands this engine implements, as libtpms 0.9 reports them. */
static const struct { uint32_t cc, tpma; } libtpms_tpma[] = {
	{ 0x11F, 0x440011F }, { 0x120, 0x4400120 }, { 0x121, 0x2C00121 }, { 0x122, 0x4400122 },
	{ 0x124, 0x2C00124 }, { 0x125, 0x2C00125 }, { 0x126, 0x2C00126 }, { 0x127, 0x2400127 },
	{ 0x128, 0x2400128 }, { 0x129, 0x2400129 }, { 0x12A, 0x240012A }, { 0x12B, 0x240012B },
	{ 0x12E, 0x240012E }, { 0x130, 0x2000130 }, { 0x131, 0x12000131 }, { 0x132, 0x2400132 },
	{ 0x133, 0x4400133 }, { 0x134, 0x4400134 }, { 0x135, 0x4400135 }, { 0x136, 0x4400136 },
	{ 0x137, 0x4400137 }, { 0x138, 0x4400138 }, { 0x139, 0x2400139 }, { 0x13A, 0x240013A },
	{ 0x13B, 0x240013B }, { 0x13C, 0x240013C }, { 0x13D, 0x240013D }, { 0x13E, 0x300013E },
	{ 0x140, 0x2400140 }, { 0x142, 0x400142 }, { 0x143, 0x400143 }, { 0x144, 0x400144 },
	{ 0x145, 0x400145 }, { 0x146, 0x400146 }, { 0x147, 0x4000147 }, { 0x148, 0x4000148 },
	{ 0x149, 0x6000149 }, { 0x14A, 0x400014A }, { 0x14B, 0x400014B }, { 0x14C, 0x400014C },
	{ 0x14D, 0x600014D }, { 0x14E, 0x400014E }, { 0x14F, 0x440014F }, { 0x150, 0x4000150 },
	{ 0x151, 0x4000151 }, { 0x153, 0x2000153 }, { 0x154, 0x2000154 }, { 0x155, 0x2000155 },
	{ 0x156, 0x2000156 }, { 0x157, 0x12000157 }, { 0x158, 0x2000158 }, { 0x159, 0x2000159 },
	{ 0x15B, 0x1200015B }, { 0x15C, 0x200015C }, { 0x15D, 0x200015D }, { 0x15E, 0x200015E },
	{ 0x160, 0x4000160 }, { 0x161, 0x10000161 }, { 0x162, 0x2000162 }, { 0x163, 0x2000163 },
	{ 0x164, 0x2000164 }, { 0x165, 0x165 }, { 0x167, 0x10000167 }, { 0x168, 0x2000168 },
	{ 0x169, 0x2000169 }, { 0x16A, 0x200016A }, { 0x16B, 0x200016B }, { 0x16C, 0x200016C },
	{ 0x16D, 0x200016D }, { 0x16E, 0x200016E }, { 0x16F, 0x200016F }, { 0x170, 0x2000170 },
	{ 0x171, 0x2000171 }, { 0x172, 0x2000172 }, { 0x173, 0x2000173 }, { 0x174, 0x2000174 },
	{ 0x176, 0x14000176 }, { 0x177, 0x2000177 }, { 0x178, 0x178 }, { 0x17A, 0x17A },
	{ 0x17B, 0x17B }, { 0x17C, 0x17C }, { 0x17D, 0x17D }, { 0x17E, 0x17E },
	{ 0x17F, 0x200017F }, { 0x180, 0x2000180 }, { 0x181, 0x181 }, { 0x182, 0x2400182 },
	{ 0x184, 0x6000184 }, { 0x185, 0x5400185 }, { 0x186, 0x10000186 }, { 0x188, 0x2000188 },
	{ 0x189, 0x2000189 }, { 0x18A, 0x18A }, { 0x18B, 0x200018B }, { 0x18C, 0x200018C },
	{ 0x18E, 0x18E }, { 0x18F, 0x200018F },
	{ 0x190, 0x2000190 }, { 0x191, 0x12000191 }, { 0x192, 0x6000192 }, { 0x193, 0x2000193 },
};

static void test_table(void)
{
	int bad_code = 0, bad_attr = 0, unsorted = 0;
#define X(name, code, ...) if ((code) != TPM2_CC_##name) bad_code++;
#include "tpm2_commands.h"
#undef X
	CHECK(bad_code == 0, "table: every command code equals tpm2-tss's TPM2_CC_<name>");
	for (unsigned i = 1; i < tpm2_cmd_table_len; i++)
		unsorted += tpm2_cmd_table[i - 1].cc >= tpm2_cmd_table[i].cc;
	CHECK(unsorted == 0, "table: sorted by command code (binary search)");
	CHECK(tpm2_cmd_table_len == sizeof libtpms_tpma / sizeof libtpms_tpma[0],
	      "table: same command set as the libtpms reference list");
	for (unsigned i = 0; i < tpm2_cmd_table_len && i < sizeof libtpms_tpma / sizeof libtpms_tpma[0]; i++)
		if (tpm2_cmd_table[i].cc != libtpms_tpma[i].cc ||
		    tpm2_cmd_tpma(&tpm2_cmd_table[i]) != libtpms_tpma[i].tpma) {
			printf("# %s: 0x%08x, libtpms 0x%08x\n", tpm2_cmd_table[i].name,
			       tpm2_cmd_tpma(&tpm2_cmd_table[i]), libtpms_tpma[i].tpma);
			bad_attr++;
		}
	CHECK(bad_attr == 0, "table: TPMA_CC of every row equals libtpms's");
	CHECK(TPM_RC_INSUFFICIENT + TPM_RC_P + TPM_RC_1 == 0x1DA, "rc: INSUFFICIENT+P1 is 0x1DA");
	CHECK(TPM_RC_AUTH_FAIL + TPM_RC_S + TPM_RC_1 == 0x98E, "rc: AUTH_FAIL+S1 is 0x98E");
	CHECK(TPM_RC_REFERENCE_H0 == TPM2_RC_REFERENCE_H0 && TPM_RC_LOCKOUT == TPM2_RC_LOCKOUT &&
	      TPM_RC_NV_UNINITIALIZED == TPM2_RC_NV_UNINITIALIZED &&
	      TPM_RC_POLICY_FAIL == TPM2_RC_POLICY_FAIL && TPM_RC_ECC_POINT == TPM2_RC_ECC_POINT,
	      "rc: constants agree with tpm2-tss");
	CHECK(TPM_PT_AUDIT_COUNTER_1 == TPM2_PT_AUDIT_COUNTER_1 &&
	      TPM_PT_MAX_CAP_BUFFER == TPM2_PT_MAX_CAP_BUFFER &&
	      TPM_RH_PLATFORM_NV == TPM2_RH_PLATFORM_NV,
	      "constants: properties and handles agree with tpm2-tss");
}

int main(void)
{
	test_header();
	test_every_truncation();
	test_overlap();
	test_handles_and_auth();
	test_table();
	return tt_done();
}
