/*
 * CRB front-end: the PTP CRB state machine (Idle, Ready, Execution, Completion) for locality 0.
 *
 * As in the TIS, accesses are handled byte by byte, each byte by the register it falls in, so an
 * access of any width or alignment touches exactly the bytes it covers.  Control registers act
 * on their low byte (where all their bits live); missing registers read 0xFF, writes vanish.
 */
#include "crb.h"
#include <string.h>

void crb_config_in_window(struct crb_config *cfg, uint64_t window_gpa)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->buf_gpa = window_gpa + CRB_DATA_BUFFER;
	cfg->buf_size = CRB_DATA_BUFFER_SIZE;
	cfg->buf_window_off = CRB_DATA_BUFFER;
}

/* A buffer in the window must sit in locality 0's page after the control area; one elsewhere
 * needs the caller's storage. */
static bool config_ok(const struct crb_config *cfg)
{
	if (cfg->buf_size < VTPM_FE_HEADER_SIZE || cfg->buf_size > VTPM_FE_BUF_SIZE)
		return false;
	if (!cfg->buf && cfg->buf_size > CRB_DATA_BUFFER_SIZE)
		return false;
	if (cfg->buf_window_off == 0)
		return cfg->buf != NULL;
	return cfg->buf_window_off >= CRB_DATA_BUFFER &&
	       cfg->buf_window_off + cfg->buf_size <= VTPM_FE_LOCALITY_SIZE;
}

int crb_init(struct crb *c, const struct crb_config *cfg)
{
	memset(c, 0, sizeof(*c));
	c->state = CRB_IDLE;
	if (!cfg || !config_ok(cfg)) {
		c->buf = NULL;   /* every access floats: the guest sees no TPM */
		return -1;
	}
	c->cfg = *cfg;
	c->buf = cfg->buf ? cfg->buf : c->storage;
	return 0;
}

void crb_reset(struct crb *c)
{
	if (c->taken)
		c->abandoned = true;   /* its response still arrives, to be dropped */
	c->idle_after = false;
	c->ready_after = false;
	c->queued = false;
	c->state = CRB_IDLE;
	c->assigned = false;
	c->cancel = false;
	c->int_enable = 0;
}

/* ---- state machine ------------------------------------------------------------------------- */

static void respond_locally(struct crb *c, uint32_t rc)
{
	vtpm_fe_error_response(c->buf, rc);
	c->state = CRB_COMPLETION;
}

static void start(struct crb *c)
{
	if (!c->assigned || c->state == CRB_IDLE || c->state == CRB_EXECUTION || c->taken)
		return;   /* PTP: START only from the active locality, and not while idle */
	uint32_t size = vtpm_fe_be32(c->buf + 2);
	if (size < VTPM_FE_HEADER_SIZE || size > c->cfg.buf_size) {
		respond_locally(c, VTPM_FE_RC_COMMAND_SIZE);
		return;
	}
	c->cmd_len = size;
	c->state = CRB_EXECUTION;
	c->queued = true;
	if (c->cfg.command_ready)
		c->cfg.command_ready(c->cfg.arg);
}

static void write_cancel(struct crb *c, bool on)
{
	c->cancel = on;
	if (on && c->state == CRB_EXECUTION && c->queued) {   /* the engine never saw it */
		c->queued = false;
		respond_locally(c, VTPM_FE_RC_CANCELED);
	}
}

/* While the HTPM has a command (executing, or abandoned by a reset) the buffer is not the
 * guest's: goIdle and cmdReady stay pending (their CTRL_REQ bit reads 1) until the response is
 * in, and the last one written then decides the state.  A driver that waits for the bit to clear,
 * as Linux's does, so never STARTs into a buffer the HTPM still owns. */
static void write_request(struct crb *c, uint8_t v)
{
	if (!c->assigned)
		return;
	bool busy = c->state == CRB_EXECUTION || c->taken;
	if (v & CRB_CTRL_REQ_GO_IDLE) {
		if (busy)
			c->idle_after = true, c->ready_after = false;
		else
			c->state = CRB_IDLE;
	} else if (v & CRB_CTRL_REQ_CMD_READY) {
		if (busy)
			c->ready_after = true, c->idle_after = false;
		else
			c->state = CRB_READY;
	}
}

static void write_loc_ctrl(struct crb *c, uint8_t v)
{
	/* Only locality 0 exists, so seize has nobody to seize from and resetEstablishment
	 * (locality 3/4 only) has nothing to reset. */
	if (v & CRB_LOC_CTRL_RELINQUISH)
		c->assigned = false;
	else if (v & CRB_LOC_CTRL_REQUEST)
		c->assigned = true;
}

/* ---- registers ----------------------------------------------------------------------------- */

static uint32_t loc_state(const struct crb *c)
{
	/* activeLocality (bits 4:2) is always 0 */
	return CRB_LOC_STATE_VALID | CRB_LOC_STATE_ESTABLISHED |
	       (c->assigned ? CRB_LOC_STATE_ASSIGNED : 0);
}

/* The 32-bit register at the 4-aligned reg of locality 0's control area. */
static uint32_t reg_value(const struct crb *c, uint32_t reg)
{
	uint64_t rsp_addr = c->cfg.buf_gpa;
	switch (reg) {
	case CRB_REG_LOC_STATE:   return loc_state(c);
	case CRB_REG_LOC_CTRL:    return 0;   /* write-only */
	case CRB_REG_LOC_STS:     return c->assigned ? CRB_LOC_STS_GRANTED : 0;
	case CRB_REG_INTF_ID:     return CRB_INTF_ID_LO;
	case CRB_REG_INTF_ID + 4: return CRB_INTF_ID_HI;
	case CRB_REG_CTRL_EXT:
	case CRB_REG_CTRL_EXT + 4: return 0;
	case CRB_REG_CTRL_REQ:    return (c->ready_after ? CRB_CTRL_REQ_CMD_READY : 0) |
	                                 (c->idle_after ? CRB_CTRL_REQ_GO_IDLE : 0);
	case CRB_REG_CTRL_STS:    return c->state == CRB_IDLE ? CRB_CTRL_STS_IDLE : 0;
	case CRB_REG_CTRL_CANCEL: return c->cancel ? CRB_CANCEL_INVOKE : 0;
	case CRB_REG_CTRL_START:  return c->state == CRB_EXECUTION ? CRB_START_INVOKE : 0;
	case CRB_REG_INT_ENABLE:  return c->int_enable;
	case CRB_REG_INT_STS:     return 0;
	case CRB_REG_CMD_SIZE:
	case CRB_REG_RSP_SIZE:    return c->cfg.buf_size;
	case CRB_REG_CMD_LADDR:
	case CRB_REG_RSP_ADDR:    return (uint32_t)rsp_addr;
	case CRB_REG_CMD_HADDR:
	case CRB_REG_RSP_ADDR + 4: return (uint32_t)(rsp_addr >> 32);
	default:                  return 0xFFFFFFFFu;
	}
}

static bool in_buffer(const struct crb *c, uint32_t off)
{
	return c->cfg.buf_window_off && off >= c->cfg.buf_window_off &&
	       off - c->cfg.buf_window_off < c->cfg.buf_size;
}

static uint8_t read_byte(const struct crb *c, uint32_t off)
{
	if (in_buffer(c, off))
		return c->buf[off - c->cfg.buf_window_off];
	uint32_t reg = off % VTPM_FE_LOCALITY_SIZE;
	if (off >= VTPM_FE_LOCALITY_SIZE) {   /* localities 1-4 are not implemented ... */
		if (reg < 4)                     /* ... but TPM_LOC_STATE is aliased in every one */
			return (uint8_t)(loc_state(c) >> (8 * reg));
		return 0xFF;
	}
	if (reg >= CRB_DATA_BUFFER)
		return 0xFF;
	return (uint8_t)(reg_value(c, reg & ~3u) >> (8 * (reg & 3)));
}

static void write_byte(struct crb *c, uint32_t off, uint8_t v)
{
	if (in_buffer(c, off)) {
		if (c->state != CRB_EXECUTION)   /* the command being executed stays put */
			c->buf[off - c->cfg.buf_window_off] = v;
		return;
	}
	if (off >= CRB_DATA_BUFFER)
		return;   /* other localities, the rest of the page */
	if (off == CRB_REG_LOC_CTRL) {
		write_loc_ctrl(c, v);
		return;
	}
	if (!c->assigned)
		return;   /* control registers belong to the active locality */
	if (off >= CRB_REG_INT_ENABLE && off < CRB_REG_INT_ENABLE + 4) {
		/* Kept for read-back, never acted on: no interrupts. */
		unsigned sh = 8 * (off - CRB_REG_INT_ENABLE);
		uint32_t mask = (uint32_t)0xFF << sh & 0x8000000Fu;
		c->int_enable = (c->int_enable & ~mask) | ((uint32_t)v << sh & mask);
		return;
	}
	if (off == CRB_REG_CTRL_REQ)
		write_request(c, v);
	else if (off == CRB_REG_CTRL_CANCEL)
		write_cancel(c, v & CRB_CANCEL_INVOKE);
	else if (off == CRB_REG_CTRL_START && (v & CRB_START_INVOKE))
		start(c);   /* writing 0 does nothing: only the TPM clears START */
	/* LOC_STATE, LOC_STS, INTF_ID, CTRL_EXT, CTRL_STS, INT_STS, the address and size
	 * registers (fixed buffer) and the upper bytes of control registers: read-only/ignored. */
}

int crb_mmio_read(struct crb *c, uint64_t offset, unsigned size, uint64_t *value)
{
	if (!vtpm_fe_access_ok(offset, size)) {
		*value = ~(uint64_t)0;
		return -1;
	}
	if (!c->buf) {   /* unconfigured: the bus floats, size bytes of 0xFF */
		*value = size == 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * size)) - 1;
		return 0;
	}
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)read_byte(c, (uint32_t)offset + i) << (8 * i);
	*value = v;
	return 0;
}

int crb_mmio_write(struct crb *c, uint64_t offset, unsigned size, uint64_t value)
{
	if (!vtpm_fe_access_ok(offset, size))
		return -1;
	if (!c->buf)
		return 0;
	for (unsigned i = 0; i < size; i++)
		write_byte(c, (uint32_t)offset + i, (uint8_t)(value >> (8 * i)));
	return 0;
}

/* ---- HTPM side ----------------------------------------------------------------------------- */

size_t crb_take_command(struct crb *c, uint8_t *dst, size_t max, uint8_t *locality)
{
	if (!c->queued || !dst || max < c->cmd_len)
		return 0;
	memcpy(dst, c->buf, c->cmd_len);
	if (locality)
		*locality = 0;
	c->queued = false;
	c->taken = true;
	return c->cmd_len;
}

int crb_complete(struct crb *c, const uint8_t *rsp, size_t len)
{
	if (!c->taken)
		return -1;
	c->taken = false;
	bool dropped = c->abandoned || c->idle_after || c->ready_after;
	c->abandoned = false;
	if (c->idle_after)         /* goIdle came during execution (or after a reset) */
		c->state = CRB_IDLE;
	else if (c->ready_after)   /* cmdReady did: the response is dropped, a new command may come */
		c->state = CRB_READY;
	c->idle_after = c->ready_after = false;
	if (dropped)
		return 0;
	if (vtpm_fe_response_ok(rsp, len, c->cfg.buf_size))
		memcpy(c->buf, rsp, len);
	else
		vtpm_fe_error_response(c->buf, VTPM_FE_RC_FAILURE);
	c->state = CRB_COMPLETION;
	return 0;
}

bool crb_cancel_requested(const struct crb *c)
{
	return c->taken && c->cancel;
}

enum crb_state crb_get_state(const struct crb *c)
{
	return c->state;
}
