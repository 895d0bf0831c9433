/* What the files of arch/x86 share among themselves; the core sees only anchor/arch.h. */
#ifndef ANCHOR_ARCH_X86_H
#define ANCHOR_ARCH_X86_H
#include <stdint.h>
#include <anchor/arch.h>

struct exc_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

extern uint64_t hv_cr3;                 /* the hypervisor's page tables (below 4 GiB) */
void arch_cpu_init_ap(void);            /* load them on an AP */
uint64_t arch_gdt_base(void);
void exception_handler(struct exc_frame *f);

#endif
