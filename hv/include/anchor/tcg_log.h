/*
 * A TCG crypto-agile event log writer (hv/tcg_log.c): the log an LPAR's firmware (the
 * hypervisor, for a measured direct boot) keeps in the TPM2 table's log area (LASA/LAML).
 * Format: TCG PC Client Platform Firmware Profile, "Spec ID Event03" header event (SHA-1
 * format, EV_NO_ACTION) followed by TCG_PCR_EVENT2 records with one digest per active bank.
 *
 * Calling model: a caller-owned struct tcg_log over a caller-owned buffer (the LPAR's log area
 * as the hypervisor sees it).  tcg_log_init zeroes the whole buffer, so the area after the
 * last event reads as the end of the log (Linux and tpm2_eventlog stop at an event whose digest
 * count does not match).  The caller computes the digests; nothing here hashes.  No locking:
 * one writer, the LPAR's CPU, before the guest runs or while it is stopped in an exit.
 */
#ifndef ANCHOR_TCG_LOG_H
#define ANCHOR_TCG_LOG_H
#include <stddef.h>
#include <stdint.h>

#define TCG_ALG_SHA1   0x0004
#define TCG_ALG_SHA256 0x000B
#define TCG_ALG_SHA384 0x000C
#define TCG_ALG_SHA512 0x000D
#define TCG_LOG_MAX_BANKS 4

/* Event types (PC Client PFP) used by a measured direct boot. */
#define EV_POST_CODE       0x00000001u
#define EV_NO_ACTION       0x00000003u
#define EV_SEPARATOR       0x00000004u
#define EV_EVENT_TAG       0x00000006u
#define EV_S_CRTM_VERSION  0x00000008u
#define EV_IPL             0x0000000Du

struct tcg_log {
	uint8_t *buf;
	uint32_t cap, used;
	unsigned nbanks;
	uint16_t alg[TCG_LOG_MAX_BANKS];
	uint16_t size[TCG_LOG_MAX_BANKS];
};

/* Digest size of a TPM hash algorithm, 0 if unknown. */
uint16_t tcg_alg_digest_size(uint16_t alg);

/* Starts a log in buf (cap bytes, zeroed here) for the banks algs[0..n-1] (1..4 distinct known
 * algorithms): writes the Spec ID event.  Returns 0, or -1 with *why. */
int tcg_log_init(struct tcg_log *log, uint8_t *buf, uint32_t cap, const uint16_t *algs,
                 unsigned n, const char **why);

/* Appends a TCG_PCR_EVENT2: digests[i] is the digest for bank i (in init's order), data the
 * event data.  Returns 0, or -1 with *why ("event log full", "PCR index out of range"); a
 * failed append leaves the log unchanged. */
int tcg_log_append(struct tcg_log *log, uint32_t pcr, uint32_t type,
                   const uint8_t *const digests[], const void *data, uint32_t len,
                   const char **why);

#endif
