/* AES in the TPM's block-cipher modes, over BearSSL: its AES-NI code where the host CPU has
 * it (tc_aes_accel, host builds only), else its constant-time ct64 implementation; both are
 * constant-time.  The IV handling after a partial final block follows the TPM 2.0 reference
 * implementation (CryptSymmetricEncrypt/Decrypt), so ivOut matches what other TPMs return. */
#include "tcrypto.h"
#include <string.h>

const struct tc_aes_classes tc_aes_portable = {
	&br_aes_ct64_cbcenc_vtable, &br_aes_ct64_cbcdec_vtable, &br_aes_ct64_ctrcbc_vtable,
};

/* Key schedules for whichever implementation was chosen (each union's vtable says which). */
typedef struct {
	br_aes_gen_cbcenc_keys enc;
	br_aes_gen_cbcdec_keys dec;
	br_aes_gen_ctrcbc_keys ctr;
} aes_keys;

static void cbcenc_run(const aes_keys *k, uint8_t *iv, uint8_t *data, size_t len)
{
	k->enc.vtable->run(&k->enc.vtable, iv, data, len);
}

static void cbcdec_run(const aes_keys *k, uint8_t *iv, uint8_t *data, size_t len)
{
	k->dec.vtable->run(&k->dec.vtable, iv, data, len);
}

/* E(block) in place: a one-block CBC encryption with a zero IV. */
static void encrypt_block(const aes_keys *k, uint8_t block[16])
{
	uint8_t zero_iv[16] = { 0 };
	cbcenc_run(k, zero_iv, block, 16);
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
		k->ctr.vtable->ctr(&k->ctr.vtable, iv, out, full);
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
			cbcenc_run(k, zero_iv, out + off, 16);
		else
			cbcdec_run(k, zero_iv, out + off, 16);
	}
}

static void cbc(const aes_keys *k, bool encrypt, uint8_t iv[16], const uint8_t *in,
                uint8_t *out, size_t len)
{
	if (out != in)
		memmove(out, in, len);
	if (encrypt)
		cbcenc_run(k, iv, out, len);
	else
		cbcdec_run(k, iv, out, len);
}

int tc_aes_crypt(uint16_t mode, bool encrypt, const uint8_t *key, size_t key_len, uint8_t *iv,
                 const uint8_t *in, uint8_t *out, size_t len)
{
	struct tc_aes_classes ni;
	return tc_aes_crypt_with(tc_aes_accel(&ni) ? &ni : &tc_aes_portable, mode, encrypt, key,
	                         key_len, iv, in, out, len);
}

int tc_aes_crypt_with(const struct tc_aes_classes *impl, uint16_t mode, bool encrypt,
                      const uint8_t *key, size_t key_len, uint8_t *iv, const uint8_t *in,
                      uint8_t *out, size_t len)
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
	impl->cbcenc->init(&k.enc.vtable, key, key_len);
	switch (mode) {
	case TC_ALG_CFB: cfb(&k, encrypt, iv, in, out, len); break;
	case TC_ALG_OFB: ofb(&k, iv, in, out, len); break;
	case TC_ALG_CTR:
		impl->ctrcbc->init(&k.ctr.vtable, key, key_len);
		ctr(&k, iv, in, out, len);
		break;
	case TC_ALG_CBC:
	case TC_ALG_ECB:
		if (!encrypt)
			impl->cbcdec->init(&k.dec.vtable, key, key_len);
		if (mode == TC_ALG_CBC)
			cbc(&k, encrypt, iv, in, out, len);
		else
			ecb(&k, encrypt, in, out, len);
		break;
	}
	tc_zeroize(&k, sizeof k);
	return TC_OK;
}
