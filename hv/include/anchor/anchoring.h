/*
 * Anchoring: every LTPM's endorsement hierarchy is derived from its LPAR's identity and from a
 * secret that only the physical TPM (PTPM) can compute, and every vEK gets an X.509 EK
 * certificate signed through the PTPM (US patent 8065522; docs/anchoring.md has the exact
 * derivation so that a reader can recompute it).
 *
 * Calling model: everything here runs on the BSP (the HTPM's context), never on an LPAR CPU.
 * One caller-owned struct anchoring for the whole machine (the HTPM owns it); no globals.
 * The PTPM is used only from the BSP, so nothing here locks.
 */
#ifndef ANCHOR_ANCHORING_H
#define ANCHOR_ANCHORING_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <anchor/config.h>
#include "anchor.h"            /* vtpm/anchor: the pure logic this binds to the PTPM */

struct tpm2;
struct tpm2_seeds;

#define ANCHORING_CERT_MAX ANCHOR_CERT_MAX   /* one DER certificate */

struct anchoring {
	bool ready;                  /* anchoring_init succeeded: LTPMs may be created */
	bool anchored;               /* false: unanchored development mode (no PTPM trust) */
	bool warned_entropy;         /* the "no entropy source" warning was printed */
	uint32_t psk_sign;           /* PTPM transient handle of the pSK signing key */
	uint32_t psk_hmac;           /* PTPM transient handle of the pSK keyed-hash key */
	struct x509_issuer ca;       /* the platform CA: name, key id, public key */
	uint8_t ca_der[ANCHORING_CERT_MAX];   /* the platform CA certificate (DER) */
	size_t ca_der_len;
	uint8_t dev_secret[32];      /* development mode only: stands in for the PTPM's HMAC */
	uint8_t dev_sign_key[32];    /* development mode only: the CA's software P-256 key */
	struct tpmc ptpm;            /* command channel to the PTPM (its buffers) */
	struct tpmc ltpm;            /* command channel to the LTPM being provisioned */
	uint64_t entropy_calls;      /* mixed into every entropy block */
	uint32_t ptpm_cmds;          /* PTPM round trips and their time (TSC), for the figures */
	uint64_t ptpm_ticks;
	struct anchoring_seed_cost { /* what each LPAR's seeds cost, until its provisioning line */
		const struct cfg_lpar *lpar;
		uint64_t ticks, ptpm_ticks;
		uint32_t ptpm_cmds;
	} seed_cost[CFG_MAX_LPARS];
};

/*
 * Once at boot, on the BSP, after the PTPM driver was initialised (or found absent) and the
 * configuration was parsed, before any LTPM exists.  Creates the pSK keys in the PTPM's
 * endorsement hierarchy (fixed templates), builds the platform CA certificate, prints it as PEM.
 * allow_unanchored: anchor.cfg opted into the unanchored development mode.
 * Returns 0 when LTPMs may be created (a->ready), -1 otherwise (fail closed; the reason is on
 * the console).
 */
int anchoring_init(struct anchoring *a, bool allow_unanchored);

/* The primary seeds of the LTPM of LPAR `c` (for tpm2_manufacture): the endorsement seed is
 * derived as docs/anchoring.md says.  The caller zeroises *out after use.  0 or -1. */
int anchoring_ltpm_seeds(struct anchoring *a, const struct cfg_lpar *c, struct tpm2_seeds *out);

/*
 * The HTPM acting as the LTPM's firmware, after its TPM2_Startup(CLEAR) and before it locks the
 * platform hierarchy: creates both EKs (TCG EK Credential Profile templates RSA-2048 and
 * ECC P-256) in the LTPM, writes their certificates (signed through the PTPM) to NV 0x01C00002
 * and 0x01C0000A and the platform CA certificate to the EK chain range (0x01C00100...), unless
 * they are already there (an LPAR reset keeps NV).  Prints the one console line
 * "anchor: lpar <name> vtpm <crb|tis> ek rsa2048 sha256=<hex> ecc-p256 sha256=<hex>".
 * Commands go through tpm2_execute(t, 0, ...).  0 or -1 (reason on the console).
 */
int anchoring_ltpm_provision(struct anchoring *a, const struct cfg_lpar *c, struct tpm2 *t);

/* Fresh entropy for the LTPMs' DRBGs: RDSEED/RDRAND where the CPU has them, mixed with PTPM
 * GetRandom when a PTPM is present.  Never fails (falls back to what it has, says so once). */
void anchoring_entropy(struct anchoring *a, uint8_t *buf, size_t len);

#endif
