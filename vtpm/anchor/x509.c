/*
 * X.509 v3 certificates for anchoring (x509.h).  The profile (docs/anchoring.md):
 *   version 3; serial = the first 16 bytes of SHA-256(subject's SubjectPublicKeyInfo), top bit
 *   cleared, second-highest set (positive, 16 bytes, unique per key); signature
 *   ecdsa-with-SHA256; validity 2025-01-01 00:00:00Z .. 9999-12-31 23:59:59Z (the hypervisor has
 *   no trusted clock; RFC 5280 4.1.2.5 "no well-defined expiration date").
 *   CA: subject = issuer, basicConstraints CA:TRUE (critical), keyUsage keyCertSign|cRLSign
 *   (critical), subjectKeyIdentifier.
 *   EK (TCG EK Credential Profile): empty subject, subjectAltName (critical) directoryName with
 *   one RDN {tpmManufacturer, tpmModel, tpmVersion}, basicConstraints CA:FALSE (critical),
 *   keyUsage keyEncipherment (RSA) / keyAgreement (ECC) (critical), extKeyUsage
 *   tcg-kp-EKCertificate, authorityKeyIdentifier.
 */
#include "x509.h"
#include "der.h"
#include "tcrypto.h"
#include <string.h>

/* Object identifiers, DER content bytes. */
static const uint8_t OID_ECDSA_SHA256[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02 };
static const uint8_t OID_RSA[]          = { 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01 };
static const uint8_t OID_EC_PUBKEY[]    = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01 };
static const uint8_t OID_P256[]         = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
static const uint8_t OID_CN[]           = { 0x55, 0x04, 0x03 };
static const uint8_t OID_O[]            = { 0x55, 0x04, 0x0A };
static const uint8_t OID_OU[]           = { 0x55, 0x04, 0x0B };
static const uint8_t OID_SKI[]          = { 0x55, 0x1D, 0x0E };
static const uint8_t OID_KEY_USAGE[]    = { 0x55, 0x1D, 0x0F };
static const uint8_t OID_SAN[]          = { 0x55, 0x1D, 0x11 };
static const uint8_t OID_BASIC[]        = { 0x55, 0x1D, 0x13 };
static const uint8_t OID_AKI[]          = { 0x55, 0x1D, 0x23 };
static const uint8_t OID_EKU[]          = { 0x55, 0x1D, 0x25 };
static const uint8_t OID_TPM_MANUF[]    = { 0x67, 0x81, 0x05, 0x02, 0x01 };   /* 2.23.133.2.1 */
static const uint8_t OID_TPM_MODEL[]    = { 0x67, 0x81, 0x05, 0x02, 0x02 };   /* 2.23.133.2.2 */
static const uint8_t OID_TPM_VERSION[]  = { 0x67, 0x81, 0x05, 0x02, 0x03 };   /* 2.23.133.2.3 */
static const uint8_t OID_KP_EK_CERT[]   = { 0x67, 0x81, 0x05, 0x08, 0x01 };   /* 2.23.133.8.1 */

/* keyUsage bits (RFC 5280 4.2.1.3) */
#define KU_KEY_ENCIPHERMENT (1u << 2)
#define KU_KEY_AGREEMENT    (1u << 4)
#define KU_KEY_CERT_SIGN    (1u << 5)
#define KU_CRL_SIGN         (1u << 6)

#define NOT_BEFORE "250101000000Z"      /* UTCTime 2025-01-01 */
#define NOT_AFTER  "99991231235959Z"    /* GeneralizedTime */

static size_t cstrlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

/* ---- SubjectPublicKeyInfo ------------------------------------------------------------------ */

static void put_spki(struct der *w, const struct tpmc_pubkey *k)
{
	der_open(w, DER_SEQUENCE);
	der_open(w, DER_SEQUENCE);
	if (k->type == TPMC_ALG_RSA) {
		der_prim(w, DER_OID, OID_RSA, sizeof OID_RSA);
		der_prim(w, DER_NULL, NULL, 0);
		der_close(w);
		der_open(w, DER_BIT_STRING);
		der_raw(w, "", 1);                        /* no unused bits */
		der_open(w, DER_SEQUENCE);                /* RSAPublicKey */
		der_uint(w, k->n, k->n_len);
		der_small_uint(w, k->e);
		der_close(w);
		der_close(w);
	} else {
		der_prim(w, DER_OID, OID_EC_PUBKEY, sizeof OID_EC_PUBKEY);
		der_prim(w, DER_OID, OID_P256, sizeof OID_P256);
		der_close(w);
		uint8_t point[65];
		point[0] = 0x04;
		memcpy(point + 1, k->x, 32);
		memcpy(point + 33, k->y, 32);
		der_bits(w, point, sizeof point);
	}
	der_close(w);
}

size_t x509_spki(const struct tpmc_pubkey *k, uint8_t *out, size_t max)
{
	struct der w;
	der_init(&w, out, max);
	put_spki(&w, k);
	return der_finish(&w);
}

/* ---- names ------------------------------------------------------------------------------- */

/* One RDN holding one attribute. */
static void put_rdn(struct der *w, const uint8_t *oid, size_t oid_len, const char *value)
{
	der_open(w, DER_SET);
	der_open(w, DER_SEQUENCE);
	der_prim(w, DER_OID, oid, oid_len);
	der_prim(w, DER_UTF8_STRING, value, cstrlen(value));
	der_close(w);
	der_close(w);
}

int x509_issuer_init(struct x509_issuer *ca, const struct tpmc_pubkey *key, const char *ou,
                     const char *cn)
{
	struct der w;
	if (key->type != TPMC_ALG_ECC)
		return -1;
	ca->key = *key;
	der_init(&w, ca->name, sizeof ca->name);
	der_open(&w, DER_SEQUENCE);
	put_rdn(&w, OID_O, sizeof OID_O, "Anchor");
	put_rdn(&w, OID_OU, sizeof OID_OU, ou);
	put_rdn(&w, OID_CN, sizeof OID_CN, cn);
	der_close(&w);
	ca->name_len = der_finish(&w);
	uint8_t point[65];
	point[0] = 0x04;
	memcpy(point + 1, key->x, 32);
	memcpy(point + 33, key->y, 32);
	uint8_t sha1[20];
	if (!ca->name_len || tc_hash(TC_ALG_SHA1, point, sizeof point, sha1) != 20)
		return -1;
	memcpy(ca->key_id, sha1, 20);
	return 0;
}

/* ---- extensions -------------------------------------------------------------------------- */

static void ext_open(struct der *w, const uint8_t *oid, size_t oid_len, int critical)
{
	der_open(w, DER_SEQUENCE);
	der_prim(w, DER_OID, oid, oid_len);
	if (critical)
		der_prim(w, DER_BOOLEAN, "\xFF", 1);
	der_open(w, DER_OCTET_STRING);
}

static void ext_close(struct der *w)
{
	der_close(w);
	der_close(w);
}

static void ext_basic_constraints(struct der *w, int ca)
{
	ext_open(w, OID_BASIC, sizeof OID_BASIC, 1);
	der_open(w, DER_SEQUENCE);
	if (ca)
		der_prim(w, DER_BOOLEAN, "\xFF", 1);      /* cA FALSE is the DEFAULT: omitted */
	der_close(w);
	ext_close(w);
}

static void ext_key_usage(struct der *w, uint16_t bits)
{
	ext_open(w, OID_KEY_USAGE, sizeof OID_KEY_USAGE, 1);
	der_named_bits(w, bits);
	ext_close(w);
}

/* "id:" followed by 8 upper-case hex digits. */
static void id_string(uint32_t v, char out[12])
{
	static const char hexd[] = "0123456789ABCDEF";
	memcpy(out, "id:", 3);
	for (int i = 0; i < 8; i++)
		out[3 + i] = hexd[(v >> (28 - 4 * i)) & 0xF];
	out[11] = 0;
}

/* One AttributeTypeAndValue into its own buffer (for sorting the SET). */
static size_t attr(uint8_t *buf, size_t max, const uint8_t *oid, size_t oid_len, const char *v)
{
	struct der w;
	der_init(&w, buf, max);
	der_open(&w, DER_SEQUENCE);
	der_prim(&w, DER_OID, oid, oid_len);
	der_prim(&w, DER_UTF8_STRING, v, cstrlen(v));
	der_close(&w);
	return der_finish(&w);
}

/* DER orders the elements of a SET OF by their encodings (X.690 11.6), the shorter one padded
 * with zeros. */
static int der_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	for (size_t i = 0; i < al || i < bl; i++) {
		uint8_t x = i < al ? a[i] : 0, y = i < bl ? b[i] : 0;
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

static void ext_tpm_san(struct der *w, const struct x509_tpm_info *tpm)
{
	char manuf[12], version[12];
	id_string(tpm->manufacturer, manuf);
	id_string(tpm->firmware, version);
	uint8_t a[3][64];
	size_t al[3];
	al[0] = attr(a[0], sizeof a[0], OID_TPM_MANUF, sizeof OID_TPM_MANUF, manuf);
	al[1] = attr(a[1], sizeof a[1], OID_TPM_MODEL, sizeof OID_TPM_MODEL, tpm->model);
	al[2] = attr(a[2], sizeof a[2], OID_TPM_VERSION, sizeof OID_TPM_VERSION, version);
	unsigned order[3] = { 0, 1, 2 };
	for (int i = 1; i < 3; i++)                   /* insertion sort of three */
		for (int j = i; j > 0 && der_cmp(a[order[j]], al[order[j]], a[order[j - 1]],
		                                 al[order[j - 1]]) < 0; j--) {
			unsigned t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	ext_open(w, OID_SAN, sizeof OID_SAN, 1);      /* critical: the subject is empty */
	der_open(w, DER_SEQUENCE);                    /* GeneralNames */
	der_open(w, DER_CTX(4));                      /* directoryName [4] Name (EXPLICIT) */
	der_open(w, DER_SEQUENCE);                    /* RDNSequence */
	der_open(w, DER_SET);                         /* one RDN */
	for (int i = 0; i < 3; i++) {
		if (!al[order[i]])
			w->err = true;
		der_raw(w, a[order[i]], al[order[i]]);
	}
	der_close(w);
	der_close(w);
	der_close(w);
	der_close(w);
	ext_close(w);
}

static void ext_eku_ek(struct der *w)
{
	ext_open(w, OID_EKU, sizeof OID_EKU, 0);
	der_open(w, DER_SEQUENCE);
	der_prim(w, DER_OID, OID_KP_EK_CERT, sizeof OID_KP_EK_CERT);
	der_close(w);
	ext_close(w);
}

static void ext_ski(struct der *w, const uint8_t key_id[20])
{
	ext_open(w, OID_SKI, sizeof OID_SKI, 0);
	der_prim(w, DER_OCTET_STRING, key_id, 20);
	ext_close(w);
}

static void ext_aki(struct der *w, const uint8_t key_id[20])
{
	ext_open(w, OID_AKI, sizeof OID_AKI, 0);
	der_open(w, DER_SEQUENCE);
	der_prim(w, DER_CTX_PRIM(0), key_id, 20);     /* keyIdentifier [0] IMPLICIT */
	der_close(w);
	ext_close(w);
}

/* ---- the certificate --------------------------------------------------------------------- */

static void put_sig_alg(struct der *w)
{
	der_open(w, DER_SEQUENCE);
	der_prim(w, DER_OID, OID_ECDSA_SHA256, sizeof OID_ECDSA_SHA256);
	der_close(w);
}

/* version, serial, signature, issuer, validity, subject, SPKI; leaves [3] Extensions and its
 * SEQUENCE open for the caller. */
static void tbs_open(struct der *w, const struct x509_issuer *ca, const uint8_t *subject,
                     size_t subject_len, const struct tpmc_pubkey *key)
{
	uint8_t spki[X509_SPKI_MAX], serial[32];
	size_t spki_len = x509_spki(key, spki, sizeof spki);
	if (!spki_len || tc_hash(TC_ALG_SHA256, spki, spki_len, serial) != 32) {
		w->err = true;
		return;
	}
	serial[0] = (uint8_t)((serial[0] & 0x7F) | 0x40);
	der_open(w, DER_SEQUENCE);                    /* TBSCertificate */
	der_open(w, DER_CTX(0));
	der_small_uint(w, 2);                         /* v3 */
	der_close(w);
	der_uint(w, serial, 16);
	put_sig_alg(w);
	der_raw(w, ca->name, ca->name_len);
	der_open(w, DER_SEQUENCE);
	der_prim(w, DER_UTC_TIME, NOT_BEFORE, sizeof NOT_BEFORE - 1);
	der_prim(w, DER_GEN_TIME, NOT_AFTER, sizeof NOT_AFTER - 1);
	der_close(w);
	der_raw(w, subject, subject_len);
	der_raw(w, spki, spki_len);
	der_open(w, DER_CTX(3));
	der_open(w, DER_SEQUENCE);
}

/* Closes the extensions and the TBSCertificate, signs it and wraps it as a Certificate.  The
 * TBS is built at out + 0 first, then moved behind the Certificate header by der_close. */
static size_t tbs_close_and_sign(struct der *w, const struct x509_signer *s)
{
	der_close(w);                                 /* Extensions */
	der_close(w);                                 /* [3] */
	der_close(w);                                 /* TBSCertificate */
	if (w->err || w->depth != 1)
		return 0;
	size_t tbs_at = w->open[0] + 2;               /* just after the Certificate header */
	uint8_t digest[32], r[32], sig_s[32];
	if (tc_hash(TC_ALG_SHA256, w->buf + tbs_at, w->len - tbs_at, digest) != 32 ||
	    s->sign(s->ctx, digest, r, sig_s)) {
		w->err = true;
		return 0;
	}
	put_sig_alg(w);
	der_open(w, DER_BIT_STRING);
	der_raw(w, "", 1);
	der_open(w, DER_SEQUENCE);                    /* Ecdsa-Sig-Value */
	der_uint(w, r, 32);
	der_uint(w, sig_s, 32);
	der_close(w);
	der_close(w);
	der_close(w);                                 /* Certificate */
	return der_finish(w);
}

size_t x509_ca_cert(const struct x509_issuer *ca, const struct x509_signer *s, uint8_t *out,
                    size_t max)
{
	struct der w;
	der_init(&w, out, max);
	der_open(&w, DER_SEQUENCE);                   /* Certificate */
	tbs_open(&w, ca, ca->name, ca->name_len, &ca->key);
	ext_basic_constraints(&w, 1);
	ext_key_usage(&w, KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	ext_ski(&w, ca->key_id);
	return tbs_close_and_sign(&w, s);
}

size_t x509_ek_cert(const struct x509_issuer *ca, const struct tpmc_pubkey *ek,
                    const struct x509_tpm_info *tpm, const struct x509_signer *s, uint8_t *out,
                    size_t max)
{
	static const uint8_t empty_name[] = { DER_SEQUENCE, 0 };
	struct der w;
	der_init(&w, out, max);
	der_open(&w, DER_SEQUENCE);
	tbs_open(&w, ca, empty_name, sizeof empty_name, ek);
	ext_tpm_san(&w, tpm);
	ext_basic_constraints(&w, 0);
	ext_key_usage(&w, ek->type == TPMC_ALG_RSA ? KU_KEY_ENCIPHERMENT : KU_KEY_AGREEMENT);
	ext_eku_ek(&w);
	ext_aki(&w, ca->key_id);
	return tbs_close_and_sign(&w, s);
}

/* ---- PEM --------------------------------------------------------------------------------- */

size_t x509_pem(const uint8_t *der, size_t len, char *out, size_t max)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char head[] = "-----BEGIN CERTIFICATE-----\n";
	static const char tail[] = "-----END CERTIFICATE-----\n";
	if (max < X509_PEM_MAX(len))
		return 0;
	size_t o = 0;
	memcpy(out, head, sizeof head - 1);
	o += sizeof head - 1;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)der[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)der[i + 1] << 8;
		if (i + 2 < len)
			v |= der[i + 2];
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? b64[v & 63] : '=';
		if ((i / 3 + 1) % 16 == 0 || i + 3 >= len)
			out[o++] = '\n';
	}
	memcpy(out + o, tail, sizeof tail - 1);
	o += sizeof tail - 1;
	out[o] = 0;
	return o;
}
