/*
 * Anchoring in the hypervisor (anchor/anchoring.h; docs/anchoring.md): binds vtpm/anchor's pure
 * logic to the physical TPM (hv/ptpm.c), the console and the CPU's random-number instructions.
 *
 * At boot the pSK keys are created in the PTPM's endorsement hierarchy and the platform CA
 * certificate is self-signed through the PTPM and printed as PEM.  Per LTPM, the endorsement
 * seed comes from config_digest and the PTPM's HMAC, and the HTPM (acting as the LTPM's
 * firmware) gets the EKs certified into NV.  Fail closed: without a working PTPM nothing is
 * ready unless anchor.cfg opted into the unanchored development mode, which says loudly that
 * its vEKs and certificates are not trustworthy.  No secret is ever printed; seeds, secrets and
 * the development key are wiped after use.
 */
#include <anchor/anchoring.h>
#include <anchor/hv.h>
#include <anchor/x86.h>
#include "core.h"
#include "tcrypto.h"
#include "tpm2.h"
#include <string.h>


static uint64_t ticks(void) { return __builtin_ia32_rdtsc(); }
static uint64_t ms(uint64_t t) { return tsc_per_ms() ? t / tsc_per_ms() : 0; }

/* Lower-case hex of n bytes into out (2n + 1 bytes). */
static void hex(char *out, const uint8_t *b, size_t n)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = 0;
}

/* The PTPM transport, timed and counted (the boot-time figures). */
static int ptpm_timed_xfer(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp,
                           size_t rsp_max, size_t *rsp_len)
{
	struct anchoring *a = ctx;
	uint64_t t0 = ticks();
	int rc = ptpm_xfer(NULL, cmd, cmd_len, rsp, rsp_max, rsp_len);
	a->ptpm_ticks += ticks() - t0;
	a->ptpm_cmds++;
	return rc;
}

static int ltpm_xfer(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp, size_t rsp_max,
                     size_t *rsp_len)
{
	*rsp_len = tpm2_execute(ctx, 0, cmd, cmd_len, rsp, rsp_max);
	return 0;
}

/* "PTPM CreatePrimary failed: TPM_RC 0x9a2" or "... did not answer". */
static void report_tpm_error(const char *who, const struct tpmc *t)
{
	if (t->rc == TPMC_ERR_IO)
		console_printf("anchor: %s %s failed: no valid answer (timeout or malformed "
		               "response)\n", who, t->failed ? t->failed : "command");
	else
		console_printf("anchor: %s %s failed: TPM_RC 0x%03x\n", who,
		               t->failed ? t->failed : "command", (unsigned)t->rc);
}

/* ---- signers --------------------------------------------------------------------------------- */

static int psk_sign(void *ctx, const uint8_t digest[32], uint8_t r[32], uint8_t s[32])
{
	struct anchoring *a = ctx;
	return tpmc_sign_ecdsa_p256(&a->ptpm, a->psk_sign, digest, r, s) ? -1 : 0;
}

static int dev_sign(void *ctx, const uint8_t digest[32], uint8_t r[32], uint8_t s[32])
{
	struct anchoring *a = ctx;
	tc_ecc_priv sk;
	int rc = tc_ecc_priv_set(&sk, TC_ECC_NIST_P256, a->dev_sign_key, 32) ||
	         tc_ecdsa_sign(&sk, TC_ALG_SHA256, digest, 32, NULL, r, s) ? -1 : 0;
	tc_zeroize(&sk, sizeof sk);
	return rc;
}

static struct x509_signer signer(struct anchoring *a)
{
	struct x509_signer s = { a->anchored ? psk_sign : dev_sign, a };
	return s;
}

/* ---- boot ------------------------------------------------------------------------------------ */

static void print_ca(struct anchoring *a, const char *what)
{
	static char pem[X509_PEM_MAX(ANCHORING_CERT_MAX)];
	uint8_t spki[X509_SPKI_MAX], h[32];
	char hx[65];
	size_t n = x509_spki(&a->ca.key, spki, sizeof spki);
	tc_hash(TC_ALG_SHA256, spki, n, h);
	hex(hx, h, 32);
	console_printf("anchor: platform CA (%s) ecc-p256 sha256=%s, certificate:\n", what, hx);
	n = x509_pem(a->ca_der, a->ca_der_len, pem, sizeof pem);
	console_write(pem, n);
}

/* The CA's name: "PTPM <manufacturer> <first 8 bytes of SHA-256(pSK SPKI)>", so two machines'
 * CAs never share a subject. */
static void ca_common_name(struct anchoring *a, const struct tpmc_pubkey *key, char cn[40])
{
	uint32_t manuf = 0;
	uint8_t spki[X509_SPKI_MAX], h[32];
	char m[5], hx[17];
	tpmc_get_properties(&a->ptpm, TPM_PT_MANUFACTURER, 1, &manuf);
	for (int i = 0; i < 4; i++) {                 /* "IBM " -> "IBM": up to the first blank */
		char ch = (char)(manuf >> (24 - 8 * i));
		m[i] = ch > 0x20 && ch < 0x7F && (i == 0 || m[i - 1]) ? ch : 0;
	}
	m[4] = 0;
	if (!m[0])
		format_string(m, sizeof m, "?");
	tc_hash(TC_ALG_SHA256, spki, x509_spki(key, spki, sizeof spki), h);
	hex(hx, h, 8);
	format_string(cn, 40, "PTPM %s %s", m, hx);
}

static int anchored_init(struct anchoring *a)
{
	struct tpmc_pubkey key;
	char cn[40];
	if (anchor_psk_create(&a->ptpm, &a->psk_sign, &a->psk_hmac, &key)) {
		report_tpm_error("PTPM", &a->ptpm);
		return -1;
	}
	a->anchored = true;
	ca_common_name(a, &key, cn);
	struct x509_signer s = signer(a);
	if (x509_issuer_init(&a->ca, &key, "Anchor platform CA", cn) ||
	    !(a->ca_der_len = x509_ca_cert(&a->ca, &s, a->ca_der, sizeof a->ca_der))) {
		report_tpm_error("PTPM", &a->ptpm);
		a->anchored = false;
		return -1;
	}
	print_ca(a, "pSK in the physical TPM, self-signed");
	return 0;
}

static int unanchored_init(struct anchoring *a)
{
	console_printf("anchor: WARNING: vtpm_anchor = unanchored-development: vTPM endorsement keys "
	               "are NOT anchored to a physical TPM; the vEKs and their EK certificates are "
	               "NOT trustworthy (software CA key and secret, new every boot)\n");
	a->anchored = false;
	uint8_t seed[48];
	tc_drbg d;
	tc_ecc_priv sk;
	tc_ecc_point pub;
	anchoring_entropy(a, seed, sizeof seed);
	anchoring_entropy(a, a->dev_secret, sizeof a->dev_secret);
	tc_drbg_init(&d, TC_ALG_SHA256, seed, sizeof seed, "anchor dev CA", 13);
	int rc = tc_ecc_keygen(TC_ECC_NIST_P256, tc_drbg_prng(&d), &sk, &pub);
	memcpy(a->dev_sign_key, sk.d, 32);
	tc_zeroize(&sk, sizeof sk);
	tc_zeroize(&d, sizeof d);
	tc_zeroize(seed, sizeof seed);
	struct tpmc_pubkey key = { .type = TPMC_ALG_ECC };
	memcpy(key.x, pub.x, 32);
	memcpy(key.y, pub.y, 32);
	struct x509_signer s = signer(a);
	if (rc || x509_issuer_init(&a->ca, &key, "UNANCHORED development CA", "NOT TRUSTWORTHY") ||
	    !(a->ca_der_len = x509_ca_cert(&a->ca, &s, a->ca_der, sizeof a->ca_der))) {
		console_printf("anchor: unanchored development CA could not be made\n");
		return -1;
	}
	print_ca(a, "UNANCHORED development key, NOT trustworthy");
	return 0;
}

int anchoring_init(struct anchoring *a, bool allow_unanchored)
{
	memset(a, 0, sizeof *a);
	tpmc_init(&a->ptpm, ptpm_timed_xfer, a);
	uint64_t t0 = ticks();
	int rc;
	if (allow_unanchored)
		rc = unanchored_init(a);                  /* chosen in anchor.cfg: even with a PTPM */
	else if (!ptpm_present())
		rc = -1, console_printf("anchor: no physical TPM: vTPMs cannot be anchored\n");
	else
		rc = anchored_init(a);
	if (rc == 0 && a->anchored)
		console_printf("anchor: anchoring ready in %llu ms (%u PTPM commands, %llu ms in "
		               "the PTPM)\n", (unsigned long long)ms(ticks() - t0), a->ptpm_cmds,
		               (unsigned long long)ms(a->ptpm_ticks));
	else if (rc)
		console_printf("anchor: vTPMs will not start (fail closed; anchor.cfg [platform] "
		               "vtpm_anchor = unanchored-development gives untrusted vTPMs for "
		               "development)\n");
	a->ready = rc == 0;
	return rc;
}

/* ---- per LTPM -------------------------------------------------------------------------------- */

/* The LPAR's entry in a->seed_cost (a free one when `add`), or NULL. */
static struct anchoring_seed_cost *seed_cost_of(struct anchoring *a, const struct cfg_lpar *c,
                                                bool add)
{
	for (unsigned i = 0; i < CFG_MAX_LPARS; i++)
		if (a->seed_cost[i].lpar == c)
			return &a->seed_cost[i];
	for (unsigned i = 0; add && i < CFG_MAX_LPARS; i++)
		if (!a->seed_cost[i].lpar) {
			a->seed_cost[i].lpar = c;
			return &a->seed_cost[i];
		}
	return NULL;
}

int anchoring_ltpm_seeds(struct anchoring *a, const struct cfg_lpar *c, struct tpm2_seeds *out)
{
	uint8_t digest[32], in[ANCHOR_SECRET_INPUT_LEN], secret[32];
	uint64_t t0 = ticks(), ptpm0 = a->ptpm_ticks;
	uint32_t cmds0 = a->ptpm_cmds;
	int rc = -1;
	if (!a->ready || anchor_config_digest(c, digest)) {
		console_printf("anchor: lpar %s: no seeds (anchoring not ready)\n", c->name);
		return -1;
	}
	anchor_secret_input(digest, in);
	if (a->anchored) {
		if (tpmc_hmac_sha256(&a->ptpm, a->psk_hmac, in, sizeof in, secret))
			report_tpm_error("PTPM", &a->ptpm);
		else
			rc = 0;
	} else {
		rc = tc_hmac(TC_ALG_SHA256, a->dev_secret, sizeof a->dev_secret, in, sizeof in,
		             secret) == 32 ? 0 : -1;
	}
	if (rc == 0)
		anchor_seeds_derive(digest, secret, out);
	tc_zeroize(secret, sizeof secret);
	struct anchoring_seed_cost *sc = seed_cost_of(a, c, true);
	if (sc) {
		sc->ticks = ticks() - t0;
		sc->ptpm_ticks = a->ptpm_ticks - ptpm0;
		sc->ptpm_cmds = a->ptpm_cmds - cmds0;
	}
	return rc;
}

int anchoring_ltpm_provision(struct anchoring *a, const struct cfg_lpar *c, struct tpm2 *t)
{
	struct anchor_provisioned p;
	uint64_t t0 = ticks(), ptpm0 = a->ptpm_ticks;
	uint32_t cmds0 = a->ptpm_cmds;
	if (!a->ready)
		return -1;
	tpmc_init(&a->ltpm, ltpm_xfer, t);
	struct x509_signer s = signer(a);
	int rc = anchor_ltpm_provision(&a->ltpm, &a->ca, a->ca_der, a->ca_der_len, &s, &p);
	if (rc) {
		/* A failed signature is the PTPM's error; anything else is the LTPM's. */
		if (a->anchored && a->ptpm.failed)
			report_tpm_error("PTPM", &a->ptpm);
		report_tpm_error("LTPM", &a->ltpm);
		console_printf("anchor: lpar %s: EK provisioning failed\n", c->name);
		return -1;
	}
	char rsa[65], ecc[65];
	hex(rsa, p.rsa_spki_sha256, 32);
	hex(ecc, p.ecc_spki_sha256, 32);
	console_printf("anchor: lpar %s vtpm %s ek rsa2048 sha256=%s ecc-p256 sha256=%s\n", c->name,
	               cfg_interface_name(c->interface), rsa, ecc);
	/* The seeds' cost counts once, in the line after them (an LPAR reset has none). */
	struct anchoring_seed_cost none = { 0 }, *sc = seed_cost_of(a, c, false);
	if (!sc)
		sc = &none;
	uint64_t own = ticks() - t0;
	console_printf("anchor: lpar %s anchored in %llu ms: seeds %llu ms, EKs and certificates "
	               "%llu ms; %u PTPM commands, %llu ms in the PTPM; %u NV indices written\n",
	               c->name, (unsigned long long)ms(sc->ticks + own),
	               (unsigned long long)ms(sc->ticks), (unsigned long long)ms(own),
	               sc->ptpm_cmds + (a->ptpm_cmds - cmds0),
	               (unsigned long long)ms(sc->ptpm_ticks + a->ptpm_ticks - ptpm0), p.written);
	memset(sc, 0, sizeof *sc);
	return 0;
}

/* ---- entropy --------------------------------------------------------------------------------- */

/* Up to 32 bytes from RDSEED (or RDRAND when RDSEED has none or is absent); the count. */
static size_t cpu_random(uint8_t out[32])
{
	uint32_t r1[4], r7[4];
	cpuid(1, 0, r1);
	cpuid(7, 0, r7);
	bool has_rdseed = r7[1] & (1u << 18), has_rdrand = r1[2] & (1u << 30);
	size_t n = 0;
	for (int word = 0; word < 4; word++) {
		uint64_t v = 0;
		bool ok = false;
		for (int tries = 0; tries < 10 && !ok; tries++)
			ok = (has_rdseed && rdseed64(&v)) || (has_rdrand && rdrand64(&v));
		if (!ok)
			break;
		memcpy(out + n, &v, 8);
		n += 8;
	}
	return n;
}

void anchoring_entropy(struct anchoring *a, uint8_t *buf, size_t len)
{
	while (len) {
		uint8_t hw[32], tpm[32], block[32];
		size_t n_hw = cpu_random(hw);
		bool have_tpm = ptpm_present() && tpmc_get_random(&a->ptpm, tpm, sizeof tpm) == 0;
		uint64_t now = ticks();
		tc_hash_ctx h;
		tc_hash_init(&h, TC_ALG_SHA256);
		tc_hash_update(&h, "anchor entropy", 14);
		tc_hash_update(&h, hw, n_hw);
		if (have_tpm)
			tc_hash_update(&h, tpm, sizeof tpm);
		tc_hash_update(&h, &now, sizeof now);
		tc_hash_update(&h, &a->entropy_calls, sizeof a->entropy_calls);
		a->entropy_calls++;
		tc_hash_final(&h, block);
		if (!n_hw && !have_tpm && !a->warned_entropy) {
			console_printf("anchor: WARNING: no entropy source (no RDSEED/RDRAND, no "
			               "physical TPM): the vTPMs' random numbers are predictable\n");
			a->warned_entropy = true;
		}
		size_t take = len < sizeof block ? len : sizeof block;
		memcpy(buf, block, take);
		buf += take;
		len -= take;
		tc_zeroize(hw, sizeof hw);
		tc_zeroize(tpm, sizeof tpm);
		tc_zeroize(block, sizeof block);
		tc_zeroize(&h, sizeof h);
	}
}
