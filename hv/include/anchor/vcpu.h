/*
 * The vendor-neutral vCPU interface.  hv/ sees only this; arch/x86/vmx*.c and arch/x86/svm*.c
 * implement it (chosen once at boot from CPUID, as Jailhouse does), so the core has no
 * vendor #ifdefs.  Exits come back normalised in struct vcpu_exit.
 */
#ifndef ANCHOR_VCPU_H
#define ANCHOR_VCPU_H
#include <stdbool.h>
#include <stdint.h>
#include <anchor/paging.h>

enum vcpu_reg {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
	REG_RIP, REG_RFLAGS, REG_CR0, REG_CR3, REG_CR4, REG_EFER,
	REG_COUNT
};

enum vcpu_exit_kind {
	EXIT_NONE,
	EXIT_NPF,         /* EPT violation / nested page fault: gpa, write, fetch valid */
	EXIT_PIO,         /* IN/OUT: port, size, write, value (for OUT); string I/O is rejected */
	EXIT_CPUID,
	EXIT_MSR_READ,    /* msr */
	EXIT_MSR_WRITE,   /* msr, value */
	EXIT_HLT,
	EXIT_SHUTDOWN,    /* triple fault / shutdown */
	EXIT_HYPERCALL,   /* VMCALL / VMMCALL */
	EXIT_EXCEPTION,   /* an intercepted guest exception: vector */
	EXIT_ENTRY_FAIL,  /* the CPU refused to enter the guest: raw has the reason */
	EXIT_UNHANDLED,   /* anything else: raw/qual identify it for the console */
};

struct vcpu_exit {
	enum vcpu_exit_kind kind;
	uint64_t gpa;        /* EXIT_NPF */
	bool write;          /* EXIT_NPF, EXIT_PIO */
	bool fetch;          /* EXIT_NPF: instruction fetch */
	uint16_t port;       /* EXIT_PIO */
	uint8_t size;        /* EXIT_PIO: 1, 2 or 4 */
	uint8_t vector;      /* EXIT_EXCEPTION */
	uint32_t msr;        /* EXIT_MSR_* */
	uint64_t value;      /* EXIT_PIO write value, EXIT_MSR_WRITE value */
	uint8_t insn_len;    /* length of the exiting instruction if the CPU reported it, else 0 */
	uint64_t raw;        /* vendor exit reason / code, for messages */
	uint64_t qual;       /* vendor qualification / exitinfo1, for messages */
	/* Code size at the exit, for the MMIO decoder: 64 (long mode, CS.L = 1), 32, or 0 when the
	 * back end does not say (the core then assumes 64-bit whenever EFER.LMA is set). */
	uint8_t code_bits;
	/* EXIT_NPF: the fault hit a guest page-table entry while the CPU walked the guest's own
	 * tables (SVM EXITINFO1 bit 33; VMX: qualification bit 7 set, bit 8 clear), not the
	 * access the instruction makes: gpa is not an operand, never emulate it. */
	bool walk_fault;
	/* The exit interrupted the delivery of an event to the guest (SVM EXITINTINFO, VMX
	 * IDT-vectoring information): vector is what was being delivered.  Back ends re-inject it
	 * on the next entry unless the core injects something else; for EXIT_NPF it means the
	 * guest's IDT, GDT or stack is where the fault is, and the core stops the LPAR. */
	bool in_delivery;
	uint8_t delivery_vector;
};

/* The bits of RAX an IN/OUT of `size` bytes (1, 2 or 4) transfers: AL, AX or EAX. */
static inline uint32_t pio_value_mask(unsigned size)
{
	return 0xFFFFFFFFu >> (32 - 8 * size);
}

/*
 * One virtual CPU, owned by the core (hv/lpar.c), pinned to one physical CPU.  The core only
 * reads and writes guest registers through vcpu_ops->get_reg/set_reg; the arch back end keeps
 * whatever it needs in arch[] (opaque to the core) and allocates its hardware pages (VMCB/VMCS,
 * I/O and MSR bitmaps, ...) with page_alloc() (anchor/hv.h) in vcpu_init.  gpr[] holds the
 * guest GPRs the hardware does not save, indexed by enum vcpu_reg; the entry code loads and
 * saves them around VM entry.  SVM keeps RAX and RSP in the VMCB (gpr[REG_RAX], gpr[REG_RSP]
 * unused); VMX keeps RSP in the VMCS and RAX in gpr[] (the VMCS has no RAX field).  RIP,
 * RFLAGS, CR0/3/4 and EFER live in the VMCB/VMCS on both.  Read them through get_reg.
 */
#define VCPU_ARCH_BYTES 1024

struct lpar;

struct vcpu {
	uint64_t gpr[16];        /* guest GPRs by enum vcpu_reg not kept by hardware (above) */
	uint32_t cpu;            /* physical CPU index (0 = BSP) */
	uint32_t apic_id;
	struct lpar *lpar;       /* owning LPAR (core) */
	_Alignas(64) uint8_t arch[VCPU_ARCH_BYTES];  /* back-end private state (pointers, flags) */
};

/* Guest start state: 64-bit long mode when long_mode is set; otherwise real mode at CS = 0
 * (for firmware-like guests: VMX with unrestricted guest only, SVM refuses it for now). */
struct vcpu_start {
	uint64_t rip, rsp, rsi, rdi, cr3;
	bool long_mode;
};

struct vcpu_ops {
	const char *name;                                   /* "vmx" or "svm" */
	bool (*cpu_supported)(const char **why);            /* CPUID/MSR checks on this CPU */
	int (*cpu_enable)(void);                            /* per physical CPU: VMXON / EFER.SVME */
	/* nested_root: the EPT (VMX) or NPT (SVM) root (anchor/paging.h) mapping this LPAR. */
	int (*vcpu_init)(struct vcpu *v, uint64_t nested_root, const struct vcpu_start *s);
	/* Enters the guest; returns on the next exit the core must see.  The caller zeroes *e; the
	 * back end sets kind and the fields that kind uses. */
	void (*vcpu_run)(struct vcpu *v, struct vcpu_exit *e);
	uint64_t (*get_reg)(struct vcpu *v, enum vcpu_reg r);
	void (*set_reg)(struct vcpu *v, enum vcpu_reg r, uint64_t val);
	void (*inject_exception)(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
	enum pt_format nested_format;                       /* of the nested_root tables */
};

/* Set once at boot by arch_select_vcpu_ops() from the CPUID vendor (arch/x86/cpu.c): SVM on
 * AMD/Hygon, VMX otherwise; never NULL.  cpu_supported() then says whether it can run. */
extern const struct vcpu_ops *vcpu_ops;
const struct vcpu_ops *arch_select_vcpu_ops(void);

#endif
