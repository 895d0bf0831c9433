/*
 * Anchor's TPM 2.0 engine: the public interface.
 *
 * Portable C11, no malloc, no globals: one TPM is one caller-owned struct tpm2 (defined in
 * tpm2_types.h so embedders can place it statically).  The same code builds freestanding for the
 * hypervisor's HTPM and natively for the simulator (vtpm/sim/anchor-tpmd) and the tests.
 *
 * Life cycle (TPM 2.0 Part 1, "TPM Operational States"):
 *   tpm2_manufacture()   once per TPM: install hierarchy seeds, empty NV, default auths.
 *   tpm2_state_load()    or instead, restore a TPM saved with tpm2_state_save().
 *   tpm2_power_on()      _TPM_Init: the TPM now expects TPM2_Startup.
 *   tpm2_execute()       one command in, one response out (always a well-formed response).
 *   tpm2_state_save()    any time: the persistent state (NV, seeds, clock, orderly state).
 */
#ifndef ANCHOR_TPM2_H
#define ANCHOR_TPM2_H
#include <stddef.h>
#include <stdint.h>

#define TPM2_MAX_COMMAND_SIZE  4096u
#define TPM2_MAX_RESPONSE_SIZE 4096u
#define TPM2_SEED_SIZE         64u   /* bytes of each primary seed */

struct tpm2;   /* tpm2_types.h */

/* What the embedder provides. */
struct tpm2_platform {
	/* Fill buf with len bytes of fresh entropy (RDRAND/PTPM in the hypervisor, getrandom on
	 * the host).  Must not fail. */
	void (*entropy)(void *ctx, uint8_t *buf, size_t len);
	/* Milliseconds since an arbitrary start, monotonic: drives TPMS_TIME_INFO.time/clock. */
	uint64_t (*now_ms)(void *ctx);
	void *ctx;
};

/* Primary seeds.  The HTPM derives eps from the physical TPM (docs/architecture.md, "Anchoring"); the
 * simulator draws them from entropy.  Copied into the TPM; the caller should zeroise its copy. */
struct tpm2_seeds {
	uint8_t eps[TPM2_SEED_SIZE];   /* endorsement primary seed */
	uint8_t pps[TPM2_SEED_SIZE];   /* platform primary seed */
	uint8_t sps[TPM2_SEED_SIZE];   /* storage primary seed */
};

size_t tpm2_instance_size(void);   /* == sizeof(struct tpm2) */

void tpm2_manufacture(struct tpm2 *t, const struct tpm2_platform *plat,
                      const struct tpm2_seeds *seeds);
void tpm2_power_on(struct tpm2 *t);

/* The platform's locality-4 hash interface (_TPM_Hash_Start / _TPM_Hash_Data / _TPM_Hash_End,
 * Part 3 chapter 6): before TPM2_Startup an H-CRTM measurement into PCR 0, after it a D-RTM
 * measurement into PCR 17 (PCRs 17-22 reset).  Any tpm2_execute() between Start and End
 * abandons the sequence.  The embedder calls these only for the platform's locality-4 hash
 * signals (never for guest software at lower localities). */
void tpm2_hash_start(struct tpm2 *t);
void tpm2_hash_data(struct tpm2 *t, const uint8_t *data, size_t len);
void tpm2_hash_end(struct tpm2 *t);

/* Executes one command.  locality is 0..4.  Always writes a well-formed TPM 2.0 response
 * (tag, size, code) and returns its length; rsp_max must be >= 10.  cmd and rsp must not
 * overlap (parameters and session nonces are read from cmd while the response is written):
 * an overlapping call is answered TPM_RC_FAILURE without executing anything. */
size_t tpm2_execute(struct tpm2 *t, uint8_t locality, const uint8_t *cmd, size_t cmd_len,
                    uint8_t *rsp, size_t rsp_max);

/* Persistent state as a versioned blob authenticated with HMAC-SHA-256 under `key`
 * (TPM2_STATE_KEY_SIZE bytes that the caller draws once per TPM and keeps where the storage's
 * writer cannot read it: anchor-tpmd in a 0600 file of its state directory, the hypervisor
 * bound to the physical TPM).  save returns the length written, 0 if max is too small
 * (tpm2_state_max_size() always suffices).  load returns 0 on success and a negative
 * TPM2_STATE_ERR_* otherwise, leaving the TPM untouched: INTEGRITY for a blob not made under
 * this key (modified, re-hashed, forged), CORRUPT for an authentic blob with a field the
 * engine could not have written (every field is validated).  An older authentic blob
 * (rollback) is not detected here: that takes a monotonic counter outside the blob. */
#define TPM2_STATE_KEY_SIZE 32u
size_t tpm2_state_max_size(void);
size_t tpm2_state_save(const struct tpm2 *t, const uint8_t *key, uint8_t *buf, size_t max);
int tpm2_state_load(struct tpm2 *t, const struct tpm2_platform *plat, const uint8_t *key,
                    const uint8_t *buf, size_t len);

#define TPM2_STATE_ERR_TRUNCATED  -1
#define TPM2_STATE_ERR_MAGIC      -2
#define TPM2_STATE_ERR_VERSION    -3
#define TPM2_STATE_ERR_INTEGRITY  -4   /* MAC mismatch: wrong key or modified */
#define TPM2_STATE_ERR_CORRUPT    -5   /* authentic but invalid content */
const char *tpm2_state_strerror(int err);

#include "tpm2_types.h"

#endif
