/*
 * The platform's hash interface (Part 3, chapter 6: _TPM_Hash_Start, _TPM_Hash_Data,
 * _TPM_Hash_End), driven at locality 4 by the platform (TIS/CRB locality-4 hash registers, the
 * simulator's HASH_START/DATA/END signals), as the reference implementation does it:
 *   - Start opens an event sequence over every PCR bank (a running one is abandoned);
 *   - Data adds to it;
 *   - End, before TPM2_Startup (H-CRTM): PCR 0 = 0...04, extended with the sequence's digest
 *     in each bank, and the next Startup keeps that PCR 0 (no locality-3 marker);
 *     after Startup (D-RTM): PCRs 17-22 (those locality 4 may reset) become zero, PCR 17 is
 *     extended, and restartCount goes up by one.
 *   - any command received in between abandons the sequence (tpm2_drtm_abort).
 * Difference from the reference: the sequence does not occupy (or evict) a transient object
 * slot; it has its own state in struct tpm2.
 */
#include "tpm2_internal.h"

#define HCRTM_PCR 0u
#define DRTM_PCR  17u

void tpm2_hash_start(struct tpm2 *t)
{
	for (unsigned b = 0; b < TPM2_NUM_BANKS; b++)
		tpm2_hash_init(&t->drtm.h[b], tpm2_pcr_bank_alg(b));
	t->drtm.active = 1;
}

void tpm2_hash_data(struct tpm2 *t, const uint8_t *data, size_t len)
{
	if (!t->drtm.active)
		return;                 /* no _TPM_Hash_Start: ignored (reference) */
	for (unsigned b = 0; b < TPM2_NUM_BANKS; b++)
		tpm2_hash_update(&t->drtm.h[b], data, len);
}

void tpm2_hash_end(struct tpm2 *t)
{
	unsigned pcr = t->started ? DRTM_PCR : HCRTM_PCR;
	uint8_t d[TPM2_MAX_DIGEST];
	if (!t->drtm.active)
		return;
	if (t->started) {
		for (unsigned p = 17; p <= 22; p++)          /* PCRResetDynamics */
			for (unsigned b = 0; b < TPM2_NUM_BANKS; b++)
				memset(t->pcr[b][p], 0, TPM2_MAX_DIGEST);
		t->restart_count++;
	} else {
		t->drtm_pre_startup = 1;
	}
	for (unsigned b = 0; b < TPM2_NUM_BANKS; b++) {
		size_t n = tpm2_hash_final(&t->drtm.h[b], d);
		memset(t->pcr[b][pcr], 0, TPM2_MAX_DIGEST);
		if (!t->started)
			t->pcr[b][pcr][n - 1] = 4;            /* the H-CRTM's locality */
		tpm2_pcr_extend(t, b, pcr, d);
	}
	tpm2_drtm_abort(t);
}

void tpm2_drtm_abort(struct tpm2 *t)
{
	tpm2_zeroise(&t->drtm, sizeof t->drtm);
}
