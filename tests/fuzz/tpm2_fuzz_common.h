/*
 * Shared by the fuzz targets: a TPM manufactured from fixed seeds with a deterministic entropy
 * source (so a crash reproduces from its input alone), powered on and started.
 */
#ifndef ANCHOR_TPM2_FUZZ_COMMON_H
#define ANCHOR_TPM2_FUZZ_COMMON_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tpm2.h"

static uint64_t fuzz_rng_state;

static void fuzz_entropy(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++) {   /* splitmix64: deterministic, not secret */
		uint64_t z = (fuzz_rng_state += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		buf[i] = (uint8_t)(z ^ (z >> 31));
	}
}

static uint64_t fuzz_clock_ms;
static uint64_t fuzz_now_ms(void *ctx)
{
	(void)ctx;
	return fuzz_clock_ms += 7;
}

static const struct tpm2_platform fuzz_platform = { fuzz_entropy, fuzz_now_ms, NULL };

#include "tpm2_fuzz_keygen.h"

static uint32_t fuzz_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Every response must be well formed: a header, and a size field equal to the length. */
static void fuzz_check_response(const uint8_t *rsp, size_t n, size_t max)
{
	if (n < 10 || n > max || fuzz_be32(rsp + 2) != n)
		abort();
	if (!((rsp[0] == 0x80 && (rsp[1] == 0x01 || rsp[1] == 0x02)) || (rsp[0] == 0x00 && rsp[1] == 0xc4)))
		abort();
}

/* Manufacture + _TPM_Init + TPM2_Startup(CLEAR): the state every input starts from.  Done
 * once; later inputs copy that snapshot (struct tpm2 holds no pointers into itself), which is
 * much faster than manufacturing again.  The first call also arranges for the RSA keygen
 * memo's figures to be printed at exit (tpm2_fuzz_keygen.h). */
static void fuzz_fresh_tpm(struct tpm2 *t)
{
	static const uint8_t startup[12] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0 };
	static struct tpm2_seeds seeds;      /* fixed seeds: every run the same TPM */
	static struct tpm2 pristine;
	static uint64_t rng_after, clock_after;
	static int have_pristine;
	uint8_t rsp[TPM2_MAX_RESPONSE_SIZE];
	size_t n;

	if (!have_pristine) {
		fuzz_keygen_off = getenv("ANCHOR_FUZZ_NO_MEMO") != NULL;
		atexit(fuzz_keygen_report);
		fuzz_rng_state = 1;
		fuzz_clock_ms = 0;
		memset(&seeds, 0x5a, sizeof seeds);
		tpm2_manufacture(&pristine, &fuzz_platform, &seeds);
		tpm2_power_on(&pristine);
		n = tpm2_execute(&pristine, 0, startup, sizeof startup, rsp, sizeof rsp);
		fuzz_check_response(rsp, n, sizeof rsp);
		rng_after = fuzz_rng_state;
		clock_after = fuzz_clock_ms;
		have_pristine = 1;
	}
	memcpy(t, &pristine, sizeof *t);
	fuzz_rng_state = rng_after;
	fuzz_clock_ms = clock_after;
}
#endif
