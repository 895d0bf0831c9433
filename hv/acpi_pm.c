/*
 * Power-off control of a Linux LPAR (contract: anchor/acpi_pm.h): the two 8-bit registers of
 * hardware-reduced ACPI sleep (ACPI 6.x, 4.8.3.7): SLP_TYPx in bits 4:2, SLP_EN in bit 5.
 */
#include <anchor/acpi_pm.h>
#include <anchor/acpi_tables.h>

static enum mmio_result ctl_access(void *arg, struct mmio_access *a)
{
	struct acpi_pm *pm = arg;
	if (!a->is_write) {
		a->value = pm->ctl;
		return MMIO_HANDLED;
	}
	uint8_t v = (uint8_t)a->value;
	pm->ctl = v & ACPI_SLP_TYP_MASK;             /* SLP_EN is write-only */
	if ((v & ACPI_SLP_EN) && ((v & ACPI_SLP_TYP_MASK) >> 2) == ACPI_SLP_TYP_S5)
		pm->power_off(pm->ctx);
	return MMIO_HANDLED;
}

static enum mmio_result sts_access(void *arg, struct mmio_access *a)
{
	(void)arg;
	if (!a->is_write)
		a->value = 0;
	return MMIO_HANDLED;
}

int acpi_pm_attach(struct acpi_pm *pm, struct mmio_bus *bus, void (*power_off)(void *ctx),
                   void *ctx)
{
	pm->power_off = power_off;
	pm->ctx = ctx;
	pm->ctl = 0;
	if (pio_region_register(bus, ACPI_SLEEP_CTL_PORT, 1, ctl_access, pm))
		return -1;
	return pio_region_register(bus, ACPI_SLEEP_STS_PORT, 1, sts_access, pm);
}
