/*
 * int vmx_enter(uint64_t *gpr, int resume)   (arch/x86/vmx.h)
 *
 * Enters the guest of the current VMCS with its general-purpose registers taken from gpr[]
 * (enum vcpu_reg order; RSP, RIP and RFLAGS live in the VMCS) and comes back here on the next
 * VM exit, at vmx_exit_point, with the host state the VMCS describes: RSP = the value written
 * to VMCS_HOST_RSP below, so the stack still holds our callee-saved registers and gpr.
 * Returns 0 after a VM exit, 1 if VMLAUNCH/VMRESUME itself failed (guest not entered).
 */
#include "speculation.h"

#define VMCS_HOST_RSP 0x6C14
#define VMCS_HOST_RIP 0x6C16

#define G_RAX   0
#define G_RCX   8
#define G_RDX   16
#define G_RBX   24
#define G_RBP   40
#define G_RSI   48
#define G_RDI   56
#define G_R8    64
#define G_R9    72
#define G_R10   80
#define G_R11   88
#define G_R12   96
#define G_R13   104
#define G_R14   112
#define G_R15   120

	.text
	.code64
	.globl vmx_enter
	.type vmx_enter, @function
vmx_enter:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdi			/* gpr: at 0(%rsp) when the exit lands */

	/* Host RIP/RSP for this entry (the stack may differ between calls). */
	lea	vmx_exit_point(%rip), %rax
	mov	$VMCS_HOST_RIP, %edx
	vmwrite	%rax, %rdx
	jbe	.Lfail_early
	mov	$VMCS_HOST_RSP, %edx
	vmwrite	%rsp, %rdx
	jbe	.Lfail_early

	CLEAR_CPU_BUFFERS		/* speculation.h (changes ZF: before the test) */
	test	%esi, %esi		/* ZF = launch; the MOVs below keep the flags */
	mov	G_RAX(%rdi), %rax
	mov	G_RCX(%rdi), %rcx
	mov	G_RDX(%rdi), %rdx
	mov	G_RBX(%rdi), %rbx
	mov	G_RBP(%rdi), %rbp
	mov	G_RSI(%rdi), %rsi
	mov	G_R8(%rdi), %r8
	mov	G_R9(%rdi), %r9
	mov	G_R10(%rdi), %r10
	mov	G_R11(%rdi), %r11
	mov	G_R12(%rdi), %r12
	mov	G_R13(%rdi), %r13
	mov	G_R14(%rdi), %r14
	mov	G_R15(%rdi), %r15
	mov	G_RDI(%rdi), %rdi
	jz	1f
	vmresume
	jmp	.Lfail
1:	vmlaunch
.Lfail:
	/* Not entered: the guest values are in the registers, gpr[] still has them. */
	pop	%rdi
.Lfail_pop:
	mov	$1, %eax
	jmp	.Lout
.Lfail_early:
	pop	%rdi
	jmp	.Lfail_pop

	.globl vmx_exit_point
vmx_exit_point:
	/* Host state loaded by the CPU; RSP = what we wrote, gpr pointer on top. */
	RSB_FILL
	push	%rdi			/* guest RDI */
	mov	8(%rsp), %rdi		/* gpr */
	mov	%rax, G_RAX(%rdi)
	mov	%rcx, G_RCX(%rdi)
	mov	%rdx, G_RDX(%rdi)
	mov	%rbx, G_RBX(%rdi)
	mov	%rbp, G_RBP(%rdi)
	mov	%rsi, G_RSI(%rdi)
	mov	%r8, G_R8(%rdi)
	mov	%r9, G_R9(%rdi)
	mov	%r10, G_R10(%rdi)
	mov	%r11, G_R11(%rdi)
	mov	%r12, G_R12(%rdi)
	mov	%r13, G_R13(%rdi)
	mov	%r14, G_R14(%rdi)
	mov	%r15, G_R15(%rdi)
	pop	%rax
	mov	%rax, G_RDI(%rdi)
	pop	%rdi
	xor	%eax, %eax
.Lout:
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
	.size vmx_enter, . - vmx_enter

	.section .note.GNU-stack, "", @progbits
