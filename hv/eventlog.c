/*
 * The TCG2 event log the loader copied (crypto-agile format), plus the firmware's final-events
 * table (events logged after the loader's GetEventLog, such as ExitBootServices into PCR 5):
 * replayed in the SHA-256 bank, so the hypervisor can say whether the log a verifier will be
 * given explains the PCR values the physical TPM holds.  Both come from firmware: every length
 * is checked before use.
 */
#include <anchor/boot_info.h>
#include <anchor/hv.h>
#include <stdbool.h>
#include <bearssl_hash.h>
#include "core.h"
#include <string.h>

#define EV_NO_ACTION 0x00000003u
#define ALG_SHA256   0x000Bu
#define MAX_ALGS     8
#define MAX_FINAL_EVENTS 4096

struct log_cursor {
	const uint8_t *p;
	size_t left;
};

struct log_algs {
	uint32_t n;
	uint16_t id[MAX_ALGS], size[MAX_ALGS];
};

static int take(struct log_cursor *c, void *dst, size_t n)
{
	if (n > c->left)
		return -1;
	if (dst)
		memcpy(dst, c->p, n);
	c->p += n;
	c->left -= n;
	return 0;
}

static void extend(uint8_t pcr[32], const uint8_t digest[32])
{
	br_sha256_context h;
	br_sha256_init(&h);
	br_sha256_update(&h, pcr, 32);
	br_sha256_update(&h, digest, 32);
	br_sha256_out(&h, pcr);
}

/* One TCG_PCR_EVENT2: extends its SHA-256 digest into pcrs[] (EV_NO_ACTION: nothing, except
 * the StartupLocality event, which sets PCR 0's starting value). */
static int replay_event(struct log_cursor *c, const struct log_algs *a, uint8_t pcrs[24][32])
{
	uint32_t pcr, type, count, size;
	uint8_t sha256[32];
	bool have = false;
	if (take(c, &pcr, 4) || take(c, &type, 4) || take(c, &count, 4) || count > MAX_ALGS)
		return -1;
	for (uint32_t i = 0; i < count; i++) {
		uint16_t alg;
		uint32_t j = 0;
		if (take(c, &alg, 2))
			return -1;
		while (j < a->n && a->id[j] != alg)
			j++;
		if (j == a->n)
			return -1;
		if (alg == ALG_SHA256 && a->size[j] == 32) {
			if (take(c, sha256, 32))
				return -1;
			have = true;
		} else if (take(c, NULL, a->size[j])) {
			return -1;
		}
	}
	if (take(c, &size, 4) || size > c->left)
		return -1;
	const uint8_t *data = c->p;
	take(c, NULL, size);
	if (type == EV_NO_ACTION) {
		if (pcr == 0 && size >= 17 && !memcmp(data, "StartupLocality", 16)) {
			memset(pcrs[0], 0, 32);
			pcrs[0][31] = data[16];
		}
		return 0;
	}
	if (pcr < 24 && have)
		extend(pcrs[pcr], sha256);
	return 0;
}

int eventlog_replay(const uint8_t *log, size_t len, const uint8_t *final, size_t final_max,
                    uint8_t pcrs[24][32], unsigned *events)
{
	struct log_cursor c = { log, len };
	struct log_algs a;
	uint32_t spec_size;
	memset(pcrs, 0, 24 * 32);
	*events = 0;
	/* First entry: TCG_PCR_EVENT (SHA-1 format) holding TCG_EfiSpecIDEvent. */
	if (take(&c, NULL, 28) || take(&c, &spec_size, 4) || spec_size < 28 || spec_size > c.left)
		return -1;
	struct log_cursor spec = { c.p, spec_size };
	if (memcmp(spec.p, "Spec ID Event03", 16) || take(&spec, NULL, 24) || take(&spec, &a.n, 4) ||
	    a.n == 0 || a.n > MAX_ALGS)
		return -1;
	for (uint32_t i = 0; i < a.n; i++)
		if (take(&spec, &a.id[i], 2) || take(&spec, &a.size[i], 2) || a.size[i] > 64)
			return -1;
	take(&c, NULL, spec_size);
	while (c.left) {
		if (replay_event(&c, &a, pcrs))
			return -1;
		(*events)++;
	}
	if (!final)
		return 0;
	/* EFI_TCG2_FINAL_EVENTS_TABLE: Version, NumberOfEvents (UINT64 each), then the events. */
	struct log_cursor f = { final, final_max };
	uint64_t version, n;
	if (take(&f, &version, 8) || take(&f, &n, 8) || version != 1 || n > MAX_FINAL_EVENTS)
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		if (replay_event(&f, &a, pcrs))
			return -1;
		(*events)++;
	}
	return 0;
}
