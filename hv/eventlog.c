/*
 * The TCG2 event log the loader copied (crypto-agile format): replayed in the SHA-256 bank, so
 * the hypervisor can say whether the log a verifier will be given explains the PCR values the
 * physical TPM holds.  The log comes from firmware: every length is checked before use.
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

struct log_cursor {
	const uint8_t *p;
	size_t left;
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

int eventlog_replay(const uint8_t *log, size_t len, uint8_t pcrs[24][32], unsigned *events)
{
	struct log_cursor c = { log, len };
	uint32_t u32, spec_size, nalg;
	uint16_t ids[MAX_ALGS], sizes[MAX_ALGS];
	memset(pcrs, 0, 24 * 32);
	*events = 0;
	/* First entry: TCG_PCR_EVENT (SHA-1 format) holding TCG_EfiSpecIDEvent. */
	if (take(&c, NULL, 28) || take(&c, &spec_size, 4) || spec_size < 28 || spec_size > c.left)
		return -1;
	struct log_cursor spec = { c.p, spec_size };
	if (memcmp(spec.p, "Spec ID Event03", 16) || take(&spec, NULL, 24) || take(&spec, &nalg, 4) ||
	    nalg == 0 || nalg > MAX_ALGS)
		return -1;
	for (uint32_t i = 0; i < nalg; i++)
		if (take(&spec, &ids[i], 2) || take(&spec, &sizes[i], 2) || sizes[i] > 64)
			return -1;
	take(&c, NULL, spec_size);
	while (c.left) {
		uint32_t pcr, type, count;
		uint8_t sha256[32];
		bool have = false;
		if (take(&c, &pcr, 4) || take(&c, &type, 4) || take(&c, &count, 4) || count > MAX_ALGS)
			return -1;
		for (uint32_t i = 0; i < count; i++) {
			uint16_t alg;
			uint32_t j = 0;
			if (take(&c, &alg, 2))
				return -1;
			while (j < nalg && ids[j] != alg)
				j++;
			if (j == nalg)
				return -1;
			if (alg == ALG_SHA256 && sizes[j] == 32) {
				if (take(&c, sha256, 32))
					return -1;
				have = true;
			} else if (take(&c, NULL, sizes[j])) {
				return -1;
			}
		}
		if (take(&c, &u32, 4) || take(&c, NULL, u32))
			return -1;
		(*events)++;
		if (type == EV_NO_ACTION || pcr >= 24 || !have)
			continue;
		br_sha256_context h;
		br_sha256_init(&h);
		br_sha256_update(&h, pcrs[pcr], 32);
		br_sha256_update(&h, sha256, 32);
		br_sha256_out(&h, pcrs[pcr]);
	}
	return 0;
}
