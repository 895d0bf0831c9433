/*
 * anchor-tpmd: mssim and swtpm framing over a struct sim_io.  See sim_proto.h.
 */
#include "sim_proto.h"

#include <string.h>

#include "tpm2.h"

#define SIM_ST_NO_SESSIONS  0x8001u
#define SIM_RC_FAILURE      0x101u
#define SIM_RC_COMMAND_SIZE 0x142u
#define SIM_RC_LOCALITY     0x907u

/* swtpm/libtpms result codes used on the control channel (TPM 1.2 numbering, as swtpm). */
#define PTM_RES_OK            0u
#define PTM_RES_FAIL          9u     /* TPM_FAIL */
#define PTM_RES_BAD_PARAMETER 3u     /* TPM_BAD_PARAMETER */
#define PTM_RES_BAD_ORDINAL   10u    /* TPM_BAD_ORDINAL */
#define PTM_RES_BAD_LOCALITY  0x3du  /* TPM_BAD_LOCALITY */

/* Largest frame we drain to answer SIM_RC_COMMAND_SIZE instead of dropping the peer. */
#define SIM_DRAIN_MAX (64u * 1024u)

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int read32(const struct sim_io *io, uint32_t *v)
{
	uint8_t b[4];
	if (io->read_full(io->ctx, b, 4) != 0)
		return -1;
	*v = get32(b);
	return 0;
}

static int write32(const struct sim_io *io, uint32_t v)
{
	uint8_t b[4];
	put32(b, v);
	return io->write_full(io->ctx, b, 4);
}

/* Reads and discards len bytes (a frame too big to serve). */
static int drain(const struct sim_io *io, uint32_t len)
{
	uint8_t scratch[512];
	while (len > 0) {
		uint32_t n = len < sizeof scratch ? len : (uint32_t)sizeof scratch;
		if (io->read_full(io->ctx, scratch, n) != 0)
			return -1;
		len -= n;
	}
	return 0;
}

static size_t error_response(uint8_t *rsp, uint32_t rc)
{
	rsp[0] = SIM_ST_NO_SESSIONS >> 8; rsp[1] = SIM_ST_NO_SESSIONS & 0xff;
	put32(rsp + 2, 10);
	put32(rsp + 6, rc);
	return 10;
}

void sim_tpm_init(struct sim_tpm *s, struct tpm2 *tpm, const struct tpm2_platform *plat)
{
	memset(s, 0, sizeof *s);
	s->tpm = tpm;
	s->plat = plat;
	s->buffer_size = TPM2_MAX_COMMAND_SIZE;
}

void sim_power_on(struct sim_tpm *s, int reset)
{
	/* The reference simulator ignores POWER_ON while on (tpm2-tss sends it at every TCTI
	 * initialisation); RESET / CMD_INIT always re-run _TPM_Init. */
	if (s->powered && !reset)
		return;
	tpm2_power_on(s->tpm);
	s->powered = 1;
	s->established = 0;
}

void sim_power_off(struct sim_tpm *s)
{
	if (s->powered && s->on_power_off)
		s->on_power_off(s);
	s->powered = 0;
}

size_t sim_execute(struct sim_tpm *s, uint8_t locality, const uint8_t *cmd, size_t len,
                   uint8_t *rsp, size_t rsp_max)
{
	size_t n;
	if (!s->powered)
		return error_response(rsp, SIM_RC_FAILURE);
	if (locality > 4)
		return error_response(rsp, SIM_RC_LOCALITY);
	n = tpm2_execute(s->tpm, locality, cmd, len, rsp, rsp_max);
	if (n < 10 || n > rsp_max)    /* the engine promises otherwise; never trust it blindly */
		n = error_response(rsp, SIM_RC_FAILURE);
	if (s->after_command)
		s->after_command(s, locality, cmd, len, rsp, n);
	return n;
}

/* ---- mssim ------------------------------------------------------------------------------- */

static int mssim_send_command(struct sim_tpm *s, const struct sim_io *io)
{
	/* One write for {u32 size, response, u32 0}: no small trailing segment for the peer's
	 * delayed-ACK logic to sit on. */
	uint8_t cmd[TPM2_MAX_COMMAND_SIZE], out[4 + TPM2_MAX_RESPONSE_SIZE + 4], hdr[5];
	uint8_t *rsp = out + 4;
	uint32_t len;
	size_t n;

	if (io->read_full(io->ctx, hdr, 5) != 0)
		return SIM_CLOSE;
	len = get32(hdr + 1);
	if (len > sizeof cmd) {
		if (len > SIM_DRAIN_MAX || drain(io, len) != 0)
			return SIM_CLOSE;
		n = error_response(rsp, SIM_RC_COMMAND_SIZE);
	} else {
		if (io->read_full(io->ctx, cmd, len) != 0)
			return SIM_CLOSE;
		n = sim_execute(s, hdr[0], cmd, len, rsp, TPM2_MAX_RESPONSE_SIZE);
	}
	put32(out, (uint32_t)n);
	put32(out + 4 + n, 0);
	return io->write_full(io->ctx, out, 4 + n + 4) == 0 ? SIM_CONTINUE : SIM_CLOSE;
}

/* The platform's locality-4 hash interface (_TPM_Hash_Start/Data/End) for both protocols:
 * len bytes of event data go to the engine in pieces (ignored while powered off). */
static int hash_data(struct sim_tpm *s, const struct sim_io *io, uint32_t len)
{
	uint8_t buf[512];
	if (len > SIM_DRAIN_MAX)
		return -1;
	while (len > 0) {
		uint32_t n = len < sizeof buf ? len : (uint32_t)sizeof buf;
		if (io->read_full(io->ctx, buf, n) != 0)
			return -1;
		if (s->powered)
			tpm2_hash_data(s->tpm, buf, n);
		len -= n;
	}
	return 0;
}

static void hash_signal(struct sim_tpm *s, uint32_t start)
{
	if (!s->powered)
		return;
	if (start)
		tpm2_hash_start(s->tpm);
	else
		tpm2_hash_end(s->tpm);
}

/* TPM_SIGNAL_HASH_DATA: {u32 size, data}. */
static int mssim_hash_data(struct sim_tpm *s, const struct sim_io *io)
{
	uint32_t len;
	if (read32(io, &len) != 0 || hash_data(s, io, len) != 0)
		return SIM_CLOSE;
	return SIM_CONTINUE;
}

int sim_mssim_command_frame(struct sim_tpm *s, const struct sim_io *io)
{
	uint32_t code, v;
	int r = SIM_CONTINUE;

	if (read32(io, &code) != 0)
		return SIM_CLOSE;
	switch (code) {
	case MSSIM_SEND_COMMAND:
		return mssim_send_command(s, io);       /* writes its own trailing ack */
	case MSSIM_HASH_START:
	case MSSIM_HASH_END:
		hash_signal(s, code == MSSIM_HASH_START);
		break;
	case MSSIM_HASH_DATA:
		r = mssim_hash_data(s, io);
		break;
	case MSSIM_REMOTE_HANDSHAKE:            /* {u32 client version} -> {u32 1, u32 flags} */
		if (read32(io, &v) != 0 || write32(io, 1) != 0 || write32(io, 0x7) != 0)
			return SIM_CLOSE;
		break;
	case MSSIM_SET_ALTERNATIVE_RESULT:
		if (read32(io, &v) != 0)
			return SIM_CLOSE;
		break;
	case MSSIM_GET_COMMAND_RESPONSE_SIZES:
		if (write32(io, TPM2_MAX_COMMAND_SIZE) != 0 || write32(io, TPM2_MAX_RESPONSE_SIZE) != 0)
			return SIM_CLOSE;
		break;
	case MSSIM_ACT_GET_SIGNALED:           /* {u32 ACT handle} -> {u32 signaled}: no ACTs */
		if (read32(io, &v) != 0 || write32(io, 0) != 0)
			return SIM_CLOSE;
		break;
	case MSSIM_TEST_FAILURE_MODE:
		break;
	case MSSIM_SESSION_END:
		return SIM_CLOSE;
	case MSSIM_STOP:
		return SIM_TERMINATE;
	default:
		return SIM_CLOSE;                /* unknown framing: we cannot resynchronise */
	}
	if (r != SIM_CONTINUE || write32(io, 0) != 0)
		return SIM_CLOSE;
	return SIM_CONTINUE;
}

int sim_mssim_platform_frame(struct sim_tpm *s, const struct sim_io *io)
{
	uint32_t code;

	if (read32(io, &code) != 0)
		return SIM_CLOSE;
	switch (code) {
	case MSSIM_POWER_ON:      sim_power_on(s, 0); break;
	case MSSIM_RESET:         sim_power_on(s, 1); break;
	case MSSIM_RESTART:       sim_power_on(s, 1); break;
	case MSSIM_POWER_OFF:     sim_power_off(s); break;
	case MSSIM_NV_ON:         s->nv_on = 1; break;
	case MSSIM_NV_OFF:
		s->nv_on = 0;
		if (s->on_power_off)
			s->on_power_off(s);       /* NV going away: make sure it is on disk */
		break;
	case MSSIM_CANCEL_ON:     s->cancel = 1; break;
	case MSSIM_CANCEL_OFF:    s->cancel = 0; break;
	case MSSIM_PHYS_PRES_ON:
	case MSSIM_PHYS_PRES_OFF:
	case MSSIM_KEY_CACHE_ON:
	case MSSIM_KEY_CACHE_OFF:
	case MSSIM_TEST_FAILURE_MODE:
		break;
	case MSSIM_SESSION_END:
		return SIM_CLOSE;
	case MSSIM_STOP:
		return SIM_TERMINATE;
	default:
		return SIM_CLOSE;
	}
	return write32(io, 0) == 0 ? SIM_CONTINUE : SIM_CLOSE;
}

/* ---- swtpm ------------------------------------------------------------------------------- */

/* Data port: a bare TPM command, header first so we know its size. */
int sim_swtpm_data_frame(struct sim_tpm *s, const struct sim_io *io)
{
	uint8_t cmd[TPM2_MAX_COMMAND_SIZE], rsp[TPM2_MAX_RESPONSE_SIZE];
	uint32_t len;
	size_t n;

	if (io->read_full(io->ctx, cmd, 10) != 0)
		return SIM_CLOSE;
	len = get32(cmd + 2);
	if (len < 10 || len > sizeof cmd) {
		/* The stream cannot be trusted past this point: answer, then hang up. */
		if (len >= 10 && len <= SIM_DRAIN_MAX)
			(void)drain(io, len - 10);
		n = error_response(rsp, SIM_RC_COMMAND_SIZE);
		(void)io->write_full(io->ctx, rsp, n);
		return SIM_CLOSE;
	}
	if (io->read_full(io->ctx, cmd + 10, len - 10) != 0)
		return SIM_CLOSE;
	n = sim_execute(s, s->locality, cmd, len, rsp, sizeof rsp);
	return io->write_full(io->ctx, rsp, n) == 0 ? SIM_CONTINUE : SIM_CLOSE;
}

static const char swtpm_info_spec[] =
	"{\"TPMSpecification\":{\"family\":\"2.0\",\"level\":0,\"revision\":164}}";
static const char swtpm_info_attrs[] =
	"{\"TPMAttributes\":{\"manufacturer\":\"id:414E4348\",\"version\":\"id:00000001\","
	"\"model\":\"anchor-tpmd\"}}";

/* CMD_GET_INFO {u64 flags, u32 offset, u32 pad} -> {res, u32 total, u32 len, json}. */
static int swtpm_get_info(const struct sim_io *io, uint8_t *out, size_t *out_len)
{
	uint8_t in[16];
	char json[256] = "";
	uint32_t flags, offset, total;

	if (io->read_full(io->ctx, in, 16) != 0)
		return -1;
	flags = get32(in + 4);    /* the defined flags all live in the low word */
	offset = get32(in + 8);
	if (flags & 1)
		strcat(json, swtpm_info_spec);
	if (flags & 2) {
		if (json[0])
			strcat(json, ",");
		strcat(json, swtpm_info_attrs);
	}
	total = (uint32_t)strlen(json);
	if (offset > total)
		offset = total;
	put32(out, PTM_RES_OK);
	put32(out + 4, total);
	put32(out + 8, total - offset);
	memcpy(out + 12, json + offset, total - offset);
	*out_len = 12 + total - offset;
	return 0;
}

/* CMD_SET_BUFFERSIZE {u32 size (0 = query)} -> {res, u32 size, u32 min, u32 max}. */
static int swtpm_set_buffersize(struct sim_tpm *s, const struct sim_io *io, uint8_t *out,
                                size_t *out_len)
{
	uint32_t want, res = PTM_RES_OK;
	if (read32(io, &want) != 0)
		return -1;
	if (want != 0) {
		if (want < TPM2_MAX_COMMAND_SIZE)
			res = PTM_RES_BAD_PARAMETER;   /* our engine always takes whole commands */
		else
			s->buffer_size = TPM2_MAX_COMMAND_SIZE;
	}
	put32(out, res);
	put32(out + 4, s->buffer_size);
	put32(out + 8, TPM2_MAX_COMMAND_SIZE);
	put32(out + 12, TPM2_MAX_COMMAND_SIZE);
	*out_len = 16;
	return 0;
}

int sim_swtpm_ctrl_frame(struct sim_tpm *s, const struct sim_io *io)
{
	uint8_t out[512], b[4];
	size_t out_len = 4;
	uint32_t code, v, res = PTM_RES_OK;
	int r = SIM_CONTINUE;

	if (read32(io, &code) != 0)
		return SIM_CLOSE;
	switch (code) {
	case SWTPM_CMD_GET_CAPABILITY: {
		/* u64 capability mask, big-endian: what this control channel implements. */
		uint32_t caps = 0x1 | 0x2 | 0x4 | 0x8 | 0x20 | 0x40 | 0x80 | 0x400 | 0x800 | 0x2000 | 0x4000;
		put32(out, 0);
		put32(out + 4, caps);
		out_len = 8;
		goto send;
	}
	case SWTPM_CMD_INIT:                /* {u32 flags}: _TPM_Init, even if already running */
		if (read32(io, &v) != 0)
			return SIM_CLOSE;
		sim_power_on(s, 1);
		break;
	case SWTPM_CMD_SHUTDOWN:
		sim_power_off(s);
		r = SIM_TERMINATE;
		break;
	case SWTPM_CMD_STOP:
		sim_power_off(s);
		break;
	case SWTPM_CMD_GET_TPMESTABLISHED:
		if (!s->powered) {
			res = PTM_RES_BAD_ORDINAL;
			break;
		}
		memset(out, 0, 8);
		out[4] = s->established;
		out_len = 8;
		goto send;
	case SWTPM_CMD_SET_LOCALITY:
	case SWTPM_CMD_RESET_TPMESTABLISHED:
		if (io->read_full(io->ctx, b, 1) != 0)
			return SIM_CLOSE;
		if (b[0] > 4)
			res = PTM_RES_BAD_LOCALITY;
		else if (code == SWTPM_CMD_SET_LOCALITY)
			s->locality = b[0];
		else if (b[0] >= 3)         /* only localities 3 and 4 may clear the flag */
			s->established = 0;
		else
			res = PTM_RES_BAD_LOCALITY;
		break;
	case SWTPM_CMD_HASH_START:
	case SWTPM_CMD_HASH_END:
		hash_signal(s, code == SWTPM_CMD_HASH_START);
		res = s->powered ? PTM_RES_OK : PTM_RES_BAD_ORDINAL;
		break;
	case SWTPM_CMD_HASH_DATA:
		if (read32(io, &v) != 0 || hash_data(s, io, v) != 0)
			return SIM_CLOSE;
		res = s->powered ? PTM_RES_OK : PTM_RES_BAD_ORDINAL;
		break;
	case SWTPM_CMD_CANCEL_TPM_CMD:
		res = s->powered ? PTM_RES_FAIL : PTM_RES_BAD_ORDINAL;   /* as swtpm: synchronous */
		break;
	case SWTPM_CMD_STORE_VOLATILE:
		if (s->on_power_off)
			s->on_power_off(s);
		break;
	case SWTPM_CMD_GET_CONFIG:
		put32(out, 0);
		put32(out + 4, 0);
		out_len = 8;
		goto send;
	case SWTPM_CMD_SET_BUFFERSIZE:
		if (swtpm_set_buffersize(s, io, out, &out_len) != 0)
			return SIM_CLOSE;
		goto send;
	case SWTPM_CMD_GET_INFO:
		if (swtpm_get_info(io, out, &out_len) != 0)
			return SIM_CLOSE;
		goto send;
	default:
		/* Unknown: swtpm answers TPM_BAD_ORDINAL; we also hang up, since we cannot know
		 * how many payload bytes follow. */
		put32(out, PTM_RES_BAD_ORDINAL);
		(void)io->write_full(io->ctx, out, 4);
		return SIM_CLOSE;
	}
	put32(out, res);
send:
	if (io->write_full(io->ctx, out, out_len) != 0)
		return SIM_CLOSE;
	return r;
}
