/* libFuzzer target for hv/decode.c: any byte string, both modes.  Besides "no crash, no UB, no
 * read past avail" (ASan sees the exact-size buffer), it checks the decoder's own promises. */
#include <anchor/decode.h>
#include <stdlib.h>
#include <string.h>

static void require(int cond)
{
	if (!cond)
		abort();
}

static void check_one(const uint8_t *data, size_t size, enum decode_mode mode)
{
	struct mmio_insn m;
	enum decode_status st = decode_mmio(data, size, mode, &m);
	require(st == DECODE_OK || st == DECODE_UNSUPPORTED || st == DECODE_TRUNCATED);
	if (st == DECODE_TRUNCATED) {
		require(size < DECODE_MAX_INSN);
		return;
	}
	if (st != DECODE_OK) {
		struct mmio_insn zero = { 0 };
		require(memcmp(&m, &zero, sizeof m) == 0);
		return;
	}
	require(m.len >= 1 && m.len <= size && m.len <= DECODE_MAX_INSN);
	require(m.size == 1 || m.size == 2 || m.size == 4 || m.size == 8);
	require(m.reg < 16 && (!m.reg_high8 || (m.reg < 4 && m.size == 1)));
	if (m.write) {
		require(m.dst_size == 0 && !m.zero_extend && !m.sign_extend);
		require(decode_store_value(&m, ~0ull) <= (m.size == 8 ? ~0ull : (1ull << (8 * m.size)) - 1));
	} else {
		require(!m.has_imm && m.dst_size >= m.size && !(m.zero_extend && m.sign_extend));
		(void)decode_merge_load(&m, 0x0123456789abcdefull, ~0ull);
	}
	/* Exactly len bytes decode the same; one fewer is truncated. */
	struct mmio_insn again;
	require(decode_mmio(data, m.len, mode, &again) == DECODE_OK &&
	        memcmp(&again, &m, sizeof m) == 0);
	require(decode_mmio(data, m.len - 1u, mode, &again) == DECODE_TRUNCATED);
}

/* decode_string: defined result; an accepted string instruction is never an MMIO mov. */
static void check_string(const uint8_t *data, size_t size, enum decode_mode mode)
{
	struct string_insn s;
	enum decode_status st = decode_string(data, size, mode, &s);
	require(st == DECODE_OK || st == DECODE_UNSUPPORTED || st == DECODE_TRUNCATED);
	if (st != DECODE_OK)
		return;
	require(s.len >= 1 && s.len <= size && s.len <= DECODE_MAX_INSN);
	require(s.size == 1 || s.size == 2 || s.size == 4 || s.size == 8);
	require(s.addr_size == 4 || s.addr_size == 8);
	require(s.op == STRING_MOVS || s.op == STRING_STOS || s.op == STRING_LODS);
	struct mmio_insn m;
	require(decode_mmio(data, s.len, mode, &m) == DECODE_UNSUPPORTED);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_one(data, size, DECODE_MODE_64);
	check_one(data, size, DECODE_MODE_32);
	check_string(data, size, DECODE_MODE_64);
	check_string(data, size, DECODE_MODE_32);
	return 0;
}
