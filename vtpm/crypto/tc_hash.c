/* Hashes and HMAC by TPM algorithm identifier, with portable state save/restore. */
#include "tcrypto.h"
#include <string.h>

const br_hash_class *tc_hash_class(uint16_t alg)
{
	switch (alg) {
	case TC_ALG_SHA1:   return &br_sha1_vtable;
	case TC_ALG_SHA256: {
		const br_hash_class *accel = tc_sha256_accel_class();
		return accel ? accel : &br_sha256_vtable;
	}
	case TC_ALG_SHA384: return &br_sha384_vtable;
	case TC_ALG_SHA512: return &br_sha512_vtable;
	default:            return NULL;
	}
}

static size_t digest_size(const br_hash_class *hc)
{
	return (size_t)(hc->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
}

size_t tc_hash_size(uint16_t alg)
{
	const br_hash_class *hc = tc_hash_class(alg);
	return hc ? digest_size(hc) : 0;
}

size_t tc_hash_block_size(uint16_t alg)
{
	const br_hash_class *hc = tc_hash_class(alg);
	return hc ? (size_t)1 << ((hc->desc >> BR_HASHDESC_LBLEN_OFF) & BR_HASHDESC_LBLEN_MASK) : 0;
}

/* Size of the running (chaining) state BearSSL's state()/set_state() exchange. */
static size_t hash_state_size(const br_hash_class *hc)
{
	return (size_t)(hc->desc >> BR_HASHDESC_STATE_OFF) & BR_HASHDESC_STATE_MASK;
}

int tc_hash_init(tc_hash_ctx *c, uint16_t alg)
{
	const br_hash_class *hc = tc_hash_class(alg);
	if (!hc)
		return TC_ERR_ALG;
	hc->init(&c->u.vtable);
	c->alg = alg;
	return TC_OK;
}

void tc_hash_update(tc_hash_ctx *c, const void *data, size_t len)
{
	if (len)
		c->u.vtable->update(&c->u.vtable, data, len);
}

size_t tc_hash_final(const tc_hash_ctx *c, uint8_t *out)
{
	c->u.vtable->out(&c->u.vtable, out);
	return digest_size(c->u.vtable);
}

size_t tc_hash(uint16_t alg, const void *data, size_t len, uint8_t *out)
{
	tc_hash_ctx c;
	if (tc_hash_init(&c, alg) != TC_OK)
		return 0;
	tc_hash_update(&c, data, len);
	size_t n = tc_hash_final(&c, out);
	tc_zeroize(&c, sizeof c);
	return n;
}

/* The bytes hashed since the last block boundary live in the context's buffer; BearSSL keeps
 * them at the start of buf in every MD-style context. */
static const uint8_t *pending_bytes(const tc_hash_ctx *c)
{
	switch (c->alg) {
	case TC_ALG_SHA1:   return c->u.sha1.buf;
	case TC_ALG_SHA256: return c->u.sha256.buf;
	default:            return c->u.sha384.buf;
	}
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Blob: alg (2, big-endian) | count (8) | chaining state | count % block pending bytes. */
size_t tc_hash_save(const tc_hash_ctx *c, uint8_t *buf, size_t max)
{
	const br_hash_class *hc = tc_hash_class(c->alg);
	if (!hc)
		return 0;
	uint8_t st[64];
	uint64_t count = hc->state(&c->u.vtable, st);
	size_t ss = hash_state_size(hc), bs = tc_hash_block_size(c->alg);
	size_t pending = (size_t)(count % bs);
	size_t need = 2 + 8 + ss + pending;
	if (max < need)
		return 0;
	buf[0] = (uint8_t)(c->alg >> 8);
	buf[1] = (uint8_t)c->alg;
	put_be64(buf + 2, count);
	memcpy(buf + 10, st, ss);
	memcpy(buf + 10 + ss, pending_bytes(c), pending);
	tc_zeroize(st, sizeof st);
	return need;
}

int tc_hash_load(tc_hash_ctx *c, const uint8_t *buf, size_t len)
{
	if (len < 10)
		return TC_ERR_SIZE;
	uint16_t alg = (uint16_t)(buf[0] << 8 | buf[1]);
	const br_hash_class *hc = tc_hash_class(alg);
	if (!hc)
		return TC_ERR_ALG;
	uint64_t count = get_be64(buf + 2);
	size_t ss = hash_state_size(hc), bs = tc_hash_block_size(alg);
	size_t pending = (size_t)(count % bs);
	if (len != 10 + ss + pending)
		return TC_ERR_SIZE;
	hc->init(&c->u.vtable);
	c->alg = alg;
	hc->set_state(&c->u.vtable, buf + 10, count - pending);
	tc_hash_update(c, buf + 10 + ss, pending);
	return TC_OK;
}

/* ---- HMAC ---- */

int tc_hmac_init(tc_hmac_ctx *c, uint16_t alg, const void *key, size_t key_len)
{
	size_t bs = tc_hash_block_size(alg);
	if (!bs)
		return TC_ERR_ALG;
	uint8_t k[TC_MAX_HASH_BLOCK];
	memset(k, 0, sizeof k);
	if (key_len > bs)
		tc_hash(alg, key, key_len, k);
	else if (key_len)
		memcpy(k, key, key_len);
	for (size_t i = 0; i < bs; i++) {
		c->opad_key[i] = k[i] ^ 0x5c;
		k[i] ^= 0x36;
	}
	c->alg = alg;
	tc_hash_init(&c->inner, alg);
	tc_hash_update(&c->inner, k, bs);
	tc_zeroize(k, sizeof k);
	return TC_OK;
}

void tc_hmac_update(tc_hmac_ctx *c, const void *data, size_t len)
{
	tc_hash_update(&c->inner, data, len);
}

size_t tc_hmac_final(const tc_hmac_ctx *c, uint8_t *out)
{
	uint8_t ih[TC_MAX_DIGEST];
	tc_hash_ctx outer;
	size_t hl = tc_hash_final(&c->inner, ih);
	tc_hash_init(&outer, c->alg);
	tc_hash_update(&outer, c->opad_key, tc_hash_block_size(c->alg));
	tc_hash_update(&outer, ih, hl);
	tc_hash_final(&outer, out);
	tc_zeroize(ih, sizeof ih);
	tc_zeroize(&outer, sizeof outer);
	return hl;
}

size_t tc_hmac(uint16_t alg, const void *key, size_t key_len, const void *data, size_t len,
               uint8_t *out)
{
	tc_hmac_ctx c;
	if (tc_hmac_init(&c, alg, key, key_len) != TC_OK)
		return 0;
	tc_hmac_update(&c, data, len);
	size_t n = tc_hmac_final(&c, out);
	tc_zeroize(&c, sizeof c);
	return n;
}

/* Blob: alg (2) | outer key block (block size) | inner hash blob. */
size_t tc_hmac_save(const tc_hmac_ctx *c, uint8_t *buf, size_t max)
{
	size_t bs = tc_hash_block_size(c->alg);
	if (!bs || max < 2 + bs)
		return 0;
	size_t n = tc_hash_save(&c->inner, buf + 2 + bs, max - 2 - bs);
	if (!n)
		return 0;
	buf[0] = (uint8_t)(c->alg >> 8);
	buf[1] = (uint8_t)c->alg;
	memcpy(buf + 2, c->opad_key, bs);
	return 2 + bs + n;
}

int tc_hmac_load(tc_hmac_ctx *c, const uint8_t *buf, size_t len)
{
	if (len < 2)
		return TC_ERR_SIZE;
	uint16_t alg = (uint16_t)(buf[0] << 8 | buf[1]);
	size_t bs = tc_hash_block_size(alg);
	if (!bs)
		return TC_ERR_ALG;
	if (len < 2 + bs + 2)
		return TC_ERR_SIZE;
	if ((uint16_t)(buf[2 + bs] << 8 | buf[3 + bs]) != alg)
		return TC_ERR_ALG;
	int rc = tc_hash_load(&c->inner, buf + 2 + bs, len - 2 - bs);
	if (rc != TC_OK)
		return rc;
	memcpy(c->opad_key, buf + 2, bs);
	c->alg = alg;
	return TC_OK;
}
