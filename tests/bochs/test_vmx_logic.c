/*
 * Host unit test of the VMX back end's pure logic (arch/x86/vmx_logic.c): every exit reason the
 * back end normalises, with the qualification layouts of the Intel SDM (Vol. 3C, 28.2.1), the
 * code size from CS and IA-32e mode, guest page-walk faults and interrupted event delivery,
 * CR8 against the virtual TPR, and the computation of VM-execution controls from capability
 * MSRs.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <anchor/vcpu.h>
#include "vmx.h"
#include "check.h"

static uint64_t gpr[16];

static struct vcpu_exit run(uint32_t reason, uint64_t qual, uint64_t gpa, uint32_t intr,
                            uint32_t len)
{
	struct vmx_exit_info x = { .reason = reason, .qual = qual, .gpa = gpa, .intr_info = intr,
	                           .insn_len = len };
	struct vcpu_exit e;
	memset(&e, 0xCC, sizeof(e));   /* normalise must not leave stale fields */
	vmx_exit_normalise(&x, gpr, &e);
	return e;
}

/* I/O qualification: size-1 in bits 2:0, IN in bit 3, string bit 4, REP bit 5, port 31:16. */
static uint64_t io_qual(unsigned size, int in, int string, int rep, uint16_t port)
{
	return (uint64_t)(size - 1) | (uint64_t)in << 3 | (uint64_t)string << 4 |
	       (uint64_t)rep << 5 | (uint64_t)port << 16;
}

static void test_io(void)
{
	gpr[REG_RAX] = 0x1122334455667788ull;
	struct vcpu_exit e = run(30, io_qual(1, 0, 0, 0, 0x3F8), 0, 0, 1);
	check(e.kind == EXIT_PIO && e.port == 0x3F8 && e.size == 1 && e.write && e.value == 0x88 &&
	      e.insn_len == 1, "vmx out8 to COM1", "kind %d port %x size %u w %d val %llx len %u",
	      e.kind, e.port, e.size, e.write, (unsigned long long)e.value, e.insn_len);
	e = run(30, io_qual(2, 0, 0, 0, 0x1234), 0, 0, 2);
	check(e.kind == EXIT_PIO && e.size == 2 && e.value == 0x7788 && e.insn_len == 2,
	      "vmx out16 value masked", "val %llx", (unsigned long long)e.value);
	e = run(30, io_qual(4, 0, 0, 0, 0xCFC), 0, 0, 1);
	check(e.kind == EXIT_PIO && e.size == 4 && e.value == 0x55667788 && e.port == 0xCFC,
	      "vmx out32 value masked", "val %llx", (unsigned long long)e.value);
	e = run(30, io_qual(1, 1, 0, 0, 0x3FD), 0, 0, 1);
	check(e.kind == EXIT_PIO && !e.write && e.port == 0x3FD && e.value == 0, "vmx in8 is a read",
	      "w %d val %llx", e.write, (unsigned long long)e.value);
	e = run(30, io_qual(4, 1, 0, 0, 0xFFFF), 0, 0, 1);
	check(e.kind == EXIT_PIO && e.port == 0xFFFF && e.size == 4, "vmx in32 from port 0xffff",
	      "port %x", e.port);
	e = run(30, io_qual(1, 0, 1, 0, 0x3F8), 0, 0, 1);
	check(e.kind == EXIT_UNHANDLED && e.raw == 30, "vmx outsb rejected", "kind %d", e.kind);
	e = run(30, io_qual(1, 1, 1, 1, 0x3F8), 0, 0, 2);
	check(e.kind == EXIT_UNHANDLED, "vmx rep insb rejected", "kind %d", e.kind);
	e = run(30, io_qual(3, 0, 0, 0, 0x3F8), 0, 0, 1);
	check(e.kind == EXIT_UNHANDLED, "vmx impossible I/O size rejected", "kind %d", e.kind);
}

static void test_simple_exits(void)
{
	struct vcpu_exit e = run(10, 0, 0, 0, 2);
	check(e.kind == EXIT_CPUID && e.insn_len == 2, "vmx cpuid", "kind %d len %u", e.kind,
	      e.insn_len);
	e = run(12, 0, 0, 0, 1);
	check(e.kind == EXIT_HLT && e.insn_len == 1, "vmx hlt", "kind %d", e.kind);
	e = run(18, 0, 0, 0, 3);
	check(e.kind == EXIT_HYPERCALL && e.insn_len == 3, "vmx vmcall is a hypercall", "kind %d",
	      e.kind);
	e = run(2, 0, 0, 0, 0);
	check(e.kind == EXIT_SHUTDOWN, "vmx triple fault is a shutdown", "kind %d", e.kind);
	e = run(0, 0, 0, 0x80000B0E, 0);
	check(e.kind == EXIT_EXCEPTION && e.vector == 14, "vmx exception vector", "vector %u",
	      e.vector);
	e = run(10, 0, 0, 0, 99);
	check(e.kind == EXIT_CPUID && e.insn_len == 0, "vmx absurd instruction length dropped",
	      "len %u", e.insn_len);
	e = run(28, 0x3, 0, 0, 3);
	check(e.kind == EXIT_UNHANDLED && e.raw == 28 && e.qual == 3, "vmx CR access unhandled",
	      "kind %d raw %llu", e.kind, (unsigned long long)e.raw);
	e = run(19, 0, 0, 0, 3);
	check(e.kind == EXIT_UNHANDLED && e.raw == 19, "vmx guest VMCLEAR unhandled", "kind %d",
	      e.kind);
}

static void test_msr(void)
{
	gpr[REG_RCX] = 0xFFFFFFFFC0000080ull;
	gpr[REG_RAX] = 0xAAAAAAAA00000D01ull;
	gpr[REG_RDX] = 0x12345678ull;
	struct vcpu_exit e = run(31, 0, 0, 0, 2);
	check(e.kind == EXIT_MSR_READ && e.msr == 0xC0000080 && e.insn_len == 2, "vmx rdmsr",
	      "kind %d msr %x", e.kind, e.msr);
	e = run(32, 0, 0, 0, 2);
	check(e.kind == EXIT_MSR_WRITE && e.msr == 0xC0000080 && e.value == 0x1234567800000D01ull,
	      "vmx wrmsr value is EDX:EAX", "val %llx", (unsigned long long)e.value);
}

static void test_ept(void)
{
	struct vcpu_exit e = run(48, 0x181, 0xFED40000, 0, 9);
	check(e.kind == EXIT_NPF && e.gpa == 0xFED40000 && !e.write && !e.fetch && e.insn_len == 0,
	      "vmx EPT read violation", "kind %d gpa %llx w %d f %d len %u", e.kind,
	      (unsigned long long)e.gpa, e.write, e.fetch, e.insn_len);
	e = run(48, 0x182, 0x3000008, 0, 7);
	check(e.kind == EXIT_NPF && e.write && !e.fetch && e.gpa == 0x3000008, "vmx EPT write violation",
	      "w %d", e.write);
	e = run(48, 0x184, 0x40000000, 0, 0);
	check(e.kind == EXIT_NPF && e.fetch && !e.write, "vmx EPT fetch violation", "f %d", e.fetch);
	e = run(49, 0, 0x1000, 0, 0);
	check(e.kind == EXIT_UNHANDLED && e.gpa == 0x1000 && e.raw == 49, "vmx EPT misconfig unhandled",
	      "kind %d", e.kind);
}

static void test_entry_fail(void)
{
	struct vcpu_exit e = run(0x80000021u, 0, 0, 0, 0);
	check(e.kind == EXIT_ENTRY_FAIL && e.raw == 0x80000021u, "vmx invalid guest state entry failure",
	      "kind %d raw %llx", e.kind, (unsigned long long)e.raw);
	e = run(0x80000022u, 2, 0, 0, 0);
	check(e.kind == EXIT_ENTRY_FAIL && e.qual == 2, "vmx MSR-load entry failure", "kind %d", e.kind);
	e = run(0x80000029u, 0, 0, 0, 0);
	check(e.kind == EXIT_ENTRY_FAIL, "vmx machine-check entry failure", "kind %d", e.kind);
}

static struct vcpu_exit run_x(struct vmx_exit_info x)
{
	struct vcpu_exit e;
	memset(&e, 0xCC, sizeof(e));
	vmx_exit_normalise(&x, gpr, &e);
	return e;
}

static void test_code_bits(void)
{
	struct vmx_exit_info x = { .reason = 48, .qual = 0x181, .gpa = 0xFED40000 };
	x.lma = true;
	x.cs_ar = 0xA09B;                      /* L, G, P, code */
	struct vcpu_exit e = run_x(x);
	check(e.code_bits == 64, "vmx 64-bit code (IA-32e, CS.L)", "bits %u", e.code_bits);
	x.cs_ar = 0xC09B;                      /* D, G: compatibility mode */
	e = run_x(x);
	check(e.code_bits == 32, "vmx compatibility mode decodes as 32-bit", "bits %u", e.code_bits);
	x.lma = false;
	x.cs_ar = 0xA09B;                      /* L without IA-32e mode means nothing */
	e = run_x(x);
	check(e.code_bits == 16, "vmx CS.L outside IA-32e mode is not 64-bit", "bits %u", e.code_bits);
	x.cs_ar = 0x9B;
	e = run_x(x);
	check(e.code_bits == 16, "vmx 16-bit code (CS.D clear)", "bits %u", e.code_bits);
}

static void test_walk_and_delivery(void)
{
	struct vmx_exit_info x = { .reason = 48, .qual = 0x081, .gpa = 0xFED40008 };
	struct vcpu_exit e = run_x(x);
	check(e.kind == EXIT_NPF && e.walk_fault, "vmx EPT violation on a guest page-table entry",
	      "kind %d walk %d", e.kind, e.walk_fault);
	x.qual = 0x181;
	e = run_x(x);
	check(!e.walk_fault, "vmx EPT violation on the translated address is no walk fault",
	      "walk %d", e.walk_fault);
	x.qual = 0x001;                        /* no linear address (e.g. a PDPTE load) */
	e = run_x(x);
	check(!e.walk_fault && e.kind == EXIT_NPF, "vmx EPT violation without linear address",
	      "walk %d", e.walk_fault);
	check(!e.in_delivery, "vmx no event in delivery", "in %d", e.in_delivery);
	x.qual = 0x181;
	x.idt_vectoring = 0x80000B0D;          /* #GP with error code, being delivered */
	e = run_x(x);
	check(e.in_delivery && e.delivery_vector == 13, "vmx EPT violation during #GP delivery",
	      "in %d vec %u", e.in_delivery, e.delivery_vector);
	check(vmx_reinject_info(0x80000B0D) == 0x80000B0D, "vmx re-inject an interrupted #GP",
	      "%x", vmx_reinject_info(0x80000B0D));
	check(vmx_reinject_info(0x80001020) == 0x80000020,
	      "vmx re-inject drops the NMI-unblocking bit", "%x", vmx_reinject_info(0x80001020));
	check(vmx_reinject_info(0x00000B0D) == 0, "vmx nothing to re-inject when not valid", "%x",
	      vmx_reinject_info(0x00000B0D));
}

/* CR-access qualification: CR number 3:0, access type 5:4, register 11:8. */
static uint64_t cr_qual(unsigned cr, unsigned type, unsigned reg)
{
	return cr | type << 4 | reg << 8;
}

static void test_cr8(void)
{
	uint64_t g[16] = { 0 };
	uint8_t tpr = 0;
	g[REG_RBX] = 15;
	check(vmx_cr8_access(cr_qual(8, 0, REG_RBX), g, &tpr) == CR8_DONE && tpr == 15,
	      "vmx mov %rbx, %cr8 sets the virtual TPR", "tpr %u", tpr);
	g[REG_R12] = 0x55;
	check(vmx_cr8_access(cr_qual(8, 1, REG_R12), g, &tpr) == CR8_DONE && g[REG_R12] == 15,
	      "vmx mov %cr8, %r12 reads the virtual TPR", "r12 %llx",
	      (unsigned long long)g[REG_R12]);
	g[REG_RAX] = 16;
	check(vmx_cr8_access(cr_qual(8, 0, REG_RAX), g, &tpr) == CR8_GP && tpr == 15,
	      "vmx CR8 write with reserved bits is #GP", "tpr %u", tpr);
	g[REG_RSP] = 3;
	check(vmx_cr8_access(cr_qual(8, 0, REG_RSP), g, &tpr) == CR8_DONE && tpr == 3,
	      "vmx mov %rsp, %cr8 (RSP filled by the caller)", "tpr %u", tpr);
	check(vmx_cr8_access(cr_qual(3, 0, REG_RAX), g, &tpr) == CR8_OTHER,
	      "vmx CR3 access is not CR8", "");
	check(vmx_cr8_access(cr_qual(8, 2, 0), g, &tpr) == CR8_OTHER, "vmx CLTS is not a CR8 move",
	      "");
}

static void test_controls(void)
{
	/* required 0x16 (bits forced on, like the default1 class), allowed 0xFFFF */
	check(vmx_make_ctl(0x16, 0xFFFF, 0x80, 0x80, 0) == 0x96, "vmx ctl wanted plus required",
	      "%lld", (long long)vmx_make_ctl(0x16, 0xFFFF, 0x80, 0x80, 0));
	check(vmx_make_ctl(0, 0x0F, 0x30, 0, 0) == 0, "vmx ctl unavailable optional bits dropped",
	      "%lld", (long long)vmx_make_ctl(0, 0x0F, 0x30, 0, 0));
	check(vmx_make_ctl(0, 0x0F, 0x30, 0x10, 0) == -1, "vmx ctl missing must-have fails",
	      "%lld", (long long)vmx_make_ctl(0, 0x0F, 0x30, 0x10, 0));
	check(vmx_make_ctl(0x10000000, 0xFFFFFFFF, 0, 0, 0x10000000) == -1,
	      "vmx ctl forced forbidden bit fails", "");
	check(vmx_make_ctl(0x80000000u, 0xFFFFFFFFu, 0x1, 0x1, 0x2) == 0x80000001,
	      "vmx ctl high bit", "%lld", (long long)vmx_make_ctl(0x80000000u, 0xFFFFFFFFu, 1, 1, 2));
}

int main(void)
{
	test_io();
	test_simple_exits();
	test_msr();
	test_ept();
	test_entry_fail();
	test_controls();
	test_code_bits();
	test_walk_and_delivery();
	test_cr8();
	return check_exit();
}
