/*
 * libFuzzer target over tpm2_state_load(), the engine's other entry point for stored bytes.
 *
 * Input: a state blob's body.  The target wraps it the way tpm2_state_save() does (header
 * with the current version, HMAC-SHA-256 under a fixed key), so every input reaches the body
 * validation instead of dying at the MAC check; that is the code a holder of the key, or a
 * bug in the storage path, would reach.  An accepted blob must
 *   - save back to exactly the same bytes (one encoding per state), and
 *   - run NV and persistent-object commands on every index and handle it holds (NV_Increment,
 *     NV_Read, NV_UndefineSpace, ReadPublic, EvictControl) with well-formed responses and no
 *     sanitizer report: the issue-8 blob (a counter of dataSize 1 at the arena's end) wrote
 *     past the arena in NV_Increment and memmoved ~63 KiB in NV_UndefineSpace.
 * Seeds: with ANCHOR_STATE_SEEDS=DIR in the environment, LLVMFuzzerInitialize writes the
 * bodies of a few real TPMs into DIR first (fresh; NV of every type and persistent RSA/ECC
 * keys; after Shutdown(STATE)) - tests/fuzz/tpm2_fuzz.sh passes it its corpus directory.
 */
#include <stdio.h>
#include "tpm2_fuzz_common.h"
#include "tpm2_internal.h"

static const uint8_t key[TPM2_STATE_KEY_SIZE] = "anchor state fuzzer: fixed key..";
static struct tpm2 tpm;
static uint8_t blob[1 << 17], again[1 << 17];
static uint8_t header[8];   /* magic + version of tpm2_state_save() */

/* ------------------------------------------------------------------ commands */

struct cmd { uint8_t b[512]; size_t n; };

static void c16(struct cmd *c, uint16_t v) { c->b[c->n++] = (uint8_t)(v >> 8); c->b[c->n++] = (uint8_t)v; }
static void c32(struct cmd *c, uint32_t v) { c16(c, (uint16_t)(v >> 16)); c16(c, (uint16_t)v); }

static void begin(struct cmd *c, uint32_t cc, const uint32_t *handles, unsigned nh, bool pw)
{
	c->n = 0;
	c16(c, pw ? TPM_ST_SESSIONS : TPM_ST_NO_SESSIONS);
	c32(c, 0);
	c32(c, cc);
	for (unsigned i = 0; i < nh; i++)
		c32(c, handles[i]);
	if (pw) {   /* one empty password session */
		c32(c, 9);
		c32(c, TPM_RS_PW);
		c16(c, 0);
		c->b[c->n++] = 0;
		c16(c, 0);
	}
}

static uint32_t run(struct tpm2 *t, struct cmd *c)
{
	static uint8_t rsp[TPM2_MAX_RESPONSE_SIZE];
	size_t n;
	tpm2_put_u32(c->b + 2, (uint32_t)c->n);
	n = tpm2_execute(t, 0, c->b, c->n, rsp, sizeof rsp);
	fuzz_check_response(rsp, n, sizeof rsp);
	return fuzz_be32(rsp + 6);
}

static uint32_t cmd0(struct tpm2 *t, uint32_t cc, uint32_t h1, uint32_t h2, bool pw)
{
	struct cmd c;
	const uint32_t hs[2] = { h1, h2 };
	begin(&c, cc, hs, h2 ? 2 : 1, pw);
	return run(t, &c);
}

/* What a loaded state is used for: every NV index and persistent object, touched. */
static void exercise(struct tpm2 *t)
{
	uint32_t nv[TPM2_NV_MAX_INDICES], per[TPM2_PERSISTENT_SLOTS];
	unsigned n_nv = 0, n_per = 0;
	struct cmd c;
	for (unsigned i = 0; i < TPM2_NV_MAX_INDICES; i++)
		if (t->nv[i].pub.index)
			nv[n_nv++] = t->nv[i].pub.index;
	for (unsigned i = 0; i < TPM2_PERSISTENT_SLOTS; i++)
		if (t->persistent[i].handle)
			per[n_per++] = t->persistent[i].handle;
	for (unsigned i = 0; i < n_nv; i++) {
		const uint32_t hs[2] = { TPM_RH_OWNER, nv[i] };
		cmd0(t, TPM_CC_NV_Increment, TPM_RH_OWNER, nv[i], true);
		cmd0(t, TPM_CC_NV_Increment, nv[i], nv[i], true);
		begin(&c, TPM_CC_NV_Read, hs, 2, true);
		c16(&c, 64);
		c16(&c, 0);
		run(t, &c);
		cmd0(t, TPM_CC_NV_ReadPublic, nv[i], 0, false);
	}
	for (unsigned i = 0; i < n_per; i++) {
		const uint32_t hs[2] = { per[i] >= 0x81800000u ? TPM_RH_PLATFORM : TPM_RH_OWNER, per[i] };
		cmd0(t, TPM_CC_ReadPublic, per[i], 0, false);
		begin(&c, TPM_CC_EvictControl, hs, 2, true);
		c32(&c, per[i]);
		run(t, &c);
	}
	for (unsigned i = 0; i < n_nv; i++)
		cmd0(t, TPM_CC_NV_UndefineSpace, TPM_RH_OWNER, nv[i], true);
	for (unsigned i = 0; i < n_nv; i++)
		cmd0(t, TPM_CC_NV_UndefineSpace, TPM_RH_PLATFORM, nv[i], true);
}

/* ------------------------------------------------------------------ the blob */

static size_t wrap(const uint8_t *body, size_t len)
{
	struct tpm2_hmac m;
	size_t total = 12 + len + 32;
	memcpy(blob, header, 8);
	tpm2_put_u32(blob + 8, (uint32_t)total);
	memcpy(blob + 12, body, len);
	tpm2_hmac_init(&m, TPM_ALG_SHA256, key, sizeof key);
	tpm2_hmac_update(&m, blob, 12 + len);
	tpm2_hmac_final(&m, blob + 12 + len);
	return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t startup_clear[12] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0 };
	static const uint8_t startup_state[12] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 1 };
	static uint8_t rsp[TPM2_MAX_RESPONSE_SIZE];
	size_t len, n;
	if (size > sizeof blob - 44)
		return 0;
	len = wrap(data, size);
	fuzz_rng_state = 1;
	if (tpm2_state_load(&tpm, &fuzz_platform, key, blob, len) != 0)
		return 0;
	n = tpm2_state_save(&tpm, key, again, sizeof again);
	if (n != len || memcmp(again, blob, len) != 0)
		abort();   /* an accepted blob has exactly one encoding */
	tpm2_power_on(&tpm);
	n = tpm2_execute(&tpm, 0, startup_state, 12, rsp, sizeof rsp);
	fuzz_check_response(rsp, n, sizeof rsp);
	if (fuzz_be32(rsp + 6) != 0) {
		n = tpm2_execute(&tpm, 0, startup_clear, 12, rsp, sizeof rsp);
		fuzz_check_response(rsp, n, sizeof rsp);
	}
	exercise(&tpm);
	return 0;
}

/* ------------------------------------------------------------------ seeds */

static void nv_define(struct tpm2 *t, uint32_t index, uint16_t alg, uint32_t attrs, uint16_t size)
{
	struct cmd c;
	const uint32_t h = attrs & TPMA_NV_PLATFORMCREATE ? TPM_RH_PLATFORM : TPM_RH_OWNER;
	begin(&c, TPM_CC_NV_DefineSpace, &h, 1, true);
	c16(&c, 2); c16(&c, 0x6162);            /* auth "ab" */
	c16(&c, 14); c32(&c, index); c16(&c, alg); c32(&c, attrs); c16(&c, 0); c16(&c, size);
	run(t, &c);
}

/* CreatePrimary (RSA-2048 or ECC P-256 signing key), then EvictControl to `persistent`. */
static void persist_primary(struct tpm2 *t, uint32_t hier, bool rsa, uint32_t persistent)
{
	static uint8_t rsp[TPM2_MAX_RESPONSE_SIZE];
	struct cmd c;
	size_t n, mark;
	uint32_t hs[2] = { hier, 0 };
	begin(&c, TPM_CC_CreatePrimary, hs, 1, true);
	c16(&c, 4); c16(&c, 0); c16(&c, 0);     /* inSensitive: empty auth and data */
	mark = c.n;
	c16(&c, 0);
	c16(&c, rsa ? TPM_ALG_RSA : TPM_ALG_ECC); c16(&c, TPM_ALG_SHA256); c32(&c, 0x00040072);
	c16(&c, 0); c16(&c, TPM_ALG_NULL);
	if (rsa) {
		c16(&c, TPM_ALG_RSASSA); c16(&c, TPM_ALG_SHA256); c16(&c, 2048); c32(&c, 0); c16(&c, 0);
	} else {
		c16(&c, TPM_ALG_ECDSA); c16(&c, TPM_ALG_SHA256); c16(&c, TPM_ECC_NIST_P256);
		c16(&c, TPM_ALG_NULL); c16(&c, 0); c16(&c, 0);
	}
	tpm2_put_u16(c.b + mark, (uint16_t)(c.n - mark - 2));
	c16(&c, 0); c32(&c, 0);                 /* outsideInfo, creationPCR */
	tpm2_put_u32(c.b + 2, (uint32_t)c.n);
	n = tpm2_execute(t, 0, c.b, c.n, rsp, sizeof rsp);
	if (n < 14 || fuzz_be32(rsp + 6) != 0)
		return;
	hs[0] = hier == TPM_RH_PLATFORM ? TPM_RH_PLATFORM : TPM_RH_OWNER;
	hs[1] = fuzz_be32(rsp + 10);
	begin(&c, TPM_CC_EvictControl, hs, 2, true);
	c32(&c, persistent);
	run(t, &c);
	cmd0(t, TPM_CC_FlushContext, hs[1], 0, false);
}

static void write_seed(const char *dir, const char *name, struct tpm2 *t)
{
	char path[4096];
	size_t n = tpm2_state_save(t, key, blob, sizeof blob);
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || n < 44)
		return;
	fwrite(blob + 12, 1, n - 44, f);   /* the body only: the target wraps it */
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("ANCHOR_STATE_SEEDS");
	const uint32_t rw = TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE | TPMA_NV_OWNERREAD |
	                    TPMA_NV_OWNERWRITE;
	(void)argc, (void)argv;
	fuzz_fresh_tpm(&tpm);
	tpm2_state_save(&tpm, key, blob, sizeof blob);
	memcpy(header, blob, 8);
	if (!dir)
		return 0;
	write_seed(dir, "fresh", &tpm);
	nv_define(&tpm, 0x01500000, TPM_ALG_SHA256, rw, 32);
	nv_define(&tpm, 0x01500001, TPM_ALG_SHA256, rw | (TPM_NT_COUNTER << TPMA_NV_TPM_NT_SHIFT), 8);
	nv_define(&tpm, 0x01500002, TPM_ALG_SHA256, rw | (TPM_NT_BITS << TPMA_NV_TPM_NT_SHIFT), 8);
	nv_define(&tpm, 0x01500003, TPM_ALG_SHA384, rw | (TPM_NT_EXTEND << TPMA_NV_TPM_NT_SHIFT), 48);
	nv_define(&tpm, 0x01C00000, TPM_ALG_SHA1, rw | TPMA_NV_PLATFORMCREATE | TPMA_NV_PPREAD |
	          TPMA_NV_PPWRITE, 100);
	cmd0(&tpm, TPM_CC_NV_Increment, 0x01500001, 0x01500001, true);
	write_seed(dir, "nv", &tpm);
	persist_primary(&tpm, TPM_RH_OWNER, false, 0x81000001);
	persist_primary(&tpm, TPM_RH_ENDORSEMENT, true, 0x81010001);
	persist_primary(&tpm, TPM_RH_PLATFORM, false, 0x81800001);
	write_seed(dir, "nv-persistent", &tpm);
	{
		struct cmd c;
		begin(&c, TPM_CC_Shutdown, NULL, 0, false);
		c16(&c, TPM_SU_STATE);
		run(&tpm, &c);
	}
	write_seed(dir, "shutdown-state", &tpm);
	return 0;
}
