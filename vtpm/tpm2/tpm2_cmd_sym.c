/*
 * Symmetric-key commands: EncryptDecrypt and EncryptDecrypt2 with SYMCIPHER objects
 * (AES-128/256 in CFB, CBC, CTR, OFB, ECB; TPM 2.0 Part 3, 15.2 and 15.3).
 * HMAC/HMAC_Start with keyed-hash objects live in tpm2_cmd_hash.c (they read the key through
 * tpm2_object_find()).
 */
#include "tpm2_keys.h"

#define MAX_BUFFER 1024u   /* TPM2B_MAX_BUFFER */

struct sym_in {
	uint8_t decrypt;
	uint16_t mode;
	const uint8_t *iv;
	uint16_t iv_len;
	const uint8_t *data;
	uint16_t data_len;
};

static TPM_RC rd_yes_no(struct tpm2_rd *r, uint8_t *v)
{
	TPM2_TRY(tpm2_rd_u8(r, v));
	return *v > 1 ? TPM_RC_VALUE : TPM_RC_SUCCESS;
}

/* TPMI_ALG_CIPHER_MODE+ */
static TPM_RC rd_mode(struct tpm2_rd *r, uint16_t *mode)
{
	TPM2_TRY(tpm2_rd_u16(r, mode));
	switch (*mode) {
	case TPM_ALG_CTR: case TPM_ALG_OFB: case TPM_ALG_CBC: case TPM_ALG_CFB: case TPM_ALG_ECB:
	case TPM_ALG_NULL:
		return TPM_RC_SUCCESS;
	}
	return TPM_RC_MODE;
}

/* p_* are the parameter numbers of decrypt, mode, ivIn and inData in this command. */
static TPM_RC run(struct tpm2_cmd *c, struct sym_in *in, unsigned p_dec, unsigned p_mode,
                  unsigned p_iv, unsigned p_data)
{
	struct tpm2_object *o = tpm2_object_find(c->t, c->handles[0]);
	uint16_t mode = in->mode;
	uint8_t iv[16] = { 0 }, out[MAX_BUFFER];
	uint32_t need;
	(void)p_dec;
	if (!o || o->pub.type != TPM_ALG_SYMCIPHER || (o->flags & TPM2_OBJ_PUBLIC_ONLY))
		return TPM2_RC_H(TPM_RC_KEY, 1);
	need = in->decrypt ? TPMA_OBJECT_DECRYPT : TPMA_OBJECT_SIGN_ENCRYPT;
	if (!(o->pub.attrs & need) || (o->pub.attrs & TPMA_OBJECT_RESTRICTED))
		return TPM2_RC_H(TPM_RC_ATTRIBUTES, 1);
	if (o->pub.symmetric.mode != TPM_ALG_NULL) {
		if (mode != TPM_ALG_NULL && mode != o->pub.symmetric.mode)
			return TPM2_RC_P(TPM_RC_MODE, p_mode);
		mode = o->pub.symmetric.mode;
	} else if (mode == TPM_ALG_NULL) {
		return TPM2_RC_P(TPM_RC_MODE, p_mode);
	}
	if (in->iv_len != (mode == TPM_ALG_ECB ? 0 : 16))
		return TPM2_RC_P(TPM_RC_SIZE, p_iv);
	if ((mode == TPM_ALG_CBC || mode == TPM_ALG_ECB) && in->data_len % 16)
		return TPM2_RC_P(TPM_RC_SIZE, p_data);
	if (in->iv_len)
		memcpy(iv, in->iv, 16);
	if (tc_aes_crypt(mode, !in->decrypt, o->sens.sensitive.buf, o->sens.sensitive.size, iv,
	                 in->data, out, in->data_len) != TC_OK)
		return TPM2_RC_H(TPM_RC_KEY, 1);
	tpm2_wr_tpm2b(&c->out, out, in->data_len);
	tpm2_wr_tpm2b(&c->out, iv, in->iv_len);
	tpm2_zeroise(out, sizeof out);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_EncryptDecrypt(struct tpm2_cmd *c)
{
	struct sym_in in;
	TPM2_P(1, rd_yes_no(&c->in, &in.decrypt));
	TPM2_P(2, rd_mode(&c->in, &in.mode));
	TPM2_P(3, tpm2_rd_tpm2b(&c->in, &in.iv, &in.iv_len, 16));
	TPM2_P(4, tpm2_rd_tpm2b(&c->in, &in.data, &in.data_len, MAX_BUFFER));
	TPM2_TRY(tpm2_in_done(c));
	return run(c, &in, 1, 2, 3, 4);
}

TPM_RC tpm2_cc_EncryptDecrypt2(struct tpm2_cmd *c)
{
	struct sym_in in;
	TPM2_P(1, tpm2_rd_tpm2b(&c->in, &in.data, &in.data_len, MAX_BUFFER));
	TPM2_P(2, rd_yes_no(&c->in, &in.decrypt));
	TPM2_P(3, rd_mode(&c->in, &in.mode));
	TPM2_P(4, tpm2_rd_tpm2b(&c->in, &in.iv, &in.iv_len, 16));
	TPM2_TRY(tpm2_in_done(c));
	return run(c, &in, 2, 3, 4, 1);
}
