/*
 * Anchoring's pure logic (docs/anchoring.md): the pSK templates, config_digest, the derivation
 * of an LTPM's primary seeds from config_digest and the PTPM's anchor_secret, and the
 * provisioning of an LTPM (EKs, EK certificates, CA certificate in NV).  No hardware access:
 * TPMs are reached through struct tpmc (tpmcmd.h), signatures through struct x509_signer.
 * hv/anchoring.c binds it to the physical TPM and the console; the host tests bind it to
 * engine instances.  Freestanding, no allocation, no globals.
 */
#ifndef ANCHOR_ANCHOR_H
#define ANCHOR_ANCHOR_H
#include <stddef.h>
#include <stdint.h>
#include "tpmcmd.h"
#include "x509.h"

struct cfg_lpar;
struct tpm2_seeds;

/* The HMAC input is ANCHOR_SECRET_LABEL (13 bytes, no NUL) || config_digest. */
#define ANCHOR_SECRET_LABEL     "ANCHOR-VEK-V1"
#define ANCHOR_SECRET_LABEL_LEN 13u
/* The HMAC_DRBG personalization string (28 bytes, no NUL). */
#define ANCHOR_DRBG_PERS        "Anchor LTPM primary seeds v1"
#define ANCHOR_DRBG_PERS_LEN    28u

/* NV indices (TCG EK Credential Profile) and their attributes (docs/anchoring.md):
 * PPWRITE | WRITEDEFINE | PPREAD | OWNERREAD | AUTHREAD | NO_DA | PLATFORMCREATE, write-locked
 * after the write. */
#define ANCHOR_NV_EK_RSA    0x01C00002u
#define ANCHOR_NV_EK_ECC    0x01C0000Au
#define ANCHOR_NV_CHAIN     0x01C00100u
#define ANCHOR_NV_ATTRS     0x42072001u

#define ANCHOR_CERT_MAX     1280u

/* The pSK's two primaries in the PTPM's endorsement hierarchy (fixed templates, so the same
 * keys every boot).  On success both handles are loaded; sign_pub is the signing key. */
int anchor_psk_create(struct tpmc *ptpm, uint32_t *sign_handle, uint32_t *hmac_handle,
                      struct tpmc_pubkey *sign_pub);

/* config_digest = SHA-256(cfg_identity_encode(c)).  0, or -1 if the identity cannot be
 * encoded. */
int anchor_config_digest(const struct cfg_lpar *c, uint8_t out[32]);

/* The data the pSK keyed-hash key MACs: label || config_digest.  Returns its length (45). */
#define ANCHOR_SECRET_INPUT_LEN (ANCHOR_SECRET_LABEL_LEN + 32u)
size_t anchor_secret_input(const uint8_t config_digest[32], uint8_t out[ANCHOR_SECRET_INPUT_LEN]);

/* seed = SHA-256(config_digest || anchor_secret); HMAC_DRBG-SHA256(seed, ANCHOR_DRBG_PERS)
 * generates eps, then pps, then sps (64 bytes each).  Wipes its intermediates. */
void anchor_seeds_derive(const uint8_t config_digest[32], const uint8_t anchor_secret[32],
                         struct tpm2_seeds *out);

/* What provisioning reports: SHA-256 of each EK's DER SubjectPublicKeyInfo, and whether each
 * certificate was written now (false: it was already in NV). */
struct anchor_provisioned {
	uint8_t rsa_spki_sha256[32];
	uint8_t ecc_spki_sha256[32];
	unsigned written;            /* number of NV indices written this time (0..3) */
};

/* The LTPM's firmware step (after Startup, before the platform hierarchy is locked): both EKs
 * from the TCG templates (created and flushed), their certificates issued by `ca` through `s`
 * into NV, and ca_der into the chain range; indices already present are left alone.  0, or the
 * failing command's code (ltpm->failed names it) or TPMC_ERR_IO. */
int anchor_ltpm_provision(struct tpmc *ltpm, const struct x509_issuer *ca, const uint8_t *ca_der,
                          size_t ca_len, const struct x509_signer *s,
                          struct anchor_provisioned *out);

/* The TCG EK Credential Profile templates as marshalled TPMT_PUBLIC (L-1: RSA 2048, L-2:
 * ECC P-256, unique zero-filled, as tpm2_createek sends them).  Returns the length, 0 if max is
 * too small (ANCHOR_EK_TEMPLATE_MAX always fits). */
#define ANCHOR_EK_TEMPLATE_MAX 320u
size_t anchor_ek_template(int rsa, uint8_t *out, size_t max);

#endif
