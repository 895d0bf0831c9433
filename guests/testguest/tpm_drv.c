/*
 * The test guest's TPM driver (tpm_drv.h): interface detection, the transaction that wraps
 * every command (Linux's tpm_chip_start / tpm_try_transmit / tpm_chip_stop) and the register
 * helpers both halves use.  The TIS and CRB specifics are in tpm_tis_drv.c and tpm_crb_drv.c.
 */
#include "tpm_drv.h"
#include "crb.h"
#include "tis.h"

uint64_t tpm_rd(struct tpm_dev *d, uint32_t off, unsigned width)
{
	d->reads++;
	return d->io->read(d->io->ctx, off, width);
}

void tpm_wr(struct tpm_dev *d, uint32_t off, unsigned width, uint64_t value)
{
	d->writes++;
	d->io->write(d->io->ctx, off, width, value);
}

bool tpm_wait_reg(struct tpm_dev *d, uint32_t off, unsigned width, uint64_t mask, uint64_t want,
                  unsigned rounds)
{
	for (unsigned round = 0;; round++) {
		if ((tpm_rd(d, off, width) & mask) == want)
			return true;
		d->waits++;
		if (round >= rounds || !d->io->wait(d->io->ctx, round))
			return false;
	}
}

int tpm_probe(struct tpm_dev *d, const struct tpm_io *io)
{
	*d = (struct tpm_dev){ .io = io, .intf = TPM_INTF_NONE };
	/* TIS INTERFACE_ID and CRB INTF_ID share offset 0x30: InterfaceType in bits 3:0
	 * (0 FIFO, 1 CRB, 0xF a TIS 1.2 without the register). */
	uint32_t id = (uint32_t)tpm_rd(d, TIS_REG_INTERFACE_ID, 4);
	if (id == 0xFFFFFFFFu)
		return TPM_E_NODEV;   /* floating bus: nothing there */
	switch (id & 0xF) {
	case 0x0:
	case 0xF:
		d->intf = TPM_INTF_TIS;
		d->did_vid = (uint32_t)tpm_rd(d, TIS_REG_DID_VID, 4);
		return d->did_vid == 0xFFFFFFFFu || d->did_vid == 0 ? TPM_E_NODEV : 0;
	case 0x1:
		d->intf = TPM_INTF_CRB;
		return tpm_crb_probe(d);
	default:
		return TPM_E_NODEV;
	}
}

int tpm_send(struct tpm_dev *d, const uint8_t *cmd, size_t len)
{
	int rc;
	switch (d->intf) {
	case TPM_INTF_TIS:
		rc = tpm_tis_request_locality(d, d->locality);
		if (rc == 0 && (rc = tpm_tis_send(d, cmd, len)) != 0) {
			tpm_tis_abort(d);
			tpm_tis_relinquish(d, d->locality);
		}
		return rc;
	case TPM_INTF_CRB:
		rc = tpm_crb_request_locality(d);
		if (rc == 0 && (rc = tpm_crb_send(d, cmd, len)) != 0)
			tpm_crb_relinquish(d);
		return rc;
	default:
		return TPM_E_NODEV;
	}
}

int tpm_recv(struct tpm_dev *d, uint8_t *rsp, size_t max)
{
	int rc;
	switch (d->intf) {
	case TPM_INTF_TIS:
		rc = tpm_tis_recv(d, rsp, max);
		tpm_tis_relinquish(d, d->locality);
		return rc;
	case TPM_INTF_CRB:
		rc = tpm_crb_recv(d, rsp, max);
		tpm_crb_relinquish(d);
		return rc;
	default:
		return TPM_E_NODEV;
	}
}

int tpm_transmit(struct tpm_dev *d, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t max)
{
	int rc = tpm_send(d, cmd, len);
	return rc ? rc : tpm_recv(d, rsp, max);
}

void tpm_abort(struct tpm_dev *d)
{
	if (d->intf == TPM_INTF_TIS) {
		tpm_tis_abort(d);
		tpm_tis_relinquish(d, d->locality);
	} else if (d->intf == TPM_INTF_CRB) {
		tpm_crb_abort(d);
		tpm_crb_relinquish(d);
	}
}

bool tpm_locality_granted(struct tpm_dev *d, unsigned l)
{
	if (l >= VTPM_FE_LOCALITIES)
		return false;
	if (d->intf == TPM_INTF_CRB)
		return tpm_crb_locality_granted(d, l);
	if (tpm_tis_request_locality(d, l) != 0) {
		tpm_tis_relinquish(d, l);   /* withdraw the pending request */
		return false;
	}
	tpm_tis_relinquish(d, l);
	return true;
}

const char *tpm_strerror(int err)
{
	switch (err) {
	case TPM_E_NODEV:     return "no TPM at 0xFED40000";
	case TPM_E_LOCALITY:  return "locality not granted";
	case TPM_E_TIMEOUT:   return "timeout";
	case TPM_E_PROTOCOL:  return "protocol error (Expect/dataAvail)";
	case TPM_E_SIZE:      return "bad size";
	case TPM_E_CRB_ERROR: return "CRB error status";
	case TPM_E_BUFFER:    return "CRB buffer is not usable RAM";
	case TPM_E_CANCELED:  return "cancelled by the device";
	default:              return err >= 0 ? "ok" : "unknown error";
	}
}
