/* Emits keys, signatures and ciphertexts made by vtpm/crypto as "name hex" lines, for
 * tests/unit/crypto_openssl.py to check with the openssl command line (the other direction of
 * the cross-check in crypto_unit: here openssl judges our outputs). */
#include "tcrypto.h"
#include <stdio.h>
#include <string.h>

static void hex(const char *name, const uint8_t *p, size_t n)
{
	printf("%s ", name);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static int emit_rsa(void)
{
	static tc_rsa_priv sk;
	static tc_rsa_pub pk;
	tc_drbg d;
	tc_drbg_init(&d, TC_ALG_SHA256, "emit", 4, "rsa", 3);
	if (tc_rsa_keygen(tc_drbg_prng(&d), 2048, 0, &sk, &pk) != TC_OK)
		return 1;
	hex("rsa_n", pk.n, pk.n_len);
	hex("rsa_p", sk.p, sk.p_len);
	hex("rsa_q", sk.q, sk.q_len);
	hex("rsa_dp", sk.dp, sk.dp_len);
	hex("rsa_dq", sk.dq, sk.dq_len);
	hex("rsa_iq", sk.iq, sk.iq_len);
	uint8_t dg[32], sig[256], ct[256];
	size_t sl, cl;
	tc_hash(TC_ALG_SHA256, "signed by tcrypto", 17, dg);
	hex("digest", dg, 32);
	if (tc_rsa_sign(&sk, TC_ALG_RSASSA, TC_ALG_SHA256, dg, 32, NULL, sig, sizeof sig, &sl))
		return 1;
	hex("rsa_sig_pkcs1", sig, sl);
	if (tc_rsa_sign(&sk, TC_ALG_RSAPSS, TC_ALG_SHA256, dg, 32, tc_drbg_prng(&d), sig, sizeof sig,
	                &sl))
		return 1;
	hex("rsa_sig_pss", sig, sl);
	static const char secret[] = "seed for a salted session";
	hex("secret", (const uint8_t *)secret, sizeof secret - 1);
	if (tc_rsa_encrypt(&pk, TC_ALG_OAEP, TC_ALG_SHA256, "SECRET", 7, (const uint8_t *)secret,
	                   sizeof secret - 1, tc_drbg_prng(&d), ct, sizeof ct, &cl))
		return 1;
	hex("rsa_ct_oaep", ct, cl);
	if (tc_rsa_encrypt(&pk, TC_ALG_RSAES, 0, NULL, 0, (const uint8_t *)secret,
	                   sizeof secret - 1, tc_drbg_prng(&d), ct, sizeof ct, &cl))
		return 1;
	hex("rsa_ct_pkcs1", ct, cl);
	/* a public exponent above 2^31 (issue 8 item 5) */
	uint8_t e_be[4] = { 0xFF, 0xFF, 0xFF, 0xFF };
	tc_drbg_init(&d, TC_ALG_SHA256, "emit", 4, "rsa big e", 9);
	if (tc_rsa_keygen(tc_drbg_prng(&d), 2048, 0xFFFFFFFFu, &sk, &pk) != TC_OK)
		return 1;
	hex("rsa_bige_e", e_be, 4);
	hex("rsa_bige_n", pk.n, pk.n_len);
	hex("rsa_bige_p", sk.p, sk.p_len);
	hex("rsa_bige_q", sk.q, sk.q_len);
	hex("rsa_bige_dp", sk.dp, sk.dp_len);
	hex("rsa_bige_dq", sk.dq, sk.dq_len);
	return 0;
}

static int emit_ecc(uint16_t curve, const char *name)
{
	tc_drbg d;
	tc_ecc_priv sk;
	tc_ecc_point q;
	size_t size = tc_ecc_size(curve);
	char key[64];
	tc_drbg_init(&d, TC_ALG_SHA256, "emit", 4, name, strlen(name));
	if (tc_ecc_keygen(curve, tc_drbg_prng(&d), &sk, &q) != TC_OK)
		return 1;
	snprintf(key, sizeof key, "%s_d", name);
	hex(key, sk.d, size);
	snprintf(key, sizeof key, "%s_qx", name);
	hex(key, q.x, size);
	snprintf(key, sizeof key, "%s_qy", name);
	hex(key, q.y, size);
	uint8_t dg[32], r[66], s[66];
	tc_hash(TC_ALG_SHA256, "signed by tcrypto", 17, dg);
	if (tc_ecdsa_sign(&sk, TC_ALG_SHA256, dg, 32, NULL, r, s) != TC_OK)
		return 1;
	snprintf(key, sizeof key, "%s_r", name);
	hex(key, r, size);
	snprintf(key, sizeof key, "%s_s", name);
	hex(key, s, size);
	if (tc_ecdsa_sign(&sk, TC_ALG_SHA256, dg, 32, tc_drbg_prng(&d), r, s) != TC_OK)
		return 1;
	snprintf(key, sizeof key, "%s_r2", name);
	hex(key, r, size);
	snprintf(key, sizeof key, "%s_s2", name);
	hex(key, s, size);
	return 0;
}

int main(void)
{
	return emit_rsa() || emit_ecc(TC_ECC_NIST_P256, "p256") || emit_ecc(TC_ECC_NIST_P384, "p384");
}
