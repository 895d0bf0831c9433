/*
 * The persistent state blob: round trip, truncation at every length, a bit flip at every
 * byte, wrong magic, older/newer version, and that a failed load leaves the TPM untouched;
 * authentication (a blob re-hashed, or saved under another key, is refused) and the
 * validation of every field (issue 8, item 4: the counter index of dataSize 1 at the end of
 * the NV arena, extend sizes, duplicates, public/sensitive pairs, ranges).
 */
#include "tpm2_test.h"

static uint8_t blob[1 << 17], blob2[1 << 17];

/* Re-authenticates a modified blob of len bytes under the tests' key. */
static void remac(uint8_t *b, size_t len)
{
	tc_hmac_ctx m;
	tc_hmac_init(&m, TPM_ALG_SHA256, tt_state_key, sizeof tt_state_key);
	tc_hmac_update(&m, b, len - 32);
	tc_hmac_final(&m, b + len - 32);
}

static uint32_t nv_define(struct tpm2 *t, uint32_t index, uint16_t name_alg, uint32_t attrs,
                          uint16_t size, const char *auth)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
	tt_u32(&c, TPM_RH_OWNER);
	tt_pw_sessions(&c, "", NULL);
	tt_tpm2b(&c, auth, strlen(auth));
	tt_u16(&c, 14);
	tt_u32(&c, index);
	tt_u16(&c, name_alg);
	tt_u32(&c, attrs);
	tt_u16(&c, 0);
	tt_u16(&c, size);
	return tt_exec(t, &c, &r);
}

static uint32_t nv_increment(struct tpm2 *t, uint32_t index)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Increment);
	tt_u32(&c, index);
	tt_u32(&c, index);
	tt_pw_sessions(&c, "", NULL);
	return tt_exec(t, &c, &r);
}

static uint32_t evict(struct tpm2 *t, uint32_t h, uint32_t persistent)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_EvictControl);
	tt_u32(&c, TPM_RH_OWNER);
	tt_u32(&c, h);
	tt_pw_sessions(&c, "", NULL);
	tt_u32(&c, persistent);
	return tt_exec(t, &c, &r);
}

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

static uint32_t nv_undefine(struct tpm2 *t, uint32_t index)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_UndefineSpace);
	tt_u32(&c, TPM_RH_OWNER);
	tt_u32(&c, index);
	tt_pw_sessions(&c, "", NULL);
	return tt_exec(t, &c, &r);
}

/* A blob is only as good as its MAC: re-hashed like the old envelope, or saved under another
 * key, it is refused. */
static void test_authentication(struct tpm2 *t)
{
	static const uint8_t other_key[TPM2_STATE_KEY_SIZE] = "another TPM's state key ........";
	struct tpm2 *u = tt_new_raw();
	size_t n = tpm2_state_save(t, tt_state_key, blob, sizeof blob);
	CHECK(tpm2_state_load(u, &tt_platform, other_key, blob, n) == TPM2_STATE_ERR_INTEGRITY,
	      "auth: a blob saved under another key -> INTEGRITY");
	blob[100] ^= 0x40;
	tpm2_hash_buf(TPM_ALG_SHA256, blob, n - 32, blob + n - 32);
	CHECK(tpm2_state_load(u, &tt_platform, tt_state_key, blob, n) == TPM2_STATE_ERR_INTEGRITY,
	      "auth: a modified blob re-hashed with SHA-256 (no key) -> INTEGRITY");
	n = tpm2_state_save(t, other_key, blob, sizeof blob);
	CHECK(n && tpm2_state_load(u, &tt_platform, other_key, blob, n) == 0,
	      "auth: the same TPM saved and loaded under another key");
	free(u);
}

/* The reproduction: an authentic blob whose last NV index, a counter, claims dataSize
 * 1 at the very end of the arena.  Before validation it loaded, NV_Increment wrote 7 bytes
 * past the arena and NV_UndefineSpace memmoved ~63 KiB (ASan: heap-buffer-overflow). */
static void test_counter_at_arena_end(void)
{
	struct tpm2 *t = tt_new(), *u = tt_new_raw();
	static const uint16_t sizes[4] = { 2048, 2048, 2048, 2040 };
	const uint32_t ctr = 0x01500010, ord = TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE;
	size_t n;
	int rc;
	bool ok = true;
	for (unsigned i = 0; i < 4; i++)
		ok &= nv_define(t, 0x01500000 + i, TPM_ALG_SHA256, ord, sizes[i], "") == 0;
	ok &= nv_define(t, ctr, TPM_ALG_SHA256, ord | (TPM_NT_COUNTER << TPMA_NV_TPM_NT_SHIFT), 8,
	                "") == 0;
	CHECK(ok && t->nv_used == TPM2_NV_ARENA_SIZE, "arena end: 4 ordinary indices + a counter fill the arena");
	t->nv[3].pub.data_size = 2047;   /* the counter's data now starts at the arena's last byte */
	t->nv[4].pub.data_size = 1;
	t->nv[4].data_off = TPM2_NV_ARENA_SIZE - 1;
	n = tpm2_state_save(t, tt_state_key, blob, sizeof blob);
	rc = tpm2_state_load(u, &tt_platform, tt_state_key, blob, n);
	CHECK(rc == TPM2_STATE_ERR_CORRUPT, "arena end: counter index of dataSize 1 -> CORRUPT");
	if (rc == 0) {   /* what the blob did before: run the reproduction (ASan reports it) */
		tpm2_power_on(u);
		tt_startup(u, TPM_SU_CLEAR);
		nv_increment(u, ctr);
		nv_undefine(u, 0x01500000);
	}
	free(t);
	free(u);
}

/* Every other field class: the TPM is made valid, one field is broken in the struct, the blob
 * saved under the right key, and the load must answer CORRUPT. */
static struct tpm2 *base;
static void m_extend_size(struct tpm2 *t) { t->nv[2].pub.data_size = 20; }
static void m_dup_index(struct tpm2 *t) { t->nv[3].pub.index = t->nv[0].pub.index; }
static void m_nv_auth_long(struct tpm2 *t) { t->nv[3].auth.size = 32; }
static void m_counter_writeall(struct tpm2 *t) { t->nv[1].pub.attrs |= TPMA_NV_WRITEALL; }
static void m_dup_persistent(struct tpm2 *t) { t->persistent[1] = t->persistent[0]; }
static void m_sens(struct tpm2 *t) { t->persistent[0].obj.sens.sensitive.buf[5] ^= 1; }
static void m_pub(struct tpm2 *t) { t->persistent[0].obj.pub.unique.ecc.x[7] ^= 1; }
static void m_name(struct tpm2 *t) { t->persistent[0].obj.name.buf[10] ^= 1; }
static void m_range(struct tpm2 *t) { t->persistent[0].handle = 0x81800001; }
static void m_flags(struct tpm2 *t) { t->persistent[0].obj.flags |= 0x02; /* EXTERNAL */ }
static void m_failed(struct tpm2 *t) { t->da.failed_tries = t->da.max_tries + 1; }
static void m_bool(struct tpm2 *t) { t->disable_clear = 2; }
static void m_policy(struct tpm2 *t) { t->owner.policy.size = 5; t->owner.policy_alg = TPM_ALG_SHA256; }
static void m_clock(struct tpm2 *t) { t->clock = 0xFFFF000000000001ull; }
static void m_rate(struct tpm2 *t) { t->clock_rate = 9; }

static void test_validation(void)
{
	static const struct { void (*mutate)(struct tpm2 *); const char *name; } cases[] = {
		{ m_extend_size, "extend index of 20 bytes with a SHA-256 nameAlg" },
		{ m_dup_index, "two NV indices with one handle" },
		{ m_nv_auth_long, "NV authValue longer than its nameAlg's digest" },
		{ m_counter_writeall, "counter index with WRITEALL" },
		{ m_dup_persistent, "two persistent objects with one handle" },
		{ m_sens, "persistent key whose private part does not match its public part" },
		{ m_pub, "persistent key whose public point is not its private key's" },
		{ m_name, "persistent object whose Name is not H(public)" },
		{ m_range, "owner object at a platform persistent handle" },
		{ m_flags, "persistent object marked external" },
		{ m_failed, "lockout counter above maxTries" },
		{ m_bool, "disableClear = 2" },
		{ m_policy, "owner policy of 5 bytes for SHA-256" },
		{ m_clock, "Clock beyond ClockSet's limit" },
		{ m_rate, "ClockRateAdjust step 9" },
	};
	struct tpm2 *t = calloc(1, tpm2_instance_size()), *u = tt_new_raw();
	uint32_t key;
	char name[128];
	size_t n;
	base = tt_new();
	CHECK(nv_define(base, 0x01500000, TPM_ALG_SHA256, TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE, 16, "") == 0 &&
	      nv_define(base, 0x01500001, TPM_ALG_SHA256, TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE |
	                (TPM_NT_COUNTER << TPMA_NV_TPM_NT_SHIFT), 8, "") == 0 &&
	      nv_define(base, 0x01500002, TPM_ALG_SHA256, TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE |
	                (TPM_NT_EXTEND << TPMA_NV_TPM_NT_SHIFT), 32, "") == 0 &&
	      nv_define(base, 0x01500003, TPM_ALG_SHA1, TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE, 8,
	                "sha1pw") == 0 &&
	      nv_increment(base, 0x01500001) == 0 &&
	      tt_primary_ecc(base, TPM_RH_OWNER, false, "", &key, NULL) == 0 &&
	      evict(base, key, 0x81000002) == 0, "validation: (setup) NV of every type, a persistent key");
	n = tpm2_state_save(base, tt_state_key, blob, sizeof blob);
	CHECK(tpm2_state_load(u, &tt_platform, tt_state_key, blob, n) == 0,
	      "validation: the unbroken TPM loads");
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memcpy(t, base, tpm2_instance_size());
		cases[i].mutate(t);
		n = tpm2_state_save(t, tt_state_key, blob, sizeof blob);
		snprintf(name, sizeof name, "validation: %s -> CORRUPT", cases[i].name);
		CHECK(n && tpm2_state_load(u, &tt_platform, tt_state_key, blob, n) == TPM2_STATE_ERR_CORRUPT,
		      name);
	}
	free(base);
	free(t);
	free(u);
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
		uint32_t key;
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
		CHECK(tt_primary_ecc(t, TPM_RH_OWNER, false, "", &key, NULL) == 0 &&
		      evict(t, key, 0x81000001) == 0, "(setup) persistent ECC key");
	}
	t->owner.auth.size = 3;
	memcpy(t->owner.auth.buf, "abc", 3);
	t->da.failed_tries = 2;
	t->clock = 123456789;
	extend16(t);
	CHECK_RC(tt_shutdown(t, TPM_SU_STATE), 0, "state: Shutdown(STATE)");
	n = tpm2_state_save(t, tt_state_key, blob, sizeof blob);
	CHECK(n > 0 && n <= tpm2_state_max_size(), "save: fits in tpm2_state_max_size()");
	CHECK(tpm2_state_save(t, tt_state_key, blob2, 40) == 0, "save: too small a buffer -> 0");
	printf("# state blob: %zu bytes (fresh TPM after one PCR extend)\n", n);

	CHECK(tpm2_state_load(u, &tt_platform, tt_state_key, blob, n) == 0, "load: round trip accepted");
	n2 = tpm2_state_save(u, tt_state_key, blob2, sizeof blob2);
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
		if (tpm2_state_load(u, &tt_platform, tt_state_key, blob, len) == 0)
			bad++;
	CHECK(bad == 0, "truncation: every shorter length rejected");
	CHECK(tpm2_state_load(u, &tt_platform, tt_state_key, blob, 5) == TPM2_STATE_ERR_TRUNCATED,
	      "truncation: reported as TRUNCATED");
	CHECK(tpm2_state_load(u, &tt_platform, tt_state_key, blob, n - 1) == TPM2_STATE_ERR_TRUNCATED,
	      "truncation: last byte missing -> TRUNCATED");

	bad = 0;
	for (size_t i = 0; i < n; i++)
		for (int bit = 0; bit < 8; bit += 3) {
			blob[i] ^= (uint8_t)(1u << bit);
			if (tpm2_state_load(u, &tt_platform, tt_state_key, blob, n) == 0)
				bad++;
			blob[i] ^= (uint8_t)(1u << bit);
		}
	CHECK(bad == 0, "bit flips: a flipped bit at every byte position is rejected");
	blob[100] ^= 1;
	CHECK(tpm2_state_load(u, &tt_platform, tt_state_key, blob, n) == TPM2_STATE_ERR_INTEGRITY,
	      "bit flips: body corruption reported as INTEGRITY");
	blob[100] ^= 1;
	blob[0] = 'X';
	CHECK(tpm2_state_load(u, &tt_platform, tt_state_key, blob, n) == TPM2_STATE_ERR_MAGIC, "magic: rejected");
	blob[0] = 'A';

	/* An older version, correctly authenticated, is refused rather than misread. */
	memcpy(blob2, blob, n);
	tpm2_put_u16(blob2 + 4, 0);
	remac(blob2, n);
	CHECK(tpm2_state_load(u, &tt_platform, tt_state_key, blob2, n) == TPM2_STATE_ERR_VERSION,
	      "version: older version (0) rejected with VERSION");
	tpm2_put_u16(blob2 + 4, 0x7FFF);
	remac(blob2, n);
	CHECK(tpm2_state_load(u, &tt_platform, tt_state_key, blob2, n) == TPM2_STATE_ERR_VERSION,
	      "version: newer version (0x7FFF) rejected with VERSION");
	CHECK(strcmp(tpm2_state_strerror(TPM2_STATE_ERR_VERSION), "ok") != 0,
	      "strerror: says something for every error");

	/* Authentic but internally inconsistent content: CORRUPT, TPM untouched. */
	memcpy(blob2, blob, n);
	{
		struct tpm2 *v = tt_new();
		uint8_t before[64];
		size_t off = 12 + 3 * 64 + 3 * 64;   /* first hierarchy: auth size field */
		memcpy(before, &v->owner, sizeof before);
		tpm2_put_u16(blob2 + off, 0x4000);   /* auth size larger than any digest */
		remac(blob2, n);
		CHECK(tpm2_state_load(v, &tt_platform, tt_state_key, blob2, n) == TPM2_STATE_ERR_CORRUPT,
		      "content: impossible field value -> CORRUPT");
		CHECK(memcmp(before, &v->owner, sizeof before) == 0 && get_random(v) == 0,
		      "content: failed load leaves the TPM untouched and usable");
		free(v);
	}
	/* Random corruption with a valid MAC reaches the body parser: it must never crash
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
			remac(m, len);
			if (tpm2_state_load(v, &tt_platform, tt_state_key, m, len) == 0) {
				size_t n3 = tpm2_state_save(v, tt_state_key, again, sizeof again);
				accepted++;
				if (n3 != len || memcmp(again, m, len) != 0)
					bad_accepted++;
			}
		}
		printf("# %d of 20000 re-authenticated corruptions accepted (opaque fields)\n", accepted);
		CHECK(bad_accepted == 0, "content fuzz: 20000 re-authenticated corruptions, no crash, accepted ones round-trip");
		free(v);
	}
	test_authentication(t);
	test_counter_at_arena_end();
	test_validation();
	free(t);
	free(u);
	return tt_done();
}
