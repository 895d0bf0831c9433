/* Interfaces between the core and arch/x86 that are private to the hypervisor. */
#ifndef ANCHOR_ARCH_X86_H
#define ANCHOR_ARCH_X86_H
#include <stdint.h>

struct exc_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

#define HV_MAPPED_LIMIT (64ull << 30)   /* the hypervisor's identity map covers 0..64 GiB */
extern uint64_t hv_cr3;                 /* the hypervisor's page tables (below 4 GiB) */
void arch_cpu_init_bsp(void);           /* build + load page tables, GDT, IDT */
void arch_cpu_init_ap(void);            /* load them on an AP */
uint64_t arch_gdt_base(void);
void exception_handler(struct exc_frame *f);
/* How many low APIC ID bits number the SMT threads of a core (CPUID leaf 0xB, or AMD's
 * 0x8000001E); 0 when the CPU reports no SMT. */
unsigned arch_smt_shift(void);

#endif
