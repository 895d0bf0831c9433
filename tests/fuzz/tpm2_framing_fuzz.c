/*
 * libFuzzer target over anchor-tpmd's framing (vtpm/sim/sim_proto.c) with the real engine
 * behind it.  Input: byte 0 selects the port (0 mssim command, 1 mssim platform, 2 swtpm data,
 * 3 swtpm control); the rest is the byte stream a client sends on it.  Frames are served until
 * the handler hangs up or the stream runs dry, exactly as the daemon's loop does.  Replies are
 * discarded; the transport checks the handlers never ask to write absurd lengths.
 */
#include "tpm2_fuzz_common.h"
#include "sim_proto.h"

static struct tpm2 tpm;

struct stream {
	const uint8_t *p;
	size_t left;
};

static int stream_read(void *ctx, void *buf, size_t len)
{
	struct stream *s = ctx;
	if (len > s->left)
		return -1;
	memcpy(buf, s->p, len);
	s->p += len;
	s->left -= len;
	return 0;
}

static int sink_write(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	if (len > 2 * TPM2_MAX_RESPONSE_SIZE)
		abort();
	volatile uint8_t x = 0;              /* touch every byte: ASan checks the source */
	for (size_t i = 0; i < len; i++)
		x ^= ((const uint8_t *)buf)[i];
	(void)x;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int (*const frames[4])(struct sim_tpm *, const struct sim_io *) = {
		sim_mssim_command_frame, sim_mssim_platform_frame,
		sim_swtpm_data_frame, sim_swtpm_ctrl_frame,
	};
	struct sim_tpm sim;
	struct stream st;
	struct sim_io io = { stream_read, sink_write, &st };
	int which;

	if (size < 1)
		return 0;
	which = data[0] & 3;
	st.p = data + 1;
	st.left = size - 1;
	fuzz_fresh_tpm(&tpm);
	sim_tpm_init(&sim, &tpm, &fuzz_platform);
	sim.powered = 1;                     /* fuzz_fresh_tpm powered it on and started it */
	for (int i = 0; i < 64 && st.left > 0; i++)
		if (frames[which](&sim, &io) != SIM_CONTINUE)
			break;
	return 0;
}
