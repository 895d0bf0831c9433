/*
 * Per-CPU basics of the hypervisor: its own page tables (identity map, so physical == virtual
 * everywhere in the hypervisor), GDT, IDT with exception reporting, and the choice of the vCPU
 * back end from CPUID.
 */
#include <anchor/hv.h>
#include <anchor/vcpu.h>
#include <anchor/x86.h>
#include "arch.h"
#include <string.h>

/* ---- page tables: 0..64 GiB with 2 MiB pages; 3-4 GiB (MMIO: LAPIC, TPM, ...) uncached ---- */

#define HV_MAP_GIB (HV_MAPPED_LIMIT >> 30)
#define PTE_P   0x001ull
#define PTE_W   0x002ull
#define PTE_PWT 0x008ull
#define PTE_PCD 0x010ull
#define PTE_PS  0x080ull
#define PTE_G   0x100ull

static uint64_t hv_pml4[512] __attribute__((aligned(4096)));
static uint64_t hv_pdpt[512] __attribute__((aligned(4096)));
static uint64_t hv_pd[HV_MAP_GIB][512] __attribute__((aligned(4096)));

uint64_t hv_cr3;

static void build_hv_page_tables(void)
{
	for (unsigned g = 0; g < HV_MAP_GIB; g++) {
		for (unsigned i = 0; i < 512; i++) {
			uint64_t pa = ((uint64_t)g << 30) | ((uint64_t)i << 21);
			uint64_t attr = PTE_P | PTE_W | PTE_PS;
			if (g == 3)
				attr |= PTE_PCD | PTE_PWT;
			hv_pd[g][i] = pa | attr;
		}
		hv_pdpt[g] = (uint64_t)(uintptr_t)hv_pd[g] | PTE_P | PTE_W;
	}
	hv_pml4[0] = (uint64_t)(uintptr_t)hv_pdpt | PTE_P | PTE_W;
	hv_cr3 = (uint64_t)(uintptr_t)hv_pml4;
}

/* ---- GDT and IDT ---- */

struct __attribute__((packed)) desc_ptr {
	uint16_t limit;
	uint64_t base;
};

static const uint64_t hv_gdt[] __attribute__((aligned(16))) = {
	0,
	0x00AF9A000000FFFFull,   /* 0x08: 64-bit code, DPL 0 */
	0x00CF92000000FFFFull,   /* 0x10: data, DPL 0 */
	0x00CF9A000000FFFFull,   /* 0x18: 32-bit code (AP trampoline) */
};

struct __attribute__((packed)) idt_entry {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
};

/* Exceptions report and stop the CPU; every other vector (the BSP's wake-up IPI, or anything
 * the firmware left armed) is acknowledged and ignored. */
static struct idt_entry hv_idt[256] __attribute__((aligned(16)));
extern const uint64_t exception_stubs[32];   /* arch/x86/idt.S */
extern const uint8_t interrupt_stub[];       /* arch/x86/idt.S */

static void build_idt(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = v < 32 ? exception_stubs[v] : (uint64_t)(uintptr_t)interrupt_stub;
		hv_idt[v] = (struct idt_entry){ .off0 = (uint16_t)a, .sel = 0x08, .ist = 0,
		                                .type = 0x8E, .off1 = (uint16_t)(a >> 16),
		                                .off2 = (uint32_t)(a >> 32), .zero = 0 };
	}
}

static void load_tables(void)
{
	struct desc_ptr g = { sizeof hv_gdt - 1, (uint64_t)(uintptr_t)hv_gdt };
	struct desc_ptr i = { sizeof hv_idt - 1, (uint64_t)(uintptr_t)hv_idt };
	write_cr3(hv_cr3);
	__asm__ volatile("lgdt %0" : : "m"(g));
	__asm__ volatile("lidt %0" : : "m"(i));
	/* Reload CS through a far return, then the data segments. */
	__asm__ volatile("pushq $0x08\n\t"
	                 "leaq 1f(%%rip), %%rax\n\t"
	                 "pushq %%rax\n\t"
	                 "lretq\n"
	                 "1:\n\t"
	                 "movw $0x10, %%ax\n\t"
	                 "movw %%ax, %%ds\n\t"
	                 "movw %%ax, %%es\n\t"
	                 "movw %%ax, %%ss\n\t"
	                 "movw %%ax, %%fs\n\t"
	                 "movw %%ax, %%gs\n\t"
	                 : : : "rax", "memory");
}

#define APIC_BASE_X2APIC (1ull << 10)

void arch_cpu_init_bsp(void)
{
	build_hv_page_tables();
	build_idt();
	load_tables();
	/* The hypervisor drives the local APIC through its MMIO page (xAPIC): in x2APIC mode
	 * that page is gone, so CPU numbering and IPIs would silently misbehave.  APIC IDs above
	 * 254 are refused with the MADT (hv/acpi.c). */
	if (rdmsr(MSR_APIC_BASE) & APIC_BASE_X2APIC)
		hv_panic("the firmware left the local APIC in x2APIC mode, which is not supported "
		         "(Anchor drives the xAPIC through MMIO)");
}

void arch_cpu_init_ap(void)
{
	load_tables();
}

uint64_t arch_gdt_base(void) { return (uint64_t)(uintptr_t)hv_gdt; }

unsigned arch_smt_shift(void)
{
	uint32_t r[4];
	cpuid(0, 0, r);
	if (r[0] >= 0xB) {
		cpuid(0xB, 0, r);
		if (r[1] && ((r[2] >> 8) & 0xFF) == 1)   /* level 0 is the SMT level */
			return r[0] & 0x1F;
	}
	cpuid(0x80000000u, 0, r);
	if (r[0] >= 0x8000001Eu) {
		cpuid(0x80000001u, 0, r);
		if (r[2] & (1u << 22)) {                  /* TOPOEXT */
			cpuid(0x8000001Eu, 0, r);
			unsigned threads = ((r[1] >> 8) & 0xFF) + 1, shift = 0;
			while ((1u << shift) < threads)
				shift++;
			return shift;
		}
	}
	return 0;
}

/* ---- exceptions: report and stop this CPU ---- */

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#MF9", "#TS", "#NP",
	"#SS", "#GP", "#PF", "res15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

void exception_handler(struct exc_frame *f)
{
	uint64_t cr2;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	const char *n = f->vector < 32 && exc_names[f->vector] ? exc_names[f->vector] : "?";
	hv_panic("cpu %u: exception %s (%lu) err=0x%lx rip=0x%lx rsp=0x%lx cr2=0x%lx rax=0x%lx",
	         cpu_index(), n, (unsigned long)f->vector, (unsigned long)f->error,
	         (unsigned long)f->rip, (unsigned long)f->rsp, (unsigned long)cr2,
	         (unsigned long)f->rax);
}

/* ---- vCPU back end ---- */

extern const struct vcpu_ops svm_ops, vmx_ops;

const struct vcpu_ops *vcpu_ops;

const struct vcpu_ops *arch_select_vcpu_ops(void)
{
	uint32_t r[4];
	char vendor[13];
	cpuid(0, 0, r);
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	vendor[12] = 0;
	/* Both back ends are always linked; the one chosen checks the CPU (cpu_supported). */
	if (!strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine"))
		return &svm_ops;
	return &vmx_ops;
}
