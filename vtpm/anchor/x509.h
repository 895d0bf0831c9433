/*
 * X.509 v3 certificates for anchoring (docs/anchoring.md, "Certificate profile"): the platform
 * CA certificate (the pSK's public key, self-signed) and one TCG EK certificate per vEK, both
 * signed ECDSA P-256 / SHA-256 by a caller-supplied signer (the PTPM's pSK, or in the
 * unanchored development mode a software key).  Also the SubjectPublicKeyInfo of a TPM key and
 * PEM output.  Freestanding, no allocation; every builder returns the DER length, 0 on error.
 */
#ifndef ANCHOR_X509_H
#define ANCHOR_X509_H
#include <stddef.h>
#include <stdint.h>
#include "tpmcmd.h"

#define X509_NAME_MAX 192
#define X509_SPKI_MAX 600          /* RSA-4096 fits */

/* Signs a SHA-256 digest with ECDSA P-256: r and s as 32 big-endian bytes.  0 or -1. */
struct x509_signer {
	int (*sign)(void *ctx, const uint8_t digest[32], uint8_t r[32], uint8_t s[32]);
	void *ctx;
};

/* The issuer every certificate names: its DER Name and its key identifier (RFC 5280 4.2.1.2
 * method 1: SHA-1 of the subjectPublicKey bits).  The CA key is ECC P-256. */
struct x509_issuer {
	uint8_t name[X509_NAME_MAX];
	size_t name_len;
	uint8_t key_id[20];
	struct tpmc_pubkey key;
};

/* What the EK certificate's subjectAltName says about the TPM holding the EK (TCG EK
 * Credential Profile): manufacturer "id:XXXXXXXX" (TPM_PT_MANUFACTURER in hex), model (the
 * vendor string), version "id:XXXXXXXX" (TPM_PT_FIRMWARE_VERSION_1 in hex). */
struct x509_tpm_info {
	uint32_t manufacturer;
	char model[17];
	uint32_t firmware;
};

/* SubjectPublicKeyInfo (rsaEncryption, or id-ecPublicKey on prime256v1, uncompressed). */
size_t x509_spki(const struct tpmc_pubkey *k, uint8_t *out, size_t max);

/* The CA's name "O=Anchor, OU=<ou>, CN=<cn>" and key identifier.  0 or -1. */
int x509_issuer_init(struct x509_issuer *ca, const struct tpmc_pubkey *key, const char *ou,
                     const char *cn);

/* The self-signed platform CA certificate: CA:TRUE, keyCertSign|cRLSign, SKI. */
size_t x509_ca_cert(const struct x509_issuer *ca, const struct x509_signer *s, uint8_t *out,
                    size_t max);

/* An EK certificate for ek (RSA: keyEncipherment; ECC: keyAgreement), empty subject. */
size_t x509_ek_cert(const struct x509_issuer *ca, const struct tpmc_pubkey *ek,
                    const struct x509_tpm_info *tpm, const struct x509_signer *s, uint8_t *out,
                    size_t max);

/* PEM ("-----BEGIN CERTIFICATE-----", base64 in 64-column lines, '\n' endings), NUL-terminated.
 * Returns the length without the NUL, 0 if max is too small. */
size_t x509_pem(const uint8_t *der, size_t len, char *out, size_t max);
#define X509_PEM_MAX(der_len) (64 + ((der_len) + 2) / 3 * 4 + ((der_len) + 47) / 48)

#endif
