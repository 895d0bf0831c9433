/*
 * The reset controls of a PC, per LPAR (hv/resetdev.c): the Reset Control Register at port
 * 0xCF9 (a write with RST_CPU, bit 2, set: 0x06 and 0x0E are what firmware and OSes write) and
 * the keyboard controller's pulse-reset command (0xFE written to port 0x64).  Either one asks
 * the LPAR to reset; what happens then is the LPAR's restart policy (anchor.cfg `restart`).
 *
 * Calling model: used from the LPAR's CPU only (its port handlers); no locking.
 */
#ifndef ANCHOR_RESETDEV_H
#define ANCHOR_RESETDEV_H
#include <stdint.h>
#include <anchor/mmio.h>

#define RESETDEV_RCR_PORT 0xCF9
#define RESETDEV_KBC_PORT 0x64

struct resetdev {
	void (*request)(void *ctx, const char *why);   /* called from the port handler */
	void *ctx;
	uint8_t rcr;                                   /* what 0xCF9 reads back */
};

/* Claims both ports on the bus.  0 or -1. */
int resetdev_attach(struct resetdev *r, struct mmio_bus *bus,
                    void (*request)(void *ctx, const char *why), void *ctx);

#endif
