/*
 * The HTPM (hv/htpm.c): the hypervisor's TPM service on the BSP.  It owns every LTPM (one TPM
 * 2.0 engine per LPAR with `tpm = vtpm`, in hypervisor memory), acts as each LTPM's platform
 * firmware (TPM2_Startup(CLEAR), EK provisioning through anchoring, platform hierarchy locked)
 * and executes the guests' commands: oldest command first across all LTPMs, so a guest that
 * floods its vTPM delays another guest's command by at most one command of its own.
 *
 * Calling model: one caller-owned struct htpm for the machine.  htpm_init, htpm_add (via
 * vtpm_create) and htpm_firmware_all run on the BSP before any LPAR runs; htpm_serve runs on
 * the BSP until every LPAR has stopped.  LPAR CPUs reach the HTPM only through their vTPM
 * (anchor/vtpm.h): a stamped command or a request flag, then bsp_kick().
 */
#ifndef ANCHOR_HTPM_H
#define ANCHOR_HTPM_H
#include <stdbool.h>
#include <stdint.h>
#include <anchor/anchoring.h>
#include <anchor/config.h>
#include <anchor/vtpm.h>

struct htpm {
	struct anchoring anchoring;      /* the machine's anchoring state (anchor/anchoring.h) */
	bool anchoring_ok;               /* anchoring_init succeeded: LTPMs may be created */
	struct vtpm *ltpm[CFG_MAX_LPARS];
	unsigned count;
	uint64_t next_seq;               /* stamps, taken atomically by the LPAR CPUs */
	uint8_t cmd[VTPM_FE_BUF_SIZE];   /* the command being executed (the HTPM's own copy) */
	uint8_t rsp[VTPM_FE_BUF_SIZE];
	/* Whether every LPAR has stopped (the service loop's exit condition); set by htpm_init. */
	bool (*all_stopped)(void *ctx);
	void *all_stopped_ctx;
};

/* Once on the BSP, after the configuration was parsed and the PTPM driver initialised, before
 * any LTPM exists: anchoring_init (fail closed unless [platform] vtpm_anchor =
 * unanchored-development).  A configuration without vTPMs skips anchoring entirely. */
void htpm_init(struct htpm *h, const struct cfg *config, bool (*all_stopped)(void *ctx),
               void *ctx);

/* Registers v (vtpm_create calls it) and manufactures its engine: seeds from anchoring, the
 * DRBG's entropy from anchoring_entropy.  0, or -1 (anchoring refused it: reason in err). */
int htpm_add(struct htpm *h, struct vtpm *v, char *err, size_t errlen);

/* On the BSP before the LPARs start: the firmware step of every LTPM (_TPM_Init,
 * TPM2_Startup(CLEAR), anchoring_ltpm_provision, platform hierarchy locked).  An LTPM that fails
 * is marked VTPM_FAILED (its LPAR is then stopped with the reason). */
void htpm_firmware_all(struct htpm *h);

/* One pass of the service loop: lifecycle requests first (resets, destroys), then at most one
 * command, the oldest stamped one.  Returns true if it did any work. */
bool htpm_service_once(struct htpm *h);

/* The BSP's loop: serve until every LPAR has stopped, sleeping (HLT) whenever there is no work;
 * LPAR CPUs wake it with bsp_kick().  No busy polling. */
void htpm_serve(struct htpm *h);

#endif
