/*
 * Intel VMX definitions used by the VMX back end (arch/x86/vmx.c): MSRs, VMCS field encodings
 * (Intel SDM Vol. 3, Appendix B), control bits, exit reasons and the VMX instructions.
 */
#ifndef ANCHOR_ARCH_X86_VMX_H
#define ANCHOR_ARCH_X86_VMX_H
#include <stdbool.h>
#include <stdint.h>

/* ---- MSRs ---- */
#define MSR_FEATURE_CONTROL         0x03Au
#define FEATURE_CONTROL_LOCK        (1ull << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)
#define MSR_VMX_BASIC               0x480u
#define MSR_VMX_PINBASED_CTLS       0x481u
#define MSR_VMX_PROCBASED_CTLS      0x482u
#define MSR_VMX_EXIT_CTLS           0x483u
#define MSR_VMX_ENTRY_CTLS          0x484u
#define MSR_VMX_CR0_FIXED0          0x486u
#define MSR_VMX_CR0_FIXED1          0x487u
#define MSR_VMX_CR4_FIXED0          0x488u
#define MSR_VMX_CR4_FIXED1          0x489u
#define MSR_VMX_PROCBASED_CTLS2     0x48Bu
#define MSR_VMX_EPT_VPID_CAP        0x48Cu
#define MSR_VMX_TRUE_PINBASED_CTLS  0x48Du
#define MSR_VMX_TRUE_PROCBASED_CTLS 0x48Eu
#define MSR_VMX_TRUE_EXIT_CTLS      0x48Fu
#define MSR_VMX_TRUE_ENTRY_CTLS     0x490u
#define VMX_BASIC_TRUE_CTLS         (1ull << 55)
#define MSR_SYSENTER_CS             0x174u
#define MSR_SYSENTER_ESP            0x175u
#define MSR_SYSENTER_EIP            0x176u
#define MSR_FS_BASE                 0xC0000100u
#define MSR_GS_BASE                 0xC0000101u

/* IA32_VMX_EPT_VPID_CAP */
#define EPT_CAP_WALK4               (1ull << 6)
#define EPT_CAP_WB                  (1ull << 14)
#define EPT_CAP_2M                  (1ull << 16)
#define EPT_CAP_1G                  (1ull << 17)
#define EPT_CAP_INVEPT              (1ull << 20)
#define EPT_CAP_INVEPT_SINGLE       (1ull << 25)
#define EPT_CAP_INVEPT_ALL          (1ull << 26)

/* ---- control bits ---- */
#define PIN_EXT_INTR                (1u << 0)
#define PIN_NMI                     (1u << 3)

#define PROC_HLT                    (1u << 7)
#define PROC_CR3_LOAD               (1u << 15)
#define PROC_CR8_LOAD               (1u << 19)
#define PROC_CR8_STORE              (1u << 20)
#define PROC_TPR_SHADOW             (1u << 21)
#define PROC_CR3_STORE              (1u << 16)
#define PROC_UNCOND_IO              (1u << 24)
#define PROC_USE_IO_BITMAPS         (1u << 25)
#define PROC_USE_MSR_BITMAPS        (1u << 28)
#define PROC_SECONDARY              (1u << 31)

#define PROC2_EPT                   (1u << 1)
#define PROC2_RDTSCP                (1u << 3)
#define PROC2_VPID                  (1u << 5)
#define PROC2_WBINVD                (1u << 6)
#define PROC2_UNRESTRICTED          (1u << 7)
#define PROC2_INVPCID               (1u << 12)

#define EXIT_CTL_HOST_64            (1u << 9)
#define EXIT_CTL_ACK_INTR           (1u << 15)
#define EXIT_CTL_SAVE_PAT           (1u << 18)
#define EXIT_CTL_LOAD_PAT           (1u << 19)
#define EXIT_CTL_SAVE_EFER          (1u << 20)
#define EXIT_CTL_LOAD_EFER          (1u << 21)

#define ENTRY_CTL_IA32E             (1u << 9)
#define ENTRY_CTL_LOAD_PAT          (1u << 14)
#define ENTRY_CTL_LOAD_EFER         (1u << 15)

/* ---- VMCS fields ---- */
enum vmcs_field {
	/* 16-bit */
	VMCS_VPID                   = 0x0000,
	VMCS_GUEST_ES_SEL           = 0x0800,
	VMCS_GUEST_CS_SEL           = 0x0802,
	VMCS_GUEST_SS_SEL           = 0x0804,
	VMCS_GUEST_DS_SEL           = 0x0806,
	VMCS_GUEST_FS_SEL           = 0x0808,
	VMCS_GUEST_GS_SEL           = 0x080A,
	VMCS_GUEST_LDTR_SEL         = 0x080C,
	VMCS_GUEST_TR_SEL           = 0x080E,
	VMCS_HOST_ES_SEL            = 0x0C00,
	VMCS_HOST_CS_SEL            = 0x0C02,
	VMCS_HOST_SS_SEL            = 0x0C04,
	VMCS_HOST_DS_SEL            = 0x0C06,
	VMCS_HOST_FS_SEL            = 0x0C08,
	VMCS_HOST_GS_SEL            = 0x0C0A,
	VMCS_HOST_TR_SEL            = 0x0C0C,
	/* 64-bit */
	VMCS_IO_BITMAP_A            = 0x2000,
	VMCS_IO_BITMAP_B            = 0x2002,
	VMCS_MSR_BITMAP             = 0x2004,
	VMCS_EPT_POINTER            = 0x201A,
	VMCS_GUEST_PHYS_ADDR        = 0x2400,
	VMCS_LINK_POINTER           = 0x2800,
	VMCS_GUEST_DEBUGCTL         = 0x2802,
	VMCS_GUEST_PAT              = 0x2804,
	VMCS_GUEST_EFER             = 0x2806,
	VMCS_HOST_PAT               = 0x2C00,
	VMCS_HOST_EFER              = 0x2C02,
	/* 32-bit */
	VMCS_PIN_CTLS               = 0x4000,
	VMCS_PROC_CTLS              = 0x4002,
	VMCS_EXCEPTION_BITMAP       = 0x4004,
	VMCS_PF_ERR_MASK            = 0x4006,
	VMCS_PF_ERR_MATCH           = 0x4008,
	VMCS_CR3_TARGET_COUNT       = 0x400A,
	VMCS_EXIT_CTLS              = 0x400C,
	VMCS_EXIT_MSR_STORE_COUNT   = 0x400E,
	VMCS_EXIT_MSR_LOAD_COUNT    = 0x4010,
	VMCS_ENTRY_CTLS             = 0x4012,
	VMCS_ENTRY_MSR_LOAD_COUNT   = 0x4014,
	VMCS_ENTRY_INTR_INFO        = 0x4016,
	VMCS_ENTRY_EXC_ERROR        = 0x4018,
	VMCS_ENTRY_INSN_LEN         = 0x401A,
	VMCS_PROC_CTLS2             = 0x401E,
	VMCS_INSN_ERROR             = 0x4400,
	VMCS_EXIT_REASON            = 0x4402,
	VMCS_EXIT_INTR_INFO         = 0x4404,
	VMCS_EXIT_INTR_ERROR        = 0x4406,
	VMCS_IDT_VECTORING_INFO     = 0x4408,
	VMCS_IDT_VECTORING_ERROR    = 0x440A,
	VMCS_EXIT_INSN_LEN          = 0x440C,
	VMCS_GUEST_ES_LIMIT         = 0x4800,
	VMCS_GUEST_CS_LIMIT         = 0x4802,
	VMCS_GUEST_SS_LIMIT         = 0x4804,
	VMCS_GUEST_DS_LIMIT         = 0x4806,
	VMCS_GUEST_FS_LIMIT         = 0x4808,
	VMCS_GUEST_GS_LIMIT         = 0x480A,
	VMCS_GUEST_LDTR_LIMIT       = 0x480C,
	VMCS_GUEST_TR_LIMIT         = 0x480E,
	VMCS_GUEST_GDTR_LIMIT       = 0x4810,
	VMCS_GUEST_IDTR_LIMIT       = 0x4812,
	VMCS_GUEST_ES_AR            = 0x4814,
	VMCS_GUEST_CS_AR            = 0x4816,
	VMCS_GUEST_SS_AR            = 0x4818,
	VMCS_GUEST_DS_AR            = 0x481A,
	VMCS_GUEST_FS_AR            = 0x481C,
	VMCS_GUEST_GS_AR            = 0x481E,
	VMCS_GUEST_LDTR_AR          = 0x4820,
	VMCS_GUEST_TR_AR            = 0x4822,
	VMCS_GUEST_INTERRUPTIBILITY = 0x4824,
	VMCS_GUEST_ACTIVITY         = 0x4826,
	VMCS_GUEST_SYSENTER_CS      = 0x482A,
	VMCS_HOST_SYSENTER_CS       = 0x4C00,
	/* natural width */
	VMCS_CR0_MASK               = 0x6000,
	VMCS_CR4_MASK               = 0x6002,
	VMCS_CR0_SHADOW             = 0x6004,
	VMCS_CR4_SHADOW             = 0x6006,
	VMCS_EXIT_QUAL              = 0x6400,
	VMCS_GUEST_LINEAR_ADDR      = 0x640A,
	VMCS_GUEST_CR0              = 0x6800,
	VMCS_GUEST_CR3              = 0x6802,
	VMCS_GUEST_CR4              = 0x6804,
	VMCS_GUEST_ES_BASE          = 0x6806,
	VMCS_GUEST_CS_BASE          = 0x6808,
	VMCS_GUEST_SS_BASE          = 0x680A,
	VMCS_GUEST_DS_BASE          = 0x680C,
	VMCS_GUEST_FS_BASE          = 0x680E,
	VMCS_GUEST_GS_BASE          = 0x6810,
	VMCS_GUEST_LDTR_BASE        = 0x6812,
	VMCS_GUEST_TR_BASE          = 0x6814,
	VMCS_GUEST_GDTR_BASE        = 0x6816,
	VMCS_GUEST_IDTR_BASE        = 0x6818,
	VMCS_GUEST_DR7              = 0x681A,
	VMCS_GUEST_RSP              = 0x681C,
	VMCS_GUEST_RIP              = 0x681E,
	VMCS_GUEST_RFLAGS           = 0x6820,
	VMCS_GUEST_PENDING_DBG      = 0x6822,
	VMCS_GUEST_SYSENTER_ESP     = 0x6824,
	VMCS_GUEST_SYSENTER_EIP     = 0x6826,
	VMCS_HOST_CR0               = 0x6C00,
	VMCS_HOST_CR3               = 0x6C02,
	VMCS_HOST_CR4               = 0x6C04,
	VMCS_HOST_FS_BASE           = 0x6C06,
	VMCS_HOST_GS_BASE           = 0x6C08,
	VMCS_HOST_TR_BASE           = 0x6C0A,
	VMCS_HOST_GDTR_BASE         = 0x6C0C,
	VMCS_HOST_IDTR_BASE         = 0x6C0E,
	VMCS_HOST_SYSENTER_ESP      = 0x6C10,
	VMCS_HOST_SYSENTER_EIP      = 0x6C12,
	VMCS_HOST_RSP               = 0x6C14,
	VMCS_HOST_RIP               = 0x6C16,
};

/* ---- basic exit reasons (bits 15:0 of VMCS_EXIT_REASON) ---- */
#define VMX_EXIT_EXCEPTION          0
#define VMX_EXIT_EXT_INTR           1
#define VMX_EXIT_TRIPLE_FAULT       2
#define VMX_EXIT_INIT               3
#define VMX_EXIT_CPUID              10
#define VMX_EXIT_HLT                12
#define VMX_EXIT_INVD               13
#define VMX_EXIT_VMCALL             18
#define VMX_EXIT_CR_ACCESS          28
#define VMX_EXIT_IO                 30
#define VMX_EXIT_RDMSR              31
#define VMX_EXIT_WRMSR              32
#define VMX_EXIT_BAD_GUEST_STATE    33
#define VMX_EXIT_BAD_MSR_LOAD       34
#define VMX_EXIT_MACHINE_CHECK      41
#define VMX_EXIT_EPT_VIOLATION      48
#define VMX_EXIT_EPT_MISCONFIG      49
#define VMX_EXIT_WBINVD             54
#define VMX_EXIT_XSETBV             55
#define VMX_EXIT_REASON_ENTRY_FAIL  (1u << 31)

/* I/O exit qualification */
#define IO_QUAL_SIZE(q)             ((unsigned)((q) & 7) + 1)
#define IO_QUAL_IN                  (1u << 3)
#define IO_QUAL_STRING              (1u << 4)
#define IO_QUAL_REP                 (1u << 5)
#define IO_QUAL_PORT(q)             ((uint16_t)((q) >> 16))

/* EPT violation exit qualification */
#define EPT_QUAL_READ               (1u << 0)
#define EPT_QUAL_WRITE              (1u << 1)
#define EPT_QUAL_FETCH              (1u << 2)
#define EPT_QUAL_LINEAR_VALID       (1u << 7)   /* a guest linear address was translated */
#define EPT_QUAL_TRANSLATED         (1u << 8)   /* ... and the fault is on its final gpa */

/* CR-access exit qualification */
#define CR_QUAL_CR(q)               ((unsigned)((q) & 15))
#define CR_QUAL_TYPE(q)             ((unsigned)(((q) >> 4) & 3))   /* 0 mov to CR, 1 from */
#define CR_QUAL_GPR(q)              ((unsigned)(((q) >> 8) & 15))

/* Guest segment access rights (VMCS format) */
#define SEG_AR_L                    (1u << 13)
#define SEG_AR_D                    (1u << 14)

/* VM-entry/exit interruption information */
#define INTR_INFO_VALID             (1u << 31)
#define INTR_INFO_HAS_ERROR         (1u << 11)
#define INTR_TYPE_HW_EXCEPTION      (3u << 8)
#define INTR_TYPE_MASK              (7u << 8)
#define INTR_TYPE_SOFT_INTR         (4u << 8)
#define INTR_TYPE_PRIV_SW_EXC       (5u << 8)
#define INTR_TYPE_SW_EXC            (6u << 8)
#define INTR_INFO_NMI_UNBLOCK       (1u << 12)  /* exit qualification only, not for entry */

/* ---- pure logic (vmx_logic.c, unit-tested on the host) ---- */

/* The VMCS exit fields normalisation needs (read after every exit). */
struct vmx_exit_info {
	uint32_t reason;      /* VMCS_EXIT_REASON */
	uint64_t qual;        /* VMCS_EXIT_QUAL */
	uint64_t gpa;         /* VMCS_GUEST_PHYS_ADDR (meaningful for EPT exits) */
	uint32_t intr_info;   /* VMCS_EXIT_INTR_INFO (meaningful for exception exits) */
	uint32_t insn_len;    /* VMCS_EXIT_INSN_LEN (meaningful for instruction exits) */
	uint32_t idt_vectoring; /* VMCS_IDT_VECTORING_INFO: an event being delivered, if valid */
	uint32_t cs_ar;       /* VMCS_GUEST_CS_AR: L and D give the code size */
	bool lma;             /* the guest's EFER.LMA (the IA-32e mode entry control after exit) */
};

struct vcpu_exit;

/* Fills *e (zeroed first) from the exit fields and the guest GPRs saved at the exit. */
void vmx_exit_normalise(const struct vmx_exit_info *x, const uint64_t gpr[16],
                        struct vcpu_exit *e);

/* A guest MOV to/from CR8 (CR8-load/store exiting): the guest's TPR lives in *tpr, never in
 * the physical one (on the BSP a high TPR would mask the hypervisor's wake-up vector).
 * gpr[] as saved at the exit with gpr[REG_RSP] filled from the VMCS by the caller.  Returns
 * CR8_DONE (register or *tpr updated; RIP must advance), CR8_GP (a write with bits 63:4 set:
 * inject #GP(0)) or CR8_OTHER (not a CR8 move: the core sees the exit). */
enum vmx_cr8_result { CR8_DONE, CR8_GP, CR8_OTHER };
enum vmx_cr8_result vmx_cr8_access(uint64_t qual, uint64_t gpr[16], uint8_t *tpr);

/* The VM-entry interruption information that re-delivers the event an exit interrupted
 * (IDT-vectoring information), or 0 if there is none.  Software interrupts and exceptions
 * also need the VM-entry instruction length: the exit's instruction length. */
uint32_t vmx_reinject_info(uint32_t idt_vectoring);

/* A VM-execution control value from a capability MSR's halves: the wanted bits the CPU allows
 * (allowed-1) plus the bits it requires (allowed-0).  -1 if a bit in must cannot be set or a
 * bit in forbid is forced on. */
int64_t vmx_make_ctl(uint32_t required, uint32_t allowed, uint32_t want, uint32_t must,
                     uint32_t forbid);

/* ---- instructions: each returns 0 on success, -1 on VMfailInvalid / VMfailValid ---- */

static inline int vmx_on(uint64_t pa)
{
	uint8_t fail;
	__asm__ volatile("vmxon %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -1 : 0;
}

static inline int vmcs_clear(uint64_t pa)
{
	uint8_t fail;
	__asm__ volatile("vmclear %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -1 : 0;
}

static inline int vmcs_load(uint64_t pa)
{
	uint8_t fail;
	__asm__ volatile("vmptrld %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -1 : 0;
}

static inline uint64_t vmread(enum vmcs_field f)
{
	uint64_t v = 0;
	__asm__ volatile("vmread %1, %0" : "=rm"(v) : "r"((uint64_t)f) : "cc");
	return v;
}

static inline int vmwrite(enum vmcs_field f, uint64_t v)
{
	uint8_t fail;
	__asm__ volatile("vmwrite %1, %2; setna %0" : "=q"(fail) : "rm"(v), "r"((uint64_t)f)
	                 : "cc", "memory");
	return fail ? -1 : 0;
}

static inline int vmx_invept(uint64_t type, uint64_t eptp)
{
	struct { uint64_t eptp, zero; } desc = { eptp, 0 };
	uint8_t fail;
	__asm__ volatile("invept %1, %2; setna %0" : "=q"(fail) : "m"(desc), "r"(type)
	                 : "cc", "memory");
	return fail ? -1 : 0;
}

/*
 * arch/x86/vmx_entry.S: loads the guest GPRs from gpr[] (enum vcpu_reg order, RSP excepted:
 * it lives in the VMCS), sets VMCS_HOST_RSP/RIP and does VMRESUME if resume else VMLAUNCH.
 * Returns 0 after a VM exit (guest GPRs saved back to gpr[]), 1 if the instruction failed
 * (VMfailValid/VMfailInvalid: the guest was not entered).
 */
int vmx_enter(uint64_t *gpr, int resume);

#endif
