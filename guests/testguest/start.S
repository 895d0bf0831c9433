/* Marks the stack non-executable for the linker. */
	.section .note.GNU-stack, "", @progbits

/* Entry of the test guest (guest_abi.h): 64-bit mode, interrupts off, RSP = ram_size,
 * RDI = &guest_info.  Zeroes .bss (the loader may or may not), aligns the stack, calls main,
 * and stops the LPAR with cli; hlt should main return. */
	.section .text.start, "ax"
	.globl _start
_start:
	cli
	mov	%rdi, %r12			/* keep guest_info across the bss clear */
	lea	__bss_start(%rip), %rdi
	lea	__bss_end(%rip), %rcx
	sub	%rdi, %rcx
	xor	%eax, %eax
	cld
	rep stosb				/* ordinary RAM: no exit */
	mov	%r12, %rdi
	and	$-16, %rsp
	call	testguest_main
1:	cli
	hlt
	jmp	1b
