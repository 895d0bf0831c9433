/*
 * Binding of the engine's crypto names to vtpm/crypto (tcrypto.h).
 */
#include "tpm2_internal.h"

size_t tpm2_hash_size(uint16_t alg) { return tc_hash_size(alg); }
size_t tpm2_hash_block_size(uint16_t alg) { return tc_hash_block_size(alg); }

bool tpm2_hash_init(struct tpm2_hash *h, uint16_t alg)
{
	if (tc_hash_init(&h->c, alg) != TC_OK) {
		h->alg = TPM_ALG_NULL;
		return false;
	}
	h->alg = alg;
	return true;
}

static bool hash_in_use(uint16_t alg) { return alg != 0 && alg != TPM_ALG_NULL; }

void tpm2_hash_update(struct tpm2_hash *h, const void *data, size_t len)
{
	if (hash_in_use(h->alg) && len)
		tc_hash_update(&h->c, data, len);
}

size_t tpm2_hash_final(struct tpm2_hash *h, uint8_t *out)
{
	return hash_in_use(h->alg) ? tc_hash_final(&h->c, out) : 0;
}

size_t tpm2_hash_buf(uint16_t alg, const void *data, size_t len, uint8_t *out)
{
	return tc_hash(alg, data, len, out);
}

bool tpm2_hmac_init(struct tpm2_hmac *m, uint16_t alg, const void *key, size_t key_len)
{
	if (tc_hmac_init(&m->c, alg, key, key_len) != TC_OK) {
		m->alg = TPM_ALG_NULL;
		return false;
	}
	m->alg = alg;
	return true;
}

void tpm2_hmac_update(struct tpm2_hmac *m, const void *data, size_t len)
{
	if (hash_in_use(m->alg) && len)
		tc_hmac_update(&m->c, data, len);
}

size_t tpm2_hmac_final(struct tpm2_hmac *m, uint8_t *out)
{
	return hash_in_use(m->alg) ? tc_hmac_final(&m->c, out) : 0;
}

size_t tpm2_hmac_buf(uint16_t alg, const void *key, size_t key_len, const void *data,
                     size_t len, uint8_t *out)
{
	return tc_hmac(alg, key, key_len, data, len, out);
}

size_t tpm2_hash_save(const struct tpm2_hash *h, uint8_t *buf, size_t max)
{
	return hash_in_use(h->alg) ? tc_hash_save(&h->c, buf, max) : 0;
}

bool tpm2_hash_load(struct tpm2_hash *h, const uint8_t *buf, size_t len)
{
	memset(h, 0, sizeof *h);
	if (len == 0)
		return true;
	if (tc_hash_load(&h->c, buf, len) != TC_OK)
		return false;
	h->alg = h->c.alg;
	return true;
}

size_t tpm2_hmac_save(const struct tpm2_hmac *m, uint8_t *buf, size_t max)
{
	return hash_in_use(m->alg) ? tc_hmac_save(&m->c, buf, max) : 0;
}

bool tpm2_hmac_load(struct tpm2_hmac *m, const uint8_t *buf, size_t len)
{
	memset(m, 0, sizeof *m);
	if (len == 0)
		return true;
	if (tc_hmac_load(&m->c, buf, len) != TC_OK)
		return false;
	m->alg = m->c.alg;
	return true;
}

void tpm2_kdfa(uint16_t alg, const void *key, size_t key_len, const char *label,
               const void *ctx_u, size_t ctx_u_len, const void *ctx_v, size_t ctx_v_len,
               uint32_t bits, uint8_t *out)
{
	tc_kdfa(alg, key, key_len, label, strlen(label) + 1, ctx_u, ctx_u_len, ctx_v, ctx_v_len,
	        bits, out);
}

int tpm2_ct_equal(const void *a, const void *b, size_t len) { return tc_ct_equal(a, b, len); }
void tpm2_zeroise(void *p, size_t len) { tc_zeroize(p, len); }

void tpm2_aes_cfb(const uint8_t *key, size_t key_len, uint8_t iv[16], bool encrypt,
                  uint8_t *buf, size_t len)
{
	tc_aes_crypt(TPM_ALG_CFB, encrypt, key, key_len, iv, buf, buf, len);
}
