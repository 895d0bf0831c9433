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

	{   /* an NV index with data and a persistent object, so every body section is exercised */
		struct tt_cmd c;
		struct tt_rsp r;
		struct tpm2_object *o = &t->persistent[0].obj;
		tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
		tt_u32(&c, TPM_RH_OWNER);
		tt_pw_sessions(&c, "", NULL);
		tt_tpm2b(&c, "nvpw", 4);
		tt_u16(&c, 14);
		tt_u32(&c, 0x01500000);
		tt_u16(&c, TPM_ALG_SHA256);
		tt_u32(&c, TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE);
		tt_u16(&c, 0);
		tt_u16(&c, 16);
		CHECK_RC(tt_exec(t, &c, &r), 0, "(setup) NV index");
		t->persistent[0].handle = 0x81000001;
		o->pub.type = TPM_ALG_ECC;
		o->pub.name_alg = TPM_ALG_SHA256;
		o->pub.attrs = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_USERWITHAUTH;
		o->pub.symmetric.alg = TPM_ALG_NULL;
		o->pub.scheme.alg = TPM_ALG_ECDSA;
		o->pub.scheme.hash = TPM_ALG_SHA256;
		o->pub.curve = TPM_ECC_NIST_P256;
		o->pub.kdf.alg = TPM_ALG_NULL;
		o->pub.unique.ecc.x_size = o->pub.unique.ecc.y_size = 32;
		o->sens.type = TPM_ALG_ECC;
		o->sens.sensitive.size = 32;
		o->name.size = 34;
		o->hierarchy = TPM_RH_OWNER;
	}
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
	tpm2_put_u16(blob2 + 4, 0x7FFF);
	tpm2_hash_buf(TPM_ALG_SHA256, blob2, n - 32, blob2 + n - 32);
	CHECK(tpm2_state_load(u, &tt_platform, blob2, n) == TPM2_STATE_ERR_VERSION,
	      "version: newer version (0x7FFF) rejected with VERSION");
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
	/* Random corruption with a valid digest reaches the body parser: it must never crash
	 * (ASan) and whatever it accepts must be a TPM that saves itself identically. */
	{
		uint32_t seed = 12345;
		int accepted = 0, bad_accepted = 0;
		struct tpm2 *v = tt_new_raw();
		static uint8_t m[1 << 17], again[1 << 17];
		for (int i = 0; i < 20000; i++) {
			size_t len = n;
			memcpy(m, blob, n);
			for (int k = 0; k < 1 + i % 4; k++) {
				seed = seed * 1103515245u + 12345u;
				m[12 + (seed >> 8) % (n - 44)] ^= (uint8_t)(1u << (seed % 8));
			}
			if (i % 7 == 0) {   /* also cut the body short, consistently */
				seed = seed * 1103515245u + 12345u;
				len = 44 + (seed >> 4) % (n - 44);
				tpm2_put_u32(m + 8, (uint32_t)len);
			}
			tpm2_hash_buf(TPM_ALG_SHA256, m, len - 32, m + len - 32);
			if (tpm2_state_load(v, &tt_platform, m, len) == 0) {
				size_t n3 = tpm2_state_save(v, again, sizeof again);
				accepted++;
				if (n3 != len || memcmp(again, m, len) != 0)
					bad_accepted++;
			}
		}
		printf("# %d of 20000 re-hashed corruptions accepted (opaque fields)\n", accepted);
		CHECK(bad_accepted == 0, "content fuzz: 20000 re-hashed corruptions, no crash, accepted ones round-trip");
		free(v);
	}
	free(t);
	free(u);
	return tt_done();
}
