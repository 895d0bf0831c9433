/*
 * Marshalling: every structure the engine parses is written, read back, written again
 * (identical bytes), and read from every truncation (TPM_RC_INSUFFICIENT, never a read past
 * the end: this runs under ASan with each truncated copy in its own exact-size allocation).
 * Out-of-range values give the code Part 2 assigns to the type.
 */
#include "tpm2_test.h"

typedef void (*wr_fn)(struct tpm2_wr *w, const void *v);
typedef TPM_RC (*rd_fn)(struct tpm2_rd *r, void *v);

static int round_trip(const char *name, const void *val, size_t size, wr_fn wr, rd_fn rd)
{
	uint8_t a[8192], b[8192];
	struct tpm2_wr w;
	struct tpm2_rd r;
	void *back = calloc(1, size);
	size_t n;
	int bad_trunc = 0;
	char label[160];
	tpm2_wr_init(&w, a, sizeof a);
	wr(&w, val);
	n = w.off;
	tpm2_rd_init(&r, a, n);
	snprintf(label, sizeof label, "%s: read back", name);
	CHECK(!w.overflow && rd(&r, back) == TPM_RC_SUCCESS && r.off == n, label);
	tpm2_wr_init(&w, b, sizeof b);
	wr(&w, back);
	snprintf(label, sizeof label, "%s: written again, same %zu bytes", name, n);
	CHECK(w.off == n && memcmp(a, b, n) == 0, label);
	for (size_t len = 0; len < n; len++) {
		uint8_t *cut = malloc(len ? len : 1);
		TPM_RC rc;
		memcpy(cut, a, len);
		tpm2_rd_init(&r, cut, len);
		rc = rd(&r, back);
		if (rc != TPM_RC_INSUFFICIENT)
			bad_trunc++;
		free(cut);
	}
	snprintf(label, sizeof label, "%s: every truncation (%zu) -> INSUFFICIENT", name, n);
	CHECK(bad_trunc == 0, label);
	free(back);
	return (int)n;
}

/* adapters */
static void w_pcrsel(struct tpm2_wr *w, const void *v) { tpm2_wr_pcr_selection(w, v); }
static TPM_RC r_pcrsel(struct tpm2_rd *r, void *v) { return tpm2_rd_pcr_selection(r, v); }
static void w_dv(struct tpm2_wr *w, const void *v) { tpm2_wr_digest_values(w, v); }
static TPM_RC r_dv(struct tpm2_rd *r, void *v) { return tpm2_rd_digest_values(r, v); }
static void w_sym(struct tpm2_wr *w, const void *v) { tpm2_wr_sym_def(w, v); }
static TPM_RC r_sym(struct tpm2_rd *r, void *v) { return tpm2_rd_sym_def(r, v, true, true); }
static void w_sch(struct tpm2_wr *w, const void *v) { tpm2_wr_sig_scheme(w, v); }
static TPM_RC r_sch(struct tpm2_rd *r, void *v) { return tpm2_rd_sig_scheme(r, v, true); }
static void w_pub(struct tpm2_wr *w, const void *v) { tpm2_wr_public(w, v); }
static TPM_RC r_pub(struct tpm2_rd *r, void *v) { return tpm2_rd_public(r, v, false); }
static void w_pub2b(struct tpm2_wr *w, const void *v)
{
	size_t m = tpm2_wr_size_begin(w);
	tpm2_wr_public(w, v);
	tpm2_wr_size_end(w, m);
}
static TPM_RC r_pub2b(struct tpm2_rd *r, void *v) { return tpm2_rd_public_sized(r, v, false); }
static void w_sens(struct tpm2_wr *w, const void *v) { tpm2_wr_sensitive(w, v); }
static TPM_RC r_sens(struct tpm2_rd *r, void *v) { return tpm2_rd_sensitive(r, v); }
static void w_nvp(struct tpm2_wr *w, const void *v) { tpm2_wr_nv_public(w, v); }
static TPM_RC r_nvp(struct tpm2_rd *r, void *v) { return tpm2_rd_nv_public(r, v); }
static void w_ctx(struct tpm2_wr *w, const void *v) { tpm2_wr_context(w, v); }
static TPM_RC r_ctx(struct tpm2_rd *r, void *v) { return tpm2_rd_context(r, v); }
static void w_sig(struct tpm2_wr *w, const void *v) { tpm2_wr_signature(w, v); }
static TPM_RC r_sig(struct tpm2_rd *r, void *v) { return tpm2_rd_signature(r, v); }
static void w_tk(struct tpm2_wr *w, const void *v) { tpm2_wr_ticket(w, v); }
static TPM_RC r_tk(struct tpm2_rd *r, void *v) { return tpm2_rd_ticket(r, v); }
static void w_pt(struct tpm2_wr *w, const void *v) { tpm2_wr_ecc_point(w, v); }
static TPM_RC r_pt(struct tpm2_rd *r, void *v) { return tpm2_rd_ecc_point(r, v); }
static void w_dig(struct tpm2_wr *w, const void *v)
{
	const struct tpm2b_digest *d = v;
	tpm2_wr_tpm2b(w, d->buf, d->size);
}
static TPM_RC r_dig(struct tpm2_rd *r, void *v) { return tpm2_rd_digest(r, v); }

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void samples(void)
{
	struct tpml_pcr_selection sel = { 2, { { TPM_ALG_SHA256, 3, { 0xFF, 0x01, 0x80 } },
	                                       { TPM_ALG_SHA1, 3, { 0x03, 0, 0 } } } };
	struct tpml_digest_values dv;
	struct tpmt_sym_def sym_aes = { TPM_ALG_AES, 128, TPM_ALG_CFB }, sym_xor = { TPM_ALG_XOR, TPM_ALG_SHA256, 0 },
	                    sym_null = { TPM_ALG_NULL, 0, 0 };
	struct tpmt_scheme sch_rsa = { TPM_ALG_RSASSA, TPM_ALG_SHA256, 0 }, sch_ecdaa = { TPM_ALG_ECDAA, TPM_ALG_SHA256, 7 },
	                   sch_null = { TPM_ALG_NULL, 0, 0 };
	static struct tpmt_public rsa, ecc, kh, sc;
	static struct tpmt_sensitive sens;
	struct tpms_nv_public nvp = { 0x01C00002, TPM_ALG_SHA256, TPMA_NV_AUTHREAD | TPMA_NV_PPWRITE, { 32, { 0 } }, 1500 };
	static struct tpms_context ctx;
	static struct tpmt_signature sig_rsa, sig_ecc, sig_hmac, sig_null;
	struct tpmt_tk tk = { TPM_ST_HASHCHECK, TPM_RH_OWNER, { 48, { 0 } } };
	static struct tpms_ecc_point pt;
	struct tpm2b_digest dig = { 20, { 0 } };

	dv.count = 2;
	dv.d[0].alg = TPM_ALG_SHA384;
	fill(dv.d[0].digest, 48, 1);
	dv.d[1].alg = TPM_ALG_SHA1;
	fill(dv.d[1].digest, 20, 2);

	rsa.type = TPM_ALG_RSA;
	rsa.name_alg = TPM_ALG_SHA256;
	rsa.attrs = 0x00030072;
	rsa.auth_policy.size = 32;
	fill(rsa.auth_policy.buf, 32, 3);
	rsa.symmetric = sym_aes;
	rsa.scheme = sch_null;
	rsa.key_bits = 2048;
	rsa.unique.rsa.size = 256;
	fill(rsa.unique.rsa.buf, 256, 4);
	ecc.type = TPM_ALG_ECC;
	ecc.name_alg = TPM_ALG_SHA384;
	ecc.attrs = 0x00040072;
	ecc.symmetric = sym_null;
	ecc.scheme = (struct tpmt_scheme){ TPM_ALG_ECDSA, TPM_ALG_SHA384, 0 };
	ecc.curve = TPM_ECC_NIST_P384;
	ecc.kdf = (struct tpmt_scheme){ TPM_ALG_KDF1_SP800_56A, TPM_ALG_SHA256, 0 };
	ecc.unique.ecc.x_size = 48;
	ecc.unique.ecc.y_size = 48;
	fill(ecc.unique.ecc.x, 48, 5);
	fill(ecc.unique.ecc.y, 48, 6);
	kh.type = TPM_ALG_KEYEDHASH;
	kh.name_alg = TPM_ALG_SHA1;
	kh.attrs = 0x00000052;
	kh.scheme = (struct tpmt_scheme){ TPM_ALG_XOR, TPM_ALG_SHA256, TPM_ALG_KDF1_SP800_108 };
	kh.unique.sym.size = 20;
	sc.type = TPM_ALG_SYMCIPHER;
	sc.name_alg = TPM_ALG_SHA512;
	sc.attrs = 0x00060072;
	sc.symmetric = (struct tpmt_sym_def){ TPM_ALG_AES, 256, TPM_ALG_CTR };
	sc.unique.sym.size = 64;
	sens.type = TPM_ALG_RSA;
	sens.auth.size = 5;
	sens.seed.size = 32;
	sens.sensitive.size = 128;
	fill(sens.sensitive.buf, 128, 9);
	ctx.sequence = 0x0102030405060708ull;
	ctx.saved_handle = 0x80000001;
	ctx.hierarchy = TPM_RH_NULL;
	ctx.blob_size = 300;
	fill(ctx.blob, 300, 10);
	sig_rsa.alg = TPM_ALG_RSAPSS;
	sig_rsa.hash = TPM_ALG_SHA256;
	sig_rsa.u.rsa.size = 256;
	sig_ecc.alg = TPM_ALG_ECDSA;
	sig_ecc.hash = TPM_ALG_SHA256;
	sig_ecc.u.ecc.r_size = 32;
	sig_ecc.u.ecc.s_size = 31;
	sig_hmac.alg = TPM_ALG_HMAC;
	sig_hmac.hash = TPM_ALG_SHA384;
	sig_null.alg = TPM_ALG_NULL;
	pt.x_size = 32;
	pt.y_size = 32;

	round_trip("TPML_PCR_SELECTION", &sel, sizeof sel, w_pcrsel, r_pcrsel);
	round_trip("TPML_DIGEST_VALUES", &dv, sizeof dv, w_dv, r_dv);
	round_trip("TPMT_SYM_DEF aes", &sym_aes, sizeof sym_aes, w_sym, r_sym);
	round_trip("TPMT_SYM_DEF xor", &sym_xor, sizeof sym_xor, w_sym, r_sym);
	round_trip("TPMT_SYM_DEF null", &sym_null, sizeof sym_null, w_sym, r_sym);
	round_trip("TPMT_SIG_SCHEME rsassa", &sch_rsa, sizeof sch_rsa, w_sch, r_sch);
	round_trip("TPMT_SIG_SCHEME ecdaa", &sch_ecdaa, sizeof sch_ecdaa, w_sch, r_sch);
	round_trip("TPMT_PUBLIC rsa", &rsa, sizeof rsa, w_pub, r_pub);
	round_trip("TPMT_PUBLIC ecc", &ecc, sizeof ecc, w_pub, r_pub);
	round_trip("TPMT_PUBLIC keyedhash", &kh, sizeof kh, w_pub, r_pub);
	round_trip("TPMT_PUBLIC symcipher", &sc, sizeof sc, w_pub, r_pub);
	round_trip("TPM2B_PUBLIC ecc", &ecc, sizeof ecc, w_pub2b, r_pub2b);
	round_trip("TPMT_SENSITIVE rsa", &sens, sizeof sens, w_sens, r_sens);
	round_trip("TPM2B_NV_PUBLIC", &nvp, sizeof nvp, w_nvp, r_nvp);
	round_trip("TPMS_CONTEXT", &ctx, sizeof ctx, w_ctx, r_ctx);
	round_trip("TPMT_SIGNATURE rsapss", &sig_rsa, sizeof sig_rsa, w_sig, r_sig);
	round_trip("TPMT_SIGNATURE ecdsa", &sig_ecc, sizeof sig_ecc, w_sig, r_sig);
	round_trip("TPMT_SIGNATURE hmac", &sig_hmac, sizeof sig_hmac, w_sig, r_sig);
	round_trip("TPMT_SIGNATURE null", &sig_null, sizeof sig_null, w_sig, r_sig);
	round_trip("TPMT_TK_HASHCHECK", &tk, sizeof tk, w_tk, r_tk);
	round_trip("TPM2B_ECC_POINT", &pt, sizeof pt, w_pt, r_pt);
	round_trip("TPM2B_DIGEST", &dig, sizeof dig, w_dig, r_dig);
}

/* Reads `bytes` with rd and expects `want`. */
static void expect(const char *name, const uint8_t *bytes, size_t n, rd_fn rd, size_t vsize, TPM_RC want)
{
	struct tpm2_rd r;
	void *v = calloc(1, vsize);
	TPM_RC rc;
	tpm2_rd_init(&r, bytes, n);
	rc = rd(&r, v);
	CHECK_RC(rc, want, name);
	free(v);
}

static void bad_values(void)
{
	static const uint8_t sel_count[] = { 0, 0, 0, 5 };
	static const uint8_t sel_hash[] = { 0, 0, 0, 1, 0x00, 0x12, 3, 0, 0, 0 };
	static const uint8_t sel_size[] = { 0, 0, 0, 1, 0x00, 0x0B, 4, 0, 0, 0, 0 };
	static const uint8_t sym_alg[] = { 0x00, 0x26, 0, 128, 0, 0x43 };
	static const uint8_t sym_bits[] = { 0x00, 0x06, 0, 100, 0, 0x43 };
	static const uint8_t sym_mode[] = { 0x00, 0x06, 0, 128, 0, 0x05 };
	static const uint8_t sch_bad[] = { 0x00, 0x17, 0, 0x0B };
	static const uint8_t pub_type[] = { 0x00, 0x05, 0, 0x0B, 0, 0, 0, 0, 0, 0 };
	static const uint8_t pub_name[] = { 0x00, 0x01, 0, 0x10, 0, 0, 0, 0, 0, 0 };
	static const uint8_t pub_resv[] = { 0x00, 0x01, 0, 0x0B, 0, 0, 0, 1, 0, 0 };
	static const uint8_t pub_curve[] = { 0x00, 0x23, 0, 0x0B, 0, 0, 0, 0, 0, 0,
	                                     0, 0x10, 0, 0x10, 0, 0x05, 0, 0x10, 0, 0, 0, 0 };
	static const uint8_t pub_bits[] = { 0x00, 0x01, 0, 0x0B, 0, 0, 0, 0, 0, 0,
	                                    0, 0x10, 0, 0x10, 0x04, 0x01, 0, 0, 0, 0, 0, 0 };
	static const uint8_t pub_big[] = { 0x00, 0x01, 0, 0x0B, 0, 0, 0, 0, 0, 65 };
	static const uint8_t nv_zero[] = { 0, 0 };
	static const uint8_t nv_index[] = { 0, 14, 0x02, 0, 0, 0, 0, 0x0B, 0, 0, 0, 0, 0, 0, 0, 8 };
	static const uint8_t nv_extra[] = { 0, 15, 0x01, 0, 0, 0, 0, 0x0B, 0, 0, 0, 0, 0, 0, 0, 8, 0 };
	static const uint8_t ctx_handle[] = { 0, 0, 0, 0, 0, 0, 0, 1, 0x81, 0, 0, 0, 0x40, 0, 0, 7, 0, 0 };
	static const uint8_t sig_bad[] = { 0x00, 0x0B };
	static const uint8_t dv_count[] = { 0, 0, 0, 9 };

	expect("PCR selection: count 5 -> SIZE", sel_count, sizeof sel_count, r_pcrsel, sizeof(struct tpml_pcr_selection), TPM_RC_SIZE);
	expect("PCR selection: SM3 -> HASH", sel_hash, sizeof sel_hash, r_pcrsel, sizeof(struct tpml_pcr_selection), TPM_RC_HASH);
	expect("PCR selection: sizeofSelect 4 -> VALUE", sel_size, sizeof sel_size, r_pcrsel, sizeof(struct tpml_pcr_selection), TPM_RC_VALUE);
	expect("digest values: count 9 -> SIZE", dv_count, sizeof dv_count, r_dv, sizeof(struct tpml_digest_values), TPM_RC_SIZE);
	expect("sym def: Camellia -> SYMMETRIC", sym_alg, sizeof sym_alg, r_sym, sizeof(struct tpmt_sym_def), TPM_RC_SYMMETRIC);
	expect("sym def: AES-100 -> VALUE", sym_bits, sizeof sym_bits, r_sym, sizeof(struct tpmt_sym_def), TPM_RC_VALUE);
	expect("sym def: mode 5 -> MODE", sym_mode, sizeof sym_mode, r_sym, sizeof(struct tpmt_sym_def), TPM_RC_MODE);
	expect("sig scheme: OAEP -> SCHEME", sch_bad, sizeof sch_bad, r_sch, sizeof(struct tpmt_scheme), TPM_RC_SCHEME);
	expect("public: type HMAC -> TYPE", pub_type, sizeof pub_type, r_pub, sizeof(struct tpmt_public), TPM_RC_TYPE);
	expect("public: nameAlg NULL -> HASH", pub_name, sizeof pub_name, r_pub, sizeof(struct tpmt_public), TPM_RC_HASH);
	expect("public: reserved attribute -> RESERVED_BITS", pub_resv, sizeof pub_resv, r_pub, sizeof(struct tpmt_public), TPM_RC_RESERVED_BITS);
	expect("public: P-521 -> CURVE", pub_curve, sizeof pub_curve, r_pub, sizeof(struct tpmt_public), TPM_RC_CURVE);
	expect("public: RSA-1025 -> VALUE", pub_bits, sizeof pub_bits, r_pub, sizeof(struct tpmt_public), TPM_RC_VALUE);
	expect("public: 65-byte policy -> SIZE", pub_big, sizeof pub_big, r_pub, sizeof(struct tpmt_public), TPM_RC_SIZE);
	expect("NV public: size 0 -> SIZE", nv_zero, sizeof nv_zero, r_nvp, sizeof(struct tpms_nv_public), TPM_RC_SIZE);
	expect("NV public: not an NV index -> VALUE", nv_index, sizeof nv_index, r_nvp, sizeof(struct tpms_nv_public), TPM_RC_VALUE);
	expect("NV public: size larger than content -> SIZE", nv_extra, sizeof nv_extra, r_nvp, sizeof(struct tpms_nv_public), TPM_RC_SIZE);
	expect("context: persistent savedHandle -> VALUE", ctx_handle, sizeof ctx_handle, r_ctx, sizeof(struct tpms_context), TPM_RC_VALUE);
	expect("signature: SHA-256 as scheme -> SCHEME", sig_bad, sizeof sig_bad, r_sig, sizeof(struct tpmt_signature), TPM_RC_SCHEME);
	{
		uint8_t buf[4];
		struct tpm2_wr w;
		tpm2_wr_init(&w, buf, sizeof buf);
		tpm2_wr_u32(&w, 1);
		tpm2_wr_u8(&w, 2);
		CHECK(w.overflow && w.off == 4, "writer: overflow is sticky and writes nothing past the end");
	}
	CHECK(tpm2_rc_num(TPM_RC_VALUE, TPM_RC_P, 2) == 0x2C4 && tpm2_rc_num(TPM_RC_LOCKOUT, TPM_RC_P, 2) == TPM_RC_LOCKOUT &&
	      tpm2_rc_num(0x2C4, TPM_RC_P, 1) == 0x2C4 && tpm2_rc_num(TPM_RC_NV_RANGE, TPM_RC_P, 1) == TPM_RC_NV_RANGE,
	      "rc numbering: format-1 only, never twice");
}

int main(void)
{
	samples();
	bad_values();
	return tt_done();
}
