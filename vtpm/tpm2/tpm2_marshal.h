/*
 * Bounded big-endian readers and writers, and the TPM structures the engine parses.
 *
 * Readers never read past their end: a short read returns TPM_RC_INSUFFICIENT and consumes
 * nothing.  Every unmarshal function returns a *base* response code (TPM_RC_INSUFFICIENT,
 * TPM_RC_VALUE, TPM_RC_SIZE, ...); the command handler adds the parameter number with
 * TPM2_P(n, ...) (tpm2_internal.h), because only it knows which parameter it is reading.
 * Writers never write past their end either: an overflow sets a sticky flag checked once when
 * the response is finished.
 */
#ifndef ANCHOR_TPM2_MARSHAL_H
#define ANCHOR_TPM2_MARSHAL_H
#include "tpm2_shim.h"
#include "tpm2_const.h"

struct tpm2_rd {
	const uint8_t *p;
	size_t len;
	size_t off;
};

struct tpm2_wr {
	uint8_t *p;
	size_t max;
	size_t off;
	bool overflow;
};

static inline void tpm2_rd_init(struct tpm2_rd *r, const uint8_t *p, size_t len)
{
	r->p = p; r->len = len; r->off = 0;
}
static inline size_t tpm2_rd_left(const struct tpm2_rd *r) { return r->len - r->off; }
static inline void tpm2_wr_init(struct tpm2_wr *w, uint8_t *p, size_t max)
{
	w->p = p; w->max = max; w->off = 0; w->overflow = false;
}

TPM_RC tpm2_rd_u8(struct tpm2_rd *r, uint8_t *v);
TPM_RC tpm2_rd_u16(struct tpm2_rd *r, uint16_t *v);
TPM_RC tpm2_rd_u32(struct tpm2_rd *r, uint32_t *v);
TPM_RC tpm2_rd_u64(struct tpm2_rd *r, uint64_t *v);
TPM_RC tpm2_rd_bytes(struct tpm2_rd *r, void *out, size_t n);
/* A TPM2B in place: *data points into the reader's buffer.  size > max -> TPM_RC_SIZE. */
TPM_RC tpm2_rd_tpm2b(struct tpm2_rd *r, const uint8_t **data, uint16_t *size, size_t max);

void tpm2_wr_u8(struct tpm2_wr *w, uint8_t v);
void tpm2_wr_u16(struct tpm2_wr *w, uint16_t v);
void tpm2_wr_u32(struct tpm2_wr *w, uint32_t v);
void tpm2_wr_u64(struct tpm2_wr *w, uint64_t v);
void tpm2_wr_bytes(struct tpm2_wr *w, const void *p, size_t n);
void tpm2_wr_tpm2b(struct tpm2_wr *w, const void *p, size_t n);
/* Sized structures (TPM2B_PUBLIC, TPM2B_NV_PUBLIC, ...): reserve the 16-bit size, write the
 * body, then patch the size with the bytes written since. */
size_t tpm2_wr_size_begin(struct tpm2_wr *w);
void tpm2_wr_size_end(struct tpm2_wr *w, size_t mark);

static inline uint16_t tpm2_get_u16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t tpm2_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void tpm2_put_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void tpm2_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* ------------------------------------------------------------------ parsed structures */

#define TPM2_MAX_DIGEST    64u    /* sizeof(TPMU_HA) */
#define TPM2_MAX_RSA_BYTES 384u   /* RSA 3072 */
#define TPM2_MAX_ECC_BYTES 66u    /* P-521 coordinate (we implement up to P-384) */
#define TPM2_MAX_SYM_DATA  128u   /* MAX_SYM_DATA: sealed data / HMAC key */
#define TPM2_MAX_SYM_KEY_BYTES 32u
#define TPM2_MAX_PRIME_BYTES (TPM2_MAX_RSA_BYTES / 2)
#define TPM2_NUM_BANKS     4u
#define TPM2_PCR_SELECT_MAX 3u    /* 24 PCRs */
#define TPM2_MAX_NV_BUFFER 1024u
#define TPM2_MAX_CONTEXT_BLOB 2048u

struct tpm2b_digest { uint16_t size; uint8_t buf[TPM2_MAX_DIGEST]; };   /* also AUTH, NONCE */

struct tpms_pcr_selection {
	uint16_t hash;
	uint8_t size;                          /* sizeofSelect, 1..TPM2_PCR_SELECT_MAX (0 allowed) */
	uint8_t select[TPM2_PCR_SELECT_MAX];
};
struct tpml_pcr_selection {
	uint32_t count;                        /* <= TPM2_NUM_BANKS */
	struct tpms_pcr_selection sel[TPM2_NUM_BANKS];
};

struct tpmt_ha { uint16_t alg; uint8_t digest[TPM2_MAX_DIGEST]; };
struct tpml_digest_values { uint32_t count; struct tpmt_ha d[TPM2_NUM_BANKS]; };

struct tpmt_sym_def { uint16_t alg; uint16_t key_bits; uint16_t mode; };  /* also _OBJECT */

/* TPMT_*_SCHEME: every scheme this TPM knows is (alg, hashAlg); ECDAA's count is kept too. */
struct tpmt_scheme { uint16_t alg; uint16_t hash; uint16_t count; };

struct tpms_ecc_point {
	uint16_t x_size; uint8_t x[TPM2_MAX_ECC_BYTES];
	uint16_t y_size; uint8_t y[TPM2_MAX_ECC_BYTES];
};

struct tpmt_public {
	uint16_t type;          /* TPM_ALG_RSA / ECC / KEYEDHASH / SYMCIPHER */
	uint16_t name_alg;
	uint32_t attrs;         /* TPMA_OBJECT */
	struct tpm2b_digest auth_policy;
	/* parameters (TPMU_PUBLIC_PARMS) */
	struct tpmt_sym_def symmetric;   /* RSA/ECC: for restricted decrypt keys; SYMCIPHER: the key */
	struct tpmt_scheme scheme;       /* RSA/ECC/KEYEDHASH scheme (KEYEDHASH XOR: hash + kdf) */
	uint16_t key_bits;               /* RSA */
	uint32_t exponent;               /* RSA, 0 = 65537 */
	uint16_t curve;                  /* ECC */
	struct tpmt_scheme kdf;          /* ECC kdf; KEYEDHASH XOR: kdf alg in kdf.alg */
	/* unique (TPMU_PUBLIC_ID) */
	union {
		struct { uint16_t size; uint8_t buf[TPM2_MAX_RSA_BYTES]; } rsa;
		struct tpms_ecc_point ecc;
		struct tpm2b_digest sym;      /* KEYEDHASH / SYMCIPHER */
	} unique;
};

struct tpmt_sensitive {
	uint16_t type;
	struct tpm2b_digest auth;
	struct tpm2b_digest seed;       /* seedValue (obfuscation / sym seed) */
	struct { uint16_t size; uint8_t buf[TPM2_MAX_RSA_BYTES]; } sensitive;  /* prime / scalar / bits / key */
};

struct tpms_nv_public {
	uint32_t index;
	uint16_t name_alg;
	uint32_t attrs;
	struct tpm2b_digest auth_policy;
	uint16_t data_size;
};

struct tpms_context {
	uint64_t sequence;
	uint32_t saved_handle;
	uint32_t hierarchy;
	uint16_t blob_size;
	uint8_t blob[TPM2_MAX_CONTEXT_BLOB];
};

struct tpmt_signature {
	uint16_t alg;               /* RSASSA/RSAPSS/ECDSA/HMAC/NULL */
	uint16_t hash;
	union {
		struct { uint16_t size; uint8_t buf[TPM2_MAX_RSA_BYTES]; } rsa;
		struct { uint16_t r_size; uint8_t r[TPM2_MAX_ECC_BYTES];
		         uint16_t s_size; uint8_t s[TPM2_MAX_ECC_BYTES]; } ecc;
		uint8_t hmac[TPM2_MAX_DIGEST];
	} u;
};

struct tpmt_tk {                /* TPMT_TK_CREATION / VERIFIED / AUTH / HASHCHECK */
	uint16_t tag;
	uint32_t hierarchy;
	struct tpm2b_digest digest;
};

/* ---- unmarshal (base RCs) / marshal.  "null_ok": whether TPM_ALG_NULL is acceptable (the
 * '+' in Part 2's TPMI_ALG_HASH+ notation). */
bool tpm2_hash_alg_supported(uint16_t alg);
TPM_RC tpm2_rd_alg_hash(struct tpm2_rd *r, uint16_t *alg, bool null_ok);
TPM_RC tpm2_rd_digest(struct tpm2_rd *r, struct tpm2b_digest *d);  /* TPM2B_DIGEST/AUTH/NONCE */
TPM_RC tpm2_rd_pcr_selection(struct tpm2_rd *r, struct tpml_pcr_selection *s);
void tpm2_wr_pcr_selection(struct tpm2_wr *w, const struct tpml_pcr_selection *s);
TPM_RC tpm2_rd_digest_values(struct tpm2_rd *r, struct tpml_digest_values *v);
void tpm2_wr_digest_values(struct tpm2_wr *w, const struct tpml_digest_values *v);
TPM_RC tpm2_rd_sym_def(struct tpm2_rd *r, struct tpmt_sym_def *s, bool xor_ok, bool null_ok);
void tpm2_wr_sym_def(struct tpm2_wr *w, const struct tpmt_sym_def *s);
TPM_RC tpm2_rd_sig_scheme(struct tpm2_rd *r, struct tpmt_scheme *s, bool null_ok);
void tpm2_wr_sig_scheme(struct tpm2_wr *w, const struct tpmt_scheme *s);
TPM_RC tpm2_rd_public(struct tpm2_rd *r, struct tpmt_public *p, bool null_name_ok);
TPM_RC tpm2_rd_public_sized(struct tpm2_rd *r, struct tpmt_public *p, bool null_name_ok);
/* TPM2B_TEMPLATE of a derived object: unique is TPMS_DERIVE {label, context}, kept in
 * unique.ecc.x / .y (each at most TPM2_MAX_ECC_BYTES here; derivation allows 32). */
TPM_RC tpm2_rd_template_derive(struct tpm2_rd *r, struct tpmt_public *p);
void tpm2_wr_public(struct tpm2_wr *w, const struct tpmt_public *p);
TPM_RC tpm2_rd_public_parms(struct tpm2_rd *r, struct tpmt_public *p);
TPM_RC tpm2_rd_sensitive(struct tpm2_rd *r, struct tpmt_sensitive *s);
void tpm2_wr_sensitive(struct tpm2_wr *w, const struct tpmt_sensitive *s);
TPM_RC tpm2_rd_nv_public(struct tpm2_rd *r, struct tpms_nv_public *p);   /* TPM2B_NV_PUBLIC */
void tpm2_wr_nv_public(struct tpm2_wr *w, const struct tpms_nv_public *p);   /* TPM2B_NV_PUBLIC */
TPM_RC tpm2_rd_context(struct tpm2_rd *r, struct tpms_context *c);
void tpm2_wr_context(struct tpm2_wr *w, const struct tpms_context *c);
TPM_RC tpm2_rd_signature(struct tpm2_rd *r, struct tpmt_signature *s);
void tpm2_wr_signature(struct tpm2_wr *w, const struct tpmt_signature *s);
TPM_RC tpm2_rd_ticket(struct tpm2_rd *r, struct tpmt_tk *t);
void tpm2_wr_ticket(struct tpm2_wr *w, const struct tpmt_tk *t);
TPM_RC tpm2_rd_ecc_point(struct tpm2_rd *r, struct tpms_ecc_point *p);      /* TPM2B_ECC_POINT */
void tpm2_wr_ecc_point(struct tpm2_wr *w, const struct tpms_ecc_point *p);   /* TPM2B_ECC_POINT */

#endif
