/*
 * The hardening attack modes of the test guest (docs/testguest.md, docs/security.md): each one
 * abuses one thing a guest controls (cache-control instructions, CR8, MSRs, XSETBV, the
 * console, its own page tables and IDT, what its RAM holds at start) and prints what it saw, so
 * a test can tell an attacker that was contained from one that got through.  The modes that
 * must be stopped end with "attack: FAILED, still running" if they were not.
 *
 * Faults the guest provokes on purpose are caught by probe_call(): a GDT and IDT of its own
 * whose 32 exception stubs record the vector and jump back to where the probe started (no IRET:
 * the stack of the faulting code is abandoned).
 */
#include <anchor/guest_abi.h>
#include <anchor/testdev.h>
#include "attack.h"
#include "console.h"

#define VEC_NONE 0xFFFFFFFFu
#define VEC_UD   6u
#define VEC_GP   13u

/* ---- probing instructions that may fault ------------------------------------------------ */

volatile uint64_t probe_rsp, probe_rip;
volatile uint32_t probe_vector;

/* Runs fn(arg); returns the exception vector it raised, or VEC_NONE. */
uint32_t probe_call(void (*fn)(void *), void *arg);

__asm__(
	".text\n"
	".p2align 4\n"
	"probe_stubs:\n"
	".set vec, 0\n"
	".rept 32\n"
	"  .p2align 4\n"
	"  movl $vec, %eax\n"
	"  jmp probe_landing\n"
	"  .set vec, vec + 1\n"
	".endr\n"
	"probe_landing:\n"
	"  movl %eax, probe_vector(%rip)\n"
	"  movq probe_rsp(%rip), %rsp\n"
	"  jmpq *probe_rip(%rip)\n"
	".globl probe_call\n"
	"probe_call:\n"
	"  push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
	"  movl $0xFFFFFFFF, probe_vector(%rip)\n"
	"  leaq 1f(%rip), %rax\n"
	"  movq %rax, probe_rip(%rip)\n"
	"  movq %rdi, %rax\n"
	"  movq %rsi, %rdi\n"
	"  subq $8, %rsp\n"
	"  movq %rsp, probe_rsp(%rip)\n"
	"  call *%rax\n"
	"1: addq $8, %rsp\n"
	"  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
	"  movl probe_vector(%rip), %eax\n"
	"  ret\n");

extern const char probe_stubs[];

struct gate {
	uint16_t off0, sel;
	uint8_t ist, attr;
	uint16_t off1;
	uint32_t off2, zero;
};

static const uint64_t gdt[3] __attribute__((aligned(16))) = {
	0, 0x00AF9A000000FFFFull /* 0x08: 64-bit code */, 0x00CF92000000FFFFull /* 0x10: data */
};
static struct gate idt[32] __attribute__((aligned(16)));

struct __attribute__((packed)) table_reg {
	uint16_t limit;
	uint64_t base;
};

/* Our own GDT (the hypervisor starts us with none) and an IDT catching vectors 0-31. */
static void probe_init(void)
{
	for (unsigned v = 0; v < 32; v++) {
		uint64_t a = (uint64_t)(uintptr_t)(probe_stubs + 16 * v);
		idt[v] = (struct gate){ (uint16_t)a, 0x08, 0, 0x8E, (uint16_t)(a >> 16),
		                        (uint32_t)(a >> 32), 0 };
	}
	struct table_reg g = { sizeof gdt - 1, (uint64_t)(uintptr_t)gdt };
	struct table_reg i = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lgdt %0; lidt %1" : : "m"(g), "m"(i) : "memory");
}

static void put_vector(uint32_t v)
{
	if (v == VEC_NONE) {
		puts_serial("no fault");
		return;
	}
	puts_serial(v == VEC_UD ? "#UD" : v == VEC_GP ? "#GP" : "vector ");
	if (v != VEC_UD && v != VEC_GP)
		put_dec(v);
}

/* ---- attack-cache: INVD, WBINVD, INVLPGA --------------------------------------------- */

#define CACHE_LOOPS 1000

static void do_invlpga(void *arg)
{
	(void)arg;
	__asm__ volatile("invlpga %%rax, %%ecx" : : "a"(0ull), "c"(0u) : "memory");
}

static void attack_cache(void)
{
	puts_serial("attack: INVD and WBINVD in a loop, then INVLPGA\n");
	for (unsigned i = 0; i < CACHE_LOOPS; i++) {
		__asm__ volatile("wbinvd" ::: "memory");
		__asm__ volatile("invd" ::: "memory");
	}
	puts_serial("cache: ");
	put_dec(CACHE_LOOPS);
	puts_serial(" INVD + WBINVD done\n");
	uint32_t v = probe_call(do_invlpga, 0);
	puts_serial("cache: INVLPGA -> ");
	put_vector(v);
	puts_serial("\n");
}

/* ---- attack-cr8: raise the TPR ------------------------------------------------------- */

static void cr8_write(void *arg)
{
	__asm__ volatile("mov %0, %%cr8" : : "r"(*(uint64_t *)arg) : "memory");
}

static void attack_cr8(void)
{
	puts_serial("attack: CR8 = 15 (would mask the hypervisor's wake-up IPIs on this CPU)\n");
	uint64_t v = 15, back;
	cr8_write(&v);
	__asm__ volatile("mov %%cr8, %0" : "=r"(back));
	puts_serial("cr8: reads back ");
	put_dec(back);
	puts_serial("\n");
	v = 16;
	uint32_t vec = probe_call(cr8_write, &v);
	puts_serial("cr8: write of 16 (reserved bits) -> ");
	put_vector(vec);
	puts_serial("\ncr8: left at 15\n");
	v = 15;
	cr8_write(&v);
}

/* ---- attack-msr: speculation-control coherence and forbidden MSRs ---------------------- */

struct msr_op {
	uint32_t msr;
	bool write;
	uint64_t value;
	uint64_t result;
};

static void do_msr(void *arg)
{
	struct msr_op *op = arg;
	uint32_t lo, hi;
	if (op->write) {
		__asm__ volatile("wrmsr" : : "c"(op->msr), "a"((uint32_t)op->value),
		                 "d"((uint32_t)(op->value >> 32)) : "memory");
		return;
	}
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(op->msr) : "memory");
	op->result = (uint64_t)hi << 32 | lo;
}

static uint32_t msr_probe(uint32_t msr, bool write, uint64_t value)
{
	struct msr_op op = { msr, write, value, 0 };
	return probe_call(do_msr, &op);
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
	                 : "a"(leaf), "c"(sub));
}

/* A CPUID feature and the MSR access it promises to make work. */
struct promise {
	const char *name;
	uint32_t leaf, reg, bit;   /* reg: 1 EBX, 3 EDX */
	uint32_t msr;
	bool write;
	uint64_t value;
};

static const struct promise promises[] = {
	{ "IBRS/IBPB (7.EDX[26]) -> SPEC_CTRL", 7, 3, 26, 0x48, false, 0 },
	{ "IBRS/IBPB (7.EDX[26]) -> PRED_CMD", 7, 3, 26, 0x49, true, 1 },
	{ "STIBP (7.EDX[27]) -> SPEC_CTRL", 7, 3, 27, 0x48, false, 0 },
	{ "L1D_FLUSH (7.EDX[28]) -> FLUSH_CMD", 7, 3, 28, 0x10B, true, 1 },
	{ "ARCH_CAPABILITIES (7.EDX[29])", 7, 3, 29, 0x10A, false, 0 },
	{ "SSBD (7.EDX[31]) -> SPEC_CTRL", 7, 3, 31, 0x48, false, 0 },
	{ "AMD IBPB (80000008.EBX[12]) -> PRED_CMD", 0x80000008u, 1, 12, 0x49, true, 1 },
	{ "AMD IBRS (80000008.EBX[14]) -> SPEC_CTRL", 0x80000008u, 1, 14, 0x48, false, 0 },
	{ "AMD STIBP (80000008.EBX[15]) -> SPEC_CTRL", 0x80000008u, 1, 15, 0x48, false, 0 },
	{ "AMD SSBD (80000008.EBX[24]) -> SPEC_CTRL", 0x80000008u, 1, 24, 0x48, false, 0 },
	{ "AMD VIRT_SSBD (80000008.EBX[25]) -> VIRT_SPEC_CTRL", 0x80000008u, 1, 25, 0xC001011Fu,
	  false, 0 },
};

/* MSRs a guest must never reach: each access must raise #GP (or be harmless and refused). */
static const struct { const char *name; uint32_t msr; bool write; uint64_t value; } forbidden[] = {
	{ "APIC_BASE read", 0x1B, false, 0 },
	{ "FEATURE_CONTROL write", 0x3A, true, 5 },
	{ "EFER write with SVME", 0xC0000080u, true, 0xD01 | (1u << 12) },
	{ "VM_CR write", 0xC0010114u, true, 0 },
	{ "VM_HSAVE_PA write", 0xC0010117u, true, 0x1000 },
	{ "SYSENTER_EIP read", 0x176, false, 0 },
	{ "MTRRdefType write", 0x2FF, true, 0 },
	{ "x2APIC ICR write", 0x830, true, 0xFE },
};

static unsigned check_promises(void)
{
	uint32_t r[4], max_basic, max_ext;
	cpuid(0, 0, r);
	max_basic = r[0];
	cpuid(0x80000000u, 0, r);
	max_ext = r[0];
	unsigned broken = 0;
	for (unsigned i = 0; i < sizeof promises / sizeof promises[0]; i++) {
		const struct promise *p = &promises[i];
		uint32_t max = p->leaf >= 0x80000000u ? max_ext : max_basic;
		if (p->leaf > max)
			continue;
		cpuid(p->leaf, 0, r);
		if (!((r[p->reg] >> p->bit) & 1))
			continue;
		uint32_t v = msr_probe(p->msr, p->write, p->value);
		puts_serial("msr: advertised ");
		puts_serial(p->name);
		puts_serial(" -> ");
		put_vector(v);
		puts_serial(v == VEC_NONE ? " (coherent)\n" : " (INCOHERENT)\n");
		broken += v != VEC_NONE;
	}
	return broken;
}

static unsigned check_forbidden(void)
{
	unsigned reached = 0;
	for (unsigned i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++) {
		uint32_t v = msr_probe(forbidden[i].msr, forbidden[i].write, forbidden[i].value);
		puts_serial("msr: ");
		puts_serial(forbidden[i].name);
		puts_serial(" -> ");
		put_vector(v);
		puts_serial(v == VEC_GP ? "\n" : " (REACHED)\n");
		reached += v != VEC_GP;
	}
	return reached;
}

static void do_xsetbv(void *arg)
{
	uint64_t v = *(uint64_t *)arg;
	__asm__ volatile("xsetbv" : : "c"(0u), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static void set_osxsave(void *arg)
{
	(void)arg;
	uint64_t cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | (1ull << 18)) : "memory");
}

/* XSETBV with a value no CPU accepts (x87 bit clear), then x87 only: #GP and success if the
 * guest is given XSAVE, or a clean stop by the hypervisor if XSETBV is not offered. */
static void probe_xsetbv(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	if (!(r[2] & (1u << 26))) {
		puts_serial("xsetbv: no XSAVE advertised\n");
		return;
	}
	uint32_t v = probe_call(set_osxsave, 0);
	puts_serial("xsetbv: CR4.OSXSAVE -> ");
	put_vector(v);
	puts_serial("\n");
	uint64_t bad = 0, x87 = 1;
	v = probe_call(do_xsetbv, &bad);
	puts_serial("xsetbv: XCR0 = 0 -> ");
	put_vector(v);
	puts_serial("\n");
	v = probe_call(do_xsetbv, &x87);
	puts_serial("xsetbv: XCR0 = 1 -> ");
	put_vector(v);
	puts_serial("\n");
}

static void attack_msr(void)
{
	puts_serial("attack: MSR probes (CPUID promises, forbidden MSRs) and XSETBV\n");
	unsigned broken = check_promises();
	unsigned reached = check_forbidden();
	puts_serial("msr: ");
	put_dec(broken);
	puts_serial(" incoherent, ");
	put_dec(reached);
	puts_serial(" forbidden MSRs reached\n");
	probe_xsetbv();
}

/* ---- attack-flood: console flooding -------------------------------------------------- */

#define FLOOD_LINES 2000

static void attack_flood(void)
{
	puts_serial("attack: flooding the console with ");
	put_dec(FLOOD_LINES);
	puts_serial(" lines\n");
	for (unsigned i = 0; i < FLOOD_LINES; i++) {
		puts_serial("flood: ");
		put_dec(i);
		puts_serial(" ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
		            "ABCDEFGHIJKLMNOPQRSTUVWXYZ\n");
	}
	puts_serial("flood: done\n");
}

/* ---- attack-walk: MMIO through a page walk that reads the TPM window ----------------- */

static void reload_cr3(void)
{
	uint64_t cr3;
	__asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) : : "memory");
}

static void attack_walk(void)
{
	/* PML4[1] (linear 512 GiB - 1 TiB) names a PDPT "at" the TPM window: the CPU's walk
	 * reads the window, not the load below.  Emulating the load there would hand the guest
	 * TPM register contents as page-table data and skip the instruction. */
	uint64_t *pml4 = (uint64_t *)(uintptr_t)GUEST_PT_BASE;
	pml4[1] = TESTDEV_BASE | 0x3;
	reload_cr3();
	puts_serial("attack: load through a page walk whose PDPT is the TPM window\n");
	uint64_t v;
	__asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(0x8000000000ull) : "memory");
	puts_serial("attack: FAILED, still running (read ");
	put_hex(v);
	puts_serial(")\n");
}

/* ---- attack-delivery: an exception whose delivery reads the TPM window --------------- */

static void attack_delivery(void)
{
	/* The IDT "is" the TPM window: the #GP of the non-canonical load below makes the CPU read
	 * gate 13 at 0xFED400D0.  Emulating the load instead would lose the #GP and skip it. */
	struct table_reg i = { 0xFFF, TESTDEV_BASE };
	puts_serial("attack: #GP with the IDT in the TPM window\n");
	uint64_t v;
	__asm__ volatile("lidt %1; movq (%2), %0"
	                 : "=r"(v) : "m"(i), "r"(0x8000000000000000ull) : "memory");
	puts_serial("attack: FAILED, still running (read ");
	put_hex(v);
	puts_serial(")\n");
}

/* ---- scan-ram: is all RAM zero except what the hypervisor put there? ----------------- */

extern char __bss_end[];

static void scan_ram(const struct guest_info *gi)
{
	/* What is meant to be non-zero: guest_info, the initial page tables, this image, and the
	 * stack at the top of RAM (64 KiB is far more than this guest uses). */
	const struct { uint64_t lo, hi; } used[] = {
		{ GUEST_INFO_BASE, GUEST_INFO_BASE + 0x1000 },
		{ GUEST_PT_BASE, GUEST_PT_BASE + 0x6000 },
		{ GUEST_LOAD_MIN, ((uint64_t)(uintptr_t)__bss_end + 0xFFF) & ~0xFFFull },
		{ gi->ram_size - 0x10000, gi->ram_size },
	};
	puts_serial("scan: looking for non-zero bytes in ");
	put_dec(gi->ram_size >> 20);
	puts_serial(" MiB outside guest_info, page tables, image and stack\n");
	uint64_t dirty = 0, first = 0, scanned = 0;
	for (uint64_t a = 0; a < gi->ram_size; a += 8) {
		bool skip = false;
		for (unsigned k = 0; k < sizeof used / sizeof used[0]; k++)
			if (a >= used[k].lo && a < used[k].hi) {
				a = used[k].hi - 8;
				skip = true;
				break;
			}
		if (skip)
			continue;
		uint64_t q = *(volatile uint64_t *)(uintptr_t)a;
		scanned += 8;
		if (q && !dirty++)
			first = a;
	}
	puts_serial("scan: ");
	put_dec(dirty);
	puts_serial(" non-zero quadwords in ");
	put_dec(scanned);
	puts_serial(" bytes");
	if (dirty) {
		puts_serial(", first at ");
		put_hex(first);
	}
	puts_serial("\n");
}

/* ---- dispatch ------------------------------------------------------------------------ */

bool attack_run(const char *args, const struct guest_info *gi)
{
	static const struct { const char *word; void (*run)(void); bool probes; } modes[] = {
		{ "attack-cache", attack_cache, true },
		{ "attack-cr8", attack_cr8, true },
		{ "attack-msr", attack_msr, true },
		{ "attack-flood", attack_flood, false },
		{ "attack-walk", attack_walk, false },
		{ "attack-delivery", attack_delivery, false },
	};
	if (mode_is(args, "scan-ram")) {
		scan_ram(gi);
		return true;
	}
	for (unsigned i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		if (!mode_is(args, modes[i].word))
			continue;
		if (modes[i].probes)
			probe_init();
		modes[i].run();
		return true;
	}
	return false;
}
