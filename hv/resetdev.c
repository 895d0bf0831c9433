/*
 * The LPAR's reset controls (anchor/resetdev.h).  Only the reset functions exist: 0xCF9's other
 * bits are kept for read-back, the keyboard controller reads "no data, ready for a command" and
 * ignores every command but pulse-reset.
 */
#include <anchor/resetdev.h>

#define RCR_SYS_RST   0x02
#define RCR_RST_CPU   0x04
#define KBC_PULSE_RESET 0xFE

static enum mmio_result rcr_access(void *arg, struct mmio_access *a)
{
	struct resetdev *r = arg;
	if (!a->is_write) {
		a->value = r->rcr;
		return MMIO_HANDLED;
	}
	r->rcr = (uint8_t)a->value & (RCR_SYS_RST | 0x08);   /* RST_CPU self-clears */
	if (a->value & RCR_RST_CPU)
		r->request(r->ctx, "reset request (port 0xcf9)");
	return MMIO_HANDLED;
}

static enum mmio_result kbc_access(void *arg, struct mmio_access *a)
{
	struct resetdev *r = arg;
	if (!a->is_write) {
		a->value = 0;              /* status: output buffer empty, input buffer empty */
		return MMIO_HANDLED;
	}
	if ((a->value & 0xFF) == KBC_PULSE_RESET)
		r->request(r->ctx, "reset request (keyboard controller)");
	return MMIO_HANDLED;
}

int resetdev_attach(struct resetdev *r, struct mmio_bus *bus,
                    void (*request)(void *ctx, const char *why), void *ctx)
{
	r->request = request;
	r->ctx = ctx;
	r->rcr = 0;
	if (pio_region_register(bus, RESETDEV_RCR_PORT, 1, rcr_access, r))
		return -1;
	return pio_region_register(bus, RESETDEV_KBC_PORT, 1, kbc_access, r);
}
