/*
 * The Anchor test guest (guest_abi.h, testdev.h; docs in docs/testguest.md).
 *
 * Freestanding, no libc.  Prints through COM1 and, depending on guest_info.args (first word):
 *   mmio (default)  8/16/32/64-bit reads and writes in the TPM window, checked against the
 *                   test device's semantics (initial bytes, read-back, LAST_ACCESS), using the
 *                   instruction forms drivers and compilers emit; one line per check and a
 *                   summary line.
 *   tpm, tpm-load, tpm-hostile, tpm-reset, tpm-bench
 *                   drive the vTPM at 0xFED40000 like Linux's tpm_tis/tpm_crb (tpm_modes.h).
 *   attack-oob      reads guest-physical ram_size + 16 MiB (outside its RAM).
 *   attack-hv       writes above its RAM at 0x1000000 (or ram_size if RAM is larger): where a
 *                   hypervisor without nested paging would let it reach host memory.
 *   attack-triple   zero-limit IDT + int3: triple fault.
 *   attack-insn     rep stosb into the TPM window: a string MMIO store the decoder refuses.
 *   the hardening attacks (attack-cache, attack-cr8, attack-msr, attack-flood, attack-walk,
 *   attack-delivery, scan-ram) are in attack.c.
 * Every access is written as inline asm so the instruction form is certain, not left to the
 * compiler.
 */
#include "attack.h"
#include "console.h"
#include "tpm_io_guest.h"
#include "tpm_modes.h"
#include <anchor/guest_abi.h>
#include <anchor/testdev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- A model of the test device --------------------------------------------------------- */

/* What the window should hold: updated on every write the guest makes. */
static uint8_t shadow[TESTDEV_SIZE];
/* TESTDEV_DESCRIBE of the guest's latest plain access (the rdN/wrN helpers): what LAST_ACCESS reports
 * during the next one. */
static uint64_t last_access;

/* The value a read should return, given the description of the access before it (bytes of
 * LAST_ACCESS read back that description). */
static uint64_t model_read_after(uint64_t off, unsigned width, uint64_t prev)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++) {
		uint64_t o = off + i, byte;
		if (o >= TESTDEV_LAST_ACCESS && o < TESTDEV_LAST_ACCESS + 8)
			byte = (prev >> (8 * (o - TESTDEV_LAST_ACCESS))) & 0xFF;
		else
			byte = shadow[o];
		v |= byte << (8 * i);
	}
	return v;
}

static uint64_t model_read(uint64_t off, unsigned width)
{
	return model_read_after(off, width, last_access);
}

static void model_write(uint64_t off, unsigned width, uint64_t v)
{
	for (unsigned i = 0; i < width; i++)
		if (off + i < TESTDEV_LAST_ACCESS || off + i >= TESTDEV_LAST_ACCESS + 8)
			shadow[off + i] = (uint8_t)(v >> (8 * i));
}

static void model_init(void)
{
	for (unsigned i = 0; i < TESTDEV_SIZE; i++)
		shadow[i] = TESTDEV_INIT_BYTE(i);
}

static uintptr_t win(uint64_t off)
{
	return (uintptr_t)(TESTDEV_BASE + off);
}

/* ---- Plain mov accessors (the readb/readw/readl/readq family) ----------------------------- */

static uint64_t rd8(uint64_t off)
{
	uint8_t v;
	__asm__ volatile("movb (%1), %0" : "=q"(v) : "r"(win(off)) : "memory");
	last_access = TESTDEV_DESCRIBE(off, 1, 0);
	return v;
}

static uint64_t rd16(uint64_t off)
{
	uint16_t v;
	__asm__ volatile("movw (%1), %0" : "=r"(v) : "r"(win(off)) : "memory");
	last_access = TESTDEV_DESCRIBE(off, 2, 0);
	return v;
}

static uint64_t rd32(uint64_t off)
{
	uint32_t v;
	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(win(off)) : "memory");
	last_access = TESTDEV_DESCRIBE(off, 4, 0);
	return v;
}

static uint64_t rd64(uint64_t off)
{
	uint64_t v;
	__asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(win(off)) : "memory");
	last_access = TESTDEV_DESCRIBE(off, 8, 0);
	return v;
}

static void wr8(uint64_t off, uint64_t v)
{
	__asm__ volatile("movb %0, (%1)" : : "q"((uint8_t)v), "r"(win(off)) : "memory");
	last_access = TESTDEV_DESCRIBE(off, 1, 1);
}

static void wr16(uint64_t off, uint64_t v)
{
	__asm__ volatile("movw %0, (%1)" : : "r"((uint16_t)v), "r"(win(off)) : "memory");
	last_access = TESTDEV_DESCRIBE(off, 2, 1);
}

static void wr32(uint64_t off, uint64_t v)
{
	__asm__ volatile("movl %0, (%1)" : : "r"((uint32_t)v), "r"(win(off)) : "memory");
	last_access = TESTDEV_DESCRIBE(off, 4, 1);
}

static void wr64(uint64_t off, uint64_t v)
{
	__asm__ volatile("movq %0, (%1)" : : "r"(v), "r"(win(off)) : "memory");
	last_access = TESTDEV_DESCRIBE(off, 8, 1);
}

static uint64_t rd(unsigned width, uint64_t off)
{
	switch (width) {
	case 1: return rd8(off);
	case 2: return rd16(off);
	case 4: return rd32(off);
	default: return rd64(off);
	}
}

static void wr(unsigned width, uint64_t off, uint64_t v)
{
	switch (width) {
	case 1: wr8(off, v); break;
	case 2: wr16(off, v); break;
	case 4: wr32(off, v); break;
	default: wr64(off, v); break;
	}
}

/* ---- Checks ------------------------------------------------------------------------------ */

static unsigned checks_run, checks_failed;

static void report(const char *what, uint64_t arg, bool has_arg, bool good, const char *field,
                   uint64_t got, uint64_t want)
{
	checks_run++;
	puts_serial("mmio: ");
	puts_serial(what);
	if (has_arg) {
		puts_serial(" @");
		put_hex(arg);
	}
	if (good) {
		puts_serial(" ok\n");
		return;
	}
	checks_failed++;
	puts_serial(" FAIL ");
	puts_serial(field);
	puts_serial(" got ");
	put_hex(got);
	puts_serial(" want ");
	put_hex(want);
	puts_serial("\n");
}

/*
 * Finishes a check of one access: the value seen (for loads/read-backs) must equal the
 * expectation, and LAST_ACCESS (read with a plain 64-bit mov) must describe the access.
 */
static void conclude(const char *what, uint64_t off, uint64_t got, uint64_t want,
                     unsigned width, bool write)
{
	uint64_t described = rd64(TESTDEV_LAST_ACCESS);
	uint64_t want_desc = TESTDEV_DESCRIBE(off, width, write);
	if (got != want)
		report(what, off, true, false, "value", got, want);
	else
		report(what, off, true, described == want_desc, "last-access", described, want_desc);
}

static void check_read(const char *what, unsigned width, uint64_t off)
{
	uint64_t want = model_read(off, width);   /* before rd() updates last_access */
	uint64_t got = rd(width, off);
	conclude(what, off, got, want, width, false);
}

/* Writes, checks LAST_ACCESS describes the write, then reads back with the same width. */
static void check_write(const char *what, unsigned width, uint64_t off, uint64_t v)
{
	wr(width, off, v);
	model_write(off, width, v);
	conclude(what, off, 0, 0, width, true);
	check_read("  read-back", width, off);
}

static const char *const read_names[] = { "", "read8", "read16", "", "read32", "", "", "", "read64" };
static const char *const write_names[] = { "", "write8", "write16", "", "write32", "", "", "", "write64" };

static void initial_contents(void)
{
	static const struct { unsigned width; uint64_t off; } reads[] = {
		{ 1, 0x0 }, { 1, 0x4FF7 }, { 2, 0x10 }, { 2, 0x11 }, { 4, 0x1000 }, { 4, 0x1003 },
		{ 8, 0x2000 }, { 8, 0x2005 }, { 8, 0x4FF0 }, { 4, 0x4FF4 },
	};
	for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++)
		check_read(read_names[reads[i].width], reads[i].width, reads[i].off);
}

static void write_read_back(void)
{
	static const struct { unsigned width; uint64_t off; uint64_t v; } writes[] = {
		{ 1, 0x100, 0x5A }, { 1, 0x101, 0xC3 }, { 2, 0x110, 0xBEEF }, { 2, 0x113, 0x1234 },
		{ 4, 0x120, 0xDEADBEEF }, { 4, 0x126, 0x01020304 }, { 8, 0x140, 0x0123456789ABCDEFull },
		{ 8, 0x14B, 0xFEDCBA9876543210ull }, { 8, 0x4FF0, 0x1122334455667788ull },
		{ 4, 0x4FFC, 0xFFFFFFFF } /* inside LAST_ACCESS: ignored */,
	};
	for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++)
		check_write(write_names[writes[i].width], writes[i].width, writes[i].off, writes[i].v);
	/* Mixed widths over what was just written. */
	check_read("read8 of a write32", 1, 0x122);
	check_read("read16 across a write boundary", 2, 0x13F);
	check_read("read32 of a write64", 4, 0x14C);
	check_read("read64 across write8s", 8, 0xFD);
}

/* Loads with a register merge: the value a register holds after the instruction. */
static void check_load_form(const char *what, uint64_t off, uint64_t got, uint64_t want,
                            unsigned width)
{
	conclude(what, off, got, want, width, false);
}

static uint64_t sext(uint64_t v, unsigned from_bytes)
{
	unsigned bits = 8 * from_bytes;
	uint64_t sign = 1ull << (bits - 1);
	v &= (sign << 1) - 1;
	return (v ^ sign) - sign;
}

static void instruction_forms(void)
{
	const uint64_t old = 0x1122334455667788ull;
	uint64_t off, v;

	/* Sign bit set in the test bytes so movsx and movzx differ. */
	wr16(0x200, 0x8180);
	model_write(0x200, 2, 0x8180);
	wr32(0x204, 0x80000001);
	model_write(0x204, 4, 0x80000001);
	(void)rd64(TESTDEV_LAST_ACCESS);

	off = 0x200;
	__asm__ volatile("movzbl (%1), %k0" : "=r"(v) : "r"(win(off)) : "memory");
	check_load_form("movzbl", off, v, 0x80, 1);
	__asm__ volatile("movzwq (%1), %0" : "=r"(v) : "r"(win(off)) : "memory");
	check_load_form("movzwq", off, v, 0x8180, 2);
	__asm__ volatile("movsbq (%1), %0" : "=r"(v) : "r"(win(off)) : "memory");
	check_load_form("movsbq", off, v, sext(0x80, 1), 1);
	__asm__ volatile("movswl (%1), %k0" : "=r"(v) : "r"(win(off)) : "memory");
	check_load_form("movswl", off, v, sext(0x8180, 2) & 0xFFFFFFFFull, 2);
	off = 0x204;
	__asm__ volatile("movslq (%1), %0" : "=r"(v) : "r"(win(off)) : "memory");
	check_load_form("movslq", off, v, 0xFFFFFFFF80000001ull, 4);

	/* Register merge rules: 8/16-bit loads keep the rest, 32-bit loads clear bits 63:32. */
	off = 0x200;
	v = old;
	__asm__ volatile("movb (%1), %b0" : "+q"(v) : "r"(win(off)) : "memory");
	check_load_form("movb keeps bits 63:8", off, v, (old & ~0xFFull) | 0x80, 1);
	v = old;
	__asm__ volatile("movw (%1), %w0" : "+r"(v) : "r"(win(off)) : "memory");
	check_load_form("movw keeps bits 63:16", off, v, (old & ~0xFFFFull) | 0x8180, 2);
	v = old;
	__asm__ volatile("movl (%1), %k0" : "+r"(v) : "r"(win(off)) : "memory");
	check_load_form("movl clears bits 63:32", off, v, model_read(off, 4), 4);
	__asm__ volatile("movq %2, %%rax; movb (%1), %%ah; movq %%rax, %0"
	                 : "=r"(v) : "r"(win(off)), "r"(old) : "rax", "memory");
	check_load_form("movb to %ah", off, v, (old & ~0xFF00ull) | 0x8000, 1);

	/* r8-r15 and the REX-only byte registers. */
	off = 0x120;
	__asm__ volatile("movl (%1), %%r9d; movq %%r9, %0" : "=r"(v) : "r"(win(off)) : "r9", "memory");
	check_load_form("movl to %r9d", off, v, model_read(off, 4), 4);
	__asm__ volatile("movq (%1), %%r15; movq %%r15, %0" : "=r"(v) : "r"(win(0x140)) : "r15", "memory");
	check_load_form("movq to %r15", 0x140, v, model_read(0x140, 8), 8);
	v = 0;
	__asm__ volatile("movb (%1), %%sil; movzbl %%sil, %k0" : "=r"(v) : "r"(win(0x101)) : "rsi", "memory");
	check_load_form("movb to %sil", 0x101, v, model_read(0x101, 1), 1);
	__asm__ volatile("movq %1, %%r8; movb 0x0(%%r8,%2,1), %%dil; movzbl %%dil, %k0"
	                 : "=r"(v) : "r"(win(0)), "r"(0x100ull) : "r8", "rdi", "memory");
	check_load_form("movb (base,index) to %dil", 0x100, v, model_read(0x100, 1), 1);

	off = 0x300;
	__asm__ volatile("movq %0, %%r14; movq %%r14, (%1)" : : "r"(0xA1A2A3A4A5A6A7A8ull), "r"(win(off))
	                 : "r14", "memory");
	model_write(off, 8, 0xA1A2A3A4A5A6A7A8ull);
	conclude("movq from %r14", off, 0, 0, 8, true);
	check_read("  read-back", 8, off);
	__asm__ volatile("movb %%sil, (%1)" : : "S"(0x77ull), "r"(win(0x308)) : "memory");
	model_write(0x308, 1, 0x77);
	conclude("movb from %sil", 0x308, 0, 0, 1, true);
	check_read("  read-back", 1, 0x308);
	__asm__ volatile("movb %%ch, (%1)" : : "c"(0x6655ull), "Q"(win(0x309)) : "memory");
	model_write(0x309, 1, 0x66);
	conclude("movb from %ch", 0x309, 0, 0, 1, true);
	check_read("  read-back", 1, 0x309);
	__asm__ volatile("movq %0, %%r10; movw %%r10w, (%1)" : : "r"(0x4321ull), "r"(win(0x30A))
	                 : "r10", "memory");
	model_write(0x30A, 2, 0x4321);
	conclude("movw from %r10w", 0x30A, 0, 0, 2, true);
	check_read("  read-back", 2, 0x30A);

	/* Immediate stores (C6/C7; REX.W C7 sign-extends its imm32). */
	__asm__ volatile("movb $0x5a, (%0)" : : "r"(win(0x310)) : "memory");
	model_write(0x310, 1, 0x5A);
	conclude("movb $imm8", 0x310, 0, 0, 1, true);
	check_read("  read-back", 1, 0x310);
	__asm__ volatile("movw $0xbeef, (%0)" : : "r"(win(0x312)) : "memory");
	model_write(0x312, 2, 0xBEEF);
	conclude("movw $imm16", 0x312, 0, 0, 2, true);
	check_read("  read-back", 2, 0x312);
	__asm__ volatile("movl $0xcafef00d, 0x4(%0)" : : "r"(win(0x310)) : "memory");
	model_write(0x314, 4, 0xCAFEF00D);
	conclude("movl $imm32 (disp8)", 0x314, 0, 0, 4, true);
	check_read("  read-back", 4, 0x314);
	__asm__ volatile("movq $-2, 0x1000(%0)" : : "r"(win(0x318 - 0x1000)) : "memory");
	model_write(0x318, 8, 0xFFFFFFFFFFFFFFFEull);
	conclude("movq $imm32 sign-extended (disp32)", 0x318, 0, 0, 8, true);
	check_read("  read-back", 8, 0x318);

	/* movabs: A0-A3 with the absolute 64-bit address. */
	uint8_t b;
	uint16_t w;
	uint32_t d;
	uint64_t q;
	__asm__ volatile("movabs 0xFED40120, %%al" : "=a"(b) : : "memory");
	check_load_form("movabs moffs -> %al", 0x120, b, model_read(0x120, 1), 1);
	__asm__ volatile("movabs 0xFED40122, %%ax" : "=a"(w) : : "memory");
	check_load_form("movabs moffs -> %ax", 0x122, w, model_read(0x122, 2), 2);
	__asm__ volatile("movabs 0xFED40120, %%eax" : "=a"(d) : : "memory");
	check_load_form("movabs moffs -> %eax", 0x120, d, model_read(0x120, 4), 4);
	__asm__ volatile("movabs 0xFED40140, %%rax" : "=a"(q) : : "memory");
	check_load_form("movabs moffs -> %rax", 0x140, q, model_read(0x140, 8), 8);
	__asm__ volatile("movabs %%al, 0xFED40400" : : "a"((uint8_t)0x9C) : "memory");
	model_write(0x400, 1, 0x9C);
	conclude("movabs %al -> moffs", 0x400, 0, 0, 1, true);
	check_read("  read-back", 1, 0x400);
	__asm__ volatile("movabs %%ax, 0xFED40402" : : "a"((uint16_t)0x9D9E) : "memory");
	model_write(0x402, 2, 0x9D9E);
	conclude("movabs %ax -> moffs", 0x402, 0, 0, 2, true);
	check_read("  read-back", 2, 0x402);
	__asm__ volatile("movabs %%eax, 0xFED40404" : : "a"((uint32_t)0x0A0B0C0D) : "memory");
	model_write(0x404, 4, 0x0A0B0C0D);
	conclude("movabs %eax -> moffs", 0x404, 0, 0, 4, true);
	check_read("  read-back", 4, 0x404);
	__asm__ volatile("movabs %%rax, 0xFED40408" : : "a"(0x1F2E3D4C5B6A7988ull) : "memory");
	model_write(0x408, 8, 0x1F2E3D4C5B6A7988ull);
	conclude("movabs %rax -> moffs", 0x408, 0, 0, 8, true);
	check_read("  read-back", 8, 0x408);
}

static void last_access_register(void)
{
	/* LAST_ACCESS describes a read of itself, and ignores (but describes) writes. */
	(void)rd64(TESTDEV_LAST_ACCESS);
	uint64_t desc = rd64(TESTDEV_LAST_ACCESS);
	uint64_t want = TESTDEV_DESCRIBE(TESTDEV_LAST_ACCESS, 8, 0);
	report("LAST_ACCESS after reading LAST_ACCESS", 0, false, desc == want, "value", desc, want);
	wr64(TESTDEV_LAST_ACCESS, 0xFFFFFFFFFFFFFFFFull);
	desc = rd64(TESTDEV_LAST_ACCESS);
	want = TESTDEV_DESCRIBE(TESTDEV_LAST_ACCESS, 8, 1);
	report("write to LAST_ACCESS ignored and described", 0, false, desc == want, "value", desc, want);
	wr8(0x4FFF, 0);
	desc = rd64(TESTDEV_LAST_ACCESS);
	want = TESTDEV_DESCRIBE(0x4FFF, 1, 1);
	report("write8 at the window's last byte (in LAST_ACCESS) described", 0, false, desc == want, "value", desc, want);
}

static void run_mmio(void)
{
	model_init();
	initial_contents();
	write_read_back();
	instruction_forms();
	last_access_register();
	if (checks_failed == 0) {
		puts_serial("mmio: all ");
		put_dec(checks_run);
		puts_serial(" checks passed\n");
	} else {
		puts_serial("mmio: ");
		put_dec(checks_failed);
		puts_serial(" of ");
		put_dec(checks_run);
		puts_serial(" checks FAILED\n");
	}
}

/* ---- Attacks ----------------------------------------------------------------------------- */

static void attack_oob(const struct guest_info *gi)
{
	uint64_t gpa = gi->ram_size + 0x1000000;
	if (gpa >= TESTDEV_BASE && gpa < TESTDEV_BASE + TESTDEV_SIZE)
		gpa = TESTDEV_BASE + 0x10000;   /* never the one window that is meant to trap */
	puts_serial("attack: reading outside my RAM at ");
	put_hex(gpa);
	puts_serial("\n");
	uint64_t v;
	__asm__ volatile("movq (%1), %0" : "=r"(v) : "r"((uintptr_t)gpa) : "memory");
	puts_serial("attack: FAILED, still running (read ");
	put_hex(v);
	puts_serial(")\n");
}

static void attack_hv(const struct guest_info *gi)
{
	uint64_t gpa = gi->ram_size <= 0x1000000 ? 0x1000000 : gi->ram_size;
	puts_serial("attack: writing to guest-physical ");
	put_hex(gpa);
	puts_serial(" (above my RAM; where the hypervisor lives in host memory)\n");
	__asm__ volatile("movq %0, (%1)" : : "r"(0x4141414141414141ull), "r"((uintptr_t)gpa) : "memory");
	puts_serial("attack: FAILED, still running\n");
}

static void attack_triple(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr = { 0, 0 };
	puts_serial("attack: triple fault (zero-limit IDT, int3)\n");
	__asm__ volatile("lidt %0; int3" : : "m"(idtr) : "memory");
	puts_serial("attack: FAILED, still running\n");
}

static void attack_insn(void)
{
	puts_serial("attack: rep stosb into the TPM window\n");
	uintptr_t dst = TESTDEV_BASE;
	uint64_t count = 16;
	__asm__ volatile("cld; rep stosb" : "+D"(dst), "+c"(count) : "a"(0x41) : "memory");
	puts_serial("attack: FAILED, still running\n");
}

/* ---- Entry ------------------------------------------------------------------------------- */

/* Whether the first word of args is `word`. */
bool mode_is(const char *args, const char *word)
{
	size_t i = 0;
	for (; word[i]; i++)
		if (args[i] != word[i])
			return false;
	return args[i] == '\0' || args[i] == ' ' || args[i] == '\t';
}

void testguest_main(const struct guest_info *gi);

void testguest_main(const struct guest_info *gi)
{
	if (!gi || gi->magic != GUEST_INFO_MAGIC) {
		puts_serial("testguest: bad guest_info (magic) at RDI, stopping\n");
		halt();
	}
	char args[sizeof gi->args];
	for (size_t i = 0; i < sizeof args; i++)
		args[i] = gi->args[i];
	args[sizeof args - 1] = '\0';
	const char *a = args;
	while (*a == ' ' || *a == '\t')
		a++;
	puts_serial("testguest: lpar ");
	char name[sizeof gi->name];
	for (size_t i = 0; i < sizeof name; i++)
		name[i] = gi->name[i];
	name[sizeof name - 1] = '\0';
	puts_serial(name);
	puts_serial(", index ");
	put_dec(gi->lpar_index);
	puts_serial(", ");
	put_dec(gi->ram_size >> 20);
	puts_serial(" MiB RAM, mode '");
	puts_serial(*a ? a : "mmio");
	puts_serial("'\n");

	static struct guest_tpm_io tpm_io;
	if (*a == '\0' || mode_is(a, "mmio"))
		run_mmio();
	else if (tpm_mode_run(a, name, guest_tpm_io(&tpm_io, gi->ram_size)))
		;
	else if (mode_is(a, "attack-oob"))
		attack_oob(gi);
	else if (mode_is(a, "attack-hv"))
		attack_hv(gi);
	else if (mode_is(a, "attack-triple"))
		attack_triple();
	else if (mode_is(a, "attack-insn"))
		attack_insn();
	else if (attack_run(a, gi))
		;
	else
		puts_serial("testguest: unknown mode (mmio, tpm, tpm-load, tpm-hostile, tpm-reset, "
		            "tpm-bench, attack-oob, attack-hv, attack-triple, attack-insn, attack-cache, "
		            "attack-cr8, attack-msr, attack-flood, attack-walk, attack-delivery, "
		            "scan-ram)\n");
	halt();
}
