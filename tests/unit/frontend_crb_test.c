/*
 * The CRB front-end driven as Linux's tpm_crb and the PTP CRB flows drive it (frontend_test.h):
 * locality request, cmdReady, buffer discovery, command through the buffer with every access
 * width, START, the response, goIdle, relinquish; cancel, abuse, and a buffer outside the window.
 */
#include "frontend_test.h"

#define WINDOW 0xFED40000ull

static struct crb C;
static int notified;

static void on_ready(void *arg)
{
	(void)arg;
	notified++;
}

static void fresh(void)
{
	struct crb_config cfg;
	crb_config_in_window(&cfg, WINDOW);
	cfg.command_ready = on_ready;
	crb_init(&C, &cfg);
	notified = 0;
}

static void make_command(uint8_t *cmd, size_t len, unsigned seed)
{
	cmd[0] = 0x80, cmd[1] = 0x01;
	cmd[2] = (uint8_t)(len >> 24), cmd[3] = (uint8_t)(len >> 16);
	cmd[4] = (uint8_t)(len >> 8), cmd[5] = (uint8_t)len;
	cmd[6] = 0, cmd[7] = 0, cmd[8] = 0x01, cmd[9] = 0x7B;
	for (size_t i = 10; i < len; i++)
		cmd[i] = (uint8_t)(i * 13 + seed);
}

/* Fake HTPM: the response is the command with rc 0 and its parameters bit-inverted. */
static bool serve(void)
{
	static uint8_t cmd[VTPM_FE_BUF_SIZE];
	uint8_t loc = 0xFF;
	size_t len = crb_take_command(&C, cmd, sizeof(cmd), &loc);
	if (!len || loc != 0)
		return false;
	memset(cmd + 6, 0, 4);
	for (size_t i = 10; i < len; i++)
		cmd[i] = (uint8_t)~cmd[i];
	return crb_complete(&C, cmd, len) == 0;
}

static bool linux_command(size_t len, unsigned width, const char *name)
{
	static uint8_t cmd[VTPM_FE_BUF_SIZE], rsp[VTPM_FE_BUF_SIZE];
	make_command(cmd, len, width);
	if (!check(crbdrv_request_locality(&C) && crbdrv_cmd_ready(&C), name, "locality/cmdReady"))
		return false;
	uint64_t cmd_pa = crb_rd(&C, CRB_REG_CMD_HADDR, 4) << 32 | crb_rd(&C, CRB_REG_CMD_LADDR, 4);
	uint64_t rsp_pa = crb_rd(&C, CRB_REG_RSP_ADDR, 8);
	uint32_t cmd_size = (uint32_t)crb_rd(&C, CRB_REG_CMD_SIZE, 4);
	if (!check(cmd_pa == rsp_pa && cmd_pa >= WINDOW && len <= cmd_size, name, "buffer discovery"))
		return false;
	uint64_t off = cmd_pa - WINDOW;
	crb_wr(&C, CRB_REG_CTRL_CANCEL, 4, 0);
	crbdrv_copy_to(&C, off, cmd, len, width);
	crb_wr(&C, CRB_REG_CTRL_START, 4, CRB_START_INVOKE);
	if (!check(crb_rd(&C, CRB_REG_CTRL_START, 4) == CRB_START_INVOKE && notified, name, "START not pending"))
		return false;
	if (!check(serve(), name, "HTPM got no command"))
		return false;
	if (!check(crb_rd(&C, CRB_REG_CTRL_START, 4) == 0, name, "START not cleared"))
		return false;
	crbdrv_copy_from(&C, off, rsp, 8, width);
	size_t expected = vtpm_fe_be32(rsp + 2);
	if (!check(expected == len, name, "response size %zu", expected))
		return false;
	crbdrv_copy_from(&C, off + 8, rsp + 8, expected - 8, width);
	bool same = vtpm_fe_be32(rsp + 6) == 0;
	for (size_t i = 10; i < len; i++)
		same &= rsp[i] == (uint8_t)~cmd[i];
	return check(same && !(crb_rd(&C, CRB_REG_CTRL_STS, 4) & CRB_CTRL_STS_ERROR) &&
	             crbdrv_go_idle(&C) && crbdrv_relinquish(&C), name, "response bytes or idle/relinquish");
}

static void test_probe(void)
{
	fresh();
	uint64_t id = crb_rd(&C, CRB_REG_INTF_ID, 8);
	check((id & 0xF) == 1 && (id & 1u << 14) && !(id & 1u << 13) && !(id & 1u << 8) &&
	      (id >> 17 & 3) == 1 && (id >> 32) == (CRB_DID << 16 | CRB_VID),
	      "crb probe: INTF_ID CRB, locality 0 only, VID/DID", "0x%llx", (unsigned long long)id);
	check(crb_rd(&C, CRB_REG_LOC_STATE, 4) == (CRB_LOC_STATE_VALID | CRB_LOC_STATE_ESTABLISHED),
	      "crb probe: LOC_STATE valid, unassigned", "");
	check(crb_rd(&C, CRB_REG_CTRL_STS, 4) == CRB_CTRL_STS_IDLE, "crb probe: starts idle", "");
	crb_wr(&C, CRB_REG_CTRL_REQ, 4, CRB_CTRL_REQ_CMD_READY);
	check(crb_get_state(&C) == CRB_IDLE, "crb: cmdReady without the locality ignored", "");
	check(crbdrv_request_locality(&C) && crb_rd(&C, CRB_REG_LOC_STS, 4) == CRB_LOC_STS_GRANTED,
	      "crb probe: locality 0 granted", "");
	check(crbdrv_cmd_ready(&C) && crb_get_state(&C) == CRB_READY, "crb probe: cmdReady", "");
	check(crb_rd(&C, CRB_REG_CMD_LADDR, 4) == (uint32_t)(WINDOW + 0x80) && crb_rd(&C, CRB_REG_CMD_HADDR, 4) == 0 &&
	      crb_rd(&C, CRB_REG_CMD_SIZE, 4) == 0xF80 && crb_rd(&C, CRB_REG_RSP_SIZE, 4) == 0xF80 &&
	      crb_rd(&C, CRB_REG_RSP_ADDR, 8) == WINDOW + 0x80, "crb probe: buffer at window+0x80, 0xF80 bytes", "");
	crb_wr(&C, CRB_REG_CMD_LADDR, 4, 0x1000);
	crb_wr(&C, CRB_REG_RSP_SIZE, 4, 0xFFFF);
	crb_wr(&C, CRB_REG_INTF_ID, 8, 0);
	check(crb_rd(&C, CRB_REG_CMD_LADDR, 4) == (uint32_t)(WINDOW + 0x80) && crb_rd(&C, CRB_REG_RSP_SIZE, 4) == 0xF80 &&
	      crb_rd(&C, CRB_REG_INTF_ID, 8) == id, "crb: address, size and id registers read-only", "");
	crb_wr(&C, CRB_REG_INT_ENABLE, 4, 0xFFFFFFFF);
	check(crb_rd(&C, CRB_REG_INT_ENABLE, 4) == 0x8000000F && crb_rd(&C, CRB_REG_INT_STS, 4) == 0,
	      "crb: INT_ENABLE reads back its bits, INT_STS 0", "");
	check(crbdrv_go_idle(&C) && crbdrv_relinquish(&C), "crb probe: goIdle, relinquish", "");
	/* localities 1-4 */
	check(crb_rd(&C, LOC(2) + CRB_REG_LOC_STATE, 4) == crb_rd(&C, CRB_REG_LOC_STATE, 4) &&
	      crb_rd(&C, LOC(2) + CRB_REG_CTRL_STS, 4) == 0xFFFFFFFFu, "crb: LOC_STATE aliased, other localities absent", "");
	crb_wr(&C, LOC(3) + CRB_REG_LOC_CTRL, 4, CRB_LOC_CTRL_REQUEST);
	check(!(crb_rd(&C, CRB_REG_LOC_STATE, 4) & CRB_LOC_STATE_ASSIGNED), "crb: locality 3 cannot be requested", "");
}

static void test_commands(void)
{
	static const size_t lens[] = { 10, 11, 13, 100, 0xF80 };
	int pass = 0, total = 0;
	char name[80];
	for (unsigned w = 1; w <= 8; w <<= 1)
		for (unsigned n = 0; n < sizeof(lens) / sizeof(lens[0]); n++) {
			fresh();
			snprintf(name, sizeof(name), "crb command: width %u len %zu", w, lens[n]);
			total++;
			pass += linux_command(lens[n], w, name);
			total++;
			pass += linux_command(lens[n], w, name);   /* twice: the second from Idle again */
		}
	check(pass == total && total == 40, "crb commands: all widths and sizes", "%d of %d", pass, total);
}

static void put_command(size_t len, uint32_t size_field)
{
	uint8_t cmd[64];
	make_command(cmd, len, 9);
	cmd[2] = (uint8_t)(size_field >> 24), cmd[3] = (uint8_t)(size_field >> 16);
	cmd[4] = (uint8_t)(size_field >> 8), cmd[5] = (uint8_t)size_field;
	crbdrv_copy_to(&C, CRB_DATA_BUFFER, cmd, len, 4);
}

static uint32_t response_code(void)
{
	return (uint32_t)__builtin_bswap32((uint32_t)crb_rd(&C, CRB_DATA_BUFFER + 6, 4));
}

static void test_abuse(void)
{
	uint8_t got[64], rsp[10];
	vtpm_fe_error_response(rsp, 0);
	fresh();
	crbdrv_request_locality(&C);
	put_command(12, 12);
	crb_wr(&C, CRB_REG_CTRL_START, 4, 1);
	check(crb_get_state(&C) == CRB_IDLE && !notified, "crb: START while idle ignored", "");
	crbdrv_cmd_ready(&C);
	put_command(12, 0x1000);
	crb_wr(&C, CRB_REG_CTRL_START, 4, 1);
	check(!notified && crb_rd(&C, CRB_REG_CTRL_START, 4) == 0 && response_code() == VTPM_FE_RC_COMMAND_SIZE,
	      "crb: commandSize beyond the buffer answered TPM_RC_COMMAND_SIZE", "");
	put_command(12, 9);
	crb_wr(&C, CRB_REG_CTRL_START, 4, 1);
	check(!notified && response_code() == VTPM_FE_RC_COMMAND_SIZE, "crb: commandSize 9 answered TPM_RC_COMMAND_SIZE", "");
	/* cancel before the HTPM takes it */
	put_command(12, 12);
	crb_wr(&C, CRB_REG_CTRL_START, 4, 1);
	crb_wr(&C, CRB_REG_CTRL_CANCEL, 4, CRB_CANCEL_INVOKE);
	check(crb_rd(&C, CRB_REG_CTRL_CANCEL, 4) == 1 && crb_rd(&C, CRB_REG_CTRL_START, 4) == 0 &&
	      response_code() == VTPM_FE_RC_CANCELED && crb_take_command(&C, got, sizeof(got), NULL) == 0,
	      "crb: cancel before take answered TPM_RC_CANCELED", "");
	crb_wr(&C, CRB_REG_CTRL_CANCEL, 4, 0);
	/* cancel during execution; buffer writes and START while executing */
	put_command(12, 12);
	crb_wr(&C, CRB_REG_CTRL_START, 4, 1);
	check(crb_take_command(&C, got, 11, NULL) == 0, "crb: take refuses a too small buffer", "");
	crb_take_command(&C, got, sizeof(got), NULL);
	crb_wr(&C, CRB_REG_CTRL_CANCEL, 1, 1);
	crb_wr(&C, CRB_DATA_BUFFER, 8, 0);
	crb_wr(&C, CRB_REG_CTRL_START, 4, 1);
	crb_wr(&C, CRB_REG_CTRL_START, 4, 0);
	check(crb_cancel_requested(&C) && crb_rd(&C, CRB_DATA_BUFFER, 2) == 0x0180 &&
	      crb_rd(&C, CRB_REG_CTRL_START, 4) == 1, "crb: during execution buffer locked, START stays, cancel reported", "");
	crb_complete(&C, rsp, 10);
	check(crb_rd(&C, CRB_REG_CTRL_START, 4) == 0 && response_code() == 0, "crb: response after cancel delivered", "");
	check(crb_complete(&C, rsp, 10) == -1, "crb: complete without a taken command refused", "");
	/* nonsense from the HTPM */
	crb_wr(&C, CRB_REG_CTRL_CANCEL, 4, 0);
	put_command(12, 12);
	crb_wr(&C, CRB_REG_CTRL_START, 4, 1);
	crb_take_command(&C, got, sizeof(got), NULL);
	crb_complete(&C, rsp, 9);
	check(response_code() == VTPM_FE_RC_FAILURE, "crb: short response replaced by TPM_RC_FAILURE", "");
	/* goIdle during execution: finish, then idle, response dropped */
	put_command(12, 12);
	crb_wr(&C, CRB_REG_CTRL_START, 4, 1);
	crb_take_command(&C, got, sizeof(got), NULL);
	crb_wr(&C, CRB_REG_CTRL_REQ, 4, CRB_CTRL_REQ_GO_IDLE);
	check(crb_get_state(&C) == CRB_EXECUTION, "crb: goIdle during execution deferred", "");
	crb_complete(&C, rsp, 10);
	check(crb_get_state(&C) == CRB_IDLE && crb_rd(&C, CRB_REG_CTRL_START, 4) == 0, "crb: ... idle after the response", "");
	/* relinquish, then START: ignored */
	crbdrv_cmd_ready(&C);
	crbdrv_relinquish(&C);
	put_command(12, 12);
	crb_wr(&C, CRB_REG_CTRL_START, 4, 1);
	check(crb_rd(&C, CRB_REG_CTRL_START, 4) == 0 && crb_get_state(&C) == CRB_READY,
	      "crb: START without the locality ignored", "");
	/* reset during execution */
	crbdrv_request_locality(&C);
	crb_wr(&C, CRB_REG_CTRL_START, 4, 1);
	crb_take_command(&C, got, sizeof(got), NULL);
	crb_reset(&C);
	crbdrv_request_locality(&C);
	crb_wr(&C, CRB_REG_CTRL_REQ, 4, CRB_CTRL_REQ_CMD_READY);
	check(crb_rd(&C, CRB_REG_CTRL_REQ, 4) == CRB_CTRL_REQ_CMD_READY,
	      "crb: cmdReady stays pending while a reset's command is with the HTPM", "");
	crb_wr(&C, CRB_REG_CTRL_START, 4, 1);
	check(crb_get_state(&C) != CRB_EXECUTION, "crb: no START while a reset's command is with the HTPM", "");
	crb_complete(&C, rsp, 10);
	check(crb_get_state(&C) == CRB_READY && crb_rd(&C, CRB_REG_CTRL_REQ, 4) == 0,
	      "crb: that response dropped, then Ready (cmdReady done)", "");
	/* cancel + goIdle + cmdReady while the HTPM runs a command (a driver giving up, then the
	 * next command): START waits for the buffer, the old response never reaches the guest */
	put_command(12, 12);
	crb_wr(&C, CRB_REG_CTRL_START, 4, 1);
	crb_take_command(&C, got, sizeof(got), NULL);
	crb_wr(&C, CRB_REG_CTRL_CANCEL, 4, 1);
	crb_wr(&C, CRB_REG_CTRL_REQ, 4, CRB_CTRL_REQ_GO_IDLE);
	check(crb_rd(&C, CRB_REG_CTRL_REQ, 4) == CRB_CTRL_REQ_GO_IDLE, "crb: goIdle pending during execution", "");
	crb_wr(&C, CRB_REG_CTRL_REQ, 4, CRB_CTRL_REQ_CMD_READY);
	check(crb_rd(&C, CRB_REG_CTRL_REQ, 4) == CRB_CTRL_REQ_CMD_READY,
	      "crb: a later cmdReady replaces it, pending too", "");
	crb_wr(&C, CRB_REG_CTRL_START, 4, 1);
	crb_complete(&C, rsp, 10);
	check(crb_get_state(&C) == CRB_READY && crb_rd(&C, CRB_REG_CTRL_REQ, 4) == 0 &&
	      crb_rd(&C, CRB_REG_CTRL_START, 4) == 0, "crb: the response dropped, Ready for the next", "");
	crb_wr(&C, CRB_REG_CTRL_CANCEL, 4, 0);
	check(linux_command(50, 4, "crb: a full command after the abuse"), "crb: recovery", "");
	uint64_t v;
	check(crb_mmio_read(&C, 0x4FFD, 4, &v) == -1 && crb_mmio_write(&C, 0, 5, 0) == -1,
	      "crb: out-of-window and odd-size accesses refused", "");
	check(fe_bad_access == 0, "crb: every in-window access accepted", "%d", fe_bad_access);
}

static void test_ram_buffer(void)
{
	static uint8_t ram[0x800];
	struct crb_config cfg = { .buf_gpa = 0x7FF000, .buf_size = sizeof(ram), .buf = ram };
	check(crb_init(&C, &cfg) == 0, "crb ram: buffer outside the window accepted", "");
	crbdrv_request_locality(&C);
	crbdrv_cmd_ready(&C);
	check(crb_rd(&C, CRB_REG_CMD_LADDR, 4) == 0x7FF000 && crb_rd(&C, CRB_REG_CMD_SIZE, 4) == 0x800,
	      "crb ram: registers report the RAM buffer", "");
	crb_wr(&C, CRB_DATA_BUFFER, 4, 0x12345678);
	check(crb_rd(&C, CRB_DATA_BUFFER, 4) == 0xFFFFFFFFu && ram[0] == 0, "crb ram: nothing at window+0x80", "");
	make_command(ram, 20, 1);
	crb_wr(&C, CRB_REG_CTRL_START, 4, 1);
	uint8_t got[32];
	size_t n = crb_take_command(&C, got, sizeof(got), NULL);
	uint8_t rsp[10];
	vtpm_fe_error_response(rsp, 0x123);
	crb_complete(&C, rsp, 10);
	check(n == 20 && memcmp(got, ram, 2) == 0 && vtpm_fe_be32(ram + 6) == 0x123,
	      "crb ram: command from and response into the caller's buffer", "");
	struct crb_config bad[4] = {
		{ .buf_size = 9, .buf_window_off = 0x80 },
		{ .buf_size = 0x100, .buf_window_off = 0x40 },
		{ .buf_size = 0xF81, .buf_window_off = 0x80 },
		{ .buf_size = 0x100, .buf_window_off = 0 },
	};
	int refused = 0;
	for (unsigned i = 0; i < 4; i++) {
		refused += crb_init(&C, &bad[i]) == -1;
		uint64_t v = 0;
		crb_mmio_read(&C, 0, 4, &v);
		refused += v == 0xFFFFFFFFu;
	}
	check(refused == 8, "crb: inconsistent configurations refused, the window then floats", "%d", refused);
}

int main(void)
{
	test_probe();
	test_commands();
	test_abuse();
	test_ram_buffer();
	return check_exit();
}
