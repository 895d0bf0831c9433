/* Exception entry stubs: push a uniform frame (struct exc_frame, arch.h) and report. */
	.text
	.code64

.macro STUB vec, has_err
	.balign 16
stub_\vec:
	.if \has_err == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	exception_common
.endm

	STUB 0,0
	STUB 1,0
	STUB 2,0
	STUB 3,0
	STUB 4,0
	STUB 5,0
	STUB 6,0
	STUB 7,0
	STUB 8,1
	STUB 9,0
	STUB 10,1
	STUB 11,1
	STUB 12,1
	STUB 13,1
	STUB 14,1
	STUB 15,0
	STUB 16,0
	STUB 17,1
	STUB 18,0
	STUB 19,0
	STUB 20,0
	STUB 21,1
	STUB 22,0
	STUB 23,0
	STUB 24,0
	STUB 25,0
	STUB 26,0
	STUB 27,0
	STUB 28,0
	STUB 29,1
	STUB 30,1
	STUB 31,0

exception_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	andq	$-16, %rsp
	call	exception_handler
1:	cli
	hlt
	jmp	1b

/* Vectors 32-255: acknowledge at the local APIC (EOI) and return. */
	.balign 16
	.globl interrupt_stub
interrupt_stub:
	pushq	%rax
	movq	lapic_eoi_reg(%rip), %rax
	movl	$0, (%rax)
	popq	%rax
	iretq

	.data
	.balign 8
	.globl lapic_eoi_reg
lapic_eoi_reg:
	.quad	0xFEE000B0

	.section .rodata
	.balign 8
	.globl exception_stubs
exception_stubs:
	.irp v,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad stub_\v
	.endr
