/*
 * Speculation barriers around guest execution, for the VM entry/exit code (svm_entry.S,
 * vmx_entry.S).  Assembler macros only.  Why these two and not others: docs/security.md
 * ("SMT and speculation").
 *
 * RSB_FILL: after a VM exit, overwrites the 32 return-stack-buffer entries the guest may have
 * left (or poisoned) with returns into a speculation trap, so no hypervisor RET can be steered
 * to a guest-chosen target.  Keeps the flags (LEA, not ADD).
 * CLEAR_CPU_BUFFERS: before a VM entry, VERW with a valid data selector; on CPUs with the
 * MD_CLEAR microcode it flushes the store, fill and load buffers (MDS), so data the hypervisor
 * handled (on the BSP: the vTPMs' secrets) cannot be sampled by the guest.  Changes ZF.
 */
#ifndef ANCHOR_ARCH_X86_SPECULATION_H
#define ANCHOR_ARCH_X86_SPECULATION_H

#define RSB_ENTRIES 32

	.macro RSB_FILL
	.rept RSB_ENTRIES
	call	772f
773:	pause
	lfence
	jmp	773b
772:
	.endr
	lea	(RSB_ENTRIES * 8)(%rsp), %rsp
	.endm

	.macro CLEAR_CPU_BUFFERS
	verw	anchor_verw_selector(%rip)
	.endm

#endif
