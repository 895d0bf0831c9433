/*
 * The test guest's TPM 2.0 client: marshals the few commands the test modes need, sends them
 * through the driver (tpm_drv.h) and unmarshals the responses with every length checked.
 * Independent of the engine's own marshalling (vtpm/tpm2), so a marshalling mistake on either
 * side shows up as a failed check instead of cancelling out.
 *
 * Every command function returns a long: a TPM response code (>= 0; TPM_RC_SUCCESS == 0), a
 * driver error (TPM_E_*, negative), or TPMC_E_MALFORMED when the response does not parse.
 * Authorisation: every authorised handle gets a password session (TPM_RS_PW) with an empty
 * password, as tpm2-tools does by default.
 *
 * Constants (TPM_RC_*, TPM_CC_*, TPMA_NV_*, ...) are the spec's, from vtpm/tpm2/tpm2_const.h.
 *
 * Calling model: one struct tpmc per device, caller-owned (its two 4 KiB buffers included).
 */
#ifndef TESTGUEST_TPM_CLIENT_H
#define TESTGUEST_TPM_CLIENT_H
#include "tpm_drv.h"
#include "tpm2_const.h"   /* the spec's constants: vtpm/tpm2, shared with the engine */

#define TPMC_E_MALFORMED -100L

/* EK certificate NV indices (TCG EK Credential Profile). */
#define TPM_NV_EK_CERT_RSA  0x01C00002u
#define TPM_NV_EK_CERT_ECC  0x01C0000Au
#define TPM_NV_EK_CHAIN     0x01C00100u   /* first of the certificate chain range */

/* The format-one code without its handle/parameter/session number. */
static inline unsigned tpm_rc_base(long rc)
{
	return rc > 0 && (rc & 0x80) ? (unsigned)(rc & 0xBF) : (unsigned)rc;
}

struct tpmc {
	struct tpm_dev *dev;
	uint8_t cmd[4096];
	uint8_t rsp[4096];
	size_t cmd_len, rsp_len;
	size_t pos;                  /* parse position in rsp */
	bool bad;                    /* a marshal or parse overran */
	unsigned long commands;      /* commands sent */
};

void tpmc_init(struct tpmc *c, struct tpm_dev *dev);

long tpmc_startup(struct tpmc *c, uint16_t su);
long tpmc_get_random(struct tpmc *c, uint8_t *out, uint16_t n);   /* exactly n bytes, or an error */
long tpmc_pcr_extend(struct tpmc *c, uint32_t pcr, const uint8_t sha256[32]);
long tpmc_pcr_read(struct tpmc *c, uint32_t pcr, uint8_t sha256[32]);
long tpmc_hash(struct tpmc *c, const uint8_t *data, uint16_t len, uint8_t sha256[32]);

/* The TCG EK Credential Profile templates L-1 (RSA 2048) and L-2 (ECC NIST P-256). */
enum tpmc_ek { TPMC_EK_RSA2048, TPMC_EK_ECC_P256 };
struct tpmc_ek_pub {
	uint32_t handle;
	uint16_t n_len;              /* RSA: modulus; ECC: x and y */
	uint8_t n[256];
	uint8_t x[32], y[32];
	uint32_t exponent;           /* RSA: 0 means 65537 */
};
long tpmc_create_ek(struct tpmc *c, enum tpmc_ek kind, struct tpmc_ek_pub *out);
long tpmc_flush(struct tpmc *c, uint32_t handle);

long tpmc_nv_read_public(struct tpmc *c, uint32_t index, uint32_t *attrs, uint16_t *size);
/* Reads size bytes from offset 0 in chunks, authorising with auth (the index, or a hierarchy). */
long tpmc_nv_read(struct tpmc *c, uint32_t auth, uint32_t index, uint8_t *out, uint16_t size);
long tpmc_nv_define(struct tpmc *c, uint32_t auth, uint32_t index, uint32_t attrs, uint16_t size);
long tpmc_nv_write(struct tpmc *c, uint32_t auth, uint32_t index, const uint8_t *data,
                   uint16_t len);
long tpmc_nv_undefine(struct tpmc *c, uint32_t auth, uint32_t index);
long tpmc_change_eps(struct tpmc *c);
/* HierarchyControl(authHandle, enable, state): what platform firmware does to lock. */
long tpmc_hierarchy_control(struct tpmc *c, uint32_t auth, uint32_t enable, bool state);

/* Sends c->cmd as built; checks the response header.  Exposed for the raw tests. */
long tpmc_run(struct tpmc *c);

#endif
