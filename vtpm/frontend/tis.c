/*
 * TIS/FIFO front-end: the PTP FIFO interface state machine (Idle, Ready, Reception, Execution,
 * Completion) and the locality protocol, byte by byte.
 *
 * Every access is split into bytes and each byte is handled by the register it falls in: an
 * unaligned or oversized access therefore reads exactly the bytes it covers and can never read
 * or write past a register, and a 4-byte FIFO access moves 4 bytes, as the PTP allows.
 * Registers that do not exist read 0xFF (floating bus) and ignore writes.
 */
#include "tis.h"
#include <string.h>

#define REG_IN(reg, base, len) ((reg) >= (base) && (reg) < (base) + (len))

void tis_init(struct tis *t, const struct tis_config *cfg)
{
	memset(t, 0, sizeof(*t));
	if (cfg)
		t->cfg = *cfg;
	t->active = -1;
	t->state = TIS_IDLE;
}

static void clear_buffer(struct tis *t)
{
	t->len = 0;
	t->expected = 0;
	t->rd = 0;
	t->malformed = false;
}

/* Leaves Ready/Reception/Completion for Idle.  A command the HTPM has already taken is
 * abandoned: its response will be dropped, and no new command may start before that response
 * has arrived, or tis_complete could not tell the two apart. */
static void abort_command(struct tis *t)
{
	if (t->state == TIS_EXECUTION) {
		if (t->queued) {            /* not taken yet: simply withdraw it */
			t->queued = false;
		} else {
			t->abandoned = true;
		}
		t->cancel = false;
	}
	t->state = TIS_IDLE;
	clear_buffer(t);
}

void tis_reset(struct tis *t)
{
	abort_command(t);
	t->active = -1;
	t->requests = 0;
	t->seized = 0;
	t->ready_after = false;
	memset(t->int_enable, 0, sizeof(t->int_enable));
	memset(t->int_vector, 0, sizeof(t->int_vector));
}

/* ---- locality ------------------------------------------------------------------------------ */

/* A new locality gets the TPM: whatever the old one was doing is aborted (PTP: a locality
 * change clears the interface). */
static void make_active(struct tis *t, int loc)
{
	if (t->active != loc)
		abort_command(t);
	t->active = loc;
	if (loc >= 0)
		t->requests &= (uint8_t)~(1u << loc);
}

/* The highest locality with requestUse pending, or -1. */
static int highest_request(const struct tis *t)
{
	for (int l = VTPM_FE_LOCALITIES - 1; l >= 0; l--)
		if (t->requests & (1u << l))
			return l;
	return -1;
}

static void relinquish(struct tis *t, int loc)
{
	if (t->active != loc) {
		t->requests &= (uint8_t)~(1u << loc);   /* withdraws a pending request */
		return;
	}
	make_active(t, -1);
	make_active(t, highest_request(t));
}

static void seize(struct tis *t, int loc)
{
	if (t->active >= loc)   /* only a higher locality may seize; none active: just take it */
		return;
	if (t->active >= 0)
		t->seized |= (uint8_t)(1u << t->active);
	make_active(t, loc);
}

static void request_use(struct tis *t, int loc)
{
	if (t->active == loc)
		return;
	if (t->active < 0)
		make_active(t, loc);
	else
		t->requests |= (uint8_t)(1u << loc);
}

static bool grantable(const struct tis *t, int loc)
{
	return !t->cfg.locality_limit || loc < t->cfg.locality_limit;
}

static void write_access(struct tis *t, int loc, uint8_t v)
{
	if (!grantable(t, loc))
		return;   /* never granted, so nothing there to relinquish or clear either */
	if (v & TIS_ACCESS_BEEN_SEIZED)
		t->seized &= (uint8_t)~(1u << loc);
	uint8_t cmd = v & (TIS_ACCESS_ACTIVE | TIS_ACCESS_SEIZE | TIS_ACCESS_REQUEST_USE);
	/* Software writes one of these at a time (PTP); several at once are ignored. */
	if (cmd == TIS_ACCESS_ACTIVE)
		relinquish(t, loc);
	else if (cmd == TIS_ACCESS_SEIZE)
		seize(t, loc);
	else if (cmd == TIS_ACCESS_REQUEST_USE)
		request_use(t, loc);
}

static uint8_t read_access(const struct tis *t, int loc)
{
	uint8_t v = TIS_ACCESS_VALID | TIS_ACCESS_ESTABLISHMENT;
	if (t->active == loc)
		v |= TIS_ACCESS_ACTIVE;
	if (t->seized & (1u << loc))
		v |= TIS_ACCESS_BEEN_SEIZED;
	if (t->requests & (1u << loc))
		v |= TIS_ACCESS_REQUEST_USE;
	if (t->requests & ~(1u << loc))
		v |= TIS_ACCESS_PENDING;
	return v;
}

/* ---- status -------------------------------------------------------------------------------- */

static bool expecting(const struct tis *t)
{
	return t->state == TIS_RECEPTION && (t->len < 6 || t->len < t->expected);
}

static size_t clamp_burst(const struct tis *t, size_t n)
{
	if (t->cfg.burst_max && n > t->cfg.burst_max)
		n = t->cfg.burst_max;
	return n > 0xFFFF ? 0xFFFF : n;
}

static uint32_t read_sts(const struct tis *t)
{
	uint32_t v = TIS_STS_VALID | TIS_STS_SELFTEST_DONE | TIS_STS_FAMILY_TPM20;
	size_t burst = 0;
	switch (t->state) {
	case TIS_READY:
		v |= TIS_STS_COMMAND_READY;
		burst = sizeof(t->buf);
		break;
	case TIS_RECEPTION:
		if (expecting(t)) {
			v |= TIS_STS_EXPECT;
			burst = sizeof(t->buf) - t->len;
		}
		break;
	case TIS_COMPLETION:
		if (t->rd < t->len) {
			v |= TIS_STS_DATA_AVAIL;
			burst = t->len - t->rd;
		}
		break;
	default:
		break;
	}
	return v | (uint32_t)clamp_burst(t, burst) << TIS_STS_BURST_SHIFT;
}

/* tpmGo: the command is complete; queue it (or answer an impossible one ourselves). */
static void go(struct tis *t)
{
	if (t->state != TIS_RECEPTION || expecting(t))
		return;   /* PTP: ignored unless a whole command has been received */
	if (t->malformed) {
		t->len = vtpm_fe_error_response(t->buf, VTPM_FE_RC_COMMAND_SIZE);
		t->rd = 0;
		t->state = TIS_COMPLETION;
		return;
	}
	t->state = TIS_EXECUTION;
	t->cmd_locality = (uint8_t)t->active;
	t->queued = true;
	t->cancel = false;
	if (t->cfg.command_ready)
		t->cfg.command_ready(t->cfg.arg);
}

static void command_ready(struct tis *t)
{
	switch (t->state) {
	case TIS_IDLE:
		if (t->abandoned) {        /* the buffer is still the HTPM's */
			t->ready_after = true;
			return;
		}
		t->state = TIS_READY;
		clear_buffer(t);
		break;
	case TIS_READY:
	case TIS_RECEPTION:            /* abort: the FIFO is cleared, ready for a new command */
	case TIS_COMPLETION:           /* response consumed: straight to Ready (as QEMU) */
		t->state = TIS_READY;
		clear_buffer(t);
		break;
	case TIS_EXECUTION:            /* abort: Ready once the HTPM has given the command back */
		abort_command(t);
		if (t->abandoned)
			t->ready_after = true;
		else
			t->state = TIS_READY;
		break;
	}
}

static void cancel_command(struct tis *t)
{
	if (t->state != TIS_EXECUTION)
		return;
	if (t->queued) {   /* the engine never saw it: answer TPM_RC_CANCELED now */
		t->queued = false;
		t->len = vtpm_fe_error_response(t->buf, VTPM_FE_RC_CANCELED);
		t->rd = 0;
		t->state = TIS_COMPLETION;
		return;
	}
	t->cancel = true;
}

/* One byte of a TPM_STS write; byte 0 carries commands, byte 3 cancel/resetEstablishment. */
static void write_sts_byte(struct tis *t, unsigned byte, uint8_t v)
{
	if (byte == 3) {
		if (v & (TIS_STS_CANCEL >> 24))
			cancel_command(t);
		return;   /* resetEstablishmentBit: nothing is ever established */
	}
	if (byte != 0)
		return;   /* burstCount is read-only */
	uint8_t cmd = v & (TIS_STS_COMMAND_READY | TIS_STS_GO | TIS_STS_RESPONSE_RETRY);
	if (cmd == TIS_STS_COMMAND_READY)
		command_ready(t);
	else if (cmd == TIS_STS_GO)
		go(t);
	else if (cmd == TIS_STS_RESPONSE_RETRY && t->state == TIS_COMPLETION)
		t->rd = 0;
}

/* ---- FIFO ---------------------------------------------------------------------------------- */

static void fifo_write(struct tis *t, uint8_t v)
{
	if (t->state == TIS_READY) {
		t->state = TIS_RECEPTION;
		clear_buffer(t);
	}
	if (!expecting(t))
		return;   /* Idle/Execution/Completion, or the command is complete: dropped */
	t->buf[t->len++] = v;
	if (t->len == 6) {
		uint32_t size = vtpm_fe_be32(t->buf + 2);
		if (size < VTPM_FE_HEADER_SIZE || size > sizeof(t->buf)) {
			t->malformed = true;   /* stop expecting; tpmGo answers COMMAND_SIZE */
			t->expected = 6;
		} else {
			t->expected = size;
		}
	}
}

static uint8_t fifo_read(struct tis *t)
{
	if (t->state != TIS_COMPLETION || t->rd >= t->len)
		return 0xFF;
	return t->buf[t->rd++];
}

/* ---- dispatch ------------------------------------------------------------------------------ */

static uint8_t byte_of(uint32_t v, unsigned i)
{
	return (uint8_t)(v >> (8 * i));
}

static uint8_t read_byte(struct tis *t, uint32_t off)
{
	int loc = (int)(off / VTPM_FE_LOCALITY_SIZE);
	uint32_t reg = off % VTPM_FE_LOCALITY_SIZE;
	bool active = t->active == loc;
	if (reg == TIS_REG_ACCESS)
		return read_access(t, loc);
	if (REG_IN(reg, TIS_REG_INT_ENABLE, 4))
		return byte_of(t->int_enable[loc], reg - TIS_REG_INT_ENABLE);
	if (reg == TIS_REG_INT_VECTOR)
		return t->int_vector[loc];
	if (REG_IN(reg, TIS_REG_INT_STATUS, 4))
		return 0;   /* no interrupt is ever raised */
	if (REG_IN(reg, TIS_REG_INTF_CAP, 4))
		return byte_of(TIS_INTF_CAPABILITY, reg - TIS_REG_INTF_CAP);
	if (REG_IN(reg, TIS_REG_STS, 4))
		return active ? byte_of(read_sts(t), reg - TIS_REG_STS) : 0xFF;
	if (REG_IN(reg, TIS_REG_DATA_FIFO, 4) || REG_IN(reg, TIS_REG_XDATA_FIFO, 0x40))
		return active ? fifo_read(t) : 0xFF;
	if (REG_IN(reg, TIS_REG_INTERFACE_ID, 4))
		return byte_of(TIS_INTERFACE_ID, reg - TIS_REG_INTERFACE_ID);
	if (REG_IN(reg, TIS_REG_DID_VID, 4))
		return byte_of(TIS_DID << 16 | TIS_VID, reg - TIS_REG_DID_VID);
	if (reg == TIS_REG_RID)
		return TIS_RID;
	return 0xFF;
}

static void write_byte(struct tis *t, uint32_t off, uint8_t v)
{
	int loc = (int)(off / VTPM_FE_LOCALITY_SIZE);
	uint32_t reg = off % VTPM_FE_LOCALITY_SIZE;
	if (reg == TIS_REG_ACCESS) {
		write_access(t, loc, v);
		return;
	}
	if (t->active != loc)
		return;   /* every other register belongs to the active locality only */
	if (REG_IN(reg, TIS_REG_INT_ENABLE, 4)) {
		/* Kept (software reads back what it wrote) but never acted on: no interrupts. */
		unsigned sh = 8 * (reg - TIS_REG_INT_ENABLE);
		uint32_t mask = (uint32_t)0xFF << sh & 0x8000009Fu;
		t->int_enable[loc] = (t->int_enable[loc] & ~mask) | ((uint32_t)v << sh & mask);
	} else if (reg == TIS_REG_INT_VECTOR) {
		t->int_vector[loc] = v & 0x0F;
	} else if (REG_IN(reg, TIS_REG_STS, 4)) {
		write_sts_byte(t, reg - TIS_REG_STS, v);
	} else if (REG_IN(reg, TIS_REG_DATA_FIFO, 4) || REG_IN(reg, TIS_REG_XDATA_FIFO, 0x40)) {
		fifo_write(t, v);
	}
	/* INT_STATUS (nothing to clear), read-only and missing registers: ignored. */
}

int tis_mmio_read(struct tis *t, uint64_t offset, unsigned size, uint64_t *value)
{
	if (!vtpm_fe_access_ok(offset, size)) {
		*value = ~(uint64_t)0;
		return -1;
	}
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)read_byte(t, (uint32_t)offset + i) << (8 * i);
	*value = v;
	return 0;
}

int tis_mmio_write(struct tis *t, uint64_t offset, unsigned size, uint64_t value)
{
	if (!vtpm_fe_access_ok(offset, size))
		return -1;
	for (unsigned i = 0; i < size; i++)
		write_byte(t, (uint32_t)offset + i, (uint8_t)(value >> (8 * i)));
	return 0;
}

/* ---- HTPM side ----------------------------------------------------------------------------- */

size_t tis_take_command(struct tis *t, uint8_t *dst, size_t max, uint8_t *locality)
{
	if (!t->queued || !dst || max < t->len)
		return 0;
	memcpy(dst, t->buf, t->len);
	if (locality)
		*locality = t->cmd_locality;
	t->queued = false;
	t->taken = true;
	return t->len;
}

int tis_complete(struct tis *t, const uint8_t *rsp, size_t len)
{
	if (!t->taken)
		return -1;
	t->taken = false;
	t->cancel = false;
	if (t->abandoned) {   /* nobody waits for it; a commandReady may have been deferred */
		t->abandoned = false;
		if (t->ready_after && t->state == TIS_IDLE) {
			t->state = TIS_READY;
			clear_buffer(t);
		}
		t->ready_after = false;
		return 0;
	}
	if (vtpm_fe_response_ok(rsp, len, sizeof(t->buf))) {
		memcpy(t->buf, rsp, len);
		t->len = len;
	} else {
		t->len = vtpm_fe_error_response(t->buf, VTPM_FE_RC_FAILURE);
	}
	t->rd = 0;
	t->expected = 0;
	t->state = TIS_COMPLETION;
	return 0;
}

bool tis_cancel_requested(const struct tis *t)
{
	return t->taken && t->cancel;
}

enum tis_state tis_get_state(const struct tis *t)
{
	return t->state;
}

int tis_active_locality(const struct tis *t)
{
	return t->active;
}
