/*
 * The test guest's TPM driver, client and modes (guests/testguest/tpm_*.c), compiled natively
 * and run against the real TIS and CRB front-ends (vtpm/frontend) and the real engine
 * (vtpm/tpm2), before any hypervisor is involved: the same source files the guest links.
 *
 * This file plays the hypervisor's parts: the guest's struct tpm_io calls tis_/crb_mmio_* as
 * the MMIO exit handler would; the CRB buffer is an array standing in for LPAR RAM; while the
 * driver waits, a stand-in HTPM takes the command (a copy), executes it and completes it; the
 * "firmware" runs Startup(CLEAR), provisions EK-certificate-like NV indices with the platform
 * hierarchy and disables it, as the HTPM does before an LPAR starts (the TIS limited to
 * localities 0-2, as hv/vtpm.c configures it); a platform reset
 * (port 0xCF9 in the guest) re-runs that firmware step and the mode, as restart = reset does.
 * The console (console.h) is captured and judged line by line.
 */
#include "check.h"
#include "console.h"
#include "crb.h"
#include "tis.h"
#include "tpm2.h"
#include "tpm_client.h"
#include "tpm_modes.h"
#include "bearssl_hash.h"
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CRB_BUF_GPA 0x3000u      /* where the stand-in puts the CRB buffer in "LPAR RAM" */
#define RAM_SIZE    0x10000u
#define CERT_SIZE   700u

/* ---- the console the modes print to ------------------------------------------------------- */

static char out[1 << 20];
static size_t out_len;
static jmp_buf reset_jmp;

void putc_serial(char c)
{
	if (out_len + 1 < sizeof(out))
		out[out_len++] = c;
}

void puts_serial(const char *s)
{
	while (*s)
		putc_serial(*s++);
}

void put_hex(uint64_t v)
{
	char b[24];
	snprintf(b, sizeof(b), "0x%llx", (unsigned long long)v);
	puts_serial(b);
}

void put_dec(uint64_t v)
{
	char b[24];
	snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
	puts_serial(b);
}

void put_hex_bytes(const uint8_t *p, size_t n)
{
	char b[3];
	for (size_t i = 0; i < n; i++) {
		snprintf(b, sizeof(b), "%02x", p[i]);
		puts_serial(b);
	}
}

void platform_reset(void)
{
	longjmp(reset_jmp, 1);
}

uint64_t read_tsc(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

_Noreturn void halt(void)
{
	abort();
}

/* ---- the stand-in LPAR: front-end, RAM, engine -------------------------------------------- */

static uint64_t now_ms(void *ctx)
{
	(void)ctx;
	return (uint64_t)(read_tsc() / 1000000u);
}

static void entropy(void *ctx, uint8_t *buf, size_t len)
{
	static uint64_t x = 0x9E3779B97F4A7C15ull;
	(void)ctx;
	for (size_t i = 0; i < len; i++) {   /* xorshift: test entropy only */
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
}

struct lpar {
	enum tpm_intf intf;
	bool crb_in_window;
	struct tis tis;
	struct crb crb;
	struct tpm2 *tpm;
	uint8_t ram[RAM_SIZE];
	struct tpm_io io;
	bool serve;                   /* the HTPM answers (false: it never does) */
	size_t held;                  /* a command the HTPM took but has not answered yet */
	uint8_t held_loc;
	unsigned long served;
	uint8_t cmd[TPM2_MAX_COMMAND_SIZE], rsp[TPM2_MAX_RESPONSE_SIZE];
};

static uint64_t io_read(void *ctx, uint32_t off, unsigned width)
{
	struct lpar *l = ctx;
	uint64_t v = 0;
	int rc = l->intf == TPM_INTF_TIS ? tis_mmio_read(&l->tis, off, width, &v)
	                                 : crb_mmio_read(&l->crb, off, width, &v);
	if (rc)
		abort();   /* the driver made an access the decoder would never produce */
	return v;
}

static void io_write(void *ctx, uint32_t off, unsigned width, uint64_t v)
{
	struct lpar *l = ctx;
	int rc = l->intf == TPM_INTF_TIS ? tis_mmio_write(&l->tis, off, width, v)
	                                 : crb_mmio_write(&l->crb, off, width, v);
	if (rc)
		abort();
}

static uint8_t *io_map(void *ctx, uint64_t gpa, size_t len)
{
	struct lpar *l = ctx;
	return gpa < RAM_SIZE && len <= RAM_SIZE - gpa ? l->ram + gpa : NULL;
}

/* The HTPM takes a queued command (a copy) without executing it yet. */
static bool htpm_take(struct lpar *l)
{
	l->held = l->intf == TPM_INTF_TIS ? tis_take_command(&l->tis, l->cmd, sizeof(l->cmd), &l->held_loc)
	                                  : crb_take_command(&l->crb, l->cmd, sizeof(l->cmd), &l->held_loc);
	return l->held != 0;
}

/* The HTPM's turn: take a queued command (unless one is held), execute it, complete it. */
static void htpm_serve(struct lpar *l)
{
	if (!l->held && !htpm_take(l))
		return;
	size_t n = l->held;
	l->held = 0;
	size_t r = tpm2_execute(l->tpm, l->held_loc, l->cmd, n, l->rsp, sizeof(l->rsp));
	if (l->intf == TPM_INTF_TIS)
		tis_complete(&l->tis, l->rsp, r);
	else
		crb_complete(&l->crb, l->rsp, r);
	l->served++;
}

static bool io_wait(void *ctx, unsigned round)
{
	struct lpar *l = ctx;
	if (l->serve)
		htpm_serve(l);
	return round < 50;
}

static const struct tpm_io lpar_io = { io_read, io_write, io_map, io_wait, NULL };

static void frontend_init(struct lpar *l)
{
	if (l->intf == TPM_INTF_TIS) {
		/* as hv/vtpm.c configures it: localities 3 and 4 are the platform's */
		static const struct tis_config tis_cfg = { .locality_limit = 3 };
		tis_init(&l->tis, &tis_cfg);
		return;
	}
	struct crb_config cfg;
	if (l->crb_in_window) {
		crb_config_in_window(&cfg, TPM_WINDOW_BASE);
	} else {
		memset(&cfg, 0, sizeof(cfg));
		cfg.buf_gpa = CRB_BUF_GPA;
		cfg.buf_size = 4096;
		cfg.buf = l->ram + CRB_BUF_GPA;
	}
	if (crb_init(&l->crb, &cfg))
		abort();
}

/* The HTPM as firmware: _TPM_Init, Startup(CLEAR), the EK certificate indices written with the
 * platform hierarchy (first boot only), then the platform hierarchy disabled.  Through the
 * front-end at locality 0, with the guest's own client. */
static uint8_t cert_bytes(uint32_t index, unsigned i)
{
	return (uint8_t)(index * 7 + i * 13);
}

static bool firmware(struct lpar *l, bool first_boot)
{
	static struct tpm_dev dev;
	static struct tpmc c;
	static const uint32_t indices[3] = { TPM_NV_EK_CERT_RSA, TPM_NV_EK_CERT_ECC, TPM_NV_EK_CHAIN };
	uint8_t cert[CERT_SIZE];
	tpm2_power_on(l->tpm);
	if (l->intf == TPM_INTF_TIS)
		tis_reset(&l->tis);
	else
		crb_reset(&l->crb);
	if (tpm_probe(&dev, &l->io) != 0)
		return false;
	tpmc_init(&c, &dev);
	bool ok = tpmc_startup(&c, TPM_SU_CLEAR) == TPM_RC_SUCCESS;
	for (unsigned k = 0; first_boot && k < 3; k++) {
		for (unsigned i = 0; i < CERT_SIZE; i++)
			cert[i] = cert_bytes(indices[k], i);
		ok = ok && tpmc_nv_define(&c, TPM_RH_PLATFORM, indices[k],
		                          1u /* PPWRITE */ | TPMA_NV_PPREAD | TPMA_NV_OWNERREAD |
		                          TPMA_NV_AUTHREAD | TPMA_NV_NO_DA | TPMA_NV_PLATFORMCREATE,
		                          CERT_SIZE) == TPM_RC_SUCCESS;
		ok = ok && tpmc_nv_write(&c, TPM_RH_PLATFORM, indices[k], cert, CERT_SIZE) == TPM_RC_SUCCESS;
	}
	ok = ok && tpmc_hierarchy_control(&c, TPM_RH_PLATFORM, TPM_RH_PLATFORM, false) == TPM_RC_SUCCESS;
	return ok;
}

static struct lpar *lpar_new(enum tpm_intf intf, bool crb_in_window)
{
	static const struct tpm2_platform plat = { entropy, now_ms, NULL };
	struct lpar *l = calloc(1, sizeof(*l));
	struct tpm2_seeds seeds;
	for (unsigned i = 0; i < TPM2_SEED_SIZE; i++)
		seeds.eps[i] = (uint8_t)(i * 3), seeds.pps[i] = (uint8_t)(i + 9), seeds.sps[i] = (uint8_t)(i + 5);
	l->intf = intf;
	l->crb_in_window = crb_in_window;
	l->tpm = calloc(1, tpm2_instance_size());
	tpm2_manufacture(l->tpm, &plat, &seeds);
	l->io = lpar_io;
	l->io.ctx = l;
	l->serve = true;
	frontend_init(l);
	return l;
}

static void lpar_free(struct lpar *l)
{
	free(l->tpm);
	free(l);
}

/* ---- running a mode and judging its console ------------------------------------------------- */

/* Boots the LPAR (the firmware step: _TPM_Init, Startup) and runs args, with as many platform
 * resets as the mode asks for (at most 3). */
static void run_mode(struct lpar *l, const char *args, const char *name)
{
	static volatile unsigned resets;
	out_len = 0;
	resets = 0;
	if (!firmware(l, false))
		puts_serial("vtpm: host: firmware at boot FAIL\n");
	if (setjmp(reset_jmp)) {
		if (++resets > 3)
			return;
		if (!firmware(l, false))
			puts_serial("vtpm: host: firmware after reset FAIL\n");
	}
	if (!tpm_mode_run(args, name, &l->io))
		puts_serial("vtpm: host: unknown mode FAIL\n");
	out[out_len] = 0;
}

static bool has(const char *s)
{
	return strstr(out, s) != NULL;
}

/* The failing lines of the last run, for the check's reason. */
static const char *fails(void)
{
	static char b[600];
	b[0] = 0;
	for (const char *p = out; (p = strstr(p, "FAIL")) != NULL; p++) {
		const char *start = p;
		while (start > out && start[-1] != '\n')
			start--;
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - start) : strlen(start);
		if (strlen(b) + n + 3 < sizeof(b)) {
			strncat(b, start, n);
			strcat(b, " | ");
		}
		p = end ? end : p;
	}
	return b;
}

/* Reassembles "vtpm: dump <label> <off>: <hex>" lines; returns the length or -1. */
static long undump(const char *label, uint8_t *dst, size_t max)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "vtpm: dump %s ", label);
	size_t n = 0;
	for (const char *p = out; (p = strstr(p, prefix)) != NULL;) {
		p += strlen(prefix);
		if (strncmp(p, "end ", 4) == 0)
			return strtol(p + 4, NULL, 10) == (long)n ? (long)n : -1;
		unsigned long off = strtoul(p, (char **)&p, 10);
		if (off != n || strncmp(p, ": ", 2) != 0)
			return -1;
		for (p += 2; p[0] && p[0] != '\n'; p += 2) {
			unsigned v;
			if (n >= max || sscanf(p, "%2x", &v) != 1)
				return -1;
			dst[n++] = (uint8_t)v;
		}
	}
	return -1;
}

static const char *intf_name(const struct lpar *l)
{
	return l->intf == TPM_INTF_TIS ? "tis" : l->crb_in_window ? "crb (buffer in the window)" : "crb";
}

static void test_e2e(struct lpar *l)
{
	char name[160];
	run_mode(l, "tpm 40", "alpha");
	snprintf(name, sizeof(name), "%s: mode tpm 40 passes all its checks, then its load", intf_name(l));
	check(has("vtpm: all ") && !has("FAIL") && has(" 0 lost, 0 misrouted"), name, "%s", fails());
	snprintf(name, sizeof(name), "%s: Startup answered TPM_RC_INITIALIZE", intf_name(l));
	CHECK(name, has("vtpm: Startup(CLEAR) is TPM_RC_INITIALIZE (the HTPM ran it) ok"));
	uint8_t buf[4096];
	bool certs = true;
	static const struct { const char *label; uint32_t index; } nv[3] = {
		{ "cert-rsa", TPM_NV_EK_CERT_RSA }, { "cert-ecc", TPM_NV_EK_CERT_ECC }, { "chain-0", TPM_NV_EK_CHAIN },
	};
	for (unsigned k = 0; k < 3; k++) {
		long n = undump(nv[k].label, buf, sizeof(buf));
		certs = certs && n == CERT_SIZE;
		for (long i = 0; certs && i < n; i++)
			certs = buf[i] == cert_bytes(nv[k].index, (unsigned)i);
	}
	snprintf(name, sizeof(name), "%s: the dumped NV contents equal what the firmware wrote", intf_name(l));
	CHECK(name, certs);
	snprintf(name, sizeof(name), "%s: an RSA modulus of 256 bytes and an ECC point were dumped", intf_name(l));
	CHECK(name, undump("ek-rsa-n", buf, sizeof(buf)) == 256 && undump("ek-ecc-x", buf, sizeof(buf)) == 32 &&
	            undump("ek-ecc-y", buf, sizeof(buf)) == 32);
}

/* "tpm brief": no dump lines, one line per dump with its size and hash instead. */
static void test_brief(struct lpar *l)
{
	char name[160], want[160];
	uint8_t cert[CERT_SIZE], h[32];
	br_sha256_context c;
	for (unsigned i = 0; i < CERT_SIZE; i++)
		cert[i] = cert_bytes(TPM_NV_EK_CERT_RSA, i);
	br_sha256_init(&c);
	br_sha256_update(&c, cert, sizeof(cert));
	br_sha256_out(&c, h);
	int n = snprintf(want, sizeof(want), "vtpm: cert-rsa: %u bytes, sha256 ", CERT_SIZE);
	for (unsigned i = 0; i < 32; i++)
		n += snprintf(want + n, sizeof(want) - (size_t)n, "%02x", h[i]);
	run_mode(l, "tpm brief", "alpha");
	snprintf(name, sizeof(name), "%s: mode 'tpm brief' passes, prints sizes and hashes, no dumps",
	         intf_name(l));
	check(has("vtpm: all ") && !has("FAIL") && !has("vtpm: dump") && has(want), name, "%s", fails());
}

static void test_load(struct lpar *l)
{
	char name[160];
	run_mode(l, "tpm-load 300", "beta");
	snprintf(name, sizeof(name), "%s: tpm-load 300: every response arrived and matched", intf_name(l));
	check(has(" 0 lost, 0 misrouted") && has("vtpm: all ") && !has("FAIL"), name, "%s", fails());
	unsigned long sent = 0, ok = 0;
	const char *p = strstr(out, "vtpm: load ");
	while (p && sscanf(p, "vtpm: load %lu commands, %lu ok", &sent, &ok) != 2)
		p = strstr(p + 1, "vtpm: load ");
	snprintf(name, sizeof(name), "%s: tpm-load counts >= 300 commands, all ok", intf_name(l));
	check(sent >= 300 && ok == sent, name, "sent %lu ok %lu", sent, ok);
}

static void test_hostile(struct lpar *l)
{
	char name[160];
	run_mode(l, "tpm-hostile 40", "mallory");
	snprintf(name, sizeof(name), "%s: tpm-hostile passes all its checks", intf_name(l));
	check(has("vtpm: all ") && !has("FAIL"), name, "%s", fails());
}

static void test_reset(struct lpar *l)
{
	char name[160];
	run_mode(l, "tpm-reset", "beta");
	snprintf(name, sizeof(name), "%s: tpm-reset: first life, reset, second life", intf_name(l));
	CHECK(name, has("vtpm: reset: first life") && has("vtpm: reset: second life"));
	snprintf(name, sizeof(name), "%s: tpm-reset: vEK and NV kept, PCRs reset", intf_name(l));
	check(has("vtpm: reset: the vEK is the one from before the reset ok") &&
	      has("vtpm: reset: PCR 16 was reset ok") && !has("FAIL"), name, "%s", fails());
}

static void test_bench(struct lpar *l)
{
	char name[160];
	unsigned long n, reads, writes, waits;
	run_mode(l, "tpm-bench 20", "alpha");
	const char *p = strstr(out, "vtpm: bench ");
	bool parsed = p && sscanf(p, "vtpm: bench %lu GetRandom(32), 12+44 bytes: %lu reads %lu writes %lu waits",
	                          &n, &reads, &writes, &waits) == 4 && n == 20;
	snprintf(name, sizeof(name), "%s: tpm-bench 20 reports its accesses", intf_name(l));
	check(parsed && !has("FAIL"), name, "%s", fails());
	if (!parsed)
		return;
	printf("# %s: per GetRandom(32): %.1f reads, %.1f writes, %.1f waits\n", intf_name(l),
	       (double)reads / n, (double)writes / n, (double)waits / n);
	if (l->intf == TPM_INTF_CRB && !l->crb_in_window) {
		/* Linux's tpm_crb writes LOC_CTRL, CTRL_REQ, CTRL_CANCEL, CTRL_START, CTRL_REQ, LOC_CTRL */
		check(writes == 6 * n, "crb: 6 register writes per command, as Linux's tpm_crb", "%lu", writes);
	} else if (l->intf == TPM_INTF_TIS) {
		/* bytes moved one at a time: 12 + 44, plus the fixed part of Linux's sequence */
		check(reads + writes <= n * (12 + 44 + 24), "tis: accesses per command <= bytes + 24",
		      "%lu", (reads + writes) / n);
	}
}

/* A device that never answers: the driver gives up with a timeout and the client says so. */
static void test_timeout(void)
{
	struct lpar *l = lpar_new(TPM_INTF_CRB, false);
	struct tpm_dev d;
	struct tpmc c;
	uint8_t b[16];
	l->serve = false;
	CHECK("crb: probe finds the buffer in RAM", tpm_probe(&d, &l->io) == 0 && d.cmd == l->ram + CRB_BUF_GPA);
	tpmc_init(&c, &d);
	long rc = tpmc_get_random(&c, b, sizeof(b));
	check(rc == TPM_E_TIMEOUT, "crb: no answer from the HTPM is a timeout", "rc %ld", rc);
	lpar_free(l);
	l = lpar_new(TPM_INTF_TIS, false);
	l->serve = false;
	CHECK("tis: probe", tpm_probe(&d, &l->io) == 0 && d.intf == TPM_INTF_TIS);
	tpmc_init(&c, &d);
	rc = tpmc_get_random(&c, b, sizeof(b));
	check(rc == TPM_E_TIMEOUT, "tis: no answer from the HTPM is a timeout", "rc %ld", rc);
	lpar_free(l);
}

/* A command abandoned (TIS commandReady; CRB cancel + goIdle) after the HTPM took it: the next
 * command waits for the buffer and gets its own response, never the abandoned one's. */
static void test_abandon_taken(enum tpm_intf intf)
{
	static const uint8_t get_random_8[12] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0, 8 };
	struct lpar *l = lpar_new(intf, false);
	struct tpm_dev d;
	struct tpmc c;
	uint8_t b[32];
	char name[160];
	bool fw = firmware(l, true);
	bool started = fw && tpm_probe(&d, &l->io) == 0 && tpm_send(&d, get_random_8, 12) == 0;
	bool taken = started && htpm_take(l);
	unsigned long before = l->served;
	tpm_abort(&d);
	tpmc_init(&c, &d);
	long rc = tpmc_get_random(&c, b, sizeof(b));   /* 32 bytes: the abandoned one asked for 8 */
	snprintf(name, sizeof(name), "%s: abandoned after the HTPM took it, the next command gets "
	         "its own response", intf == TPM_INTF_TIS ? "tis" : "crb");
	check(taken && rc == TPM_RC_SUCCESS && l->served - before == 2, name,
	      "taken %d rc %ld served %lu", taken, rc, l->served - before);
	lpar_free(l);
}

int main(void)
{
	static const struct { enum tpm_intf intf; bool in_window; } kinds[3] = {
		{ TPM_INTF_TIS, false }, { TPM_INTF_CRB, false }, { TPM_INTF_CRB, true },
	};
	for (unsigned k = 0; k < 3; k++) {
		struct lpar *l = lpar_new(kinds[k].intf, kinds[k].in_window);
		char name[160];
		snprintf(name, sizeof(name), "%s: firmware: Startup, EK-certificate NV, platform disabled",
		         intf_name(l));
		CHECK(name, firmware(l, true));
		test_e2e(l);
		test_brief(l);
		test_load(l);
		test_hostile(l);
		test_reset(l);
		test_bench(l);
		printf("# %s: %lu commands served\n", intf_name(l), l->served);
		lpar_free(l);
	}
	test_timeout();
	test_abandon_taken(TPM_INTF_TIS);
	test_abandon_taken(TPM_INTF_CRB);
	return check_exit();
}
