/*
 * The CRB half of the test guest's TPM driver (tpm_drv.h), in the order Linux's tpm_crb.c
 * accesses the control area (32-bit accesses; its regs_h at the window, regs_t at +0x40):
 *   probe      request locality 0, read CMD_LADDR/HADDR/SIZE and RSP_ADDR/SIZE (crb_map_io),
 *              goIdle, relinquish; the buffer must be RAM the driver may use (or lie in the
 *              window, as QEMU's tpm-crb, and then be moved with MMIO accesses)
 *   locality   write LOC_CTRL requestAccess; poll LOC_STATE for locAssigned|tpmRegValidSts
 *   cmdReady   write CTRL_REQ cmdReady; poll CTRL_REQ until the bit clears
 *   send       write CTRL_CANCEL 0; copy the command into the buffer; write CTRL_START 1
 *   complete   poll CTRL_START until it clears
 *   receive    CTRL_STS.tpmSts set: error; the first 6 bytes, then the rest by the header's size
 *   goIdle     write CTRL_REQ goIdle; poll CTRL_REQ until the bit clears
 *   release    write LOC_CTRL relinquish; poll LOC_STATE until locAssigned clears
 * With the buffer in RAM only the six writes must exit: the rest can be served from memory.
 */
#include "tpm_drv.h"
#include "crb.h"
#include <string.h>

#define LOC_OK (CRB_LOC_STATE_ASSIGNED | CRB_LOC_STATE_VALID)

int tpm_crb_request_locality(struct tpm_dev *d)
{
	tpm_wr(d, CRB_REG_LOC_CTRL, 4, CRB_LOC_CTRL_REQUEST);
	return tpm_wait_reg(d, CRB_REG_LOC_STATE, 4, LOC_OK, LOC_OK, TPM_LOCALITY_ROUNDS) ? 0 :
	       TPM_E_LOCALITY;
}

void tpm_crb_relinquish(struct tpm_dev *d)
{
	tpm_wr(d, CRB_REG_LOC_CTRL, 4, CRB_LOC_CTRL_RELINQUISH);
	(void)tpm_wait_reg(d, CRB_REG_LOC_STATE, 4, LOC_OK, CRB_LOC_STATE_VALID, TPM_LOCALITY_ROUNDS);
}

/* LOC_STATE.activeLocality (bits 4:2) must name l: a device with one locality must not
 * answer for another page as if it were locality 0. */
bool tpm_crb_locality_granted(struct tpm_dev *d, unsigned l)
{
	uint32_t page = l * 0x1000u;
	tpm_wr(d, page + CRB_REG_LOC_CTRL, 4, CRB_LOC_CTRL_REQUEST);
	bool ok = tpm_wait_reg(d, page + CRB_REG_LOC_STATE, 4, LOC_OK | 7u << 2, LOC_OK | l << 2,
	                       TPM_LOCALITY_ROUNDS);
	tpm_wr(d, page + CRB_REG_LOC_CTRL, 4, CRB_LOC_CTRL_RELINQUISH);
	return ok;
}

static bool request(struct tpm_dev *d, uint32_t bit)
{
	tpm_wr(d, CRB_REG_CTRL_REQ, 4, bit);
	return tpm_wait_reg(d, CRB_REG_CTRL_REQ, 4, bit, 0, TPM_WAIT_LONG);
}

static bool in_window(uint64_t gpa, uint32_t size)
{
	return gpa >= TPM_WINDOW_BASE && gpa < TPM_WINDOW_BASE + TPM_WINDOW_SIZE &&
	       size <= TPM_WINDOW_BASE + TPM_WINDOW_SIZE - gpa;
}

/* The buffer at gpa: a pointer into RAM, or NULL for one in the window; false if neither. */
static bool locate(struct tpm_dev *d, uint64_t gpa, uint32_t size, uint8_t **p)
{
	*p = NULL;
	if (size < 10 || size > 4096)
		return false;
	if (in_window(gpa, size))
		return true;
	*p = d->io->map(d->io->ctx, gpa, size);
	return *p != NULL;
}

int tpm_crb_probe(struct tpm_dev *d)
{
	int rc = tpm_crb_request_locality(d);
	if (rc)
		return rc;
	d->cmd_gpa = tpm_rd(d, CRB_REG_CMD_HADDR, 4) << 32 | tpm_rd(d, CRB_REG_CMD_LADDR, 4);
	d->cmd_size = (uint32_t)tpm_rd(d, CRB_REG_CMD_SIZE, 4);
	d->rsp_gpa = tpm_rd(d, CRB_REG_RSP_ADDR, 8);
	d->rsp_size = (uint32_t)tpm_rd(d, CRB_REG_RSP_SIZE, 4);
	d->did_vid = (uint32_t)tpm_rd(d, CRB_REG_INTF_ID + 4, 4);
	if (!locate(d, d->cmd_gpa, d->cmd_size, &d->cmd) ||
	    !locate(d, d->rsp_gpa, d->rsp_size, &d->rsp))
		rc = TPM_E_BUFFER;
	(void)request(d, CRB_CTRL_REQ_GO_IDLE);
	tpm_crb_relinquish(d);
	return rc;
}

/* memcpy_toio / memcpy_fromio for a buffer in the window: 8-byte accesses, narrower at the end. */
static void window_copy(struct tpm_dev *d, uint64_t gpa, uint8_t *p, size_t n, bool to_device)
{
	uint32_t off = (uint32_t)(gpa - TPM_WINDOW_BASE);
	while (n) {
		unsigned w = 8;
		while (w > n)
			w >>= 1;
		if (to_device) {
			uint64_t v = 0;
			for (unsigned i = 0; i < w; i++)
				v |= (uint64_t)p[i] << (8 * i);
			tpm_wr(d, off, w, v);
		} else {
			uint64_t v = tpm_rd(d, off, w);
			for (unsigned i = 0; i < w; i++)
				p[i] = (uint8_t)(v >> (8 * i));
		}
		off += w, p += w, n -= w;
	}
}

static void copy_out(struct tpm_dev *d, size_t at, uint8_t *dst, size_t n)
{
	if (d->rsp)
		memcpy(dst, d->rsp + at, n);
	else
		window_copy(d, d->rsp_gpa + at, dst, n, false);
}

int tpm_crb_send(struct tpm_dev *d, const uint8_t *cmd, size_t len)
{
	if (len < 10 || len > d->cmd_size)
		return TPM_E_SIZE;
	if (!request(d, CRB_CTRL_REQ_CMD_READY))
		return TPM_E_TIMEOUT;
	tpm_wr(d, CRB_REG_CTRL_CANCEL, 4, 0);
	if (d->cmd)
		memcpy(d->cmd, cmd, len);
	else
		window_copy(d, d->cmd_gpa, (uint8_t *)cmd, len, true);   /* only read when to_device */
	__asm__ volatile("" : : : "memory");   /* wmb(): the command is in place before START */
	tpm_wr(d, CRB_REG_CTRL_START, 4, CRB_START_INVOKE);
	return 0;
}

int tpm_crb_recv(struct tpm_dev *d, uint8_t *rsp, size_t max)
{
	int rc = 0;
	if (!tpm_wait_reg(d, CRB_REG_CTRL_START, 4, CRB_START_INVOKE, 0, TPM_WAIT_LONG))
		rc = TPM_E_TIMEOUT;
	else if (tpm_rd(d, CRB_REG_CTRL_STS, 4) & CRB_CTRL_STS_ERROR)
		rc = TPM_E_CRB_ERROR;
	else if (max < VTPM_FE_HEADER_SIZE)
		rc = TPM_E_SIZE;
	if (rc == 0) {
		__asm__ volatile("" : : : "memory");   /* the response is read after START cleared */
		copy_out(d, 0, rsp, 6);
		size_t expected = vtpm_fe_be32(rsp + 2);
		if (expected < VTPM_FE_HEADER_SIZE || expected > max || expected > d->rsp_size) {
			rc = TPM_E_SIZE;
		} else {
			copy_out(d, 6, rsp + 6, expected - 6);
			rc = (int)expected;
		}
	}
	(void)request(d, CRB_CTRL_REQ_GO_IDLE);
	return rc;
}

void tpm_crb_abort(struct tpm_dev *d)
{
	tpm_wr(d, CRB_REG_CTRL_CANCEL, 4, CRB_CANCEL_INVOKE);
	(void)request(d, CRB_CTRL_REQ_GO_IDLE);   /* without waiting for the command to end */
}
