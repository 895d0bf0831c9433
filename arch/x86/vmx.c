/*
 * Intel VMX back end of the vendor-neutral vCPU interface (anchor/vcpu.h).
 *
 * - Each physical CPU enters VMX operation once (vmx_cpu_enable): IA32_FEATURE_CONTROL set and
 *   locked if the firmware left it open (OVMF leaves 0, the Bochs BIOS locks it at 0x5),
 *   CR0/CR4 forced to the VMX fixed bits, VMXON on a per-CPU region.
 * - Each vCPU has one VMCS.  It is filled on the first vcpu_run, on the CPU that will run it,
 *   because the host-state area describes that CPU (and a VMCS must not be active on two CPUs);
 *   until then get_reg/set_reg work on the start state kept in the arch area.
 * - Controls are computed from the TRUE_* capability MSRs when IA32_VMX_BASIC says they exist:
 *   wanted bits & allowed-1 | required-1, and a wanted bit the CPU cannot give fails vcpu_init.
 * - Everything the guest could use to reach the machine exits: all port I/O (unconditional I/O
 *   exiting), all RDMSR/WRMSR (no MSR bitmap: every access exits), HLT, CPUID, VMCALL;
 *   memory outside the LPAR's EPT faults (EPT violation -> EXIT_NPF).
 * - Completed here without the core: external interrupts (taken by the host IDT), INVD and
 *   WBINVD (no-ops: INVD would drop other LPARs' dirty lines, WBINVD in a loop stalls every
 *   CPU), MOV to/from CR8 (CR8-load/store exiting: the guest's TPR is virtual, so a guest
 *   cannot raise the physical TPR and mask the BSP's wake-up vector).  An event whose delivery
 *   an exit interrupted (IDT-vectoring information) is re-injected on the next entry.
 * - EPT: the core's nested_root (hv/paging.c, PT_EPT), 4-level walk, write-back; VPID tags the
 *   guest's TLB entries so no flush is needed around entries and exits.
 */
#include <stddef.h>
#include <string.h>
#include <anchor/hv.h>
#include <anchor/vcpu.h>
#include <anchor/x86.h>
#include "arch.h"
#include "vmx.h"

#define CR0_PE  (1ull << 0)
#define CR0_MP  (1ull << 1)
#define CR0_ET  (1ull << 4)
#define CR0_NE  (1ull << 5)
#define CR0_WP  (1ull << 16)
#define CR0_PG  (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_VMXE (1ull << 13)

#define RFLAGS_FIXED 0x2ull
#define GUEST_PAT_DEFAULT 0x0007040600070406ull

/* Host TR: VM exits load TR from the VMCS (selector, base; limit 0x67) without reading the
 * GDT, but VM entry refuses a null TR selector.  We give each CPU a zeroed TSS: with every IDT
 * gate at IST 0 and no ring change the CPU never reads it. */
#define HOST_TR_SEL 0x20

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed, aligned(16)));

/* Capabilities read once by vmx_cpu_supported (all CPUs of a machine are alike). */
struct vmx_caps {
	uint32_t revision;
	uint32_t pin_req, pin_allowed;
	uint32_t proc_req, proc_allowed;
	uint32_t proc2_allowed;
	uint32_t exit_req, exit_allowed;
	uint32_t entry_req, entry_allowed;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t ept_cap;
	bool read;
};

/* Per-vCPU state in struct vcpu's arch[] area (opaque to the core). */
struct vmx_vcpu {
	uint64_t vmcs_pa;
	uint64_t eptp;
	uint16_t vpid;
	bool vmcs_ready;          /* VMCS filled and current on this CPU */
	bool launched;            /* VMLAUNCH succeeded: next entry is VMRESUME */
	bool long_mode;
	uint8_t tpr;              /* the guest's CR8 (virtual: never the physical TPR) */
	uint32_t proc, proc2, pin, exit_ctl, entry_ctl;
	/* Start state, authoritative until the VMCS is filled. */
	uint64_t rip, rsp, rflags, cr0, cr3, cr4, efer;   /* cr4 as the guest sees it (no VMXE) */
	/* An exception queued by inject_exception before the VMCS exists. */
	uint32_t pending_intr_info, pending_intr_error;
};

_Static_assert(sizeof(struct vmx_vcpu) <= VCPU_ARCH_BYTES, "vmx state does not fit vcpu.arch");

static struct vmx_caps caps;
static uint64_t vmxon_region_pa[HV_MAX_CPUS];
static bool vmx_on_cpu[HV_MAX_CPUS];        /* VMXON done: a second LPAR on a CPU is fine */
static struct tss64 host_tss[HV_MAX_CPUS];
static uint16_t next_vpid = 1;              /* 0 is the host's */
static spinlock_t vpid_lock;

static struct vmx_vcpu *vmx_of(struct vcpu *v) { return (struct vmx_vcpu *)(void *)v->arch; }

/* ---- capability checks ---- */

static void read_ctl_msr(uint32_t msr, uint32_t *req, uint32_t *allowed)
{
	uint64_t m = rdmsr(msr);
	*req = (uint32_t)m;            /* allowed-0 settings: bits that must be 1 */
	*allowed = (uint32_t)(m >> 32); /* allowed-1 settings: bits that may be 1 */
}

static void read_caps(void)
{
	uint64_t basic = rdmsr(MSR_VMX_BASIC);
	bool true_ctls = (basic & VMX_BASIC_TRUE_CTLS) != 0;
	caps.revision = (uint32_t)basic & 0x7FFFFFFFu;
	read_ctl_msr(true_ctls ? MSR_VMX_TRUE_PINBASED_CTLS : MSR_VMX_PINBASED_CTLS,
	             &caps.pin_req, &caps.pin_allowed);
	read_ctl_msr(true_ctls ? MSR_VMX_TRUE_PROCBASED_CTLS : MSR_VMX_PROCBASED_CTLS,
	             &caps.proc_req, &caps.proc_allowed);
	read_ctl_msr(true_ctls ? MSR_VMX_TRUE_EXIT_CTLS : MSR_VMX_EXIT_CTLS,
	             &caps.exit_req, &caps.exit_allowed);
	read_ctl_msr(true_ctls ? MSR_VMX_TRUE_ENTRY_CTLS : MSR_VMX_ENTRY_CTLS,
	             &caps.entry_req, &caps.entry_allowed);
	caps.proc2_allowed = 0;
	if (caps.proc_allowed & PROC_SECONDARY)
		caps.proc2_allowed = (uint32_t)(rdmsr(MSR_VMX_PROCBASED_CTLS2) >> 32);
	caps.ept_cap = (caps.proc2_allowed & (PROC2_EPT | PROC2_VPID))
	               ? rdmsr(MSR_VMX_EPT_VPID_CAP) : 0;
	caps.cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	caps.cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	caps.cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	caps.cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	caps.read = true;
}

static bool vmx_cpu_supported(const char **why)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	if (!(r[2] & (1u << 5))) {
		*why = "CPUID.1:ECX.VMX is clear";
		return false;
	}
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
	if ((fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		*why = "VMX disabled by the firmware (IA32_FEATURE_CONTROL locked without VMX)";
		return false;
	}
	read_caps();
	if (!(caps.proc2_allowed & PROC2_EPT)) {
		*why = "no EPT";
		return false;
	}
	uint64_t need = EPT_CAP_WALK4 | EPT_CAP_WB | EPT_CAP_2M | EPT_CAP_1G;
	if ((caps.ept_cap & need) != need) {
		/* hv/paging.c uses 1 GiB and 2 MiB leaves where alignment allows. */
		*why = "EPT lacks 4-level walks, write-back, or 2 MiB / 1 GiB pages";
		return false;
	}
	if (!(caps.exit_allowed & EXIT_CTL_HOST_64) || !(caps.entry_allowed & ENTRY_CTL_IA32E)) {
		*why = "no 64-bit host/guest VM controls";
		return false;
	}
	*why = NULL;
	return true;
}

/* ---- VMX operation on this CPU ---- */

static int vmx_cpu_enable(void)
{
	unsigned cpu = cpu_index();
	if (cpu >= HV_MAX_CPUS)
		return -1;
	if (vmx_on_cpu[cpu])
		return 0;
	if (!caps.read)
		read_caps();

	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
	if (!(fc & FEATURE_CONTROL_LOCK))
		wrmsr(MSR_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	else if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
		return -1;

	/* VMXON requires CR0/CR4 within the fixed bits (CR0.NE, CR4.VMXE among them). */
	uint64_t cr0 = (read_cr0() | caps.cr0_fixed0) & caps.cr0_fixed1;
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
	write_cr4((read_cr4() | caps.cr4_fixed0 | CR4_VMXE) & caps.cr4_fixed1);

	if (!vmxon_region_pa[cpu]) {
		uint32_t *region = page_alloc(1);
		if (!region)
			return -1;
		region[0] = caps.revision;
		vmxon_region_pa[cpu] = (uint64_t)(uintptr_t)region;
	}
	if (vmx_on(vmxon_region_pa[cpu]) != 0)
		return -1;
	vmx_on_cpu[cpu] = true;
	return 0;
}

/* ---- vCPU creation ---- */

static bool cpu_has_nx(void)
{
	uint32_t r[4];
	cpuid(0x80000001u, 0, r);
	return (r[3] & (1u << 20)) != 0;
}

static int choose_controls(struct vmx_vcpu *x)
{
	/* External interrupts exit instead of reaching the guest's IDT (an LPAR sharing the BSP
	 * must not receive the hypervisor's wake-up IPIs); NMIs are left to the guest. */
	int64_t pin = vmx_make_ctl(caps.pin_req, caps.pin_allowed, PIN_EXT_INTR, PIN_EXT_INTR, 0);
	/* No I/O or MSR bitmaps: every port access and every MSR access exits.  CR8 accesses
	 * exit (the guest's TPR is virtual); no TPR shadow (it would make CR8 loads not exit). */
	uint32_t want = PROC_HLT | PROC_UNCOND_IO | PROC_SECONDARY | PROC_CR8_LOAD | PROC_CR8_STORE;
	int64_t proc = vmx_make_ctl(caps.proc_req, caps.proc_allowed, want, want,
	                        PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS | PROC_TPR_SHADOW);
	uint32_t want2 = PROC2_EPT | PROC2_VPID | PROC2_RDTSCP | PROC2_INVPCID | PROC2_WBINVD;
	uint32_t must2 = PROC2_EPT | PROC2_WBINVD;
	if (!x->long_mode) {
		want2 |= PROC2_UNRESTRICTED;
		must2 |= PROC2_UNRESTRICTED;   /* real-mode guests run only with unrestricted guest */
	}
	int64_t proc2 = vmx_make_ctl(0, caps.proc2_allowed, want2, must2, 0);
	uint32_t want_exit = EXIT_CTL_HOST_64 | EXIT_CTL_SAVE_EFER | EXIT_CTL_LOAD_EFER |
	                     EXIT_CTL_SAVE_PAT | EXIT_CTL_LOAD_PAT;
	int64_t exit_ctl = vmx_make_ctl(caps.exit_req, caps.exit_allowed, want_exit,
	                            EXIT_CTL_HOST_64 | EXIT_CTL_LOAD_EFER, EXIT_CTL_ACK_INTR);
	uint32_t want_entry = ENTRY_CTL_LOAD_EFER | ENTRY_CTL_LOAD_PAT |
	                      (x->long_mode ? ENTRY_CTL_IA32E : 0);
	int64_t entry_ctl = vmx_make_ctl(caps.entry_req, caps.entry_allowed, want_entry,
	                             ENTRY_CTL_LOAD_EFER | (x->long_mode ? ENTRY_CTL_IA32E : 0),
	                             x->long_mode ? 0 : ENTRY_CTL_IA32E);
	if (pin < 0 || proc < 0 || proc2 < 0 || exit_ctl < 0 || entry_ctl < 0)
		return -1;
	x->pin = (uint32_t)pin;
	x->proc = (uint32_t)proc;
	x->proc2 = (uint32_t)proc2;
	x->exit_ctl = (uint32_t)exit_ctl;
	x->entry_ctl = (uint32_t)entry_ctl;
	return 0;
}

static uint16_t alloc_vpid(void)
{
	spin_lock(&vpid_lock);
	uint16_t id = next_vpid;
	if (next_vpid != 0xFFFF)
		next_vpid++;
	spin_unlock(&vpid_lock);
	return id;
}

static int vmx_vcpu_init(struct vcpu *v, uint64_t nested_root, const struct vcpu_start *s)
{
	struct vmx_vcpu *x = vmx_of(v);
	if (!caps.read || (nested_root & 0xFFF) || !nested_root)
		return -1;
	uint64_t old_vmcs = x->vmcs_pa;   /* a re-init (the LPAR was reset) reuses its VMCS page */
	memset(x, 0, sizeof(*x));
	memset(v->gpr, 0, sizeof(v->gpr));
	x->long_mode = s->long_mode;
	if (choose_controls(x) != 0)
		return -1;

	uint32_t *vmcs = old_vmcs ? (uint32_t *)(uintptr_t)old_vmcs : page_alloc(1);
	if (!vmcs)
		return -1;
	vmcs[0] = caps.revision;
	x->vmcs_pa = (uint64_t)(uintptr_t)vmcs;
	x->eptp = nested_root | (3ull << 3) /* 4-level walk */ | 6ull /* WB */;
	x->vpid = (x->proc2 & PROC2_VPID) ? alloc_vpid() : 0;

	x->rip = s->rip;
	x->rsp = s->rsp;
	x->rflags = RFLAGS_FIXED;
	v->gpr[REG_RSI] = s->rsi;
	v->gpr[REG_RDI] = s->rdi;
	if (s->long_mode) {
		x->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
		x->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
		x->cr3 = s->cr3;
		x->efer = EFER_LME | EFER_LMA | (cpu_has_nx() ? EFER_NXE : 0);
	} else {
		x->cr0 = CR0_ET | CR0_NE;      /* unrestricted guest allows PE = PG = 0 */
		x->cr4 = 0;
		x->cr3 = 0;
		x->efer = 0;
	}
	return 0;
}

/* ---- VMCS setup (on the CPU that runs the vCPU) ---- */

static uint64_t fixed_cr0(const struct vmx_vcpu *x, uint64_t cr0)
{
	uint64_t f0 = caps.cr0_fixed0;
	if (x->proc2 & PROC2_UNRESTRICTED)
		f0 &= ~(CR0_PE | CR0_PG);
	return (cr0 | f0) & caps.cr0_fixed1;
}

static uint64_t fixed_cr4(uint64_t cr4)
{
	return (cr4 | caps.cr4_fixed0) & caps.cr4_fixed1;
}

struct seg {
	enum vmcs_field sel, base, limit, ar;
};

static const struct seg data_segs[] = {
	{ VMCS_GUEST_ES_SEL, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR },
	{ VMCS_GUEST_SS_SEL, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR },
	{ VMCS_GUEST_DS_SEL, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR },
	{ VMCS_GUEST_FS_SEL, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_AR },
	{ VMCS_GUEST_GS_SEL, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR },
};

static int write_seg(const struct seg *s, uint16_t sel, uint64_t base, uint32_t limit,
                     uint32_t ar)
{
	return vmwrite(s->sel, sel) | vmwrite(s->base, base) | vmwrite(s->limit, limit) |
	       vmwrite(s->ar, ar);
}

/* Flat 64-bit segments (selectors as the core's GDT has them), or real-mode segments at 0. */
static int setup_guest_segments(const struct vmx_vcpu *x)
{
	static const struct seg cs = { VMCS_GUEST_CS_SEL, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT,
	                               VMCS_GUEST_CS_AR };
	static const struct seg tr = { VMCS_GUEST_TR_SEL, VMCS_GUEST_TR_BASE, VMCS_GUEST_TR_LIMIT,
	                               VMCS_GUEST_TR_AR };
	static const struct seg ldtr = { VMCS_GUEST_LDTR_SEL, VMCS_GUEST_LDTR_BASE,
	                                 VMCS_GUEST_LDTR_LIMIT, VMCS_GUEST_LDTR_AR };
	int rc = 0;
	if (x->long_mode) {
		rc |= write_seg(&cs, 0x08, 0, 0xFFFFFFFF, 0xA09B);       /* L, G, P, code RX */
		for (size_t i = 0; i < sizeof(data_segs) / sizeof(data_segs[0]); i++)
			rc |= write_seg(&data_segs[i], 0x10, 0, 0xFFFFFFFF, 0xC093);
	} else {
		rc |= write_seg(&cs, 0, 0, 0xFFFF, 0x9B);
		for (size_t i = 0; i < sizeof(data_segs) / sizeof(data_segs[0]); i++)
			rc |= write_seg(&data_segs[i], 0, 0, 0xFFFF, 0x93);
	}
	rc |= write_seg(&tr, 0, 0, 0x67, 0x8B);                          /* busy TSS */
	rc |= write_seg(&ldtr, 0, 0, 0, 0x10000);                       /* unusable */
	rc |= vmwrite(VMCS_GUEST_GDTR_BASE, 0) | vmwrite(VMCS_GUEST_GDTR_LIMIT, 0xFFFF);
	/* No guest IDT until the guest loads one: an exception then escalates to a triple fault,
	 * which stops the LPAR with a reason instead of running junk. */
	rc |= vmwrite(VMCS_GUEST_IDTR_BASE, 0) | vmwrite(VMCS_GUEST_IDTR_LIMIT, 0);
	return rc;
}

static int setup_guest_state(struct vmx_vcpu *x)
{
	int rc = setup_guest_segments(x);
	rc |= vmwrite(VMCS_GUEST_CR0, fixed_cr0(x, x->cr0));
	rc |= vmwrite(VMCS_GUEST_CR3, x->cr3);
	rc |= vmwrite(VMCS_GUEST_CR4, fixed_cr4(x->cr4));
	rc |= vmwrite(VMCS_GUEST_EFER, x->efer);
	rc |= vmwrite(VMCS_GUEST_PAT, GUEST_PAT_DEFAULT);
	rc |= vmwrite(VMCS_GUEST_DR7, 0x400);
	rc |= vmwrite(VMCS_GUEST_DEBUGCTL, 0);
	rc |= vmwrite(VMCS_GUEST_RSP, x->rsp);
	rc |= vmwrite(VMCS_GUEST_RIP, x->rip);
	rc |= vmwrite(VMCS_GUEST_RFLAGS, x->rflags | RFLAGS_FIXED);
	rc |= vmwrite(VMCS_GUEST_SYSENTER_CS, 0) | vmwrite(VMCS_GUEST_SYSENTER_ESP, 0) |
	      vmwrite(VMCS_GUEST_SYSENTER_EIP, 0);
	rc |= vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0) | vmwrite(VMCS_GUEST_ACTIVITY, 0) |
	      vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	rc |= vmwrite(VMCS_LINK_POINTER, ~0ull);
	/* The guest reads CR0/CR4 through the shadows; owning CR4.VMXE hides VMX from it. */
	rc |= vmwrite(VMCS_CR0_MASK, 0) | vmwrite(VMCS_CR0_SHADOW, x->cr0);
	rc |= vmwrite(VMCS_CR4_MASK, CR4_VMXE) | vmwrite(VMCS_CR4_SHADOW, x->cr4 & ~CR4_VMXE);
	return rc;
}

static int setup_host_state(unsigned cpu)
{
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr;
	__asm__ volatile("sidt %0" : "=m"(idtr));
	int rc = 0;
	rc |= vmwrite(VMCS_HOST_CR0, read_cr0()) | vmwrite(VMCS_HOST_CR3, read_cr3()) |
	      vmwrite(VMCS_HOST_CR4, read_cr4());
	rc |= vmwrite(VMCS_HOST_CS_SEL, 0x08) | vmwrite(VMCS_HOST_SS_SEL, 0x10) |
	      vmwrite(VMCS_HOST_DS_SEL, 0x10) | vmwrite(VMCS_HOST_ES_SEL, 0x10) |
	      vmwrite(VMCS_HOST_FS_SEL, 0x10) | vmwrite(VMCS_HOST_GS_SEL, 0x10) |
	      vmwrite(VMCS_HOST_TR_SEL, HOST_TR_SEL);
	rc |= vmwrite(VMCS_HOST_FS_BASE, 0) | vmwrite(VMCS_HOST_GS_BASE, 0);
	rc |= vmwrite(VMCS_HOST_TR_BASE, (uint64_t)(uintptr_t)&host_tss[cpu]);
	rc |= vmwrite(VMCS_HOST_GDTR_BASE, arch_gdt_base());
	rc |= vmwrite(VMCS_HOST_IDTR_BASE, idtr.base);
	rc |= vmwrite(VMCS_HOST_SYSENTER_CS, 0) | vmwrite(VMCS_HOST_SYSENTER_ESP, 0) |
	      vmwrite(VMCS_HOST_SYSENTER_EIP, 0);
	rc |= vmwrite(VMCS_HOST_EFER, rdmsr(MSR_EFER)) | vmwrite(VMCS_HOST_PAT, rdmsr(MSR_PAT));
	return rc;
}

static int setup_controls(const struct vmx_vcpu *x)
{
	int rc = 0;
	rc |= vmwrite(VMCS_PIN_CTLS, x->pin) | vmwrite(VMCS_PROC_CTLS, x->proc) |
	      vmwrite(VMCS_PROC_CTLS2, x->proc2) | vmwrite(VMCS_EXIT_CTLS, x->exit_ctl) |
	      vmwrite(VMCS_ENTRY_CTLS, x->entry_ctl);
	rc |= vmwrite(VMCS_EXCEPTION_BITMAP, 0) | vmwrite(VMCS_PF_ERR_MASK, 0) |
	      vmwrite(VMCS_PF_ERR_MATCH, 0) | vmwrite(VMCS_CR3_TARGET_COUNT, 0);
	rc |= vmwrite(VMCS_EXIT_MSR_STORE_COUNT, 0) | vmwrite(VMCS_EXIT_MSR_LOAD_COUNT, 0) |
	      vmwrite(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	rc |= vmwrite(VMCS_ENTRY_INTR_INFO, x->pending_intr_info) |
	      vmwrite(VMCS_ENTRY_EXC_ERROR, x->pending_intr_error);
	rc |= vmwrite(VMCS_EPT_POINTER, x->eptp);
	if (x->proc2 & PROC2_VPID)
		rc |= vmwrite(VMCS_VPID, x->vpid);
	return rc;
}

/* Stale EPT translations may exist if the tables were used before (pages reused). */
static void flush_ept(const struct vmx_vcpu *x)
{
	if (!(caps.ept_cap & EPT_CAP_INVEPT))
		return;
	if (caps.ept_cap & EPT_CAP_INVEPT_SINGLE)
		vmx_invept(1, x->eptp);
	else if (caps.ept_cap & EPT_CAP_INVEPT_ALL)
		vmx_invept(2, 0);
}

static int prepare_vmcs(struct vmx_vcpu *x)
{
	if (vmcs_clear(x->vmcs_pa) != 0 || vmcs_load(x->vmcs_pa) != 0)
		return -1;
	if (setup_controls(x) | setup_host_state(cpu_index()) | setup_guest_state(x))
		return -1;
	flush_ept(x);
	x->pending_intr_info = 0;
	x->vmcs_ready = true;
	return 0;
}

/* ---- running and exits ---- */

/* Reads what the exit left in the VMCS; vmx_exit_normalise (vmx_logic.c) does the rest. */
static void normalise_exit(struct vcpu *v, struct vcpu_exit *e)
{
	struct vmx_exit_info xi = {
		.reason = (uint32_t)vmread(VMCS_EXIT_REASON),
		.qual = vmread(VMCS_EXIT_QUAL),
		.gpa = vmread(VMCS_GUEST_PHYS_ADDR),
		.intr_info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO),
		.insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN),
		.idt_vectoring = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO),
		.cs_ar = (uint32_t)vmread(VMCS_GUEST_CS_AR),
		.lma = (vmread(VMCS_ENTRY_CTLS) & ENTRY_CTL_IA32E) != 0,
	};
	vmx_exit_normalise(&xi, v->gpr, e);
}

/* An external interrupt made the guest exit; it is still pending at the local APIC (no
 * acknowledge-on-exit).  Let the hypervisor's own IDT take it (vectors 32-255 only send an
 * EOI) in a one-instruction window, as SVM's V_INTR_MASKING does when the host enables
 * interrupts, then go back to the guest: the core never sees these exits. */
static void take_host_interrupt(void)
{
	__asm__ volatile("sti; nop; cli" ::: "memory");
}

/* Re-delivers the event an exit interrupted on the next entry (the core's inject_exception
 * overwrites it when it injects something itself). */
static void reinject_interrupted_event(void)
{
	uint32_t info = vmx_reinject_info((uint32_t)vmread(VMCS_IDT_VECTORING_INFO));
	if (!info)
		return;
	vmwrite(VMCS_ENTRY_INTR_INFO, info);
	vmwrite(VMCS_ENTRY_EXC_ERROR, vmread(VMCS_IDT_VECTORING_ERROR));
	vmwrite(VMCS_ENTRY_INSN_LEN, vmread(VMCS_EXIT_INSN_LEN));
}

static void skip_instruction(void)
{
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + vmread(VMCS_EXIT_INSN_LEN));
}

static void vmx_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);

/* MOV to/from CR8 against the virtual TPR; false if the CR access is not one. */
static bool cr8_exit(struct vcpu *v, struct vmx_vcpu *x)
{
	v->gpr[REG_RSP] = vmread(VMCS_GUEST_RSP);
	switch (vmx_cr8_access(vmread(VMCS_EXIT_QUAL), v->gpr, &x->tpr)) {
	case CR8_DONE:
		vmwrite(VMCS_GUEST_RSP, v->gpr[REG_RSP]);
		skip_instruction();
		return true;
	case CR8_GP:
		vmx_inject_exception(v, 13, true, 0);
		return true;
	default:
		return false;
	}
}

/* The exits completed here (see the top of the file): true if the guest simply goes on. */
static bool local_exit(struct vcpu *v, struct vmx_vcpu *x, uint64_t raw)
{
	switch (raw) {
	case VMX_EXIT_EXT_INTR:
		take_host_interrupt();
		return true;
	case VMX_EXIT_INVD:
	case VMX_EXIT_WBINVD:
		skip_instruction();
		return true;
	case VMX_EXIT_CR_ACCESS:
		return cr8_exit(v, x);
	default:
		return false;
	}
}

static void vmx_vcpu_run(struct vcpu *v, struct vcpu_exit *e)
{
	struct vmx_vcpu *x = vmx_of(v);
	if (!x->vmcs_ready && prepare_vmcs(x) != 0) {
		e->kind = EXIT_ENTRY_FAIL;
		e->raw = (uint64_t)1 << 32;                 /* VMCS could not be set up */
		e->qual = vmread(VMCS_INSN_ERROR);
		return;
	}
	for (;;) {
		if (vmx_enter(v->gpr, x->launched) != 0) {
			/* VMfailValid: VM-instruction error in raw (bit 32 tells it from an exit
			 * reason). */
			memset(e, 0, sizeof(*e));
			e->kind = EXIT_ENTRY_FAIL;
			e->raw = ((uint64_t)1 << 32) | vmread(VMCS_INSN_ERROR);
			e->qual = x->launched;
			return;
		}
		normalise_exit(v, e);
		/* A VM-entry failure (exit reason bit 31) never entered the guest: the VMCS stays
		 * "clear" and the next attempt must be a VMLAUNCH again. */
		if (e->kind == EXIT_ENTRY_FAIL)
			return;
		x->launched = true;
		reinject_interrupted_event();
		if (!local_exit(v, x, e->raw))
			return;
	}
}

/* ---- registers ---- */

static uint64_t *start_field(struct vmx_vcpu *x, enum vcpu_reg r)
{
	switch (r) {
	case REG_RIP: return &x->rip;
	case REG_RSP: return &x->rsp;
	case REG_RFLAGS: return &x->rflags;
	case REG_CR0: return &x->cr0;
	case REG_CR3: return &x->cr3;
	case REG_CR4: return &x->cr4;
	case REG_EFER: return &x->efer;
	default: return NULL;
	}
}

static enum vmcs_field vmcs_field_of(enum vcpu_reg r)
{
	switch (r) {
	case REG_RIP: return VMCS_GUEST_RIP;
	case REG_RSP: return VMCS_GUEST_RSP;
	case REG_RFLAGS: return VMCS_GUEST_RFLAGS;
	case REG_CR0: return VMCS_GUEST_CR0;
	case REG_CR3: return VMCS_GUEST_CR3;
	case REG_CR4: return VMCS_GUEST_CR4;
	default: return VMCS_GUEST_EFER;
	}
}

static uint64_t vmx_get_reg(struct vcpu *v, enum vcpu_reg r)
{
	struct vmx_vcpu *x = vmx_of(v);
	if (r < REG_RIP)
		return r == REG_RSP ? (x->vmcs_ready ? vmread(VMCS_GUEST_RSP) : x->rsp) : v->gpr[r];
	if (r >= REG_COUNT)
		return 0;
	if (!x->vmcs_ready)
		return *start_field(x, r);
	return vmread(vmcs_field_of(r));   /* CR0/CR4: the real values, as a page walk needs */
}

static void vmx_set_reg(struct vcpu *v, enum vcpu_reg r, uint64_t val)
{
	struct vmx_vcpu *x = vmx_of(v);
	if (r >= REG_COUNT)
		return;
	if (r < REG_RIP && r != REG_RSP) {
		v->gpr[r] = val;
		return;
	}
	if (!x->vmcs_ready) {
		*start_field(x, r) = val;
		return;
	}
	if (r == REG_CR0) {
		vmwrite(VMCS_CR0_SHADOW, val);
		val = fixed_cr0(x, val);
	} else if (r == REG_CR4) {
		vmwrite(VMCS_CR4_SHADOW, val & ~CR4_VMXE);
		val = fixed_cr4(val);
	}
	vmwrite(vmcs_field_of(r), val);
}

static void vmx_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	struct vmx_vcpu *x = vmx_of(v);
	uint32_t info = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | vector |
	                (has_error ? INTR_INFO_HAS_ERROR : 0);
	if (!x->vmcs_ready) {
		x->pending_intr_info = info;
		x->pending_intr_error = error;
		return;
	}
	vmwrite(VMCS_ENTRY_INTR_INFO, info);
	vmwrite(VMCS_ENTRY_EXC_ERROR, error);
}

const struct vcpu_ops vmx_ops = {
	.name = "vmx",
	.cpu_supported = vmx_cpu_supported,
	.cpu_enable = vmx_cpu_enable,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_run = vmx_vcpu_run,
	.get_reg = vmx_get_reg,
	.set_reg = vmx_set_reg,
	.inject_exception = vmx_inject_exception,
	.nested_format = PT_EPT,
};
