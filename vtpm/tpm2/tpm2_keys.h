/*
 * The objects family's shared helpers (tpm2_keys.c): template checks, key generation and
 * primary-key derivation, Names, sensitive-area protection (Part 1 "Protected Storage"),
 * duplication/credential wrapping, secret exchange with asymmetric keys, and crypto views of
 * loaded objects.  Used by tpm2_cmd_object.c, tpm2_cmd_asym.c, tpm2_cmd_sym.c, tpm2_cmd_dup.c.
 *
 * All functions return *base* response codes; callers number them (TPM2_P / TPM2_RC_H).
 */
#ifndef ANCHOR_TPM2_KEYS_H
#define ANCHOR_TPM2_KEYS_H
#include "tpm2_internal.h"

/* Marks a code that the reference TPM returns without a parameter number; callers number
 * codes with tpm2_keys_rc(). */
#define TPM2_KEYS_RAW 0x40000000u
static inline TPM_RC tpm2_keys_rc(TPM_RC rc, unsigned param)
{
	return (rc & TPM2_KEYS_RAW) ? rc & ~TPM2_KEYS_RAW : TPM2_RC_P(rc, param);
}

/* struct tpm2_object.flags */
#define TPM2_OBJ_PUBLIC_ONLY 0x01u   /* no sensitive part (LoadExternal of a public key) */
#define TPM2_OBJ_EXTERNAL    0x02u   /* loaded with LoadExternal: never persisted/duplicated */
#define TPM2_OBJ_PRIMARY     0x04u   /* made by CreatePrimary */

#define TPM2_MAX_PRIVATE     1536u   /* TPM2B_PRIVATE body we produce/accept */
#define TPM2_MAX_SECRET      (TPM2_MAX_RSA_BYTES + 8u)   /* TPM2B_ENCRYPTED_SECRET body */
#define TPM2_MAX_DATA        64u     /* TPM2B_DATA (outsideInfo, labels, encryptionKey) */

/* ---- inputs of Create/CreatePrimary/CreateLoaded (TPM2B_SENSITIVE_CREATE) */
struct tpm2_sens_create {
	struct tpm2b_digest auth;          /* userAuth, trailing zeros removed */
	uint16_t data_size;
	uint8_t data[TPM2_MAX_SYM_DATA];
};
TPM_RC tpm2_rd_sens_create(struct tpm2_rd *r, struct tpm2_sens_create *s);

/* Primary seed of a hierarchy (NULL hierarchy: the per-reset null seed). */
const uint8_t *tpm2_keys_seed(struct tpm2 *t, uint32_t hierarchy);
/* Proof value of a hierarchy (tickets). */
const uint8_t *tpm2_keys_proof(struct tpm2 *t, uint32_t hierarchy);

/* Name = nameAlg || H(TPMT_PUBLIC); Empty for nameAlg NULL. */
void tpm2_keys_name(const struct tpmt_public *pub, struct tpm2b_name *name);
/* Qualified name = nameAlg || H(parentQN || name).  parent_qn NULL: hierarchy handle. */
void tpm2_keys_qname(uint16_t name_alg, const struct tpm2b_name *parent_qn, uint32_t hierarchy,
                     const struct tpm2b_name *name, struct tpm2b_name *qn);

/* Is the object a storage parent (restricted decrypt, not sign, with sensitive part)? */
bool tpm2_keys_is_storage(const struct tpm2_object *o);

/* Checks a template (Part 1 "Object attributes", Part 3 Create/CreatePrimary).  parent is
 * NULL for a primary object.  Returns 0, TPM_RC_ATTRIBUTES, TPM_RC_SYMMETRIC, TPM_RC_SCHEME,
 * TPM_RC_KEY_SIZE, TPM_RC_KDF, TPM_RC_SIZE (authPolicy) ... for inPublic (possibly with
 * TPM2_KEYS_RAW).  *sens_rc gets TPM_RC_SIZE for an oversized userAuth (inSensitive) or 0. */
TPM_RC tpm2_keys_check_template(const struct tpmt_public *pub, const struct tpm2_object *parent,
                                const struct tpm2_sens_create *sc, TPM_RC *sens_rc);
/* Checks of a public area given with its sensitive part (Load, LoadExternal, Import). */
TPM_RC tpm2_keys_check_public(const struct tpmt_public *pub, const struct tpm2_object *parent);

/* Fills pub->unique and *sens from rng (and sc->data for sealed data / supplied keys). */
TPM_RC tpm2_keys_generate(struct tpm2 *t, struct tpmt_public *pub, struct tpmt_sensitive *sens,
                          const struct tpm2_sens_create *sc, const br_prng_class **rng);
/* Primary object: deterministic from the hierarchy's seed, the template and sc->data. */
TPM_RC tpm2_keys_derive_primary(struct tpm2 *t, uint32_t hierarchy, struct tpmt_public *pub,
                                struct tpmt_sensitive *sens, const struct tpm2_sens_create *sc);
/* Derivation parent: keyed-hash, restricted, decrypt, not sign, XOR scheme (its hash is the
 * derivation hash), with its sensitive part. */
bool tpm2_keys_is_derivation_parent(const struct tpm2_object *o);
/* Derived object under such a parent (CreateLoaded; ECC templates only: TPM_RC_TYPE otherwise). */
TPM_RC tpm2_keys_derive_child(const struct tpm2_object *parent, struct tpmt_public *pub,
                              struct tpmt_sensitive *sens, const struct tpm2_sens_create *sc);
/* Does the sensitive part belong to the public part?  TPM_RC_BINDING / TPM_RC_KEY_SIZE /
 * TPM_RC_TYPE. */
TPM_RC tpm2_keys_check_pair(const struct tpmt_public *pub, const struct tpmt_sensitive *sens);
/* The same checks for a sensitive part that this TPM wrapped itself and whose integrity (bound
 * to pub's Name under the parent's seed) was just verified: Load.  The pairing was established
 * when the blob was made (Create generates it, Import checks it with tpm2_keys_check_pair), so
 * an ECC key's public point is not recomputed from the private scalar (a full scalar
 * multiplication, ~95% of Load); sizes, ranges, the point being on its curve and the other
 * types' bindings are still checked, as the reference implementation's Load does. */
TPM_RC tpm2_keys_check_wrapped_pair(const struct tpmt_public *pub,
                                    const struct tpmt_sensitive *sens);

/* Sensitive-area protection under a storage parent: writes TPM2B_PRIVATE's body
 * (integrity || TPM2B_IV || AES-CFB(sensitive), the IV drawn from the TPM's RNG). */
size_t tpm2_keys_wrap(struct tpm2 *t, const struct tpm2_object *parent,
                      const struct tpmt_sensitive *sens, const struct tpm2b_name *name,
                      uint8_t *out, size_t max);
/* Parses a TPM2B_SENSITIVE from a decrypted buffer; its size must match n exactly. */
TPM_RC tpm2_keys_parse_sensitive2b(const uint8_t *p, size_t n, struct tpmt_sensitive *sens);
/* TPM_RC_INTEGRITY if the HMAC fails, TPM_RC_SIZE / TPM_RC_INSUFFICIENT if malformed. */
TPM_RC tpm2_keys_unwrap(const struct tpm2_object *parent, const uint8_t *priv, size_t len,
                        const struct tpm2b_name *name, struct tpmt_sensitive *sens);

/* Outer wrapper with an explicit seed (duplication, credentials): Part 1 "Outer protection".
 * in/out are the plaintext (already marshalled, with its TPM2B size) and the blob
 * (TPM2B integrity || ciphertext). */
size_t tpm2_keys_outer_wrap(uint16_t name_alg, const struct tpmt_sym_def *sym, const uint8_t *seed,
                            size_t seed_len, const struct tpm2b_name *name, const uint8_t *in,
                            size_t in_len, uint8_t *out, size_t max);
TPM_RC tpm2_keys_outer_unwrap(uint16_t name_alg, const struct tpmt_sym_def *sym,
                              const uint8_t *seed, size_t seed_len, const struct tpm2b_name *name,
                              const uint8_t *blob, size_t blob_len, uint8_t *out, size_t *out_len);

/* Secret exchange with an asymmetric decrypt key (Part 1, "Secret Sharing"): RSA-OAEP with the
 * key's nameAlg and the label, or ECC (ephemeral ECDH + KDFe).  The seed is digest-size of the
 * key's nameAlg.  make: TPM_RC_KEY / TPM_RC_TYPE;  recover: TPM_RC_VALUE / TPM_RC_ECC_POINT /
 * TPM_RC_SIZE / TPM_RC_KEY. */
TPM_RC tpm2_keys_secret_make(struct tpm2 *t, const struct tpm2_object *key, const char *label,
                             uint8_t *seed, size_t *seed_len, uint8_t *enc, size_t *enc_len);
TPM_RC tpm2_keys_secret_recover(const struct tpm2_object *key, const char *label,
                                const uint8_t *enc, size_t enc_len, uint8_t *seed,
                                size_t *seed_len);

/* Crypto views of an object.  sk may be NULL (public part only). TPM_RC_KEY if inconsistent. */
TPM_RC tpm2_keys_rsa(const struct tpm2_object *o, tc_rsa_pub *pk, tc_rsa_priv *sk);
TPM_RC tpm2_keys_ecc(const struct tpm2_object *o, tc_ecc_point *pub, tc_ecc_priv *sk);

/* TPMT_TK_CREATION (Create, CreatePrimary; CertifyCreation recomputes it with this):
 *   HMAC-SHA-256(proof(hierarchy), TPM_ST_CREATION || name || creationHash). */
void tpm2_keys_creation_ticket(struct tpm2 *t, uint32_t hierarchy, const struct tpm2b_name *name,
                               const uint8_t *creation_hash, size_t len, struct tpmt_tk *tk);
/* TPMT_TK_VERIFIED for VerifySignature (PolicyAuthorize checks it the same way):
 *   HMAC-SHA-256(proof, TPM_ST_VERIFIED || digest || keyName). */
void tpm2_keys_verified_ticket(struct tpm2 *t, uint32_t hierarchy, const uint8_t *digest,
                               size_t len, const struct tpm2b_name *key_name, struct tpmt_tk *tk);

/* Is tk a valid TPMT_TK_HASHCHECK for digest?  Same construction as tpm2_ticket_hashcheck
 * (Hash, SequenceComplete): HMAC-SHA-256(proof, TPM_ST_HASHCHECK || digest). */
bool tpm2_keys_hashcheck_ok(struct tpm2 *t, const struct tpmt_tk *tk, const uint8_t *digest,
                            size_t len);

/* Marshal a TPMT_PUBLIC into a TPM2B_PUBLIC. */
void tpm2_keys_wr_public(struct tpm2_wr *w, const struct tpmt_public *pub);

/* The signature of a digest with a loaded signing key and a resolved scheme (TPM2_Sign and
 * the attestation commands, tpm2_cmd_asym.c): RSASSA/RSAPSS, ECDSA, ECDAA, or HMAC(key, digest)
 * for keyed-hash keys.  TPM_RC_KEY if the private key is unusable. */
/* ECDAA signature with a commitment (tpm2_cmd_ecdaa.c); TPM_RC_VALUE if s->count does not
 * name an unused commitment. */
TPM_RC tpm2_ecdaa_sign(struct tpm2 *t, const struct tpm2_object *o, const struct tpmt_scheme *s,
                       const uint8_t *d, size_t dlen, struct tpmt_signature *sig);
TPM_RC tpm2_sign_digest(struct tpm2 *t, const struct tpm2_object *o,
                        const struct tpmt_scheme *s, const uint8_t *d, size_t dlen,
                        struct tpmt_signature *sig);

#endif
