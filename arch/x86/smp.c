/*
 * CPUs: the local APIC (xAPIC, MMIO), CPU numbering (0 = BSP, then MADT order), a microsecond
 * delay from the PIT, and starting an AP with INIT-SIPI-SIPI through the trampoline page.
 */
#include <anchor/hv.h>
#include <anchor/x86.h>
#include "arch.h"
#include <string.h>

#define LAPIC_ID       0x020
#define LAPIC_ICR_LO   0x300
#define LAPIC_ICR_HI   0x310
#define ICR_BUSY       (1u << 12)
#define AP_STACK_PAGES 8
#define BSP_KICK_VECTOR 0xF0

static uint32_t cpu_apic[HV_MAX_CPUS];
static unsigned ncpus = 1;
static volatile uint32_t ap_alive;

static uint64_t lapic_base(void)
{
	return rdmsr(MSR_APIC_BASE) & ~0xFFFull & 0xFFFFFFFFFull;
}

uint32_t lapic_id(void)
{
	return mmio_read32(lapic_base() + LAPIC_ID) >> 24;
}

extern uint64_t lapic_eoi_reg;   /* arch/x86/idt.S */

/* Lets the BSP sleep in HLT until an AP kicks it: the local APIC on, with legacy interrupt
 * sources the firmware may have left armed (8259, LAPIC timer, LINT0) masked. */
void bsp_interrupts_init(void)
{
	uint64_t b = lapic_base();
	lapic_eoi_reg = b + 0xB0;
	outb(0x21, 0xFF);                                      /* mask both 8259s */
	outb(0xA1, 0xFF);
	mmio_write32(b + 0x320, mmio_read32(b + 0x320) | 0x10000);  /* LVT timer masked */
	mmio_write32(b + 0x350, mmio_read32(b + 0x350) | 0x10000);  /* LINT0 masked */
	mmio_write32(b + 0xF0, 0x1FF);                         /* APIC on, spurious vector 0xFF */
}

/* Wakes the BSP from bsp_sleep() (a fixed IPI; the handler only acknowledges it). */
void bsp_kick(void)
{
	uint64_t b = lapic_base();
	if (cpu_index() == 0)
		return;
	mmio_write32(b + LAPIC_ICR_HI, cpu_apic[0] << 24);
	mmio_write32(b + LAPIC_ICR_LO, BSP_KICK_VECTOR);
}

/* Sleeps until an interrupt: STI's one-instruction shadow makes "sti; hlt" atomic, so a kick
 * that arrived before the caller's last check is taken at the HLT, not lost.  The TPR is reset
 * first: whatever raised it (a guest's MOV to CR8 on a back end that let it through), a TPR of
 * 15 would mask the kick vector and the BSP would never wake. */
void bsp_sleep(void)
{
	__asm__ volatile("mov %0, %%cr8; sti; hlt; cli" : : "r"(0ull) : "memory");
}

void smp_init(const uint32_t *apic_ids, unsigned count)
{
	ncpus = count > HV_MAX_CPUS ? HV_MAX_CPUS : count;
	memcpy(cpu_apic, apic_ids, ncpus * sizeof cpu_apic[0]);
}

unsigned cpu_count(void) { return ncpus; }

uint32_t cpu_apic_id(unsigned cpu) { return cpu < ncpus ? cpu_apic[cpu] : 0; }

unsigned cpu_index(void)
{
	uint32_t id = lapic_id();
	for (unsigned i = 0; i < ncpus; i++)
		if (cpu_apic[i] == id)
			return i;
	return 0;
}

/* PIT channel 2 in one-shot mode, polled through port 0x61 (no interrupts needed). */
void udelay(unsigned us)
{
	while (us) {
		unsigned chunk = us > 50000 ? 50000 : us;
		uint32_t ticks = (uint32_t)((uint64_t)chunk * 1193182 / 1000000);
		if (!ticks)
			ticks = 1;
		outb(0x61, (inb(0x61) & ~0x02) | 0x01);
		outb(0x43, 0xB0);
		outb(0x42, ticks & 0xFF);
		outb(0x42, (ticks >> 8) & 0xFF);
		for (unsigned i = 0; i < 10000000 && !(inb(0x61) & 0x20); i++)
			cpu_relax();
		us -= chunk;
	}
}

static uint64_t tsc_ms = 1;

void tsc_calibrate(void)
{
	uint64_t t0 = __builtin_ia32_rdtsc();
	udelay(20000);
	uint64_t t = (__builtin_ia32_rdtsc() - t0) / 20;
	tsc_ms = t ? t : 1;
}

uint64_t tsc_per_ms(void) { return tsc_ms; }

static void send_ipi(uint32_t apic_id, uint32_t icr_lo)
{
	uint64_t b = lapic_base();
	mmio_write32(b + LAPIC_ICR_HI, apic_id << 24);
	mmio_write32(b + LAPIC_ICR_LO, icr_lo);
	for (unsigned i = 0; i < 1000000 && (mmio_read32(b + LAPIC_ICR_LO) & ICR_BUSY); i++)
		cpu_relax();
}

extern const uint8_t ap_trampoline_start[], ap_trampoline_end[];
extern const uint32_t tr_off_gdtr_base, tr_off_pm32, tr_off_lm64, tr_off_cr3, tr_off_stack,
	tr_off_entry, tr_rel_gdt, tr_rel_pm32, tr_rel_lm64;

static void (*ap_fn)(void);

static void ap_entry(void)
{
	arch_cpu_init_ap();
	void (*fn)(void) = ap_fn;   /* read before signalling: the BSP reuses ap_fn */
	__atomic_store_n(&ap_alive, 1, __ATOMIC_RELEASE);
	fn();
	cpu_halt_forever();
}

int smp_start_ap(unsigned cpu, uint64_t trampoline, void (*fn)(void))
{
	if (cpu == 0 || cpu >= ncpus || !trampoline || trampoline >= 0x100000 || (trampoline & 0xFFF))
		return -1;
	uint8_t *stack = page_alloc(AP_STACK_PAGES);
	if (!stack)
		return -1;
	uint8_t *page = (uint8_t *)(uintptr_t)trampoline;
	memcpy(page, ap_trampoline_start, (size_t)(ap_trampoline_end - ap_trampoline_start));
	uint32_t base = (uint32_t)trampoline;
	*(uint32_t *)(page + tr_off_gdtr_base) = base + tr_rel_gdt;
	*(uint32_t *)(page + tr_off_pm32) = base + tr_rel_pm32;
	*(uint32_t *)(page + tr_off_lm64) = base + tr_rel_lm64;
	*(uint64_t *)(page + tr_off_cr3) = hv_cr3;
	*(uint64_t *)(page + tr_off_stack) = (uint64_t)(uintptr_t)(stack + AP_STACK_PAGES * PAGE_SIZE);
	*(uint64_t *)(page + tr_off_entry) = (uint64_t)(uintptr_t)ap_entry;
	ap_fn = fn;
	ap_alive = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	uint32_t id = cpu_apic[cpu];
	send_ipi(id, 0x00004500);                 /* INIT, level assert */
	udelay(10000);
	for (int i = 0; i < 2 && !ap_alive; i++) {
		send_ipi(id, 0x00004600 | (base >> 12));  /* STARTUP */
		udelay(200);
	}
	/* The trampoline page and ap_fn are shared: wait until this AP is past them. */
	for (unsigned i = 0; i < 2000 && !__atomic_load_n(&ap_alive, __ATOMIC_ACQUIRE); i++)
		udelay(1000);
	return ap_alive ? 0 : -1;
}
