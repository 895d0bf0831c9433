/*
 * Session hooks (see tpm2_internal.h, "sessions hooks").  This is the framework's minimal
 * version: sessions can be looked up, flushed and reset, but no command creates one yet, so
 * every non-password session is TPM_RC_REFERENCE_S0 at parse time.  The sessions family
 * (StartAuthSession, HMAC/policy checks, parameter encryption) replaces the bodies below.
 */
#include "tpm2_internal.h"

struct tpm2_session *tpm2_session_lookup(struct tpm2 *t, uint32_t handle)
{
	for (unsigned i = 0; i < TPM2_SESSION_SLOTS; i++)
		if (t->sessions[i].handle == handle && !t->sessions[i].saved)
			return &t->sessions[i];
	return NULL;
}

TPM_RC tpm2_session_check(struct tpm2_cmd *c, unsigned sess_idx, int handle_idx)
{
	(void)c; (void)sess_idx; (void)handle_idx;
	return TPM_RC_AUTH_UNAVAILABLE;
}

TPM_RC tpm2_session_decrypt(struct tpm2_cmd *c, unsigned sess_idx, uint8_t *buf, size_t len)
{
	(void)c; (void)sess_idx; (void)buf; (void)len;
	return TPM_RC_FAILURE;
}

TPM_RC tpm2_session_encrypt(struct tpm2_cmd *c, unsigned sess_idx, uint8_t *buf, size_t len)
{
	(void)c; (void)sess_idx; (void)buf; (void)len;
	return TPM_RC_FAILURE;
}

TPM_RC tpm2_session_respond(struct tpm2_cmd *c, unsigned sess_idx, const uint8_t *rsp_params,
                            size_t rsp_len, struct tpm2_wr *w)
{
	(void)c; (void)sess_idx; (void)rsp_params; (void)rsp_len; (void)w;
	return TPM_RC_FAILURE;
}

TPM_RC tpm2_session_context_save(struct tpm2 *t, uint32_t handle, struct tpm2_wr *w,
                                 uint64_t *sequence)
{
	(void)w; (void)sequence;
	return tpm2_session_lookup(t, handle) ? TPM_RC_FAILURE : TPM_RC_REFERENCE_H0;
}

TPM_RC tpm2_session_context_load(struct tpm2 *t, uint32_t handle, struct tpm2_rd *r)
{
	(void)t; (void)handle; (void)r;
	return TPM_RC_HANDLE;
}

void tpm2_session_flush(struct tpm2 *t, uint32_t handle)
{
	for (unsigned i = 0; i < TPM2_SESSION_SLOTS; i++)
		if (t->sessions[i].handle == handle) {
			tpm2_zeroise(&t->sessions[i], sizeof t->sessions[i]);
			return;
		}
}

void tpm2_sessions_reset(struct tpm2 *t)
{
	tpm2_zeroise(t->sessions, sizeof t->sessions);
}
