/*
 * The contract between the hypervisor core (hv/) and the architecture code (arch/x86/): the
 * only way hv/ reaches the CPU, the local APIC, the timers and AP start-up.  The vCPU itself is
 * behind anchor/vcpu.h.  arch/x86/arch.h holds what is private to arch/x86.
 *
 * Calling model: everything here runs with interrupts off (the hypervisor never enables them,
 * except inside bsp_sleep).  CPU numbering: 0 is the BSP, then the ACPI MADT order.
 */
#ifndef ANCHOR_ARCH_H
#define ANCHOR_ARCH_H
#include <stdbool.h>
#include <stdint.h>

#define HV_MAPPED_LIMIT (64ull << 30)   /* the hypervisor's identity map covers 0..64 GiB */

/* On the BSP, first thing: the hypervisor's own page tables, GDT and IDT (arch/x86/cpu.c). */
void arch_cpu_init_bsp(void);

/* How many low APIC ID bits number the SMT threads of a core (CPUID leaf 0xB, or AMD's
 * 0x8000001E); 0 when the CPU reports no SMT. */
unsigned arch_smt_shift(void);

/* CPUs (arch/x86/smp.c).  smp_init records the APIC ids found in the MADT (index 0 = BSP);
 * smp_start_ap starts CPU `cpu` through the trampoline page (below 1 MiB, from the loader) and
 * has it call fn on its own stack; 0 once the AP runs, -1 if it did not come up. */
uint32_t lapic_id(void);
void smp_init(const uint32_t *apic_ids, unsigned count);
int smp_start_ap(unsigned cpu, uint64_t trampoline, void (*fn)(void));

/* The BSP's sleep: bsp_interrupts_init once (local APIC on, legacy sources masked); then
 * bsp_sleep waits in HLT until an interrupt, which bsp_kick() (anchor/hv.h) sends from an AP.
 * A kick sent before bsp_sleep is entered is not lost. */
void bsp_interrupts_init(void);
void bsp_sleep(void);

/* Time: a busy-wait delay from the PIT, and TSC ticks per millisecond (after tsc_calibrate). */
void udelay(unsigned us);
void tsc_calibrate(void);
uint64_t tsc_per_ms(void);
static inline uint64_t arch_timestamp(void) { return __builtin_ia32_rdtsc(); }

/* The CPU's random instructions (arch/x86/random.c).  Call the has_ functions first: on a CPU
 * without the instruction the others must not be used.  false when the source failed
 * repeatedly (then use another source). */
bool arch_has_rdrand(void);
bool arch_has_rdseed(void);
bool arch_rdrand64(uint64_t *out);
bool arch_rdseed64(uint64_t *out);

#endif
