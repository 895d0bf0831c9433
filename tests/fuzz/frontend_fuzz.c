/*
 * libFuzzer target: random MMIO sequences (any offset, any width, any value) interleaved with
 * HTPM actions (take, complete with random responses, reset) against the TIS and the CRB
 * front-ends at once, under ASan/UBSan.  After every step the externally visible invariants
 * are checked: the PTP read-zero bits of TPM_STS, a consistent STS/ACCESS, START only while
 * executing, the HTPM only ever handed whole commands (header size == length) within the buffer.
 */
#include "crb.h"
#include "tis.h"
#include <stdlib.h>
#include <string.h>

static const uint16_t tis_regs[] = { 0x00, 0x08, 0x0C, 0x10, 0x14, 0x18, 0x19, 0x1B, 0x24, 0x25,
                                     0x27, 0x30, 0x80, 0x84, 0xBC, 0xF00, 0xF04 };
static const uint16_t crb_regs[] = { 0x00, 0x08, 0x0C, 0x30, 0x38, 0x40, 0x44, 0x48, 0x4C, 0x50,
                                     0x58, 0x5C, 0x64, 0x68, 0x80, 0x84, 0x86, 0xFF8 };

struct input {
	const uint8_t *p;
	size_t n;
};

static uint64_t take_bytes(struct input *in, unsigned k)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < k && in->n; i++, in->p++, in->n--)
		v |= (uint64_t)*in->p << (8 * i);
	return v;
}

static uint64_t pick_offset(struct input *in, bool crb)
{
	uint8_t how = (uint8_t)take_bytes(in, 1);
	if (how & 0x80)   /* anywhere, including past the window */
		return take_bytes(in, 2) % 0x5010;
	unsigned loc = (how >> 4) % 5;
	uint64_t reg = crb ? crb_regs[how % (sizeof(crb_regs) / 2)] : tis_regs[how % (sizeof(tis_regs) / 2)];
	return loc * 0x1000u + reg;
}

static void invariants(struct tis *t, struct crb *c)
{
	for (unsigned l = 0; l < 5; l++) {
		uint64_t sts = 0, acc = 0;
		tis_mmio_read(t, l * 0x1000u + TIS_REG_ACCESS, 1, &acc);
		tis_mmio_read(t, l * 0x1000u + TIS_REG_STS, 4, &sts);
		bool active = acc & TIS_ACCESS_ACTIVE;
		if (!(acc & TIS_ACCESS_VALID) || active != (tis_active_locality(t) == (int)l))
			__builtin_trap();
		if (active && ((sts & 0x23) || !(sts & TIS_STS_VALID) || (sts >> 8 & 0xFFFF) > VTPM_FE_BUF_SIZE))
			__builtin_trap();
		if (!active && sts != 0xFFFFFFFFu)
			__builtin_trap();
	}
	uint64_t start = 0;
	crb_mmio_read(c, CRB_REG_CTRL_START, 4, &start);
	if ((start == 1) != (crb_get_state(c) == CRB_EXECUTION))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tis t;
	static struct crb c;
	static uint8_t cmd[VTPM_FE_BUF_SIZE + 16], rsp[VTPM_FE_BUF_SIZE + 16];
	struct input in = { data, size };
	struct tis_config tcfg = { .burst_max = (uint16_t)take_bytes(&in, 1) };
	struct crb_config ccfg;
	crb_config_in_window(&ccfg, 0xFED40000);
	tis_init(&t, &tcfg);
	crb_init(&c, &ccfg);
	static const unsigned sizes[8] = { 1, 2, 4, 8, 1, 4, 3, 16 };
	while (in.n) {
		uint8_t op = (uint8_t)take_bytes(&in, 1);
		bool on_crb = op & 1;
		unsigned sz = sizes[(op >> 1) & 7];
		switch (op >> 4) {
		case 0: case 1: case 2: case 3: case 4: case 5: {   /* write */
			uint64_t off = pick_offset(&in, on_crb), v = take_bytes(&in, sz > 8 ? 8 : sz);
			if (on_crb)
				crb_mmio_write(&c, off, sz, v);
			else
				tis_mmio_write(&t, off, sz, v);
			break;
		}
		case 6: case 7: case 8: case 9: case 10: {           /* read */
			uint64_t off = pick_offset(&in, on_crb), v;
			int rc = on_crb ? crb_mmio_read(&c, off, sz, &v) : tis_mmio_read(&t, off, sz, &v);
			if (rc == 0 && sz < 8 && v >> (8 * sz))
				__builtin_trap();   /* bits beyond the access width */
			break;
		}
		case 11: case 12: {                                  /* HTPM takes a command */
			size_t max = (size_t)take_bytes(&in, 2) % (sizeof(cmd) + 1);
			uint8_t loc;
			size_t n = on_crb ? crb_take_command(&c, cmd, max, &loc)
			                  : tis_take_command(&t, cmd, max, &loc);
			if (n > max || n > VTPM_FE_BUF_SIZE || (n && loc > 4))
				__builtin_trap();
			/* the HTPM only ever gets a whole command: its header size is its length */
			if (n && (n < VTPM_FE_HEADER_SIZE || vtpm_fe_be32(cmd + 2) != n))
				__builtin_trap();
			break;
		}
		case 13: case 14: {                                  /* HTPM completes */
			size_t len = (size_t)take_bytes(&in, 2) % sizeof(rsp);
			uint8_t fill = (uint8_t)take_bytes(&in, 1);
			memset(rsp, fill, len);
			if (len >= 10 && (fill & 1)) {   /* half the time a well-formed header */
				rsp[0] = 0x80, rsp[1] = 0x01;
				rsp[2] = (uint8_t)(len >> 24), rsp[3] = (uint8_t)(len >> 16);
				rsp[4] = (uint8_t)(len >> 8), rsp[5] = (uint8_t)len;
			}
			if (on_crb)
				crb_complete(&c, rsp, len);
			else
				tis_complete(&t, rsp, len);
			break;
		}
		default:                                             /* platform reset */
			if (on_crb)
				crb_reset(&c);
			else
				tis_reset(&t);
			break;
		}
		invariants(&t, &c);
	}
	return 0;
}
