/*
 * Runs the real test guest (build/guests/testguest.elf) in a host process, with hv/decode.c
 * emulating every access to the TPM window, as the hypervisor's trap path will:
 *
 *   - the ELF's PT_LOAD segments are mapped at their addresses (1 MiB, identity as in an LPAR);
 *   - the TPM window 0xFED40000 and the attack targets are reserved PROT_NONE, so each access
 *     faults (SIGSEGV with the address), like a nested page fault;
 *   - the handler decodes the instruction at RIP, performs it on a model of the test device
 *     (testdev.h), writes loads back with decode_merge_load, and advances RIP by the decoded
 *     length; cli/hlt/in/out (which #GP in user mode) are emulated: COM1 output is captured.
 *
 * This checks, without a hypervisor: the guest's own logic (its checks pass against a correct
 * device), the decoder on compiler- and hand-written guest code (every length right, or the
 * guest would crash), and that each attack mode does what it announces.
 *
 * usage: test_guest_emu [testguest.elf]   (default: the build's, compiled in)
 * Built without ASan: the guest runs on its own stack and ASan cannot follow that switch.
 */
#define _GNU_SOURCE
#include <anchor/decode.h>
#include <anchor/guest_abi.h>
#include <anchor/testdev.h>
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>
#include "check.h"

#ifndef TESTGUEST_ELF
#define TESTGUEST_ELF "build/guests/testguest.elf"
#endif
#define RAM_SIZE   (64ull << 20)
#define STACK_SIZE (256 * 1024)

/* ---- The emulated machine (child process) ----------------------------------------------- */

static uint8_t dev_bytes[TESTDEV_SIZE];
static uint64_t dev_last;
static int out_fd;              /* the guest's console goes here (a pipe to the parent) */
static unsigned exits;

/* Gregs index of each register number the decoder uses (enum vcpu_reg order). */
static const int greg_of[16] = {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

static void emit(const char *s)
{
	ssize_t n = write(out_fd, s, strlen(s));
	(void)n;
}

/* The end of a run: a final line the parent parses, then exit. */
static _Noreturn void stop(const char *reason, uint64_t arg, int code)
{
	char line[160];
	snprintf(line, sizeof line, "\nEMU-STOP %s 0x%llx after %u exits\n", reason,
	         (unsigned long long)arg, exits);
	emit(line);
	_exit(code);
}

/* testdev.h semantics, as the hypervisor's device implements them. */
static uint64_t dev_access(uint64_t off, unsigned size, int write, uint64_t value)
{
	uint64_t described = dev_last, v = 0;
	dev_last = TESTDEV_DESCRIBE(off, size, write);
	for (unsigned i = 0; i < size; i++) {
		uint64_t o = off + i;
		int in_desc = o >= TESTDEV_LAST_ACCESS && o < TESTDEV_LAST_ACCESS + 8;
		if (write) {
			if (!in_desc)
				dev_bytes[o] = (uint8_t)(value >> (8 * i));
		} else {
			uint64_t b = in_desc ? (described >> (8 * (o - TESTDEV_LAST_ACCESS))) & 0xFF : dev_bytes[o];
			v |= b << (8 * i);
		}
	}
	return v;
}

static void mmio_exit(greg_t *g, uint64_t addr)
{
	const uint8_t *rip = (const uint8_t *)g[REG_RIP];
	struct mmio_insn m;
	enum decode_status st = decode_mmio(rip, DECODE_MAX_INSN, DECODE_MODE_64, &m);
	if (st != DECODE_OK) {
		char line[128];
		int n = snprintf(line, sizeof line, "\nEMU-INSN");
		for (int i = 0; i < 8; i++)
			n += snprintf(line + n, sizeof line - (size_t)n, " %02x", rip[i]);
		emit(line);
		stop("unsupported-instruction", addr, 3);
	}
	uint64_t off = addr - TESTDEV_BASE;
	if (off + m.size > TESTDEV_SIZE)
		stop("access-crosses-window", addr, 4);
	if (m.write) {
		uint64_t src = m.has_imm ? 0 : (uint64_t)g[greg_of[m.reg]];
		dev_access(off, m.size, 1, decode_store_value(&m, src));
	} else {
		uint64_t v = dev_access(off, m.size, 0, 0);
		g[greg_of[m.reg]] = (greg_t)decode_merge_load(&m, (uint64_t)g[greg_of[m.reg]], v);
	}
	g[REG_RIP] += m.len;
}

/* cli, hlt, in, out: privileged in user mode (#GP -> SIGSEGV with address 0). */
static int pio_exit(greg_t *g)
{
	const uint8_t *rip = (const uint8_t *)g[REG_RIP];
	uint16_t port = (uint16_t)g[REG_RDX];
	switch (rip[0]) {
	case 0xFA:     /* cli */
		g[REG_RIP] += 1;
		return 1;
	case 0xF4:     /* hlt with interrupts off: the LPAR stops */
		stop("halted", 0, 0);
	case 0xEE: {   /* out %al, (%dx) */
		if (port == 0x3F8) {
			char c = (char)g[REG_RAX];
			ssize_t n = write(out_fd, &c, 1);
			(void)n;
		}
		g[REG_RIP] += 1;
		return 1;
	}
	case 0xEC:     /* in (%dx), %al */
		g[REG_RAX] = (g[REG_RAX] & ~0xFFll) | (port == 0x3FD ? 0x60 : 0);
		g[REG_RIP] += 1;
		return 1;
	default:
		return 0;
	}
}

static void on_fault(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	greg_t *g = uc->uc_mcontext.gregs;
	uint64_t addr = (uint64_t)(uintptr_t)si->si_addr;
	exits++;
	if (sig == SIGSEGV && addr >= TESTDEV_BASE && addr < TESTDEV_BASE + TESTDEV_SIZE) {
		mmio_exit(g, addr);
		return;
	}
	if (sig == SIGSEGV && addr == 0 && pio_exit(g))
		return;
	if (sig == SIGSEGV && addr != 0)
		stop("outside-ram", addr, 5);
	stop(sig == SIGTRAP ? "int3" : "exception", (uint64_t)g[REG_RIP], 6);
}

static void reserve(uint64_t addr, uint64_t len)
{
	void *p = mmap((void *)(uintptr_t)addr, len, PROT_NONE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE, -1, 0);
	if (p != (void *)(uintptr_t)addr) {
		fprintf(stderr, "cannot reserve 0x%llx\n", (unsigned long long)addr);
		_exit(7);
	}
}

/* Maps the PT_LOAD segments at their physical addresses (== virtual in an LPAR). */
static uint64_t load_elf(const uint8_t *img, size_t size)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	if (size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_machine != EM_X86_64)
		return 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff + (size_t)i * eh->e_phentsize);
		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_paddr < GUEST_LOAD_MIN || ph->p_offset + ph->p_filesz > size)
			return 0;
		uint64_t start = ph->p_paddr & ~0xFFFull, end = (ph->p_paddr + ph->p_memsz + 0xFFF) & ~0xFFFull;
		void *p = mmap((void *)(uintptr_t)start, end - start, PROT_READ | PROT_WRITE | PROT_EXEC,
		               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p != (void *)(uintptr_t)start)
			return 0;
		memcpy((void *)(uintptr_t)ph->p_paddr, img + ph->p_offset, ph->p_filesz);
	}
	return eh->e_entry;
}

static _Noreturn void run_guest(const uint8_t *img, size_t size, const char *args, int fd)
{
	out_fd = fd;
	for (unsigned i = 0; i < TESTDEV_SIZE; i++)
		dev_bytes[i] = TESTDEV_INIT_BYTE(i);
	uint64_t entry = load_elf(img, size);
	if (!entry)
		stop("bad-elf", 0, 8);
	reserve(TESTDEV_BASE, 0x10000);
	reserve(0x1000000, 0x1000);           /* attack-hv with small RAM */
	reserve(RAM_SIZE, 0x1000);            /* attack-hv with RAM > 16 MiB */
	reserve(RAM_SIZE + 0x1000000, 0x1000);/* attack-oob */

	static struct guest_info gi;
	gi.magic = GUEST_INFO_MAGIC;
	gi.ram_size = RAM_SIZE;
	snprintf(gi.name, sizeof gi.name, "emu");
	snprintf(gi.args, sizeof gi.args, "%s", args);

	static uint8_t altstack[64 * 1024];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	sigaltstack(&ss, NULL);
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGTRAP, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);

	uint8_t *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t top = (uint64_t)(uintptr_t)(stack + STACK_SIZE);
	__asm__ volatile("mov %0, %%rsp; mov %1, %%rdi; jmp *%2"
	                 : : "r"(top), "r"(&gi), "r"(entry) : "memory");
	__builtin_unreachable();
}

/* ---- The test (parent) -------------------------------------------------------------------- */

static char *run_mode(const uint8_t *img, size_t size, const char *args, int *code)
{
	int p[2];
	if (pipe(p))
		return NULL;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		alarm(20);
		run_guest(img, size, args, p[1]);
	}
	close(p[1]);
	size_t cap = 1 << 16, len = 0;
	char *out = calloc(1, cap + 1);
	ssize_t n;
	while ((n = read(p[0], out + len, cap - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	int status;
	waitpid(pid, &status, 0);
	*code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return out;
}

/* The image is what guest_abi.h promises a loader: a static ELF64 executable, entry at 1 MiB,
 * PT_LOAD segments at or above GUEST_LOAD_MIN, nothing to resolve or interpret. */
static void test_elf_shape(const uint8_t *img, size_t size)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	int good = size >= sizeof *eh && memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 &&
	           eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_type == ET_EXEC &&
	           eh->e_machine == EM_X86_64 && eh->e_entry == GUEST_LOAD_MIN &&
	           eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) <= size;
	int loads = 0;
	for (int i = 0; good && i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff + (size_t)i * sizeof *ph);
		if (ph->p_type == PT_INTERP || ph->p_type == PT_DYNAMIC)
			good = 0;
		if (ph->p_type == PT_LOAD) {
			loads++;
			if (ph->p_paddr < GUEST_LOAD_MIN || ph->p_paddr + ph->p_memsz > RAM_SIZE)
				good = 0;
		}
	}
	check(good && loads > 0, "guest-emu: testguest.elf is a static ELF64, entry 1 MiB, loads above 1 MiB",
	      "(bad ELF shape)");
}

static void test_mmio(const uint8_t *img, size_t size)
{
	int code;
	char *out = run_mode(img, size, "mmio", &code);
	/* One test line per guest check line: the guest's own verdict on each access. */
	int checks = 0, summary = 0;
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "mmio: ", 6) != 0) {
			if (strncmp(line, "EMU-", 4) == 0 || strncmp(line, "testguest:", 10) == 0)
				printf("# %s\n", line);
			continue;
		}
		size_t n = strlen(line);
		char name[200];
		snprintf(name, sizeof name, "guest-emu %s", line);
		if (n > 3 && strcmp(line + n - 3, " ok") == 0) {
			name[strlen(name) - 3] = '\0';
			check(1, name, "");
			checks++;
		} else if (strstr(line, " FAIL ")) {
			check(0, name, "");
			checks++;
		} else if (strstr(line, "checks passed") || strstr(line, "checks FAILED")) {
			summary = strstr(line, "checks passed") != NULL;
			char want[64];
			snprintf(want, sizeof want, "mmio: all %d checks passed", checks);
			check(strcmp(line, want) == 0, "guest-emu: mmio summary line counts every check", "%s", line);
		}
	}
	char why[64];
	snprintf(why, sizeof why, "exit %d, %d checks", code, checks);
	check(code == 0 && summary && checks >= 40, "guest-emu: mmio mode halts after all checks", "%s", why);
	free(out);
}

static void test_attack(const uint8_t *img, size_t size, const char *mode, const char *announce,
                        const char *stop_line, int want_code)
{
	int code;
	char *out = run_mode(img, size, mode, &code);
	char name[96];
	snprintf(name, sizeof name, "guest-emu: %s announces itself and is stopped", mode);
	int good = strstr(out, announce) && strstr(out, stop_line) && !strstr(out, "still running") &&
	           code == want_code;
	if (!good)
		fprintf(stderr, "%s: exit %d, output:\n%s\n", mode, code, out);
	check(good, name, "(see stderr)");
	free(out);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : TESTGUEST_ELF;
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		printf("not ok - guest-emu: cannot open %s\n", path);
		return 1;
	}
	uint8_t *img = malloc((size_t)st.st_size);
	if (read(fd, img, (size_t)st.st_size) != st.st_size) {
		printf("not ok - guest-emu: cannot read %s\n", path);
		return 1;
	}
	close(fd);
	size_t size = (size_t)st.st_size;
	test_elf_shape(img, size);
	test_mmio(img, size);
	char oob[64], hv[64];
	snprintf(oob, sizeof oob, "EMU-STOP outside-ram 0x%llx", RAM_SIZE + 0x1000000);
	snprintf(hv, sizeof hv, "EMU-STOP outside-ram 0x%llx", RAM_SIZE);
	test_attack(img, size, "attack-oob", "attack: reading outside my RAM", oob, 5);
	test_attack(img, size, "attack-hv", "attack: writing to guest-physical", hv, 5);
	/* rep stosb: the decoder must refuse it, naming the bytes (f3 aa). */
	test_attack(img, size, "attack-insn", "attack: rep stosb into the TPM window",
	            "EMU-INSN f3 aa", 3);
	/* lidt faults in user mode before int3: only the announcement can be checked here. */
	test_attack(img, size, "attack-triple", "attack: triple fault (zero-limit IDT, int3)",
	            "EMU-STOP exception", 6);
	test_attack(img, size, "bogus-mode", "testguest: unknown mode", "EMU-STOP halted", 0);
	free(img);
	return check_exit();
}
