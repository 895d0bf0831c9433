/*
 * anchor-tpmd: the socket protocols, separated from the sockets.
 *
 * Two wire protocols reach the one engine instance a daemon serves:
 *   mssim  (Microsoft reference simulator / tpm2-tss "mssim" TCTI): a command port carrying
 *          TPM_SEND_COMMAND frames {u32 8, u8 locality, u32 size, command} answered by
 *          {u32 size, response, u32 0}, and a platform port carrying u32 signals (power, NV,
 *          cancel...) each answered by u32 0.
 *   swtpm  (swtpm's TCP mode / tpm2-tss "swtpm" TCTI): a data port carrying bare TPM commands
 *          and a control port carrying {u32 CMD_*, payload} answered by {u32 result, payload}.
 *
 * Every handler here reads ONE frame through a struct sim_io and answers it.  The socket code
 * (anchor-tpmd.c) gives them a file descriptor; the framing fuzzer gives them a byte string.
 * All sizes that come from the peer are checked before use: a frame we cannot parse closes the
 * connection (SIM_CLOSE), it never reads or writes past a buffer.
 */
#ifndef ANCHOR_SIM_PROTO_H
#define ANCHOR_SIM_PROTO_H
#include <stddef.h>
#include <stdint.h>

struct tpm2;
struct tpm2_platform;

/* Byte transport.  read_full/write_full return 0 when all len bytes moved, -1 otherwise
 * (EOF, error, time-out): the frame is then abandoned and the connection closed. */
struct sim_io {
	int (*read_full)(void *ctx, void *buf, size_t len);
	int (*write_full)(void *ctx, const void *buf, size_t len);
	void *ctx;
};

/* What a handler returns. */
#define SIM_CONTINUE  0    /* frame served; read the next one */
#define SIM_CLOSE     1    /* close this connection (end of session, garbage, I/O error) */
#define SIM_TERMINATE 2    /* the peer asked the daemon to stop (TPM_STOP, CMD_SHUTDOWN) */

/* The daemon's view of its one TPM. */
struct sim_tpm {
	struct tpm2 *tpm;
	const struct tpm2_platform *plat;
	int powered;            /* _TPM_Init done and no power-off since */
	int nv_on;              /* mssim NV_ON (informational: our NV is always available) */
	int cancel;             /* mssim CANCEL_ON / OFF (commands are synchronous here) */
	uint8_t locality;       /* swtpm: set by CMD_SET_LOCALITY for the data port */
	uint8_t established;    /* swtpm: TPM_ACCESS.tpmEstablishment as CMD_GET_TPMESTABLISHED sees it */
	uint32_t buffer_size;   /* swtpm: CMD_SET_BUFFERSIZE */
	/* Called after every executed TPM command with the command and its response, so the
	 * daemon can persist state and record a corpus.  May be NULL. */
	void (*after_command)(struct sim_tpm *s, uint8_t locality, const uint8_t *cmd,
	                      size_t cmd_len, const uint8_t *rsp, size_t rsp_len);
	/* Called on power-off / NV_OFF / CMD_STOP / CMD_SHUTDOWN so the daemon saves state. */
	void (*on_power_off)(struct sim_tpm *s);
	void *owner;
};

/* mssim TPM_SIGNAL_* and TPM_* codes (tpm2-tss tcti-mssim, MS simulator TpmTcpProtocol.h). */
enum {
	MSSIM_POWER_ON = 1, MSSIM_POWER_OFF = 2, MSSIM_PHYS_PRES_ON = 3, MSSIM_PHYS_PRES_OFF = 4,
	MSSIM_HASH_START = 5, MSSIM_HASH_DATA = 6, MSSIM_HASH_END = 7, MSSIM_SEND_COMMAND = 8,
	MSSIM_CANCEL_ON = 9, MSSIM_CANCEL_OFF = 10, MSSIM_NV_ON = 11, MSSIM_NV_OFF = 12,
	MSSIM_KEY_CACHE_ON = 13, MSSIM_KEY_CACHE_OFF = 14, MSSIM_REMOTE_HANDSHAKE = 15,
	MSSIM_SET_ALTERNATIVE_RESULT = 16, MSSIM_RESET = 17, MSSIM_RESTART = 18,
	MSSIM_SESSION_END = 20, MSSIM_STOP = 21, MSSIM_GET_COMMAND_RESPONSE_SIZES = 25,
	MSSIM_ACT_GET_SIGNALED = 26, MSSIM_TEST_FAILURE_MODE = 30,
};

/* swtpm control channel codes (swtpm's tpm_ioctl.h). */
enum {
	SWTPM_CMD_GET_CAPABILITY = 1, SWTPM_CMD_INIT = 2, SWTPM_CMD_SHUTDOWN = 3,
	SWTPM_CMD_GET_TPMESTABLISHED = 4, SWTPM_CMD_SET_LOCALITY = 5, SWTPM_CMD_HASH_START = 6,
	SWTPM_CMD_HASH_DATA = 7, SWTPM_CMD_HASH_END = 8, SWTPM_CMD_CANCEL_TPM_CMD = 9,
	SWTPM_CMD_STORE_VOLATILE = 10, SWTPM_CMD_RESET_TPMESTABLISHED = 11,
	SWTPM_CMD_GET_STATEBLOB = 12, SWTPM_CMD_SET_STATEBLOB = 13, SWTPM_CMD_STOP = 14,
	SWTPM_CMD_GET_CONFIG = 15, SWTPM_CMD_SET_DATAFD = 16, SWTPM_CMD_SET_BUFFERSIZE = 17,
	SWTPM_CMD_GET_INFO = 18,
};

void sim_tpm_init(struct sim_tpm *s, struct tpm2 *tpm, const struct tpm2_platform *plat);

/* _TPM_Init (power on, or reset when already on). */
void sim_power_on(struct sim_tpm *s, int reset);
void sim_power_off(struct sim_tpm *s);

/* Executes one TPM command as the daemon does (power state, size checks, hooks). */
size_t sim_execute(struct sim_tpm *s, uint8_t locality, const uint8_t *cmd, size_t len,
                   uint8_t *rsp, size_t rsp_max);

int sim_mssim_command_frame(struct sim_tpm *s, const struct sim_io *io);
int sim_mssim_platform_frame(struct sim_tpm *s, const struct sim_io *io);
int sim_swtpm_data_frame(struct sim_tpm *s, const struct sim_io *io);
int sim_swtpm_ctrl_frame(struct sim_tpm *s, const struct sim_io *io);

#endif
