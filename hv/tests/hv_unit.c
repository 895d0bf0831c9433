/*
 * Host unit tests of the hypervisor core: the exit loop of hv/lpar.c driven by a scripted fake
 * vCPU back end (MMIO through decode + the test device, attacks, console, CPUID, MSRs), the
 * ELF image checks, the page allocator, the MADT parser, the event-log replay and the console
 * formatter.  "Physical" memory is host memory: the hypervisor is identity-mapped, so host
 * pointers serve as physical addresses.
 */
#include <anchor/anchoring.h>
#include <anchor/boot_info.h>
#include <anchor/guest_abi.h>
#include <anchor/htpm.h>
#include <anchor/hv.h>
#include <anchor/config.h>
#include <anchor/lpar.h>
#include <anchor/testdev.h>
#include <anchor/vtpm.h>
#include <bearssl_hash.h>
#include "../core.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

/* The hypervisor never frees pages (static partitioning); neither does this test's page_alloc. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_leaks=0"; }

/* ---- stubs for the rest of the hypervisor ---- */

static char console[16384];
static size_t console_len;

void console_vprintf(const char *fmt, va_list ap)
{
	console_len += vformat_string(console + console_len, sizeof console - console_len, fmt, ap);
	if (console_len >= sizeof console)
		console_len = sizeof console - 1;
}

void console_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

void spin_lock(spinlock_t *l) { l->locked = 1; }
void spin_unlock(spinlock_t *l) { l->locked = 0; }
unsigned cpu_index(void) { return 1; }
uint32_t cpu_apic_id(unsigned cpu) { return cpu; }
uint64_t tsc_per_ms(void) { return 1000000; }
static unsigned kicks;
void bsp_kick(void) { kicks++; }
void bsp_sleep(void) {}
void console_service(bool wait) { (void)wait; }

/* ---- a recording TPM engine and anchoring (the HTPM's tests) ---- */

struct tpm2_platform;
struct tpm2_seeds;
struct tpm2 {                      /* this test's engine: who it is, what it saw */
	uint32_t id;
	unsigned power_ons, startups, change_auths, executed;
	uint8_t last_locality;
	uint8_t filler[4000];          /* stands for keys and NV: must be zeroised at destroy */
};
static uint32_t next_engine_id = 0x100;
static uint32_t exec_log[4096];    /* engine id of every guest command, in execution order */
static unsigned exec_count;

size_t tpm2_instance_size(void) { return sizeof(struct tpm2); }
void tpm2_manufacture(struct tpm2 *t, const struct tpm2_platform *plat, const struct tpm2_seeds *seeds)
{
	(void)plat; (void)seeds;
	memset(t, 0, sizeof *t);
	t->id = next_engine_id++;
	memset(t->filler, 0xA5, sizeof t->filler);
}
void tpm2_power_on(struct tpm2 *t) { t->power_ons++; }

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
static void wbe32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v; }

/* Response: rc 0, the engine's id, then the command's parameters echoed. */
size_t tpm2_execute(struct tpm2 *t, uint8_t locality, const uint8_t *cmd, size_t cmd_len,
                    uint8_t *rsp, size_t rsp_max)
{
	uint32_t cc = cmd_len >= 10 ? be32(cmd + 6) : 0;
	size_t n = 10;
	if (cc == 0x144)
		t->startups++;
	else if (cc == 0x129)
		t->change_auths++;
	else {
		t->executed++;
		t->last_locality = locality;
		if (exec_count < 4096)
			exec_log[exec_count++] = t->id;
		wbe32(rsp + 10, t->id);
		n = 14 + (cmd_len - 10);
		if (n > rsp_max)
			n = rsp_max;
		memcpy(rsp + 14, cmd + 10, n - 14);
	}
	rsp[0] = 0x80, rsp[1] = 0x01;
	wbe32(rsp + 2, (uint32_t)n);
	wbe32(rsp + 6, 0);
	return n;
}

static unsigned provisioned;
int anchoring_init(struct anchoring *a, bool allow_unanchored)
{
	memset(a, 0, sizeof *a);
	a->ready = allow_unanchored;
	return allow_unanchored ? 0 : -1;
}
int anchoring_ltpm_seeds(struct anchoring *a, const struct cfg_lpar *c, struct tpm2_seeds *out)
{
	(void)a; (void)c; (void)out;
	return 0;
}
int anchoring_ltpm_provision(struct anchoring *a, const struct cfg_lpar *c, struct tpm2 *t)
{
	(void)a; (void)c; (void)t;
	provisioned++;
	return 0;
}
void anchoring_entropy(struct anchoring *a, uint8_t *buf, size_t len)
{
	(void)a;
	memset(buf, 0x5A, len);
}

void *page_alloc(size_t count)
{
	void *p = aligned_alloc(4096, count * 4096);
	if (p)
		memset(p, 0, count * 4096);
	return p;
}

static struct boot_info bi;
static const struct boot_module *find_module(const struct boot_info *b, const char *name)
{
	for (uint32_t i = 0; i < b->module_count; i++)
		if (!strcmp(b->modules[i].name, name))
			return &b->modules[i];
	return NULL;
}

/* ---- a scripted vCPU back end ---- */

static uint64_t regs[REG_COUNT];
static struct vcpu_exit script[16];
static unsigned script_len, script_pos;
static int injected_vector = -1;
static uint64_t init_rax;   /* RAX the fake vcpu_init starts the guest with */
static uint64_t init_rsi;   /* RSI likewise: the MMIO address the test code uses */
static bool keep_regs;      /* fake vcpu_init leaves regs[] as the test set them */

static bool fake_supported(const char **why) { (void)why; return true; }
static int fake_enable(void) { return 0; }
static int fake_init(struct vcpu *v, uint64_t root, const struct vcpu_start *s)
{
	(void)v; (void)root;
	if (keep_regs)
		return 0;
	memset(regs, 0, sizeof regs);
	regs[REG_RAX] = init_rax;
	regs[REG_RSI] = init_rsi;
	regs[REG_RIP] = s->rip;
	regs[REG_RSP] = s->rsp;
	regs[REG_RDI] = s->rdi;
	regs[REG_CR3] = s->cr3;
	regs[REG_CR0] = 0x80050033;
	regs[REG_CR4] = 0x20;
	regs[REG_EFER] = 0x1500;
	regs[REG_RFLAGS] = 2;
	return 0;
}
static void fake_run(struct vcpu *v, struct vcpu_exit *e)
{
	(void)v;
	if (script_pos < script_len)
		*e = script[script_pos++];
	else
		e->kind = EXIT_HLT;
}
static uint64_t fake_get(struct vcpu *v, enum vcpu_reg r) { (void)v; return regs[r]; }
static void fake_set(struct vcpu *v, enum vcpu_reg r, uint64_t x) { (void)v; regs[r] = x; }
static void fake_inject(struct vcpu *v, uint8_t vec, bool he, uint32_t err)
{
	(void)v; (void)he; (void)err;
	injected_vector = vec;
}

static const struct vcpu_ops fake_ops = {
	"fake", fake_supported, fake_enable, fake_init, fake_run, fake_get, fake_set, fake_inject,
	PT_X86,
};
const struct vcpu_ops *vcpu_ops = &fake_ops;

/* ---- helpers ---- */

#define RAM_SIZE (4u << 20)
#define CODE_GPA 0x200000u

struct elf_image {
	uint8_t ehdr[64];
	uint8_t phdr[56];
	uint8_t code[64];
};

static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

static void make_elf(struct elf_image *img, uint64_t paddr, uint64_t memsz)
{
	memset(img, 0, sizeof *img);
	memcpy(img->ehdr, "\x7F" "ELF\x02\x01\x01", 7);
	put16(img->ehdr + 16, 2);
	put16(img->ehdr + 18, 62);
	put32(img->ehdr + 20, 1);
	put64(img->ehdr + 24, paddr);               /* entry */
	put64(img->ehdr + 32, 64);                  /* phoff */
	put16(img->ehdr + 52, 64);
	put16(img->ehdr + 54, 56);
	put16(img->ehdr + 56, 1);
	put32(img->phdr + 0, 1);                    /* PT_LOAD */
	put64(img->phdr + 8, 120);                  /* offset of code */
	put64(img->phdr + 24, paddr);
	put64(img->phdr + 32, sizeof img->code);    /* filesz */
	put64(img->phdr + 40, memsz);
}

static struct cfg_lpar cfgl;
static struct lpar lp;
static uint8_t *ram;
static struct elf_image image;

static int build(const uint8_t *code, size_t n, char *err)
{
	memset(&lp, 0, sizeof lp);
	memset(&cfgl, 0, sizeof cfgl);
	strcpy(cfgl.name, "t");
	strcpy(cfgl.image, "g.elf");
	cfgl.mem_base = (uint64_t)(uintptr_t)ram;
	cfgl.mem_size = RAM_SIZE;
	cfgl.tpm = CFG_TPM_TESTDEV;
	cfgl.line = 3;
	memcpy(image.code, code, n);
	bi.module_count = 1;
	strcpy(bi.modules[0].name, "g.elf");
	bi.modules[0].base = (uint64_t)(uintptr_t)&image;
	bi.modules[0].size = sizeof image;
	lp.cfg = &cfgl;
	console_len = 0;
	console[0] = 0;
	return lpar_build(&lp, find_module(&bi, cfgl.image), err, 200);
}

static void run(const struct vcpu_exit *s, unsigned n)
{
	memcpy(script, s, n * sizeof *s);
	script_len = n;
	script_pos = 0;
	injected_vector = -1;
	lpar_run(&lp);
}

/* ---- tests ---- */

static void test_mmio_path(void)
{
	char err[200];
	/* mov %eax,(%rsi); mov (%rsi),%ecx; movzbl (%rsi),%edx; rep stosb */
	static const uint8_t code[] = { 0x89, 0x06, 0x8b, 0x0e, 0x0f, 0xb6, 0x16, 0xf3, 0xaa };
	init_rsi = TESTDEV_BASE + 0x10;
	make_elf(&image, CODE_GPA, 0x1000);
	CHECK("lpar_build: a valid image builds", build(code, sizeof code, err) == 0);
	CHECK("image loaded at its p_paddr", !memcmp(ram + CODE_GPA, code, sizeof code));
	CHECK("guest_info filled", *(uint64_t *)(ram + 0x1000) == 0x4F464E4952484341ull);

	struct vcpu_exit s[3] = {
		{ .kind = EXIT_NPF, .gpa = TESTDEV_BASE + 0x10, .write = true },
		{ .kind = EXIT_NPF, .gpa = TESTDEV_BASE + 0x10 },
		{ .kind = EXIT_NPF, .gpa = TESTDEV_BASE + 0x10 },
	};
	/* A CPUID first fills RAX..RDX with host values, then the MMIO accesses use them. */
	struct vcpu_exit all[5] = {
		{ .kind = EXIT_CPUID, .insn_len = 2 },
		s[0], s[1], s[2],
		{ .kind = EXIT_NPF, .gpa = TESTDEV_BASE },
	};
	/* The CPUID instruction "precedes" the code: start RIP two bytes early. */
	memmove(ram + CODE_GPA + 2, code, sizeof code);
	ram[CODE_GPA] = 0x0f;
	ram[CODE_GPA + 1] = 0xa2;
	regs[REG_RAX] = 0;
	run(all, 5);
	/* After CPUID, RAX..RDX hold host values; the write stored the low 32 bits of RAX. */
	CHECK("mmio: all exits consumed", script_pos == 5);
	CHECK("mmio: RIP advanced over 2+2+3 bytes to the rejected rep stosb",
	      regs[REG_RIP] == CODE_GPA + 2 + 2 + 2 + 3);
	CHECK("mmio: load returned what the store wrote (mov, 32-bit)",
	      regs[REG_RCX] == (regs[REG_RAX] & 0xFFFFFFFF));
	CHECK("mmio: movzbl zero-extends the low byte", regs[REG_RDX] == (regs[REG_RAX] & 0xFF));
	CHECK("mmio: rep stosb stops the lpar with its bytes",
	      strstr(console, "anchor: lpar t stopped: unsupported instruction at rip 0x200009 "
	                      "touching gpa 0xfed40000: f3 aa") != NULL);
	CHECK("mmio: started line printed", strstr(console, "anchor: lpar t started on cpu 1") != NULL);
	init_rsi = 0;
}

/* MMIO the instruction at RIP does not make: refused, never emulated (docs/security.md). */
static void test_mmio_not_made(void)
{
	char err[200];
	static const uint8_t code[] = { 0x8b, 0x06, 0x90, 0x90 };   /* mov (%rsi),%eax */
	make_elf(&image, CODE_GPA, 0x1000);
	init_rsi = TESTDEV_BASE + 0x100;
	build(code, sizeof code, err);
	struct vcpu_exit walk = { .kind = EXIT_NPF, .gpa = TESTDEV_BASE, .walk_fault = true };
	run(&walk, 1);
	CHECK("a fault in the guest's page walk stops the lpar, RIP unchanged",
	      strstr(console, "stopped: fault in its page-table walk at gpa 0xfed40000") &&
	      regs[REG_RIP] == CODE_GPA);
	build(code, sizeof code, err);
	struct vcpu_exit deliv = { .kind = EXIT_NPF, .gpa = TESTDEV_BASE + 0xD0, .in_delivery = true,
	                           .delivery_vector = 13 };
	run(&deliv, 1);
	CHECK("a fault while delivering #GP stops the lpar",
	      strstr(console, "stopped: fault at gpa 0xfed400d0 while delivering vector 13"));
	build(code, sizeof code, err);
	struct vcpu_exit other = { .kind = EXIT_NPF, .gpa = TESTDEV_BASE + 0x200 };
	run(&other, 1);
	CHECK("an instruction addressing another gpa than the fault's stops the lpar",
	      strstr(console, "addresses linear 0xfed40100, not the faulting gpa 0xfed40200") &&
	      regs[REG_RIP] == CODE_GPA);
	build(code, sizeof code, err);
	struct vcpu_exit real = { .kind = EXIT_NPF, .gpa = TESTDEV_BASE + 0x100, .code_bits = 16 };
	run(&real, 1);
	CHECK("MMIO from 16-bit code is refused, not decoded as 32-bit",
	      strstr(console, "from 16-bit code is not emulated"));
	build(code, sizeof code, err);
	struct vcpu_exit good[2] = { { .kind = EXIT_NPF, .gpa = TESTDEV_BASE + 0x100, .code_bits = 64 },
	                             { .kind = EXIT_HLT } };
	run(good, 2);
	CHECK("the same load at its own gpa is emulated", regs[REG_RIP] == CODE_GPA + 2);
	init_rsi = 0;
}

/* Every byte of LPAR RAM is zeroed by lpar_build, not only the first MiB. */
static void test_ram_scrubbed(void)
{
	char err[200];
	static const uint8_t code[] = { 0x90 };
	make_elf(&image, CODE_GPA, 0x1000);
	memset(ram, 0xA5, RAM_SIZE);
	build(code, sizeof code, err);
	size_t dirty = 0;
	for (size_t a = 0x20000; a < RAM_SIZE; a++)
		if (ram[a] && (a < CODE_GPA || a >= CODE_GPA + sizeof image.code))
			dirty++;
	CHECK("lpar_build zeroes all RAM outside info, page tables and image", dirty == 0);
}

static void test_code_bits(void)
{
	char err[200];
	/* A1 moffs32 in 32-bit code: 5 bytes (in 64-bit code the offset would take 8). */
	static const uint8_t code[] = { 0xa1, 0x00, 0x00, 0xd4, 0xfe, 0x90, 0x90, 0x90, 0x90 };
	make_elf(&image, CODE_GPA, 0x1000);
	build(code, sizeof code, err);
	struct vcpu_exit e[2] = { { .kind = EXIT_NPF, .gpa = TESTDEV_BASE, .code_bits = 32 },
	                          { .kind = EXIT_HLT } };
	run(e, 2);
	CHECK("code_bits 32: moffs is 4 bytes, RIP += 5", regs[REG_RIP] == CODE_GPA + 5);
	CHECK("code_bits 32: the device value lands in EAX",
	      regs[REG_RAX] == (uint32_t)(TESTDEV_INIT_BYTE(0) | TESTDEV_INIT_BYTE(1) << 8 |
	                                  TESTDEV_INIT_BYTE(2) << 16 | (uint32_t)TESTDEV_INIT_BYTE(3) << 24));
}

static void test_stops(void)
{
	char err[200];
	static const uint8_t code[] = { 0x8b, 0x06 };   /* mov (%rsi),%eax */
	make_elf(&image, CODE_GPA, 0x1000);
	build(code, sizeof code, err);
	struct vcpu_exit oob = { .kind = EXIT_NPF, .gpa = 0x5000000 };
	run(&oob, 1);
	CHECK("npf outside RAM stops the lpar with the gpa",
	      strstr(console, "anchor: lpar t stopped: access outside its memory at gpa 0x5000000 (read)"));
	CHECK("a stopped lpar is marked stopped", lp.state == LPAR_STOPPED);

	build(code, sizeof code, err);
	struct vcpu_exit tf = { .kind = EXIT_SHUTDOWN };
	run(&tf, 1);
	CHECK("shutdown = triple fault", strstr(console, "anchor: lpar t stopped: triple fault"));

	build(code, sizeof code, err);
	struct vcpu_exit fetch = { .kind = EXIT_NPF, .gpa = TESTDEV_BASE, .fetch = true };
	run(&fetch, 1);
	CHECK("executing from the TPM window stops the lpar", strstr(console, "(fetch)"));

	build(code, sizeof code, err);
	cfgl.tpm = CFG_TPM_NONE;
	lp.bus.mmio_count = 0;
	struct vcpu_exit nodev = { .kind = EXIT_NPF, .gpa = TESTDEV_BASE + 4 };
	run(&nodev, 1);
	CHECK("TPM window with no device: says so", strstr(console, "no TPM is attached (tpm = none)"));

	build(code, sizeof code, err);
	struct vcpu_exit mismatch = { .kind = EXIT_NPF, .gpa = TESTDEV_BASE + 4, .write = true };
	run(&mismatch, 1);   /* code is a load (8b 03) but the fault says write */
	CHECK("a fault whose direction differs from the instruction stops the lpar",
	      strstr(console, "does not match the write fault"));

	init_rsi = TESTDEV_BASE + TESTDEV_SIZE - 2;
	build(code, sizeof code, err);
	struct vcpu_exit past = { .kind = EXIT_NPF, .gpa = TESTDEV_BASE + TESTDEV_SIZE - 2 };
	run(&past, 1);
	init_rsi = 0;
	CHECK("a 4-byte access across the window end stops the lpar",
	      strstr(console, "4-byte read at gpa 0xfed44ffe refused by its device"));
}

/* Guest resets: port 0xCF9, the keyboard controller, a triple fault; restart = stop | reset. */
static void test_resets(void)
{
	char err[200];
	static const uint8_t code[] = { 0x90, 0x90 };
	make_elf(&image, CODE_GPA, 0x1000);
	build(code, sizeof code, err);
	struct vcpu_exit cf9 = { .kind = EXIT_PIO, .port = 0xCF9, .size = 1, .write = true, .value = 0x06, .insn_len = 1 };
	run(&cf9, 1);
	CHECK("reset request with restart = stop stops the lpar",
	      strstr(console, "anchor: lpar t stopped: reset request (port 0xcf9)") && lp.restarts == 0);

	build(code, sizeof code, err);
	cfgl.restart = CFG_RESTART_RESET;
	ram[CODE_GPA] = 0xCC;              /* the guest changed its own image before resetting */
	struct vcpu_exit s[6] = {
		{ .kind = EXIT_PIO, .port = 0xCF9, .size = 1, .write = true, .value = 0x02, .insn_len = 1 },
		{ .kind = EXIT_PIO, .port = 0xCF9, .size = 1, .write = true, .value = 0x06, .insn_len = 1 },
		{ .kind = EXIT_PIO, .port = 0x64, .size = 1, .write = true, .value = 0xFE, .insn_len = 1 },
		{ .kind = EXIT_PIO, .port = 0x64, .size = 1, .write = true, .value = 0xD1, .insn_len = 1 },
		{ .kind = EXIT_SHUTDOWN },
		{ .kind = EXIT_HLT },
	};
	run(s, 6);
	CHECK("restart = reset: 0xcf9 (0x06), the keyboard controller (0xfe) and a triple fault restart it",
	      strstr(console, "anchor: lpar t reset: reset request (port 0xcf9) (restart 1)") &&
	      strstr(console, "anchor: lpar t reset: reset request (keyboard controller) (restart 2)") &&
	      strstr(console, "anchor: lpar t reset: triple fault (restart 3)") && lp.restarts == 3);
	CHECK("restart: 0xcf9 = 0x02 and other keyboard commands do not reset", lp.restarts == 3);
	CHECK("restart: the image is reloaded from the measured copy, RIP at the entry again",
	      ram[CODE_GPA] == 0x90 && regs[REG_RIP] == CODE_GPA &&
	      strstr(console, "anchor: lpar t stopped: halted"));

	build(code, sizeof code, err);
	cfgl.restart = CFG_RESTART_RESET;
	struct vcpu_exit loop[16];
	for (int i = 0; i < 16; i++)
		loop[i] = (struct vcpu_exit){ .kind = EXIT_SHUTDOWN };
	uint64_t t0 = __builtin_ia32_rdtsc();
	run(loop, 16);
	uint64_t ms = (__builtin_ia32_rdtsc() - t0) / tsc_per_ms();
	CHECK("a reset loop is throttled (>= 200 ms apart) and stopped after 16 quick resets",
	      strstr(console, "anchor: lpar t stopped: triple fault, after 16 resets in a row within a second") &&
	      lp.restarts == 15 && ms >= 15 * 200);
	cfgl.restart = CFG_RESTART_STOP;
}

static void test_console_cpuid_msr(void)
{
	char err[200];
	static const uint8_t code[64] = { 0 };
	make_elf(&image, CODE_GPA, 0x1000);
	build(code, 8, err);
	struct vcpu_exit s[6] = {
		{ .kind = EXIT_PIO, .port = 0x3F8, .size = 1, .write = true, .value = 'h', .insn_len = 1 },
		{ .kind = EXIT_PIO, .port = 0x3F8, .size = 1, .write = true, .value = 'i', .insn_len = 1 },
		{ .kind = EXIT_PIO, .port = 0x3F8, .size = 1, .write = true, .value = '\n', .insn_len = 1 },
		{ .kind = EXIT_PIO, .port = 0x3FD, .size = 1, .write = false, .insn_len = 1 },
		{ .kind = EXIT_PIO, .port = 0x3F8, .size = 1, .write = true, .value = 0x07, .insn_len = 1 },
		{ .kind = EXIT_HLT },
	};
	run(s, 6);
	CHECK("guest line printed with its prefix", strstr(console, "[t] hi\n"));
	CHECK("LSR reads 0x60", (regs[REG_RAX] & 0xFF) == 0x60);
	CHECK("partial line flushed at stop, control chars shown as '.'", strstr(console, "[t] .\n"));
	CHECK("HLT stops: halted", strstr(console, "anchor: lpar t stopped: halted"));
	CHECK("RIP advanced over 5 port accesses", regs[REG_RIP] == CODE_GPA + 5);

	build(code, 8, err);
	struct vcpu_exit c[2] = { { .kind = EXIT_CPUID, .insn_len = 2 }, { .kind = EXIT_HLT } };
	init_rax = 0x80000001u;
	run(c, 2);
	init_rax = 0;
	CHECK("cpuid 0x80000001 hides SVM", !(regs[REG_RCX] & (1u << 2)));
	CHECK("cpuid exit advances RIP by 2", regs[REG_RIP] == CODE_GPA + 2);

	build(code, 8, err);
	struct vcpu_exit m[3] = {
		{ .kind = EXIT_MSR_READ, .msr = 0xC0000080u, .insn_len = 2 },
		{ .kind = EXIT_MSR_READ, .msr = 0x12345678u, .insn_len = 2 },
		{ .kind = EXIT_HLT },
	};
	run(m, 3);
	CHECK("rdmsr EFER hides SVME", regs[REG_RAX] == 0x500 && regs[REG_RDX] == 0);
	CHECK("rdmsr of an unknown MSR injects #GP", injected_vector == 13);
	CHECK("#GP does not advance RIP", regs[REG_RIP] == CODE_GPA + 2);
}

static void test_image_checks(void)
{
	char err[200];
	static const uint8_t code[] = { 0xf4 };
	make_elf(&image, RAM_SIZE - 0x800, 0x1000);
	CHECK("segment past the end of RAM is refused", build(code, 1, err) != 0 &&
	      strstr(err, "does not fit the lpar's memory"));
	make_elf(&image, 0x1000, 0x1000);
	CHECK("segment below 1 MiB is refused", build(code, 1, err) != 0);
	make_elf(&image, CODE_GPA, 0x1000);
	put64(image.phdr + 32, 0x10000);   /* filesz beyond the file */
	CHECK("segment larger than the file is refused", build(code, 1, err) != 0);
	make_elf(&image, CODE_GPA, 0x1000);
	image.ehdr[1] = 'X';
	CHECK("non-ELF image is refused", build(code, 1, err) != 0 && strstr(err, "not an x86-64 ELF64"));
	make_elf(&image, CODE_GPA, 0x1000);
	put64(image.phdr + 40, ~0ull - 0x100);   /* memsz wraps */
	CHECK("wrapping memsz is refused", build(code, 1, err) != 0);
	make_elf(&image, CODE_GPA, 0x1000);
	strcpy(bi.modules[0].name, "other.elf");
	memset(&lp, 0, sizeof lp);
	lp.cfg = &cfgl;
	CHECK("missing image names the line", lpar_build(&lp, find_module(&bi, cfgl.image), err, sizeof err) != 0 &&
	      strstr(err, "anchor.cfg:3: lpar t: image 'g.elf' not found"));
}

static void test_unaligned_ram(void)
{
	char err[200];
	static const uint8_t code[] = { 0xf4 };
	make_elf(&image, CODE_GPA, 0x1000);
	build(code, 1, err);   /* sets up module and config */
	memset(&lp, 0, sizeof lp);
	cfgl.mem_size = RAM_SIZE - 0x3000;   /* not 2 MiB aligned: 4 KiB nested leaves */
	lp.cfg = &cfgl;
	int rc = lpar_build(&lp, find_module(&bi, cfgl.image), err, sizeof err);
	uint64_t pa = 0;
	unsigned fl = 0;
	CHECK("unaligned LPAR RAM gets nested tables",
	      rc == 0 && pt_translate(&lp.npt_pool, PT_X86, lp.npt_root, RAM_SIZE - 0x4000, &pa, &fl) == 0 &&
	      pa == (uint64_t)(uintptr_t)ram + RAM_SIZE - 0x4000);
	CHECK("the page past unaligned RAM is not mapped",
	      pt_translate(&lp.npt_pool, PT_X86, lp.npt_root, RAM_SIZE - 0x3000, &pa, &fl) != 0);
	CHECK("nothing past RAM is mapped (TPM window)",
	      pt_translate(&lp.npt_pool, PT_X86, lp.npt_root, TESTDEV_BASE, &pa, &fl) != 0);
	cfgl.mem_size = RAM_SIZE;
}

/* ---- the device bus (hv/mmio.c) ---- */

struct probe_dev { int id; unsigned calls; struct mmio_access last; enum mmio_result answer; };

static enum mmio_result probe_handler(void *arg, struct mmio_access *a)
{
	struct probe_dev *d = arg;
	d->calls++;
	d->last = *a;
	if (!a->is_write)
		a->value = 0x1000u * (unsigned)d->id + a->address;
	return d->answer;
}

static void test_bus(void)
{
	struct mmio_bus bus;
	struct probe_dev a = { .id = 1 }, b = { .id = 2 }, p = { .id = 3 };
	mmio_bus_init(&bus, RAM_SIZE);
	CHECK("bus: mmio region registers", mmio_region_register(&bus, 0xFED40000, 0x5000, probe_handler, &a) == 0);
	CHECK("bus: second region registers", mmio_region_register(&bus, 0xFEE00000, 0x1000, probe_handler, &b) == 0);
	CHECK("bus: overlapping mmio region refused", mmio_region_register(&bus, 0xFED44000, 0x2000, probe_handler, &b) != 0);
	CHECK("bus: mmio region over RAM refused", mmio_region_register(&bus, 0x1000, 0x1000, probe_handler, &b) != 0);
	CHECK("bus: wrapping mmio region refused", mmio_region_register(&bus, ~0ull - 0xFFF, 0x2000, probe_handler, &b) != 0);
	CHECK("bus: empty mmio region refused", mmio_region_register(&bus, 0xFF000000, 0, probe_handler, &b) != 0);
	CHECK("bus: pio region past 0xFFFF refused", pio_region_register(&bus, 0xFFF0, 0x20, probe_handler, &p) != 0);
	CHECK("bus: pio region registers", pio_region_register(&bus, 0xCF8, 8, probe_handler, &p) == 0);
	CHECK("bus: overlapping pio region refused", pio_region_register(&bus, 0xCFC, 1, probe_handler, &a) != 0);
	unsigned full = 0;
	for (unsigned i = 0; i < 20; i++)
		full += pio_region_register(&bus, (uint16_t)(0x100 + 8 * i), 8, probe_handler, &p) != 0;
	CHECK("bus: pio table full refuses more", full == 20 - (MMIO_BUS_MAX_PIO - 1));

	CHECK("bus: claims inside a region", mmio_bus_claims(&bus, 0xFED44FFF) && !mmio_bus_claims(&bus, 0xFED45000));
	struct mmio_access x = { .size = 4 };
	CHECK("bus: read routed to the owner with its offset",
	      mmio_bus_dispatch(&bus, 0xFED40F00, &x) == MMIO_HANDLED && a.calls == 1 && b.calls == 0 &&
	      x.address == 0xF00 && x.value == 0x1F00);
	x = (struct mmio_access){ .size = 8, .is_write = true, .value = 0x1122334455667788ull };
	CHECK("bus: write routed to the other device, value intact",
	      mmio_bus_dispatch(&bus, 0xFEE00010, &x) == MMIO_HANDLED && b.calls == 1 &&
	      b.last.is_write && b.last.value == 0x1122334455667788ull && b.last.address == 0x10);
	x = (struct mmio_access){ .size = 4 };
	CHECK("bus: access across a region's end refused without calling it",
	      mmio_bus_dispatch(&bus, 0xFED44FFE, &x) == MMIO_ERROR && a.calls == 1);
	x = (struct mmio_access){ .size = 1 };
	CHECK("bus: unclaimed address unhandled", mmio_bus_dispatch(&bus, 0xFED50000, &x) == MMIO_UNHANDLED);
	a.answer = MMIO_ERROR;
	x = (struct mmio_access){ .size = 1 };
	CHECK("bus: a device's refusal is an error", mmio_bus_dispatch(&bus, 0xFED40000, &x) == MMIO_ERROR);
	a.answer = MMIO_UNHANDLED;
	CHECK("bus: a handler cannot answer 'unhandled' for a claimed address",
	      mmio_bus_dispatch(&bus, 0xFED40000, &x) == MMIO_ERROR);
	x = (struct mmio_access){ .size = 2 };
	CHECK("bus: port read routed with the port offset",
	      pio_bus_dispatch(&bus, 0xCF9, &x) == MMIO_HANDLED && p.last.address == 1 && x.value == 0x3001);
	CHECK("bus: unclaimed port unhandled", pio_bus_dispatch(&bus, 0x60, &x) == MMIO_UNHANDLED);
}

/* ---- the HTPM: firmware, FIFO across LPARs, no starvation, no misrouting, life cycle ---- */

#define NV 3
static struct cfg hcfg;
static struct htpm ht;
static struct mmio_bus hbus[NV];
static uint8_t *hram[NV];
static struct vtpm *hv_[NV];

static uint64_t g_rd(int i, uint64_t off, unsigned size)
{
	struct mmio_access a = { .size = size };
	mmio_bus_dispatch(&hbus[i], TPM_WINDOW_BASE + off, &a);
	return a.value;
}
static void g_wr(int i, uint64_t off, unsigned size, uint64_t v)
{
	struct mmio_access a = { .size = size, .is_write = true, .value = v };
	mmio_bus_dispatch(&hbus[i], TPM_WINDOW_BASE + off, &a);
}

/* A command whose parameters name the sender and a serial: the response must echo them. */
static size_t make_cmd(uint8_t *c, int lpar, unsigned serial)
{
	c[0] = 0x80, c[1] = 0x01;
	wbe32(c + 2, 18);
	wbe32(c + 6, 0x17B);
	wbe32(c + 10, 0xA0000000u | (uint32_t)lpar);
	wbe32(c + 14, serial);
	return 18;
}

/* The guest side, as Linux's drivers do it, through the LPAR's bus. */
static void g_send(int i, const uint8_t *cmd, size_t n, int locality)
{
	if (hcfg.lpars[i].interface == CFG_IF_TIS) {
		uint64_t L = (uint64_t)locality * 0x1000;
		if (!(g_rd(i, L + TIS_REG_ACCESS, 1) & TIS_ACCESS_ACTIVE))
			g_wr(i, L + TIS_REG_ACCESS, 1, TIS_ACCESS_REQUEST_USE);
		g_wr(i, L + TIS_REG_STS, 1, TIS_STS_COMMAND_READY);
		for (size_t k = 0; k < n; k++)
			g_wr(i, L + TIS_REG_DATA_FIFO, 1, cmd[k]);
		g_wr(i, L + TIS_REG_STS, 1, TIS_STS_GO);
	} else {
		g_wr(i, CRB_REG_LOC_CTRL, 4, CRB_LOC_CTRL_REQUEST);
		g_wr(i, CRB_REG_CTRL_REQ, 4, CRB_CTRL_REQ_CMD_READY);
		memcpy(hram[i] + GUEST_CRB_BUFFER, cmd, n);
		g_wr(i, CRB_REG_CTRL_START, 4, CRB_START_INVOKE);
	}
}

/* Reads the response if there is one: its length, or 0 while the command still runs. */
static size_t g_recv(int i, uint8_t *rsp, int locality)
{
	if (hcfg.lpars[i].interface == CFG_IF_TIS) {
		uint64_t L = (uint64_t)locality * 0x1000;
		if (!(g_rd(i, L + TIS_REG_STS, 1) & TIS_STS_DATA_AVAIL))
			return 0;
		for (size_t k = 0; k < 6; k++)
			rsp[k] = (uint8_t)g_rd(i, L + TIS_REG_DATA_FIFO, 1);
		size_t n = be32(rsp + 2);
		for (size_t k = 6; k < n && k < 4096; k++)
			rsp[k] = (uint8_t)g_rd(i, L + TIS_REG_DATA_FIFO, 1);
		g_wr(i, L + TIS_REG_STS, 1, TIS_STS_COMMAND_READY);
		return n;
	}
	if (g_rd(i, CRB_REG_CTRL_START, 4) & CRB_START_INVOKE)
		return 0;
	memcpy(rsp, hram[i] + GUEST_CRB_BUFFER, 4096);
	return be32(rsp + 2);
}

/* The response is this LPAR's own: its engine, its parameters. */
static bool rsp_is(int i, const uint8_t *rsp, size_t n, unsigned serial)
{
	return n == 22 && be32(rsp + 6) == 0 && be32(rsp + 10) == hv_[i]->engine->id &&
	       be32(rsp + 14) == (0xA0000000u | (uint32_t)i) && be32(rsp + 18) == serial;
}

static bool htpm_stopped(void *ctx) { (void)ctx; return true; }

static void test_htpm(void)
{
	memset(&hcfg, 0, sizeof hcfg);
	hcfg.lpar_count = NV;
	hcfg.platform.vtpm_anchor = CFG_ANCHOR_UNANCHORED_DEV;
	static const enum cfg_interface ifs[NV] = { CFG_IF_TIS, CFG_IF_CRB, CFG_IF_TIS };
	for (int i = 0; i < NV; i++) {
		struct cfg_lpar *c = &hcfg.lpars[i];
		snprintf(c->name, sizeof c->name, "v%d", i);
		c->tpm = CFG_TPM_VTPM;
		c->interface = ifs[i];
		c->cpu = (uint32_t)i + 1;
	}
	struct cfg refuse = hcfg;
	refuse.platform.vtpm_anchor = CFG_ANCHOR_PTPM;
	char err[200] = "";
	htpm_init(&ht, &refuse, htpm_stopped, NULL);
	hram[0] = aligned_alloc(4096, 1 << 20);
	mmio_bus_init(&hbus[0], 1 << 20);
	CHECK("htpm: no anchoring and no development mode: vTPM refused (fail closed)",
	      vtpm_create(&ht, &hcfg.lpars[0], &hbus[0], hram[0], err, sizeof err) == NULL &&
	      strstr(err, "no vTPM without anchoring") && hbus[0].mmio_count == 0);

	htpm_init(&ht, &hcfg, htpm_stopped, NULL);
	bool created = true;
	for (int i = 0; i < NV; i++) {
		if (!hram[i])
			hram[i] = aligned_alloc(4096, 1 << 20);
		memset(hram[i], 0, 1 << 20);
		mmio_bus_init(&hbus[i], 1 << 20);
		hv_[i] = vtpm_create(&ht, &hcfg.lpars[i], &hbus[i], hram[i], err, sizeof err);
		created = created && hv_[i] && hv_[i]->phase == VTPM_FIRMWARE;
	}
	CHECK("htpm: three vTPMs (TIS, CRB, TIS) created, waiting for firmware", created && ht.count == NV);
	CHECK("htpm: each LTPM is its own engine in hypervisor memory",
	      created && hv_[0]->engine != hv_[1]->engine && hv_[1]->engine != hv_[2]->engine &&
	      ((uint8_t *)hv_[0]->engine < hram[0] || (uint8_t *)hv_[0]->engine >= hram[0] + (1 << 20)));
	if (!created)
		return;
	uint8_t cmd[64], rsp[4096];
	make_cmd(cmd, 0, 1);
	g_send(0, cmd, 18, 0);
	CHECK("htpm: before its firmware step the window floats and queues nothing",
	      !hv_[0]->queued && g_rd(0, TIS_REG_ACCESS, 1) == 0xFF);
	provisioned = 0;
	htpm_firmware_all(&ht);
	bool fw = provisioned == NV;
	for (int i = 0; i < NV; i++)
		fw = fw && hv_[i]->phase == VTPM_RUNNING && vtpm_wait_firmware(hv_[i]) == 0 &&
		     hv_[i]->engine->power_ons == 1 && hv_[i]->engine->startups == 1 &&
		     hv_[i]->engine->change_auths == 1 && hv_[i]->engine->executed == 0;
	CHECK("htpm: firmware = _TPM_Init, Startup(CLEAR), provisioning, platform auth locked", fw);
	CHECK("htpm: the firmware step's cost is recorded (it spaces the LPAR's restarts)",
	      vtpm_firmware_cost(hv_[0]) > 0 && vtpm_firmware_cost(hv_[2]) > 0);

	/* FIFO across LPARs: execution follows the order of tpmGo/START, whatever the LPAR. */
	static const int orders[2][NV] = { { 0, 1, 2 }, { 2, 0, 1 } };
	for (int o = 0; o < 2; o++) {
		exec_count = 0;
		for (int k = 0; k < NV; k++) {
			make_cmd(cmd, orders[o][k], 10 + (unsigned)k);
			g_send(orders[o][k], cmd, 18, 0);
		}
		while (htpm_service_once(&ht))
			;
		bool in_order = exec_count == NV;
		for (int k = 0; k < NV && in_order; k++)
			in_order = exec_log[k] == hv_[orders[o][k]]->engine->id;
		bool own = true;
		for (int k = 0; k < NV; k++) {
			int i = orders[o][k];
			size_t n = g_recv(i, rsp, 0);
			own = own && rsp_is(i, rsp, n, 10 + (unsigned)k);
		}
		CHECK(o ? "htpm: FIFO across LPARs (order 2,0,1)" : "htpm: FIFO across LPARs (order 0,1,2)", in_order);
		CHECK(o ? "htpm: each guest reads its own response (order 2,0,1)" : "htpm: each guest reads its own response (order 0,1,2)", own);
	}

	/* Flood: LPAR 0 re-sends as soon as it has a response; LPAR 1 and 2 send one command each
	 * whenever theirs is done.  Nobody waits for more than one command of each other LPAR, and
	 * every response carries its sender's data. */
	exec_count = 0;
	unsigned serial[NV] = { 0 }, done[NV] = { 0 }, misrouted = 0, lost = 0, worst = 0;
	unsigned waited[NV] = { 0 };
	for (int i = 0; i < NV; i++) {
		make_cmd(cmd, i, serial[i]);
		g_send(i, cmd, 18, 0);
	}
	for (int round = 0; round < 3000; round++) {
		if (!htpm_service_once(&ht))
			lost++;
		for (int i = 0; i < NV; i++) {
			size_t n = g_recv(i, rsp, 0);
			if (!n) {
				if (++waited[i] > worst)
					worst = waited[i];
				continue;
			}
			misrouted += !rsp_is(i, rsp, n, serial[i]);
			done[i]++;
			waited[i] = 0;
			make_cmd(cmd, i, ++serial[i]);
			g_send(i, cmd, 18, 0);
		}
	}
	CHECK("htpm: 3000 commands under flood, 0 lost, 0 misrouted", lost == 0 && misrouted == 0 &&
	      done[0] + done[1] + done[2] == 3000);
	CHECK("htpm: a flooding LPAR does not starve the others (each got 1/3, waited <= 2 commands)",
	      done[0] == 1000 && done[1] == 1000 && done[2] == 1000 && worst <= NV - 1);

	while (htpm_service_once(&ht))        /* the commands still in flight */
		;
	for (int i = 0; i < NV; i++)
		misrouted += !rsp_is(i, rsp, g_recv(i, rsp, 0), serial[i]);
	CHECK("htpm: the last commands of the flood answered too", misrouted == 0);

	/* CRB: the guest reads its registers from the read-only mirror, without exits. */
	const uint8_t *sh = vtpm_read_shadow(hv_[1]);
	bool mirror = sh != NULL && vtpm_read_shadow(hv_[0]) == NULL;
	make_cmd(cmd, 1, 555);
	g_send(1, cmd, 18, 0);
	uint32_t start_before, start_after, sts;
	memcpy(&start_before, sh + CRB_REG_CTRL_START, 4);
	htpm_service_once(&ht);
	memcpy(&start_after, sh + CRB_REG_CTRL_START, 4);
	memcpy(&sts, sh + CRB_REG_LOC_STS, 4);
	for (uint32_t off = 0; off < CRB_DATA_BUFFER && mirror; off += 4) {
		uint32_t m;
		memcpy(&m, sh + off, 4);
		mirror = m == (uint32_t)g_rd(1, off, 4);
	}
	uint32_t alias, laddr;
	memcpy(&alias, sh + 0x3000, 4);
	memcpy(&laddr, sh + CRB_REG_CMD_LADDR, 4);
	CHECK("htpm: CRB registers mirrored for exit-free reads (START 1 while queued, 0 when done)",
	      mirror && start_before == 1 && start_after == 0 && sts == CRB_LOC_STS_GRANTED &&
	      alias == (uint32_t)g_rd(1, 0, 4) && laddr == GUEST_CRB_BUFFER && sh[0x2345] == 0xFF &&
	      rsp_is(1, rsp, g_recv(1, rsp, 0), 555));

	/* CRB: the command is copied out of guest RAM once, at START. */
	make_cmd(cmd, 1, 777);
	g_send(1, cmd, 18, 0);
	wbe32(hram[1] + GUEST_CRB_BUFFER + 14, 666);          /* the guest rewrites it afterwards */
	memset(hram[1] + GUEST_CRB_BUFFER + 2, 0xFF, 4);       /* even its size */
	htpm_service_once(&ht);
	size_t n = g_recv(1, rsp, 0);
	CHECK("htpm: CRB command copied at START; later guest writes do not reach the engine",
	      rsp_is(1, rsp, n, 777));

	/* TIS localities: 0-2 usable, 3 and 4 never granted. */
	make_cmd(cmd, 2, 5);
	g_wr(2, 0x0000 + TIS_REG_ACCESS, 1, TIS_ACCESS_ACTIVE);       /* relinquish 0 */
	g_send(2, cmd, 18, 2);
	htpm_service_once(&ht);
	n = g_recv(2, rsp, 2);
	CHECK("htpm: TIS locality 2 reaches the engine as locality 2",
	      rsp_is(2, rsp, n, 5) && hv_[2]->engine->last_locality == 2);
	g_wr(2, 0x2000 + TIS_REG_ACCESS, 1, TIS_ACCESS_ACTIVE);
	unsigned before = hv_[2]->engine->executed;
	g_send(2, cmd, 18, 3);
	g_send(2, cmd, 18, 4);
	while (htpm_service_once(&ht))
		;
	CHECK("htpm: TIS localities 3 and 4 are never granted, their commands never run",
	      hv_[2]->engine->executed == before && !(g_rd(2, 0x3000 + TIS_REG_ACCESS, 1) & TIS_ACCESS_ACTIVE) &&
	      !(g_rd(2, 0x4000 + TIS_REG_ACCESS, 1) & TIS_ACCESS_ACTIVE));

	/* Reset with a command queued: dropped; the LTPM is power-cycled and re-initialised. */
	make_cmd(cmd, 0, 99);
	g_send(0, cmd, 18, 0);
	before = hv_[0]->engine->executed;
	vtpm_reset_request(hv_[0]);
	CHECK("htpm: during a reset the window floats", g_rd(0, TIS_REG_ACCESS, 1) == 0xFF);
	htpm_service_once(&ht);
	CHECK("htpm: reset: queued command dropped, _TPM_Init + Startup + lock again, running",
	      hv_[0]->phase == VTPM_RUNNING && !hv_[0]->queued && hv_[0]->engine->executed == before &&
	      hv_[0]->engine->power_ons == 2 && hv_[0]->engine->startups == 2 &&
	      hv_[0]->engine->change_auths == 2 && vtpm_wait_firmware(hv_[0]) == 0);
	make_cmd(cmd, 0, 100);
	g_send(0, cmd, 18, 0);
	htpm_service_once(&ht);
	n = g_recv(0, rsp, 0);
	CHECK("htpm: after the reset the guest's commands run again", rsp_is(0, rsp, n, 100));

	/* Stop for good: the LTPM is destroyed and zeroised, its figures printed. */
	console_len = 0;
	struct tpm2 *e = hv_[1]->engine;
	vtpm_lpar_stopped(hv_[1]);
	htpm_service_once(&ht);
	bool zero = true;
	for (size_t k = 0; k < sizeof *e; k++)
		zero = zero && ((uint8_t *)e)[k] == 0;
	uint32_t floated;
	memcpy(&floated, vtpm_read_shadow(hv_[1]), 4);
	CHECK("htpm: a stopped LPAR's LTPM is zeroised, its register mirror floats",
	      zero && hv_[1]->phase == VTPM_DESTROYED && floated == 0xFFFFFFFFu);
	CHECK("htpm: its figures are printed (commands, accesses, wait, engine)",
	      strstr(console, "anchor: lpar v1 vtpm crb: 1005 commands, ") != NULL &&
	      strstr(console, "per command), queue wait avg ") != NULL);
	make_cmd(cmd, 1, 1);
	g_send(1, cmd, 18, 0);
	CHECK("htpm: a destroyed vTPM takes no command", !hv_[1]->queued && !htpm_service_once(&ht));
	htpm_serve(&ht);   /* every LPAR "stopped": returns */
	CHECK("htpm: the service loop returns once every LPAR has stopped", true);
}

static void test_registration(void)
{
	struct lpar l;
	memset(&l, 0, sizeof l);
	l.ram_size = RAM_SIZE;
	uint8_t b[8];
	l.ram = ram;
	CHECK("lpar_read inside RAM", lpar_read(&l, RAM_SIZE - 8, b, 8) == 0);
	CHECK("lpar_read across the end refused", lpar_read(&l, RAM_SIZE - 4, b, 8) != 0);
	CHECK("lpar_read with wrapping length refused", lpar_read(&l, 8, b, ~0ull) != 0);
}

static void test_pages(void)
{
	static struct boot_info b;
	memset(&b, 0, sizeof b);
	b.mem_count = 3;
	b.mem[0] = (struct boot_mem_range){ 0x0, 0xA0000, BOOT_MEM_USABLE, 0 };
	b.mem[1] = (struct boot_mem_range){ 0x100000, 0x100000, BOOT_MEM_USABLE, 0 };
	b.mem[2] = (struct boot_mem_range){ 0x200000, 0x100000, BOOT_MEM_HYPERVISOR, 0 };
	pages_init(&b);
	CHECK("pages: only usable RAM above 1 MiB", page_free_count() == 256);
	pages_exclude(0x140000, 0x10000);
	CHECK("pages: exclusion splits a range", page_free_count() == 240);
	pages_exclude(0x100000, 0x100000);
	CHECK("pages: exclusion of everything", page_free_count() == 0);
}

static void acpi_fix_sum(uint8_t *t, size_t len, size_t sum_off)
{
	uint8_t sum = 0;
	t[sum_off] = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + t[i]);
	t[sum_off] = (uint8_t)-sum;
}

/* Crafted firmware tables: RSDP (v2, both checksums) -> XSDT -> MADT. */
static uint8_t a_rsdp[36], a_xsdt[36 + 8], a_madt[44 + 8 * 4 + 16];

static void acpi_tables(uint32_t x2apic_id)
{
	memset(a_rsdp, 0, sizeof a_rsdp);
	memcpy(a_rsdp, "RSD PTR ", 8);
	a_rsdp[15] = 2;
	put32(a_rsdp + 16, 0);   /* no RSDT: host addresses do not fit 32 bits */
	put32(a_rsdp + 20, 36);
	put64(a_rsdp + 24, (uint64_t)(uintptr_t)a_xsdt);
	acpi_fix_sum(a_rsdp, 20, 8);
	acpi_fix_sum(a_rsdp, 36, 32);
	memset(a_xsdt, 0, sizeof a_xsdt);
	memcpy(a_xsdt, "XSDT", 4);
	put32(a_xsdt + 4, sizeof a_xsdt);
	put64(a_xsdt + 36, (uint64_t)(uintptr_t)a_madt);
	memset(a_madt, 0, sizeof a_madt);
	memcpy(a_madt, "APIC", 4);
	put32(a_madt + 4, sizeof a_madt);
	uint8_t *e = a_madt + 44;   /* 36-byte header + local APIC address + flags */
	const uint8_t ids[4] = { 0, 1, 2, 3 }, flags[4] = { 1, 1, 0, 1 };
	for (int i = 0; i < 4; i++, e += 8) {
		e[0] = 0; e[1] = 8; e[2] = (uint8_t)i; e[3] = ids[i];
		put32(e + 4, flags[i]);
	}
	e[0] = 9; e[1] = 16;
	put32(e + 4, x2apic_id);
	put32(e + 8, 1);
	acpi_fix_sum(a_madt, sizeof a_madt, 9);
	acpi_fix_sum(a_xsdt, sizeof a_xsdt, 9);
}

static int acpi_cpus(uint64_t limit, uint32_t *apic, unsigned *n, char *err)
{
	return acpi_find_cpus((uint64_t)(uintptr_t)a_rsdp, limit, 1, apic, 16, n, err, 100);
}

static void test_acpi(void)
{
	uint32_t apic[16];
	unsigned n;
	char err[100];
	acpi_tables(200);
	CHECK("madt parses", acpi_cpus(~0ull, apic, &n, err) == 0);
	CHECK("madt: BSP first, disabled CPU skipped, x2APIC entry counted",
	      n == 4 && apic[0] == 1 && apic[1] == 0 && apic[2] == 3 && apic[3] == 200);
	acpi_tables(300);
	CHECK("an APIC ID above 254 (x2APIC) is refused with a message",
	      acpi_cpus(~0ull, apic, &n, err) != 0 && strstr(err, "APIC ID 300 needs x2APIC"));
	acpi_tables(200);
	a_rsdp[9] ^= 1;
	CHECK("an RSDP with a bad checksum is refused", acpi_cpus(~0ull, apic, &n, err) != 0 &&
	      strstr(err, "no valid ACPI MADT"));
	acpi_tables(200);
	a_xsdt[40] ^= 0x10;                  /* XSDT entry changed, checksum not */
	CHECK("an XSDT with a bad checksum is not followed", acpi_cpus(~0ull, apic, &n, err) != 0);
	acpi_tables(200);
	a_madt[50] ^= 1;
	CHECK("a MADT with a bad checksum is refused", acpi_cpus(~0ull, apic, &n, err) != 0);
	acpi_tables(200);
	put32(a_madt + 4, 30);
	acpi_fix_sum(a_madt, 30, 9);
	CHECK("a MADT shorter than its header is refused", acpi_cpus(~0ull, apic, &n, err) != 0);
	acpi_tables(200);
	put32(a_madt + 4, 0x7FFFFFF0u);      /* would make the sum read 2 GiB */
	CHECK("a MADT claiming 2 GiB is refused", acpi_cpus(~0ull, apic, &n, err) != 0);
	acpi_tables(200);
	memcpy(a_xsdt, "RSDT", 4);
	acpi_fix_sum(a_xsdt, sizeof a_xsdt, 9);
	CHECK("an XSDT with the wrong signature is refused", acpi_cpus(~0ull, apic, &n, err) != 0);
	acpi_tables(200);
	CHECK("tables above the mapped limit are refused",
	      acpi_cpus((uint64_t)(uintptr_t)a_madt + 8, apic, &n, err) != 0);
	acpi_tables(200);
	put64(a_xsdt + 36, ~0ull - 16);      /* entry pointing at the top of the address space */
	acpi_fix_sum(a_xsdt, sizeof a_xsdt, 9);
	CHECK("a table pointer that wraps the address space is refused",
	      acpi_cpus(~0ull, apic, &n, err) != 0);
	CHECK("no RSDP is refused", acpi_find_cpus(0, ~0ull, 0, apic, 16, &n, err, sizeof err) != 0);
}

static void test_topology(void)
{
	static struct cfg c;
	char err[160];
	memset(&c, 0, sizeof c);
	c.lpar_count = 2;
	strcpy(c.lpars[0].name, "a");
	strcpy(c.lpars[1].name, "b");
	c.lpars[0].line = 1;
	c.lpars[1].line = 8;
	/* 2 threads per core: APIC IDs 0,1 | 2,3 | 4,5; CPU index order from the MADT. */
	const uint32_t ids[6] = { 0, 2, 4, 1, 3, 5 };
	c.lpars[0].cpu = 1;
	c.lpars[1].cpu = 2;
	CHECK("smt: LPARs on different cores, away from the BSP's, are accepted",
	      topology_check_placement(&c, ids, 6, 1, false, err, sizeof err) == 0);
	c.lpars[1].cpu = 4;   /* APIC 3: sibling of cpu 1 (APIC 2) */
	CHECK("smt: two LPARs on siblings are refused, naming both",
	      topology_check_placement(&c, ids, 6, 1, false, err, sizeof err) != 0 &&
	      strstr(err, "anchor.cfg:8: lpars a (cpu 1) and b (cpu 4) share a physical core"));
	CHECK("smt: ... unless sharing is allowed",
	      topology_check_placement(&c, ids, 6, 1, true, err, sizeof err) == 0);
	c.lpars[1].cpu = 3;   /* APIC 1: the BSP's sibling */
	CHECK("smt: an LPAR on the BSP's sibling is refused",
	      topology_check_placement(&c, ids, 6, 1, false, err, sizeof err) != 0 &&
	      strstr(err, "lpar b on cpu 3 shares a physical core (SMT) with the BSP"));
	CHECK("smt: no SMT (shift 0) accepts everything",
	      topology_check_placement(&c, ids, 6, 0, false, err, sizeof err) == 0);
	c.lpars[1].cpu = 0;
	c.lpars[0].cpu = 2;
	CHECK("smt: an LPAR on the BSP itself is the configuration's choice",
	      topology_check_placement(&c, ids, 6, 1, false, err, sizeof err) == 0);
}

static void test_eventlog(void)
{
	static uint8_t log[512];
	size_t n = 0;
	memset(log, 0, sizeof log);
	/* TCG_PCR_EVENT header with the Spec ID event: sha256 only. */
	put32(log + 4, 3);
	put32(log + 28, 32);
	memcpy(log + 32, "Spec ID Event03", 16);
	put32(log + 32 + 24, 1);
	put16(log + 32 + 28, 0x000B);
	put16(log + 32 + 30, 32);
	n = 64;
	uint8_t d1[32], d2[32];
	memset(d1, 0x11, 32);
	memset(d2, 0x22, 32);
	const uint8_t *ds[2] = { d1, d2 };
	for (int i = 0; i < 2; i++) {
		put32(log + n, 8); put32(log + n + 4, 0xD); put32(log + n + 8, 1);
		put16(log + n + 12, 0x000B);
		memcpy(log + n + 14, ds[i], 32);
		put32(log + n + 46, 3);
		memcpy(log + n + 50, "abc", 3);
		n += 53;
	}
	uint8_t pcrs[24][32], want[32] = { 0 };
	unsigned events;
	for (int i = 0; i < 2; i++) {
		br_sha256_context h;
		br_sha256_init(&h);
		br_sha256_update(&h, want, 32);
		br_sha256_update(&h, ds[i], 32);
		br_sha256_out(&h, want);
	}
	CHECK("event log replays", eventlog_replay(log, n, NULL, 0, pcrs, &events) == 0 && events == 2);
	CHECK("event log replay = sha256 chain", !memcmp(pcrs[8], want, 32));
	CHECK("truncated event log refused", eventlog_replay(log, n - 1, NULL, 0, pcrs, &events) != 0);
	/* A final-events table continuing the chain (as after ExitBootServices). */
	static uint8_t fin[16 + 53];
	put64(fin, 1);
	put64(fin + 8, 1);
	memcpy(fin + 16, log + 64, 53);   /* the first event again: extends PCR 8 with d1 */
	br_sha256_context h;
	br_sha256_init(&h);
	br_sha256_update(&h, want, 32);
	br_sha256_update(&h, d1, 32);
	br_sha256_out(&h, want);
	CHECK("final events continue the replay",
	      eventlog_replay(log, n, fin, sizeof fin, pcrs, &events) == 0 && events == 3 &&
	      !memcmp(pcrs[8], want, 32));
	put64(fin + 8, 2);
	CHECK("final events table claiming more than it holds refused",
	      eventlog_replay(log, n, fin, sizeof fin, pcrs, &events) != 0);
	put64(fin, 2);
	CHECK("final events table of an unknown version refused",
	      eventlog_replay(log, n, fin, sizeof fin, pcrs, &events) != 0);
	put32(log + 64 + 8, 1000);
	CHECK("absurd digest count refused", eventlog_replay(log, n, NULL, 0, pcrs, &events) != 0);
}

static void test_format(void)
{
	char b[64];
	format_string(b, sizeof b, "%s=%u %x %08lx %-3s| %d %c%%", "a", 42u, 0xBEEFu, 0x1234ul, "z", -7, 'q');
	CHECK("format: mixed conversions", !strcmp(b, "a=42 beef 00001234 z  | -7 q%"));
	size_t n = format_string(b, 8, "%s", "0123456789");
	CHECK("format: truncates and terminates", n == 10 && !strcmp(b, "0123456"));
	format_string(b, sizeof b, "%lx %p", 0xFFFFFFFFFFFFFFFFul, (void *)0x10);
	CHECK("format: 64-bit hex and pointers", !strcmp(b, "ffffffffffffffff 0x10"));
}

/* ---- robustness: random inputs must give a defined outcome, never a stray access ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Guest-controlled state on an MMIO exit: random page tables (CR3 anywhere, random entries),
 * random RIP and instruction bytes.  The fetch walk and the decoder must stay inside the
 * LPAR's RAM (ASan watches the buffer) and the LPAR must either advance or stop. */
static void test_random_guest_state(void)
{
	char err[200];
	static const uint8_t code[] = { 0x90 };
	make_elf(&image, CODE_GPA, 0x1000);
	build(code, 1, err);
	unsigned defined = 0;
	const unsigned rounds = 3000;
	for (unsigned i = 0; i < rounds; i++) {
		for (unsigned k = 0; k < 64; k++)   /* scribble over tables and code */
			ram[(rnd() % 0x40000) & ~7ull] = (uint8_t)rnd();
		for (unsigned k = 0; k < 16; k++)
			ram[CODE_GPA + k] = (uint8_t)rnd();
		lp.stop_reason[0] = 0;
		lp.state = LPAR_CREATED;
		struct vcpu_exit e = { .kind = EXIT_NPF, .gpa = TESTDEV_BASE + rnd() % TESTDEV_SIZE,
		                       .write = rnd() & 1 };
		memcpy(script, &e, sizeof e);
		script_len = 1;
		script_pos = 0;
		console_len = 0;
		/* Odd rounds: the guest's own tables (scribbled); even rounds: any RIP and CR3. */
		keep_regs = true;
		memset(regs, 0, sizeof regs);
		regs[REG_CR0] = 0x80050033;
		regs[REG_CR4] = rnd() & 0x20 ? 0x20 : 0x30;
		regs[REG_EFER] = 0x1500;
		regs[REG_RIP] = i & 1 ? CODE_GPA : rnd();
		regs[REG_CR3] = i & 1 ? 0x10000 : rnd() & 0xFFFFFFFFF000ull;
		uint64_t rip0 = regs[REG_RIP];
		lpar_run(&lp);
		keep_regs = false;
		/* Defined: either stopped with a reason, or the access was emulated and RIP moved on
		 * (then the scripted HLT stopped it). */
		defined += lp.state == LPAR_STOPPED && lp.stop_reason[0] &&
		           (strstr(lp.stop_reason, "halted") ? regs[REG_RIP] != rip0 : 1);
	}
	CHECK("random guest tables and bytes: every MMIO exit ends defined", defined == rounds);
}

static void test_random_images(void)
{
	char err[200];
	static const uint8_t code[] = { 0xf4 };
	unsigned refused = 0, built = 0;
	for (unsigned i = 0; i < 20000; i++) {
		make_elf(&image, CODE_GPA, 0x1000);
		uint8_t *b = (uint8_t *)&image;
		for (unsigned k = 0, n = 1 + rnd() % 4; k < n; k++)
			b[rnd() % 120] = (uint8_t)rnd();   /* corrupt the ELF and program headers */
		if (build(code, 1, err))
			refused++;
		else
			built++;
	}
	CHECK("20000 corrupted images: each refused or loaded inside RAM", refused + built == 20000 && refused > 0);
}

static void test_random_event_logs(void)
{
	static uint8_t log[512];
	uint8_t pcrs[24][32];
	unsigned events, ok = 0;
	for (unsigned i = 0; i < 20000; i++) {
		memset(log, 0, sizeof log);
		put32(log + 28, 32);
		memcpy(log + 32, "Spec ID Event03", 16);
		put32(log + 56, 1);
		put16(log + 60, 0x000B);
		put16(log + 62, 32);
		size_t n = 64 + rnd() % (sizeof log - 64);
		for (unsigned k = 0; k < 8; k++)
			log[rnd() % n] = (uint8_t)rnd();
		ok += eventlog_replay(log, n, NULL, 0, pcrs, &events) == 0;
	}
	CHECK("20000 corrupted event logs: no stray read (ASan), each accepted or refused", ok <= 20000);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	ram = aligned_alloc(2u << 20, RAM_SIZE);
	memset(ram, 0, RAM_SIZE);
	test_mmio_path();
	test_topology();
	test_mmio_not_made();
	test_ram_scrubbed();
	test_stops();
	test_code_bits();
	test_console_cpuid_msr();
	test_resets();
	test_image_checks();
	test_unaligned_ram();
	test_bus();
	test_htpm();
	test_registration();
	test_pages();
	test_acpi();
	test_eventlog();
	test_format();
	test_random_guest_state();
	test_random_images();
	test_random_event_logs();
	return check_exit();
}
