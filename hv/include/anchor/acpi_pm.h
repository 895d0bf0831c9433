/*
 * The power-off control of a Linux LPAR (hv/acpi_pm.c): the hardware-reduced ACPI sleep
 * control and status registers the LPAR's FADT names (anchor/acpi_tables.h: 8-bit I/O ports
 * ACPI_SLEEP_CTL_PORT and ACPI_SLEEP_STS_PORT).  Linux powers off by writing
 * SLP_EN | SLP_TYP << 2 to the control register, with SLP_TYP from the DSDT's \_S5 (5); that
 * asks the LPAR to power off.  Any other sleep type is refused (the LPAR sleeps in no other
 * state): the write is ignored, as on a platform without that state.  The status register
 * reads 0 (WAK_STS clear) and ignores writes.
 *
 * Calling model: used from the LPAR's CPU only (its port handlers); no locking.
 */
#ifndef ANCHOR_ACPI_PM_H
#define ANCHOR_ACPI_PM_H
#include <stdint.h>
#include <anchor/mmio.h>

struct acpi_pm {
	void (*power_off)(void *ctx);   /* called from the port handler */
	void *ctx;
	uint8_t ctl;                    /* what the control register reads back (SLP_EN clear) */
};

/* Claims both ports on the bus.  0 or -1. */
int acpi_pm_attach(struct acpi_pm *pm, struct mmio_bus *bus, void (*power_off)(void *ctx),
                   void *ctx);

#endif
