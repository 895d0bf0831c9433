/*
 * Host unit test of the SVM back end's pure logic (arch/x86/svm_logic.c) on crafted VMCBs:
 * every exit code the back end normalises (EXITINFO layouts of the AMD APM Vol. 2, 15.7-15.25),
 * the code size from EFER.LMA and CS.L/D, nested page faults in a guest page walk, interrupted
 * event delivery and its re-injection, and the exits completed without the core (INVD and
 * WBINVD as no-ops, INVLPGA as #UD).  The counterpart of tests/bochs/test_vmx_logic.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <anchor/vcpu.h>
#include <anchor/x86.h>
#include "svm.h"
#include "check.h"

static uint8_t vmcb[VMCB_SIZE];
static uint64_t gpr[16];

static void put64(unsigned off, uint64_t v) { memcpy(vmcb + off, &v, 8); }
static uint64_t get64(unsigned off) { uint64_t v; memcpy(&v, vmcb + off, 8); return v; }

/* A 64-bit guest at RIP 0x100000 with the given exit. */
static void reset(uint64_t code, uint64_t info1, uint64_t info2)
{
	memset(vmcb, 0, sizeof vmcb);
	uint16_t cs_attr = 0x0A9B;   /* G L P S code */
	memcpy(vmcb + VMCB_CS + 2, &cs_attr, 2);
	put64(VMCB_EFER, EFER_LME | EFER_LMA | EFER_SVME);
	put64(VMCB_RIP, 0x100000);
	put64(VMCB_EXITCODE, code);
	put64(VMCB_EXITINFO1, info1);
	put64(VMCB_EXITINFO2, info2);
}

static struct vcpu_exit run(void)
{
	struct vcpu_exit e;
	memset(&e, 0xCC, sizeof e);   /* normalise must not leave stale fields */
	svm_exit_normalise(vmcb, gpr, &e);
	return e;
}

/* IOIO EXITINFO1: IN bit 0, string bit 2, SZ8/16/32 bits 4-6, port 31:16. */
static uint64_t io_info(int in, int string, unsigned size, uint16_t port)
{
	return (uint64_t)in | (uint64_t)string << 2 |
	       (size == 1 ? 1ull << 4 : size == 2 ? 1ull << 5 : 1ull << 6) | (uint64_t)port << 16;
}

static void test_io(void)
{
	reset(SVM_EXIT_IOIO, io_info(0, 0, 1, 0x3F8), 0x100001);
	put64(VMCB_RAX, 0x1122334455667788ull);
	struct vcpu_exit e = run();
	check(e.kind == EXIT_PIO && e.port == 0x3F8 && e.size == 1 && e.write && e.value == 0x88 &&
	      e.insn_len == 1, "svm out8 to COM1", "kind %d port %x size %u w %d val %llx len %u",
	      e.kind, e.port, e.size, e.write, (unsigned long long)e.value, e.insn_len);
	reset(SVM_EXIT_IOIO, io_info(0, 0, 2, 0x1234), 0x100002);
	put64(VMCB_RAX, 0x1122334455667788ull);
	e = run();
	check(e.kind == EXIT_PIO && e.size == 2 && e.value == 0x7788 && e.insn_len == 2,
	      "svm out16 value masked, length from next RIP", "val %llx len %u",
	      (unsigned long long)e.value, e.insn_len);
	reset(SVM_EXIT_IOIO, io_info(1, 0, 4, 0xCFC), 0x100001);
	e = run();
	check(e.kind == EXIT_PIO && !e.write && e.size == 4 && e.port == 0xCFC, "svm in32",
	      "kind %d w %d size %u", e.kind, e.write, e.size);
	reset(SVM_EXIT_IOIO, io_info(0, 1, 1, 0x3F8), 0x100002);
	e = run();
	check(e.kind == EXIT_UNHANDLED && e.raw == SVM_EXIT_IOIO, "svm outsb rejected", "kind %d",
	      e.kind);
	reset(SVM_EXIT_IOIO, io_info(0, 0, 1, 0x3F8), 0x200000);   /* absurd next RIP */
	e = run();
	check(e.kind == EXIT_PIO && e.insn_len == 0, "svm absurd next RIP gives no length",
	      "len %u", e.insn_len);
}

static void test_simple_exits(void)
{
	reset(SVM_EXIT_CPUID, 0, 0);
	struct vcpu_exit e = run();
	check(e.kind == EXIT_CPUID && e.insn_len == 2, "svm cpuid", "kind %d len %u", e.kind,
	      e.insn_len);
	reset(SVM_EXIT_HLT, 0, 0);
	e = run();
	check(e.kind == EXIT_HLT && e.insn_len == 1, "svm hlt", "kind %d", e.kind);
	reset(SVM_EXIT_VMMCALL, 0, 0);
	e = run();
	check(e.kind == EXIT_HYPERCALL && e.insn_len == 3, "svm vmmcall is a hypercall", "kind %d",
	      e.kind);
	reset(SVM_EXIT_SHUTDOWN, 0, 0);
	e = run();
	check(e.kind == EXIT_SHUTDOWN, "svm shutdown", "kind %d", e.kind);
	reset(SVM_EXIT_EXCP_BASE + 14, 0, 0);
	e = run();
	check(e.kind == EXIT_EXCEPTION && e.vector == 14, "svm exception vector", "vector %u",
	      e.vector);
	reset(0xFFFFFFFFFFFFFFFFull, 0, 0);
	e = run();
	check(e.kind == EXIT_ENTRY_FAIL, "svm VMRUN failure (exit code -1)", "kind %d", e.kind);
	reset(0x00000000FFFFFFFFull, 0, 0);
	e = run();
	check(e.kind == EXIT_ENTRY_FAIL, "svm VMRUN failure compared on 32 bits", "kind %d", e.kind);
	reset(0x80 /* VMRUN */, 0, 0);
	e = run();
	check(e.kind == EXIT_UNHANDLED && e.raw == 0x80, "svm guest VMRUN unhandled", "kind %d",
	      e.kind);
}

static void test_msr(void)
{
	reset(SVM_EXIT_MSR, 0, 0);
	gpr[REG_RCX] = 0xFFFFFFFFC0000080ull;
	gpr[REG_RDX] = 0x12345678ull;
	put64(VMCB_RAX, 0xAAAAAAAA00000D01ull);
	struct vcpu_exit e = run();
	check(e.kind == EXIT_MSR_READ && e.msr == 0xC0000080 && e.insn_len == 2, "svm rdmsr",
	      "kind %d msr %x", e.kind, e.msr);
	put64(VMCB_EXITINFO1, 1);
	e = run();
	check(e.kind == EXIT_MSR_WRITE && e.value == 0x1234567800000D01ull,
	      "svm wrmsr value is EDX:EAX", "val %llx", (unsigned long long)e.value);
}

static void test_npf(void)
{
	reset(SVM_EXIT_NPF, NPF_INFO_FINAL_GPA | 0x5, 0xFED40000);   /* P, US, read */
	struct vcpu_exit e = run();
	check(e.kind == EXIT_NPF && e.gpa == 0xFED40000 && !e.write && !e.fetch && !e.walk_fault,
	      "svm NPF read on the final address", "kind %d gpa %llx w %d f %d walk %d", e.kind,
	      (unsigned long long)e.gpa, e.write, e.fetch, e.walk_fault);
	reset(SVM_EXIT_NPF, NPF_INFO_FINAL_GPA | 0x7, 0x3000008);
	e = run();
	check(e.write && !e.fetch, "svm NPF write", "w %d", e.write);
	reset(SVM_EXIT_NPF, NPF_INFO_FINAL_GPA | 0x15, 0x40000000);
	e = run();
	check(e.fetch, "svm NPF fetch", "f %d", e.fetch);
	reset(SVM_EXIT_NPF, NPF_INFO_WALK | 0x5, 0xFED40000);
	e = run();
	check(e.kind == EXIT_NPF && e.walk_fault, "svm NPF during the guest page walk", "walk %d",
	      e.walk_fault);
}

static void test_code_bits(void)
{
	reset(SVM_EXIT_NPF, NPF_INFO_FINAL_GPA, 0xFED40000);
	check(run().code_bits == 64, "svm 64-bit code", "bits %u", run().code_bits);
	uint16_t attr = 0x0C9B;                 /* G D: compatibility mode */
	memcpy(vmcb + VMCB_CS + 2, &attr, 2);
	check(run().code_bits == 32, "svm compatibility mode is 32-bit", "bits %u", run().code_bits);
	attr = 0x0A9B;
	memcpy(vmcb + VMCB_CS + 2, &attr, 2);
	put64(VMCB_EFER, EFER_SVME);            /* legacy mode: CS.L means nothing */
	check(run().code_bits == 16, "svm CS.L without EFER.LMA, D clear: 16-bit", "bits %u",
	      run().code_bits);
}

static void test_delivery(void)
{
	reset(SVM_EXIT_NPF, NPF_INFO_FINAL_GPA, 0xFED400D0);
	put64(VMCB_EXITINTINFO, 0x0000000080000B0Dull);   /* #GP, error code 0, valid */
	struct vcpu_exit e = run();
	check(e.in_delivery && e.delivery_vector == 13, "svm NPF during #GP delivery",
	      "in %d vec %u", e.in_delivery, e.delivery_vector);
	check(svm_reinject_event(vmcb) == 0x80000B0Dull, "svm re-inject the interrupted #GP",
	      "%llx", (unsigned long long)svm_reinject_event(vmcb));
	put64(VMCB_EXITINTINFO, 0x80000403ull);           /* INT3 as a software interrupt */
	check(svm_reinject_event(vmcb) == 0, "svm INTn is not re-injected (it runs again)", "%llx",
	      (unsigned long long)svm_reinject_event(vmcb));
	put64(VMCB_EXITINTINFO, 0);
	e = run();
	check(!e.in_delivery && svm_reinject_event(vmcb) == 0, "svm nothing in delivery", "in %d",
	      e.in_delivery);
}

static void test_local_exits(void)
{
	reset(SVM_EXIT_INVD, 0, 0);
	check(svm_exit_local(vmcb) && get64(VMCB_RIP) == 0x100002, "svm INVD is a 2-byte no-op",
	      "rip %llx", (unsigned long long)get64(VMCB_RIP));
	reset(SVM_EXIT_WBINVD, 0, 0);
	check(svm_exit_local(vmcb) && get64(VMCB_RIP) == 0x100002, "svm WBINVD is a 2-byte no-op",
	      "rip %llx", (unsigned long long)get64(VMCB_RIP));
	reset(SVM_EXIT_WBINVD, 0, 0);
	put64(VMCB_NEXT_RIP, 0x100003);                   /* WBNOINVD (F3 0F 09) with NRIPS */
	check(svm_exit_local(vmcb) && get64(VMCB_RIP) == 0x100003,
	      "svm WBNOINVD skipped by the CPU's next RIP", "rip %llx",
	      (unsigned long long)get64(VMCB_RIP));
	reset(SVM_EXIT_INVLPGA, 0, 0);
	check(svm_exit_local(vmcb) && get64(VMCB_RIP) == 0x100000 &&
	      get64(VMCB_EVENTINJ) == 0x80000306ull, "svm INVLPGA raises #UD", "rip %llx ev %llx",
	      (unsigned long long)get64(VMCB_RIP), (unsigned long long)get64(VMCB_EVENTINJ));
	reset(SVM_EXIT_CPUID, 0, 0);
	check(!svm_exit_local(vmcb) && get64(VMCB_RIP) == 0x100000, "svm CPUID goes to the core",
	      "");
}

int main(void)
{
	test_io();
	test_simple_exits();
	test_msr();
	test_npf();
	test_code_bits();
	test_delivery();
	test_local_exits();
	return check_exit();
}
