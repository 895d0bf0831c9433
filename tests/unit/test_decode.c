/* Host unit tests for hv/decode.c.  The instruction bytes come from the GNU assembler
 * (decode_cases.txt -> gen_decode_cases.py -> decode_cases.h), so each case also checks that
 * the decoder's length (how far RIP advances) agrees with the assembler's. */
#include <anchor/decode.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "check.h"

struct expect {
	enum decode_status status;   /* of decode_mmio */
	int write, size, dst_size, reg, high8, zx, sx, has_imm;
	uint64_t imm;
	int string, rep, addr_size;  /* string: decode_string must accept it */
	enum string_op str_op;
};

struct decode_case {
	int line;
	enum decode_mode mode;
	const char *text;
	size_t len;
	uint8_t bytes[32];
	struct expect want;
};

#include "decode_cases.h"

static const char *status_name(enum decode_status s)
{
	return s == DECODE_OK ? "ok" : s == DECODE_TRUNCATED ? "truncated" : "unsupported";
}

/* Device accesses as gcc and clang compile them (mmio_patterns.c -> gen_compiler_cases.py). */
struct compiler_case {
	const char *config, *function, *disasm;
	enum decode_mode mode;
	size_t len;
	uint8_t bytes[16];
	int write, size;
};

#include "compiler_cases.h"

static void run_compiler_case(const struct compiler_case *c)
{
	char name[200];
	snprintf(name, sizeof name, "decode compiled: %s %s: %s", c->config, c->function, c->disasm);
	struct mmio_insn m;
	enum decode_status st = decode_mmio(c->bytes, c->len, c->mode, &m);
	check(st == DECODE_OK && m.len == c->len && m.write == (bool)c->write && m.size == c->size,
	      name, "status %s len %u (objdump %zu) write %d size %u", status_name(st), m.len, c->len,
	      m.write, m.size);
}


/* Compares a successful decode with the expectation; fills why on mismatch. */
static bool matches(const struct decode_case *c, const struct mmio_insn *m, char *why, size_t n)
{
	const struct expect *w = &c->want;
	int dst = w->write ? 0 : w->dst_size;
	if (m->len != c->len || m->write != (bool)w->write || m->size != w->size ||
	    m->has_imm != (bool)w->has_imm || (w->has_imm && m->imm != w->imm) ||
	    (!w->has_imm && (m->reg != w->reg || m->reg_high8 != (bool)w->high8)) ||
	    m->dst_size != dst || m->zero_extend != (bool)w->zx || m->sign_extend != (bool)w->sx) {
		snprintf(why, n, "got len=%u write=%d size=%u reg=%u high8=%d imm=%d/0x%" PRIx64
		         " dst=%u zx=%d sx=%d; assembler len %zu",
		         m->len, m->write, m->size, m->reg, m->reg_high8, m->has_imm, m->imm,
		         m->dst_size, m->zero_extend, m->sign_extend, c->len);
		return false;
	}
	return true;
}

/* Every proper prefix of an accepted instruction must ask for more bytes, never decode. */
static bool truncations_ok(const struct decode_case *c, char *why, size_t n)
{
	for (size_t avail = 0; avail < c->len; avail++) {
		struct mmio_insn m;
		enum decode_status st = decode_mmio(c->bytes, avail, c->mode, &m);
		if (st != DECODE_TRUNCATED) {
			snprintf(why, n, "with %zu of %zu bytes: %s", avail, c->len, status_name(st));
			return false;
		}
	}
	return true;
}

/* Followed by unrelated bytes (as fetched from guest memory), the length must not change. */
static bool padded_ok(const struct decode_case *c, char *why, size_t n)
{
	uint8_t buf[DECODE_MAX_INSN + 16];
	memset(buf, 0x90, sizeof buf);
	memcpy(buf, c->bytes, c->len < sizeof buf ? c->len : sizeof buf);
	struct mmio_insn m;
	enum decode_status st = decode_mmio(buf, sizeof buf, c->mode, &m);
	if (st != DECODE_OK || m.len != c->len) {
		snprintf(why, n, "padded: %s len %u", status_name(st), m.len);
		return false;
	}
	return true;
}

/* decode_string: accepts exactly the string cases, with the assembler's length. */
static void run_string_case(const struct decode_case *c)
{
	char name[160], why[160] = "";
	snprintf(name, sizeof name, "decode_string %s-bit: %s (decode_cases.txt:%d)",
	         c->mode == DECODE_MODE_64 ? "64" : "32", c->text, c->line);
	struct string_insn s;
	enum decode_status st = decode_string(c->bytes, c->len, c->mode, &s);
	const struct expect *w = &c->want;
	bool good;
	if (!w->string) {
		good = st == DECODE_UNSUPPORTED;
		snprintf(why, sizeof why, "got %s", status_name(st));
	} else {
		good = st == DECODE_OK && s.len == c->len && s.op == w->str_op && s.size == w->size &&
		       s.rep == (bool)w->rep && s.addr_size == w->addr_size;
		snprintf(why, sizeof why, "got %s len %u op %d size %u rep %d addr %u", status_name(st),
		         s.len, s.op, s.size, s.rep, s.addr_size);
		for (size_t avail = 0; good && avail < c->len; avail++) {
			if (decode_string(c->bytes, avail, c->mode, &s) != DECODE_TRUNCATED) {
				good = false;
				snprintf(why, sizeof why, "with %zu of %zu bytes: not truncated", avail, c->len);
			}
		}
	}
	check(good, name, "%s", why);
}

static void run_case(const struct decode_case *c)
{
	char name[160], why[256] = "";
	snprintf(name, sizeof name, "decode %s-bit: %s (decode_cases.txt:%d)",
	         c->mode == DECODE_MODE_64 ? "64" : "32", c->text, c->line);
	struct mmio_insn m;
	enum decode_status st = decode_mmio(c->bytes, c->len, c->mode, &m);
	bool good;
	if (c->want.status != DECODE_OK) {
		good = st == c->want.status;
		snprintf(why, sizeof why, "got %s", status_name(st));
		/* A rejected instruction followed by more bytes must stay rejected. */
		uint8_t buf[64];
		memset(buf, 0x8b, sizeof buf);
		memcpy(buf, c->bytes, c->len < sizeof buf ? c->len : sizeof buf);
		if (good && decode_mmio(buf, sizeof buf, c->mode, &m) != DECODE_UNSUPPORTED) {
			good = false;
			snprintf(why, sizeof why, "accepted when followed by more bytes");
		}
	} else if (st != DECODE_OK) {
		good = false;
		snprintf(why, sizeof why, "got %s", status_name(st));
	} else {
		good = matches(c, &m, why, sizeof why) && truncations_ok(c, why, sizeof why) &&
		       padded_ok(c, why, sizeof why);
	}
	check(good, name, "%s", why);
}

static struct mmio_insn load(int size, int dst, bool high8, bool zx, bool sx)
{
	return (struct mmio_insn){ .size = (uint8_t)size, .dst_size = (uint8_t)dst,
	                           .reg_high8 = high8, .zero_extend = zx, .sign_extend = sx };
}

static void check_u64(uint64_t got, uint64_t want, const char *name)
{
	check(got == want, name, "got 0x%016" PRIx64 " want 0x%016" PRIx64, got, want);
}

static void merge_tests(void)
{
	const uint64_t old = 0x1122334455667788ull;
	struct mmio_insn m;
	m = load(1, 1, false, false, false);
	check_u64(decode_merge_load(&m, old, 0xAB), 0x11223344556677ABull, "merge: 8-bit load keeps bits 63:8");
	m = load(1, 1, true, false, false);
	check_u64(decode_merge_load(&m, old, 0xAB), 0x112233445566AB88ull, "merge: AH load replaces bits 15:8 only");
	m = load(2, 2, false, false, false);
	check_u64(decode_merge_load(&m, old, 0xFFFFCDEF), 0x112233445566CDEFull, "merge: 16-bit load keeps bits 63:16");
	m = load(4, 4, false, false, false);
	check_u64(decode_merge_load(&m, old, 0x89ABCDEFull), 0x0000000089ABCDEFull, "merge: 32-bit load zero-extends to 64");
	m = load(8, 8, false, false, false);
	check_u64(decode_merge_load(&m, old, 0xFEDCBA9876543210ull), 0xFEDCBA9876543210ull, "merge: 64-bit load replaces all");
	m = load(1, 4, false, true, false);
	check_u64(decode_merge_load(&m, old, 0xFFFFFF80), 0x80, "merge: movzbl zero-extends and clears 63:32");
	m = load(1, 8, false, false, true);
	check_u64(decode_merge_load(&m, old, 0x80), 0xFFFFFFFFFFFFFF80ull, "merge: movsbq sign-extends to 64");
	m = load(1, 4, false, false, true);
	check_u64(decode_merge_load(&m, old, 0x80), 0x00000000FFFFFF80ull, "merge: movsbl sign-extends to 32, clears 63:32");
	m = load(2, 4, false, false, true);
	check_u64(decode_merge_load(&m, old, 0x7FFF), 0x7FFF, "merge: movswl of a positive value");
	m = load(1, 2, false, false, true);
	check_u64(decode_merge_load(&m, old, 0xF0), 0x112233445566FFF0ull, "merge: movsbw keeps bits 63:16");
	m = load(2, 8, false, true, false);
	check_u64(decode_merge_load(&m, old, 0xFFFF8001), 0x8001, "merge: movzwq");
	m = load(4, 8, false, false, true);
	check_u64(decode_merge_load(&m, old, 0x80000000), 0xFFFFFFFF80000000ull, "merge: movslq sign-extends");

	struct mmio_insn s = { .size = 1, .write = true };
	check_u64(decode_store_value(&s, old), 0x88, "store: 8-bit from low byte");
	s.reg_high8 = true;
	check_u64(decode_store_value(&s, old), 0x77, "store: 8-bit from AH..BH");
	s = (struct mmio_insn){ .size = 2, .write = true };
	check_u64(decode_store_value(&s, old), 0x7788, "store: 16-bit");
	s.size = 4;
	check_u64(decode_store_value(&s, old), 0x55667788, "store: 32-bit");
	s.size = 8;
	check_u64(decode_store_value(&s, old), old, "store: 64-bit");
	s = (struct mmio_insn){ .size = 4, .write = true, .has_imm = true, .imm = 0xdeadbeef };
	check_u64(decode_store_value(&s, old), 0xdeadbeef, "store: immediate ignores the register");
}

/* The decoded forms applied end to end: decode, then merge, as the hypervisor will. */
static void end_to_end_tests(void)
{
	static const uint8_t movsbl_r9[] = { 0x44, 0x0f, 0xbe, 0x0f };   /* movsbl (%rdi),%r9d */
	struct mmio_insn m;
	bool good = decode_mmio(movsbl_r9, sizeof movsbl_r9, DECODE_MODE_64, &m) == DECODE_OK &&
	            m.reg == 9 && decode_merge_load(&m, ~0ull, 0xFE) == 0xFFFFFFFEull;
	check(good, "end-to-end: movsbl (%rdi),%r9d of 0xFE gives 0xFFFFFFFE", "reg %u", m.reg);
	static const uint8_t movq_imm[] = { 0x48, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x80 };
	good = decode_mmio(movq_imm, sizeof movq_imm, DECODE_MODE_64, &m) == DECODE_OK &&
	       decode_store_value(&m, 0) == 0xFFFFFFFF80000000ull && m.size == 8;
	check(good, "end-to-end: movq $-0x80000000 stores a sign-extended 64-bit value", "size %u", m.size);
	check(decode_mmio(NULL, 0, DECODE_MODE_64, &m) == DECODE_TRUNCATED,
	      "decode: empty input is truncated", "");
	static const uint8_t nop_after_rex[] = { 0x48 };
	check(decode_mmio(nop_after_rex, 1, DECODE_MODE_64, &m) == DECODE_TRUNCATED,
	      "decode: lone REX prefix is truncated", "");
}

/* decode_linear_address: the address each form really accesses, so the hypervisor can refuse
 * to emulate an instruction that does not address the faulting gpa. */
static void linear_address_tests(void)
{
	static const struct {
		const char *name;
		enum decode_mode mode;
		uint8_t bytes[12];
		size_t len;
		uint64_t want;
	} cases[] = {
		{ "ea: mov (%rdi),%eax", DECODE_MODE_64, { 0x8b, 0x07 }, 2, 0xFED40000ull },
		{ "ea: mov 0x10(%rax,%rbx,4),%ecx", DECODE_MODE_64, { 0x8b, 0x4c, 0x98, 0x10 }, 4,
		  0x1000 + 0x10 + 4 * 0x20 },
		{ "ea: mov %eax,0x12345678(%rip)", DECODE_MODE_64,
		  { 0x89, 0x05, 0x78, 0x56, 0x34, 0x12 }, 6, 0x100000 + 6 + 0x12345678 },
		{ "ea: movabs 0xfed40120,%al", DECODE_MODE_64,
		  { 0xa0, 0x20, 0x01, 0xd4, 0xfe, 0, 0, 0, 0 }, 9, 0xFED40120ull },
		{ "ea: mov (%r12),%r9 (SIB, no index, REX.B)", DECODE_MODE_64,
		  { 0x4d, 0x8b, 0x0c, 0x24 }, 4, 0xC000 },
		{ "ea: mov 0x0(%r13,%r12,8),%eax (REX.X, REX.B)", DECODE_MODE_64,
		  { 0x43, 0x8b, 0x44, 0xe5, 0x00 }, 5, 0xD000 + 8 * 0xC000 },
		{ "ea: mov 0xfed40000,%eax via SIB is sign-extended in 64-bit mode", DECODE_MODE_64,
		  { 0x8b, 0x04, 0x25, 0x00, 0x00, 0xd4, 0xfe }, 7, 0xFFFFFFFFFED40000ull },
		{ "ea: mov -8(%rbp),%eax", DECODE_MODE_64, { 0x8b, 0x45, 0xf8 }, 3, 0x5000 - 8 },
		{ "ea: 32-bit mov 0xfed40000,%eax (mod 0 rm 5 is absolute)", DECODE_MODE_32,
		  { 0x8b, 0x05, 0x00, 0x00, 0xd4, 0xfe }, 6, 0xFED40000ull },
		{ "ea: 32-bit mov -4(%eax),%ecx wraps at 4 GiB", DECODE_MODE_32, { 0x8b, 0x48, 0xfc },
		  3, 0xFFFFFFFEull },
		{ "ea: movl $1,0x4(%rsp) uses RSP", DECODE_MODE_64,
		  { 0xc7, 0x44, 0x24, 0x04, 1, 0, 0, 0 }, 8, 0x4000 + 4 },
	};
	uint64_t regs[16] = { 0 };
	regs[0] = 0x1000;         /* rax */
	regs[3] = 0x20;           /* rbx */
	regs[4] = 0x4000;         /* rsp */
	regs[5] = 0x5000;         /* rbp */
	regs[7] = 0xFED40000;     /* rdi */
	regs[12] = 0xC000;
	regs[13] = 0xD000;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct mmio_insn m;
		uint64_t r[16];
		memcpy(r, regs, sizeof r);
		if (cases[i].mode == DECODE_MODE_32)
			r[0] = 2;         /* eax for the wrap case */
		enum decode_status st = decode_mmio(cases[i].bytes, cases[i].len, cases[i].mode, &m);
		uint64_t got = st == DECODE_OK ? decode_linear_address(&m, r, 0x100000) : 0;
		check(st == DECODE_OK && m.len == cases[i].len && got == cases[i].want, cases[i].name,
		      "status %s len %u got 0x%" PRIx64 " want 0x%" PRIx64, status_name(st), m.len,
		      got, cases[i].want);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof decode_cases / sizeof decode_cases[0]; i++)
		run_case(&decode_cases[i]);
	for (size_t i = 0; i < sizeof decode_cases / sizeof decode_cases[0]; i++)
		run_string_case(&decode_cases[i]);
	for (size_t i = 0; i < sizeof compiler_cases / sizeof compiler_cases[0]; i++)
		run_compiler_case(&compiler_cases[i]);
	merge_tests();
	end_to_end_tests();
	linear_address_tests();
	return check_exit();
}
