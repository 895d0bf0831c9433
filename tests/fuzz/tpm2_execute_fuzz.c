/*
 * libFuzzer target over tpm2_execute(), the engine's one entry point for guest bytes.
 *
 * Input: byte 0 = locality (mod 5), then one or more TPM commands back to back.  Each command
 * is cut at the size its header claims (clamped to what is left), so one input can run a
 * sequence (CreatePrimary, then Sign...) while a lying size field still reaches the engine
 * as-is.  Every input starts from a freshly manufactured and started TPM.
 */
#include "tpm2_fuzz_common.h"

static struct tpm2 tpm;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t rsp[TPM2_MAX_RESPONSE_SIZE];
	uint8_t locality;
	size_t n, len;

	if (size < 1)
		return 0;
	locality = data[0] % 5;
	data++, size--;
	fuzz_fresh_tpm(&tpm);
	for (int i = 0; size > 0 && i < 16; i++) {
		len = size;
		if (size >= 6) {
			uint32_t claimed = fuzz_be32(data + 2);
			if (claimed >= 10 && claimed < size)
				len = claimed;
		}
		n = tpm2_execute(&tpm, locality, data, len, rsp, sizeof rsp);
		fuzz_check_response(rsp, n, sizeof rsp);
		data += len;
		size -= len;
	}
	return 0;
}
