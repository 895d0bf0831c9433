/*
 * The hypervisor's 64-bit entry (ELF entry point).  The UEFI loader jumps here with
 * RDI = struct boot_info *, interrupts off, UEFI's identity-mapped page tables live.
 * We leave the loader's stack at once: it lies in memory the page allocator will hand out.
 */
	.section .text.entry, "ax"
	.code64
	.globl hv_entry_64
hv_entry_64:
	cli
	cld
	lea	bsp_stack_top(%rip), %rsp
	xor	%ebp, %ebp
	call	hv_main
1:	cli
	hlt
	jmp	1b

	.bss
	.balign 4096
	.globl bsp_stack_bottom
bsp_stack_bottom:
	.skip	65536
	.globl bsp_stack_top
bsp_stack_top:
