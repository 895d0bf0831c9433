/*
 * The per-LPAR device bus: guest-physical MMIO ranges and I/O port ranges claimed by device
 * models (hv/mmio.c; Jailhouse's hypervisor/mmio.c is the model).  The exit path (hv/lpar.c)
 * decodes a trapped access into a struct mmio_access and hands it to the bus, which finds the
 * one region that claims it and calls that region's handler with the handler's own argument.
 * A handler never sees the LPAR: what it needs (its state, the LPAR's RAM, a way to signal) it
 * was given at registration, through `arg`.
 *
 * Calling model: registration happens while the LPAR is built (its CPU not running yet);
 * dispatch runs on the LPAR's own CPU only.  Nothing here locks: a device whose state is also
 * touched from another CPU (the vTPM, from the BSP) locks inside its handler.
 */
#ifndef ANCHOR_MMIO_H
#define ANCHOR_MMIO_H
#include <stdbool.h>
#include <stdint.h>

/* One access as a handler sees it.  `address` is the offset inside the region (MMIO: bytes from
 * the region's base; ports: the port minus the region's first port).  size is 1/2/4/8 (ports:
 * 1/2/4).  For writes `value` holds the data (zero-extended); for reads the handler stores the
 * data there (the bus passes it in as 0). */
struct mmio_access {
	uint64_t address;
	unsigned size;
	bool is_write;
	uint64_t value;
};

enum mmio_result {
	MMIO_HANDLED,     /* done (for reads, value is set) */
	MMIO_ERROR,       /* the device refuses it: the LPAR is stopped */
	MMIO_UNHANDLED,   /* nothing claims the address (returned by the bus, not by handlers) */
};

typedef enum mmio_result (*mmio_handler)(void *arg, struct mmio_access *access);

#define MMIO_BUS_MAX_MMIO 8
#define MMIO_BUS_MAX_PIO  8

struct mmio_region {
	uint64_t base, size;
	mmio_handler handler;
	void *arg;
};

struct mmio_bus {
	struct mmio_region mmio[MMIO_BUS_MAX_MMIO];
	unsigned mmio_count;
	struct mmio_region pio[MMIO_BUS_MAX_PIO];
	unsigned pio_count;
	uint64_t ram_size;   /* guest RAM [0, ram_size) is mapped, so MMIO there would never trap */
};

/* An empty bus for an LPAR whose RAM is [0, ram_size). */
void mmio_bus_init(struct mmio_bus *bus, uint64_t ram_size);

/* Claims [base, base+size) of guest-physical space, or ports [base, base+count).  0, or -1 when
 * the table is full, the range is empty, wraps, overlaps RAM (MMIO) or another region, or
 * passes port 0xFFFF. */
int mmio_region_register(struct mmio_bus *bus, uint64_t base, uint64_t size, mmio_handler fn,
                         void *arg);
int pio_region_register(struct mmio_bus *bus, uint16_t base, uint16_t count, mmio_handler fn,
                        void *arg);

/* Whether some region claims gpa (the exit path asks before it decodes the instruction). */
bool mmio_bus_claims(const struct mmio_bus *bus, uint64_t gpa);

/* Dispatches an access at guest-physical gpa (MMIO) or at port (PIO); access->address is set
 * by the bus.  MMIO_UNHANDLED when nothing claims it; MMIO_ERROR also when the access crosses
 * the end of the region that claims its first byte (regions never overlap, so no other device
 * could complete it). */
enum mmio_result mmio_bus_dispatch(struct mmio_bus *bus, uint64_t gpa, struct mmio_access *access);
enum mmio_result pio_bus_dispatch(struct mmio_bus *bus, uint16_t port, struct mmio_access *access);

#endif
