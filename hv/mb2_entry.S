/*
 * Multiboot2 entry of hv.elf (for Bochs and legacy BIOS machines booted by GRUB).
 *
 * GRUB loads the ELF segments at their physical addresses and jumps to mb2_entry32 (named by
 * the entry-address tag, so the ELF entry point stays the UEFI 64-bit entry) in 32-bit
 * protected mode, paging off, EAX = 0x36D76289, EBX = physical address of the Multiboot2
 * information.  We build temporary page tables that identity-map 0..4 GiB with 2 MiB pages
 * (enough for all RAM of the machines we target plus the TPM / LAPIC / IOAPIC windows, the
 * same view UEFI gives the UEFI entry), enter long mode, switch to the hypervisor's boot stack
 * and call mb2_main(magic, mbi) in mb2.c, which builds struct boot_info and calls hv_main.
 *
 * Everything here is linked at its load address (hv.elf is not relocated), so absolute 32-bit
 * addresses are the physical ones.
 */

#define MB2_MAGIC        0xE85250D6
#define MB2_ARCH_I386    0
#define MB2_BOOT_MAGIC   0x36D76289

#define MB2_TAG_END            0
#define MB2_TAG_ENTRY_ADDRESS  3
#define MB2_TAG_MODULE_ALIGN   6
#define MB2_TAG_OPTIONAL       1

#define CR0_PE  (1 << 0)
#define CR0_WP  (1 << 16)
#define CR0_PG  (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

#define PTE_P   0x001
#define PTE_W   0x002
#define PTE_PS  0x080

#define SEL_CODE64 0x08
#define SEL_DATA   0x10
#define SEL_CODE32 0x18

#define MB2_BOOT_STACK_SIZE 64

/* ---- The header: first in the image (linker/ places .multiboot2 first, in the first 32 KiB) */
	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	/* Entry address: the 32-bit entry, not the ELF's (64-bit UEFI) entry point. */
	.balign 8
	.short MB2_TAG_ENTRY_ADDRESS
	.short 0
	.long 12
	.long mb2_entry32

	/* Modules page-aligned: they become BOOT_MEM_HYPERVISOR ranges and may be mapped. */
	.balign 8
	.short MB2_TAG_MODULE_ALIGN
	.short MB2_TAG_OPTIONAL
	.long 8

	.balign 8
	.short MB2_TAG_END
	.short 0
	.long 8
mb2_header_end:

/* ---- 32-bit entry ------------------------------------------------------------------------ */
	.section .text.mb2, "ax"
	.code32
	.globl mb2_entry32
	.type mb2_entry32, @function
mb2_entry32:
	cli
	cld
	movl	%eax, %edi			/* magic: first argument of mb2_main */
	movl	%ebx, %esi			/* mbi: second argument */
	movl	$(mb2_boot_stack + MB2_BOOT_STACK_SIZE), %esp	/* only for the pushes below */

	/* Zero the six table pages (GRUB zeroes .bss, but do not depend on it). */
	push	%edi
	movl	$mb2_pml4, %edi
	xorl	%eax, %eax
	movl	$(6 * 4096 / 4), %ecx
	rep stosl
	pop	%edi

	/* PML4[0] -> PDPT; PDPT[0..3] -> PD0..PD3; PDk[i] -> (k GiB + i * 2 MiB), 2 MiB leaves. */
	movl	$(mb2_pdpt + PTE_P + PTE_W), mb2_pml4
	movl	$mb2_pd, %eax
	orl	$(PTE_P + PTE_W), %eax
	movl	%eax, mb2_pdpt + 0
	addl	$4096, %eax
	movl	%eax, mb2_pdpt + 8
	addl	$4096, %eax
	movl	%eax, mb2_pdpt + 16
	addl	$4096, %eax
	movl	%eax, mb2_pdpt + 24

	movl	$mb2_pd, %ebx
	xorl	%ecx, %ecx			/* entry index 0 .. 2047 */
1:	movl	%ecx, %eax
	shll	$21, %eax			/* low 32 bits of the 2 MiB frame */
	orl	$(PTE_P + PTE_W + PTE_PS), %eax
	movl	%eax, (%ebx, %ecx, 8)
	movl	%ecx, %eax
	shrl	$11, %eax			/* high bits: (index * 2 MiB) >> 32 */
	movl	%eax, 4(%ebx, %ecx, 8)
	incl	%ecx
	cmpl	$2048, %ecx
	jb	1b

	/* Long mode: PAE, CR3, EFER.LME (+NXE where supported, the hypervisor's tables may use
	 * NX), then paging. */
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$mb2_pml4, %eax
	movl	%eax, %cr3

	movl	$0x80000000, %eax
	cpuid
	xorl	%ebx, %ebx			/* EFER bits to add */
	cmpl	$0x80000001, %eax
	jb	no_long_mode
	movl	$0x80000001, %eax
	cpuid
	testl	$(1 << 29), %edx		/* LM */
	jz	no_long_mode
	movl	$EFER_LME, %ebx
	testl	$(1 << 20), %edx		/* NX */
	jz	2f
	orl	$EFER_NXE, %ebx
2:	movl	$MSR_EFER, %ecx
	rdmsr
	orl	%ebx, %eax
	wrmsr

	movl	%cr0, %eax
	orl	$(CR0_PE + CR0_WP + CR0_PG), %eax
	movl	%eax, %cr0

	lgdt	mb2_gdt_desc
	ljmp	$SEL_CODE64, $mb2_entry64

no_long_mode:
	/* Tell COM1 why we stop: nothing else can print yet. */
	movl	$no_lm_msg, %esi
3:	movb	(%esi), %al
	testb	%al, %al
	jz	4f
	movw	$0x3F8, %dx
	outb	%al, %dx
	incl	%esi
	jmp	3b
4:	hlt
	jmp	4b

/* ---- 64-bit part ------------------------------------------------------------------------- */
	.code64
mb2_entry64:
	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	/* The hypervisor's BSP stack (hv/entry.S): mb2_main builds boot_info and calls hv_main
	 * on it, as anchor/hv.h allows.  RDI = magic, RSI = mbi (zero-extended below). */
	movabsq	$bsp_stack_top, %rsp
	xorl	%ebp, %ebp
	movl	%edi, %edi
	movl	%esi, %esi
	call	mb2_main
5:	cli
	hlt
	jmp	5b
	.size mb2_entry32, . - mb2_entry32

	.section .rodata.mb2, "a"
	.balign 16
mb2_gdt:
	.quad 0
	.quad 0x00AF9A000000FFFF		/* 0x08: 64-bit code, DPL 0 */
	.quad 0x00CF92000000FFFF		/* 0x10: flat data */
	.quad 0x00CF9A000000FFFF		/* 0x18: 32-bit code */
mb2_gdt_end:
	.balign 8
	.globl mb2_gdt_desc
mb2_gdt_desc:
	.short mb2_gdt_end - mb2_gdt - 1
	.quad mb2_gdt
no_lm_msg:
	.asciz "anchor: multiboot2: this CPU has no long mode\r\n"

	.section .bss.mb2, "aw", @nobits
	.balign 4096
mb2_pml4:	.skip 4096
mb2_pdpt:	.skip 4096
mb2_pd:		.skip 4 * 4096
	.balign 16
mb2_boot_stack:	.skip MB2_BOOT_STACK_SIZE

	.section .note.GNU-stack, "", @progbits
