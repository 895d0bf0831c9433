/*
 * The test guest's vTPM modes (tpm_modes.h): what each proves is in docs/testguest.md.
 * Output is line-oriented for the host scripts: check lines, "vtpm: dump <label> <offset>:
 * <hex>" lines that the host reassembles (EK public keys, certificates), and count lines.
 * SHA-256 for the expected values is BearSSL's (the engine's is not used: a bug there must not
 * hide itself).
 */
#include "tpm_modes.h"
#include "console.h"
#include "tpm_client.h"
#include "bearssl_hash.h"
#include <string.h>

#define DEBUG_PCR 16   /* resettable from locality 0: the reset test's witness */
#define LOAD_PCR  23   /* the application PCR the load test extends */
#define RESET_MARKER_INDEX 0x01500A00u
#define MAX_CERT  2048u
#define CHAIN_MAX 8u

struct run {
	struct tpm_dev dev;
	struct tpmc c;
	const char *name;
	unsigned checks, failed;
	bool brief;                  /* "brief": one line per dump (size and hash), for the demo */
	uint8_t buf[MAX_CERT];
};

/* ---- output ---------------------------------------------------------------------------------- */

static void check(struct run *r, bool good, const char *what, const char *detail, long value)
{
	r->checks++;
	puts_serial("vtpm: ");
	puts_serial(what);
	if (good) {
		puts_serial(" ok\n");
		return;
	}
	r->failed++;
	puts_serial(" FAIL ");
	puts_serial(detail);
	puts_serial(" ");
	if (value < 0) {
		puts_serial(tpm_strerror((int)value));
		puts_serial(value == TPMC_E_MALFORMED ? " (malformed response)" : "");
	} else {
		put_hex((uint64_t)value);
	}
	puts_serial("\n");
}

static void check_rc(struct run *r, long rc, long want, const char *what)
{
	check(r, rc == want, what, "rc", rc);
}

static void sha256(const void *a, size_t an, const void *b, size_t bn, uint8_t out[32])
{
	br_sha256_context h;
	br_sha256_init(&h);
	br_sha256_update(&h, a, an);
	br_sha256_update(&h, b, bn);
	br_sha256_out(&h, out);
}

/* The hex of data as "vtpm: dump <label> <offset>: <up to 32 bytes>" lines and an end line;
 * brief: "vtpm: <label>: <n> bytes, sha256 <hash>" alone. */
static void dump(const struct run *r, const char *label, const uint8_t *p, size_t n)
{
	if (r->brief) {
		uint8_t h[32];
		sha256(p, n, "", 0, h);
		puts_serial("vtpm: ");
		puts_serial(label);
		puts_serial(": ");
		put_dec(n);
		puts_serial(" bytes, sha256 ");
		put_hex_bytes(h, 32);
		puts_serial("\n");
		return;
	}
	for (size_t off = 0; off < n; off += 32) {
		puts_serial("vtpm: dump ");
		puts_serial(label);
		puts_serial(" ");
		put_dec(off);
		puts_serial(": ");
		put_hex_bytes(p + off, n - off < 32 ? n - off : 32);
		puts_serial("\n");
	}
	puts_serial("vtpm: dump ");
	puts_serial(label);
	puts_serial(" end ");
	put_dec(n);
	puts_serial("\n");
}

static void say(const char *what, long value)
{
	puts_serial("vtpm: ");
	puts_serial(what);
	put_hex((uint64_t)value);
	puts_serial("\n");
}

static bool summary(struct run *r)
{
	puts_serial("vtpm: ");
	if (r->failed == 0) {
		puts_serial("all ");
		put_dec(r->checks);
		puts_serial(" checks passed\n");
	} else {
		put_dec(r->failed);
		puts_serial(" of ");
		put_dec(r->checks);
		puts_serial(" checks FAILED\n");
	}
	return r->failed == 0;
}

/* ---- helpers --------------------------------------------------------------------------------- */


static size_t str_len(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

/* "<name>:" and i as 8 bytes: the LPAR-specific data a load command carries. */
static size_t tag(uint8_t *out, size_t max, const char *name, unsigned long i)
{
	size_t n = 0;
	for (; name[n] && n + 9 < max; n++)
		out[n] = (uint8_t)name[n];
	out[n++] = ':';
	for (unsigned k = 0; k < 8; k++)
		out[n++] = (uint8_t)(i >> (8 * k));
	return n;
}

static bool probe(struct run *r, const struct tpm_io *io)
{
	int rc = tpm_probe(&r->dev, io);
	tpmc_init(&r->c, &r->dev);
	check(r, rc == 0, "probe", "error", rc);
	if (rc)
		return false;
	puts_serial("vtpm: interface ");
	puts_serial(r->dev.intf == TPM_INTF_CRB ? "crb" : "tis");
	puts_serial(" did_vid ");
	put_hex(r->dev.did_vid);
	if (r->dev.intf == TPM_INTF_CRB) {
		puts_serial(r->dev.cmd ? " buffer in RAM at " : " buffer in the window at ");
		put_hex(r->dev.cmd_gpa);
		puts_serial(" size ");
		put_dec(r->dev.cmd_size);
	}
	puts_serial("\n");
	return true;
}

/* Creates the EK of a template and flushes it; the public key in *ek. */
static long create_ek(struct run *r, enum tpmc_ek kind, struct tpmc_ek_pub *ek)
{
	long rc = tpmc_create_ek(&r->c, kind, ek);
	if (rc == TPM_RC_SUCCESS) {
		long f = tpmc_flush(&r->c, ek->handle);
		check_rc(r, f, TPM_RC_SUCCESS, "flush the EK");
	}
	return rc;
}

/* ---- tpm: the end-to-end sequence ------------------------------------------------------------ */

static void e2e_random(struct run *r)
{
	uint8_t a[32], b[32];
	long rc = tpmc_get_random(&r->c, a, 32);
	check_rc(r, rc, TPM_RC_SUCCESS, "GetRandom(32)");
	long rc2 = tpmc_get_random(&r->c, b, 32);
	check(r, rc2 == TPM_RC_SUCCESS && memcmp(a, b, 32) != 0, "a second GetRandom(32) differs",
	      "rc", rc2);
}

static void e2e_pcr(struct run *r)
{
	static const uint8_t zero[32];
	uint8_t before[32], after[32], d[32], want[32];
	long rc = tpmc_pcr_read(&r->c, DEBUG_PCR, before);
	check(r, rc == TPM_RC_SUCCESS && memcmp(before, zero, 32) == 0,
	      "PCR_Read(16) after Startup(CLEAR) is zero", "rc", rc);
	sha256(r->name, str_len(r->name), "", 0, d);
	rc = tpmc_pcr_extend(&r->c, DEBUG_PCR, d);
	check_rc(r, rc, TPM_RC_SUCCESS, "PCR_Extend(16, sha256(lpar name))");
	rc = tpmc_pcr_read(&r->c, DEBUG_PCR, after);
	sha256(before, 32, d, 32, want);
	check(r, rc == TPM_RC_SUCCESS && memcmp(after, want, 32) == 0,
	      "PCR_Read(16) = sha256(old || digest)", "rc", rc);
	dump(r, "pcr16", after, 32);
}

static void e2e_eks(struct run *r)
{
	struct tpmc_ek_pub ek, again;
	long rc = create_ek(r, TPMC_EK_RSA2048, &ek);
	check_rc(r, rc, TPM_RC_SUCCESS, "CreatePrimary(EK template L-1, RSA 2048)");
	if (rc == TPM_RC_SUCCESS) {
		dump(r, "ek-rsa-n", ek.n, ek.n_len);
		check(r, ek.exponent == 0 || ek.exponent == 65537, "EK RSA exponent 65537", "exponent",
		      ek.exponent);
	}
	rc = create_ek(r, TPMC_EK_ECC_P256, &ek);
	check_rc(r, rc, TPM_RC_SUCCESS, "CreatePrimary(EK template L-2, ECC P-256)");
	if (rc != TPM_RC_SUCCESS)
		return;
	dump(r, "ek-ecc-x", ek.x, 32);
	dump(r, "ek-ecc-y", ek.y, 32);
	rc = create_ek(r, TPMC_EK_ECC_P256, &again);
	check(r, rc == TPM_RC_SUCCESS && memcmp(ek.x, again.x, 32) == 0 &&
	      memcmp(ek.y, again.y, 32) == 0, "the ECC EK again: the same key", "rc", rc);
}

/* Reads an NV index into r->buf and dumps it; returns its size, 0 on failure.  rc_out gets the
 * NV_ReadPublic result (TPM_RC_HANDLE: no such index). */
static uint16_t read_nv(struct run *r, uint32_t index, const char *label, long *rc_out)
{
	uint32_t attrs = 0;
	uint16_t size = 0;
	long rc = tpmc_nv_read_public(&r->c, index, &attrs, &size);
	*rc_out = rc;
	if (rc != TPM_RC_SUCCESS)
		return 0;
	say("nv index ", index);
	say("nv attributes ", attrs);
	uint32_t must = TPMA_NV_PLATFORMCREATE | TPMA_NV_OWNERREAD | TPMA_NV_AUTHREAD |
	                TPMA_NV_NO_DA | TPMA_NV_WRITTEN | TPMA_NV_PPREAD;
	check(r, (attrs & must) == must && !(attrs & (TPMA_NV_OWNERWRITE | TPMA_NV_AUTHWRITE)),
	      "NV attributes platformCreate, ownerRead, authRead, ppRead, noDA, written, not "
	      "guest-writable", "attributes", attrs);
	if (size == 0 || size > MAX_CERT) {
		check(r, false, "NV size fits a certificate", "size", size);
		return 0;
	}
	rc = tpmc_nv_read(&r->c, index, index, r->buf, size);
	check_rc(r, rc, TPM_RC_SUCCESS, "NV_Read (index authorisation, empty password)");
	if (rc != TPM_RC_SUCCESS)
		return 0;
	dump(r, label, r->buf, size);
	return size;
}

static void e2e_nv(struct run *r)
{
	long rc;
	check(r, read_nv(r, TPM_NV_EK_CERT_RSA, "cert-rsa", &rc) > 0,
	      "EK certificate (RSA) at 0x01c00002", "rc", rc);
	check(r, read_nv(r, TPM_NV_EK_CERT_ECC, "cert-ecc", &rc) > 0,
	      "EK certificate (ECC) at 0x01c0000a", "rc", rc);
	unsigned found = 0;
	for (unsigned k = 0; k < CHAIN_MAX; k++) {
		char label[] = "chain-0";
		label[6] = (char)('0' + k);
		if (read_nv(r, TPM_NV_EK_CHAIN + k, label, &rc) == 0)
			break;
		found++;
	}
	check(r, found > 0 && tpm_rc_base(rc) == TPM_RC_HANDLE,
	      "EK certificate chain at 0x01c00100.. (ends with TPM_RC_HANDLE)", "rc", rc);
	say("chain certificates ", found);
}

static void mode_e2e(struct run *r)
{
	long rc = tpmc_startup(&r->c, TPM_SU_CLEAR);
	check_rc(r, rc, TPM_RC_INITIALIZE, "Startup(CLEAR) is TPM_RC_INITIALIZE (the HTPM ran it)");
	e2e_random(r);
	e2e_pcr(r);
	e2e_eks(r);
	e2e_nv(r);
}

/* ---- tpm-load: many commands carrying this LPAR's name --------------------------------------- */

struct load {
	unsigned long sent, ok, lost, wrong;
	uint8_t pcr[32];   /* what LOAD_PCR must hold */
};

static void count(struct load *l, long rc, bool right)
{
	l->sent++;
	if (rc < 0 && rc != TPMC_E_MALFORMED)
		l->lost++;
	else if (rc != TPM_RC_SUCCESS || !right)
		l->wrong++;
	else
		l->ok++;
}

static void load_one(struct run *r, struct load *l, unsigned long i)
{
	uint8_t data[64], want[32], got[32];
	size_t n = tag(data, sizeof(data), r->name, i);
	if (i % 2 == 0) {   /* Hash of the tag: the response names this LPAR's data */
		sha256(data, n, "", 0, want);
		long rc = tpmc_hash(&r->c, data, (uint16_t)n, got);
		count(l, rc, rc == TPM_RC_SUCCESS && memcmp(got, want, 32) == 0);
		return;
	}
	uint8_t d[32];   /* extend LOAD_PCR with the tag's digest; read back every 8th time */
	sha256(data, n, "", 0, d);
	long rc = tpmc_pcr_extend(&r->c, LOAD_PCR, d);
	count(l, rc, true);
	sha256(l->pcr, 32, d, 32, l->pcr);
	if (i % 16 == 15) {
		rc = tpmc_pcr_read(&r->c, LOAD_PCR, got);
		count(l, rc, rc == TPM_RC_SUCCESS && memcmp(got, l->pcr, 32) == 0);
	}
}

static void mode_load(struct run *r, unsigned long n)
{
	struct load l = { 0 };
	long rc = tpmc_pcr_read(&r->c, LOAD_PCR, l.pcr);
	check_rc(r, rc, TPM_RC_SUCCESS, "PCR_Read(23) before the load");
	puts_serial("vtpm: load start\n");
	uint64_t t0 = read_tsc();
	for (unsigned long i = 0; i < n; i++)
		load_one(r, &l, i);
	uint64_t ticks = read_tsc() - t0;
	puts_serial("vtpm: load ");
	put_dec(l.sent);
	puts_serial(" commands, ");
	put_dec(l.ok);
	puts_serial(" ok, ");
	put_dec(l.lost);
	puts_serial(" lost, ");
	put_dec(l.wrong);
	puts_serial(" misrouted, ");
	put_dec(ticks);
	puts_serial(" tsc\n");
	check(r, l.sent >= n && l.ok == l.sent, "load: every response arrived and was this LPAR's",
	      "lost+misrouted", (long)(l.lost + l.wrong));
}

/* ---- tpm-hostile ----------------------------------------------------------------------------- */

/* What a TPM answers a platform-hierarchy command after the firmware locked the hierarchy:
 * TPM_RC_HIERARCHY on handle 1 if phEnable was cleared, TPM_RC_BAD_AUTH on session 1 if
 * platformAuth was set to a random value (libtpms answers the same). */
static bool platform_locked_rc(long rc)
{
	return rc == (TPM_RC_HIERARCHY | TPM_RC_H | TPM_RC_1) ||
	       rc == (TPM_RC_BAD_AUTH | TPM_RC_S | TPM_RC_1);
}

/* Each refused operation is followed by the proof that nothing changed. */
static void hostile_platform(struct run *r)
{
	struct tpmc_ek_pub before, after;
	long ek = create_ek(r, TPMC_EK_ECC_P256, &before);
	check_rc(r, ek, TPM_RC_SUCCESS, "ECC EK before the attacks");
	static const uint32_t certs[2] = { TPM_NV_EK_CERT_RSA, TPM_NV_EK_CERT_ECC };
	for (unsigned i = 0; i < 2; i++) {
		long rc = tpmc_nv_undefine(&r->c, TPM_RH_OWNER, certs[i]);
		say("undefine EK certificate with owner auth: rc ", rc);
		check(r, rc == TPM_RC_NV_AUTHORIZATION, "NV_UndefineSpace(owner, EK cert) refused",
		      "rc", rc);
		rc = tpmc_nv_undefine(&r->c, TPM_RH_PLATFORM, certs[i]);
		say("undefine EK certificate with platform auth: rc ", rc);
		check(r, platform_locked_rc(rc), "NV_UndefineSpace(platform, EK cert) refused", "rc", rc);
		uint32_t attrs;
		uint16_t size;
		rc = tpmc_nv_read_public(&r->c, certs[i], &attrs, &size);
		check_rc(r, rc, TPM_RC_SUCCESS, "the EK certificate is still there");
	}
	long rc = tpmc_change_eps(&r->c);
	say("ChangeEPS: rc ", rc);
	check(r, platform_locked_rc(rc), "ChangeEPS refused", "rc", rc);
	rc = tpmc_hierarchy_control(&r->c, TPM_RH_PLATFORM, TPM_RH_PLATFORM, true);
	say("HierarchyControl(platform): rc ", rc);
	check(r, platform_locked_rc(rc), "HierarchyControl(platform) refused", "rc", rc);
	long ek2 = create_ek(r, TPMC_EK_ECC_P256, &after);
	check(r, ek == TPM_RC_SUCCESS && ek2 == TPM_RC_SUCCESS && memcmp(before.x, after.x, 32) == 0,
	      "the EK is unchanged", "rc", ek2);
}

static void hostile_localities(struct run *r)
{
	for (unsigned l = 0; l < 5; l++) {
		bool granted = tpm_locality_granted(&r->dev, l);
		/* TIS: guests get 0-2, never the platform's 3 and 4; CRB: locality 0 only. */
		bool want = r->dev.intf == TPM_INTF_TIS ? l <= 2 : l == 0;
		char what[] = "locality 0 granted";
		what[9] = (char)('0' + l);
		if (!want)
			memcpy(what + 11, "refused", 8);
		check(r, granted == want, what, granted ? "granted" : "refused", l);
	}
}

static bool random_works(struct run *r)
{
	uint8_t b[16];
	return tpmc_get_random(&r->c, b, sizeof(b)) == TPM_RC_SUCCESS;
}

static const uint8_t get_random_16[12] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0, 16 };
static const uint8_t get_random_32[12] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0, 32 };

static void hostile_aborts(struct run *r, unsigned long floods)
{
	const uint8_t *cmd = get_random_16;
	size_t n = sizeof(get_random_16);
	if (r->dev.intf == TPM_INTF_TIS) {   /* half a command, then commandReady */
		int rc = tpm_tis_request_locality(&r->dev, r->dev.locality);
		if (rc == 0)
			rc = tpm_tis_send_partial(&r->dev, cmd, n / 2);
		tpm_abort(&r->dev);
		check(r, rc == 0 && random_works(r), "abort in Reception, then a command works", "rc", rc);
	}
	/* A started command abandoned at once (TIS commandReady, CRB cancel + goIdle). */
	int rc = tpm_send(&r->dev, cmd, n);
	tpm_abort(&r->dev);
	check(r, rc == 0 && random_works(r), "abort in Execution, then a command works", "rc", rc);
	/* Flood: started and abandoned as fast as the interface takes them. */
	unsigned long refused = 0;
	for (unsigned long i = 0; i < floods; i++) {
		if (tpm_send(&r->dev, cmd, n) != 0)
			refused++;
		tpm_abort(&r->dev);
	}
	puts_serial("vtpm: flood ");
	put_dec(floods);
	puts_serial(" commands started and abandoned, ");
	put_dec(refused);
	puts_serial(" refused\n");
	check(r, random_works(r), "after the flood a command works", "", 0);
}

static void mode_hostile(struct run *r, unsigned long floods)
{
	hostile_platform(r);
	hostile_localities(r);
	hostile_aborts(r, floods);
}

/* ---- tpm-reset: what an LPAR reset keeps ----------------------------------------------------- */

static void mode_reset(struct run *r)
{
	static const uint8_t zero[32];
	struct tpmc_ek_pub ek;
	uint8_t pcr[32], mark[64];
	uint32_t attrs;
	uint16_t size;
	long rc = tpmc_create_ek(&r->c, TPMC_EK_ECC_P256, &ek);
	check_rc(r, rc, TPM_RC_SUCCESS, "reset: CreatePrimary(ECC EK)");
	(void)tpmc_flush(&r->c, ek.handle);
	long exists = tpmc_nv_read_public(&r->c, RESET_MARKER_INDEX, &attrs, &size);
	if (tpm_rc_base(exists) == TPM_RC_HANDLE) {   /* first life */
		puts_serial("vtpm: reset: first life\n");
		rc = tpmc_nv_define(&r->c, TPM_RH_OWNER, RESET_MARKER_INDEX,
		                    TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | TPMA_NV_AUTHREAD |
		                    TPMA_NV_AUTHWRITE | TPMA_NV_NO_DA, sizeof(mark));
		check_rc(r, rc, TPM_RC_SUCCESS, "reset: NV_DefineSpace(owner, marker)");
		memcpy(mark, ek.x, 32);
		memcpy(mark + 32, ek.y, 32);
		rc = tpmc_nv_write(&r->c, RESET_MARKER_INDEX, RESET_MARKER_INDEX, mark, sizeof(mark));
		check_rc(r, rc, TPM_RC_SUCCESS, "reset: NV_Write(marker = the EK)");
		uint8_t d[32];
		sha256("before reset", 12, "", 0, d);
		rc = tpmc_pcr_extend(&r->c, DEBUG_PCR, d);
		check_rc(r, rc, TPM_RC_SUCCESS, "reset: PCR_Extend(16)");
		rc = tpmc_pcr_read(&r->c, DEBUG_PCR, pcr);
		check(r, rc == TPM_RC_SUCCESS && memcmp(pcr, zero, 32) != 0, "reset: PCR 16 is set",
		      "rc", rc);
		(void)summary(r);
		puts_serial("vtpm: reset: resetting through port 0xcf9\n");
		platform_reset();
		check(r, false, "reset: the platform reset happened", "", 0);
		return;
	}
	puts_serial("vtpm: reset: second life\n");
	check_rc(r, exists, TPM_RC_SUCCESS, "reset: NV kept (the marker index exists)");
	rc = tpmc_nv_read(&r->c, RESET_MARKER_INDEX, RESET_MARKER_INDEX, mark, sizeof(mark));
	check(r, rc == TPM_RC_SUCCESS && memcmp(mark, ek.x, 32) == 0 && memcmp(mark + 32, ek.y, 32) == 0,
	      "reset: the vEK is the one from before the reset", "rc", rc);
	rc = tpmc_pcr_read(&r->c, DEBUG_PCR, pcr);
	check(r, rc == TPM_RC_SUCCESS && memcmp(pcr, zero, 32) == 0, "reset: PCR 16 was reset", "rc", rc);
	rc = tpmc_startup(&r->c, TPM_SU_CLEAR);
	check_rc(r, rc, TPM_RC_INITIALIZE, "reset: Startup is TPM_RC_INITIALIZE again");
	rc = tpmc_nv_undefine(&r->c, TPM_RH_OWNER, RESET_MARKER_INDEX);
	check_rc(r, rc, TPM_RC_SUCCESS, "reset: NV_UndefineSpace(owner, marker)");
}

/* ---- tpm-bench: driver accesses per command -------------------------------------------------- */

static void mode_bench(struct run *r, unsigned long n)
{
	uint64_t t_mode = read_tsc();
	uint8_t rsp[64];
	/* One command first, not counted: it may wait for the HTPM to finish anchoring an LPAR
	 * that starts after this one. */
	unsigned long bad = tpm_transmit(&r->dev, get_random_32, sizeof(get_random_32), rsp, sizeof(rsp)) != 44;
	unsigned long reads = r->dev.reads, writes = r->dev.writes, waits = r->dev.waits;
	uint64_t t0 = read_tsc();
	for (unsigned long i = 0; i < n; i++) {
		int len = tpm_transmit(&r->dev, get_random_32, sizeof(get_random_32), rsp, sizeof(rsp));
		bad += len != 44;
	}
	uint64_t ticks = read_tsc() - t0;
	puts_serial("vtpm: bench ");
	put_dec(n);
	puts_serial(" GetRandom(32), 12+44 bytes: ");
	put_dec(r->dev.reads - reads);
	puts_serial(" reads ");
	put_dec(r->dev.writes - writes);
	puts_serial(" writes ");
	put_dec(r->dev.waits - waits);
	puts_serial(" waits, setup ");
	put_dec(reads + writes);
	puts_serial(" accesses, ");
	put_dec(ticks);
	puts_serial(" tsc of ");
	put_dec(read_tsc() - t_mode);
	puts_serial(" in the mode\n");
	check(r, bad == 0, "bench: every response 44 bytes", "bad", (long)bad);
}

/* ---- dispatch -------------------------------------------------------------------------------- */

static bool word_is(const char *args, const char *word, const char **rest)
{
	size_t i = 0;
	for (; word[i]; i++)
		if (args[i] != word[i])
			return false;
	if (args[i] != '\0' && args[i] != ' ' && args[i] != '\t')
		return false;
	*rest = args + i;
	return true;
}

/* The first decimal word after the mode word, or def. */
static unsigned long number(const char *s, unsigned long def)
{
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || (s[-1] != ' ' && s[-1] != '\t'))
			continue;
		unsigned long v = 0;
		while (*s >= '0' && *s <= '9' && v < 100000000ul)
			v = v * 10 + (unsigned long)(*s++ - '0');
		return v;
	}
	return def;
}

/* Whether a word after the mode word is w. */
static bool has_word(const char *s, const char *w)
{
	const char *rest;
	for (; *s; s++)
		if ((s[-1] == ' ' || s[-1] == '\t') && word_is(s, w, &rest))
			return true;
	return false;
}

bool tpm_mode_run(const char *args, const char *lpar_name, const struct tpm_io *io)
{
	static struct run r;
	const char *rest;
	enum { E2E, LOAD, HOSTILE, RESET, BENCH } mode;
	if (word_is(args, "tpm", &rest))
		mode = E2E;
	else if (word_is(args, "tpm-load", &rest))
		mode = LOAD;
	else if (word_is(args, "tpm-hostile", &rest))
		mode = HOSTILE;
	else if (word_is(args, "tpm-reset", &rest))
		mode = RESET;
	else if (word_is(args, "tpm-bench", &rest))
		mode = BENCH;
	else
		return false;
	memset(&r, 0, sizeof(r));
	r.name = lpar_name;
	r.brief = has_word(rest, "brief");
	if (probe(&r, io)) {
		switch (mode) {
		case E2E:
			mode_e2e(&r);
			if (number(rest, 0))   /* "tpm N": the load after the sequence */
				mode_load(&r, number(rest, 0));
			break;
		case LOAD:    mode_load(&r, number(rest, 1000)); break;
		case HOSTILE: mode_hostile(&r, number(rest, 200)); break;
		case RESET:   mode_reset(&r); break;
		case BENCH:   mode_bench(&r, number(rest, 200)); break;
		}
	}
	(void)summary(&r);
	return true;
}
