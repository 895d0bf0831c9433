/*
 * The MMIO test device of anchor/testdev.h: a 0x5000-byte scratch area on the TPM window that
 * reads back what was written, plus a read-only register describing the previous access.
 * It exists to test the trap path (nested fault -> decode -> device -> write-back).
 */
#include <anchor/hv.h>
#include <anchor/mmio.h>
#include <anchor/testdev.h>
#include "core.h"
#include <string.h>

struct testdev {
	uint8_t bytes[TESTDEV_SIZE];
	uint64_t last;               /* TESTDEV_DESCRIBE of the previous access */
};

/* The bus only passes accesses that lie inside the window (anchor/mmio.h). */
static enum mmio_result testdev_access(void *arg, struct mmio_access *a)
{
	struct testdev *d = arg;
	uint64_t off = a->address;
	unsigned size = a->size;
	bool write = a->is_write;
	uint64_t described = d->last;
	d->last = TESTDEV_DESCRIBE(off, size, write);
	/* The description register: 8 read-only bytes; overlapping reads see its bytes. */
	uint8_t view[8];
	for (unsigned i = 0; i < size; i++) {
		uint64_t o = off + i;
		bool in_desc = o >= TESTDEV_LAST_ACCESS && o < TESTDEV_LAST_ACCESS + 8;
		if (write) {
			if (!in_desc)
				d->bytes[o] = (uint8_t)(a->value >> (8 * i));
		} else {
			view[i] = in_desc ? (uint8_t)(described >> (8 * (o - TESTDEV_LAST_ACCESS)))
			                  : d->bytes[o];
		}
	}
	if (!write) {
		uint64_t v = 0;
		for (unsigned i = 0; i < size; i++)
			v |= (uint64_t)view[i] << (8 * i);
		a->value = v;
	}
	return MMIO_HANDLED;
}

int testdev_attach(struct mmio_bus *bus)
{
	struct testdev *d = page_alloc((sizeof(struct testdev) + PAGE_SIZE - 1) / PAGE_SIZE);
	if (!d)
		return -1;
	for (unsigned i = 0; i < TESTDEV_SIZE; i++)
		d->bytes[i] = TESTDEV_INIT_BYTE(i);
	d->last = 0;
	return mmio_region_register(bus, TESTDEV_BASE, TESTDEV_SIZE, testdev_access, d);
}
