/*
 * A guest that touches the TPM window with an instruction the MMIO decoder rejects (REP MOVSB):
 * the hypervisor must stop this LPAR with the instruction bytes in the message.
 * Entered per anchor/guest_abi.h (64-bit, RDI = guest_info); prints through COM1.
 */
	.code64
	.section .text
	.globl _start
_start:
	lea	msg(%rip), %rsi
1:	lodsb
	testb	%al, %al
	jz	2f
	movw	$0x3F8, %dx
	outb	%al, %dx
	jmp	1b
2:	lea	msg(%rip), %rsi
	movabsq	$0xFED40000, %rdi
	movl	$4, %ecx
	rep movsb                        /* f3 a4: a string store into the TPM window */
	lea	bad(%rip), %rsi
3:	lodsb
	testb	%al, %al
	jz	4f
	movw	$0x3F8, %dx
	outb	%al, %dx
	jmp	3b
4:	cli
	hlt

	.section .rodata
msg:	.asciz "badinsn: string store into the TPM window\n"
bad:	.asciz "badinsn: still running (wrong)\n"
