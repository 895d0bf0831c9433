/*
 * A TIS and a CRB driver for the front-end tests, written from the PTP flows and from what
 * Linux's tpm_tis_core.c / tpm_crb.c do (not their code): locality request by ACCESS.requestUse
 * and the (activeLocality|valid|requestUse) == (activeLocality|valid) check, status read as one
 * byte with the read-zero bits (0x23) treated as garbage, burstCount from a 32-bit STS read,
 * the command written burstCount bytes at a time with Expect checked after every burst and
 * after the separately written last byte, tpmGo, and the response read header-first.
 * The width of the FIFO accesses is a parameter so every width is exercised.
 */
#ifndef ANCHOR_FRONTEND_TEST_H
#define ANCHOR_FRONTEND_TEST_H
#include "check.h"
#include "crb.h"
#include "tis.h"
#include <string.h>

#define LOC(l) ((uint64_t)(l) * VTPM_FE_LOCALITY_SIZE)

static int fe_bad_access;   /* mmio calls that returned non-zero where 0 was expected */
static unsigned long fe_accesses;   /* every MMIO access: each is one VM exit in the hypervisor */

static inline uint64_t tis_rd(struct tis *t, uint64_t off, unsigned size)
{
	uint64_t v = 0;
	fe_accesses++;
	if (tis_mmio_read(t, off, size, &v))
		fe_bad_access++;
	return v;
}

static inline void tis_wr(struct tis *t, uint64_t off, unsigned size, uint64_t v)
{
	fe_accesses++;
	if (tis_mmio_write(t, off, size, v))
		fe_bad_access++;
}

static inline bool drv_check_locality(struct tis *t, int l)
{
	uint8_t a = (uint8_t)tis_rd(t, LOC(l) + TIS_REG_ACCESS, 1);
	uint8_t want = TIS_ACCESS_ACTIVE | TIS_ACCESS_VALID;
	return (a & (want | TIS_ACCESS_REQUEST_USE)) == want;
}

static inline bool drv_request_locality(struct tis *t, int l)
{
	if (drv_check_locality(t, l))
		return true;
	tis_wr(t, LOC(l) + TIS_REG_ACCESS, 1, TIS_ACCESS_REQUEST_USE);
	for (int i = 0; i < 10; i++)
		if (drv_check_locality(t, l))
			return true;
	return false;
}

static inline void drv_relinquish(struct tis *t, int l)
{
	tis_wr(t, LOC(l) + TIS_REG_ACCESS, 1, TIS_ACCESS_ACTIVE);
}

static inline uint8_t drv_status(struct tis *t, int l)
{
	uint8_t s = (uint8_t)tis_rd(t, LOC(l) + TIS_REG_STS, 1);
	return (s & 0x23) ? 0 : s;   /* Linux's TPM_STS_READ_ZERO */
}

static inline unsigned drv_burstcount(struct tis *t, int l)
{
	return (unsigned)(tis_rd(t, LOC(l) + TIS_REG_STS, 4) >> 8) & 0xFFFF;
}

/* FIFO transfers of n bytes with accesses of `width` bytes (the last ones narrower);
 * xdata selects TPM_XDATA_FIFO (widths up to 8) instead of TPM_DATA_FIFO (up to 4). */
static inline void drv_fifo_write(struct tis *t, int l, const uint8_t *p, size_t n, unsigned width,
                           bool xdata)
{
	uint64_t reg = LOC(l) + (xdata ? TIS_REG_XDATA_FIFO : TIS_REG_DATA_FIFO);
	while (n) {
		unsigned w = width;
		while (w > n)
			w >>= 1;
		uint64_t v = 0;
		for (unsigned i = 0; i < w; i++)
			v |= (uint64_t)p[i] << (8 * i);
		tis_wr(t, reg, w, v);
		p += w;
		n -= w;
	}
}

static inline void drv_fifo_read(struct tis *t, int l, uint8_t *p, size_t n, unsigned width, bool xdata)
{
	uint64_t reg = LOC(l) + (xdata ? TIS_REG_XDATA_FIFO : TIS_REG_DATA_FIFO);
	while (n) {
		unsigned w = width;
		while (w > n)
			w >>= 1;
		uint64_t v = tis_rd(t, reg, w);
		for (unsigned i = 0; i < w; i++)
			p[i] = (uint8_t)(v >> (8 * i));
		p += w;
		n -= w;
	}
}

/* Returns 0, or a negative step number telling where the flow broke. */
static inline int drv_send(struct tis *t, int l, const uint8_t *cmd, size_t len, unsigned width,
                    bool xdata)
{
	if (!(drv_status(t, l) & TIS_STS_COMMAND_READY)) {
		tis_wr(t, LOC(l) + TIS_REG_STS, 1, TIS_STS_COMMAND_READY);
		if (!(drv_status(t, l) & TIS_STS_COMMAND_READY))
			return -1;
	}
	size_t count = 0;
	while (count < len - 1) {
		unsigned burst = drv_burstcount(t, l);
		if (!burst)
			return -2;
		size_t n = burst < len - 1 - count ? burst : len - 1 - count;
		drv_fifo_write(t, l, cmd + count, n, width, xdata);
		count += n;
		uint8_t s = drv_status(t, l);
		if (!(s & TIS_STS_VALID) || !(s & TIS_STS_EXPECT))
			return -3;
	}
	drv_fifo_write(t, l, cmd + count, 1, 1, xdata);
	uint8_t s = drv_status(t, l);
	if (!(s & TIS_STS_VALID) || (s & TIS_STS_EXPECT))
		return -4;
	tis_wr(t, LOC(l) + TIS_REG_STS, 1, TIS_STS_GO);
	return 0;
}

static inline int drv_recv_data(struct tis *t, int l, uint8_t *buf, size_t count, unsigned width,
                         bool xdata)
{
	size_t size = 0;
	while (size < count) {
		uint8_t s = drv_status(t, l);
		if ((s & (TIS_STS_DATA_AVAIL | TIS_STS_VALID)) != (TIS_STS_DATA_AVAIL | TIS_STS_VALID))
			break;
		unsigned burst = drv_burstcount(t, l);
		if (!burst)
			return -1;
		size_t n = burst < count - size ? burst : count - size;
		drv_fifo_read(t, l, buf + size, n, width, xdata);
		size += n;
	}
	return (int)size;
}

/* Returns the response length, or a negative step number. */
static inline int drv_recv(struct tis *t, int l, uint8_t *buf, size_t max, unsigned width, bool xdata)
{
	if ((drv_status(t, l) & (TIS_STS_DATA_AVAIL | TIS_STS_VALID)) !=
	    (TIS_STS_DATA_AVAIL | TIS_STS_VALID))
		return -10;
	int got = drv_recv_data(t, l, buf, VTPM_FE_HEADER_SIZE, width, xdata);
	if (got != (int)VTPM_FE_HEADER_SIZE)
		return -11;
	size_t expected = vtpm_fe_be32(buf + 2);
	if (expected > max || expected < VTPM_FE_HEADER_SIZE)
		return -12;
	got += drv_recv_data(t, l, buf + got, expected - VTPM_FE_HEADER_SIZE, width, xdata);
	if ((size_t)got < expected)
		return -13;
	uint8_t s = drv_status(t, l);
	if (!(s & TIS_STS_VALID) || (s & TIS_STS_DATA_AVAIL))
		return -14;
	tis_wr(t, LOC(l) + TIS_REG_STS, 1, TIS_STS_COMMAND_READY);
	return got;
}

/* ---- CRB ----------------------------------------------------------------------------------- */

static inline uint64_t crb_rd(struct crb *c, uint64_t off, unsigned size)
{
	uint64_t v = 0;
	fe_accesses++;
	if (crb_mmio_read(c, off, size, &v))
		fe_bad_access++;
	return v;
}

static inline void crb_wr(struct crb *c, uint64_t off, unsigned size, uint64_t v)
{
	fe_accesses++;
	if (crb_mmio_write(c, off, size, v))
		fe_bad_access++;
}

static inline bool crbdrv_request_locality(struct crb *c)
{
	crb_wr(c, CRB_REG_LOC_CTRL, 4, CRB_LOC_CTRL_REQUEST);
	uint32_t want = CRB_LOC_STATE_ASSIGNED | CRB_LOC_STATE_VALID;
	return (crb_rd(c, CRB_REG_LOC_STATE, 4) & want) == want;
}

static inline bool crbdrv_relinquish(struct crb *c)
{
	crb_wr(c, CRB_REG_LOC_CTRL, 4, CRB_LOC_CTRL_RELINQUISH);
	uint32_t mask = CRB_LOC_STATE_ASSIGNED | CRB_LOC_STATE_VALID;
	return (crb_rd(c, CRB_REG_LOC_STATE, 4) & mask) == CRB_LOC_STATE_VALID;
}

static inline bool crbdrv_cmd_ready(struct crb *c)
{
	crb_wr(c, CRB_REG_CTRL_REQ, 4, CRB_CTRL_REQ_CMD_READY);
	return (crb_rd(c, CRB_REG_CTRL_REQ, 4) & CRB_CTRL_REQ_CMD_READY) == 0 &&
	       !(crb_rd(c, CRB_REG_CTRL_STS, 4) & CRB_CTRL_STS_IDLE);
}

static inline bool crbdrv_go_idle(struct crb *c)
{
	crb_wr(c, CRB_REG_CTRL_REQ, 4, CRB_CTRL_REQ_GO_IDLE);
	return (crb_rd(c, CRB_REG_CTRL_REQ, 4) & CRB_CTRL_REQ_GO_IDLE) == 0 &&
	       (crb_rd(c, CRB_REG_CTRL_STS, 4) & CRB_CTRL_STS_IDLE);
}

/* memcpy_toio / memcpy_fromio with accesses of `width` bytes. */
static inline void crbdrv_copy_to(struct crb *c, uint64_t off, const uint8_t *p, size_t n,
                           unsigned width)
{
	while (n) {
		unsigned w = width;
		while (w > n)
			w >>= 1;
		uint64_t v = 0;
		for (unsigned i = 0; i < w; i++)
			v |= (uint64_t)p[i] << (8 * i);
		crb_wr(c, off, w, v);
		off += w, p += w, n -= w;
	}
}

static inline void crbdrv_copy_from(struct crb *c, uint64_t off, uint8_t *p, size_t n, unsigned width)
{
	while (n) {
		unsigned w = width;
		while (w > n)
			w >>= 1;
		uint64_t v = crb_rd(c, off, w);
		for (unsigned i = 0; i < w; i++)
			p[i] = (uint8_t)(v >> (8 * i));
		off += w, p += w, n -= w;
	}
}

#endif
