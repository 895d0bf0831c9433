/*
 * What the TIS/FIFO (tis.h) and CRB (crb.h) front-ends of the virtual TPM share.
 *
 * A front-end is pure logic: the hypervisor's MMIO handler calls *_mmio_read/_write with the
 * offset inside the 0x5000-byte window at 0xFED40000; when the guest has assembled a complete
 * command the front-end calls the optional command_ready hook and leaves the command for the
 * HTPM, which takes it (*_take_command, a copy, so the guest cannot change it under the engine)
 * and later delivers the response (*_complete).  No malloc, no libc: only lib/include/string.h.
 *
 * Concurrency: the front-ends do not lock.  The MMIO path (the LPAR's CPU) and the HTPM (the
 * BSP) must serialise their calls on one context, e.g. with a per-context spinlock.
 */
#ifndef ANCHOR_VTPM_FRONTEND_H
#define ANCHOR_VTPM_FRONTEND_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VTPM_FE_WINDOW_SIZE   0x5000u   /* 5 localities x 4 KiB */
#define VTPM_FE_LOCALITY_SIZE 0x1000u
#define VTPM_FE_LOCALITIES    5u
#define VTPM_FE_BUF_SIZE      4096u     /* == TPM2_MAX_COMMAND_SIZE / TPM2_MAX_RESPONSE_SIZE */
#define VTPM_FE_HEADER_SIZE   10u       /* tag, size, code */

/* Response codes the front-ends answer themselves, without the engine. */
#define VTPM_FE_RC_FAILURE      0x101u  /* the HTPM delivered an impossible response */
#define VTPM_FE_RC_COMMAND_SIZE 0x142u  /* header size < 10 or larger than the buffer */
#define VTPM_FE_RC_CANCELED     0x909u  /* cancelled before the HTPM took it */

/* The hypervisor's MMIO handler returns non-zero to stop the LPAR: the front-ends return -1 only
 * for accesses the decoder must never produce (size not 1/2/4/8, outside the window).  Every
 * access inside the window, however abusive, is answered 0 with the behaviour the PTP defines. */
static inline bool vtpm_fe_access_ok(uint64_t offset, unsigned size)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return false;
	return offset < VTPM_FE_WINDOW_SIZE && size <= VTPM_FE_WINDOW_SIZE - offset;
}

static inline uint32_t vtpm_fe_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A 10-byte TPM_ST_NO_SESSIONS response carrying rc. */
static inline size_t vtpm_fe_error_response(uint8_t *buf, uint32_t rc)
{
	static const uint8_t head[6] = { 0x80, 0x01, 0, 0, 0, VTPM_FE_HEADER_SIZE };
	for (unsigned i = 0; i < 6; i++)
		buf[i] = head[i];
	buf[6] = (uint8_t)(rc >> 24);
	buf[7] = (uint8_t)(rc >> 16);
	buf[8] = (uint8_t)(rc >> 8);
	buf[9] = (uint8_t)rc;
	return VTPM_FE_HEADER_SIZE;
}

/* The size a response header claims, if it is one the guest can be given: otherwise 0. */
static inline size_t vtpm_fe_response_ok(const uint8_t *rsp, size_t len, size_t cap)
{
	if (!rsp || len < VTPM_FE_HEADER_SIZE || len > cap)
		return 0;
	return vtpm_fe_be32(rsp + 2) == len ? len : 0;
}

#endif
