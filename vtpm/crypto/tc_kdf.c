/* KDFa, KDFe (TPM 2.0 Part 1 §11.4.10), MGF1 and the TPM's XOR obfuscation. */
#include "tcrypto.h"
#include <string.h>

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The reference TPM adds a terminating NUL to a label that does not end with one. */
static bool label_needs_nul(const void *label, size_t len)
{
	return len > 0 && ((const uint8_t *)label)[len - 1] != 0;
}

/* Clears the bits of out[0] beyond `bits` (the KDF output is the leftmost bits of the stream,
 * right-aligned into whole bytes, as the reference TPM does). */
static void mask_top_bits(uint8_t *out, uint32_t bits)
{
	if (bits % 8)
		out[0] &= (uint8_t)((1u << (bits % 8)) - 1);
}

/* Stores the KDFa stream into out, or XORs it into out when xor_into is set (the XOR
 * obfuscation then needs no mask buffer). */
static int kdfa_stream(uint16_t hash_alg, const void *key, size_t key_len, const void *label,
                       size_t label_len, const void *context_u, size_t u_len,
                       const void *context_v, size_t v_len, uint32_t bits, uint8_t *out,
                       bool xor_into)
{
	size_t hl = tc_hash_size(hash_alg);
	if (!hl)
		return TC_ERR_ALG;
	if (bits == 0 || bits > TC_KDF_MAX_BITS)
		return TC_ERR_SIZE;
	static const uint8_t nul = 0;
	size_t out_len = (bits + 7) / 8;
	uint8_t be_bits[4], be_i[4], block[TC_MAX_DIGEST];
	tc_hmac_ctx keyed, c;
	put_be32(be_bits, bits);
	tc_hmac_init(&keyed, hash_alg, key, key_len);
	for (uint32_t i = 1, done = 0; done < out_len; i++) {
		c = keyed;
		put_be32(be_i, i);
		tc_hmac_update(&c, be_i, 4);
		tc_hmac_update(&c, label, label_len);
		if (label_needs_nul(label, label_len))
			tc_hmac_update(&c, &nul, 1);
		tc_hmac_update(&c, context_u, u_len);
		tc_hmac_update(&c, context_v, v_len);
		tc_hmac_update(&c, be_bits, 4);
		tc_hmac_final(&c, block);
		size_t take = out_len - done < hl ? out_len - done : hl;
		for (size_t j = 0; j < take; j++)
			out[done + j] = (uint8_t)(xor_into ? out[done + j] ^ block[j] : block[j]);
		done += (uint32_t)take;
	}
	tc_zeroize(block, sizeof block);
	tc_zeroize(&keyed, sizeof keyed);
	tc_zeroize(&c, sizeof c);
	return TC_OK;
}

int tc_kdfa(uint16_t hash_alg, const void *key, size_t key_len, const void *label,
            size_t label_len, const void *context_u, size_t u_len, const void *context_v,
            size_t v_len, uint32_t bits, uint8_t *out)
{
	int rc = kdfa_stream(hash_alg, key, key_len, label, label_len, context_u, u_len,
	                     context_v, v_len, bits, out, false);
	if (rc == TC_OK)
		mask_top_bits(out, bits);
	return rc;
}

int tc_kdfe(uint16_t hash_alg, const void *z, size_t z_len, const void *label,
            size_t label_len, const void *party_u, size_t u_len, const void *party_v,
            size_t v_len, uint32_t bits, uint8_t *out)
{
	size_t hl = tc_hash_size(hash_alg);
	if (!hl)
		return TC_ERR_ALG;
	if (bits == 0 || bits > TC_KDF_MAX_BITS)
		return TC_ERR_SIZE;
	static const uint8_t nul = 0;
	size_t out_len = (bits + 7) / 8;
	uint8_t be_i[4], block[TC_MAX_DIGEST];
	tc_hash_ctx c;
	for (uint32_t i = 1, done = 0; done < out_len; i++) {
		tc_hash_init(&c, hash_alg);
		put_be32(be_i, i);
		tc_hash_update(&c, be_i, 4);
		tc_hash_update(&c, z, z_len);
		tc_hash_update(&c, label, label_len);
		if (label_needs_nul(label, label_len))
			tc_hash_update(&c, &nul, 1);
		tc_hash_update(&c, party_u, u_len);
		tc_hash_update(&c, party_v, v_len);
		tc_hash_final(&c, block);
		size_t take = out_len - done < hl ? out_len - done : hl;
		memcpy(out + done, block, take);
		done += (uint32_t)take;
	}
	mask_top_bits(out, bits);
	tc_zeroize(block, sizeof block);
	tc_zeroize(&c, sizeof c);
	return TC_OK;
}

int tc_mgf1(uint16_t hash_alg, const void *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
	size_t hl = tc_hash_size(hash_alg);
	if (!hl)
		return TC_ERR_ALG;
	uint8_t be_i[4], block[TC_MAX_DIGEST];
	tc_hash_ctx c;
	for (uint32_t i = 0, done = 0; done < out_len; i++) {
		tc_hash_init(&c, hash_alg);
		tc_hash_update(&c, seed, seed_len);
		put_be32(be_i, i);
		tc_hash_update(&c, be_i, 4);
		tc_hash_final(&c, block);
		size_t take = out_len - done < hl ? out_len - done : hl;
		memcpy(out + done, block, take);
		done += (uint32_t)take;
	}
	tc_zeroize(block, sizeof block);
	tc_zeroize(&c, sizeof c);
	return TC_OK;
}

int tc_xor_obfuscate(uint16_t hash_alg, const void *key, size_t key_len, const void *context_u,
                     size_t u_len, const void *context_v, size_t v_len, uint8_t *data,
                     size_t len)
{
	if (!tc_hash_size(hash_alg))
		return TC_ERR_ALG;
	if (len == 0)
		return TC_OK;
	if (len > TC_KDF_MAX_BITS / 8)
		return TC_ERR_SIZE;
	return kdfa_stream(hash_alg, key, key_len, "XOR", 4, context_u, u_len, context_v, v_len,
	                   (uint32_t)(len * 8), data, true);
}
