/*
 * Pure logic of the VMX back end (no VMX instruction, no hypervisor state), so it is compiled
 * into hv.elf and into the host unit test tests/bochs/test_vmx_logic.c alike.
 */
#include <string.h>
#include <anchor/vcpu.h>
#include "vmx.h"

int64_t vmx_make_ctl(uint32_t required, uint32_t allowed, uint32_t want, uint32_t must,
                     uint32_t forbid)
{
	uint32_t v = (want & allowed) | required;
	if ((v & must) != must || (v & forbid))
		return -1;
	return v;
}

/* I/O instruction: port, size, direction and (for OUT) the value from RAX.  INS/OUTS and REP
 * would need the guest's segments, RSI/RDI and memory: rejected as unhandled. */
static void decode_io(uint64_t qual, const uint64_t gpr[16], struct vcpu_exit *e)
{
	unsigned size = IO_QUAL_SIZE(qual);
	if ((qual & (IO_QUAL_STRING | IO_QUAL_REP)) || (size != 1 && size != 2 && size != 4)) {
		e->kind = EXIT_UNHANDLED;
		return;
	}
	e->kind = EXIT_PIO;
	e->port = IO_QUAL_PORT(qual);
	e->size = (uint8_t)size;
	e->write = !(qual & IO_QUAL_IN);
	if (e->write)
		e->value = gpr[REG_RAX] & pio_value_mask(size);
}

/* The exits that come from executing one instruction: the SDM defines the VM-exit
 * instruction length for them (and not, for example, for EPT violations). */
static void instruction_exit(enum vcpu_exit_kind kind, const struct vmx_exit_info *x,
                             struct vcpu_exit *e)
{
	e->kind = kind;
	e->insn_len = x->insn_len <= 15 ? (uint8_t)x->insn_len : 0;
}

/* 64 (IA-32e mode, CS.L), 32 (CS.D) or 16: what the MMIO decoder must decode as. */
static uint8_t code_bits(const struct vmx_exit_info *x)
{
	if (x->lma && (x->cs_ar & SEG_AR_L))
		return 64;
	return (x->cs_ar & SEG_AR_D) ? 32 : 16;
}

void vmx_exit_normalise(const struct vmx_exit_info *x, const uint64_t gpr[16],
                        struct vcpu_exit *e)
{
	memset(e, 0, sizeof(*e));
	e->raw = x->reason;
	e->qual = x->qual;
	e->code_bits = code_bits(x);
	if (x->idt_vectoring & INTR_INFO_VALID) {
		e->in_delivery = true;
		e->delivery_vector = (uint8_t)x->idt_vectoring;
	}
	if (x->reason & VMX_EXIT_REASON_ENTRY_FAIL) {
		e->kind = EXIT_ENTRY_FAIL;   /* invalid guest state, MSR loading, machine check */
		return;
	}
	switch (x->reason & 0xFFFF) {
	case VMX_EXIT_EXCEPTION:
		e->kind = EXIT_EXCEPTION;
		e->vector = (uint8_t)x->intr_info;
		break;
	case VMX_EXIT_TRIPLE_FAULT:
		e->kind = EXIT_SHUTDOWN;
		break;
	case VMX_EXIT_CPUID:
		instruction_exit(EXIT_CPUID, x, e);
		break;
	case VMX_EXIT_HLT:
		instruction_exit(EXIT_HLT, x, e);
		break;
	case VMX_EXIT_VMCALL:
		instruction_exit(EXIT_HYPERCALL, x, e);
		break;
	case VMX_EXIT_IO:
		decode_io(x->qual, gpr, e);
		if (e->kind == EXIT_PIO)
			instruction_exit(EXIT_PIO, x, e);
		break;
	case VMX_EXIT_RDMSR:
		instruction_exit(EXIT_MSR_READ, x, e);
		e->msr = (uint32_t)gpr[REG_RCX];
		break;
	case VMX_EXIT_WRMSR:
		instruction_exit(EXIT_MSR_WRITE, x, e);
		e->msr = (uint32_t)gpr[REG_RCX];
		e->value = (gpr[REG_RDX] << 32) | (uint32_t)gpr[REG_RAX];
		break;
	case VMX_EXIT_EPT_VIOLATION:
		/* insn_len stays 0: undefined for EPT violations (Bochs fills it, hardware need
		 * not), so the core decodes the instruction itself. */
		e->kind = EXIT_NPF;
		e->gpa = x->gpa;
		e->write = (x->qual & EPT_QUAL_WRITE) != 0;
		e->fetch = (x->qual & EPT_QUAL_FETCH) != 0;
		e->walk_fault = (x->qual & EPT_QUAL_LINEAR_VALID) && !(x->qual & EPT_QUAL_TRANSLATED);
		break;
	case VMX_EXIT_EPT_MISCONFIG:
		e->kind = EXIT_UNHANDLED;    /* our tables are wrong: gpa says where */
		e->gpa = x->gpa;
		break;
	default:
		e->kind = EXIT_UNHANDLED;
		break;
	}
}

enum vmx_cr8_result vmx_cr8_access(uint64_t qual, uint64_t gpr[16], uint8_t *tpr)
{
	if (CR_QUAL_CR(qual) != 8 || CR_QUAL_TYPE(qual) > 1)
		return CR8_OTHER;
	unsigned r = CR_QUAL_GPR(qual);
	if (CR_QUAL_TYPE(qual) == 1) {          /* mov %cr8, reg */
		gpr[r] = *tpr;
		return CR8_DONE;
	}
	if (gpr[r] >> 4)                        /* reserved bits 63:4 */
		return CR8_GP;
	*tpr = (uint8_t)gpr[r];
	return CR8_DONE;
}

uint32_t vmx_reinject_info(uint32_t idt_vectoring)
{
	if (!(idt_vectoring & INTR_INFO_VALID))
		return 0;
	return idt_vectoring & ~INTR_INFO_NMI_UNBLOCK & ~0x7FFFE000u;   /* bits 30:13 reserved */
}
