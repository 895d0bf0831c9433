/*
 * AMD SVM back end of the vendor-neutral vCPU interface, with nested paging (NPT).  Exit
 * normalisation and the exits completed here (INVD, WBINVD, INVLPGA) are pure logic in
 * svm_logic.c, unit-tested on the host.
 *
 * Intercepted: CPUID, HLT, all port I/O and MSRs (bitmaps all ones), shutdown, INIT, every SVM
 * instruction (VMRUN ... SKINIT; INVLPGA gets #UD), INVD and WBINVD (no-ops).  Guest CR8
 * writes only reach V_TPR (V_INTR_MASKING), never the physical TPR.
 * VMRUN's consistency checks: the VMRUN intercept, ASID != 0, guest EFER.SVME, CS not L+D.
 * A failed VMRUN reads back exit code -1: only the low 32 bits are compared.
 * FS/GS/TR/LDTR and the SYSCALL MSRs are swapped with VMSAVE/VMLOAD around each VMRUN
 * (svm_entry.S), against a host save page per vCPU (each vCPU stays on its CPU).
 */
#include <anchor/hv.h>
#include <anchor/vcpu.h>
#include <anchor/x86.h>
#include <string.h>
#include "svm.h"

#define IOPM_PAGES  3
#define MSRPM_PAGES 2

struct svm_vcpu {
	uint8_t *vmcb;             /* identity-mapped: its address is its physical address */
	uint64_t host_save_pa;
	bool flushed;
};

_Static_assert(sizeof(struct svm_vcpu) <= VCPU_ARCH_BYTES, "svm state fits the arch area");

void svm_vmrun(uint64_t vmcb_pa, uint64_t *gprs, uint64_t host_save_pa);

static struct svm_vcpu *svm(struct vcpu *v) { return (struct svm_vcpu *)v->arch; }

static uint64_t *f64(uint8_t *vmcb, unsigned off) { return (uint64_t *)(vmcb + off); }
static uint32_t *f32(uint8_t *vmcb, unsigned off) { return (uint32_t *)(vmcb + off); }

static bool svm_cpu_supported(const char **why)
{
	uint32_t r[4];
	cpuid(0x80000000u, 0, r);
	if (r[0] < 0x8000000Au) {
		*why = "CPUID has no SVM leaves";
		return false;
	}
	cpuid(0x80000001u, 0, r);
	if (!(r[2] & (1u << 2))) {
		*why = "the CPU has no SVM";
		return false;
	}
	if (rdmsr(MSR_VM_CR) & (1u << 4)) {
		*why = "SVM is disabled by the firmware (VM_CR.SVMDIS)";
		return false;
	}
	cpuid(0x8000000Au, 0, r);
	if (!(r[3] & 1u)) {
		*why = "the CPU has no nested paging (NPT)";
		return false;
	}
	return true;
}

static int svm_cpu_enable(void)
{
	void *hsave = page_alloc(1);
	if (!hsave)
		return -1;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, (uint64_t)(uintptr_t)hsave);
	return 0;
}

static void set_segment(uint8_t *vmcb, unsigned off, uint16_t sel, uint16_t attr, uint32_t limit,
                        uint64_t base)
{
	*(uint16_t *)(vmcb + off) = sel;
	*(uint16_t *)(vmcb + off + 2) = attr;
	*(uint32_t *)(vmcb + off + 4) = limit;
	*(uint64_t *)(vmcb + off + 8) = base;
}

static int svm_vcpu_init(struct vcpu *v, uint64_t nested_root, const struct vcpu_start *s)
{
	struct svm_vcpu *a = svm(v);
	if (!s->long_mode)
		return -1;   /* only 64-bit guests are started so far */
	/* A re-init (the LPAR was reset) reuses the vCPU's pages: resets must not leak memory. */
	uint8_t *vmcb = a->vmcb ? a->vmcb : page_alloc(1);
	uint8_t *iopm = a->vmcb ? (uint8_t *)(uintptr_t)*f64(a->vmcb, VMCB_IOPM_BASE) : page_alloc(IOPM_PAGES);
	uint8_t *msrpm = a->vmcb ? (uint8_t *)(uintptr_t)*f64(a->vmcb, VMCB_MSRPM_BASE) : page_alloc(MSRPM_PAGES);
	uint8_t *host_save = a->vmcb ? (uint8_t *)(uintptr_t)a->host_save_pa : page_alloc(1);
	if (!vmcb || !iopm || !msrpm || !host_save)
		return -1;
	memset(vmcb, 0, PAGE_SIZE);
	/* Intercept every port and every MSR: the core decides what the guest may touch. */
	memset(iopm, 0xFF, IOPM_PAGES * PAGE_SIZE);
	memset(msrpm, 0xFF, MSRPM_PAGES * PAGE_SIZE);

	*f32(vmcb, VMCB_INTERCEPT_EXC) = 0;
	*f32(vmcb, VMCB_INTERCEPT_MISC1) = MISC1_CPUID | MISC1_HLT | MISC1_IOIO | MISC1_MSR |
	                                   MISC1_SHUTDOWN | MISC1_INIT | MISC1_INVD |
	                                   MISC1_INVLPGA;
	*f32(vmcb, VMCB_INTERCEPT_MISC2) = MISC2_ALL_SVM | MISC2_WBINVD;
	*f64(vmcb, VMCB_IOPM_BASE) = (uint64_t)(uintptr_t)iopm;
	*f64(vmcb, VMCB_MSRPM_BASE) = (uint64_t)(uintptr_t)msrpm;
	*f32(vmcb, VMCB_ASID) = 1;     /* one vCPU per physical CPU: the same ASID everywhere */
	*f64(vmcb, VMCB_VINTR) = 1ull << 24;   /* V_INTR_MASKING: host IF governs interrupts */
	*f64(vmcb, VMCB_NP_ENABLE) = 1;
	*f64(vmcb, VMCB_N_CR3) = nested_root;

	const uint16_t code64 = 0x0A9B, data = 0x0C93, tss = 0x008B, ldt = 0x0082;
	set_segment(vmcb, VMCB_CS, 0x08, code64, 0xFFFFFFFF, 0);
	set_segment(vmcb, VMCB_SS, 0x10, data, 0xFFFFFFFF, 0);
	set_segment(vmcb, VMCB_DS, 0x10, data, 0xFFFFFFFF, 0);
	set_segment(vmcb, VMCB_ES, 0x10, data, 0xFFFFFFFF, 0);
	set_segment(vmcb, VMCB_FS, 0x10, data, 0xFFFFFFFF, 0);
	set_segment(vmcb, VMCB_GS, 0x10, data, 0xFFFFFFFF, 0);
	set_segment(vmcb, VMCB_TR, 0, tss, 0x67, 0);
	set_segment(vmcb, VMCB_LDTR, 0, ldt, 0xFFFF, 0);
	set_segment(vmcb, VMCB_GDTR, 0, 0, 0, 0);
	set_segment(vmcb, VMCB_IDTR, 0, 0, 0, 0);
	vmcb[VMCB_CPL] = 0;
	*f64(vmcb, VMCB_EFER) = EFER_LME | EFER_LMA | EFER_SVME;
	*f64(vmcb, VMCB_CR0) = 0x80050033ull;   /* PG AM WP NE ET MP PE */
	*f64(vmcb, VMCB_CR3) = s->cr3;
	*f64(vmcb, VMCB_CR4) = 0x20;            /* PAE */
	*f64(vmcb, VMCB_DR7) = 0x400;
	*f64(vmcb, VMCB_DR6) = 0xFFFF0FF0;
	*f64(vmcb, VMCB_RFLAGS) = 0x2;
	*f64(vmcb, VMCB_RIP) = s->rip;
	*f64(vmcb, VMCB_RSP) = s->rsp;
	*f64(vmcb, VMCB_RAX) = 0;
	*f64(vmcb, VMCB_G_PAT) = 0x0007040600070406ull;

	memset(v->gpr, 0, sizeof v->gpr);
	v->gpr[REG_RSI] = s->rsi;
	v->gpr[REG_RDI] = s->rdi;
	a->vmcb = vmcb;
	a->host_save_pa = (uint64_t)(uintptr_t)host_save;
	a->flushed = false;
	return 0;
}

static void svm_vcpu_run(struct vcpu *v, struct vcpu_exit *e)
{
	struct svm_vcpu *a = svm(v);
	do {
		*(uint8_t *)(a->vmcb + VMCB_TLB_CONTROL) = a->flushed ? 0 : 1;
		*f32(a->vmcb, VMCB_CLEAN) = 0;
		a->flushed = true;
		svm_vmrun((uint64_t)(uintptr_t)a->vmcb, v->gpr, a->host_save_pa);
		/* An event whose delivery the exit interrupted is delivered on the next VMRUN,
		 * unless the core injects another one (inject_exception overwrites it). */
		*f64(a->vmcb, VMCB_EVENTINJ) = svm_reinject_event(a->vmcb);
	} while (svm_exit_local(a->vmcb));
	svm_exit_normalise(a->vmcb, v->gpr, e);
}

static unsigned reg_offset(enum vcpu_reg r)
{
	switch (r) {
	case REG_RAX: return VMCB_RAX;
	case REG_RSP: return VMCB_RSP;
	case REG_RIP: return VMCB_RIP;
	case REG_RFLAGS: return VMCB_RFLAGS;
	case REG_CR0: return VMCB_CR0;
	case REG_CR3: return VMCB_CR3;
	case REG_CR4: return VMCB_CR4;
	case REG_EFER: return VMCB_EFER;
	default: return 0;
	}
}

static uint64_t svm_get_reg(struct vcpu *v, enum vcpu_reg r)
{
	unsigned off = reg_offset(r);
	if (off)
		return *f64(svm(v)->vmcb, off);
	return r < 16 ? v->gpr[r] : 0;
}

static void svm_set_reg(struct vcpu *v, enum vcpu_reg r, uint64_t val)
{
	unsigned off = reg_offset(r);
	if (r == REG_EFER)
		val |= EFER_SVME;   /* VMRUN refuses a guest without it */
	if (off)
		*f64(svm(v)->vmcb, off) = val;
	else if (r < 16)
		v->gpr[r] = val;
}

static void svm_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	uint64_t ev = vector | (3ull << 8) | (1ull << 31);   /* type 3: exception; valid */
	if (has_error)
		ev |= (1ull << 11) | ((uint64_t)error << 32);
	*f64(svm(v)->vmcb, VMCB_EVENTINJ) = ev;
}

const struct vcpu_ops svm_ops = {
	.name = "svm",
	.cpu_supported = svm_cpu_supported,
	.cpu_enable = svm_cpu_enable,
	.vcpu_init = svm_vcpu_init,
	.vcpu_run = svm_vcpu_run,
	.get_reg = svm_get_reg,
	.set_reg = svm_set_reg,
	.inject_exception = svm_inject_exception,
	.nested_format = PT_X86,
};
