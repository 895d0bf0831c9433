/*
 * Anchoring's pure logic (anchor.h; the derivation is specified in docs/anchoring.md).
 */
#include "anchor.h"
#include "tcrypto.h"
#include <anchor/config.h>
#include <string.h>
#include "tpm2.h"

/* TPMA_OBJECT bits */
#define OA_FIXED_TPM       (1u << 1)
#define OA_FIXED_PARENT    (1u << 4)
#define OA_SENS_ORIGIN     (1u << 5)
#define OA_USER_WITH_AUTH  (1u << 6)
#define OA_ADMIN_POLICY    (1u << 7)
#define OA_NO_DA           (1u << 10)
#define OA_RESTRICTED      (1u << 16)
#define OA_DECRYPT         (1u << 17)
#define OA_SIGN            (1u << 18)

#define BE16(v) (uint8_t)((v) >> 8), (uint8_t)(v)
#define BE32(v) (uint8_t)((v) >> 24), (uint8_t)((v) >> 16), (uint8_t)((v) >> 8), (uint8_t)(v)

#define PSK_ATTRS (OA_FIXED_TPM | OA_FIXED_PARENT | OA_SENS_ORIGIN | OA_USER_WITH_AUTH | \
                   OA_NO_DA | OA_SIGN)

/* pSK signing key: ECC P-256, ECDSA/SHA-256, unrestricted (TPM2_Sign takes any digest);
 * unique.x names it so it is a key of its own in the endorsement hierarchy. */
static const uint8_t psk_sign_template[] = {
	BE16(0x0023), BE16(0x000B), BE32(PSK_ATTRS), BE16(0),  /* ECC, SHA-256, attrs, no policy */
	BE16(0x0010),                                          /* symmetric: NULL */
	BE16(0x0018), BE16(0x000B),                            /* scheme: ECDSA, SHA-256 */
	BE16(0x0003),                                          /* NIST P-256 */
	BE16(0x0010),                                          /* kdf: NULL */
	BE16(21), 'A', 'n', 'c', 'h', 'o', 'r', ' ', 'p', 'S', 'K', ' ', 's', 'i', 'g', 'n', 'i',
	          'n', 'g', ' ', 'v', '1',                       /* unique.x */
	BE16(0),                                               /* unique.y */
};

/* pSK keyed-hash key: HMAC-SHA256 (signs: TPM2_HMAC needs the sign attribute). */
static const uint8_t psk_hmac_template[] = {
	BE16(0x0008), BE16(0x000B), BE32(PSK_ATTRS), BE16(0),  /* KEYEDHASH, SHA-256 */
	BE16(0x0005), BE16(0x000B),                            /* scheme: HMAC, SHA-256 */
	BE16(24), 'A', 'n', 'c', 'h', 'o', 'r', ' ', 'p', 'S', 'K', ' ', 'k', 'e', 'y', 'e', 'd',
	          '-', 'h', 'a', 's', 'h', ' ', 'v', '1',        /* unique */
};

#define EK_ATTRS (OA_FIXED_TPM | OA_FIXED_PARENT | OA_SENS_ORIGIN | OA_ADMIN_POLICY | \
                  OA_RESTRICTED | OA_DECRYPT)

/* The EK templates up to unique (TCG EK Credential Profile, templates L-1 and L-2). */
#define EK_POLICY  0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xB3, 0xF8, 0x1A, 0x90, 0xCC, 0x8D, \
                   0x46, 0xA5, 0xD7, 0x24, 0xFD, 0x52, 0xD7, 0x6E, 0x06, 0x52, 0x0B, 0x64, \
                   0xF2, 0xA1, 0xDA, 0x1B, 0x33, 0x14, 0x69, 0xAA   /* PolicySecret(endorsement) */
static const uint8_t ek_rsa_head[] = {
	BE16(0x0001), BE16(0x000B), BE32(EK_ATTRS), BE16(32), EK_POLICY,
	BE16(0x0006), BE16(128), BE16(0x0043),                 /* AES-128-CFB */
	BE16(0x0010),                                          /* scheme: NULL */
	BE16(2048), BE32(0),                                   /* 2048 bits, exponent 65537 */
};
static const uint8_t ek_ecc_head[] = {
	BE16(0x0023), BE16(0x000B), BE32(EK_ATTRS), BE16(32), EK_POLICY,
	BE16(0x0006), BE16(128), BE16(0x0043),
	BE16(0x0010),                                          /* scheme: NULL */
	BE16(0x0003),                                          /* NIST P-256 */
	BE16(0x0010),                                          /* kdf: NULL */
};

size_t anchor_ek_template(int rsa, uint8_t *out, size_t max)
{
	const uint8_t *head = rsa ? ek_rsa_head : ek_ecc_head;
	size_t head_len = rsa ? sizeof ek_rsa_head : sizeof ek_ecc_head;
	size_t len = head_len + (rsa ? 2 + 256 : 2 * (2 + 32));
	if (len > max)
		return 0;
	memcpy(out, head, head_len);
	memset(out + head_len, 0, len - head_len);
	if (rsa) {
		out[head_len] = 0x01;                     /* unique.rsa: 256 zero bytes */
	} else {
		out[head_len + 1] = 32;                   /* unique.x, unique.y: 32 zero bytes */
		out[head_len + 2 + 32 + 1] = 32;
	}
	return len;
}

int anchor_psk_create(struct tpmc *ptpm, uint32_t *sign_handle, uint32_t *hmac_handle,
                      struct tpmc_pubkey *sign_pub)
{
	uint8_t pub[512];
	size_t pub_len;
	int rc = tpmc_create_primary(ptpm, TPMC_RH_ENDORSEMENT, psk_sign_template,
	                             sizeof psk_sign_template, sign_handle, pub, sizeof pub, &pub_len);
	if (rc)
		return rc;
	if (tpmc_parse_public(pub, pub_len, sign_pub) || sign_pub->type != TPMC_ALG_ECC) {
		ptpm->failed = "CreatePrimary (pSK public key)";
		return ptpm->rc = TPMC_ERR_IO;
	}
	return tpmc_create_primary(ptpm, TPMC_RH_ENDORSEMENT, psk_hmac_template,
	                           sizeof psk_hmac_template, hmac_handle, pub, sizeof pub, &pub_len);
}

int anchor_config_digest(const struct cfg_lpar *c, uint8_t out[32])
{
	uint8_t id[CFG_IDENTITY_MAX];
	size_t n = cfg_identity_encode(c, id, sizeof id);
	if (!n)
		return -1;
	tc_hash(TC_ALG_SHA256, id, n, out);
	return 0;
}

size_t anchor_secret_input(const uint8_t config_digest[32], uint8_t out[ANCHOR_SECRET_INPUT_LEN])
{
	memcpy(out, ANCHOR_SECRET_LABEL, ANCHOR_SECRET_LABEL_LEN);
	memcpy(out + ANCHOR_SECRET_LABEL_LEN, config_digest, 32);
	return ANCHOR_SECRET_INPUT_LEN;
}

void anchor_seeds_derive(const uint8_t config_digest[32], const uint8_t anchor_secret[32],
                         struct tpm2_seeds *out)
{
	uint8_t both[64], seed[32];
	tc_drbg d;
	memcpy(both, config_digest, 32);
	memcpy(both + 32, anchor_secret, 32);
	tc_hash(TC_ALG_SHA256, both, sizeof both, seed);
	tc_drbg_init(&d, TC_ALG_SHA256, seed, sizeof seed, ANCHOR_DRBG_PERS, ANCHOR_DRBG_PERS_LEN);
	tc_drbg_generate(&d, out->eps, sizeof out->eps);
	tc_drbg_generate(&d, out->pps, sizeof out->pps);
	tc_drbg_generate(&d, out->sps, sizeof out->sps);
	tc_zeroize(&d, sizeof d);
	tc_zeroize(both, sizeof both);
	tc_zeroize(seed, sizeof seed);
}

/* ---- provisioning ------------------------------------------------------------------------ */

/* What the LTPM says about itself, for the subjectAltName. */
static int ltpm_info(struct tpmc *t, struct x509_tpm_info *info)
{
	uint32_t p[7];           /* TPM_PT_MANUFACTURER (0x105) .. TPM_PT_FIRMWARE_VERSION_1 (0x10B) */
	int rc = tpmc_get_properties(t, 0x105, 7, p);
	if (rc)
		return rc;
	info->manufacturer = p[0];
	size_t n = 0;
	for (int i = 1; i <= 4; i++)
		for (int b = 3; b >= 0; b--) {
			char ch = (char)(p[i] >> (8 * b));
			if (ch >= 0x20 && ch < 0x7F)
				info->model[n++] = ch;
		}
	info->model[n] = 0;
	info->firmware = p[6];
	return 0;
}

/* 1 if the NV index exists (kept from before: an LPAR reset keeps NV), 0 if not, else the
 * failing command's code as a negative number. */
static int nv_present(struct tpmc *t, uint32_t index)
{
	uint32_t attrs;
	uint16_t size;
	int rc = tpmc_nv_read_public(t, index, &attrs, &size);
	if (rc == 0)
		return 1;
	if (rc != TPMC_RC_HANDLE_P1)
		return rc > 0 ? -rc : rc;
	t->failed = NULL;
	t->rc = 0;
	return 0;
}

/* Defines, writes and write-locks a new index (platform authorisation). */
static int nv_store(struct tpmc *t, uint32_t index, const uint8_t *data, size_t len)
{
	int rc;
	if ((rc = tpmc_nv_define(t, TPMC_RH_PLATFORM, index, ANCHOR_NV_ATTRS, (uint16_t)len)) ||
	    (rc = tpmc_nv_write(t, TPMC_RH_PLATFORM, index, data, len)))
		return rc;
	return tpmc_nv_write_lock(t, TPMC_RH_PLATFORM, index);
}

/* Creates one EK (and flushes it), hashes its SPKI, and unless index exists stores the EK's
 * certificate there. */
static int provision_ek(struct tpmc *t, int rsa, const struct x509_issuer *ca,
                        const struct x509_tpm_info *info, const struct x509_signer *s,
                        uint32_t index, uint8_t spki_sha256[32], unsigned *written)
{
	uint8_t tmpl[ANCHOR_EK_TEMPLATE_MAX], pub[600], spki[X509_SPKI_MAX], cert[ANCHOR_CERT_MAX];
	size_t tmpl_len = anchor_ek_template(rsa, tmpl, sizeof tmpl), pub_len;
	uint32_t handle;
	struct tpmc_pubkey key;
	int rc = tpmc_create_primary(t, TPMC_RH_ENDORSEMENT, tmpl, tmpl_len, &handle, pub,
	                             sizeof pub, &pub_len);
	if (rc)
		return rc;
	if ((rc = tpmc_flush(t, handle)))
		return rc;
	size_t spki_len;
	if (tpmc_parse_public(pub, pub_len, &key) || key.type != (rsa ? TPMC_ALG_RSA : TPMC_ALG_ECC) ||
	    !(spki_len = x509_spki(&key, spki, sizeof spki))) {
		t->failed = "CreatePrimary (EK public key)";
		return t->rc = TPMC_ERR_IO;
	}
	tc_hash(TC_ALG_SHA256, spki, spki_len, spki_sha256);
	int present = nv_present(t, index);
	if (present)
		return present < 0 ? -present : 0;
	size_t cert_len = x509_ek_cert(ca, &key, info, s, cert, sizeof cert);
	if (!cert_len) {
		t->failed = "EK certificate (signing)";
		return t->rc = TPMC_ERR_IO;
	}
	if ((rc = nv_store(t, index, cert, cert_len)))
		return rc;
	(*written)++;
	return 0;
}

int anchor_ltpm_provision(struct tpmc *ltpm, const struct x509_issuer *ca, const uint8_t *ca_der,
                          size_t ca_len, const struct x509_signer *s,
                          struct anchor_provisioned *out)
{
	struct x509_tpm_info info;
	int rc;
	out->written = 0;
	if ((rc = ltpm_info(ltpm, &info)) ||
	    (rc = provision_ek(ltpm, 1, ca, &info, s, ANCHOR_NV_EK_RSA, out->rsa_spki_sha256,
	                       &out->written)) ||
	    (rc = provision_ek(ltpm, 0, ca, &info, s, ANCHOR_NV_EK_ECC, out->ecc_spki_sha256,
	                       &out->written)))
		return rc;
	int present = nv_present(ltpm, ANCHOR_NV_CHAIN);
	if (present)
		return present < 0 ? -present : 0;
	if ((rc = nv_store(ltpm, ANCHOR_NV_CHAIN, ca_der, ca_len)))
		return rc;
	out->written++;
	return 0;
}
