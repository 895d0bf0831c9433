/*
 * Anchoring's pure logic on the host (vtpm/anchor, docs/anchoring.md): the DER writer, the
 * derivation vectors, and the whole per-LTPM flow with one engine instance standing in for the
 * physical TPM (fixed seeds = fixed "PTPM answers") and another as the LTPM.  Writes the
 * certificates it made into the directory argv[1] for tests/unit/anchor_openssl.sh.
 */
#include "anchor.h"
#include "check.h"
#include "der.h"
#include "tcrypto.h"
#include "tpm2.h"
#include "tpmcmd.h"
#include "x509.h"
#include <anchor/config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *outdir = ".";

static void hexs(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = 0;
}

static void save(const char *name, const void *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", outdir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len) {
		perror(path);
		exit(2);
	}
	fclose(f);
}

/* ---- DER writer ---------------------------------------------------------------------------- */

static bool der_is(void (*build)(struct der *), const char *want_hex)
{
	uint8_t buf[600];
	char got[1201];
	struct der w;
	der_init(&w, buf, sizeof buf);
	build(&w);
	size_t n = der_finish(&w);
	hexs(buf, n, got);
	if (strcmp(got, want_hex))
		printf("# got  %s\n# want %s\n", got, want_hex);
	return n && !strcmp(got, want_hex);
}

static void b_ints(struct der *w)
{
	der_uint(w, (const uint8_t *)"\0\0\0", 3);   /* 0 */
	der_uint(w, (const uint8_t *)"\x7f", 1);
	der_uint(w, (const uint8_t *)"\0\x80", 2);   /* leading zero dropped, sign byte added */
	der_small_uint(w, 65537);
}
static void b_nested(struct der *w)
{
	der_open(w, DER_SEQUENCE);
	der_open(w, DER_SEQUENCE);
	der_prim(w, DER_NULL, NULL, 0);
	der_close(w);
	der_close(w);
}
static void b_long(struct der *w)      /* 200 and 300 bytes of content: 1 and 2 length bytes */
{
	static uint8_t z[300];
	der_open(w, DER_SEQUENCE);
	der_prim(w, DER_OCTET_STRING, z, 200);
	der_close(w);
}
static void b_bits(struct der *w)
{
	der_named_bits(w, 1u << 2);          /* keyEncipherment */
	der_named_bits(w, 1u << 4);          /* keyAgreement */
	der_named_bits(w, (1u << 5) | (1u << 6));
	der_named_bits(w, 1u << 8);          /* decipherOnly: second byte */
}

static void test_der(void)
{
	check(der_is(b_ints, "020100" "02017f" "02020080" "0203010001"), "der: integers minimal and positive", "");
	check(der_is(b_nested, "300430020500"), "der: nested sequences", "");
	char want[2 * 210 + 1] = "3081cb" "0481c8";
	for (int i = 0; i < 200; i++)
		strcat(want, "00");
	check(der_is(b_long, want), "der: long-form lengths (0x81) on close and on a primitive", "");
	check(der_is(b_bits, "03020520" "03020308" "03020106" "0303070080"), "der: named bit strings drop trailing zero bits", "");

	uint8_t small[8];
	struct der w;
	der_init(&w, small, sizeof small);
	der_open(&w, DER_SEQUENCE);
	der_prim(&w, DER_OCTET_STRING, "0123456789", 10);
	der_close(&w);
	check(der_finish(&w) == 0 && w.err, "der: overflow is sticky and reported", "");
	uint8_t big[300];
	der_init(&w, big, sizeof big);
	der_open(&w, DER_SEQUENCE);
	check(der_finish(&w) == 0, "der: an element left open is an error", "");
	der_init(&w, big, 130);
	der_open(&w, DER_SEQUENCE);
	der_prim(&w, DER_OCTET_STRING, big + 150, 126);   /* 2 + 2 + 126 = 130 bytes: fits */
	der_close(&w);                                    /* 128 of content need 0x81: 131 > 130 */
	check(der_finish(&w) == 0, "der: close that needs a longer length and has no room fails", "");
}

/* ---- engine instances as TPMs ---------------------------------------------------------------- */

static void entropy(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)rand();
}
static uint64_t now_ms(void *ctx) { (void)ctx; return 1000; }
static const struct tpm2_platform plat = { entropy, now_ms, NULL };

static int engine_xfer(void *ctx, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t max,
                       size_t *rsp_len)
{
	*rsp_len = tpm2_execute(ctx, 0, cmd, len, rsp, max);
	return 0;
}

static struct tpm2 *engine_new(const struct tpm2_seeds *seeds)
{
	static const uint8_t startup[] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0 };
	struct tpm2 *t = calloc(1, tpm2_instance_size());
	uint8_t rsp[64];
	tpm2_manufacture(t, &plat, seeds);
	tpm2_power_on(t);
	size_t n = tpm2_execute(t, 0, startup, sizeof startup, rsp, sizeof rsp);
	if (n != 10 || rsp[9] != 0) {
		fprintf(stderr, "engine Startup failed\n");
		exit(2);
	}
	return t;
}

static void engine_reset(struct tpm2 *t)
{
	static const uint8_t startup[] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0 };
	uint8_t rsp[64];
	tpm2_power_on(t);
	tpm2_execute(t, 0, startup, sizeof startup, rsp, sizeof rsp);
}

/* The PTPM signer (pSK through tpmc) and the software signer (development mode). */
struct ptpm_signer { struct tpmc *t; uint32_t key; };
static int ptpm_sign(void *ctx, const uint8_t d[32], uint8_t r[32], uint8_t s[32])
{
	struct ptpm_signer *p = ctx;
	return tpmc_sign_ecdsa_p256(p->t, p->key, d, r, s) ? -1 : 0;
}
static int sw_sign(void *ctx, const uint8_t d[32], uint8_t r[32], uint8_t s[32])
{
	return tc_ecdsa_sign(ctx, TC_ALG_SHA256, d, 32, NULL, r, s) == TC_OK ? 0 : -1;
}

static struct cfg_lpar lpar(const char *name, uint8_t uuid_last)
{
	struct cfg_lpar l;
	memset(&l, 0, sizeof l);
	strcpy(l.name, name);
	for (int i = 0; i < 16; i++)
		l.uuid[i] = (uint8_t)(0x10 + i);
	l.uuid[15] = uuid_last;
	l.cpu = 1;
	l.mem_base = 0x20000000;
	l.mem_size = 32u << 20;
	strcpy(l.image, "testguest.elf");
	strcpy(l.args, "vtpm");
	l.tpm = CFG_TPM_VTPM;
	return l;
}

/* The per-LPAR derivation as hv/anchoring.c does it with a PTPM; the vector goes to the
 * output when `print` (tests/unit/anchor_recompute.py recomputes it from docs/anchoring.md). */
static void seeds_for(struct tpmc *ptpm, uint32_t hmac_key, const struct cfg_lpar *l,
                      struct tpm2_seeds *s, bool print)
{
	uint8_t digest[32], in[ANCHOR_SECRET_INPUT_LEN], secret[32];
	char h[2 * 64 + 1];
	memset(s, 0, sizeof *s);
	if (anchor_config_digest(l, digest) ||
	    tpmc_hmac_sha256(ptpm, hmac_key, in, anchor_secret_input(digest, in), secret))
		return;
	anchor_seeds_derive(digest, secret, s);
	if (!print)
		return;
	printf("# vector uuid=");
	for (int i = 0; i < 16; i++)
		printf("%02x%s", l->uuid[i], i == 3 || i == 5 || i == 7 || i == 9 ? "-" : "");
	hexs(secret, 32, h);
	printf(" name=%s secret=%s\n", l->name, h);
	hexs(in, sizeof in, h);
	printf("# hmac_input=%s\n", h);
	hexs(s->eps, 64, h);
	printf("# eps=%s\n", h);
	hexs(s->pps, 64, h);
	printf("# pps=%s\n", h);
	hexs(s->sps, 64, h);
	printf("# sps=%s\n", h);
}

static struct tpm2_seeds fixed_ptpm_seeds(uint8_t v)
{
	struct tpm2_seeds s;
	memset(s.eps, v, sizeof s.eps);
	memset(s.pps, v + 1, sizeof s.pps);
	memset(s.sps, v + 2, sizeof s.sps);
	return s;
}

static bool contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (!memcmp(hay + i, needle, m))
			return true;
	return false;
}

/* Pinned derivation vectors: PTPM = engine with seeds 0x11/0x12/0x13, LPAR "alpha" with uuid
 * 10..1e,01.  If these change, every deployed vEK changes: only with a new derivation version. */
#define PIN_CONFIG_DIGEST "c822b15a5e37b9a06aa897d8348160417bedc0e4517c233b387fd2e880a0ebe0"
#define PIN_EK_RSA        "20c245da791e90bb7972d4abbcbdd4f37d44a939960cd68753d614df0a3c187a"
#define PIN_EK_ECC        "1d49b5630e8bae7de6775c37ffd74cf9f489485f02c0fd6dc144b5ef33cb97bc"

static void test_flow(void)
{
	struct tpm2_seeds ps = fixed_ptpm_seeds(0x11);
	struct tpm2 *pt = engine_new(&ps);
	static struct tpmc ptpm, ltpm;
	tpmc_init(&ptpm, engine_xfer, pt);

	uint32_t sign_key = 0, hmac_key = 0;
	struct tpmc_pubkey psk;
	int rc = anchor_psk_create(&ptpm, &sign_key, &hmac_key, &psk);
	check(rc == 0 && sign_key >> 24 == 0x80 && hmac_key >> 24 == 0x80,
	      "psk: both primaries created in the PTPM's endorsement hierarchy", "rc %#x (%s)", rc,
	      ptpm.failed ? ptpm.failed : "");

	struct x509_issuer ca;
	struct ptpm_signer psig = { &ptpm, sign_key };
	struct x509_signer signer = { ptpm_sign, &psig };
	uint8_t ca_der[ANCHOR_CERT_MAX];
	size_t ca_len = 0;
	CHECK("ca: issuer name and key id", x509_issuer_init(&ca, &psk, "platform CA", "PTPM ANCH test") == 0);
	ca_len = x509_ca_cert(&ca, &signer, ca_der, sizeof ca_der);
	CHECK("ca: certificate signed through the PTPM", ca_len > 0);
	save("ca.der", ca_der, ca_len);
	char pem[X509_PEM_MAX(ANCHOR_CERT_MAX)];
	size_t pem_len = x509_pem(ca_der, ca_len, pem, sizeof pem);
	CHECK("pem: encoded", pem_len > 0 && strlen(pem) == pem_len);
	save("ca_ours.pem", pem, pem_len);
	CHECK("pem: too small a buffer is refused", x509_pem(ca_der, ca_len, pem, 100) == 0);

	/* Derivation vector. */
	struct cfg_lpar alpha = lpar("alpha", 0x01);
	uint8_t digest[32];
	char h[65], h2[65];
	anchor_config_digest(&alpha, digest);
	hexs(digest, 32, h);
	printf("# config_digest(alpha) = %s\n", h);
	check(!strcmp(h, PIN_CONFIG_DIGEST), "derive: config_digest of alpha pinned", "got %s", h);

	struct tpm2_seeds s1, s2;
	seeds_for(&ptpm, hmac_key, &alpha, &s1, true);
	struct tpm2 *lt = engine_new(&s1);
	tpmc_init(&ltpm, engine_xfer, lt);
	struct anchor_provisioned prov;
	rc = anchor_ltpm_provision(&ltpm, &ca, ca_der, ca_len, &signer, &prov);
	check(rc == 0 && prov.written == 3, "provision: both EK certificates and the CA written",
	      "rc %#x (%s) written %u", rc, ltpm.failed ? ltpm.failed : "", prov.written);
	hexs(prov.rsa_spki_sha256, 32, h);
	hexs(prov.ecc_spki_sha256, 32, h2);
	printf("# alpha ek rsa2048 sha256=%s ecc-p256 sha256=%s\n", h, h2);
	check(!strcmp(h, PIN_EK_RSA), "derive: alpha's RSA EK pinned (fixed PTPM answers)", "got %s", h);
	check(!strcmp(h2, PIN_EK_ECC), "derive: alpha's ECC EK pinned (fixed PTPM answers)", "got %s", h2);

	/* NV read back: attributes, readable with the index's own (empty) auth and by the owner. */
	static const struct { uint32_t index; const char *file; } nv[] = {
		{ ANCHOR_NV_EK_RSA, "ek_rsa.der" }, { ANCHOR_NV_EK_ECC, "ek_ecc.der" },
		{ ANCHOR_NV_CHAIN, "chain0.der" },
	};
	for (int i = 0; i < 3; i++) {
		uint32_t attrs = 0;
		uint16_t size = 0;
		uint8_t cert[ANCHOR_CERT_MAX], cert2[ANCHOR_CERT_MAX];
		char name[160];
		rc = tpmc_nv_read_public(&ltpm, nv[i].index, &attrs, &size);
		snprintf(name, sizeof name, "nv %#x: attributes platformcreate|ppwrite|writedefine|"
		         "writelocked|written|ppread|ownerread|authread|no_da", nv[i].index);
		check(rc == 0 && attrs == (ANCHOR_NV_ATTRS | 0x20000000u | 0x800u), name,
		      "rc %#x attrs %#x", rc, attrs);
		if (i == 0)
			printf("# attrs_after_write=%#x\n", attrs);
		rc = tpmc_nv_read(&ltpm, nv[i].index, nv[i].index, cert, size);
		int rc2 = tpmc_nv_read(&ltpm, 0x40000001u, nv[i].index, cert2, size);
		snprintf(name, sizeof name, "nv %#x: %u bytes, readable by auth and owner", nv[i].index, size);
		check(rc == 0 && rc2 == 0 && !memcmp(cert, cert2, size) && size <= TPM2_NV_INDEX_MAX,
		      name, "rc %#x %#x", rc, rc2);
		save(nv[i].file, cert, size);
		if (i == 2)
			CHECK("nv chain: holds the CA certificate", size == ca_len && !memcmp(cert, ca_der, size));
		if (i < 2) {
			/* The certificate's key is the EK a guest creates with the TCG template. */
			uint8_t tmpl[ANCHOR_EK_TEMPLATE_MAX], pub[600], spki[X509_SPKI_MAX], sh[32];
			size_t pl, sl;
			uint32_t hnd;
			struct tpmc_pubkey k;
			size_t tl = anchor_ek_template(i == 0, tmpl, sizeof tmpl);
			bool ok = tpmc_create_primary(&ltpm, TPMC_RH_ENDORSEMENT, tmpl, tl, &hnd, pub,
			                              sizeof pub, &pl) == 0 &&
			          tpmc_flush(&ltpm, hnd) == 0 && tpmc_parse_public(pub, pl, &k) == 0 &&
			          (sl = x509_spki(&k, spki, sizeof spki)) > 0 && contains(cert, size, spki, sl);
			tc_hash(TC_ALG_SHA256, spki, ok ? sl : 0, sh);
			snprintf(name, sizeof name, "nv %#x: certificate holds the EK the template gives", nv[i].index);
			check(ok && !memcmp(sh, i == 0 ? prov.rsa_spki_sha256 : prov.ecc_spki_sha256, 32), name, "");
		}
	}

	/* LPAR reset: NV and seeds kept, nothing rewritten, same EKs. */
	engine_reset(lt);
	struct anchor_provisioned again;
	rc = anchor_ltpm_provision(&ltpm, &ca, ca_der, ca_len, &signer, &again);
	check(rc == 0 && again.written == 0 &&
	      !memcmp(again.rsa_spki_sha256, prov.rsa_spki_sha256, 32) &&
	      !memcmp(again.ecc_spki_sha256, prov.ecc_spki_sha256, 32),
	      "provision after a reset: nothing rewritten, same EKs", "rc %#x written %u", rc, again.written);

	/* Determinism and identity. */
	seeds_for(&ptpm, hmac_key, &alpha, &s2, false);
	CHECK("derive: same PTPM and identity give the same seeds", !memcmp(&s1, &s2, sizeof s1));
	struct cfg_lpar moved = alpha;
	moved.cpu = 3;
	moved.mem_base = 0x40000000;
	moved.mem_size = 64u << 20;
	strcpy(moved.image, "linux.elf");
	strcpy(moved.args, "console=ttyS0");
	moved.tpm = CFG_TPM_TESTDEV;
	seeds_for(&ptpm, hmac_key, &moved, &s2, false);
	CHECK("derive: cpu, memory, image, args and tpm kind do not change the seeds",
	      !memcmp(&s1, &s2, sizeof s1));
	struct cfg_lpar other = lpar("alpha", 0x02);
	seeds_for(&ptpm, hmac_key, &other, &s2, false);
	CHECK("derive: another uuid gives other seeds", memcmp(s1.eps, s2.eps, 64) != 0);
	other = lpar("beta", 0x01);
	seeds_for(&ptpm, hmac_key, &other, &s2, false);
	CHECK("derive: another name gives other seeds", memcmp(s1.eps, s2.eps, 64) != 0);
	CHECK("derive: eps, pps and sps differ", memcmp(s1.eps, s1.pps, 64) && memcmp(s1.eps, s1.sps, 64) &&
	      memcmp(s1.pps, s1.sps, 64));

	/* Another physical TPM: other pSK, other seeds, other EKs. */
	struct tpm2_seeds ps2 = fixed_ptpm_seeds(0x51);
	struct tpm2 *pt2 = engine_new(&ps2);
	static struct tpmc ptpm2;
	tpmc_init(&ptpm2, engine_xfer, pt2);
	uint32_t sk2, hk2;
	struct tpmc_pubkey psk2;
	anchor_psk_create(&ptpm2, &sk2, &hk2, &psk2);
	seeds_for(&ptpm2, hk2, &alpha, &s2, false);
	CHECK("derive: another PTPM gives another pSK and other seeds",
	      memcmp(psk.x, psk2.x, 32) && memcmp(s1.eps, s2.eps, 64));

	/* Software-signed chain (the development mode's signer). */
	tc_ecc_priv sk;
	tc_ecc_point pub;
	tc_drbg d;
	tc_drbg_init(&d, TC_ALG_SHA256, "dev key", 7, NULL, 0);
	tc_ecc_keygen(TC_ECC_NIST_P256, tc_drbg_prng(&d), &sk, &pub);
	struct tpmc_pubkey swk = { .type = TPMC_ALG_ECC };
	memcpy(swk.x, pub.x, 32);
	memcpy(swk.y, pub.y, 32);
	struct x509_issuer swca;
	struct x509_signer swsig = { sw_sign, &sk };
	uint8_t der[ANCHOR_CERT_MAX];
	x509_issuer_init(&swca, &swk, "UNANCHORED development CA", "NOT TRUSTWORTHY");
	size_t n = x509_ca_cert(&swca, &swsig, der, sizeof der);
	save("sw_ca.der", der, n);
	struct tpm2_seeds s3 = fixed_ptpm_seeds(0x77);
	struct tpm2 *lt3 = engine_new(&s3);
	static struct tpmc ltpm3;
	tpmc_init(&ltpm3, engine_xfer, lt3);
	rc = anchor_ltpm_provision(&ltpm3, &swca, der, n, &swsig, &prov);
	CHECK("provision with a software signer", rc == 0 && prov.written == 3);
	uint8_t cert[ANCHOR_CERT_MAX];
	uint32_t attrs;
	uint16_t size;
	if (!tpmc_nv_read_public(&ltpm3, ANCHOR_NV_EK_ECC, &attrs, &size) &&
	    !tpmc_nv_read(&ltpm3, ANCHOR_NV_EK_ECC, ANCHOR_NV_EK_ECC, cert, size))
		save("sw_ek_ecc.der", cert, size);
	if (!tpmc_nv_read_public(&ltpm3, ANCHOR_NV_EK_RSA, &attrs, &size) &&
	    !tpmc_nv_read(&ltpm3, ANCHOR_NV_EK_RSA, ANCHOR_NV_EK_RSA, cert, size))
		save("sw_ek_rsa.der", cert, size);

	/* PCR_Read (the hypervisor reads the measured PCRs back through the same layer). */
	static const uint8_t extend16[] = {
		0x80, 0x02, 0, 0, 0, 65, 0x00, 0x00, 0x01, 0x82, 0, 0, 0, 16, 0, 0, 0, 9,
		0x40, 0x00, 0x00, 0x09, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0x0B,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
		25, 26, 27, 28, 29, 30, 31, 32 };
	uint8_t pcr[32], want[32], zero[64] = { 0 };
	size_t got = tpm2_execute(pt, 0, extend16, sizeof extend16, cert, sizeof cert);
	memcpy(zero + 32, extend16 + 33, 32);
	tc_hash(TC_ALG_SHA256, zero, 64, want);
	rc = tpmc_pcr_read_sha256(&ptpm, 16, pcr);
	check(got == 19 && rc == 0 && !memcmp(pcr, want, 32), "tpmc: PCR_Read of PCR 16 after an extend",
	      "rc %#x len %zu", rc, got);
	rc = tpmc_pcr_read_sha256(&ptpm, 0, pcr);
	CHECK("tpmc: PCR_Read of PCR 0 (zero)", rc == 0 && !memcmp(pcr, zero, 32));
	CHECK("tpmc: PCR_Read of PCR 24 refused", tpmc_pcr_read_sha256(&ptpm, 24, pcr) == TPMC_ERR_IO);

	/* A PTPM error is reported with the command's name and code. */
	rc = tpmc_sign_ecdsa_p256(&ptpm, 0x80FFFFFFu, digest, cert, cert + 32);
	check(rc > 0 && ptpm.failed && !strcmp(ptpm.failed, "Sign") && ptpm.rc == rc,
	      "tpmc: a TPM error names the command and keeps its code", "rc %#x", rc);
	free(pt);
	free(pt2);
	free(lt);
	free(lt3);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		outdir = argv[1];
	test_der();
	test_flow();
	return check_exit();
}
