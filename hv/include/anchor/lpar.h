/*
 * LPARs as the hypervisor core sees them, and the per-LPAR device registration API (modelled on
 * Jailhouse's mmio_region_register): a device model claims a guest-physical MMIO range or a
 * port range of one LPAR and gets every trapped access to it, already decoded.
 */
#ifndef ANCHOR_LPAR_H
#define ANCHOR_LPAR_H
#include <stdbool.h>
#include <stdint.h>
#include <anchor/config.h>
#include <anchor/paging.h>
#include <anchor/vcpu.h>

struct lpar;

/* An MMIO access at `offset` inside the region, `size` 1/2/4/8 bytes.  For writes *value holds
 * the data; for reads the handler stores the data there.  Return 0, or -1 to stop the LPAR
 * (call lpar_stop first to give the reason; otherwise a generic one is used). */
typedef int (*mmio_handler)(struct lpar *l, void *ctx, uint64_t offset, unsigned size, bool write,
                            uint64_t *value);
/* A port access (IN/OUT) of `size` 1/2/4 bytes at `port` inside the region. */
typedef int (*pio_handler)(struct lpar *l, void *ctx, uint16_t port, unsigned size, bool write,
                           uint32_t *value);

#define LPAR_MAX_MMIO 8
#define LPAR_MAX_PIO  8

struct mmio_region {
	uint64_t base, size;
	mmio_handler fn;
	void *ctx;
};

struct pio_region {
	uint16_t base, count;
	pio_handler fn;
	void *ctx;
};

enum lpar_state { LPAR_CREATED, LPAR_RUNNING, LPAR_STOPPED };

struct lpar {
	struct vcpu vcpu;                /* first: the arch area wants its alignment */
	const struct cfg_lpar *cfg;
	unsigned index;                  /* position in anchor.cfg */
	uint8_t *ram;                    /* host view of guest-physical 0 (identity: == mem_base) */
	uint64_t ram_size;
	struct pt_pool npt_pool;         /* nested page tables (NPT/EPT) */
	uint64_t npt_root;
	uint64_t entry;                  /* guest RIP at start (the image's ELF entry) */
	struct mmio_region mmio[LPAR_MAX_MMIO];
	unsigned mmio_count;
	struct pio_region pio[LPAR_MAX_PIO];
	unsigned pio_count;
	char line[160];                  /* console output being assembled */
	unsigned line_len;
	volatile enum lpar_state state;
	char stop_reason[160];
	uint64_t exits, exits_mmio, exits_pio;
	uint64_t tsc_start;
};

/* Claim [base, base+size) of the LPAR's guest-physical space (never mapped in its nested page
 * tables, so accesses trap).  0 on success, -1 if full or overlapping another region. */
int mmio_region_register(struct lpar *l, uint64_t base, uint64_t size, mmio_handler fn, void *ctx);
int pio_region_register(struct lpar *l, uint16_t base, uint16_t count, pio_handler fn, void *ctx);

/* Marks the LPAR stopped with a reason (the first reason wins); its CPU leaves the run loop. */
void lpar_stop(struct lpar *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copies between the LPAR's RAM and the hypervisor, bounds-checked: -1 outside the LPAR. */
int lpar_read(const struct lpar *l, uint64_t gpa, void *dst, uint64_t len);
int lpar_write(struct lpar *l, uint64_t gpa, const void *src, uint64_t len);

/* The test device of anchor/testdev.h on the TPM window of this LPAR. */
int testdev_attach(struct lpar *l);

#endif
