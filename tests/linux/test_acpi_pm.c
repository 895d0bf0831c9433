/*
 * Host unit test of the power-off control (hv/acpi_pm.c) on a real device bus (hv/mmio.c): the
 * write Linux's acpi_power_off makes (SLP_EN | 5 << 2 to the FADT's sleep control port) powers
 * the LPAR off exactly once; other sleep types, a write without SLP_EN, wider or neighbouring
 * accesses do not; the status register reads 0.
 */
#include <anchor/acpi_pm.h>
#include <anchor/acpi_tables.h>
#include <stdio.h>
#include "check.h"

static unsigned offs;
static void power_off(void *ctx) { (void)ctx; offs++; }

static enum mmio_result out8(struct mmio_bus *bus, uint16_t port, uint8_t v)
{
	struct mmio_access a = { 0, 1, true, v };
	return pio_bus_dispatch(bus, port, &a);
}

static uint64_t in8(struct mmio_bus *bus, uint16_t port)
{
	struct mmio_access a = { 0, 1, false, 0 };
	pio_bus_dispatch(bus, port, &a);
	return a.value;
}

int main(void)
{
	struct mmio_bus bus;
	struct acpi_pm pm;
	mmio_bus_init(&bus, 256 << 20);
	CHECK("attach claims the sleep control and status ports", acpi_pm_attach(&pm, &bus, power_off, NULL) == 0);
	CHECK("the ports cannot be claimed twice", acpi_pm_attach(&pm, &bus, power_off, NULL) == -1);
	CHECK("status reads 0 (WAK_STS clear)", in8(&bus, ACPI_SLEEP_STS_PORT) == 0);
	out8(&bus, ACPI_SLEEP_STS_PORT, 0x80);                 /* Linux clears WAK_STS first */
	CHECK("status write ignored, no power-off", offs == 0 && in8(&bus, ACPI_SLEEP_STS_PORT) == 0);
	out8(&bus, ACPI_SLEEP_CTL_PORT, ACPI_SLP_TYP_S5 << 2);
	CHECK("S5 type without SLP_EN: nothing", offs == 0);
	CHECK("control reads back the type, never SLP_EN", in8(&bus, ACPI_SLEEP_CTL_PORT) == ACPI_SLP_TYP_S5 << 2);
	for (unsigned t = 0; t < 8; t++)
		if (t != ACPI_SLP_TYP_S5)
			out8(&bus, ACPI_SLEEP_CTL_PORT, (uint8_t)(ACPI_SLP_EN | t << 2));
	CHECK("SLP_EN with sleep types other than S5: no power-off", offs == 0);
	CHECK("Linux's power-off write is handled",
	      out8(&bus, ACPI_SLEEP_CTL_PORT, ACPI_SLP_EN | ACPI_SLP_TYP_S5 << 2) == MMIO_HANDLED);
	CHECK("... and powers off once", offs == 1);
	CHECK("the port below is not ours", out8(&bus, ACPI_SLEEP_CTL_PORT - 1, 0x34) == MMIO_UNHANDLED);
	CHECK("the port above is not ours", out8(&bus, ACPI_SLEEP_STS_PORT + 1, 0x34) == MMIO_UNHANDLED);
	return check_exit();
}
