/*
 * Helpers for the engine's unit tests (tests/unit/tpm2_*_test.c): a test platform with a
 * controllable clock, a command builder, and `ok - name` / `not ok - name reason` output.
 */
#ifndef ANCHOR_TPM2_TEST_H
#define ANCHOR_TPM2_TEST_H
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tpm2_internal.h"
#include "tcrypto.h"

static int tt_failures;

static inline void tt_check(int cond, const char *name, const char *fmt, ...)
{
	if (cond) {
		printf("ok - %s\n", name);
		return;
	}
	tt_failures++;
	printf("not ok - %s ", name);
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define CHECK(cond, name) tt_check((cond), (name), "%s", #cond)
#define CHECK_RC(got, want, name) do { uint32_t got_ = (uint32_t)(got); \
	tt_check(got_ == (uint32_t)(want), (name), "rc 0x%03x, want 0x%03x", \
	         (unsigned)got_, (unsigned)(want)); } while (0)

/* ------------------------------------------------------------------ platform */

static uint64_t tt_now_ms;
static uint32_t tt_entropy_ctr;

static inline void tt_entropy(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(tt_entropy_ctr++ * 131u + 7u);
}

static uint64_t tt_now(void *ctx)
{
	(void)ctx;
	return tt_now_ms;
}

static const struct tpm2_platform tt_platform = { tt_entropy, tt_now, NULL };

/* The key the tests save and load state blobs under (tpm2_state_save/load). */
static const uint8_t tt_state_key[TPM2_STATE_KEY_SIZE] = "anchor unit tests: state key ...";

static inline struct tpm2 *tt_new_raw(void)
{
	struct tpm2 *t = calloc(1, tpm2_instance_size());
	struct tpm2_seeds seeds;
	memset(&seeds, 0x11, sizeof seeds);
	tpm2_manufacture(t, &tt_platform, &seeds);
	tpm2_power_on(t);
	return t;
}

/* ------------------------------------------------------------------ commands */

struct tt_cmd {
	uint8_t b[TPM2_MAX_COMMAND_SIZE + 64];
	size_t n;
	size_t auth_size_at;
};

static inline void tt_u8(struct tt_cmd *c, uint8_t v) { c->b[c->n++] = v; }
static inline void tt_u16(struct tt_cmd *c, uint16_t v) { tt_u8(c, (uint8_t)(v >> 8)); tt_u8(c, (uint8_t)v); }
static inline void tt_u32(struct tt_cmd *c, uint32_t v) { tt_u16(c, (uint16_t)(v >> 16)); tt_u16(c, (uint16_t)v); }
static inline void tt_u64(struct tt_cmd *c, uint64_t v) { tt_u32(c, (uint32_t)(v >> 32)); tt_u32(c, (uint32_t)v); }
static inline void tt_bytes(struct tt_cmd *c, const void *p, size_t n) { memcpy(c->b + c->n, p, n); c->n += n; }
static inline void tt_tpm2b(struct tt_cmd *c, const void *p, size_t n) { tt_u16(c, (uint16_t)n); tt_bytes(c, p, n); }

static inline void tt_begin(struct tt_cmd *c, uint16_t tag, uint32_t cc)
{
	c->n = 0;
	tt_u16(c, tag);
	tt_u32(c, 0);
	tt_u32(c, cc);
}

/* Password authorization area with one session per password given (NULL ends). */
static inline void tt_pw_sessions(struct tt_cmd *c, const char *pw1, const char *pw2)
{
	size_t at = c->n;
	tt_u32(c, 0);
	tt_u32(c, TPM_RS_PW);
	tt_u16(c, 0);
	tt_u8(c, TPMA_SESSION_CONTINUESESSION);
	tt_tpm2b(c, pw1, strlen(pw1));
	if (pw2) {
		tt_u32(c, TPM_RS_PW);
		tt_u16(c, 0);
		tt_u8(c, TPMA_SESSION_CONTINUESESSION);
		tt_tpm2b(c, pw2, strlen(pw2));
	}
	tpm2_put_u32(c->b + at, (uint32_t)(c->n - at - 4));
}

static inline void tt_end(struct tt_cmd *c) { tpm2_put_u32(c->b + 2, (uint32_t)c->n); }

struct tt_rsp {
	uint8_t b[TPM2_MAX_RESPONSE_SIZE];
	size_t n;
	uint32_t rc;
	struct tpm2_rd r;   /* positioned after the header (and parameterSize if sessions) */
};

static inline uint32_t tt_exec_loc(struct tpm2 *t, uint8_t loc, struct tt_cmd *c, struct tt_rsp *r)
{
	tt_end(c);
	r->n = tpm2_execute(t, loc, c->b, c->n, r->b, sizeof r->b);
	r->rc = r->n >= 10 ? tpm2_get_u32(r->b + 6) : 0xFFFFFFFFu;
	if (r->n >= 10 && tpm2_get_u32(r->b + 2) != r->n)
		r->rc = 0xEEEEEEEEu;   /* header size disagrees with the returned length */
	tpm2_rd_init(&r->r, r->b, r->n);
	r->r.off = 10;
	return r->rc;
}

static inline uint32_t tt_exec(struct tpm2 *t, struct tt_cmd *c, struct tt_rsp *r)
{
	return tt_exec_loc(t, 0, c, r);
}

/* After tt_exec of a ST_SESSIONS command: skip handle(s) and parameterSize. */
static inline void tt_skip(struct tt_rsp *r, size_t n) { r->r.off += n; }

static inline uint32_t tt_startup(struct tpm2 *t, uint16_t type)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Startup);
	tt_u16(&c, type);
	return tt_exec(t, &c, &r);
}

static inline uint32_t tt_shutdown(struct tpm2 *t, uint16_t type)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Shutdown);
	tt_u16(&c, type);
	return tt_exec(t, &c, &r);
}

static inline struct tpm2 *tt_new(void)
{
	struct tpm2 *t = tt_new_raw();
	if (tt_startup(t, TPM_SU_CLEAR) != TPM_RC_SUCCESS) {
		printf("not ok - startup of a fresh TPM\n");
		exit(1);
	}
	return t;
}

/* Puts a deterministic RSA-1024 key (seeded by label) into a free object slot, standing in for
 * Load/CreatePrimary in tests of other commands.  The Name is fake: SHA-256 alg id and 32 bytes
 * of name_fill.  Returns the handle; *pk gets the public key. */
static inline uint32_t tt_inject_rsa(struct tpm2 *t, tc_rsa_pub *pk, const char *label,
                                     uint32_t attrs, uint16_t scheme, uint32_t hierarchy,
                                     uint8_t name_fill)
{
	struct tpm2_slot *sl = tpm2_slot_alloc(t, TPM2_SLOT_OBJECT);
	struct tpm2_object *o = &sl->u.obj;
	tc_rsa_priv sk;
	tc_drbg d;
	tc_drbg_init(&d, TPM_ALG_SHA256, label, strlen(label), NULL, 0);
	tc_rsa_keygen(tc_drbg_prng(&d), 1024, 0, &sk, pk);
	o->pub.type = TPM_ALG_RSA;
	o->pub.name_alg = TPM_ALG_SHA256;
	o->pub.attrs = attrs;
	o->pub.scheme.alg = scheme;
	o->pub.scheme.hash = scheme == TPM_ALG_NULL ? 0 : TPM_ALG_SHA256;
	o->pub.symmetric.alg = TPM_ALG_NULL;
	o->pub.key_bits = 1024;
	o->pub.unique.rsa.size = (uint16_t)pk->n_len;
	memcpy(o->pub.unique.rsa.buf, pk->n, pk->n_len);
	o->sens.sensitive.size = (uint16_t)tc_rsa_priv_prime(&sk, o->sens.sensitive.buf, 512);
	o->name.size = 34;
	tpm2_put_u16(o->name.buf, TPM_ALG_SHA256);
	memset(o->name.buf + 2, name_fill, 32);
	o->qname = o->name;
	o->hierarchy = hierarchy;
	return sl->handle;
}

static inline uint32_t tt_flush(struct tpm2 *t, uint32_t h)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
	tt_u32(&c, h);
	return tt_exec(t, &c, &r);
}

/* ContextSave: the TPMS_CONTEXT's bytes go to blob (*n of them). */
static inline uint32_t tt_context_save(struct tpm2 *t, uint32_t h, uint8_t *blob, size_t *n)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextSave);
	tt_u32(&c, h);
	if (tt_exec(t, &c, &r))
		return r.rc;
	*n = r.n - 10;
	memcpy(blob, r.b + 10, *n);
	return 0;
}

/* ContextLoad; *h (may be NULL) gets the loaded handle. */
static inline uint32_t tt_context_load(struct tpm2 *t, const uint8_t *blob, size_t n, uint32_t *h)
{
	struct tt_cmd c;
	struct tt_rsp r;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextLoad);
	tt_bytes(&c, blob, n);
	if (tt_exec(t, &c, &r))
		return r.rc;
	if (h)
		*h = tpm2_get_u32(r.b + 10);
	return 0;
}

/* CreatePrimary(hier) of the marshalled TPMT_PUBLIC tmpl with authValue auth and no data;
 * *handle gets the object, *r the response. */
static inline uint32_t tt_create_primary(struct tpm2 *t, uint32_t hier, const char *auth,
                                         const uint8_t *tmpl, size_t n, uint32_t *handle,
                                         struct tt_rsp *r)
{
	static struct tt_cmd c;   /* static: the tests scan the stack for residue */
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
	tt_u32(&c, hier);
	tt_pw_sessions(&c, "", NULL);
	tt_u16(&c, (uint16_t)(4 + strlen(auth)));
	tt_tpm2b(&c, auth, strlen(auth));
	tt_u16(&c, 0);
	tt_tpm2b(&c, tmpl, n);
	tt_u16(&c, 0);
	tt_u32(&c, 0);
	if (tt_exec(t, &c, r))
		return r->rc;
	*handle = tpm2_get_u32(r->b + 10);
	return 0;
}

/* CreatePrimary of an ECC P-256 ECDSA-SHA256 signing key (restricted: an attestation key) with
 * authValue auth; *handle gets it, *pub (may be NULL) its public point. */
#define TT_SIGN_ATTRS 0x00040072u   /* fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|sign */
static inline uint32_t tt_primary_ecc(struct tpm2 *t, uint32_t hier, bool restricted,
                                      const char *auth, uint32_t *handle, tc_ecc_point *pub)
{
	struct tt_rsp r;
	uint8_t tmpl[64];
	size_t n = 0;
	uint32_t attrs = TT_SIGN_ATTRS | (restricted ? TPMA_OBJECT_RESTRICTED : 0);
	tpm2_put_u16(tmpl + n, TPM_ALG_ECC); n += 2;
	tpm2_put_u16(tmpl + n, TPM_ALG_SHA256); n += 2;
	tpm2_put_u32(tmpl + n, attrs); n += 4;
	tpm2_put_u16(tmpl + n, 0); n += 2;                      /* authPolicy */
	tpm2_put_u16(tmpl + n, TPM_ALG_NULL); n += 2;           /* symmetric */
	tpm2_put_u16(tmpl + n, TPM_ALG_ECDSA); n += 2;
	tpm2_put_u16(tmpl + n, TPM_ALG_SHA256); n += 2;
	tpm2_put_u16(tmpl + n, TPM_ECC_NIST_P256); n += 2;
	tpm2_put_u16(tmpl + n, TPM_ALG_NULL); n += 2;           /* kdf */
	tpm2_put_u32(tmpl + n, 0); n += 4;                      /* unique x, y: empty */
	if (tt_create_primary(t, hier, auth, tmpl, n, handle, &r))
		return r.rc;
	if (pub) {
		struct tpmt_public p;
		tt_skip(&r, 8);
		if (tpm2_rd_public_sized(&r.r, &p, false))
			return 0xBAD;
		pub->curve = TPM_ECC_NIST_P256;
		memcpy(pub->x, p.unique.ecc.x, 32);
		memcpy(pub->y, p.unique.ecc.y, 32);
	}
	return 0;
}

/* Does the n-byte pattern occur in buf (residue checks)? */
static inline bool tt_contains(const volatile uint8_t *buf, size_t len, const uint8_t *pat, size_t n)
{
	for (size_t i = 0; i + n <= len; i++) {
		size_t k = 0;
		while (k < n && buf[i + k] == pat[k])
			k++;
		if (k == n)
			return true;
	}
	return false;
}

static inline int tt_done(void)
{
	return tt_failures ? 1 : 0;
}

#endif
