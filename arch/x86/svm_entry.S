/*
 * void svm_vmrun(uint64_t vmcb_pa, uint64_t *gprs, uint64_t host_save_pa)
 * Enters the guest with the GPRs of gprs[] (enum vcpu_reg order; RAX and RSP come from the
 * VMCB) and returns after the #VMEXIT with the guest's GPRs stored back.  GIF is cleared around
 * the switch; the hypervisor runs with interrupts off, so nothing is lost.
 * VMRUN/#VMEXIT do not switch FS, GS, TR, LDTR and the SYSCALL/SYSENTER MSRs: VMSAVE/VMLOAD
 * swap them between the host's save page and the guest's VMCB, so neither side sees the other's.
 */
#include "speculation.h"

#define G(r) (8 * (r))
#define RAX 0
#define RCX 1
#define RDX 2
#define RBX 3
#define RBP 5
#define RSI 6
#define RDI 7

	.text
	.code64
	.globl svm_vmrun
svm_vmrun:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rdx                 /* host save page */
	pushq	%rsi                 /* gprs */
	clgi
	movq	%rdx, %rax
	vmsave                       /* host FS/GS/TR/LDTR/MSRs */
	movq	%rdi, %rax           /* VMCB physical address */
	vmload                       /* guest FS/GS/TR/LDTR/MSRs */
	movq	G(RCX)(%rsi), %rcx
	movq	G(RDX)(%rsi), %rdx
	movq	G(RBX)(%rsi), %rbx
	movq	G(RBP)(%rsi), %rbp
	movq	G(RDI)(%rsi), %rdi
	movq	G(8)(%rsi), %r8
	movq	G(9)(%rsi), %r9
	movq	G(10)(%rsi), %r10
	movq	G(11)(%rsi), %r11
	movq	G(12)(%rsi), %r12
	movq	G(13)(%rsi), %r13
	movq	G(14)(%rsi), %r14
	movq	G(15)(%rsi), %r15
	movq	G(RSI)(%rsi), %rsi
	CLEAR_CPU_BUFFERS            /* speculation.h */
	vmrun
	/* #VMEXIT: RAX/RSP are the host's again; every other GPR still holds the guest's. */
	RSB_FILL
	vmsave                       /* RAX = VMCB again: keep the guest's hidden state */
	movq	(%rsp), %rax
	movq	%rcx, G(RCX)(%rax)
	movq	%rdx, G(RDX)(%rax)
	movq	%rbx, G(RBX)(%rax)
	movq	%rbp, G(RBP)(%rax)
	movq	%rsi, G(RSI)(%rax)
	movq	%rdi, G(RDI)(%rax)
	movq	%r8, G(8)(%rax)
	movq	%r9, G(9)(%rax)
	movq	%r10, G(10)(%rax)
	movq	%r11, G(11)(%rax)
	movq	%r12, G(12)(%rax)
	movq	%r13, G(13)(%rax)
	movq	%r14, G(14)(%rax)
	movq	%r15, G(15)(%rax)
	movq	8(%rsp), %rax
	vmload                       /* the host's hidden state back */
	stgi
	popq	%rsi
	popq	%rdx
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret

	.section .rodata
	.globl anchor_verw_selector
anchor_verw_selector:
	.word	0x10                 /* the hypervisor's data segment (arch/x86/cpu.c GDT) */
