/*
 * TPM 2.0 commands over a transport (tpmcmd.h).  One marshalling helper for all of them:
 * cmd_begin() writes the header, the handles and (if asked) the empty-password session; the
 * command appends its parameters with the w* helpers; transact() sends it, checks the response
 * header and positions a reader at the response parameters.  Every read is bounds-checked.
 */
#include "tpmcmd.h"
#include "tcrypto.h"
#include <stdbool.h>
#include <string.h>

#define ST_NO_SESSIONS 0x8001
#define ST_SESSIONS    0x8002
#define RS_PW          0x40000009u
#define RH_NULL        0x40000007u
#define ST_HASHCHECK   0x8024
#define ALG_SHA256     0x000B
#define ALG_ECDSA      0x0018
#define CAP_TPM_PROPERTIES 6u
#define NV_CHUNK       512u    /* below every TPM's MAX_NV_BUFFER (1024 on most) */

#define CC_NV_DEFINE   0x012Au
#define CC_CREATE_PRIMARY 0x0131u
#define CC_NV_WRITE    0x0137u
#define CC_NV_WRITE_LOCK 0x0138u
#define CC_NV_READ     0x014Eu
#define CC_HMAC        0x0155u
#define CC_SIGN        0x015Du
#define CC_FLUSH       0x0165u
#define CC_NV_READ_PUBLIC 0x0169u
#define CC_GET_CAPABILITY 0x017Au
#define CC_GET_RANDOM  0x017Bu
#define CC_PCR_READ    0x017Eu

struct wr {
	struct tpmc *t;
	size_t len;
	bool sessions;
	bool err;
};

struct rd {
	const uint8_t *p;
	size_t len, pos;
	bool err;
};

static void wbytes(struct wr *w, const void *p, size_t n)
{
	if (w->err || n > TPMC_BUF - w->len) {
		w->err = true;
		return;
	}
	if (n)
		memcpy(w->t->cmd + w->len, p, n);
	w->len += n;
}

static void w16(struct wr *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	wbytes(w, b, 2);
}

static void w32(struct wr *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	wbytes(w, b, 4);
}

static void w2b(struct wr *w, const void *p, size_t n)
{
	if (n > 0xFFFF)
		w->err = true;
	w16(w, (uint16_t)n);
	wbytes(w, p, n);
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static const uint8_t *rbytes(struct rd *r, size_t n)
{
	if (r->err || n > r->len - r->pos) {
		r->err = true;
		return NULL;
	}
	const uint8_t *p = r->p + r->pos;
	r->pos += n;
	return p;
}

static uint16_t r16(struct rd *r)
{
	const uint8_t *p = rbytes(r, 2);
	return p ? be16(p) : 0;
}

static uint32_t r32(struct rd *r)
{
	const uint8_t *p = rbytes(r, 4);
	return p ? be32(p) : 0;
}

/* A TPM2B: its content and size. */
static const uint8_t *r2b(struct rd *r, size_t *n)
{
	*n = r16(r);
	return rbytes(r, *n);
}

/* Copies a TPM2B of exactly `want` bytes (after dropping leading zeros is NOT done: TPMs return
 * ECC coordinates and HMACs at full size; a shorter one is left-padded). */
static void r2b_fixed(struct rd *r, uint8_t *out, size_t want)
{
	size_t n;
	const uint8_t *p = r2b(r, &n);
	if (!p || n > want) {
		r->err = true;
		return;
	}
	memset(out, 0, want - n);
	memcpy(out + want - n, p, n);
}

void tpmc_init(struct tpmc *t, tpmc_xfer_fn xfer, void *ctx)
{
	t->xfer = xfer;
	t->ctx = ctx;
	t->failed = NULL;
	t->rc = 0;
	t->rsp_len = 0;
}

/* Header, handles, and the empty-password session when `session` (it authorises handle 1). */
static void cmd_begin(struct wr *w, struct tpmc *t, uint32_t cc, const uint32_t *handles,
                      unsigned nh, bool session)
{
	w->t = t;
	w->len = 0;
	w->err = false;
	w->sessions = session;
	w16(w, session ? ST_SESSIONS : ST_NO_SESSIONS);
	w32(w, 0);                                    /* size, set by transact */
	w32(w, cc);
	for (unsigned i = 0; i < nh; i++)
		w32(w, handles[i]);
	if (session) {
		w32(w, 9);                                /* authorizationSize */
		w32(w, RS_PW);
		w16(w, 0);                                /* nonce */
		uint8_t attrs = 0;
		wbytes(w, &attrs, 1);
		w16(w, 0);                                /* hmac = password: empty */
	}
}

static int fail(struct tpmc *t, const char *name, int rc)
{
	t->failed = name;
	t->rc = rc;
	return rc;
}

/* Sends the command; on TPM_RC_SUCCESS, *r reads the response after its `rsp_handles` handles
 * (written to handles_out) and, for a session response, the parameterSize. */
static int transact(struct wr *w, const char *name, unsigned rsp_handles, uint32_t *handles_out,
                    struct rd *r)
{
	struct tpmc *t = w->t;
	t->failed = NULL;                             /* failed/rc describe the last command */
	t->rc = 0;
	if (w->err)
		return fail(t, name, TPMC_ERR_IO);
	uint8_t *c = t->cmd;
	c[2] = (uint8_t)(w->len >> 24);
	c[3] = (uint8_t)(w->len >> 16);
	c[4] = (uint8_t)(w->len >> 8);
	c[5] = (uint8_t)w->len;
	t->rsp_len = 0;
	if (t->xfer(t->ctx, t->cmd, w->len, t->rsp, TPMC_BUF, &t->rsp_len) || t->rsp_len < 10 ||
	    t->rsp_len > TPMC_BUF || be32(t->rsp + 2) != t->rsp_len)
		return fail(t, name, TPMC_ERR_IO);
	uint32_t rc = be32(t->rsp + 6);
	if (rc > 0xFFF)                               /* every TPM_RC fits 12 bits (Part 2, 6.6) */
		return fail(t, name, TPMC_ERR_IO);
	if (rc)
		return fail(t, name, (int)rc);
	r->p = t->rsp;
	r->len = t->rsp_len;
	r->pos = 10;
	r->err = false;
	for (unsigned i = 0; i < rsp_handles; i++)
		handles_out[i] = r32(r);
	if (w->sessions) {
		uint32_t psize = r32(r);
		if (!r->err && psize <= r->len - r->pos)
			r->len = r->pos + psize;          /* parameters only, not the session area */
		else
			r->err = true;
	}
	return r->err ? fail(t, name, TPMC_ERR_IO) : 0;
}

/* Parsing a response failed after a successful transact. */
static int done(struct tpmc *t, const char *name, const struct rd *r)
{
	return r->err ? fail(t, name, TPMC_ERR_IO) : 0;
}

int tpmc_create_primary(struct tpmc *t, uint32_t hierarchy, const uint8_t *tmpl, size_t tmpl_len,
                        uint32_t *handle, uint8_t *pub, size_t pub_max, size_t *pub_len)
{
	static const char name[] = "CreatePrimary";
	struct wr w;
	struct rd r;
	cmd_begin(&w, t, CC_CREATE_PRIMARY, &hierarchy, 1, true);
	w16(&w, 4);                                   /* inSensitive: empty userAuth and data */
	w16(&w, 0);
	w16(&w, 0);
	w2b(&w, tmpl, tmpl_len);                      /* inPublic */
	w16(&w, 0);                                   /* outsideInfo */
	w32(&w, 0);                                   /* creationPCR: none */
	int rc = transact(&w, name, 1, handle, &r);
	if (rc)
		return rc;
	size_t n;
	const uint8_t *p = r2b(&r, &n);
	if (!p || n > pub_max)
		return fail(t, name, TPMC_ERR_IO);
	memcpy(pub, p, n);
	*pub_len = n;
	return 0;
}

int tpmc_flush(struct tpmc *t, uint32_t handle)
{
	struct wr w;
	struct rd r;
	cmd_begin(&w, t, CC_FLUSH, NULL, 0, false);
	w32(&w, handle);
	return transact(&w, "FlushContext", 0, NULL, &r);
}

int tpmc_hmac_sha256(struct tpmc *t, uint32_t key, const uint8_t *data, size_t len,
                     uint8_t out[32])
{
	static const char name[] = "HMAC";
	struct wr w;
	struct rd r;
	cmd_begin(&w, t, CC_HMAC, &key, 1, true);
	w2b(&w, data, len);
	w16(&w, ALG_SHA256);
	int rc = transact(&w, name, 0, NULL, &r);
	if (rc)
		return rc;
	size_t n;
	const uint8_t *p = r2b(&r, &n);
	if (!p || n != 32)
		return fail(t, name, TPMC_ERR_IO);
	memcpy(out, p, 32);
	tc_zeroize(t->rsp, t->rsp_len);               /* the MAC may be a secret (anchor_secret) */
	return 0;
}

int tpmc_sign_ecdsa_p256(struct tpmc *t, uint32_t key, const uint8_t digest[32], uint8_t r_out[32],
                         uint8_t s_out[32])
{
	static const char name[] = "Sign";
	struct wr w;
	struct rd r;
	cmd_begin(&w, t, CC_SIGN, &key, 1, true);
	w2b(&w, digest, 32);
	w16(&w, ALG_ECDSA);                           /* inScheme: the key's own */
	w16(&w, ALG_SHA256);
	w16(&w, ST_HASHCHECK);                        /* validation: a null ticket */
	w32(&w, RH_NULL);
	w16(&w, 0);
	int rc = transact(&w, name, 0, NULL, &r);
	if (rc)
		return rc;
	if (r16(&r) != ALG_ECDSA || r16(&r) != ALG_SHA256)
		return fail(t, name, TPMC_ERR_IO);
	r2b_fixed(&r, r_out, 32);
	r2b_fixed(&r, s_out, 32);
	return done(t, name, &r);
}

int tpmc_get_random(struct tpmc *t, uint8_t *out, size_t len)
{
	static const char name[] = "GetRandom";
	while (len) {
		struct wr w;
		struct rd r;
		cmd_begin(&w, t, CC_GET_RANDOM, NULL, 0, false);
		w16(&w, (uint16_t)(len < 32 ? len : 32));
		int rc = transact(&w, name, 0, NULL, &r);
		if (rc)
			return rc;
		size_t n;
		const uint8_t *p = r2b(&r, &n);
		if (!p || n == 0 || n > len)
			return fail(t, name, TPMC_ERR_IO);
		memcpy(out, p, n);
		out += n;
		len -= n;
	}
	return 0;
}

int tpmc_get_properties(struct tpmc *t, uint32_t first, uint32_t count, uint32_t *values)
{
	static const char name[] = "GetCapability";
	struct wr w;
	struct rd r;
	memset(values, 0, count * sizeof *values);
	cmd_begin(&w, t, CC_GET_CAPABILITY, NULL, 0, false);
	w32(&w, CAP_TPM_PROPERTIES);
	w32(&w, first);
	w32(&w, count);
	int rc = transact(&w, name, 0, NULL, &r);
	if (rc)
		return rc;
	rbytes(&r, 1);                                /* moreData */
	if (r32(&r) != CAP_TPM_PROPERTIES)
		return fail(t, name, TPMC_ERR_IO);
	uint32_t n = r32(&r);
	for (uint32_t i = 0; i < n && !r.err; i++) {
		uint32_t prop = r32(&r), val = r32(&r);
		if (prop >= first && prop - first < count)
			values[prop - first] = val;
	}
	return done(t, name, &r);
}

int tpmc_pcr_read_sha256(struct tpmc *t, unsigned pcr, uint8_t out[32])
{
	static const char name[] = "PCR_Read";
	struct wr w;
	struct rd r;
	if (pcr > 23)
		return fail(t, name, TPMC_ERR_IO);
	uint8_t select[3] = { 0, 0, 0 };
	select[pcr / 8] = (uint8_t)(1u << (pcr % 8));
	cmd_begin(&w, t, CC_PCR_READ, NULL, 0, false);
	w32(&w, 1);                                   /* one selection: SHA-256, 3 bytes */
	w16(&w, ALG_SHA256);
	uint8_t n_select = 3;
	wbytes(&w, &n_select, 1);
	wbytes(&w, select, 3);
	int rc = transact(&w, name, 0, NULL, &r);
	if (rc)
		return rc;
	r32(&r);                                      /* pcrUpdateCounter */
	if (r32(&r) != 1 || r16(&r) != ALG_SHA256 || r.err)
		return fail(t, name, TPMC_ERR_IO);
	const uint8_t *sz = rbytes(&r, 1);
	rbytes(&r, sz ? *sz : 0);                     /* the selection as the TPM read it */
	if (r32(&r) != 1)                             /* one digest, or the PCR is not there */
		return fail(t, name, TPMC_ERR_IO);
	r2b_fixed(&r, out, 32);
	return done(t, name, &r);
}

int tpmc_nv_read_public(struct tpmc *t, uint32_t index, uint32_t *attrs, uint16_t *size)
{
	static const char name[] = "NV_ReadPublic";
	struct wr w;
	struct rd r;
	cmd_begin(&w, t, CC_NV_READ_PUBLIC, &index, 1, false);
	int rc = transact(&w, name, 0, NULL, &r);
	if (rc)
		return rc;
	r16(&r);                                      /* TPM2B_NV_PUBLIC size */
	if (r32(&r) != index)
		return fail(t, name, TPMC_ERR_IO);
	r16(&r);                                      /* nameAlg */
	*attrs = r32(&r);
	size_t n;
	r2b(&r, &n);                                  /* authPolicy */
	*size = r16(&r);
	return done(t, name, &r);
}

int tpmc_nv_define(struct tpmc *t, uint32_t auth, uint32_t index, uint32_t attrs, uint16_t size)
{
	struct wr w;
	struct rd r;
	cmd_begin(&w, t, CC_NV_DEFINE, &auth, 1, true);
	w16(&w, 0);                                   /* auth: empty */
	w16(&w, 14);                                  /* TPM2B_NV_PUBLIC */
	w32(&w, index);
	w16(&w, ALG_SHA256);
	w32(&w, attrs);
	w16(&w, 0);                                   /* authPolicy: none */
	w16(&w, size);
	return transact(&w, "NV_DefineSpace", 0, NULL, &r);
}

int tpmc_nv_write(struct tpmc *t, uint32_t auth, uint32_t index, const uint8_t *data, size_t len)
{
	for (size_t off = 0; off < len; off += NV_CHUNK) {
		size_t n = len - off < NV_CHUNK ? len - off : NV_CHUNK;
		uint32_t handles[2] = { auth, index };
		struct wr w;
		struct rd r;
		cmd_begin(&w, t, CC_NV_WRITE, handles, 2, true);
		w2b(&w, data + off, n);
		w16(&w, (uint16_t)off);
		int rc = transact(&w, "NV_Write", 0, NULL, &r);
		if (rc)
			return rc;
	}
	return 0;
}

int tpmc_nv_write_lock(struct tpmc *t, uint32_t auth, uint32_t index)
{
	uint32_t handles[2] = { auth, index };
	struct wr w;
	struct rd r;
	cmd_begin(&w, t, CC_NV_WRITE_LOCK, handles, 2, true);
	return transact(&w, "NV_WriteLock", 0, NULL, &r);
}

int tpmc_nv_read(struct tpmc *t, uint32_t auth, uint32_t index, uint8_t *out, size_t len)
{
	static const char name[] = "NV_Read";
	for (size_t off = 0; off < len; off += NV_CHUNK) {
		size_t n = len - off < NV_CHUNK ? len - off : NV_CHUNK;
		uint32_t handles[2] = { auth, index };
		struct wr w;
		struct rd r;
		cmd_begin(&w, t, CC_NV_READ, handles, 2, true);
		w16(&w, (uint16_t)n);
		w16(&w, (uint16_t)off);
		int rc = transact(&w, name, 0, NULL, &r);
		if (rc)
			return rc;
		size_t got;
		const uint8_t *p = r2b(&r, &got);
		if (!p || got != n)
			return fail(t, name, TPMC_ERR_IO);
		memcpy(out + off, p, n);
	}
	return 0;
}

/* Skips a TPMT_SYM_DEF_OBJECT, TPMT_RSA_SCHEME/TPMT_ECC_SCHEME or TPMT_KDF_SCHEME: an algorithm
 * followed (unless TPM_ALG_NULL) by one (scheme, kdf: hash) or two (sym: keyBits, mode) u16. */
static void skip_alg_and(struct rd *r, unsigned words)
{
	if (r16(r) != 0x0010)
		rbytes(r, 2u * words);
}

int tpmc_parse_public(const uint8_t *pub, size_t len, struct tpmc_pubkey *out)
{
	struct rd r = { pub, len, 0, false };
	memset(out, 0, sizeof *out);
	out->type = r16(&r);
	r16(&r);                                      /* nameAlg */
	r32(&r);                                      /* objectAttributes */
	size_t n;
	r2b(&r, &n);                                  /* authPolicy */
	skip_alg_and(&r, 2);                          /* symmetric */
	skip_alg_and(&r, 1);                          /* scheme */
	if (out->type == TPMC_ALG_RSA) {
		r16(&r);                                  /* keyBits */
		out->e = r32(&r);
		if (!out->e)
			out->e = 65537;
		const uint8_t *p = r2b(&r, &n);
		if (!p || n == 0 || n > sizeof out->n)
			return TPMC_ERR_IO;
		memcpy(out->n, p, n);
		out->n_len = n;
	} else if (out->type == TPMC_ALG_ECC) {
		if (r16(&r) != 0x0003)                    /* TPM_ECC_NIST_P256 */
			return TPMC_ERR_IO;
		skip_alg_and(&r, 1);                      /* kdf */
		r2b_fixed(&r, out->x, 32);
		r2b_fixed(&r, out->y, 32);
	} else {
		return TPMC_ERR_IO;
	}
	return r.err || r.pos != r.len ? TPMC_ERR_IO : 0;
}
