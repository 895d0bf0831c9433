/*
 * AP start-up code, copied by smp.c to the trampoline page (below 1 MiB) that the loader
 * reserved.  A SIPI starts it in real mode at CS:IP = page>>4 : 0.  It switches to protected
 * mode, then long mode with the hypervisor's page tables, and calls the C function smp.c put in
 * the parameter block, on the stack it put there.  Position-independent: everything is
 * addressed relative to the page (EBX = its physical address).
 */
#define TR(x) ((x) - ap_trampoline_start)

	.section .rodata
	.code16
	.globl ap_trampoline_start, ap_trampoline_end, ap_trampoline_params
ap_trampoline_start:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	movzwl	%ax, %ebx
	shll	$4, %ebx
	lgdtl	TR(tr_gdtr)
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	*TR(tr_pm32_ptr)

	.code32
tr_pm32:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	%cr4, %eax
	orl	$0x20, %eax                 /* PAE */
	movl	%eax, %cr4
	movl	TR(tr_cr3)(%ebx), %eax
	movl	%eax, %cr3
	movl	$0xC0000080, %ecx
	rdmsr
	orl	$0x100, %eax                /* EFER.LME */
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000001, %eax           /* PG | PE */
	movl	%eax, %cr0
	ljmpl	*TR(tr_lm64_ptr)(%ebx)

	.code64
tr_lm64:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movq	TR(tr_stack)(%rbx), %rsp
	movq	TR(tr_entry)(%rbx), %rax
	xorl	%ebp, %ebp
	callq	*%rax
1:	cli
	hlt
	jmp	1b

	.balign 16
tr_gdt:
	.quad	0
	.quad	0x00CF9A000000FFFF          /* 0x08: 32-bit code */
	.quad	0x00CF92000000FFFF          /* 0x10: data */
	.quad	0x00AF9A000000FFFF          /* 0x18: 64-bit code */
tr_gdt_end:

/* Filled by smp.c (page-relative fields are patched with the page's address). */
ap_trampoline_params:
tr_gdtr:
	.word	tr_gdt_end - tr_gdt - 1
	.long	0                           /* page + TR(tr_gdt) */
	.balign 8
tr_pm32_ptr:
	.long	0                           /* page + TR(tr_pm32) */
	.word	0x08
	.balign 8
tr_lm64_ptr:
	.long	0                           /* page + TR(tr_lm64) */
	.word	0x18
	.balign 8
tr_cr3:	.quad	0
tr_stack:	.quad	0
tr_entry:	.quad	0
ap_trampoline_end:

	.globl tr_off_gdtr_base, tr_off_pm32, tr_off_lm64, tr_off_cr3, tr_off_stack, tr_off_entry
	.globl tr_rel_gdt, tr_rel_pm32, tr_rel_lm64
	.section .rodata
	.balign 4
tr_off_gdtr_base:	.long	TR(tr_gdtr) + 2
tr_off_pm32:	.long	TR(tr_pm32_ptr)
tr_off_lm64:	.long	TR(tr_lm64_ptr)
tr_off_cr3:	.long	TR(tr_cr3)
tr_off_stack:	.long	TR(tr_stack)
tr_off_entry:	.long	TR(tr_entry)
tr_rel_gdt:	.long	TR(tr_gdt)
tr_rel_pm32:	.long	TR(tr_pm32)
tr_rel_lm64:	.long	TR(tr_lm64)
