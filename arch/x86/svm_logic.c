/*
 * Pure logic of the SVM back end (no SVM instruction, no hypervisor state): exit normalisation
 * and the exits the back end completes itself, on a VMCB given as memory.  Compiled into hv.elf
 * and into the host unit test tests/unit/test_svm_logic.c alike.
 *
 * Written for what QEMU TCG emulates (docs/hypervisor.md): no NRIP save and no decode assists,
 * so instruction lengths come from the exit kind (CPUID, RDMSR/WRMSR, HLT, VMMCALL, INVD,
 * WBINVD: fixed lengths; IN/OUT: EXITINFO2 holds the next RIP) and MMIO instructions are decoded
 * by the core.  A failed VMRUN reads back exit code -1: only the low 32 bits are compared.
 */
#include <string.h>
#include <anchor/vcpu.h>
#include <anchor/x86.h>
#include "svm.h"

#define CS_ATTR_L (1u << 9)    /* VMCB segment attributes: L at bit 9, D/B at bit 10 */
#define CS_ATTR_D (1u << 10)
#define UD_VECTOR 6

static uint64_t rd64(const uint8_t *vmcb, unsigned off)
{
	uint64_t v;
	memcpy(&v, vmcb + off, 8);
	return v;
}

static void wr64(uint8_t *vmcb, unsigned off, uint64_t v)
{
	memcpy(vmcb + off, &v, 8);
}

static uint8_t code_bits(const uint8_t *vmcb)
{
	uint16_t cs_attr;
	memcpy(&cs_attr, vmcb + VMCB_CS + 2, 2);
	if ((rd64(vmcb, VMCB_EFER) & EFER_LMA) && (cs_attr & CS_ATTR_L))
		return 64;
	return (cs_attr & CS_ATTR_D) ? 32 : 16;
}

static void normalise_npf(uint64_t info1, uint64_t info2, struct vcpu_exit *e)
{
	e->kind = EXIT_NPF;
	e->gpa = info2;
	e->write = (info1 & NPF_INFO_WRITE) != 0;
	e->fetch = (info1 & NPF_INFO_FETCH) != 0;
	e->walk_fault = (info1 & NPF_INFO_WALK) != 0;
}

static void normalise_io(const uint8_t *vmcb, uint64_t info1, uint64_t info2,
                         struct vcpu_exit *e)
{
	if (info1 & (1u << 2)) {          /* INS/OUTS: not emulated */
		e->kind = EXIT_UNHANDLED;
		return;
	}
	e->kind = EXIT_PIO;
	e->port = (uint16_t)(info1 >> 16);
	e->size = (info1 & (1u << 6)) ? 4 : (info1 & (1u << 5)) ? 2 : 1;
	e->write = !(info1 & 1);
	e->value = rd64(vmcb, VMCB_RAX) & pio_value_mask(e->size);
	uint64_t len = info2 - rd64(vmcb, VMCB_RIP);   /* EXITINFO2 = next RIP */
	e->insn_len = len <= 15 ? (uint8_t)len : 0;
}

void svm_exit_normalise(const uint8_t *vmcb, const uint64_t gpr[16], struct vcpu_exit *e)
{
	uint32_t code = (uint32_t)rd64(vmcb, VMCB_EXITCODE);
	uint64_t info1 = rd64(vmcb, VMCB_EXITINFO1), info2 = rd64(vmcb, VMCB_EXITINFO2);
	uint64_t intinfo = rd64(vmcb, VMCB_EXITINTINFO);
	memset(e, 0, sizeof *e);
	e->raw = rd64(vmcb, VMCB_EXITCODE);
	e->qual = info1;
	e->code_bits = code_bits(vmcb);
	if (intinfo & EVENT_VALID) {
		e->in_delivery = true;
		e->delivery_vector = (uint8_t)intinfo;
	}
	switch (code) {
	case SVM_EXIT_NPF:
		normalise_npf(info1, info2, e);
		break;
	case SVM_EXIT_IOIO:
		normalise_io(vmcb, info1, info2, e);
		break;
	case SVM_EXIT_CPUID:
		e->kind = EXIT_CPUID;
		e->insn_len = 2;
		break;
	case SVM_EXIT_MSR:
		e->kind = info1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		e->msr = (uint32_t)gpr[REG_RCX];
		e->value = (gpr[REG_RDX] << 32) | (uint32_t)rd64(vmcb, VMCB_RAX);
		e->insn_len = 2;
		break;
	case SVM_EXIT_HLT:
		e->kind = EXIT_HLT;
		e->insn_len = 1;
		break;
	case SVM_EXIT_SHUTDOWN:
		e->kind = EXIT_SHUTDOWN;
		break;
	case SVM_EXIT_VMMCALL:
		e->kind = EXIT_HYPERCALL;
		e->insn_len = 3;
		break;
	case SVM_EXIT_INVALID:
		e->kind = EXIT_ENTRY_FAIL;
		break;
	default:
		if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32) {
			e->kind = EXIT_EXCEPTION;
			e->vector = (uint8_t)(code - SVM_EXIT_EXCP_BASE);
		} else {
			e->kind = EXIT_UNHANDLED;
		}
		break;
	}
}

/* The RIP after the exiting instruction: NRIP when the CPU saves it (NRIPS), else RIP plus the
 * plain encoding's length (QEMU TCG has no NRIPS; a guest that pads the opcode with prefixes
 * then lands inside its own instruction, which concerns only itself). */
static uint64_t next_rip(const uint8_t *vmcb, unsigned encoded_len)
{
	uint64_t rip = rd64(vmcb, VMCB_RIP), nrip = rd64(vmcb, VMCB_NEXT_RIP);
	return nrip > rip && nrip - rip <= 15 ? nrip : rip + encoded_len;
}

bool svm_exit_local(uint8_t *vmcb)
{
	switch ((uint32_t)rd64(vmcb, VMCB_EXITCODE)) {
	case SVM_EXIT_INVD:      /* 0F 08 */
	case SVM_EXIT_WBINVD:    /* 0F 09, or F3 0F 09 (WBNOINVD) */
		wr64(vmcb, VMCB_RIP, next_rip(vmcb, 2));
		return true;
	case SVM_EXIT_INVLPGA:
		wr64(vmcb, VMCB_EVENTINJ, UD_VECTOR | ((uint64_t)EVENT_TYPE_EXCEPT << 8) | EVENT_VALID);
		return true;
	default:
		return false;
	}
}

uint64_t svm_reinject_event(const uint8_t *vmcb)
{
	uint64_t ev = rd64(vmcb, VMCB_EXITINTINFO);
	if (!(ev & EVENT_VALID))
		return 0;
	unsigned type = EVENT_TYPE(ev);
	if (type != EVENT_TYPE_INTR && type != EVENT_TYPE_NMI && type != EVENT_TYPE_EXCEPT)
		return 0;
	return ev;
}
