/*
 * LPARs as the hypervisor core sees them (hv/lpar.c): built from their configuration, run on
 * their own CPU, stopped alone when they misbehave.  Each has its device bus (anchor/mmio.h),
 * on which hv/devices.c attaches what anchor.cfg asks for.
 *
 * Calling model: an LPAR is built on the BSP before any LPAR runs; from then on only its own
 * CPU touches it, except `state` (read by the BSP, atomically) and what its devices share with
 * the BSP under their own locks.
 */
#ifndef ANCHOR_LPAR_H
#define ANCHOR_LPAR_H
#include <stdbool.h>
#include <stdint.h>
#include <anchor/acpi_pm.h>
#include <anchor/boot_info.h>
#include <anchor/config.h>
#include <anchor/mmio.h>
#include <anchor/paging.h>
#include <anchor/resetdev.h>
#include <anchor/vcpu.h>
#include <anchor/vuart.h>

enum lpar_state { LPAR_CREATED, LPAR_RUNNING, LPAR_STOPPED };

struct htpm;
struct vtpm;

/* A reset loop must not monopolise anything: restarts are at least LPAR_RESTART_MIN_MS apart,
 * and at least LPAR_RESTART_HTPM_FACTOR times what the HTPM spent on the LPAR's last vTPM
 * firmware step (so one LPAR's resets take at most 1/factor of the HTPM's time from the others);
 * the LPAR's own CPU waits.  An LPAR that resets LPAR_RESTART_BURST times in a row within a
 * second of starting is stopped. */
#define LPAR_RESTART_MIN_MS      200
#define LPAR_RESTART_HTPM_FACTOR 5
#define LPAR_RESTART_BURST       16

struct lpar {
	struct vcpu vcpu;                /* first: the arch area wants its alignment */
	const struct cfg_lpar *cfg;
	unsigned index;                  /* position in anchor.cfg */
	uint8_t *ram;                    /* host view of guest-physical 0 (identity: == mem_base) */
	uint64_t ram_size;
	struct pt_pool npt_pool;         /* nested page tables (NPT/EPT) */
	uint64_t npt_root;
	uint64_t entry;                  /* guest RIP at start (the image's ELF entry) */
	const struct boot_module *image; /* the measured copy of its image (reloaded at reset) */
	const struct boot_module *initrd;/* a Linux LPAR's initrd (cfg initrd), or NULL */
	struct vcpu_start start;         /* the start state load_guest prepared */
	struct mmio_bus bus;             /* its devices */
	struct vuart uart;               /* its console */
	struct resetdev reset_ctl;       /* ports 0xCF9 and 0x64 */
	struct acpi_pm power_ctl;        /* ACPI sleep control/status ports (power-off) */
	struct htpm *htpm;               /* the machine's HTPM (set before lpar_build) */
	struct vtpm *vtpm;               /* its vTPM (tpm = vtpm), or NULL */
	const char *reset_cause;         /* a reset was requested during the current exit */
	unsigned restarts;               /* resets so far */
	unsigned quick_restarts;         /* consecutive resets within a second of the start */
	volatile enum lpar_state state;
	char stop_reason[160];
	uint64_t exits, exits_mmio, exits_pio;
	uint64_t tsc_start;
};

/* Marks the LPAR stopped with a reason (the first reason wins); its CPU leaves the run loop. */
void lpar_stop(struct lpar *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A device asks for a platform reset of the LPAR (ctx is the struct lpar): at the end of the
 * current exit the LPAR restarts (restart = reset) or stops (restart = stop). */
void lpar_request_reset(void *ctx, const char *why);

/* A device powers the LPAR off (ctx is the struct lpar): it stops, "powered off". */
void lpar_power_off(void *ctx);

/* Copies between the LPAR's RAM and the hypervisor, bounds-checked: -1 outside the LPAR. */
int lpar_read(const struct lpar *l, uint64_t gpa, void *dst, uint64_t len);
int lpar_write(struct lpar *l, uint64_t gpa, const void *src, uint64_t len);

/* Builds the LPAR from l->cfg (l->index set): nested page tables mapping only its RAM, `image`
 * (the measured module) loaded, the guest_abi.h start state, its devices attached.  0, or -1
 * with a message naming the configuration line in err. */
int lpar_build(struct lpar *l, const struct boot_module *image, char *err, size_t errlen);

/* Runs the LPAR on the calling CPU until it stops for good. */
void lpar_run(struct lpar *l);

#endif
