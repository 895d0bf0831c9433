/*
 * A guest for the exit-rate benchmark: 100000 trapped MMIO reads of the test device
 * (args "mmio") or 100000 trapped port reads of COM1's LSR (args "pio"), then HLT.
 * The hypervisor prints the LPAR's exit count and run time when it stops.
 * Entered per anchor/guest_abi.h: RDI = struct guest_info (args at offset 56).
 */
#define ITERATIONS 100000
	.code64
	.section .text
	.globl _start
_start:
	movq	%rdi, %r12
	cmpb	$'p', 56(%r12)
	je	pio_loop
mmio_loop:
	movabsq	$0xFED40000, %rbx
	movl	$ITERATIONS, %ecx
1:	movl	(%rbx), %eax
	decl	%ecx
	jnz	1b
	jmp	done
pio_loop:
	movl	$ITERATIONS, %ecx
	movw	$0x3FD, %dx
2:	inb	%dx, %al
	decl	%ecx
	jnz	2b
done:
	lea	msg(%rip), %rsi
	movw	$0x3F8, %dx
3:	lodsb
	testb	%al, %al
	jz	4f
	outb	%al, %dx
	jmp	3b
4:	cli
	hlt

	.section .rodata
msg:	.asciz "exitbench: done\n"
