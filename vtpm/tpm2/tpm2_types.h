/*
 * struct tpm2: everything one TPM instance needs, in fixed arenas (no malloc, no globals).
 * Embedders only need its size; the layout is the engine's business (tpm2_internal.h).
 *
 * Sections marked PERSISTENT go into the state blob (tpm2_state.c serialises them field by
 * field; add a field there when you add one here, and bump TPM2_STATE_VERSION).  Everything
 * else is volatile and rebuilt by tpm2_power_on()/Startup.
 */
#ifndef ANCHOR_TPM2_TYPES_H
#define ANCHOR_TPM2_TYPES_H
#include "tpm2_shim.h"
#include "tpm2_const.h"
#include "tpm2_marshal.h"
#include "tpm2_crypto.h"

#define TPM2_NUM_PCRS         24u
#define TPM2_TRANSIENT_SLOTS  3u    /* objects + sequences (libtpms has 3 too) */
#define TPM2_SESSION_SLOTS    8u    /* active sessions (a saved one keeps its slot) */
#define TPM2_PERSISTENT_SLOTS 7u
#define TPM2_NV_MAX_INDICES   24u
#define TPM2_NV_ARENA_SIZE    8192u /* data of all NV indices */
#define TPM2_NV_INDEX_MAX     2048u /* largest single index */
#define TPM2_MAX_AUTH_SIZE    64u
#define TPM2_AUDIT_BITMAP_BYTES 16u /* one bit per command-table row (tpm2_commands.h) */

/* ---- hierarchies */
struct tpm2_hierarchy_auth {
	struct tpm2b_digest auth;       /* authValue */
	struct tpm2b_digest policy;     /* authPolicy (empty = none) */
	uint16_t policy_alg;            /* TPM_ALG_NULL when no policy */
};

/* ---- PCR bank allocation: one select mask per implemented bank (bank index, tpm2_pcr.c) */
struct tpm2_pcr_alloc {
	uint8_t select[TPM2_NUM_BANKS][TPM2_PCR_SELECT_MAX];
};

/* ---- NV indices: descriptors + one data arena, packed in definition order */
struct tpm2_nv_index {
	struct tpms_nv_public pub;      /* pub.index == 0: free descriptor */
	struct tpm2b_digest auth;
	uint16_t data_off;              /* into tpm2.nv_data */
};

/* ---- transient slots: loaded objects and hash/HMAC/event sequences */
enum tpm2_slot_kind {
	TPM2_SLOT_FREE = 0,
	TPM2_SLOT_OBJECT,               /* key / sealed data (objects family) */
	TPM2_SLOT_HASH_SEQ,
	TPM2_SLOT_HMAC_SEQ,
	TPM2_SLOT_EVENT_SEQ,
};

/* TPM2B_NAME: nameAlg || digest, up to 2 + 64 bytes (SHA-512 names do not fit a digest). */
struct tpm2b_name { uint16_t size; uint8_t buf[2 + TPM2_MAX_DIGEST]; };

struct tpm2_object {
	struct tpmt_public pub;
	struct tpmt_sensitive sens;
	struct tpm2b_name name;         /* nameAlg || H(public) */
	struct tpm2b_name qname;        /* qualified name */
	uint32_t hierarchy;             /* TPM_RH_OWNER/ENDORSEMENT/PLATFORM/NULL */
	uint32_t flags;                 /* objects family: TPM2_OBJ_* */
};

struct tpm2_sequence {
	struct tpm2b_digest auth;
	struct tpm2_hash hash;          /* hash sequence */
	struct tpm2_hmac hmac;          /* HMAC sequence */
	struct tpm2_hash event[TPM2_NUM_BANKS];   /* event sequence: one per bank */
	/* hash sequence: the first bytes of the message, however the caller splits it across
	 * SequenceUpdate/SequenceComplete, so that the ticket judges them (TPM_GENERATED_VALUE) */
	uint8_t head[4];
	uint8_t head_len;
};

struct tpm2_slot {
	uint8_t kind;                   /* enum tpm2_slot_kind */
	uint32_t handle;                /* 0x80xxxxxx */
	uint64_t age;                   /* load order, for FLUSHED/handles listing */
	union {
		struct tpm2_object obj;
		struct tpm2_sequence seq;
	} u;
};

struct tpm2_persistent {
	uint32_t handle;                /* 0x81xxxxxx, 0 = free */
	struct tpm2_object obj;
};

/* ---- sessions (sessions family owns the meaning of these fields; tpm2_session.c) */
#define TPM2_SESS_BOUND          0x0001u  /* HMAC session bound to bind_id's entity */
#define TPM2_SESS_DA_BOUND       0x0002u  /* bound to a DA-protected entity: lockout applies */
#define TPM2_SESS_LOCKOUT_BOUND  0x0004u  /* bound to lockoutAuth */
#define TPM2_SESS_AUTH_NEEDED    0x0008u  /* PolicyAuthValue: HMAC with the authValue */
#define TPM2_SESS_PASSWORD       0x0010u  /* PolicyPassword: hmac field is the password */
#define TPM2_SESS_CPHASH         0x0020u  /* cp_hash holds a PolicyCpHash value */
#define TPM2_SESS_NAMEHASH       0x0040u  /* cp_hash holds a PolicyNameHash value */
#define TPM2_SESS_PCR            0x0080u  /* PolicyPCR seen: pcr_counter must still hold */
#define TPM2_SESS_NV_WRITTEN     0x0100u  /* PolicyNvWritten seen ... */
#define TPM2_SESS_NV_WRITTEN_YES 0x0200u  /* ... with writtenSet = YES */
#define TPM2_SESS_AUDIT          0x0400u  /* audit_digest is running */
#define TPM2_SESS_TEMPLATE       0x0800u  /* template_hash holds a PolicyTemplate value */

struct tpm2_session {
	uint32_t handle;                /* 0x02xxxxxx / 0x03xxxxxx, 0 = free slot */
	uint8_t type;                   /* TPM_SE_HMAC / POLICY / TRIAL */
	uint8_t saved;                  /* context saved: slot reserved, data held in the blob */
	uint16_t hash_alg;              /* authHash */
	struct tpmt_sym_def symmetric;  /* parameter encryption (alg NULL: none) */
	struct tpm2b_digest session_key;
	struct tpm2b_digest nonce_tpm;
	struct tpm2b_digest policy_digest;
	struct tpm2b_digest bind_id;    /* H(Name || authValue) of the bind entity (HMAC only) */
	struct tpm2b_digest audit_digest;
	struct tpm2b_digest cp_hash;    /* PolicyCpHash / PolicyNameHash */
	struct tpm2b_digest template_hash;
	uint32_t command_code;          /* PolicyCommandCode, 0 = any */
	uint32_t pcr_counter;           /* pcr_update_counter at PolicyPCR */
	uint64_t start_time;            /* TPM clock (ms) at StartAuthSession */
	uint64_t timeout;               /* TPM clock (ms) after which the policy expires, 0 none */
	uint32_t flags;                 /* TPM2_SESS_* */
	uint8_t locality_mask;          /* PolicyLocality, 0 = any */
	uint64_t context_seq;           /* ContextSave sequence while saved */
	/* ---- per-command scratch (never saved): set by tpm2_session_check */
	uint8_t cmd_state;              /* TPM2_SCMD_* */
	struct tpm2b_digest cmd_auth;   /* authValue of the authorized entity (this command) */
	struct tpm2b_digest cmd_cp;     /* cpHash in hash_alg (audit) */
};

/* A context-saved session's identity kept through Shutdown(STATE)/Startup(STATE) (the
 * session's state itself lives in the caller's context blob). */
struct tpm2_saved_session {
	uint32_t handle;                /* 0 = none */
	uint64_t seq;                   /* TPMS_CONTEXT.sequence of its latest save */
};

/* ---- self test, DA, clock */
struct tpm2_da {
	uint32_t failed_tries;          /* lockoutCounter */
	uint32_t max_tries;
	uint32_t recovery_time;         /* seconds per failure decrement */
	uint32_t lockout_recovery;      /* seconds the lockout auth is blocked after a failure */
	uint8_t lockout_auth_blocked;
	/* Self-healing runs on `time_ms` (TPMS_TIME_INFO.time), never on Clock, which ClockSet
	 * moves forward: volatile, not in the state blob, restarted at every power-on (the time a
	 * TPM is off does not count, as in the reference TPM without ACCUMULATE_SELF_HEAL_TIMER). */
	uint64_t heal_from_ms;          /* time_ms of the last failure or decrement */
	uint64_t lockout_auth_fail_ms;  /* time_ms of the last lockoutAuth failure */
};

struct tpm2 {
	struct tpm2_platform plat;

	/* ============ PERSISTENT ============ */
	uint8_t eps[TPM2_SEED_SIZE], pps[TPM2_SEED_SIZE], sps[TPM2_SEED_SIZE];
	uint8_t ph_proof[TPM2_MAX_DIGEST], sh_proof[TPM2_MAX_DIGEST], eh_proof[TPM2_MAX_DIGEST];
	struct tpm2_hierarchy_auth owner, endorsement, platform, lockout;
	uint8_t disable_clear;
	struct tpm2_da da;
	uint64_t clock;                 /* ms, advances with now_ms while powered */
	uint8_t clock_safe;
	int8_t clock_rate;              /* the last ClockRateAdjust request, -3..+3 */
	uint32_t reset_count, restart_count;
	uint32_t clear_count;           /* TPM Restarts since the last Reset: stClear contexts */
	uint16_t orderly;               /* TPM_SU_CLEAR/STATE of the last Shutdown, 0xFFFF: none */
	struct tpm2_pcr_alloc pcr_alloc;        /* active banks */
	struct tpm2_pcr_alloc pcr_alloc_next;   /* PCR_Allocate: takes effect at next Startup */
	uint8_t pcr_alloc_pending;
	struct tpm2_nv_index nv[TPM2_NV_MAX_INDICES];
	uint8_t nv_data[TPM2_NV_ARENA_SIZE];
	uint16_t nv_used;               /* bytes of nv_data in use */
	uint64_t nv_max_counter;        /* highest value any NV counter ever had (Part 1, 37.x) */
	struct tpm2_persistent persistent[TPM2_PERSISTENT_SLOTS];
	uint8_t audit_cmds[TPM2_AUDIT_BITMAP_BYTES];
	uint16_t audit_alg;
	uint64_t audit_counter;
	/* Saved by Shutdown(STATE) for Startup(STATE) (TPM Resume): */
	uint8_t pcr_saved[TPM2_NUM_BANKS][TPM2_NUM_PCRS][TPM2_MAX_DIGEST];
	uint8_t saved_enables;          /* TPMA_STARTUP_CLEAR bits at Shutdown(STATE) */
	uint64_t saved_context_counter;
	struct tpm2_saved_session saved_sessions[TPM2_SESSION_SLOTS];   /* sessions family */

	/* ============ VOLATILE ============ */
	uint8_t powered;
	uint8_t started;
	uint8_t self_tested;
	uint8_t ph_enable, sh_enable, eh_enable, ph_enable_nv;
	uint8_t nv_global_locked;
	uint8_t started_orderly;        /* the last Startup followed a Shutdown (STARTUP_CLEAR.orderly) */
	uint64_t clock_ref_ms;          /* now_ms() at which `clock` was last brought forward */
	/* ClockRateAdjust (reference platform): Clock and time advance at nominal/(nominal +
	 * clock_adjust) of the platform's rate; back to nominal at every power-on.  The
	 * sub-millisecond remainder carries over. */
	int32_t clock_adjust;
	uint64_t clock_frac;
	uint64_t time_ms;               /* TPMS_TIME_INFO.time: ms since _TPM_Init */
	uint8_t pcr[TPM2_NUM_BANKS][TPM2_NUM_PCRS][TPM2_MAX_DIGEST];
	uint32_t pcr_update_counter;
	struct tpm2_slot slots[TPM2_TRANSIENT_SLOTS];
	uint64_t slot_age;
	struct tpm2_session sessions[TPM2_SESSION_SLOTS];
	uint64_t context_counter;       /* TPMS_CONTEXT.sequence for saved objects */
	uint8_t context_key[32];        /* per-boot (per TPM Reset) key for context blobs */
	uint8_t null_proof[TPM2_MAX_DIGEST];    /* NULL hierarchy proof, new at every reset */
	uint8_t null_seed[TPM2_SEED_SIZE];
	/* ECDAA commitments (tpm2_cmd_ecdaa.c): r = KDFa(commit_nonce, ..., counter), the array
	 * marks counters (mod 128) committed and not yet used by a signature.  New at every TPM
	 * Reset; like sessions they do not survive a state save/load. */
	/* _TPM_Hash_Start..End in progress (tpm2_drtm.c); an H-CRTM event happened before the
	 * Startup of this power cycle */
	struct { uint8_t active; struct tpm2_hash h[TPM2_NUM_BANKS]; } drtm;
	uint8_t drtm_pre_startup;
	uint8_t commit_nonce[32];
	uint64_t commit_counter;
	uint8_t commit_array[16];
	struct tpm2_drbg drbg;
	uint8_t rng_pool[512];          /* DRBG output drawn ahead (tpm2_random), consumed once */
	uint16_t rng_pool_left;
	struct tpm2b_digest audit_digest;
	uint8_t audit_exclusive_session;        /* sessions family */
	uint8_t io[TPM2_MAX_COMMAND_SIZE];      /* decrypted copy of a command's parameters */
};

#endif
