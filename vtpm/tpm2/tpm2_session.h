/*
 * Sessions family internals, shared by tpm2_session.c (authorization hooks, parameter
 * encryption, audit, contexts), tpm2_cmd_session.c (StartAuthSession), tpm2_policy.c (policy
 * commands and the deferred checks) and tpm2_cmd_attest.c / tpm2_audit.c (attestation).
 */
#ifndef ANCHOR_TPM2_SESSION_H
#define ANCHOR_TPM2_SESSION_H
#include "tpm2_internal.h"

/* Part 2 constants the sessions family needs (absent from tpm2_const.h). */
#define TPM_GENERATED_VALUE 0xFF544347u
#define TPM_EO_EQ           0x0000u
#define TPM_EO_BITCLEAR     0x000Bu   /* last of TPM_EO_* */

/* tpm2_session.cmd_state bits (valid from tpm2_session_check to tpm2_session_respond). */
#define TPM2_SCMD_CHECKED      0x01u  /* check ran for this command */
#define TPM2_SCMD_INCLUDE_AUTH 0x02u  /* HMAC key = sessionKey || authValue */
#define TPM2_SCMD_ROLLED       0x04u  /* nonceTPM already renewed for the response */
#define TPM2_SCMD_AUTHORIZED   0x08u  /* authorized a handle (policy: reset after use) */
#define TPM2_SCMD_EMPTY_HMAC   0x10u  /* caller sent an empty HMAC */
#define TPM2_SCMD_ENC_AUTH     0x20u  /* parameter encryption key = sessionKey || authValue */

/* A free slot (NULL -> TPM_RC_SESSION_MEMORY); the handle is set from the slot index. */
struct tpm2_session *tpm2_session_alloc(struct tpm2 *t, uint8_t type);

/* Policy session state back to "just started" (PolicyRestart, after use). */
void tpm2_policy_reset(struct tpm2_session *s);

/* The deferred policy checks at authorization time (tpm2_policy.c): policyDigest against the
 * entity's authPolicy, commandCode, cpHash/nameHash, locality, PCR counter, timeout,
 * NvWritten, template.  Returns a base code (the caller adds +S). */
TPM_RC tpm2_policy_check(struct tpm2_cmd *c, struct tpm2_session *s, int handle_idx,
                         const uint8_t *cp, size_t cp_len);

/* H(Name || authValue) of an entity: how a bound session recognises its bind entity (a
 * changed authValue unbinds it, Part 1 "Session-based authorization"). */
size_t tpm2_session_bind_id(struct tpm2 *t, uint32_t handle, uint8_t *out);

/* Tickets this family makes and checks (HMAC-SHA-256 under the hierarchy's proof, like
 * tpm2_ticket_hashcheck):
 *   TPMT_TK_AUTH      HMAC(proof, tag || timeout(u64) || cpHashA || policyRef || authName)
 *   TPMT_TK_VERIFIED  HMAC(proof, TPM_ST_VERIFIED || digest || keyName) (VerifySignature) */
void tpm2_ticket_auth(struct tpm2 *t, uint16_t tag, uint32_t hierarchy, uint64_t timeout,
                      const struct tpm2b_digest *cp, const struct tpm2b_digest *ref,
                      const uint8_t *name, size_t name_len, struct tpmt_tk *tk);
void tpm2_ticket_verified(struct tpm2 *t, uint32_t hierarchy, const uint8_t *digest,
                          size_t len, const uint8_t *name, size_t name_len, struct tpmt_tk *tk);

/* TPMS_CLOCK_INFO (attestation, PolicyCounterTimer operand source). */
void tpm2_wr_clock_info(struct tpm2_wr *w, struct tpm2 *t);

/* Signing with a loaded key for attestation (tpm2_cmd_attest.c): scheme resolution as
 * TPM2_Sign does (key scheme vs inScheme), then the signature over digest. */
TPM_RC tpm2_attest_sign(struct tpm2 *t, uint32_t key_handle, struct tpmt_scheme *scheme,
                        const uint8_t *msg, size_t msg_len, struct tpmt_signature *sig);

#endif
