/*
 * The TPM 2.0 commands anchoring sends, marshalled once and sent over any transport: the
 * physical TPM (hv/ptpm.c supplies its CRB/TIS transport) and an LTPM (tpm2_execute), so the
 * same code creates the pSK in the PTPM and the EKs in an LTPM.
 *
 * Calling model: one caller-owned struct tpmc per TPM, used by one thread at a time; it holds
 * the command and response buffers (nothing large on the stack).  Authorisation is always a
 * password session with an empty password (the endorsement and platform hierarchies of the
 * TPMs anchoring uses; a TPM whose endorsement auth is set answers TPM_RC_BAD_AUTH, reported).
 *
 * Every function returns 0 on success, TPMC_ERR_IO when the transport failed or the response
 * is malformed (a response code above 0xFFF counts as malformed), or the TPM's response code
 * (a TPM_RC, 1..0xFFF).  On failure t->failed names the
 * command ("CreatePrimary", ...) and t->rc holds the code, for the caller's message.
 */
#ifndef ANCHOR_TPMCMD_H
#define ANCHOR_TPMCMD_H
#include <stddef.h>
#include <stdint.h>

#define TPMC_ERR_IO   -1
#define TPMC_BUF      2048u     /* largest command / response anchoring exchanges */

#define TPMC_RH_ENDORSEMENT 0x4000000Bu
#define TPMC_RH_PLATFORM    0x4000000Cu
#define TPMC_RC_HANDLE_P1   0x018Bu   /* TPM_RC_HANDLE + TPM_RC_P + TPM_RC_1: no such NV index */

typedef int (*tpmc_xfer_fn)(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp,
                            size_t rsp_max, size_t *rsp_len);

struct tpmc {
	tpmc_xfer_fn xfer;
	void *ctx;
	const char *failed;         /* the command that failed last */
	int rc;                     /* its result */
	uint8_t cmd[TPMC_BUF];
	uint8_t rsp[TPMC_BUF];
	size_t rsp_len;
};

void tpmc_init(struct tpmc *t, tpmc_xfer_fn xfer, void *ctx);

/* TPM2_CreatePrimary(hierarchy, empty sensitive, template = a marshalled TPMT_PUBLIC).
 * The new object's TPMT_PUBLIC (as the TPM returns it) goes to pub (*pub_len bytes). */
int tpmc_create_primary(struct tpmc *t, uint32_t hierarchy, const uint8_t *tmpl, size_t tmpl_len,
                        uint32_t *handle, uint8_t *pub, size_t pub_max, size_t *pub_len);
int tpmc_flush(struct tpmc *t, uint32_t handle);
/* TPM2_HMAC with a keyed-hash key whose scheme is HMAC-SHA256.  The response buffer is wiped
 * after the MAC was copied out (anchoring's anchor_secret is one). */
int tpmc_hmac_sha256(struct tpmc *t, uint32_t key, const uint8_t *data, size_t len,
                     uint8_t out[32]);
/* TPM2_Sign of a SHA-256 digest by an unrestricted ECC P-256 key (ECDSA), null ticket. */
int tpmc_sign_ecdsa_p256(struct tpmc *t, uint32_t key, const uint8_t digest[32], uint8_t r[32],
                         uint8_t s[32]);
/* TPM2_GetRandom until len bytes arrived (a TPM may return fewer than asked). */
int tpmc_get_random(struct tpmc *t, uint8_t *out, size_t len);
/* TPM2_GetCapability(TPM_CAP_TPM_PROPERTIES) of `count` consecutive properties from `first`;
 * properties the TPM does not return are left as 0. */
int tpmc_get_properties(struct tpmc *t, uint32_t first, uint32_t count, uint32_t *values);
/* TPM2_PCR_Read of one PCR (0..23) in the SHA-256 bank. */
int tpmc_pcr_read_sha256(struct tpmc *t, unsigned pcr, uint8_t out[32]);
/* TPM2_NV_ReadPublic: 0 and the attributes / data size if the index exists. */
int tpmc_nv_read_public(struct tpmc *t, uint32_t index, uint32_t *attrs, uint16_t *size);
/* TPM2_NV_DefineSpace (auth = hierarchy, empty index auth and policy, nameAlg SHA-256). */
int tpmc_nv_define(struct tpmc *t, uint32_t auth, uint32_t index, uint32_t attrs, uint16_t size);
/* TPM2_NV_Write of the whole data, in pieces the TPM accepts (authorised by `auth`). */
int tpmc_nv_write(struct tpmc *t, uint32_t auth, uint32_t index, const uint8_t *data, size_t len);
/* TPM2_NV_WriteLock (authorised by `auth`). */
int tpmc_nv_write_lock(struct tpmc *t, uint32_t auth, uint32_t index);
/* TPM2_NV_Read of len bytes from offset 0 (authorised by `auth`, e.g. the index itself). */
int tpmc_nv_read(struct tpmc *t, uint32_t auth, uint32_t index, uint8_t *out, size_t len);

/* A public key from a TPMT_PUBLIC: RSA (any size up to 4096 bits) or ECC NIST P-256. */
#define TPMC_ALG_RSA 0x0001
#define TPMC_ALG_ECC 0x0023
struct tpmc_pubkey {
	uint16_t type;              /* TPMC_ALG_RSA or TPMC_ALG_ECC */
	size_t n_len;               /* RSA: modulus bytes */
	uint8_t n[512];
	uint32_t e;                 /* RSA: exponent (65537 when the TPM says 0) */
	uint8_t x[32], y[32];       /* ECC P-256 */
};
/* 0, or TPMC_ERR_IO for anything else (other types or curves, malformed bytes). */
int tpmc_parse_public(const uint8_t *pub, size_t len, struct tpmc_pubkey *out);

#endif
