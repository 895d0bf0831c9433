/*
 * An LPAR's virtual TPM as the hypervisor holds it (hv/vtpm.c, hv/htpm.c): the TIS or CRB
 * front-end on the LPAR's TPM window (vtpm/frontend), the one-command queue slot between that
 * front-end and the HTPM, and the LTPM itself (a struct tpm2 in hypervisor memory).
 *
 * Who runs what:
 * - the LPAR's CPU runs the front-end (vtpm_attach registers it on the LPAR's bus).  At tpmGo
 *   (TIS) or START (CRB) the command is copied ONCE out of guest-writable memory into `cmd`,
 *   stamped with a sequence number, and the BSP is kicked; the guest continues at once.
 * - the BSP (the HTPM, hv/htpm.c) takes the oldest stamped command of all LTPMs, runs it on
 *   this LTPM's engine, and completes it into the front-end.  No LPAR CPU ever runs engine or
 *   crypto code.
 *
 * CRB reads without exits: the CRB's registers are mirrored in `shadow`, five hypervisor pages
 * the LPAR's nested tables map read-only over the TPM window, so a guest reads (polls) them
 * without a VM exit; only its writes trap.  The mirror is re-rendered under the lock after every
 * change of the front-end's state (a write, a completion, a phase change).
 *
 * Locking: `lock` covers the front-end, the queue slot, the request flags and the shadow; the
 * engine is touched by the BSP only (it is never under the lock while a command executes).
 */
#ifndef ANCHOR_VTPM_H
#define ANCHOR_VTPM_H
#include <stdbool.h>
#include <stdint.h>
#include <anchor/config.h>
#include <anchor/hv.h>
#include <anchor/mmio.h>
#include <frontend/crb.h>
#include <frontend/tis.h>

struct htpm;
struct tpm2;

/* Per-LTPM figures for the benchmark (TSC ticks; printed when the LPAR stops). */
struct vtpm_stats {
	uint64_t commands;      /* executed by the engine */
	uint64_t wait_tsc;      /* sum of enqueue -> the HTPM takes it (mostly the BSP's wake-up) */
	uint64_t htpm_tsc;      /* sum of the HTPM's own work per command: dequeue, copies, complete */
	uint64_t engine_tsc;    /* sum of tpm2_execute */
	uint64_t accesses;      /* trapped TPM-window accesses (each one VM exit) */
	uint64_t wait_max_tsc;
};

enum vtpm_phase {
	VTPM_FIRMWARE,   /* waiting for the HTPM's firmware step (Startup, provisioning, lock) */
	VTPM_RUNNING,    /* the guest owns it */
	VTPM_FAILED,     /* the firmware step failed: the LPAR must not run */
	VTPM_DESTROYED,  /* its LPAR stopped for good: engine zeroised */
};

struct vtpm {
	spinlock_t lock;
	const struct cfg_lpar *cfg;
	struct htpm *htpm;
	enum cfg_interface interface;
	union {
		struct tis tis;
		struct crb crb;
	} fe;
	/* the queue slot: a TIS or CRB has at most one command in flight */
	bool ready;              /* set by the front-end's hook during the current access */
	bool queued;             /* cmd holds a stamped command for the HTPM */
	uint64_t seq;            /* its place in the HTPM's FIFO across all LTPMs */
	uint64_t queued_tsc;
	uint8_t locality;
	uint32_t cmd_len;
	uint8_t cmd[VTPM_FE_BUF_SIZE];
	/* requests from the LPAR's CPU to the HTPM (under lock); the HTPM clears them */
	volatile bool reset_request;     /* guest reset: _TPM_Init + firmware, then resume */
	volatile bool destroy_request;   /* the LPAR stopped for good */
	volatile enum vtpm_phase phase;
	uint64_t firmware_tsc;   /* how long its last firmware step kept the HTPM busy */
	uint8_t *shadow;         /* CRB: TPM_WINDOW_SIZE bytes mirroring its registers; TIS: NULL */
	struct tpm2 *engine;     /* page_alloc'd; only the BSP touches it */
	size_t engine_pages;
	struct vtpm_stats stats;
};

/*
 * On the BSP while the LPAR is built: allocates the vTPM and its engine in hypervisor memory,
 * sets up the front-end (interface from c; the CRB's buffer is the LPAR RAM page at
 * GUEST_CRB_BUFFER, host view `ram`), claims the TPM window on `bus`, and registers the vTPM
 * with the HTPM (which manufactures the engine).  Returns the vTPM, or NULL (out of memory,
 * bus full, or the HTPM refused: reason in err).
 */
struct vtpm *vtpm_create(struct htpm *h, const struct cfg_lpar *c, struct mmio_bus *bus,
                         uint8_t *ram, char *err, size_t errlen);

/* From the LPAR's CPU (anchor/lpar.h life cycle).  Both hand the work to the HTPM and kick it.
 * vtpm_guest_reset: the platform was reset; the front-end returns to its power-on state and the
 * HTPM re-runs the firmware step; returns once that is done (0) or failed (-1).
 * vtpm_lpar_stopped: the LPAR will never run again; the HTPM destroys and zeroises the LTPM. */
int vtpm_guest_reset(struct vtpm *v);
void vtpm_lpar_stopped(struct vtpm *v);
/* The pages to map read-only over the TPM window (CRB), or NULL (TIS: every read traps, its
 * FIFO reads have side effects). */
const void *vtpm_read_shadow(const struct vtpm *v);

/* Under v->lock: the phase becomes p and the shadow follows (for the HTPM). */
void vtpm_set_phase_locked(struct vtpm *v, enum vtpm_phase p);

/* Under v->lock: re-render the shadow from the front-end's state (after a completion). */
void vtpm_shadow_update(struct vtpm *v);

/* TSC ticks the HTPM spent on this vTPM's last firmware step (Startup, provisioning, lock):
 * a restart costs the HTPM that much, so the LPAR's restarts are spaced by a multiple of it. */
uint64_t vtpm_firmware_cost(const struct vtpm *v);

/* The first half of vtpm_guest_reset: the request alone, without waiting. */
void vtpm_reset_request(struct vtpm *v);

/* Blocks the calling CPU (an LPAR's, before its vCPU starts) until the HTPM's firmware step
 * for this vTPM is done: 0, or -1 if it failed. */
int vtpm_wait_firmware(struct vtpm *v);

#endif
