/*
 * TCG crypto-agile event log writer (contract: anchor/tcg_log.h).  Record layouts: TCG PC Client
 * Platform Firmware Profile 1.05, 10.2 (TCG_PCClientPCREvent, TCG_EfiSpecIdEvent) and 10.2.2
 * (TCG_PCR_EVENT2).  All integers little-endian.
 */
#include <anchor/tcg_log.h>
#include <string.h>

#define SPEC_ID_SIG "Spec ID Event03"   /* with its NUL: 16 bytes */

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static int fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -1;
}

uint16_t tcg_alg_digest_size(uint16_t alg)
{
	switch (alg) {
	case TCG_ALG_SHA1: return 20;
	case TCG_ALG_SHA256: return 32;
	case TCG_ALG_SHA384: return 48;
	case TCG_ALG_SHA512: return 64;
	default: return 0;
	}
}

int tcg_log_init(struct tcg_log *log, uint8_t *buf, uint32_t cap, const uint16_t *algs,
                 unsigned n, const char **why)
{
	if (n == 0 || n > TCG_LOG_MAX_BANKS)
		return fail(why, "event log needs 1 to 4 banks");
	memset(log, 0, sizeof(*log));
	for (unsigned i = 0; i < n; i++) {
		if (!tcg_alg_digest_size(algs[i]))
			return fail(why, "event log bank with an unknown hash algorithm");
		for (unsigned j = 0; j < i; j++)
			if (algs[j] == algs[i])
				return fail(why, "event log bank listed twice");
		log->alg[i] = algs[i];
		log->size[i] = tcg_alg_digest_size(algs[i]);
	}
	/* header: pcr, type, sha1 digest (20 zero bytes), event size; then the Spec ID struct:
	 * signature 16, platformClass 4, minor, major, errata, uintnSize, numberOfAlgorithms 4,
	 * n * {algId 2, digestSize 2}, vendorInfoSize 1 */
	uint32_t spec_len = 16 + 4 + 4 + 4 + 4 * n + 1;
	uint32_t total = 4 + 4 + 20 + 4 + spec_len;
	if (!buf || cap < total)
		return fail(why, "event log area too small for its header");
	memset(buf, 0, cap);
	uint8_t *p = buf;
	put_le(p, 0, 4);
	put_le(p + 4, EV_NO_ACTION, 4);
	put_le(p + 28, spec_len, 4);
	p += 32;
	memcpy(p, SPEC_ID_SIG, 16);
	put_le(p + 16, 0, 4);      /* platformClass: client */
	p[20] = 0;                 /* specVersionMinor */
	p[21] = 2;                 /* specVersionMajor */
	p[22] = 0;                 /* specErrata */
	p[23] = 2;                 /* uintnSize: UINT64 */
	put_le(p + 24, n, 4);
	for (unsigned i = 0; i < n; i++) {
		put_le(p + 28 + 4 * i, log->alg[i], 2);
		put_le(p + 30 + 4 * i, log->size[i], 2);
	}
	/* vendorInfoSize = 0 (already zero) */
	log->buf = buf;
	log->cap = cap;
	log->used = total;
	log->nbanks = n;
	return 0;
}

int tcg_log_append(struct tcg_log *log, uint32_t pcr, uint32_t type,
                   const uint8_t *const digests[], const void *data, uint32_t len,
                   const char **why)
{
	if (!log->buf)
		return fail(why, "event log not initialised");
	if (pcr > 23)
		return fail(why, "PCR index out of range");
	uint64_t need = 4 + 4 + 4 + 4 + (uint64_t)len;
	for (unsigned i = 0; i < log->nbanks; i++)
		need += 2 + log->size[i];
	if (need > log->cap - log->used)
		return fail(why, "event log full");
	uint8_t *p = log->buf + log->used;
	put_le(p, pcr, 4);
	put_le(p + 4, type, 4);
	put_le(p + 8, log->nbanks, 4);
	p += 12;
	for (unsigned i = 0; i < log->nbanks; i++) {
		put_le(p, log->alg[i], 2);
		memcpy(p + 2, digests[i], log->size[i]);
		p += 2 + log->size[i];
	}
	put_le(p, len, 4);
	if (len)
		memcpy(p + 4, data, len);
	log->used += (uint32_t)need;
	return 0;
}
