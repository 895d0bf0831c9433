/*
 * The CPU's SHA and AES instructions, for host builds only: SHA-256 over the x86 SHA
 * extensions (SHA-NI, below), and BearSSL's AES-NI code (aes_x86ni*) for tc_aes.c.
 *
 * tc_sha256_accel_class() returns a br_hash_class that works on BearSSL's own
 * br_sha256_context (same buffer, count and chaining value, same state()/set_state() encoding),
 * so a context saved by one implementation continues in the other, and every caller of
 * tc_hash_class() (HMAC, KDFs, the DRBG, ECDSA's nonces) uses it unchanged.  Only the
 * compression function differs: four SHA256RNDS2 pairs per 16 rounds instead of BearSSL's
 * portable C.  The instructions are data-independent in timing, like the portable code.
 *
 * Selection is at run time: CPUID leaf 7 EBX bit 29 (SHA) with SSSE3 and SSE4.1 (leaf 1 ECX
 * bits 9 and 19) for SHA-256, BearSSL's own CPUID test for AES-NI; asked once per process and
 * cached (the answer cannot change while it runs, and CPUID traps in a VM).  The freestanding hypervisor build (__STDC_HOSTED__ == 0, -mgeneral-regs-only)
 * compiles none of this: it returns NULL there and the portable code is used, since the HTPM
 * does not save the guests' extended register state around the engine.
 */
#include "tcrypto.h"
#include <string.h>

#if __STDC_HOSTED__ && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>

#define NI_TARGET __attribute__((target("sha,ssse3,sse4.1")))

static const uint32_t sha256_iv[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static const uint32_t sha256_k[64] __attribute__((aligned(16))) = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* Compresses n 64-byte blocks into val[8] (A..H as in FIPS 180-4). */
NI_TARGET static void sha256_ni_blocks(uint32_t val[8], const uint8_t *data, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i abcd = _mm_loadu_si128((const __m128i *)&val[0]);
	__m128i efgh = _mm_loadu_si128((const __m128i *)&val[4]);
	/* The instructions keep the state as ABEF / CDGH (most significant lane first). */
	__m128i cdab = _mm_shuffle_epi32(abcd, 0xB1);
	__m128i hgfe = _mm_shuffle_epi32(efgh, 0x1B);
	__m128i abef = _mm_alignr_epi8(cdab, hgfe, 8);
	__m128i cdgh = _mm_blend_epi16(hgfe, cdab, 0xF0);

	for (; n > 0; n--, data += 64) {
		__m128i w[4], save_abef = abef, save_cdgh = cdgh;
		for (int g = 0; g < 16; g++) {
			__m128i wk;
			if (g < 4) {
				w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * g)),
				                        bswap);
			} else {
				/* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four at a time */
				__m128i t = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
				t = _mm_add_epi32(t, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
				w[g & 3] = _mm_sha256msg2_epu32(t, w[(g + 3) & 3]);
			}
			wk = _mm_add_epi32(w[g & 3], _mm_load_si128((const __m128i *)&sha256_k[4 * g]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);      /* rounds 4g, 4g+1 */
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
		}
		abef = _mm_add_epi32(abef, save_abef);
		cdgh = _mm_add_epi32(cdgh, save_cdgh);
	}
	{
		__m128i feba = _mm_shuffle_epi32(abef, 0x1B);
		__m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
		_mm_storeu_si128((__m128i *)&val[0], _mm_blend_epi16(feba, dchg, 0xF0));
		_mm_storeu_si128((__m128i *)&val[4], _mm_alignr_epi8(dchg, feba, 8));
	}
}

static const br_hash_class sha256_ni_vtable;

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void ni_init(const br_hash_class **ctx)
{
	br_sha256_context *cc = (br_sha256_context *)ctx;
	cc->vtable = &sha256_ni_vtable;
	memcpy(cc->val, sha256_iv, sizeof cc->val);
	cc->count = 0;
}

static void ni_update(const br_hash_class **ctx, const void *data, size_t len)
{
	br_sha256_context *cc = (br_sha256_context *)ctx;
	const uint8_t *p = data;
	size_t ptr = (size_t)cc->count & 63;
	while (len > 0) {
		size_t chunk;
		if (ptr == 0 && len >= 64) {           /* whole blocks straight from the input */
			chunk = len & ~(size_t)63;
			sha256_ni_blocks(cc->val, p, chunk / 64);
		} else {
			chunk = 64 - ptr < len ? 64 - ptr : len;
			memcpy(cc->buf + ptr, p, chunk);
			ptr += chunk;
			if (ptr == 64) {
				sha256_ni_blocks(cc->val, cc->buf, 1);
				ptr = 0;
			}
		}
		p += chunk;
		len -= chunk;
		cc->count += chunk;
	}
}

static void ni_out(const br_hash_class *const *ctx, void *dst)
{
	const br_sha256_context *cc = (const br_sha256_context *)ctx;
	uint8_t buf[64];
	uint32_t val[8];
	size_t ptr = (size_t)cc->count & 63;
	uint64_t bits = cc->count << 3;
	memcpy(buf, cc->buf, ptr);
	memcpy(val, cc->val, sizeof val);
	buf[ptr++] = 0x80;
	if (ptr > 56) {
		memset(buf + ptr, 0, 64 - ptr);
		sha256_ni_blocks(val, buf, 1);
		ptr = 0;
	}
	memset(buf + ptr, 0, 56 - ptr);
	put_be32(buf + 56, (uint32_t)(bits >> 32));
	put_be32(buf + 60, (uint32_t)bits);
	sha256_ni_blocks(val, buf, 1);
	for (int i = 0; i < 8; i++)
		put_be32((uint8_t *)dst + 4 * i, val[i]);
	tc_zeroize(buf, sizeof buf);
	tc_zeroize(val, sizeof val);
}

/* The same encoding as br_sha256_state / br_sha256_set_state: the chaining value big-endian. */
static uint64_t ni_state(const br_hash_class *const *ctx, void *dst)
{
	const br_sha256_context *cc = (const br_sha256_context *)ctx;
	for (int i = 0; i < 8; i++)
		put_be32((uint8_t *)dst + 4 * i, cc->val[i]);
	return cc->count;
}

static void ni_set_state(const br_hash_class **ctx, const void *stb, uint64_t count)
{
	br_sha256_context *cc = (br_sha256_context *)ctx;
	for (int i = 0; i < 8; i++)
		cc->val[i] = get_be32((const uint8_t *)stb + 4 * i);
	cc->count = count;
}

/* desc as br_sha256_vtable's: same identifier, output, state and block sizes, padding. */
static const br_hash_class sha256_ni_vtable = {
	sizeof(br_sha256_context),
	BR_HASHDESC_ID(br_sha256_ID) | BR_HASHDESC_OUT(32) | BR_HASHDESC_STATE(32) |
		BR_HASHDESC_LBLEN(6) | BR_HASHDESC_MD_PADDING | BR_HASHDESC_MD_PADDING_BE,
	ni_init, ni_update, ni_out, ni_state, ni_set_state,
};

static int cpu_has_sha_ni(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19)))
		return 0;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
}

const br_hash_class *tc_sha256_accel_class(void)
{
	/* 0: not asked yet, 1: no, 2: yes.  Idempotent, so concurrent first calls are harmless. */
	static int have;
	int h = __atomic_load_n(&have, __ATOMIC_RELAXED);
	if (h == 0) {
		h = cpu_has_sha_ni() ? 2 : 1;
		__atomic_store_n(&have, h, __ATOMIC_RELAXED);
	}
	return h == 2 ? &sha256_ni_vtable : NULL;
}

/* BearSSL's AES-NI classes, asked once: its getters run CPUID on every call, and return NULL
 * where the CPU lacks AES-NI or BearSSL was built without it. */
int tc_aes_accel(struct tc_aes_classes *out)
{
	static struct tc_aes_classes cached;
	static int asked;            /* 0: not yet, 1: no, 2: yes (idempotent, like above) */
	int h = __atomic_load_n(&asked, __ATOMIC_ACQUIRE);
	if (h == 0) {
		struct tc_aes_classes c = { br_aes_x86ni_cbcenc_get_vtable(),
		                            br_aes_x86ni_cbcdec_get_vtable(),
		                            br_aes_x86ni_ctrcbc_get_vtable() };
		h = c.cbcenc && c.cbcdec && c.ctrcbc ? 2 : 1;
		if (h == 2)
			cached = c;
		__atomic_store_n(&asked, h, __ATOMIC_RELEASE);
	}
	if (h != 2)
		return 0;
	*out = cached;
	return 1;
}

#else

const br_hash_class *tc_sha256_accel_class(void)
{
	return NULL;
}

int tc_aes_accel(struct tc_aes_classes *out)
{
	(void)out;
	return 0;
}

#endif
