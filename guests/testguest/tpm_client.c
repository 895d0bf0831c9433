/*
 * The test guest's TPM 2.0 client (tpm_client.h): big-endian marshalling into c->cmd, a
 * bounds-checked cursor over c->rsp, and one function per command (TPM 2.0 Part 3 layouts).
 */
#include "tpm_client.h"
#include <string.h>

/* ---- marshalling ----------------------------------------------------------------------------- */

static void put(struct tpmc *c, uint64_t v, unsigned bytes)
{
	if (c->cmd_len + bytes > sizeof(c->cmd)) {
		c->bad = true;
		return;
	}
	for (unsigned i = 0; i < bytes; i++)
		c->cmd[c->cmd_len++] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

static void put_bytes(struct tpmc *c, const uint8_t *p, size_t n)
{
	if (c->cmd_len + n > sizeof(c->cmd)) {
		c->bad = true;
		return;
	}
	if (n)
		memcpy(c->cmd + c->cmd_len, p, n);
	c->cmd_len += n;
}

static void put_b(struct tpmc *c, const uint8_t *p, uint16_t n)   /* a TPM2B */
{
	put(c, n, 2);
	put_bytes(c, p, n);
}

static void begin(struct tpmc *c, uint16_t tag, uint32_t cc)
{
	c->cmd_len = 0;
	c->bad = false;
	put(c, tag, 2);
	put(c, 0, 4);   /* size, set by tpmc_run */
	put(c, cc, 4);
}

/* The authorisation area: one password session with an empty password. */
static void put_pw_session(struct tpmc *c)
{
	put(c, 9, 4);            /* authorizationSize */
	put(c, TPM_RS_PW, 4);
	put(c, 0, 2);            /* nonce */
	put(c, 0, 1);            /* sessionAttributes */
	put(c, 0, 2);            /* hmac (the password) */
}

/* ---- unmarshalling --------------------------------------------------------------------------- */

static uint64_t get(struct tpmc *c, unsigned bytes)
{
	uint64_t v = 0;
	if (c->pos + bytes > c->rsp_len) {
		c->bad = true;
		return 0;
	}
	for (unsigned i = 0; i < bytes; i++)
		v = v << 8 | c->rsp[c->pos++];
	return v;
}

/* A TPM2B of at most max bytes into out (NULL: skipped); returns its size. */
static uint16_t get_b(struct tpmc *c, uint8_t *out, size_t max)
{
	uint16_t n = (uint16_t)get(c, 2);
	if (c->bad || n > max || c->pos + n > c->rsp_len) {
		c->bad = true;
		return 0;
	}
	if (out && n)
		memcpy(out, c->rsp + c->pos, n);
	c->pos += n;
	return n;
}

/* Skips the parameterSize a TPM_ST_SESSIONS response puts after its handles; checks it. */
static void get_param_size(struct tpmc *c)
{
	uint32_t size = (uint32_t)get(c, 4);
	if (!c->bad && size > c->rsp_len - c->pos)
		c->bad = true;
}

long tpmc_run(struct tpmc *c)
{
	if (c->bad || c->cmd_len < 10)
		return TPMC_E_MALFORMED;
	uint32_t n = (uint32_t)c->cmd_len;
	c->cmd[2] = (uint8_t)(n >> 24), c->cmd[3] = (uint8_t)(n >> 16);
	c->cmd[4] = (uint8_t)(n >> 8), c->cmd[5] = (uint8_t)n;
	c->commands++;
	int len = tpm_transmit(c->dev, c->cmd, c->cmd_len, c->rsp, sizeof(c->rsp));
	if (len < 0)
		return len;
	c->rsp_len = (size_t)len;
	c->pos = 0;
	uint16_t tag = (uint16_t)get(c, 2);
	uint32_t size = (uint32_t)get(c, 4);
	uint32_t rc = (uint32_t)get(c, 4);
	if (c->bad || size != c->rsp_len || (tag != TPM_ST_NO_SESSIONS && tag != TPM_ST_SESSIONS))
		return TPMC_E_MALFORMED;
	if (rc != TPM_RC_SUCCESS && (size != 10 || tag != TPM_ST_NO_SESSIONS))
		return TPMC_E_MALFORMED;   /* Part 1: an error response is exactly a header */
	return rc;
}

/* Result of a command whose response parameters have been read: MALFORMED if they overran. */
static long parsed(struct tpmc *c, long rc)
{
	return rc == TPM_RC_SUCCESS && c->bad ? TPMC_E_MALFORMED : rc;
}

void tpmc_init(struct tpmc *c, struct tpm_dev *dev)
{
	memset(c, 0, sizeof(*c));
	c->dev = dev;
}

/* ---- commands -------------------------------------------------------------------------------- */

long tpmc_startup(struct tpmc *c, uint16_t su)
{
	begin(c, TPM_ST_NO_SESSIONS, TPM_CC_Startup);
	put(c, su, 2);
	return tpmc_run(c);
}

long tpmc_get_random(struct tpmc *c, uint8_t *out, uint16_t n)
{
	begin(c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
	put(c, n, 2);
	long rc = tpmc_run(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (get_b(c, out, n) != n)
		c->bad = true;
	return parsed(c, rc);
}

long tpmc_pcr_extend(struct tpmc *c, uint32_t pcr, const uint8_t sha256[32])
{
	begin(c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	put(c, pcr, 4);
	put_pw_session(c);
	put(c, 1, 4);                /* TPML_DIGEST_VALUES: one */
	put(c, TPM_ALG_SHA256, 2);
	put_bytes(c, sha256, 32);
	return tpmc_run(c);
}

long tpmc_pcr_read(struct tpmc *c, uint32_t pcr, uint8_t sha256[32])
{
	begin(c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	put(c, 1, 4);                /* TPML_PCR_SELECTION: one bank */
	put(c, TPM_ALG_SHA256, 2);
	put(c, 3, 1);                /* sizeofSelect */
	for (unsigned i = 0; i < 3; i++)
		put(c, pcr / 8 == i ? 1u << (pcr % 8) : 0, 1);
	long rc = tpmc_run(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	(void)get(c, 4);             /* pcrUpdateCounter */
	uint32_t banks = (uint32_t)get(c, 4);
	uint16_t alg = (uint16_t)get(c, 2);
	unsigned sel_size = (unsigned)get(c, 1);
	uint8_t sel[3] = { 0 };
	for (unsigned i = 0; i < sel_size; i++) {
		uint8_t b = (uint8_t)get(c, 1);
		if (i < 3)
			sel[i] = b;
	}
	uint32_t count = (uint32_t)get(c, 4);
	uint16_t n = get_b(c, sha256, 32);
	if (banks != 1 || alg != TPM_ALG_SHA256 || sel_size != 3 || !(sel[pcr / 8] & (1u << (pcr % 8))) ||
	    count != 1 || n != 32)
		c->bad = true;
	return parsed(c, rc);
}

long tpmc_hash(struct tpmc *c, const uint8_t *data, uint16_t len, uint8_t sha256[32])
{
	begin(c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
	put_b(c, data, len);
	put(c, TPM_ALG_SHA256, 2);
	put(c, TPM_RH_NULL, 4);      /* no ticket */
	long rc = tpmc_run(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (get_b(c, sha256, 32) != 32)
		c->bad = true;
	return parsed(c, rc);
}

/* TPM2_PolicySecret(TPM_RH_ENDORSEMENT) digest: the EK templates' authPolicy (PolicyA). */
static const uint8_t ek_policy_a[32] = {
	0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xB3, 0xF8, 0x1A, 0x90, 0xCC, 0x8D, 0x46, 0xA5, 0xD7, 0x24,
	0xFD, 0x52, 0xD7, 0x6E, 0x06, 0x52, 0x0B, 0x64, 0xF2, 0xA1, 0xDA, 0x1B, 0x33, 0x14, 0x69, 0xAA,
};
/* fixedTPM, fixedParent, sensitiveDataOrigin, adminWithPolicy, restricted, decrypt */
#define EK_ATTRIBUTES 0x000300B2u

static void put_ek_template(struct tpmc *c, enum tpmc_ek kind)
{
	static const uint8_t zeros[256];
	size_t size_at = c->cmd_len;
	put(c, 0, 2);                /* TPM2B_PUBLIC size, set below */
	put(c, kind == TPMC_EK_RSA2048 ? TPM_ALG_RSA : TPM_ALG_ECC, 2);
	put(c, TPM_ALG_SHA256, 2);
	put(c, EK_ATTRIBUTES, 4);
	put_b(c, ek_policy_a, sizeof(ek_policy_a));
	put(c, TPM_ALG_AES, 2);      /* symmetric: AES-128-CFB */
	put(c, 128, 2);
	put(c, TPM_ALG_CFB, 2);
	put(c, TPM_ALG_NULL, 2);     /* scheme */
	if (kind == TPMC_EK_RSA2048) {
		put(c, 2048, 2);
		put(c, 0, 4);            /* exponent: default */
		put_b(c, zeros, 256);
	} else {
		put(c, TPM_ECC_NIST_P256, 2);
		put(c, TPM_ALG_NULL, 2); /* kdf */
		put_b(c, zeros, 32);
		put_b(c, zeros, 32);
	}
	if (!c->bad) {
		size_t n = c->cmd_len - size_at - 2;
		c->cmd[size_at] = (uint8_t)(n >> 8), c->cmd[size_at + 1] = (uint8_t)n;
	}
}

/* The TPMT_PUBLIC of an EK as created: checks it is the template's key and takes the point. */
static void get_ek_public(struct tpmc *c, enum tpmc_ek kind, struct tpmc_ek_pub *out)
{
	uint16_t size = (uint16_t)get(c, 2);
	size_t end = c->pos + size;
	uint16_t type = (uint16_t)get(c, 2);
	uint16_t name_alg = (uint16_t)get(c, 2);
	uint32_t attrs = (uint32_t)get(c, 4);
	uint8_t policy[32];
	uint16_t policy_len = get_b(c, policy, sizeof(policy));
	uint16_t sym = (uint16_t)get(c, 2), sym_bits = (uint16_t)get(c, 2), sym_mode = (uint16_t)get(c, 2);
	uint16_t scheme = (uint16_t)get(c, 2);
	bool ok = name_alg == TPM_ALG_SHA256 && attrs == EK_ATTRIBUTES && policy_len == 32 &&
	          memcmp(policy, ek_policy_a, 32) == 0 && sym == TPM_ALG_AES && sym_bits == 128 &&
	          sym_mode == TPM_ALG_CFB && scheme == TPM_ALG_NULL;
	if (kind == TPMC_EK_RSA2048) {
		uint16_t bits = (uint16_t)get(c, 2);
		out->exponent = (uint32_t)get(c, 4);
		out->n_len = get_b(c, out->n, sizeof(out->n));
		ok = ok && type == TPM_ALG_RSA && bits == 2048 && out->n_len == 256;
	} else {
		uint16_t curve = (uint16_t)get(c, 2), kdf = (uint16_t)get(c, 2);
		uint16_t xl = get_b(c, out->x, 32), yl = get_b(c, out->y, 32);
		out->n_len = (uint16_t)(xl + yl);
		ok = ok && type == TPM_ALG_ECC && curve == TPM_ECC_NIST_P256 && kdf == TPM_ALG_NULL &&
		     xl == 32 && yl == 32;
	}
	if (!ok || c->pos != end)
		c->bad = true;
}

long tpmc_create_ek(struct tpmc *c, enum tpmc_ek kind, struct tpmc_ek_pub *out)
{
	memset(out, 0, sizeof(*out));
	begin(c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
	put(c, TPM_RH_ENDORSEMENT, 4);
	put_pw_session(c);
	put(c, 4, 2);                /* TPM2B_SENSITIVE_CREATE: empty userAuth and data */
	put(c, 0, 2);
	put(c, 0, 2);
	put_ek_template(c, kind);
	put(c, 0, 2);                /* outsideInfo */
	put(c, 0, 4);                /* creationPCR: none */
	long rc = tpmc_run(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	out->handle = (uint32_t)get(c, 4);
	get_param_size(c);
	get_ek_public(c, kind, out);
	return parsed(c, rc);
}

long tpmc_flush(struct tpmc *c, uint32_t handle)
{
	begin(c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
	put(c, handle, 4);
	return tpmc_run(c);
}

long tpmc_nv_read_public(struct tpmc *c, uint32_t index, uint32_t *attrs, uint16_t *size)
{
	begin(c, TPM_ST_NO_SESSIONS, TPM_CC_NV_ReadPublic);
	put(c, index, 4);
	long rc = tpmc_run(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	uint16_t pub_size = (uint16_t)get(c, 2);
	size_t end = c->pos + pub_size;
	uint32_t got_index = (uint32_t)get(c, 4);
	(void)get(c, 2);             /* nameAlg */
	*attrs = (uint32_t)get(c, 4);
	(void)get_b(c, NULL, 64);    /* authPolicy */
	*size = (uint16_t)get(c, 2);
	if (got_index != index || c->pos != end)
		c->bad = true;
	return parsed(c, rc);
}

long tpmc_nv_read(struct tpmc *c, uint32_t auth, uint32_t index, uint8_t *out, uint16_t size)
{
	const uint16_t chunk_max = 512;   /* below every TPM's NV_BUFFER_MAX */
	for (uint16_t done = 0; done < size;) {
		uint16_t chunk = size - done < chunk_max ? size - done : chunk_max;
		begin(c, TPM_ST_SESSIONS, TPM_CC_NV_Read);
		put(c, auth, 4);
		put(c, index, 4);
		put_pw_session(c);
		put(c, chunk, 2);
		put(c, done, 2);
		long rc = tpmc_run(c);
		if (rc != TPM_RC_SUCCESS)
			return rc;
		get_param_size(c);
		if (get_b(c, out + done, chunk) != chunk)
			c->bad = true;
		if (c->bad)
			return TPMC_E_MALFORMED;
		done += chunk;
	}
	return TPM_RC_SUCCESS;
}

long tpmc_nv_define(struct tpmc *c, uint32_t auth, uint32_t index, uint32_t attrs, uint16_t size)
{
	begin(c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
	put(c, auth, 4);
	put_pw_session(c);
	put(c, 0, 2);                /* auth: empty */
	put(c, 14, 2);               /* TPM2B_NV_PUBLIC */
	put(c, index, 4);
	put(c, TPM_ALG_SHA256, 2);
	put(c, attrs, 4);
	put(c, 0, 2);                /* authPolicy: none */
	put(c, size, 2);
	return tpmc_run(c);
}

long tpmc_nv_write(struct tpmc *c, uint32_t auth, uint32_t index, const uint8_t *data,
                   uint16_t len)
{
	begin(c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
	put(c, auth, 4);
	put(c, index, 4);
	put_pw_session(c);
	put_b(c, data, len);
	put(c, 0, 2);                /* offset */
	return tpmc_run(c);
}

long tpmc_nv_undefine(struct tpmc *c, uint32_t auth, uint32_t index)
{
	begin(c, TPM_ST_SESSIONS, TPM_CC_NV_UndefineSpace);
	put(c, auth, 4);
	put(c, index, 4);
	put_pw_session(c);
	return tpmc_run(c);
}

long tpmc_change_eps(struct tpmc *c)
{
	begin(c, TPM_ST_SESSIONS, TPM_CC_ChangeEPS);
	put(c, TPM_RH_PLATFORM, 4);
	put_pw_session(c);
	return tpmc_run(c);
}

long tpmc_hierarchy_control(struct tpmc *c, uint32_t auth, uint32_t enable, bool state)
{
	begin(c, TPM_ST_SESSIONS, TPM_CC_HierarchyControl);
	put(c, auth, 4);
	put_pw_session(c);
	put(c, enable, 4);
	put(c, state ? 1 : 0, 1);
	return tpmc_run(c);
}
