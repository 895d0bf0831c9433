/*
 * PCR banks (SHA-1/256/384/512 x 24 PCRs) and PCR_Read, PCR_Extend, PCR_Event, PCR_Reset,
 * PCR_Allocate.  Locality rules follow the TCG PC Client Platform TPM Profile:
 *   PCR 0-15  extend: any locality          reset: never (only at Startup)
 *   PCR 16    extend: any; reset: 0-3       (debug)
 *   PCR 17-18 extend: 2,3,4                 reset: 4 (17: only by _TPM_Hash_Start)
 *   PCR 19    extend: 2,3                   reset: 4
 *   PCR 20    extend: 1,2,3                 reset: 2,4
 *   PCR 21-22 extend: 2                     reset: 2,4
 *   PCR 23    extend: any; reset: 0-3       (application)
 * (the reference TPM's PCR attribute table; GetCapability(PCR_PROPERTIES) is identical to
 * libtpms's).  PCRs 17-22 start at all-ones and become zero when reset (D-RTM convention).
 * pcrUpdateCounter counts bank updates, except of PCRs 16 and 21-23, as the reference does.
 */
#include "tpm2_internal.h"

static const uint16_t bank_algs[TPM2_NUM_BANKS] = {
	TPM_ALG_SHA1, TPM_ALG_SHA256, TPM_ALG_SHA384, TPM_ALG_SHA512
};

int tpm2_pcr_bank_index(uint16_t alg)
{
	for (unsigned i = 0; i < TPM2_NUM_BANKS; i++)
		if (bank_algs[i] == alg)
			return (int)i;
	return -1;
}

uint16_t tpm2_pcr_bank_alg(unsigned bank) { return bank_algs[bank]; }

static bool pcr_allocated(struct tpm2 *t, unsigned bank, unsigned pcr)
{
	return (t->pcr_alloc.select[bank][pcr / 8] >> (pcr % 8)) & 1;
}

bool tpm2_pcr_bank_active(struct tpm2 *t, unsigned bank)
{
	for (unsigned i = 0; i < TPM2_PCR_SELECT_MAX; i++)
		if (t->pcr_alloc.select[bank][i])
			return true;
	return false;
}

uint8_t tpm2_pcr_extend_localities(unsigned pcr)
{
	if (pcr <= 16 || pcr == 23)
		return 0x1F;
	if (pcr <= 18)
		return 0x1C;
	if (pcr == 19)
		return 0x0C;
	if (pcr == 20)
		return 0x0E;
	return 0x04;
}

uint8_t tpm2_pcr_reset_localities(unsigned pcr)
{
	if (pcr == 16 || pcr == 23)
		return 0x0F;
	if (pcr >= 17 && pcr <= 19)
		return 0x10;
	if (pcr >= 20 && pcr <= 22)
		return 0x14;
	return 0;
}

static void pcr_initial(struct tpm2 *t, unsigned pcr)
{
	uint8_t fill = (pcr >= 17 && pcr <= 22) ? 0xFF : 0x00;
	for (unsigned b = 0; b < TPM2_NUM_BANKS; b++)
		memset(t->pcr[b][pcr], fill, TPM2_MAX_DIGEST);
}

void tpm2_pcr_startup(struct tpm2 *t, bool clear)
{
	for (unsigned p = 0; p < TPM2_NUM_PCRS; p++) {
		if (!clear && p < 16)
			for (unsigned b = 0; b < TPM2_NUM_BANKS; b++)
				memcpy(t->pcr[b][p], t->pcr_saved[b][p], TPM2_MAX_DIGEST);
		else
			pcr_initial(t, p);
	}
	t->pcr_update_counter = 0;
}

static bool pcr_no_increment(unsigned pcr) { return pcr == 16 || pcr >= 21; }

void tpm2_pcr_extend(struct tpm2 *t, unsigned bank, unsigned pcr, const uint8_t *digest)
{
	struct tpm2_hash h;
	size_t n = tpm2_hash_size(bank_algs[bank]);
	if (!pcr_allocated(t, bank, pcr))
		return;
	tpm2_hash_init(&h, bank_algs[bank]);
	tpm2_hash_update(&h, t->pcr[bank][pcr], n);
	tpm2_hash_update(&h, digest, n);
	tpm2_hash_final(&h, t->pcr[bank][pcr]);
	if (!pcr_no_increment(pcr))
		t->pcr_update_counter++;
}

size_t tpm2_pcr_digest(struct tpm2 *t, const struct tpml_pcr_selection *sel, uint16_t alg,
                       uint8_t *out)
{
	struct tpm2_hash h;
	if (!tpm2_hash_init(&h, alg))
		return 0;
	for (uint32_t i = 0; i < sel->count; i++) {
		int b = tpm2_pcr_bank_index(sel->sel[i].hash);
		if (b < 0)
			continue;
		for (unsigned p = 0; p < sel->sel[i].size * 8u && p < TPM2_NUM_PCRS; p++)
			if ((sel->sel[i].select[p / 8] >> (p % 8) & 1) && pcr_allocated(t, (unsigned)b, p))
				tpm2_hash_update(&h, t->pcr[b][p], tpm2_hash_size(sel->sel[i].hash));
	}
	return tpm2_hash_final(&h, out);
}

/* ------------------------------------------------------------------ commands */

TPM_RC tpm2_cc_PCR_Read(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	struct tpml_pcr_selection sel;
	struct tpm2_wr vals;
	uint8_t vbuf[8 * (2 + TPM2_MAX_DIGEST)];
	uint32_t count = 0;
	TPM2_P(1, tpm2_rd_pcr_selection(&c->in, &sel));
	TPM2_TRY(tpm2_in_done(c));
	tpm2_wr_init(&vals, vbuf, sizeof vbuf);
	/* Up to 8 digests (TPML_DIGEST); what doesn't fit is cleared from the returned selection
	 * so the caller asks again for the rest. */
	for (uint32_t i = 0; i < sel.count; i++) {
		int b = tpm2_pcr_bank_index(sel.sel[i].hash);
		for (unsigned p = 0; p < sel.sel[i].size * 8u; p++) {
			uint8_t bit = (uint8_t)(1u << (p % 8));
			if (!(sel.sel[i].select[p / 8] & bit))
				continue;
			if (b < 0 || p >= TPM2_NUM_PCRS || !pcr_allocated(t, (unsigned)b, p) || count == 8) {
				sel.sel[i].select[p / 8] &= (uint8_t)~bit;
				continue;
			}
			tpm2_wr_tpm2b(&vals, t->pcr[b][p], tpm2_hash_size(sel.sel[i].hash));
			count++;
		}
	}
	tpm2_wr_u32(&c->out, t->pcr_update_counter);
	tpm2_wr_pcr_selection(&c->out, &sel);
	tpm2_wr_u32(&c->out, count);
	tpm2_wr_bytes(&c->out, vbuf, vals.off);
	return TPM_RC_SUCCESS;
}

static TPM_RC check_extend_locality(struct tpm2_cmd *c, uint32_t pcr)
{
	if (!(tpm2_pcr_extend_localities(pcr) >> c->locality & 1))
		return TPM_RC_LOCALITY;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_PCR_Extend(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	struct tpml_digest_values v;
	uint32_t pcr = c->handles[0];
	TPM2_P(1, tpm2_rd_digest_values(&c->in, &v));
	TPM2_TRY(tpm2_in_done(c));
	if (pcr == TPM_RH_NULL)
		return TPM_RC_SUCCESS;
	TPM2_TRY(check_extend_locality(c, pcr));
	for (uint32_t i = 0; i < v.count; i++)
		tpm2_pcr_extend(t, (unsigned)tpm2_pcr_bank_index(v.d[i].alg), pcr, v.d[i].digest);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_PCR_Event(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	const uint8_t *data;
	uint16_t size;
	uint32_t pcr = c->handles[0];
	struct tpml_digest_values v;
	TPM2_P(1, tpm2_rd_tpm2b(&c->in, &data, &size, 1024));
	TPM2_TRY(tpm2_in_done(c));
	if (pcr != TPM_RH_NULL)
		TPM2_TRY(check_extend_locality(c, pcr));
	v.count = TPM2_NUM_BANKS;
	for (unsigned b = 0; b < TPM2_NUM_BANKS; b++) {
		v.d[b].alg = bank_algs[b];
		tpm2_hash_buf(bank_algs[b], data, size, v.d[b].digest);
		if (pcr != TPM_RH_NULL)
			tpm2_pcr_extend(t, b, pcr, v.d[b].digest);
	}
	tpm2_wr_digest_values(&c->out, &v);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_PCR_Reset(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	uint32_t pcr = c->handles[0];
	TPM2_TRY(tpm2_in_done(c));
	/* PCR 17 is the D-RTM PCR: only _TPM_Hash_Start resets it, never PCR_Reset (reference
	 * PCRIsResetAllowed), although PCR_PROPERTIES lists it under RESET_L4 as libtpms does */
	if (!(tpm2_pcr_reset_localities(pcr) >> c->locality & 1) || pcr == 17)
		return TPM_RC_LOCALITY;
	for (unsigned b = 0; b < TPM2_NUM_BANKS; b++)
		memset(t->pcr[b][pcr], 0, TPM2_MAX_DIGEST);
	if (!pcr_no_increment(pcr))
		t->pcr_update_counter++;
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_PCR_Allocate(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	struct tpml_pcr_selection sel;
	struct tpm2_pcr_alloc next = t->pcr_alloc;
	TPM2_P(1, tpm2_rd_pcr_selection(&c->in, &sel));
	TPM2_TRY(tpm2_in_done(c));
	for (uint32_t i = 0; i < sel.count; i++) {
		int b = tpm2_pcr_bank_index(sel.sel[i].hash);
		if (b < 0)
			return TPM2_RC_P(TPM_RC_HASH, 1);
		memset(next.select[b], 0, TPM2_PCR_SELECT_MAX);
		memcpy(next.select[b], sel.sel[i].select, sel.sel[i].size);
	}
	t->pcr_alloc_next = next;
	t->pcr_alloc_pending = 1;
	tpm2_wr_u8(&c->out, 1);                           /* allocationSuccess */
	tpm2_wr_u32(&c->out, TPM2_NUM_PCRS);               /* maxPCR */
	tpm2_wr_u32(&c->out, TPM2_NUM_BANKS * TPM2_NUM_PCRS * TPM2_MAX_DIGEST); /* sizeNeeded */
	tpm2_wr_u32(&c->out, TPM2_NUM_BANKS * TPM2_NUM_PCRS * TPM2_MAX_DIGEST); /* sizeAvailable */
	return TPM_RC_SUCCESS;
}
