/*
 * The per-LPAR device bus of anchor/mmio.h: a small table of MMIO regions and one of port
 * ranges, each region claimed by one device model.  Regions never overlap (registration refuses
 * it), so the first region containing an address is the only one.  Pure logic: no hypervisor
 * state, unit-tested on the host (hv/tests/hv_unit.c).
 */
#include <anchor/mmio.h>
#include <string.h>

void mmio_bus_init(struct mmio_bus *bus, uint64_t ram_size)
{
	memset(bus, 0, sizeof *bus);
	bus->ram_size = ram_size;
}

static bool overlaps(const struct mmio_region *r, unsigned n, uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < n; i++)
		if (base < r[i].base + r[i].size && r[i].base < base + size)
			return true;
	return false;
}

int mmio_region_register(struct mmio_bus *bus, uint64_t base, uint64_t size, mmio_handler fn,
                         void *arg)
{
	if (bus->mmio_count == MMIO_BUS_MAX_MMIO || !size || base + size < base)
		return -1;
	if (base < bus->ram_size)
		return -1;   /* RAM is mapped: accesses there would never trap */
	if (overlaps(bus->mmio, bus->mmio_count, base, size))
		return -1;
	bus->mmio[bus->mmio_count++] = (struct mmio_region){ base, size, fn, arg };
	return 0;
}

int pio_region_register(struct mmio_bus *bus, uint16_t base, uint16_t count, mmio_handler fn,
                        void *arg)
{
	if (bus->pio_count == MMIO_BUS_MAX_PIO || !count || (uint32_t)base + count > 0x10000)
		return -1;
	if (overlaps(bus->pio, bus->pio_count, base, count))
		return -1;
	bus->pio[bus->pio_count++] = (struct mmio_region){ base, count, fn, arg };
	return 0;
}

static struct mmio_region *find(struct mmio_region *r, unsigned n, uint64_t addr)
{
	for (unsigned i = 0; i < n; i++)
		if (addr >= r[i].base && addr - r[i].base < r[i].size)
			return &r[i];
	return NULL;
}

bool mmio_bus_claims(const struct mmio_bus *bus, uint64_t gpa)
{
	return find((struct mmio_region *)bus->mmio, bus->mmio_count, gpa) != NULL;
}

static enum mmio_result dispatch(struct mmio_region *r, uint64_t addr, struct mmio_access *a)
{
	if (!r)
		return MMIO_UNHANDLED;
	a->address = addr - r->base;
	if (!a->size || a->size > r->size - a->address)
		return MMIO_ERROR;
	if (!a->is_write)
		a->value = 0;
	return r->handler(r->arg, a) == MMIO_HANDLED ? MMIO_HANDLED : MMIO_ERROR;
}

enum mmio_result mmio_bus_dispatch(struct mmio_bus *bus, uint64_t gpa, struct mmio_access *access)
{
	return dispatch(find(bus->mmio, bus->mmio_count, gpa), gpa, access);
}

enum mmio_result pio_bus_dispatch(struct mmio_bus *bus, uint16_t port, struct mmio_access *access)
{
	return dispatch(find(bus->pio, bus->pio_count, port), port, access);
}
