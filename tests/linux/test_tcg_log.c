/*
 * Host unit test of the TCG event log writer (hv/tcg_log.c).
 *
 *   test_tcg_log [DUMP_DIR]
 *
 * Checks the Spec ID header byte by byte, the TCG_PCR_EVENT2 layout, and every refusal (bank
 * count, unknown or repeated algorithm, area too small, log full leaving the log unchanged, PCR
 * out of range).  With DUMP_DIR it writes the log of a measured direct boot (SHA-1 + SHA-256
 * banks: S-CRTM version, separators in PCRs 0-7, command line in PCR 8 as GRUB logs it, kernel
 * and initrd in PCR 9) to DUMP_DIR/log.bin (the part in use, as Linux exports it) and the
 * (pcr, bank, digest) of each event to DUMP_DIR/events.txt, for tests/linux/tcg-log.sh to
 * parse with tpm2_eventlog and replay.
 */
#include <anchor/tcg_log.h>
#include <bearssl_hash.h>
#include <stdio.h>
#include <string.h>
#include "check.h"

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	while (n--)
		v = v << 8 | p[n];
	return v;
}

static uint8_t area[4096];

static void header(void)
{
	struct tcg_log log;
	const uint16_t algs[] = { TCG_ALG_SHA1, TCG_ALG_SHA256 };
	const char *why = "";
	memset(area, 0xee, sizeof(area));
	check(tcg_log_init(&log, area, sizeof(area), algs, 2, &why) == 0, "tcg_log: init", "(%s)", why);
	CHECK("tcg_log: header event is EV_NO_ACTION in PCR 0 with a zero SHA-1 digest",
	      le(area, 4) == 0 && le(area + 4, 4) == EV_NO_ACTION && !memcmp(area + 8, (uint8_t[20]){ 0 }, 20));
	const uint8_t *s = area + 32;
	CHECK("tcg_log: Spec ID Event03, version 2.0, UINT64, 2 algorithms",
	      le(area + 28, 4) == 16 + 12 + 8 + 1 && !memcmp(s, "Spec ID Event03", 16) && s[20] == 0 &&
	      s[21] == 2 && s[23] == 2 && le(s + 24, 4) == 2);
	CHECK("tcg_log: algorithm table", le(s + 28, 2) == TCG_ALG_SHA1 && le(s + 30, 2) == 20 &&
	      le(s + 32, 2) == TCG_ALG_SHA256 && le(s + 34, 2) == 32 && s[36] == 0);
	CHECK("tcg_log: used = header, rest zeroed", log.used == 32 + 37 && area[log.used] == 0 &&
	      area[sizeof(area) - 1] == 0);

	uint8_t d1[20], d2[32];
	memset(d1, 0x11, sizeof(d1));
	memset(d2, 0x22, sizeof(d2));
	const uint8_t *dg[] = { d1, d2 };
	uint32_t at = log.used;
	check(tcg_log_append(&log, 9, EV_IPL, dg, "abc", 3, &why) == 0, "tcg_log: append", "(%s)", why);
	const uint8_t *e = area + at;
	CHECK("tcg_log: TCG_PCR_EVENT2 layout", le(e, 4) == 9 && le(e + 4, 4) == EV_IPL && le(e + 8, 4) == 2 &&
	      le(e + 12, 2) == TCG_ALG_SHA1 && e[14] == 0x11 && e[33] == 0x11 && le(e + 34, 2) == TCG_ALG_SHA256 &&
	      e[36] == 0x22 && e[67] == 0x22 && le(e + 68, 4) == 3 && !memcmp(e + 72, "abc", 3) &&
	      log.used == at + 75);

	why = "";
	check(tcg_log_append(&log, 24, EV_IPL, dg, NULL, 0, &why) == -1 && strstr(why, "PCR"),
	      "tcg_log: PCR 24 refused", "(%s)", why);
	uint32_t before = log.used;
	why = "";
	check(tcg_log_append(&log, 1, EV_IPL, dg, area, sizeof(area), &why) == -1 && strstr(why, "full") &&
	      log.used == before && area[before] == 0, "tcg_log: full log refuses, unchanged", "(%s)", why);
	unsigned n = 0;
	while (tcg_log_append(&log, 1, EV_POST_CODE, dg, "x", 1, NULL) == 0)
		n++;
	CHECK("tcg_log: fills up to the last byte, never past it", log.used <= sizeof(area) &&
	      sizeof(area) - log.used < 12 + 22 + 34 + 1 && n > 40);
}

static void refusals(void)
{
	struct tcg_log log;
	const char *why;
	uint16_t five[] = { 4, 0xB, 0xC, 0xD, 4 }, bad[] = { 0x10 }, dup[] = { 0xB, 0xB };
	why = "";
	check(tcg_log_init(&log, area, sizeof(area), five, 0, &why) == -1, "tcg_log: 0 banks refused", "(%s)", why);
	why = "";
	check(tcg_log_init(&log, area, sizeof(area), five, 5, &why) == -1, "tcg_log: 5 banks refused", "(%s)", why);
	why = "";
	check(tcg_log_init(&log, area, sizeof(area), bad, 1, &why) == -1 && strstr(why, "unknown"),
	      "tcg_log: unknown algorithm refused", "(%s)", why);
	why = "";
	check(tcg_log_init(&log, area, sizeof(area), dup, 2, &why) == -1 && strstr(why, "twice"),
	      "tcg_log: repeated algorithm refused", "(%s)", why);
	why = "";
	check(tcg_log_init(&log, area, 40, five, 4, &why) == -1 && strstr(why, "too small"),
	      "tcg_log: area too small refused", "(%s)", why);
	CHECK("tcg_log: digest sizes", tcg_alg_digest_size(TCG_ALG_SHA1) == 20 &&
	      tcg_alg_digest_size(TCG_ALG_SHA256) == 32 && tcg_alg_digest_size(TCG_ALG_SHA384) == 48 &&
	      tcg_alg_digest_size(TCG_ALG_SHA512) == 64 && tcg_alg_digest_size(0x12) == 0);
}

static void digests(const void *data, size_t len, uint8_t d1[20], uint8_t d2[32])
{
	br_sha1_context c1;
	br_sha256_context c2;
	br_sha1_init(&c1);
	br_sha1_update(&c1, data, len);
	br_sha1_out(&c1, d1);
	br_sha256_init(&c2);
	br_sha256_update(&c2, data, len);
	br_sha256_out(&c2, d2);
}

/* Logs one event whose digests are those of `measured` (the event data itself, or the file an
 * EV_IPL event names) and records them in events.txt. */
static void event(struct tcg_log *log, FILE *ev, uint32_t pcr, uint32_t type, const void *measured,
                  size_t mlen, const void *data, uint32_t len)
{
	uint8_t d1[20], d2[32];
	digests(measured, mlen, d1, d2);
	const uint8_t *dg[] = { d1, d2 };
	if (tcg_log_append(log, pcr, type, dg, data, len, NULL))
		return;
	fprintf(ev, "%u sha1 ", pcr);
	for (int i = 0; i < 20; i++)
		fprintf(ev, "%02x", d1[i]);
	fprintf(ev, "\n%u sha256 ", pcr);
	for (int i = 0; i < 32; i++)
		fprintf(ev, "%02x", d2[i]);
	fprintf(ev, "\n");
}

static void dump(const char *dir)
{
	static uint8_t log_area[65536], kernel[5000], initrd[3000];
	struct tcg_log log;
	const uint16_t algs[] = { TCG_ALG_SHA1, TCG_ALG_SHA256 };
	char path[512];
	snprintf(path, sizeof(path), "%s/events.txt", dir);
	FILE *ev = fopen(path, "w");
	if (!ev || tcg_log_init(&log, log_area, sizeof(log_area), algs, 2, NULL)) {
		check(0, "tcg_log: dump", "(%s)", path);
		return;
	}
	for (size_t i = 0; i < sizeof(kernel); i++)
		kernel[i] = (uint8_t)(i * 7 + 3);
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 13 + 1);
	static const char crtm[] = "A\0n\0c\0h\0o\0r\0\0\0";   /* UCS-2 "Anchor" */
	event(&log, ev, 0, EV_S_CRTM_VERSION, crtm, 14, crtm, 14);
	for (uint32_t pcr = 0; pcr < 8; pcr++)
		event(&log, ev, pcr, EV_SEPARATOR, "\0\0\0\0", 4, "\0\0\0\0", 4);
	/* GRUB's convention, which verifiers (tpm2_eventlog) check: data "kernel_cmdline: <line>"
	 * with its NUL, digest over <line> alone. */
	const char *cmd = "console=ttyS0 anchor.mode=test";
	char data[128];
	snprintf(data, sizeof(data), "kernel_cmdline: %s", cmd);
	event(&log, ev, 8, EV_IPL, cmd, strlen(cmd), data, (uint32_t)strlen(data) + 1);
	event(&log, ev, 9, EV_IPL, kernel, sizeof(kernel), "bzImage", 8);
	event(&log, ev, 9, EV_IPL, initrd, sizeof(initrd), "initrd.img", 11);
	fclose(ev);
	snprintf(path, sizeof(path), "%s/log.bin", dir);
	FILE *f = fopen(path, "wb");
	if (f) {
		/* Linux exports the log up to the first event whose digest count differs from the
		 * Spec ID's (the zeroed tail): the bytes in use. */
		fwrite(log_area, 1, log.used, f);
		fclose(f);
	}
	CHECK("tcg_log: measured-boot log written", f != NULL);
}

int main(int argc, char **argv)
{
	header();
	refusals();
	if (argc > 1)
		dump(argv[1]);
	return check_exit();
}
