/*
 * Engine internals shared by the framework and the command families.
 * docs/tpm-engine.md explains how to add a command.
 */
#ifndef ANCHOR_TPM2_INTERNAL_H
#define ANCHOR_TPM2_INTERNAL_H
#include "tpm2.h"

/* ------------------------------------------------------------------ response codes */

/* Adds a parameter / handle / session number to a format-1 code; other codes pass through. */
static inline TPM_RC tpm2_rc_num(TPM_RC rc, uint32_t where, unsigned n)
{
	if (rc == TPM_RC_SUCCESS || !(rc & RC_FMT1) || (rc & 0xFC0) != RC_FMT1)
		return rc;   /* format 0 / warning, or already numbered */
	return rc + where + ((TPM_RC)n << 8);
}
#define TPM2_RC_P(rc, n) tpm2_rc_num((rc), TPM_RC_P, (n))
#define TPM2_RC_H(rc, n) tpm2_rc_num((rc), TPM_RC_H, (n))
#define TPM2_RC_S(rc, n) tpm2_rc_num((rc), TPM_RC_S, (n))

/* Evaluate an unmarshal (or check) for parameter n; on failure return its numbered code. */
#define TPM2_P(n, expr) do { TPM_RC rc_p_ = (expr); \
	if (rc_p_ != TPM_RC_SUCCESS) return TPM2_RC_P(rc_p_, (n)); } while (0)
#define TPM2_H(n, expr) do { TPM_RC rc_h_ = (expr); \
	if (rc_h_ != TPM_RC_SUCCESS) return TPM2_RC_H(rc_h_, (n)); } while (0)
#define TPM2_TRY(expr) do { TPM_RC rc_t_ = (expr); \
	if (rc_t_ != TPM_RC_SUCCESS) return rc_t_; } while (0)

/* ------------------------------------------------------------------ command table */

enum tpm2_auth_role { TPM2_ROLE_NONE = 0, TPM2_ROLE_USER, TPM2_ROLE_ADMIN, TPM2_ROLE_DUP };

/* Handle kinds (the K(...) column of tpm2_commands.h). */
#define TPM2_HK_PCR   0x0001u
#define TPM2_HK_NV    0x0002u
#define TPM2_HK_HS    0x0004u   /* HMAC session */
#define TPM2_HK_PS    0x0008u   /* policy / trial session */
#define TPM2_HK_OWN   0x0010u
#define TPM2_HK_END   0x0020u
#define TPM2_HK_PLAT  0x0040u
#define TPM2_HK_LOCK  0x0080u
#define TPM2_HK_NUL   0x0100u
#define TPM2_HK_TR    0x0200u   /* transient object or sequence */
#define TPM2_HK_PER   0x0400u   /* persistent object */

#define TPM2_F_NV     0x01u
#define TPM2_F_EXT    0x02u
#define TPM2_F_FLU    0x04u
#define TPM2_F_DEC    0x08u
#define TPM2_F_ENC    0x10u
#define TPM2_F_NOSESS 0x20u

struct tpm2_cmd;
typedef TPM_RC (*tpm2_handler)(struct tpm2_cmd *c);

struct tpm2_cmd_desc {
	uint16_t cc;              /* low 16 bits of TPM_CC (all implemented codes are 0x1xx) */
	uint8_t handles_in;
	uint8_t handle_out;
	uint8_t role[3];          /* enum tpm2_auth_role */
	uint16_t kinds[3];        /* TPM2_HK_* */
	uint8_t flags;            /* TPM2_F_* */
	uint8_t index;            /* row number: command-audit bitmap bit */
	tpm2_handler fn;          /* NULL: not implemented */
	const char *name;
};

extern const struct tpm2_cmd_desc tpm2_cmd_table[];
extern const unsigned tpm2_cmd_table_len;
const struct tpm2_cmd_desc *tpm2_cmd_find(TPM_CC cc);   /* NULL if unknown/not implemented */
uint32_t tpm2_cmd_tpma(const struct tpm2_cmd_desc *d);  /* TPMA_CC for GetCapability */

/* ------------------------------------------------------------------ one command in flight */

struct tpm2_auth {
	uint32_t handle;              /* TPM_RS_PW or a session handle */
	const uint8_t *nonce;         /* nonceCaller (points into the command) */
	uint16_t nonce_size;
	uint8_t attrs;                /* TPMA_SESSION */
	const uint8_t *hmac;          /* hmac / password */
	uint16_t hmac_size;
	struct tpm2_session *sess;    /* NULL for TPM_RS_PW */
	int8_t auth_for;              /* handle index this session authorizes, -1: none */
};

struct tpm2_cmd {
	struct tpm2 *t;
	const struct tpm2_cmd_desc *desc;
	TPM_CC cc;
	uint8_t locality;
	uint16_t tag;
	uint32_t handles[3];
	const uint8_t *params;        /* raw parameter area (cpHash covers it) */
	size_t params_len;
	struct tpm2_rd in;            /* handlers read their parameters from here */
	struct tpm2_wr out;           /* ... and write response parameters here */
	uint32_t rsp_handle;          /* set by handlers of commands with handle_out */
	unsigned n_auths;
	struct tpm2_auth auths[3];
	uint8_t flushed_auth;         /* handler flushed an authorized entity (sequence complete) */
	size_t io_used;               /* bytes of t->io holding decrypted parameters (wiped after) */
};

/* Handlers call this after reading their last parameter: leftover bytes -> TPM_RC_SIZE. */
TPM_RC tpm2_in_done(struct tpm2_cmd *c);

/* Handler prototypes: tpm2_cc_<name> for every row. */
#define X(name, ...) TPM_RC tpm2_cc_##name(struct tpm2_cmd *c);
#include "tpm2_commands.h"
#undef X

/* ------------------------------------------------------------------ entities (tpm2_entity.c) */

/* Does the handle refer to something that exists now?  Returns TPM_RC_SUCCESS, TPM_RC_HANDLE,
 * TPM_RC_VALUE (bad permanent handle / PCR index), TPM_RC_HIERARCHY (disabled) or
 * TPM_RC_REFERENCE_H0 (transient object / session not loaded). */
TPM_RC tpm2_entity_check(struct tpm2 *t, uint32_t handle);
uint16_t tpm2_handle_kind(uint32_t handle);       /* TPM2_HK_* (0: none) */
/* authValue of an entity (for password and HMAC sessions).  NULL if it has none usable. */
const struct tpm2b_digest *tpm2_entity_auth(struct tpm2 *t, uint32_t handle);
/* authPolicy + its hash alg (policy sessions).  NULL if none. */
const struct tpm2b_digest *tpm2_entity_policy(struct tpm2 *t, uint32_t handle, uint16_t *alg);
/* Name (Part 1, 16): handle itself for PCR/session/permanent, nameAlg||H(public) otherwise. */
size_t tpm2_entity_name(struct tpm2 *t, uint32_t handle, uint8_t *out /* >= 2+64 */);
/* Subject to dictionary-attack protection? */
bool tpm2_entity_is_da(struct tpm2 *t, uint32_t handle);
/* Hierarchy an entity belongs to (TPM_RH_OWNER/ENDORSEMENT/PLATFORM/NULL). */
uint32_t tpm2_entity_hierarchy(struct tpm2 *t, uint32_t handle);
bool tpm2_hierarchy_enabled(struct tpm2 *t, uint32_t hierarchy);
struct tpm2_hierarchy_auth *tpm2_hierarchy(struct tpm2 *t, uint32_t handle);

/* ------------------------------------------------------------------ authorization (tpm2_auth.c) */

/* Password / DA machinery used by the dispatcher. */
TPM_RC tpm2_auth_check_all(struct tpm2_cmd *c);
/* t->orderly besides TPM_SU_CLEAR/STATE (the last Shutdown): started and not shut down
 * since; DA_USED: ... and a DA-protected authorization was tried (reference SU_DA_USED:
 * only then does losing power count as an authorization failure). */
#define TPM2_ORDERLY_NONE    0xFFFFu
#define TPM2_ORDERLY_DA_USED 0xFFFEu
void tpm2_da_tick(struct tpm2 *t);              /* recover failedTries with time (not Clock) */
void tpm2_da_heal_restart(struct tpm2 *t);      /* a recovery period starts now */
void tpm2_da_power_on(struct tpm2 *t);          /* _TPM_Init: the periods restart */
bool tpm2_da_locked_out(struct tpm2 *t);
void tpm2_da_failure(struct tpm2 *t, uint32_t handle);
/* cpHash / rpHash for session families */
size_t tpm2_cp_hash(struct tpm2_cmd *c, uint16_t alg, uint8_t *out);
size_t tpm2_rp_hash(struct tpm2_cmd *c, uint16_t alg, TPM_RC rc, const uint8_t *rsp_params,
                    size_t len, uint8_t *out);

/* ------------------------------------------------------------------ sessions hooks
 * Implemented by the sessions family (tpm2_session.c).  The dispatcher calls:
 *   tpm2_session_lookup   while parsing the auth area: handle -> loaded session or NULL
 *   tpm2_session_check    once per non-password session, after handle validation, with the
 *                         index of the handle it authorizes (-1: audit/encrypt-only session):
 *                         verify HMAC over cpHash or the policy, apply DA on failure
 *   tpm2_session_decrypt  before the handler if a session has TPMA_SESSION_DECRYPT: decrypt
 *                         buf (the first command parameter's bytes) in place
 *   tpm2_session_encrypt  after the handler if a session has TPMA_SESSION_ENCRYPT
 *   tpm2_session_respond  write this session's response auth (nonceTPM, attrs, hmac over
 *                         rpHash) to w; update nonces/audit; free the session unless
 *                         continueSession
 */
struct tpm2_session *tpm2_session_lookup(struct tpm2 *t, uint32_t handle);
TPM_RC tpm2_session_check(struct tpm2_cmd *c, unsigned sess_idx, int handle_idx);
TPM_RC tpm2_session_decrypt(struct tpm2_cmd *c, unsigned sess_idx, uint8_t *buf, size_t len);
TPM_RC tpm2_session_encrypt(struct tpm2_cmd *c, unsigned sess_idx, uint8_t *buf, size_t len);
TPM_RC tpm2_session_respond(struct tpm2_cmd *c, unsigned sess_idx, const uint8_t *rsp_params,
                            size_t rsp_len, struct tpm2_wr *w);
/* Context save/load of sessions (payload serialisation is the sessions family's). */
/* save: write the payload, set *sequence (TPMS_CONTEXT.sequence), mark the slot saved;
 * a handle that is not loaded -> TPM_RC_REFERENCE_H0.  load: r holds the authenticated,
 * decrypted payload; a stale or replayed context -> TPM_RC_HANDLE. */
TPM_RC tpm2_session_context_save(struct tpm2 *t, uint32_t handle, struct tpm2_wr *w,
                                 uint64_t *sequence);
TPM_RC tpm2_session_context_load(struct tpm2 *t, uint32_t handle, struct tpm2_rd *r);
void tpm2_session_flush(struct tpm2 *t, uint32_t handle);
void tpm2_sessions_reset(struct tpm2 *t);       /* Startup: drop all sessions */
/* Shutdown(STATE): remember the context-saved sessions; Startup: resume brings them back (their
 * contexts stay loadable, as in the reference TPM), any other Startup forgets them. */
void tpm2_sessions_shutdown_state(struct tpm2 *t);
void tpm2_sessions_startup(struct tpm2 *t, bool resume);

/* ------------------------------------------------------------------ transient slots (tpm2_object.c) */

struct tpm2_slot *tpm2_slot_find(struct tpm2 *t, uint32_t handle);
/* Allocates a free slot with a fresh 0x80xxxxxx handle; NULL -> TPM_RC_OBJECT_MEMORY. */
struct tpm2_slot *tpm2_slot_alloc(struct tpm2 *t, uint8_t kind);
void tpm2_slot_free(struct tpm2 *t, struct tpm2_slot *s);
struct tpm2_persistent *tpm2_persistent_find(struct tpm2 *t, uint32_t handle);
/* Objects family: the object behind a transient or persistent handle (NULL if none/sequence). */
struct tpm2_object *tpm2_object_find(struct tpm2 *t, uint32_t handle);
void tpm2_objects_flush_hierarchy(struct tpm2 *t, uint32_t hierarchy);  /* Clear, disable */
/* Slot payload for ContextSave/ContextLoad (field by field).  */
void tpm2_slot_serialize(const struct tpm2_slot *s, struct tpm2_wr *w);
TPM_RC tpm2_slot_deserialize(struct tpm2_slot *s, struct tpm2_rd *r);

/* ------------------------------------------------------------------ contexts (tpm2_context.c) */

/* Generic context-blob protection, reused for objects and sessions: payload is encrypted
 * with a key derived from the per-boot context key and authenticated with an HMAC that also
 * covers sequence, handle and hierarchy. */
TPM_RC tpm2_context_seal(struct tpm2 *t, struct tpms_context *ctx, const uint8_t *payload,
                         size_t len);
TPM_RC tpm2_context_open(struct tpm2 *t, const struct tpms_context *ctx, uint8_t *payload,
                         size_t max, size_t *len);

/* ------------------------------------------------------------------ PCRs (tpm2_pcr.c) */

int tpm2_pcr_bank_index(uint16_t alg);        /* -1 if not a bank this TPM has */
uint16_t tpm2_pcr_bank_alg(unsigned bank);
bool tpm2_pcr_bank_active(struct tpm2 *t, unsigned bank);
void tpm2_pcr_extend(struct tpm2 *t, unsigned bank, unsigned pcr, const uint8_t *digest);
void tpm2_pcr_startup(struct tpm2 *t, bool clear);
/* PC Client PTP locality rules, as TPMA_LOCALITY-style masks (bit n = locality n). */
uint8_t tpm2_pcr_extend_localities(unsigned pcr);
uint8_t tpm2_pcr_reset_localities(unsigned pcr);
/* Digest over the selected PCRs in selection order (PolicyPCR, Quote). */
size_t tpm2_pcr_digest(struct tpm2 *t, const struct tpml_pcr_selection *sel, uint16_t alg,
                       uint8_t *out);

/* ------------------------------------------------------------------ NV (tpm2_nv.c) */

struct tpm2_nv_index *tpm2_nv_find(struct tpm2 *t, uint32_t handle);
size_t tpm2_nv_name(const struct tpm2_nv_index *nv, uint8_t *out);
uint8_t *tpm2_nv_data(struct tpm2 *t, struct tpm2_nv_index *nv);
void tpm2_nv_startup(struct tpm2 *t, bool clear);
void tpm2_nv_clear_owner(struct tpm2 *t);     /* TPM2_Clear: owner indices go */
/* The attribute and size rules of an index's public area (NV_DefineSpace; the state loader
 * passes defined = true, which also allows what the TPM sets later: WRITTEN, the locks).
 * platform: defined with platformAuth.  TPM_RC_SUCCESS or a +P2/+H1 code. */
TPM_RC tpm2_nv_check_public(const struct tpms_nv_public *p, bool platform, bool defined);
/* PIN Pass / PIN Fail indices (tpm2_nv.c): whether the index's authValue may be used by this
 * command (TPM_RC_AUTH_UNAVAILABLE if not), and the counting after an authorization check
 * whose result was rc.  Both do nothing for other handles. */
void tpm2_clock_adjust(struct tpm2 *t, int32_t step);   /* tpm2_core.c: ClockRateAdjust */
void tpm2_drtm_abort(struct tpm2 *t);   /* tpm2_drtm.c: a command ends a hash sequence */
TPM_RC tpm2_nv_pin_auth_available(struct tpm2 *t, uint32_t handle, uint32_t cc);
void tpm2_nv_pin_count(struct tpm2 *t, uint32_t handle, TPM_RC rc);

/* ------------------------------------------------------------------ misc */

void tpm2_clock_update(struct tpm2 *t);        /* bring t->clock forward from now_ms */
void tpm2_wr_time_info(struct tpm2_wr *w, struct tpm2 *t);   /* TPMS_TIME_INFO */
void tpm2_random(struct tpm2 *t, void *out, size_t len);
void tpm2_random_discard(struct tpm2 *t);      /* after StirRandom / power-on */
void tpm2_proofs_new(struct tpm2 *t);          /* manufacture / Clear */
/* The secret proof value of a hierarchy (tickets); TPM_RH_NULL's changes at every reset. */
const uint8_t *tpm2_hierarchy_proof(struct tpm2 *t, uint32_t hierarchy);
/* TPMT_TK_HASHCHECK for a digest produced by Hash/SequenceComplete (Sign checks it). */
void tpm2_ticket_hashcheck(struct tpm2 *t, uint32_t hierarchy, uint16_t alg,
                           const uint8_t *digest, size_t len, struct tpmt_tk *tk);
/* authValues are kept without trailing zeros (Part 1, "authValue"). */
void tpm2_auth_set(struct tpm2b_digest *dst, const uint8_t *src, uint16_t len);

/* Little helpers */
static inline bool tpm2_is_hierarchy(uint32_t h)
{
	return h == TPM_RH_OWNER || h == TPM_RH_ENDORSEMENT || h == TPM_RH_PLATFORM;
}

#endif
