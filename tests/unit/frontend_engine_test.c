/*
 * The TIS and CRB front-ends in front of the real TPM 2.0 engine (public API only, tpm2.h):
 * a Linux-style driver sends what Linux sends when it probes (GetCapability, SelfTest,
 * Startup(CLEAR), SelfTest, GetCapability(COMMANDS)), GetRandom(16) and Shutdown through the
 * FIFO (GetRandom also through the CRB buffer), and an HTPM loop moves each command from the front-end into
 * tpm2_execute and the response back with *_complete, as the hypervisor's HTPM will.
 */
#include "frontend_test.h"
#include "tpm2.h"
#include <stdlib.h>

static uint64_t now_ms(void *ctx)
{
	(void)ctx;
	return 1000;
}

static void entropy(void *ctx, uint8_t *buf, size_t len)
{
	static uint32_t x = 0x12345678;
	(void)ctx;
	for (size_t i = 0; i < len; i++) {   /* xorshift: test entropy only */
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
}

static struct tpm2 *new_tpm(void)
{
	static const struct tpm2_platform plat = { entropy, now_ms, NULL };
	struct tpm2 *t = calloc(1, tpm2_instance_size());
	struct tpm2_seeds seeds;
	for (unsigned i = 0; i < TPM2_SEED_SIZE; i++)
		seeds.eps[i] = (uint8_t)i, seeds.pps[i] = (uint8_t)(i + 1), seeds.sps[i] = (uint8_t)(i + 2);
	tpm2_manufacture(t, &plat, &seeds);
	tpm2_power_on(t);
	return t;
}

/* What Linux sends while probing (tpm2_probe, tpm2_auto_startup; docs/vtpm-frontends.md). */
static const uint8_t get_cap_total_commands[22] = { 0x80, 0x01, 0, 0, 0, 22, 0, 0, 0x01, 0x7A,
                                                    0, 0, 0, 6, 0, 0, 0x01, 0x29, 0, 0, 0, 1 };
static const uint8_t get_cap_commands[22] = { 0x80, 0x01, 0, 0, 0, 22, 0, 0, 0x01, 0x7A,
                                              0, 0, 0, 2, 0, 0, 0x01, 0x1F, 0, 0, 0, 0x40 };
static const uint8_t self_test_full[11] = { 0x80, 0x01, 0, 0, 0, 11, 0, 0, 0x01, 0x43, 1 };
static const uint8_t shutdown_clear[12] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x45, 0, 0 };
static const uint8_t startup_clear[12] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0 };
static const uint8_t get_random_16[12] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0, 16 };

static uint8_t htpm_cmd[TPM2_MAX_COMMAND_SIZE], htpm_rsp[TPM2_MAX_RESPONSE_SIZE];

static bool htpm_serve_tis(struct tpm2 *tpm, struct tis *t)
{
	uint8_t loc;
	size_t n = tis_take_command(t, htpm_cmd, sizeof(htpm_cmd), &loc);
	if (!n)
		return false;
	size_t out = tpm2_execute(tpm, loc, htpm_cmd, n, htpm_rsp, sizeof(htpm_rsp));
	return tis_complete(t, htpm_rsp, out) == 0;
}

static bool htpm_serve_crb(struct tpm2 *tpm, struct crb *c)
{
	uint8_t loc;
	size_t n = crb_take_command(c, htpm_cmd, sizeof(htpm_cmd), &loc);
	if (!n)
		return false;
	size_t out = tpm2_execute(tpm, loc, htpm_cmd, n, htpm_rsp, sizeof(htpm_rsp));
	return crb_complete(c, htpm_rsp, out) == 0;
}

/* One command through the TIS; returns the response length or a negative step. */
static int tis_transmit(struct tpm2 *tpm, struct tis *t, const uint8_t *cmd, size_t len,
                        uint8_t *rsp, size_t max)
{
	if (!drv_request_locality(t, 0))
		return -100;
	int rc = drv_send(t, 0, cmd, len, 4, false);
	if (rc)
		return rc;
	if (!htpm_serve_tis(tpm, t))
		return -101;
	rc = drv_recv(t, 0, rsp, max, 1, false);
	drv_relinquish(t, 0);
	return rc;
}

static int crb_transmit(struct tpm2 *tpm, struct crb *c, const uint8_t *cmd, size_t len,
                        uint8_t *rsp, size_t max)
{
	if (!crbdrv_request_locality(c) || !crbdrv_cmd_ready(c))
		return -100;
	crb_wr(c, CRB_REG_CTRL_CANCEL, 4, 0);
	crbdrv_copy_to(c, CRB_DATA_BUFFER, cmd, len, 8);
	crb_wr(c, CRB_REG_CTRL_START, 4, CRB_START_INVOKE);
	if (!htpm_serve_crb(tpm, c) || crb_rd(c, CRB_REG_CTRL_START, 4))
		return -101;
	crbdrv_copy_from(c, CRB_DATA_BUFFER, rsp, 8, 8);
	size_t n = vtpm_fe_be32(rsp + 2);
	if (n < 10 || n > max)
		return -102;
	crbdrv_copy_from(c, CRB_DATA_BUFFER + 8, rsp + 8, n - 8, 4);
	if (!crbdrv_go_idle(c) || !crbdrv_relinquish(c))
		return -103;
	return (int)n;
}

static bool random_looks_random(const uint8_t *p, size_t n)
{
	unsigned zero = 0;
	for (size_t i = 0; i < n; i++)
		zero += p[i] == 0;
	return zero < n / 2;
}

int main(void)
{
	static struct tis t;
	static struct crb c;
	uint8_t rsp[64], first[16];
	static uint8_t big[TPM2_MAX_RESPONSE_SIZE];
	struct tpm2 *tpm = new_tpm();
	tis_init(&t, NULL);

	/* Linux's probe: GetCapability before Startup decides "TPM 2.0" by the response tag alone */
	int n = tis_transmit(tpm, &t, get_cap_total_commands, sizeof(get_cap_total_commands), big, sizeof(big));
	check(n >= 10 && big[0] == 0x80 && big[1] == 0x01 && vtpm_fe_be32(big + 6) == 0x100,
	      "engine via tis: probe GetCapability before Startup: TPM_ST_NO_SESSIONS, TPM_RC_INITIALIZE",
	      "n %d", n);
	n = tis_transmit(tpm, &t, self_test_full, sizeof(self_test_full), rsp, sizeof(rsp));
	check(n == 10 && vtpm_fe_be32(rsp + 6) == 0x100, "engine via tis: SelfTest before Startup: TPM_RC_INITIALIZE",
	      "n %d", n);
	n = tis_transmit(tpm, &t, startup_clear, sizeof(startup_clear), rsp, sizeof(rsp));
	check(n == 10 && vtpm_fe_be32(rsp + 6) == 0, "engine via tis: Startup(CLEAR) succeeds",
	      "n %d rc 0x%x", n, n >= 10 ? vtpm_fe_be32(rsp + 6) : 0);
	n = tis_transmit(tpm, &t, self_test_full, sizeof(self_test_full), rsp, sizeof(rsp));
	check(n == 10 && vtpm_fe_be32(rsp + 6) == 0, "engine via tis: SelfTest succeeds", "n %d", n);
	n = tis_transmit(tpm, &t, get_cap_commands, sizeof(get_cap_commands), big, sizeof(big));
	check(n > 100 && vtpm_fe_be32(big + 6) == 0 && (size_t)n == vtpm_fe_be32(big + 2),
	      "engine via tis: GetCapability(COMMANDS) succeeds with a long response", "n %d", n);
	unsigned long before = fe_accesses;
	n = tis_transmit(tpm, &t, get_random_16, sizeof(get_random_16), rsp, sizeof(rsp));
	unsigned long tis_exits = fe_accesses - before;
	check(n == 28 && vtpm_fe_be32(rsp + 6) == 0 && rsp[10] == 0 && rsp[11] == 16 &&
	      random_looks_random(rsp + 12, 16), "engine via tis: GetRandom(16) returns 16 bytes",
	      "n %d rc 0x%x", n, n >= 10 ? vtpm_fe_be32(rsp + 6) : 0);
	memcpy(first, rsp + 12, 16);
	n = tis_transmit(tpm, &t, startup_clear, sizeof(startup_clear), rsp, sizeof(rsp));
	check(n == 10 && vtpm_fe_be32(rsp + 6) == 0x100, "engine via tis: a second Startup is TPM_RC_INITIALIZE",
	      "n %d rc 0x%x", n, n >= 10 ? vtpm_fe_be32(rsp + 6) : 0);

	struct crb_config cfg;
	crb_config_in_window(&cfg, 0xFED40000);
	crb_init(&c, &cfg);
	before = fe_accesses;
	n = crb_transmit(tpm, &c, get_random_16, sizeof(get_random_16), rsp, sizeof(rsp));
	unsigned long crb_exits = fe_accesses - before;
	check(n == 28 && vtpm_fe_be32(rsp + 6) == 0 && rsp[11] == 16 && memcmp(rsp + 12, first, 16) != 0,
	      "engine via crb: GetRandom(16) returns fresh bytes", "n %d", n);
	/* Every access is a VM exit: Linux's byte-wide FIFO with burstCount = all free space costs
	 * about one exit per byte plus ~20; the CRB with 8-byte copies far fewer.  Guard both. */
	printf("# GetRandom(16): %lu MMIO accesses through the TIS (1-byte FIFO reads, 4-byte writes), "
	       "%lu through the CRB (8-byte copies)\n", tis_exits, crb_exits);
	check(tis_exits <= 12 / 4 + 1 + 28 + 24, "engine: TIS round trip within 56 accesses", "%lu", tis_exits);
	check(crb_exits <= 24, "engine: CRB round trip within 24 accesses", "%lu", crb_exits);
	n = tis_transmit(tpm, &t, shutdown_clear, sizeof(shutdown_clear), rsp, sizeof(rsp));
	check(n == 10 && vtpm_fe_be32(rsp + 6) == 0, "engine via tis: Shutdown(CLEAR) at poweroff", "n %d", n);
	check(fe_bad_access == 0, "engine: every access accepted", "%d", fe_bad_access);
	free(tpm);
	return check_exit();
}
