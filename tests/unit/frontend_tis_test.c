/*
 * The TIS/FIFO front-end driven as Linux's tpm_tis and the PTP flows drive it (frontend_test.h),
 * with a fake HTPM that answers each command with a response derived from it, so that every
 * byte the guest reads back is checked.
 */
#include "frontend_test.h"

static struct tis T;
static int notified;

static void on_ready(void *arg)
{
	(void)arg;
	notified++;
}

static void fresh(uint16_t burst_max)
{
	struct tis_config cfg = { .command_ready = on_ready, .burst_max = burst_max };
	tis_init(&T, &cfg);
	notified = 0;
}

/* A command of len bytes: TPM_ST_NO_SESSIONS, size, code, then a pattern seeded by seed. */
static void make_command(uint8_t *cmd, size_t len, unsigned seed)
{
	cmd[0] = 0x80, cmd[1] = 0x01;
	cmd[2] = (uint8_t)(len >> 24), cmd[3] = (uint8_t)(len >> 16);
	cmd[4] = (uint8_t)(len >> 8), cmd[5] = (uint8_t)len;
	cmd[6] = 0, cmd[7] = 0, cmd[8] = 0x01, cmd[9] = 0x7B;   /* GetRandom's code */
	for (size_t i = 10; i < len; i++)
		cmd[i] = (uint8_t)(i * 7 + seed);
}

/* The fake HTPM: response = header (rc 0), the command's parameters reversed, then up to 3
 * more bytes (as many as fit the buffer), so responses differ from commands in length too. */
static size_t fake_response(const uint8_t *cmd, size_t len, uint8_t *rsp)
{
	size_t out = len + 3 > VTPM_FE_BUF_SIZE ? VTPM_FE_BUF_SIZE : len + 3;
	vtpm_fe_error_response(rsp, 0);
	rsp[2] = (uint8_t)(out >> 24), rsp[3] = (uint8_t)(out >> 16);
	rsp[4] = (uint8_t)(out >> 8), rsp[5] = (uint8_t)out;
	for (size_t i = 10; i < out; i++)
		rsp[i] = i < len ? cmd[len - 1 - (i - 10)] : (uint8_t)(0xA5 ^ i);
	return out;
}

/* The HTPM loop: take what is queued, answer it.  Returns the command's length or 0. */
static size_t serve(uint8_t *seen_locality)
{
	static uint8_t cmd[VTPM_FE_BUF_SIZE], rsp[VTPM_FE_BUF_SIZE];
	size_t len = tis_take_command(&T, cmd, sizeof(cmd), seen_locality);
	if (!len)
		return 0;
	size_t out = fake_response(cmd, len, rsp);
	if (tis_complete(&T, rsp, out))
		return 0;
	return len;
}

/* One full round trip at locality l; true if the guest read back exactly the fake response. */
static bool round_trip(int l, size_t len, unsigned width, bool xdata, const char *name)
{
	static uint8_t cmd[VTPM_FE_BUF_SIZE], rsp[VTPM_FE_BUF_SIZE], want[VTPM_FE_BUF_SIZE];
	make_command(cmd, len, (unsigned)len + width);
	int rc = drv_send(&T, l, cmd, len, width, xdata);
	if (!check(rc == 0, name, "send failed at step %d", rc))
		return false;
	if (!check(tis_get_state(&T) == TIS_EXECUTION && notified > 0, name,
	           "state %d notified %d after tpmGo", tis_get_state(&T), notified))
		return false;
	uint8_t loc = 0xFF;
	size_t taken = serve(&loc);
	if (!check(taken == len && loc == l, name, "HTPM saw %zu bytes at locality %u", taken, loc))
		return false;
	int got = drv_recv(&T, l, rsp, sizeof(rsp), width, xdata);
	size_t want_len = fake_response(cmd, len, want);
	return check(got == (int)want_len && memcmp(rsp, want, want_len) == 0, name,
	             "recv returned %d (want %zu) or bytes differ", got, want_len);
}

static void test_probe(void)
{
	fresh(0);
	check(tis_rd(&T, TIS_REG_DID_VID, 4) == (TIS_DID << 16 | TIS_VID), "tis probe: DID_VID",
	      "0x%llx", (unsigned long long)tis_rd(&T, TIS_REG_DID_VID, 4));
	check(tis_rd(&T, TIS_REG_DID_VID, 2) == TIS_VID && tis_rd(&T, TIS_REG_DID_VID + 2, 2) == TIS_DID,
	      "tis probe: VID and DID as 16-bit reads", "");
	check(tis_rd(&T, LOC(3) + TIS_REG_DID_VID, 4) == (TIS_DID << 16 | TIS_VID),
	      "tis probe: DID_VID in every locality", "");
	check(tis_rd(&T, TIS_REG_RID, 1) == TIS_RID, "tis probe: RID", "");
	uint32_t caps = (uint32_t)tis_rd(&T, TIS_REG_INTF_CAP, 4);
	check((caps & 0xFF) == 0 && (caps >> 28 & 7) == 3, "tis probe: INTF_CAPABILITY no interrupts, TIS 1.3/TPM2",
	      "0x%x", caps);
	uint32_t id = (uint32_t)tis_rd(&T, TIS_REG_INTERFACE_ID, 4);
	check((id & 0xF) == 0 && (id & 1u << 8) && (id & 1u << 13) && !(id & 1u << 14),
	      "tis probe: INTERFACE_ID FIFO, 5 localities, CapFIFO", "0x%x", id);
	uint8_t a = (uint8_t)tis_rd(&T, TIS_REG_ACCESS, 1);
	check(a == (TIS_ACCESS_VALID | TIS_ACCESS_ESTABLISHMENT), "tis probe: ACCESS valid, no locality",
	      "0x%x", a);
	check(tis_rd(&T, TIS_REG_STS, 4) == 0xFFFFFFFFu, "tis probe: STS of an inactive locality floats", "");
	check(drv_request_locality(&T, 0) && tis_active_locality(&T) == 0,
	      "tis probe: request locality 0", "");
	/* what tpm_tis_core_init does with INT_ENABLE: read, set the enables, write back */
	uint32_t mask = (uint32_t)tis_rd(&T, TIS_REG_INT_ENABLE, 4);
	mask |= 0x87;
	tis_wr(&T, TIS_REG_INT_ENABLE, 4, mask);
	check(tis_rd(&T, TIS_REG_INT_ENABLE, 4) == 0x87 && tis_rd(&T, TIS_REG_INT_STATUS, 4) == 0,
	      "tis probe: INT_ENABLE reads back, INT_STATUS stays 0", "");
	tis_wr(&T, TIS_REG_INT_ENABLE, 4, 0xFFFFFFFFu);
	check(tis_rd(&T, TIS_REG_INT_ENABLE, 4) == 0x8000009Fu, "tis: INT_ENABLE reserved bits stay 0", "");
	uint32_t sts = (uint32_t)tis_rd(&T, TIS_REG_STS, 4);
	check((sts & TIS_STS_VALID) && !(sts & 0x23) && (sts >> 26 & 3) == 1,
	      "tis probe: STS valid, read-zero bits clear, tpmFamily TPM 2.0", "0x%x", sts);
	drv_relinquish(&T, 0);
	check(tis_active_locality(&T) == -1 && !drv_check_locality(&T, 0),
	      "tis probe: relinquish locality 0", "");
}

static void test_round_trips(void)
{
	static const uint16_t bursts[] = { 0, 1, 7, 8, 64 };
	static const size_t lens[] = { 10, 11, 12, 64, 255, 4096 };
	char name[96];
	int pass = 0, total = 0;
	for (unsigned b = 0; b < sizeof(bursts) / sizeof(bursts[0]); b++)
		for (unsigned x = 0; x < 2; x++)
			for (unsigned w = 1; w <= (x ? 8u : 4u); w <<= 1)
				for (unsigned n = 0; n < sizeof(lens) / sizeof(lens[0]); n++) {
					fresh(bursts[b]);
					int l = (int)(n % 5);
					if (!drv_request_locality(&T, l))
						continue;
					snprintf(name, sizeof(name), "tis round trip: %s width %u burst_max %u len %zu",
					         x ? "XDATA" : "DATA", w, bursts[b], lens[n]);
					total++;
					pass += round_trip(l, lens[n], w, x, name);
					/* a second command on the same locality, as Linux does */
					total++;
					pass += round_trip(l, lens[n] > 10 ? lens[n] - 1 : 10, w, x, name);
				}
	check(total == 420 && pass == total, "tis round trips: all widths, bursts, localities",
	      "%d of %d", pass, total);
}

static void start_command(int l, const uint8_t *cmd, size_t n)
{
	drv_request_locality(&T, l);
	tis_wr(&T, LOC(l) + TIS_REG_STS, 1, TIS_STS_COMMAND_READY);
	drv_fifo_write(&T, l, cmd, n, 4, false);
}

static void test_expect_and_burst(void)
{
	uint8_t cmd[64];
	make_command(cmd, 20, 1);
	fresh(0);
	drv_request_locality(&T, 0);
	check(drv_status(&T, 0) == TIS_STS_VALID + TIS_STS_SELFTEST_DONE, "tis: Idle status", "0x%x", drv_status(&T, 0));
	tis_wr(&T, TIS_REG_STS, 1, TIS_STS_COMMAND_READY);
	check(tis_get_state(&T) == TIS_READY && drv_burstcount(&T, 0) == VTPM_FE_BUF_SIZE,
	      "tis: Ready, burstCount = buffer", "%u", drv_burstcount(&T, 0));
	check(tis_rd(&T, TIS_REG_STS + 1, 2) == VTPM_FE_BUF_SIZE, "tis: burstCount as an unaligned 16-bit read", "");
	tis_wr(&T, TIS_REG_STS, 1, TIS_STS_GO);
	check(tis_get_state(&T) == TIS_READY, "tis: tpmGo in Ready ignored", "");
	drv_fifo_write(&T, 0, cmd, 3, 1, false);
	check(tis_get_state(&T) == TIS_RECEPTION && (drv_status(&T, 0) & TIS_STS_EXPECT) &&
	      drv_burstcount(&T, 0) == VTPM_FE_BUF_SIZE - 3, "tis: Reception, Expect, burstCount shrinks", "");
	drv_fifo_write(&T, 0, cmd + 3, 16, 4, false);
	tis_wr(&T, TIS_REG_STS, 1, TIS_STS_GO);
	check(tis_get_state(&T) == TIS_RECEPTION && (drv_status(&T, 0) & TIS_STS_EXPECT),
	      "tis: tpmGo with one byte missing ignored", "");
	drv_fifo_write(&T, 0, cmd + 19, 1, 1, false);
	check(!(drv_status(&T, 0) & TIS_STS_EXPECT) && drv_burstcount(&T, 0) == 0,
	      "tis: last byte clears Expect and burstCount", "");
	drv_fifo_write(&T, 0, cmd, 8, 4, false);   /* bytes beyond commandSize */
	tis_wr(&T, TIS_REG_STS, 4, TIS_STS_GO);
	uint8_t got[64];
	check(tis_take_command(&T, got, 19, NULL) == 0, "tis: take refuses a too small buffer", "");
	check(tis_take_command(&T, got, sizeof(got), NULL) == 20 && memcmp(got, cmd, 20) == 0,
	      "tis: extra bytes dropped, command intact", "");
	check(tis_take_command(&T, got, sizeof(got), NULL) == 0, "tis: a command is taken once", "");
	uint8_t rsp[10];
	vtpm_fe_error_response(rsp, 0);
	tis_complete(&T, rsp, 10);
	check(tis_complete(&T, rsp, 10) == -1, "tis: complete without a taken command refused", "");
	check(drv_status(&T, 0) == (TIS_STS_VALID | TIS_STS_DATA_AVAIL | TIS_STS_SELFTEST_DONE) &&
	      drv_burstcount(&T, 0) == 10, "tis: Completion, dataAvail, burstCount = response", "");
	drv_fifo_write(&T, 0, cmd, 4, 4, false);
	uint8_t r[12];
	drv_fifo_read(&T, 0, r, 6, 2, false);
	tis_wr(&T, TIS_REG_STS, 1, TIS_STS_RESPONSE_RETRY);
	drv_fifo_read(&T, 0, r, 12, 4, false);
	check(memcmp(r, rsp, 10) == 0 && r[10] == 0xFF && r[11] == 0xFF,
	      "tis: responseRetry rewinds; FIFO writes in Completion dropped; reads past the end 0xFF", "");
	check(!(drv_status(&T, 0) & TIS_STS_DATA_AVAIL), "tis: dataAvail clear once read", "");
	tis_wr(&T, TIS_REG_STS, 1, TIS_STS_COMMAND_READY);
	check(tis_get_state(&T) == TIS_READY, "tis: commandReady in Completion goes to Ready", "");
	/* several command bits at once: ignored */
	tis_wr(&T, TIS_REG_STS, 1, TIS_STS_COMMAND_READY | TIS_STS_GO);
	check(tis_get_state(&T) == TIS_READY, "tis: two STS command bits at once ignored", "");
	/* read-only registers */
	tis_wr(&T, TIS_REG_DID_VID, 4, 0);
	tis_wr(&T, TIS_REG_INTF_CAP, 4, 0xFFFFFFFF);
	tis_wr(&T, TIS_REG_INTERFACE_ID, 4, 0xFFFFFFFF);
	tis_wr(&T, TIS_REG_STS + 1, 2, 0);
	check(tis_rd(&T, TIS_REG_DID_VID, 4) == (TIS_DID << 16 | TIS_VID) &&
	      tis_rd(&T, TIS_REG_INTF_CAP, 4) == TIS_INTF_CAPABILITY &&
	      tis_rd(&T, TIS_REG_INTERFACE_ID, 4) == TIS_INTERFACE_ID &&
	      drv_burstcount(&T, 0) == VTPM_FE_BUF_SIZE, "tis: read-only registers ignore writes", "");
	check(tis_rd(&T, 0x40, 8) == ~(uint64_t)0 && tis_rd(&T, 0x1C, 4) == 0xFFFFFFFFu,
	      "tis: missing registers read all ones", "");
	check(fe_bad_access == 0, "tis: every in-window access accepted", "%d", fe_bad_access);
}

static void test_bad_commands(void)
{
	uint8_t cmd[16], got[16];
	/* commandSize larger than the buffer */
	make_command(cmd, 16, 2);
	cmd[2] = 0, cmd[3] = 0, cmd[4] = 0x20, cmd[5] = 0;
	fresh(0);
	start_command(0, cmd, 6);
	check(!(drv_status(&T, 0) & TIS_STS_EXPECT), "tis: oversized commandSize stops Expect", "");
	drv_fifo_write(&T, 0, cmd, 16, 4, false);
	tis_wr(&T, TIS_REG_STS, 1, TIS_STS_GO);
	check(tis_get_state(&T) == TIS_COMPLETION && notified == 0 &&
	      tis_take_command(&T, got, sizeof(got), NULL) == 0, "tis: oversized command never reaches the HTPM", "");
	drv_fifo_read(&T, 0, got, 10, 4, false);
	check(vtpm_fe_be32(got + 6) == VTPM_FE_RC_COMMAND_SIZE, "tis: oversized command answered TPM_RC_COMMAND_SIZE", "");
	/* commandSize below the header */
	cmd[4] = 0, cmd[5] = 9;
	fresh(0);
	start_command(0, cmd, 6);
	tis_wr(&T, TIS_REG_STS, 1, TIS_STS_GO);
	drv_fifo_read(&T, 0, got, 10, 1, false);
	check(vtpm_fe_be32(got + 6) == VTPM_FE_RC_COMMAND_SIZE, "tis: commandSize 9 answered TPM_RC_COMMAND_SIZE", "");
	/* a guest that writes 5000 bytes for a 4096-byte command */
	static uint8_t big[5000];
	make_command(big, 4096, 3);
	fresh(0);
	start_command(0, big, sizeof(big));
	tis_wr(&T, TIS_REG_STS, 1, TIS_STS_GO);
	static uint8_t tk[VTPM_FE_BUF_SIZE];
	check(tis_take_command(&T, tk, sizeof(tk), NULL) == 4096 && memcmp(tk, big, 4096) == 0,
	      "tis: writes past the buffer dropped", "");
	/* the HTPM delivers nonsense */
	uint8_t rsp[12] = { 0x80, 1, 0, 0, 0, 12 };
	tis_complete(&T, rsp, 11);
	drv_fifo_read(&T, 0, got, 10, 4, false);
	check(vtpm_fe_be32(got + 6) == VTPM_FE_RC_FAILURE, "tis: inconsistent response replaced by TPM_RC_FAILURE", "");
}

static void test_cancel_abort(void)
{
	uint8_t cmd[12], got[16], rsp[10];
	make_command(cmd, 12, 4);
	vtpm_fe_error_response(rsp, 0);
	/* commandCancel before the HTPM took it */
	fresh(0);
	start_command(0, cmd, 12);
	tis_wr(&T, TIS_REG_STS, 1, TIS_STS_GO);
	tis_wr(&T, TIS_REG_STS, 4, TIS_STS_CANCEL);
	check(tis_take_command(&T, got, sizeof(got), NULL) == 0 && tis_get_state(&T) == TIS_COMPLETION,
	      "tis: cancel before take withdraws the command", "");
	drv_fifo_read(&T, 0, got, 10, 4, false);
	check(vtpm_fe_be32(got + 6) == VTPM_FE_RC_CANCELED, "tis: ... answered TPM_RC_CANCELED", "");
	/* commandCancel while the engine runs it */
	fresh(0);
	start_command(0, cmd, 12);
	tis_wr(&T, TIS_REG_STS, 1, TIS_STS_GO);
	tis_take_command(&T, got, sizeof(got), NULL);
	check(!tis_cancel_requested(&T), "tis: no cancel requested", "");
	tis_wr(&T, TIS_REG_STS + 3, 1, TIS_STS_CANCEL >> 24);
	check(tis_cancel_requested(&T) && tis_get_state(&T) == TIS_EXECUTION,
	      "tis: cancel during execution reported to the HTPM", "");
	tis_complete(&T, rsp, 10);
	check(!tis_cancel_requested(&T) && tis_get_state(&T) == TIS_COMPLETION, "tis: response after cancel delivered", "");
	/* commandReady during execution: abort; the late response is dropped */
	fresh(0);
	start_command(0, cmd, 12);
	tis_wr(&T, TIS_REG_STS, 1, TIS_STS_GO);
	tis_take_command(&T, got, sizeof(got), NULL);
	tis_wr(&T, TIS_REG_STS, 1, TIS_STS_COMMAND_READY);
	check(tis_get_state(&T) == TIS_IDLE, "tis: commandReady in Execution aborts to Idle", "");
	drv_fifo_write(&T, 0, cmd, 4, 4, false);
	tis_wr(&T, TIS_REG_STS, 1, TIS_STS_COMMAND_READY);
	check(tis_get_state(&T) == TIS_IDLE && !(drv_status(&T, 0) & TIS_STS_COMMAND_READY),
	      "tis: no new command while the aborted one is with the HTPM", "");
	tis_complete(&T, rsp, 10);
	check(tis_get_state(&T) == TIS_READY && !(drv_status(&T, 0) & TIS_STS_DATA_AVAIL),
	      "tis: aborted command's response dropped, then Ready", "");
	/* abort before the HTPM took it: Ready at once, nothing left queued */
	start_command(0, cmd, 12);
	tis_wr(&T, TIS_REG_STS, 1, TIS_STS_GO);
	tis_wr(&T, TIS_REG_STS, 1, TIS_STS_COMMAND_READY);
	check(tis_get_state(&T) == TIS_READY && tis_take_command(&T, got, sizeof(got), NULL) == 0,
	      "tis: commandReady before take withdraws the command, Ready", "");
	/* commandReady during reception */
	start_command(0, cmd, 7);
	tis_wr(&T, TIS_REG_STS, 1, TIS_STS_COMMAND_READY);
	check(tis_get_state(&T) == TIS_READY && drv_burstcount(&T, 0) == VTPM_FE_BUF_SIZE,
	      "tis: commandReady in Reception aborts to an empty Ready", "");
	check(round_trip(0, 30, 4, false, "tis: a full command after the aborts"), "tis: recovery", "");
}

static void test_localities(void)
{
	uint8_t cmd[12], got[12];
	make_command(cmd, 12, 5);
	fresh(0);
	check(drv_request_locality(&T, 0), "tis loc: 0 granted when free", "");
	tis_wr(&T, LOC(2) + TIS_REG_ACCESS, 1, TIS_ACCESS_REQUEST_USE);
	tis_wr(&T, LOC(1) + TIS_REG_ACCESS, 1, TIS_ACCESS_REQUEST_USE);
	uint8_t a0 = (uint8_t)tis_rd(&T, LOC(0) + TIS_REG_ACCESS, 1);
	uint8_t a2 = (uint8_t)tis_rd(&T, LOC(2) + TIS_REG_ACCESS, 1);
	check((a0 & TIS_ACCESS_PENDING) && (a0 & TIS_ACCESS_ACTIVE) && (a2 & TIS_ACCESS_REQUEST_USE) &&
	      !(a2 & TIS_ACCESS_ACTIVE) && !drv_check_locality(&T, 2),
	      "tis loc: requests queue behind the active one", "a0 0x%x a2 0x%x", a0, a2);
	/* the waiting locality cannot drive the interface */
	tis_wr(&T, LOC(2) + TIS_REG_STS, 1, TIS_STS_COMMAND_READY);
	tis_wr(&T, LOC(2) + TIS_REG_DATA_FIFO, 4, 0x01020380);
	tis_wr(&T, LOC(2) + TIS_REG_INT_ENABLE, 4, 0x80000001);
	check(tis_get_state(&T) == TIS_IDLE && tis_rd(&T, LOC(2) + TIS_REG_INT_ENABLE, 4) == 0 &&
	      tis_rd(&T, LOC(2) + TIS_REG_DATA_FIFO, 4) == 0xFFFFFFFFu,
	      "tis loc: an inactive locality's STS/FIFO/INT_ENABLE writes ignored", "");
	drv_relinquish(&T, 0);
	check(tis_active_locality(&T) == 2, "tis loc: relinquish grants the highest request", "%d", tis_active_locality(&T));
	tis_wr(&T, LOC(1) + TIS_REG_ACCESS, 1, TIS_ACCESS_ACTIVE);
	drv_relinquish(&T, 2);
	check(tis_active_locality(&T) == -1, "tis loc: a withdrawn request is not granted", "");
	/* seize */
	drv_request_locality(&T, 1);
	start_command(1, cmd, 7);
	tis_wr(&T, LOC(0) + TIS_REG_ACCESS, 1, TIS_ACCESS_SEIZE);
	check(tis_active_locality(&T) == 1, "tis loc: a lower locality cannot seize", "");
	tis_wr(&T, LOC(3) + TIS_REG_ACCESS, 1, TIS_ACCESS_SEIZE);
	uint8_t a1 = (uint8_t)tis_rd(&T, LOC(1) + TIS_REG_ACCESS, 1);
	check(tis_active_locality(&T) == 3 && (a1 & TIS_ACCESS_BEEN_SEIZED) && !(a1 & TIS_ACCESS_ACTIVE) &&
	      tis_get_state(&T) == TIS_IDLE, "tis loc: seize by a higher locality, beenSeized, command aborted", "a1 0x%x", a1);
	tis_wr(&T, LOC(1) + TIS_REG_ACCESS, 1, TIS_ACCESS_BEEN_SEIZED);
	check(!(tis_rd(&T, LOC(1) + TIS_REG_ACCESS, 1) & TIS_ACCESS_BEEN_SEIZED), "tis loc: beenSeized cleared by writing 1", "");
	tis_wr(&T, LOC(4) + TIS_REG_ACCESS, 1, TIS_ACCESS_SEIZE | TIS_ACCESS_REQUEST_USE);
	check(tis_active_locality(&T) == 3, "tis loc: two ACCESS command bits at once ignored", "");
	/* a seize during execution abandons the command; its response never shows */
	start_command(3, cmd, 12);
	tis_wr(&T, LOC(3) + TIS_REG_STS, 1, TIS_STS_GO);
	tis_take_command(&T, got, sizeof(got), NULL);
	tis_wr(&T, LOC(4) + TIS_REG_ACCESS, 1, TIS_ACCESS_SEIZE);
	uint8_t rsp[10];
	vtpm_fe_error_response(rsp, 0);
	tis_complete(&T, rsp, 10);
	check(tis_active_locality(&T) == 4 && tis_get_state(&T) == TIS_IDLE &&
	      !(drv_status(&T, 4) & TIS_STS_DATA_AVAIL), "tis loc: seized command's response dropped", "");
	check(round_trip(4, 40, 2, false, "tis loc: locality 4 works after the seize"), "tis loc: after seize", "");
	tis_reset(&T);
	check(tis_active_locality(&T) == -1 && tis_get_state(&T) == TIS_IDLE, "tis: reset releases everything", "");
}

/* The guest's TIS in the hypervisor: localities 3 and 4 are the platform's, never granted. */
static void test_locality_limit(void)
{
	struct tis_config cfg = { .command_ready = on_ready, .locality_limit = 3 };
	tis_init(&T, &cfg);
	notified = 0;
	for (int l = 3; l <= 4; l++) {
		tis_wr(&T, LOC(l) + TIS_REG_ACCESS, 1, TIS_ACCESS_REQUEST_USE);
		bool refused = tis_active_locality(&T) == -1 &&
		               tis_rd(&T, LOC(l) + TIS_REG_ACCESS, 1) == (TIS_ACCESS_VALID | TIS_ACCESS_ESTABLISHMENT) &&
		               tis_rd(&T, LOC(l) + TIS_REG_STS, 4) == 0xFFFFFFFFu;
		tis_wr(&T, LOC(l) + TIS_REG_ACCESS, 1, TIS_ACCESS_SEIZE);
		refused = refused && tis_active_locality(&T) == -1;
		check(refused, l == 3 ? "tis limit: locality 3 never granted (requestUse, seize)"
		                      : "tis limit: locality 4 never granted (requestUse, seize)", "");
	}
	check(drv_request_locality(&T, 2) && round_trip(2, 64, 4, false, "tis limit: locality 2 works"),
	      "tis limit: locality 2 granted", "");
	drv_relinquish(&T, 2);
	check(drv_request_locality(&T, 0) && round_trip(0, 30, 1, true, "tis limit: locality 0 works"),
	      "tis limit: locality 0 granted", "");
	tis_wr(&T, LOC(4) + TIS_REG_ACCESS, 1, TIS_ACCESS_SEIZE);
	tis_wr(&T, LOC(3) + TIS_REG_ACCESS, 1, TIS_ACCESS_REQUEST_USE);
	check(tis_active_locality(&T) == 0 && !(tis_rd(&T, LOC(0) + TIS_REG_ACCESS, 1) & TIS_ACCESS_PENDING) &&
	      !(tis_rd(&T, LOC(0) + TIS_REG_ACCESS, 1) & TIS_ACCESS_BEEN_SEIZED),
	      "tis limit: locality 4 cannot seize 0, locality 3 leaves no pending request", "");
	uint8_t cmd[12];
	make_command(cmd, sizeof cmd, 3);
	check(drv_send(&T, 3, cmd, sizeof cmd, 1, false) != 0 && serve(NULL) == 0,
	      "tis limit: a command at locality 3 never reaches the HTPM", "");
}

static void test_bad_accesses(void)
{
	fresh(0);
	uint64_t v = 0;
	check(tis_mmio_read(&T, 0, 3, &v) == -1 && v == ~(uint64_t)0, "tis: 3-byte read refused", "");
	check(tis_mmio_read(&T, 0, 16, &v) == -1, "tis: 16-byte read refused", "");
	check(tis_mmio_write(&T, 0, 0, 0) == -1, "tis: 0-byte write refused", "");
	check(tis_mmio_read(&T, 0x4FFC, 8, &v) == -1 && tis_mmio_write(&T, 0x5000, 1, 0) == -1 &&
	      tis_mmio_read(&T, ~(uint64_t)0, 1, &v) == -1, "tis: accesses beyond the window refused", "");
	check(tis_mmio_read(&T, 0x4FF8, 8, &v) == 0, "tis: the last 8 bytes of the window are fine", "");
	drv_request_locality(&T, 0);
	/* an 8-byte read straddling STS and the bytes after: STS bytes, then 0xFF */
	v = tis_rd(&T, TIS_REG_STS, 8);
	check((uint32_t)v == (uint32_t)tis_rd(&T, TIS_REG_STS, 4) && v >> 32 == 0xFFFFFFFFu,
	      "tis: a read over two registers returns each one's bytes", "0x%llx", (unsigned long long)v);
}

int main(void)
{
	test_probe();
	test_round_trips();
	test_expect_and_burst();
	test_bad_commands();
	test_cancel_abort();
	test_localities();
	test_locality_limit();
	test_bad_accesses();
	return check_exit();
}
