/*
 * The TIS/FIFO half of the test guest's TPM driver (tpm_drv.h), in the order Linux's
 * tpm_tis_core.c accesses the registers in polling mode:
 *   locality   check ACCESS; write requestUse; poll until activeLocality|valid without requestUse
 *   send       STS (one byte; the read-zero bits 0x23 make it "no status"); if not commandReady,
 *              write commandReady and wait for it; then bursts: burstCount from a 32-bit STS read,
 *              that many bytes written one at a time to DATA_FIFO, wait for stsValid, Expect
 *              must still be set; the last byte alone, stsValid, Expect must be clear; tpmGo
 *   complete   poll STS until dataAvail|stsValid (commandReady alone: cancelled)
 *   receive    the 10-byte header then the rest, each in burstCount-sized byte reads after
 *              dataAvail|stsValid; stsValid and no dataAvail left; commandReady
 *   release    write activeLocality to ACCESS
 * Each access is one VM exit under a hypervisor, so the exits per command are those of Linux.
 */
#include "tpm_drv.h"
#include "tis.h"

#define STS_READ_ZERO 0x23u   /* bits that read 0 in a valid status: Linux's TPM_STS_READ_ZERO */

static uint32_t loc_base(unsigned l)
{
	return l * VTPM_FE_LOCALITY_SIZE;
}

static bool check_locality(struct tpm_dev *d, unsigned l)
{
	uint8_t a = (uint8_t)tpm_rd(d, loc_base(l) + TIS_REG_ACCESS, 1);
	uint8_t want = TIS_ACCESS_ACTIVE | TIS_ACCESS_VALID;
	return (a & (want | TIS_ACCESS_REQUEST_USE)) == want;
}

int tpm_tis_request_locality(struct tpm_dev *d, unsigned l)
{
	if (l >= VTPM_FE_LOCALITIES)
		return TPM_E_LOCALITY;
	if (check_locality(d, l))
		return 0;
	tpm_wr(d, loc_base(l) + TIS_REG_ACCESS, 1, TIS_ACCESS_REQUEST_USE);
	for (unsigned round = 0;; round++) {
		if (check_locality(d, l))
			return 0;
		d->waits++;
		if (round >= TPM_LOCALITY_ROUNDS || !d->io->wait(d->io->ctx, round))
			return TPM_E_LOCALITY;
	}
}

void tpm_tis_relinquish(struct tpm_dev *d, unsigned l)
{
	tpm_wr(d, loc_base(l) + TIS_REG_ACCESS, 1, TIS_ACCESS_ACTIVE);
}

static uint8_t status(struct tpm_dev *d)
{
	uint8_t s = (uint8_t)tpm_rd(d, loc_base(d->locality) + TIS_REG_STS, 1);
	return (s & STS_READ_ZERO) ? 0 : s;
}

/* Linux's wait_for_tpm_stat: the current status first, then polls. */
static bool wait_status(struct tpm_dev *d, uint8_t mask)
{
	for (unsigned round = 0;; round++) {
		if ((status(d) & mask) == mask)
			return true;
		d->waits++;
		if (!d->io->wait(d->io->ctx, round))
			return false;
	}
}

static unsigned burstcount(struct tpm_dev *d)
{
	for (unsigned round = 0;; round++) {
		uint32_t v = (uint32_t)tpm_rd(d, loc_base(d->locality) + TIS_REG_STS, 4);
		unsigned burst = (v >> TIS_STS_BURST_SHIFT) & 0xFFFF;
		if (burst)
			return burst;
		d->waits++;
		if (!d->io->wait(d->io->ctx, round))
			return 0;
	}
}

static void fifo_write(struct tpm_dev *d, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tpm_wr(d, loc_base(d->locality) + TIS_REG_DATA_FIFO, 1, p[i]);
}

/* Makes the interface Ready and writes the first n bytes of cmd (n <= len - 1). */
static int write_bytes(struct tpm_dev *d, const uint8_t *cmd, size_t n)
{
	if (!(status(d) & TIS_STS_COMMAND_READY)) {
		tpm_wr(d, loc_base(d->locality) + TIS_REG_STS, 1, TIS_STS_COMMAND_READY);
		if (!wait_status(d, TIS_STS_COMMAND_READY))
			return TPM_E_TIMEOUT;
	}
	size_t count = 0;
	while (count < n) {
		unsigned burst = burstcount(d);
		if (!burst)
			return TPM_E_TIMEOUT;
		size_t chunk = burst < n - count ? burst : n - count;
		fifo_write(d, cmd + count, chunk);
		count += chunk;
		if (!wait_status(d, TIS_STS_VALID))
			return TPM_E_TIMEOUT;
		if (!(status(d) & TIS_STS_EXPECT))
			return TPM_E_PROTOCOL;
	}
	return 0;
}

int tpm_tis_send(struct tpm_dev *d, const uint8_t *cmd, size_t len)
{
	if (len < 10 || len > VTPM_FE_BUF_SIZE)
		return TPM_E_SIZE;
	int rc = write_bytes(d, cmd, len - 1);
	if (rc)
		return rc;
	fifo_write(d, cmd + len - 1, 1);
	if (!wait_status(d, TIS_STS_VALID))
		return TPM_E_TIMEOUT;
	if (status(d) & TIS_STS_EXPECT)
		return TPM_E_PROTOCOL;
	tpm_wr(d, loc_base(d->locality) + TIS_REG_STS, 1, TIS_STS_GO);
	return 0;
}

int tpm_tis_send_partial(struct tpm_dev *d, const uint8_t *cmd, size_t n)
{
	if (n == 0 || n >= VTPM_FE_BUF_SIZE)
		return TPM_E_SIZE;
	return write_bytes(d, cmd, n);
}

/* Linux's recv_data: up to count bytes while the TPM says it has data. */
static size_t read_data(struct tpm_dev *d, uint8_t *buf, size_t count)
{
	size_t size = 0;
	while (size < count && wait_status(d, TIS_STS_DATA_AVAIL | TIS_STS_VALID)) {
		unsigned burst = burstcount(d);
		if (!burst)
			break;
		size_t chunk = burst < count - size ? burst : count - size;
		for (size_t i = 0; i < chunk; i++)
			buf[size + i] = (uint8_t)tpm_rd(d, loc_base(d->locality) + TIS_REG_DATA_FIFO, 1);
		size += chunk;
	}
	return size;
}

/* tpm_try_transmit's completion poll: req_complete_mask/val = dataAvail|stsValid,
 * req_canceled = status == commandReady. */
static int wait_complete(struct tpm_dev *d)
{
	for (unsigned round = 0;; round++) {
		uint8_t s = status(d);
		if ((s & (TIS_STS_DATA_AVAIL | TIS_STS_VALID)) == (TIS_STS_DATA_AVAIL | TIS_STS_VALID))
			return 0;
		if (s == TIS_STS_COMMAND_READY)
			return TPM_E_CANCELED;
		d->waits++;
		if (!d->io->wait(d->io->ctx, round))
			return TPM_E_TIMEOUT;
	}
}

int tpm_tis_recv(struct tpm_dev *d, uint8_t *rsp, size_t max)
{
	int rc = wait_complete(d);
	if (rc)
		return rc;
	if (max < VTPM_FE_HEADER_SIZE)
		rc = TPM_E_SIZE;
	else if (read_data(d, rsp, VTPM_FE_HEADER_SIZE) < VTPM_FE_HEADER_SIZE)
		rc = TPM_E_PROTOCOL;
	if (rc == 0) {
		size_t expected = vtpm_fe_be32(rsp + 2);
		if (expected < VTPM_FE_HEADER_SIZE || expected > max)
			rc = TPM_E_SIZE;
		else if (read_data(d, rsp + VTPM_FE_HEADER_SIZE, expected - VTPM_FE_HEADER_SIZE) <
		         expected - VTPM_FE_HEADER_SIZE)
			rc = TPM_E_PROTOCOL;
		else if (!wait_status(d, TIS_STS_VALID))
			rc = TPM_E_TIMEOUT;
		else if (status(d) & TIS_STS_DATA_AVAIL)
			rc = TPM_E_PROTOCOL;   /* "Error left over data" */
		else
			rc = (int)expected;
	}
	tpm_wr(d, loc_base(d->locality) + TIS_REG_STS, 1, TIS_STS_COMMAND_READY);
	return rc;
}

void tpm_tis_abort(struct tpm_dev *d)
{
	tpm_wr(d, loc_base(d->locality) + TIS_REG_STS, 1, TIS_STS_COMMAND_READY);
}
