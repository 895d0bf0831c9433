/*
 * Security regressions of the engine (issue 8, items 1-3, 5 and 6), through tpm2_execute:
 *   - a forged quote: a hash sequence over a fake TPMS_ATTEST, split so that no single update
 *     starts with TPM_GENERATED_VALUE, must get a NULL ticket, and a restricted ECDSA key must
 *     refuse it (before the fix, Sign returned a signature that verified);
 *   - dictionary-attack recovery runs on time, not on Clock: ClockSet cannot end a lockout;
 *   - object contexts are bound to their hierarchy's proof: Clear / ChangeEPS / ChangePPS void
 *     them;
 *   - RSA primaries with a public exponent above 2^31 (tc_rsa_keygen's coprimality test);
 *   - decrypted parameters do not stay in the engine's I/O buffer after a command.
 * (State blobs, item 4, are tests/unit/tpm2_state_test.c's.)
 * tests/unit/tpm2_security_vs_libtpms.py compares the first three with libtpms.
 */
#include "tpm2_test.h"

/* ------------------------------------------------------------------ helpers */

/* Sign(key, digest) with the NULL scheme and a ticket; the response stays in *r. */
static uint32_t sign(struct tpm2 *t, uint32_t key, const char *auth, const uint8_t digest[32],
                     const struct tpmt_tk *tk, struct tt_rsp *r)
{
	struct tt_cmd c;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
	tt_u32(&c, key);
	tt_pw_sessions(&c, auth, NULL);
	tt_tpm2b(&c, digest, 32);
	tt_u16(&c, TPM_ALG_NULL);
	tt_u16(&c, tk->tag);
	tt_u32(&c, tk->hierarchy);
	tt_tpm2b(&c, tk->digest.buf, tk->digest.size);
	return tt_exec(t, &c, r);
}

static const struct tpmt_tk null_ticket = { TPM_ST_HASHCHECK, TPM_RH_NULL, { 0, { 0 } } };

/* A TPMS_ATTEST of a quote the TPM never made. */
static size_t fake_attest(uint8_t *m)
{
	static const uint8_t tail[] = {
		0x80, 0x18,                          /* TPM_ST_ATTEST_QUOTE */
		0x00, 0x04, 0x00, 0x0B, 0x42, 0x42,  /* qualifiedSigner (short) */
		0x00, 0x02, 'n', 'o',                /* extraData */
		0, 0, 0, 0, 0, 1, 0xE2, 0x40, 0, 0, 0, 1, 0, 0, 0, 0, 1,   /* clockInfo */
		0, 0, 0, 0, 0, 0, 0x20, 0x23,        /* firmwareVersion */
		0, 0, 0, 1, 0x00, 0x0B, 3, 1, 0, 0,  /* PCR 0 of SHA-256 */
		0x00, 0x04, 0xDE, 0xAD, 0xBE, 0xEF,  /* pcrDigest */
	};
	tpm2_put_u32(m, 0xFF544347u);   /* TPM_GENERATED_VALUE */
	memcpy(m + 4, tail, sizeof tail);
	return 4 + sizeof tail;
}

static uint32_t seq_start(struct tpm2 *t, uint32_t *h)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
	tt_tpm2b(&c, "", 0);
	tt_u16(&c, TPM_ALG_SHA256);
	if (tt_exec(t, &c, &r))
		return r.rc;
	*h = tpm2_get_u32(r.b + 10);
	return 0;
}

static uint32_t seq_update(struct tpm2 *t, uint32_t h, const uint8_t *p, size_t n)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_SequenceUpdate);
	tt_u32(&c, h);
	tt_pw_sessions(&c, "", NULL);
	tt_tpm2b(&c, p, n);
	return tt_exec(t, &c, &r);
}

static uint32_t seq_complete(struct tpm2 *t, uint32_t h, const uint8_t *p, size_t n,
                             uint8_t digest[32], struct tpmt_tk *tk)
{
	struct tt_cmd c;
	struct tt_rsp r;
	const uint8_t *d;
	uint16_t dn;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_SequenceComplete);
	tt_u32(&c, h);
	tt_pw_sessions(&c, "", NULL);
	tt_tpm2b(&c, p, n);
	tt_u32(&c, TPM_RH_OWNER);
	if (tt_exec(t, &c, &r))
		return r.rc;
	tt_skip(&r, 4);
	if (tpm2_rd_tpm2b(&r.r, &d, &dn, 32) || dn != 32)
		return 0xBAD;
	memcpy(digest, d, 32);
	return tpm2_rd_ticket(&r.r, tk);
}

/* ------------------------------------------------------------------ item 1: forged quote */

/* The message hashed in pieces of the given sizes (0 ends; the rest goes into Complete). */
static uint32_t hash_split(struct tpm2 *t, const uint8_t *m, size_t len, const size_t *cuts,
                           bool save_midway, uint8_t digest[32], struct tpmt_tk *tk)
{
	uint32_t h, rc;
	size_t off = 0;
	if ((rc = seq_start(t, &h)))
		return rc;
	for (unsigned i = 0; cuts[i] != (size_t)-1; i++) {
		if ((rc = seq_update(t, h, m + off, cuts[i])))
			return rc;
		off += cuts[i];
		if (save_midway && i == 0) {
			uint8_t blob[2048];
			size_t n;
			if ((rc = tt_context_save(t, h, blob, &n)) || (rc = tt_flush(t, h)) ||
			    (rc = tt_context_load(t, blob, n, &h)))
				return rc;
		}
	}
	return seq_complete(t, h, m + off, len - off, digest, tk);
}

static void test_forged_quote(void)
{
	struct tpm2 *t = tt_new();
	static const struct { const char *name; size_t cuts[5]; bool save; } splits[] = {
		{ "1+3 (the issue's reproduction)", { 1, (size_t)-1 }, false },
		{ "0+1+3", { 0, 1, (size_t)-1 }, false },
		{ "2+2", { 2, (size_t)-1 }, false },
		{ "3+1", { 3, (size_t)-1 }, false },
		{ "1+1+1+1", { 1, 1, 1, (size_t)-1 }, false },
		{ "2, ContextSave/Load, 2", { 2, 2, (size_t)-1 }, true },
		{ "all in SequenceComplete", { (size_t)-1 }, false },
		{ "4+rest", { 4, (size_t)-1 }, false },
	};
	uint8_t m[128], digest[32], want[32];
	size_t len = fake_attest(m);
	uint32_t ak;
	tc_ecc_point pub;
	struct tpmt_tk tk;
	struct tt_rsp r;
	char name[160];
	tpm2_hash_buf(TPM_ALG_SHA256, m, len, want);
	CHECK_RC(tt_primary_ecc(t, TPM_RH_OWNER, true, "", &ak, &pub), 0,
	         "forged quote: restricted ECDSA attestation key");
	for (unsigned i = 0; i < sizeof splits / sizeof splits[0]; i++) {
		uint32_t rc = hash_split(t, m, len, splits[i].cuts, splits[i].save, digest, &tk);
		snprintf(name, sizeof name, "forged quote: TPMS_ATTEST split %s: right digest, NULL ticket",
		         splits[i].name);
		CHECK(rc == 0 && memcmp(digest, want, 32) == 0 && tk.hierarchy == TPM_RH_NULL &&
		      tk.digest.size == 0, name);
		snprintf(name, sizeof name, "forged quote: split %s: Sign refuses -> TICKET+P3",
		         splits[i].name);
		CHECK_RC(sign(t, ak, "", want, &tk, &r), TPM_RC_TICKET + TPM_RC_P + TPM_RC_3, name);
		if (r.rc == 0) {   /* show what the hole gave: a signature that verifies */
			const uint8_t *p = r.b + 14 + 4, *rr, *ss;
			uint16_t rn = tpm2_get_u16(p), sn;
			rr = p + 2;
			sn = tpm2_get_u16(rr + rn);
			ss = rr + rn + 2;
			printf("#   the TPM signed a forged TPMS_ATTEST; the signature %s\n",
			       tc_ecdsa_verify(&pub, want, 32, rr, rn, ss, sn) == TC_OK ? "verifies" : "does not verify");
		}
	}
	/* controls: data that does not pose as TPM-generated keeps its ticket, however split */
	{
		static const uint8_t plain[] = "plain data, not an attestation";
		static const size_t two[] = { 2, (size_t)-1 }, none[] = { (size_t)-1 };
		CHECK(hash_split(t, plain, 30, two, false, digest, &tk) == 0 &&
		      tk.hierarchy == TPM_RH_OWNER && sign(t, ak, "", digest, &tk, &r) == 0,
		      "benign data split 2+rest: owner ticket, restricted key signs");
		CHECK(hash_split(t, plain, 3, none, false, digest, &tk) == 0 &&
		      tk.hierarchy == TPM_RH_OWNER,
		      "benign 3-byte message: owner ticket (too short to be TPM-generated)");
	}
	CHECK_RC(sign(t, ak, "", want, &null_ticket, &r), TPM_RC_TICKET + TPM_RC_P + TPM_RC_3,
	         "forged quote: a NULL ticket is refused");
	tt_flush(t, ak);
	free(t);
}

/* ------------------------------------------------------------------ item 2: DA and Clock */

static uint32_t da_parameters(struct tpm2 *t, uint32_t tries, uint32_t recovery, uint32_t lr)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_DictionaryAttackParameters);
	tt_u32(&c, TPM_RH_LOCKOUT);
	tt_pw_sessions(&c, "", NULL);
	tt_u32(&c, tries);
	tt_u32(&c, recovery);
	tt_u32(&c, lr);
	return tt_exec(t, &c, &r);
}

static uint32_t clock_set_forward(struct tpm2 *t, uint64_t ms)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_ClockSet);
	tt_u32(&c, TPM_RH_OWNER);
	tt_pw_sessions(&c, "", NULL);
	tt_u64(&c, t->clock + ms);
	return tt_exec(t, &c, &r);
}

static uint32_t lock_reset(struct tpm2 *t, const char *pw)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_DictionaryAttackLockReset);
	tt_u32(&c, TPM_RH_LOCKOUT);
	tt_pw_sessions(&c, pw, NULL);
	return tt_exec(t, &c, &r);
}

static void test_da_clockset(void)
{
	struct tpm2 *t = tt_new();
	uint8_t digest[32] = { 1 };
	uint32_t key;
	struct tt_rsp r;
	CHECK_RC(da_parameters(t, 3, 1000, 1000), 0, "DA: maxTries 3, recovery 1000 s, lockoutRecovery 1000 s");
	CHECK_RC(tt_primary_ecc(t, TPM_RH_OWNER, false, "secret", &key, NULL), 0, "DA: key with authValue");
	for (int i = 0; i < 3; i++)
		CHECK_RC(sign(t, key, "guess", digest, &null_ticket, &r), TPM_RC_AUTH_FAIL + TPM_RC_S + TPM_RC_1,
		         "DA: wrong password -> AUTH_FAIL+S1");
	CHECK_RC(sign(t, key, "guess", digest, &null_ticket, &r), TPM_RC_LOCKOUT, "DA: 4th try -> LOCKOUT");
	CHECK_RC(clock_set_forward(t, 3000 * 1000ull), 0, "DA: ClockSet(Clock + 3000 s)");
	CHECK_RC(sign(t, key, "guess", digest, &null_ticket, &r), TPM_RC_LOCKOUT,
	         "DA: after ClockSet a guess is still LOCKOUT");
	CHECK_RC(sign(t, key, "secret", digest, &null_ticket, &r), TPM_RC_LOCKOUT,
	         "DA: after ClockSet the right password is still LOCKOUT");
	tt_now_ms += 999 * 1000;
	CHECK_RC(sign(t, key, "secret", digest, &null_ticket, &r), TPM_RC_LOCKOUT,
	         "DA: 999 s of time later: still LOCKOUT");
	tt_now_ms += 1000;
	CHECK_RC(sign(t, key, "secret", digest, &null_ticket, &r), 0,
	         "DA: after recoveryTime of time: one try back, the right password works");
	/* lockoutAuth: blocked for lockoutRecovery of time; Clock does not unblock it */
	CHECK_RC(lock_reset(t, "wrong"), TPM_RC_AUTH_FAIL + TPM_RC_S + TPM_RC_1, "DA: wrong lockoutAuth");
	CHECK_RC(clock_set_forward(t, 2000 * 1000ull), 0, "DA: ClockSet(Clock + 2000 s)");
	CHECK_RC(lock_reset(t, ""), TPM_RC_LOCKOUT, "DA: after ClockSet lockoutAuth is still blocked");
	tt_now_ms += 1000 * 1000;
	CHECK_RC(lock_reset(t, ""), 0, "DA: lockoutAuth back after lockoutRecovery of time");
	/* a power cycle neither ends a lockout nor shortens it: the period starts again */
	for (int i = 0; i < 3; i++)
		sign(t, key, "guess", digest, &null_ticket, &r);
	tt_now_ms += 500 * 1000;
	tt_shutdown(t, TPM_SU_CLEAR);
	tpm2_power_on(t);
	tt_startup(t, TPM_SU_CLEAR);
	CHECK_RC(tt_primary_ecc(t, TPM_RH_OWNER, false, "secret", &key, NULL), 0, "DA: key again after power cycle");
	tt_now_ms += 600 * 1000;
	CHECK_RC(sign(t, key, "secret", digest, &null_ticket, &r), TPM_RC_LOCKOUT,
	         "DA: power cycle: 500 s before + 600 s after do not add up to a recovery");
	tt_now_ms += 400 * 1000;
	CHECK_RC(sign(t, key, "secret", digest, &null_ticket, &r), 0,
	         "DA: power cycle: recoveryTime after power-on gives one try back");
	free(t);
}

/* ------------------------------------------------------------------ item 3: contexts */

static uint32_t one_handle_cmd(struct tpm2 *t, uint32_t cc, uint32_t h)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_SESSIONS, cc);
	tt_u32(&c, h);
	tt_pw_sessions(&c, "", NULL);
	return tt_exec(t, &c, &r);
}

static void test_contexts_after_proof_change(void)
{
	struct tpm2 *t = tt_new();
	static const uint32_t hiers[3] = { TPM_RH_OWNER, TPM_RH_ENDORSEMENT, TPM_RH_PLATFORM };
	static const char *names[3] = { "owner", "endorsement", "platform" };
	static const struct { uint32_t cc, auth; const char *name; bool voids[3]; } changes[] = {
		{ TPM_CC_ChangePPS, TPM_RH_PLATFORM, "ChangePPS", { false, false, true } },
		{ TPM_CC_ChangeEPS, TPM_RH_PLATFORM, "ChangeEPS", { false, true, true } },
		{ TPM_CC_Clear, TPM_RH_LOCKOUT, "Clear", { true, true, true } },
	};
	static uint8_t blob[3][2048];
	size_t n[3];
	uint32_t h;
	char name[128];
	for (unsigned i = 0; i < 3; i++) {
		CHECK(tt_primary_ecc(t, hiers[i], false, "", &h, NULL) == 0 &&
		      tt_context_save(t, h, blob[i], &n[i]) == 0 && tt_flush(t, h) == 0,
		      "contexts: key created and context-saved");
	}
	for (unsigned k = 0; k < 3; k++) {
		snprintf(name, sizeof name, "contexts: %s", changes[k].name);
		CHECK_RC(one_handle_cmd(t, changes[k].cc, changes[k].auth), 0, name);
		for (unsigned i = 0; i < 3; i++) {
			uint32_t rc = tt_context_load(t, blob[i], n[i], &h);
			snprintf(name, sizeof name, "contexts: after %s the %s key's context %s",
			         changes[k].name, names[i],
			         changes[k].voids[i] ? "-> INTEGRITY+P1" : "still loads");
			CHECK_RC(rc, changes[k].voids[i] ? TPM_RC_INTEGRITY + TPM_RC_P + TPM_RC_1 : 0, name);
			if (rc == 0)
				tt_flush(t, h);
		}
	}
	free(t);
}

/* ------------------------------------------------------------------ item 5: RSA exponents */

/* CreatePrimary of an RSA-1024 signing key with the given public exponent. */
static uint32_t primary_rsa_e(struct tpm2 *t, uint32_t exponent, uint32_t *handle)
{
	struct tt_rsp r;
	uint8_t tmpl[32];
	size_t n = 0;
	tpm2_put_u16(tmpl + n, TPM_ALG_RSA); n += 2;
	tpm2_put_u16(tmpl + n, TPM_ALG_SHA256); n += 2;
	tpm2_put_u32(tmpl + n, TT_SIGN_ATTRS); n += 4;
	tpm2_put_u16(tmpl + n, 0); n += 2;
	tpm2_put_u16(tmpl + n, TPM_ALG_NULL); n += 2;          /* symmetric */
	tpm2_put_u16(tmpl + n, TPM_ALG_NULL); n += 2;          /* scheme */
	tpm2_put_u16(tmpl + n, 1024); n += 2;
	tpm2_put_u32(tmpl + n, exponent); n += 4;
	tpm2_put_u16(tmpl + n, 0); n += 2;                     /* unique */
	return tt_create_primary(t, TPM_RH_OWNER, "", tmpl, n, handle, &r);
}

static void test_rsa_large_exponent(void)
{
	struct tpm2 *t = tt_new();
	static const uint32_t exps[] = { 0xFFFFFFFFu, 0x80000001u, 0xC0000001u };
	char name[96];
	for (unsigned i = 0; i < sizeof exps / sizeof exps[0]; i++) {
		uint32_t h = 0, rc;
		rc = primary_rsa_e(t, exps[i], &h);
		snprintf(name, sizeof name, "RSA keygen: CreatePrimary RSA-1024 with e = 0x%08x", exps[i]);
		CHECK_RC(rc, 0, name);
		if (rc == 0)
			tt_flush(t, h);
	}
	free(t);
}

/* ------------------------------------------------------------------ item 6: residue */

/* HierarchyChangeAuth(owner, newAuth) from a static command buffer, so that the only copies of
 * newAuth on the stack are the engine's own. */
static uint32_t change_owner_auth(struct tpm2 *t, const uint8_t *auth, size_t n)
{
	static struct tt_cmd c;
	static struct tt_rsp r;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
	tt_u32(&c, TPM_RH_OWNER);
	tt_pw_sessions(&c, "", NULL);
	tt_tpm2b(&c, auth, n);
	return tt_exec(t, &c, &r);
}

/* CreatePrimary of an ECC P-256 storage key, then Create of a sealed data object holding data,
 * from static buffers (the engine's frames hold the only stack copies of data). */
static uint32_t seal(struct tpm2 *t, const uint8_t *data, size_t n)
{
	static struct tt_cmd c;
	static struct tt_rsp r;
	static const uint8_t storage[] = {
		0x00, 0x23, 0x00, 0x0B, 0x00, 0x03, 0x00, 0x72, 0x00, 0x00,   /* ECC, restricted decrypt */
		0x00, 0x06, 0x00, 0x80, 0x00, 0x43,                          /* AES-128-CFB */
		0x00, 0x10, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00,  /* NULL scheme, P-256 */
	};
	static const uint8_t sealed[] = {
		0x00, 0x08, 0x00, 0x0B, 0x00, 0x00, 0x00, 0x52, 0x00, 0x00,   /* keyedhash, userWithAuth */
		0x00, 0x10, 0x00, 0x00,                                      /* NULL scheme, no unique */
	};
	uint32_t parent;
	if (tt_create_primary(t, TPM_RH_OWNER, "", storage, sizeof storage, &parent, &r))
		return r.rc;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Create);
	tt_u32(&c, parent);
	tt_pw_sessions(&c, "", NULL);
	tt_u16(&c, (uint16_t)(4 + n)); tt_u16(&c, 0); tt_tpm2b(&c, data, n);
	tt_tpm2b(&c, sealed, sizeof sealed);
	tt_u16(&c, 0); tt_u32(&c, 0);
	return tt_exec(t, &c, &r);
}

/* Looks for the pattern in the stack below the caller's frame, where the engine's frames were
 * (noinline through a volatile pointer; reads what the previous calls left there).  Not
 * instrumented by ASan, whose frame layout would hide the dead frames from it. */
#define TT_NO_ASAN __attribute__((no_sanitize("address")))
TT_NO_ASAN static int scan_stack(const uint8_t *pat, size_t n)
{
	volatile uint8_t area[24 * 1024];
	return tt_contains(area, sizeof area, pat, n);
}
static int (*const volatile scan_stack_call)(const uint8_t *, size_t) = scan_stack;

/* The scanner's control: a returned frame that held the pattern is seen. */
TT_NO_ASAN static void plant(const uint8_t *pat, size_t n)
{
	volatile uint8_t local[512];
	for (size_t i = 0; i < n; i++)
		local[300 + i] = pat[i];
}
static void (*const volatile plant_call)(const uint8_t *, size_t) = plant;

static void test_residue(void)
{
	struct tpm2 *t = tt_new();
	uint8_t secret[32];
	static struct tt_cmd c;
	static struct tt_rsp r;
	for (size_t i = 0; i < sizeof secret; i++)
		secret[i] = (uint8_t)(0xC3 ^ (i * 29));
	plant_call(secret, sizeof secret);
	CHECK(scan_stack_call(secret, sizeof secret),
	      "residue: (control) the scanner finds what a returned frame left on the stack");
	secret[1] ^= 0xFF;
	CHECK_RC(seal(t, secret, sizeof secret), 0, "residue: Create of a sealed data object");
	CHECK(!scan_stack_call(secret, sizeof secret),
	      "residue: the sealed data is not left on the stack after Create");
	secret[0] ^= 0xFF;
	CHECK_RC(change_owner_auth(t, secret, sizeof secret), 0, "residue: HierarchyChangeAuth(owner)");
	CHECK(!scan_stack_call(secret, sizeof secret),
	      "residue: the new authValue is not left on the stack after the command");
	/* an error response leaves nothing behind its header in the caller's buffer */
	memset(r.b, 0xEE, sizeof r.b);
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
	tt_u32(&c, 0x80FFFFFF);
	tt_pw_sessions(&c, "", NULL);
	tt_exec(t, &c, &r);
	{
		bool clean = r.rc != 0;
		for (size_t i = 10; i < TPM2_MAX_RESPONSE_SIZE; i++)
			clean &= r.b[i] == 0;
		CHECK(clean, "residue: an error response's buffer is zero behind the header");
	}
	free(t);
}

int main(void)
{
	test_forged_quote();
	test_da_clockset();
	test_contexts_after_proof_change();
	test_rsa_large_exponent();
	test_residue();
	return tt_done();
}
