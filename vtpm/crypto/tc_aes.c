/* AES in the TPM's block-cipher modes, over BearSSL's constant-time ct64 implementation.
 * The IV handling after a partial final block follows the TPM 2.0 reference implementation
 * (CryptSymmetricEncrypt/Decrypt), so ivOut matches what other TPMs return. */
#include "tcrypto.h"
#include <string.h>

typedef struct {
	br_aes_ct64_cbcenc_keys enc;
	br_aes_ct64_cbcdec_keys dec;
	br_aes_ct64_ctrcbc_keys ctr;
} aes_keys;

/* E(block) in place: a one-block CBC encryption with a zero IV. */
static void encrypt_block(const aes_keys *k, uint8_t block[16])
{
	uint8_t zero_iv[16] = { 0 };
	br_aes_ct64_cbcenc_run(&k->enc, zero_iv, block, 16);
}

static void xor_bytes(uint8_t *dst, const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = a[i] ^ b[i];
}

static void cfb(const aes_keys *k, bool encrypt, uint8_t iv[16], const uint8_t *in,
                uint8_t *out, size_t len)
{
	uint8_t ks[16];
	while (len) {
		size_t n = len < 16 ? len : 16;
		memcpy(ks, iv, 16);
		encrypt_block(k, ks);
		/* The feedback is the ciphertext; a partial block leaves zeros after it. */
		memset(iv, 0, 16);
		if (encrypt) {
			xor_bytes(out, in, ks, n);
			memcpy(iv, out, n);
		} else {
			memcpy(iv, in, n);
			xor_bytes(out, in, ks, n);
		}
		in += n, out += n, len -= n;
	}
	tc_zeroize(ks, sizeof ks);
}

static void ofb(const aes_keys *k, uint8_t iv[16], const uint8_t *in, uint8_t *out, size_t len)
{
	while (len) {
		size_t n = len < 16 ? len : 16;
		encrypt_block(k, iv);
		xor_bytes(out, in, iv, n);
		in += n, out += n, len -= n;
	}
}

static void counter_increment(uint8_t ctr[16])
{
	unsigned carry = 1;
	for (int i = 15; i >= 0; i--) {
		carry += ctr[i];
		ctr[i] = (uint8_t)carry;
		carry >>= 8;
	}
}

static void ctr(const aes_keys *k, uint8_t iv[16], const uint8_t *in, uint8_t *out, size_t len)
{
	size_t full = len & ~(size_t)15;
	if (full) {
		if (out != in)
			memmove(out, in, full);
		br_aes_ct64_ctrcbc_ctr(&k->ctr, iv, out, full);
	}
	if (len > full) {
		uint8_t ks[16];
		memcpy(ks, iv, 16);
		encrypt_block(k, ks);
		xor_bytes(out + full, in + full, ks, len - full);
		counter_increment(iv);
		tc_zeroize(ks, sizeof ks);
	}
}

static void ecb(const aes_keys *k, bool encrypt, const uint8_t *in, uint8_t *out, size_t len)
{
	for (size_t off = 0; off < len; off += 16) {
		uint8_t zero_iv[16] = { 0 };
		if (out != in)
			memmove(out + off, in + off, 16);
		if (encrypt)
			br_aes_ct64_cbcenc_run(&k->enc, zero_iv, out + off, 16);
		else
			br_aes_ct64_cbcdec_run(&k->dec, zero_iv, out + off, 16);
	}
}

static void cbc(const aes_keys *k, bool encrypt, uint8_t iv[16], const uint8_t *in,
                uint8_t *out, size_t len)
{
	if (out != in)
		memmove(out, in, len);
	if (encrypt)
		br_aes_ct64_cbcenc_run(&k->enc, iv, out, len);
	else
		br_aes_ct64_cbcdec_run(&k->dec, iv, out, len);
}

int tc_aes_crypt(uint16_t mode, bool encrypt, const uint8_t *key, size_t key_len, uint8_t *iv,
                 const uint8_t *in, uint8_t *out, size_t len)
{
	if (key_len != 16 && key_len != 24 && key_len != 32)
		return TC_ERR_SIZE;
	if ((mode == TC_ALG_CBC || mode == TC_ALG_ECB) && len % 16)
		return TC_ERR_SIZE;
	if (mode != TC_ALG_CFB && mode != TC_ALG_CBC && mode != TC_ALG_CTR &&
	    mode != TC_ALG_OFB && mode != TC_ALG_ECB)
		return TC_ERR_ALG;
	if (len == 0)
		return TC_OK;
	aes_keys k;
	br_aes_ct64_cbcenc_init(&k.enc, key, key_len);
	switch (mode) {
	case TC_ALG_CFB: cfb(&k, encrypt, iv, in, out, len); break;
	case TC_ALG_OFB: ofb(&k, iv, in, out, len); break;
	case TC_ALG_CTR:
		br_aes_ct64_ctrcbc_init(&k.ctr, key, key_len);
		ctr(&k, iv, in, out, len);
		break;
	case TC_ALG_CBC:
	case TC_ALG_ECB:
		if (!encrypt)
			br_aes_ct64_cbcdec_init(&k.dec, key, key_len);
		if (mode == TC_ALG_CBC)
			cbc(&k, encrypt, iv, in, out, len);
		else
			ecb(&k, encrypt, in, out, len);
		break;
	}
	tc_zeroize(&k, sizeof k);
	return TC_OK;
}
