/*
 * AMD SVM definitions used by the SVM back end (arch/x86/svm.c) and its pure logic
 * (arch/x86/svm_logic.c): VMCB offsets (AMD APM Vol. 2, Appendix B), intercept bits and exit
 * codes.  The pure functions work on a VMCB given as plain memory, so the host unit test
 * (tests/unit/test_svm_logic.c) drives them with a crafted VMCB.
 */
#ifndef ANCHOR_ARCH_X86_SVM_H
#define ANCHOR_ARCH_X86_SVM_H
#include <stdbool.h>
#include <stdint.h>

/* VMCB control area */
#define VMCB_INTERCEPT_CR     0x000
#define VMCB_INTERCEPT_EXC    0x008
#define VMCB_INTERCEPT_MISC1  0x00C
#define VMCB_INTERCEPT_MISC2  0x010
#define VMCB_IOPM_BASE        0x040
#define VMCB_MSRPM_BASE       0x048
#define VMCB_ASID             0x058
#define VMCB_TLB_CONTROL      0x05C
#define VMCB_VINTR            0x060
#define VMCB_EXITCODE         0x070
#define VMCB_EXITINFO1        0x078
#define VMCB_EXITINFO2        0x080
#define VMCB_EXITINTINFO      0x088
#define VMCB_NP_ENABLE        0x090
#define VMCB_EVENTINJ         0x0A8
#define VMCB_N_CR3            0x0B0
#define VMCB_CLEAN            0x0C0
#define VMCB_NEXT_RIP         0x0C8   /* written by CPUs with NRIP save only */
/* VMCB state save area */
#define VMCB_ES               0x400
#define VMCB_CS               0x410
#define VMCB_SS               0x420
#define VMCB_DS               0x430
#define VMCB_FS               0x440
#define VMCB_GS               0x450
#define VMCB_GDTR             0x460
#define VMCB_LDTR             0x470
#define VMCB_IDTR             0x480
#define VMCB_TR               0x490
#define VMCB_CPL              0x4CB
#define VMCB_EFER             0x4D0
#define VMCB_CR4              0x548
#define VMCB_CR3              0x550
#define VMCB_CR0              0x558
#define VMCB_DR7              0x560
#define VMCB_DR6              0x568
#define VMCB_RFLAGS           0x570
#define VMCB_RIP              0x578
#define VMCB_RSP              0x5D8
#define VMCB_RAX              0x5F8
#define VMCB_CR2              0x640
#define VMCB_G_PAT            0x668
#define VMCB_SIZE             4096

/* intercept bits */
#define MISC1_INIT     (1u << 3)
#define MISC1_CPUID    (1u << 18)
#define MISC1_INVD     (1u << 22)
#define MISC1_HLT      (1u << 24)
#define MISC1_INVLPGA  (1u << 26)
#define MISC1_IOIO     (1u << 27)
#define MISC1_MSR      (1u << 28)
#define MISC1_SHUTDOWN (1u << 31)
#define MISC2_VMRUN    (1u << 0)
#define MISC2_VMMCALL  (1u << 1)
#define MISC2_ALL_SVM  0x7Fu      /* VMRUN VMMCALL VMLOAD VMSAVE STGI CLGI SKINIT */
#define MISC2_WBINVD   (1u << 9)  /* WBINVD and WBNOINVD */

/* exit codes */
#define SVM_EXIT_EXCP_BASE 0x40
#define SVM_EXIT_CPUID     0x72
#define SVM_EXIT_INVD      0x76
#define SVM_EXIT_HLT       0x78
#define SVM_EXIT_INVLPGA   0x7A
#define SVM_EXIT_IOIO      0x7B
#define SVM_EXIT_MSR       0x7C
#define SVM_EXIT_SHUTDOWN  0x7F
#define SVM_EXIT_VMMCALL   0x81
#define SVM_EXIT_WBINVD    0x89
#define SVM_EXIT_NPF       0x400
#define SVM_EXIT_INVALID   0xFFFFFFFFu

/* EXITINFO1 of a nested page fault */
#define NPF_INFO_WRITE      (1ull << 1)
#define NPF_INFO_FETCH      (1ull << 4)
#define NPF_INFO_FINAL_GPA  (1ull << 32)  /* fault on the final guest-physical address */
#define NPF_INFO_WALK       (1ull << 33)  /* fault on a guest page-table access */

/* EVENTINJ / EXITINTINFO: vector 7:0, type 10:8, error valid 11, valid 31, error 63:32 */
#define EVENT_VALID        (1ull << 31)
#define EVENT_HAS_ERROR    (1ull << 11)
#define EVENT_TYPE(ev)     (((ev) >> 8) & 7)
#define EVENT_TYPE_INTR    0
#define EVENT_TYPE_NMI     2
#define EVENT_TYPE_EXCEPT  3
#define EVENT_TYPE_SOFTINT 4

struct vcpu_exit;

/* Fills *e (zeroed first) from the exit state in the VMCB and the guest GPRs saved at the exit
 * (RAX and RSP are in the VMCB). */
void svm_exit_normalise(const uint8_t *vmcb, const uint64_t gpr[16], struct vcpu_exit *e);

/* Exits the back end completes itself without the core, applied to the VMCB: INVD and WBINVD
 * become no-ops (RIP past their 2 bytes: INVD would drop other LPARs' and the hypervisor's
 * dirty lines, WBINVD in a loop stalls every CPU's memory traffic), INVLPGA raises #UD as on a
 * CPU without SVM.  Returns true if the exit was one of them (the guest simply goes on). */
bool svm_exit_local(uint8_t *vmcb);

/* The event to inject on the next VMRUN after an exit: the one whose delivery the exit
 * interrupted (EXITINTINFO: external interrupt, NMI or exception), or 0.  A software
 * interrupt (INTn) is not re-injected: RIP still points at the instruction, which runs again. */
uint64_t svm_reinject_event(const uint8_t *vmcb);

#endif
