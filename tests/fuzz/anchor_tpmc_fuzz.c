/*
 * libFuzzer target: anchoring's TPM command layer (vtpm/anchor/tpmcmd.c) against arbitrary
 * responses, as a broken or hostile physical TPM (or an interposer on its bus) could send.
 * The input is a sequence of responses, each a 2-byte length then that many bytes; the first
 * input byte picks whether the fake transport makes the header's size field consistent (to get
 * past the header check and into the parsers).  Every tpmc call must return 0, TPMC_ERR_IO or a
 * TPM_RC, never read or write out of bounds; tpmc_parse_public also gets the raw input.
 */
#include "tpmcmd.h"
#include <stdint.h>
#include <string.h>

struct feed {
	const uint8_t *p;
	size_t len;
	int fix_size;
};

static int fake_xfer(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp, size_t max,
                     size_t *rsp_len)
{
	struct feed *f = ctx;
	(void)cmd;
	(void)cmd_len;
	if (f->len < 2)
		return -1;
	size_t n = (size_t)f->p[0] << 8 | f->p[1];
	f->p += 2;
	f->len -= 2;
	if (n > f->len)
		n = f->len;
	if (n > max)
		return -1;
	memcpy(rsp, f->p, n);
	f->p += n;
	f->len -= n;
	if (f->fix_size && n >= 6) {
		rsp[2] = (uint8_t)(n >> 24);
		rsp[3] = (uint8_t)(n >> 16);
		rsp[4] = (uint8_t)(n >> 8);
		rsp[5] = (uint8_t)n;
	}
	*rsp_len = n;
	return 0;
}

static int valid(int rc) { return rc == 0 || rc == TPMC_ERR_IO || rc > 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tpmc t;
	static struct tpmc_pubkey key;
	uint8_t pub[600], out[1024], r[32], s[32];
	uint32_t h, props[8], attrs;
	uint16_t nv_size;
	size_t pub_len;
	if (size < 1)
		return 0;
	tpmc_parse_public(data, size, &key);
	struct feed f = { data + 1, size - 1, data[0] & 1 };
	tpmc_init(&t, fake_xfer, &f);
	static const uint8_t tmpl[4] = { 0, 0x23, 0, 0x0B };
	int rc[10];
	rc[0] = tpmc_create_primary(&t, TPMC_RH_ENDORSEMENT, tmpl, sizeof tmpl, &h, pub, sizeof pub,
	                            &pub_len);
	rc[1] = tpmc_hmac_sha256(&t, 0x80000000u, out, 45, r);
	rc[2] = tpmc_sign_ecdsa_p256(&t, 0x80000000u, r, r, s);
	rc[3] = tpmc_get_random(&t, out, 100);
	rc[4] = tpmc_get_properties(&t, 0x105, 8, props);
	rc[5] = tpmc_nv_read_public(&t, 0x01C00002u, &attrs, &nv_size);
	rc[6] = tpmc_nv_read(&t, 0x01C00002u, 0x01C00002u, out, sizeof out);
	rc[7] = tpmc_nv_write(&t, TPMC_RH_PLATFORM, 0x01C00002u, out, sizeof out);
	rc[8] = tpmc_flush(&t, h);
	rc[9] = tpmc_pcr_read_sha256(&t, data[0] % 24, r);
	for (int i = 0; i < 10; i++)
		if (!valid(rc[i]))
			__builtin_trap();
	if (rc[0] == 0 && pub_len > sizeof pub)
		__builtin_trap();
	return 0;
}
