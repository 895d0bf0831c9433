/*
 * The persistent state blob: round trip, truncation at every length, a bit flip at every
 * byte, wrong magic, older/newer version, and that a failed load leaves the TPM untouched.
 */
#include "tpm2_test.h"

static uint8_t blob[1 << 17], blob2[1 << 17];

static uint32_t get_random(struct tpm2 *t)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
	tt_u16(&c, 8);
	return tt_exec(t, &c, &r);
}

static void extend16(struct tpm2 *t)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tt_u32(&c, 16);
	tt_pw_sessions(&c, "", NULL);
	tt_u32(&c, 1);
	tt_u16(&c, TPM_ALG_SHA256);
	for (int i = 0; i < 32; i++)
		tt_u8(&c, 0xAB);
	tt_exec(t, &c, &r);
}

int main(void)
{
	struct tpm2 *t = tt_new();
	struct tpm2 *u = tt_new_raw();
	size_t n, n2;
	int bad;

	CHECK(tpm2_instance_size() <= 64 * 1024, "instance: struct tpm2 fits in 64 KiB");
	printf("# sizeof(struct tpm2) = %zu bytes\n", tpm2_instance_size());

	t->owner.auth.size = 3;
	memcpy(t->owner.auth.buf, "abc", 3);
	t->da.failed_tries = 2;
	t->clock = 123456789;
	extend16(t);
	CHECK_RC(tt_shutdown(t, TPM_SU_STATE), 0, "state: Shutdown(STATE)");
	n = tpm2_state_save(t, blob, sizeof blob);
	CHECK(n > 0 && n <= tpm2_state_max_size(), "save: fits in tpm2_state_max_size()");
	CHECK(tpm2_state_save(t, blob2, 40) == 0, "save: too small a buffer -> 0");
	printf("# state blob: %zu bytes (fresh TPM after one PCR extend)\n", n);

	CHECK(tpm2_state_load(u, &tt_platform, blob, n) == 0, "load: round trip accepted");
	n2 = tpm2_state_save(u, blob2, sizeof blob2);
	CHECK(n2 == n && memcmp(blob, blob2, n) == 0, "load: save(load(blob)) == blob");
	CHECK(u->owner.auth.size == 3 && memcmp(u->owner.auth.buf, "abc", 3) == 0 &&
	      u->da.failed_tries == 2 && u->clock == 123456789 && u->orderly == TPM_SU_STATE,
	      "load: fields restored");
	tpm2_power_on(u);
	CHECK_RC(tt_startup(u, TPM_SU_STATE), 0, "load: Startup(STATE) after a saved Shutdown(STATE)");
	CHECK(memcmp(u->pcr[1][16], t->pcr[1][16], 32) != 0,
	      "load: PCR 16 is reset on resume (not state-saved)");
	CHECK_RC(get_random(u), 0, "load: restored TPM executes commands");

	bad = 0;
	for (size_t len = 0; len < n; len++)
		if (tpm2_state_load(u, &tt_platform, blob, len) == 0)
			bad++;
	CHECK(bad == 0, "truncation: every shorter length rejected");
	CHECK(tpm2_state_load(u, &tt_platform, blob, 5) == TPM2_STATE_ERR_TRUNCATED,
	      "truncation: reported as TRUNCATED");
	CHECK(tpm2_state_load(u, &tt_platform, blob, n - 1) == TPM2_STATE_ERR_TRUNCATED,
	      "truncation: last byte missing -> TRUNCATED");

	bad = 0;
	for (size_t i = 0; i < n; i++)
		for (int bit = 0; bit < 8; bit += 3) {
			blob[i] ^= (uint8_t)(1u << bit);
			if (tpm2_state_load(u, &tt_platform, blob, n) == 0)
				bad++;
			blob[i] ^= (uint8_t)(1u << bit);
		}
	CHECK(bad == 0, "bit flips: a flipped bit at every byte position is rejected");
	blob[100] ^= 1;
	CHECK(tpm2_state_load(u, &tt_platform, blob, n) == TPM2_STATE_ERR_INTEGRITY,
	      "bit flips: body corruption reported as INTEGRITY");
	blob[100] ^= 1;
	blob[0] = 'X';
	CHECK(tpm2_state_load(u, &tt_platform, blob, n) == TPM2_STATE_ERR_MAGIC, "magic: rejected");
	blob[0] = 'A';

	/* An older version, correctly hashed, is refused rather than misread. */
	memcpy(blob2, blob, n);
	tpm2_put_u16(blob2 + 4, 0);
	tpm2_hash_buf(TPM_ALG_SHA256, blob2, n - 32, blob2 + n - 32);
	CHECK(tpm2_state_load(u, &tt_platform, blob2, n) == TPM2_STATE_ERR_VERSION,
	      "version: older version (0) rejected with VERSION");
	tpm2_put_u16(blob2 + 4, 2);
	tpm2_hash_buf(TPM_ALG_SHA256, blob2, n - 32, blob2 + n - 32);
	CHECK(tpm2_state_load(u, &tt_platform, blob2, n) == TPM2_STATE_ERR_VERSION,
	      "version: newer version (2) rejected with VERSION");
	CHECK(strcmp(tpm2_state_strerror(TPM2_STATE_ERR_VERSION), "ok") != 0,
	      "strerror: says something for every error");

	/* Well-hashed but internally inconsistent content: CORRUPT, TPM untouched. */
	memcpy(blob2, blob, n);
	{
		struct tpm2 *v = tt_new();
		uint8_t before[64];
		size_t off = 12 + 3 * 64 + 3 * 64;   /* first hierarchy: auth size field */
		memcpy(before, &v->owner, sizeof before);
		tpm2_put_u16(blob2 + off, 0x4000);   /* auth size larger than any digest */
		tpm2_hash_buf(TPM_ALG_SHA256, blob2, n - 32, blob2 + n - 32);
		CHECK(tpm2_state_load(v, &tt_platform, blob2, n) == TPM2_STATE_ERR_CORRUPT,
		      "content: impossible field value -> CORRUPT");
		CHECK(memcmp(before, &v->owner, sizeof before) == 0 && get_random(v) == 0,
		      "content: failed load leaves the TPM untouched and usable");
		free(v);
	}
	free(t);
	free(u);
	return tt_done();
}
