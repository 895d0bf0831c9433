/*
 * In-process cost of the framework's command families (no transport): median microseconds per
 * tpm2_execute() over many runs, on the optimised host build.  Compare with the server-side
 * figures of swtpm/libtpms in docs (the simulator's benchmark measures both over sockets).
 */
#define _POSIX_C_SOURCE 199309L
#include <time.h>
#include "tpm2_test.h"

#define RUNS 2001

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double samples[RUNS];

static void bench(struct tpm2 *t, const char *name, struct tt_cmd *c)
{
	struct tt_rsp r;
	tt_end(c);
	for (int i = 0; i < RUNS; i++) {
		double t0 = now_us();
		r.n = tpm2_execute(t, 0, c->b, c->n, r.b, sizeof r.b);
		samples[i] = now_us() - t0;
		if (tpm2_get_u32(r.b + 6) != 0) {
			printf("%-34s failed: rc 0x%03x\n", name, tpm2_get_u32(r.b + 6));
			return;
		}
	}
	{
		double sum = 0;
		for (int i = 0; i < RUNS; i++)
			sum += samples[i];
		qsort(samples, RUNS, sizeof samples[0], cmp);
		/* the mean matters where work is batched (the RNG pool refills every 16 calls) */
		printf("%-34s median %7.2f us   mean %7.2f us   p90 %7.2f us\n", name,
		       samples[RUNS / 2], sum / RUNS, samples[RUNS * 9 / 10]);
	}
}

int main(void)
{
	struct tpm2 *t = tt_new();
	struct tt_cmd c;
	struct tt_rsp r;
	uint8_t kib[1024];
	memset(kib, 0x5A, sizeof kib);
	printf("engine in-process cost per command (sizeof(struct tpm2) = %zu bytes)\n",
	       tpm2_instance_size());

	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
	tt_u16(&c, 32);
	bench(t, "GetRandom 32", &c);

	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tt_u32(&c, 10);
	tt_pw_sessions(&c, "", NULL);
	tt_u32(&c, 1);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_bytes(&c, kib, 32);
	bench(t, "PCR_Extend sha256", &c);

	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tt_u32(&c, 1);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_u8(&c, 3);
	tt_u8(&c, 0xFF);
	tt_u8(&c, 0);
	tt_u8(&c, 0);
	bench(t, "PCR_Read 8 x sha256", &c);

	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
	tt_tpm2b(&c, kib, 1024);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_u32(&c, TPM_RH_OWNER);
	bench(t, "Hash 1 KiB sha256 (with ticket)", &c);

	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
	tt_u32(&c, TPM_RH_OWNER);
	tt_pw_sessions(&c, "", NULL);
	tt_tpm2b(&c, "pw", 2);
	tt_u16(&c, 14);
	tt_u32(&c, 0x01500000);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_u32(&c, TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE | TPMA_NV_NO_DA);
	tt_u16(&c, 0);
	tt_u16(&c, 1024);
	tt_exec(t, &c, &r);

	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
	tt_u32(&c, 0x01500000);
	tt_u32(&c, 0x01500000);
	tt_pw_sessions(&c, "pw", NULL);
	tt_tpm2b(&c, kib, 1024);
	tt_u16(&c, 0);
	bench(t, "NV_Write 1 KiB (index password)", &c);

	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Read);
	tt_u32(&c, 0x01500000);
	tt_u32(&c, 0x01500000);
	tt_pw_sessions(&c, "pw", NULL);
	tt_u16(&c, 1024);
	tt_u16(&c, 0);
	bench(t, "NV_Read 1 KiB (index password)", &c);

	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
	tt_u32(&c, TPM_CAP_TPM_PROPERTIES);
	tt_u32(&c, PT_FIXED);
	tt_u32(&c, 100);
	bench(t, "GetCapability TPM_PROPERTIES", &c);

	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
	tt_u32(&c, TPM_CAP_COMMANDS);
	tt_u32(&c, 0);
	tt_u32(&c, 200);
	bench(t, "GetCapability COMMANDS", &c);

	{
		static uint8_t blob[1 << 17];
		double t0 = now_us();
		size_t n = 0;
		for (int i = 0; i < 200; i++)
			n = tpm2_state_save(t, tt_state_key, blob, sizeof blob);
		printf("%-34s %7.2f us per save (%zu bytes)\n", "state save", (now_us() - t0) / 200, n);
		t0 = now_us();
		for (int i = 0; i < 200; i++)
			tpm2_state_load(t, &tt_platform, tt_state_key, blob, n);
		printf("%-34s %7.2f us per load\n", "state load", (now_us() - t0) / 200);
	}
	free(t);
	return 0;
}
