/* Benchmark of the vTPM front-ends (make bench): the host-side cost of one MMIO access and of a
 * whole Linux-style command round trip through the TIS and the CRB (fake HTPM, no engine), i.e.
 * what the front-end adds to each VM exit.  Optimised build, no sanitizers.  Never fails. */
#define _GNU_SOURCE
#include "frontend_test.h"
#include <stdio.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint8_t cmd[VTPM_FE_BUF_SIZE], rsp[VTPM_FE_BUF_SIZE], got[VTPM_FE_BUF_SIZE];

static void make_command(size_t len)
{
	cmd[0] = 0x80, cmd[1] = 0x01;
	cmd[2] = 0, cmd[3] = 0, cmd[4] = (uint8_t)(len >> 8), cmd[5] = (uint8_t)len;
	for (size_t i = 6; i < len; i++)
		cmd[i] = (uint8_t)i;
}

static double tis_round_trip(struct tis *t, size_t len, unsigned iters)
{
	make_command(len);
	drv_request_locality(t, 0);
	double t0 = now();
	for (unsigned i = 0; i < iters; i++) {
		drv_send(t, 0, cmd, len, 4, false);
		size_t n = tis_take_command(t, got, sizeof(got), NULL);
		tis_complete(t, got, n);   /* echo */
		drv_recv(t, 0, rsp, sizeof(rsp), 1, false);
	}
	return (now() - t0) / iters;
}

static double crb_round_trip(struct crb *c, size_t len, unsigned iters)
{
	make_command(len);
	double t0 = now();
	for (unsigned i = 0; i < iters; i++) {
		crbdrv_request_locality(c);
		crbdrv_cmd_ready(c);
		crbdrv_copy_to(c, CRB_DATA_BUFFER, cmd, len, 8);
		crb_wr(c, CRB_REG_CTRL_START, 4, 1);
		size_t n = crb_take_command(c, got, sizeof(got), NULL);
		crb_complete(c, got, n);
		crbdrv_copy_from(c, CRB_DATA_BUFFER, rsp, len, 8);
		crbdrv_go_idle(c);
		crbdrv_relinquish(c);
	}
	return (now() - t0) / iters;
}

int main(void)
{
	static struct tis t;
	static struct crb c;
	struct crb_config cfg;
	tis_init(&t, NULL);
	crb_config_in_window(&cfg, 0xFED40000);
	crb_init(&c, &cfg);
	printf("%-52s %8s %9s %10s\n", "vTPM front-end (host, -O2)", "us/cmd", "accesses", "ns/access");
	static const size_t lens[] = { 12, 256, 4096 };
	for (unsigned i = 0; i < 3; i++) {
		unsigned long a0 = fe_accesses;
		double s = tis_round_trip(&t, lens[i], 2000);
		double per = (double)(fe_accesses - a0) / 2000;
		printf("TIS %4zu-byte cmd+rsp (4-byte writes, 1-byte reads) %8.2f %9.0f %10.1f\n", lens[i],
		       s * 1e6, per, s * 1e9 / per);
		a0 = fe_accesses;
		s = crb_round_trip(&c, lens[i] > 0xF80 ? 0xF80 : lens[i], 2000);
		per = (double)(fe_accesses - a0) / 2000;
		printf("CRB %4zu-byte cmd+rsp (8-byte copies)               %8.2f %9.0f %10.1f\n",
		       lens[i] > 0xF80 ? (size_t)0xF80 : lens[i], s * 1e6, per, s * 1e9 / per);
	}
	return fe_bad_access ? 1 : 0;
}
