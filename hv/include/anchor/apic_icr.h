/*
 * The interrupt-command filter of an LPAR that owns its CPU's local APIC (hv/apic_icr.c).
 * Pure logic: decides whether a guest's write to the ICR (x2APIC MSR 0x830, or the xAPIC
 * ICR_LOW/ICR_HIGH pair) may reach the hardware, and if so gives the value to write, which
 * always targets the LPAR's own CPU.  Everything that could reach another CPU (another
 * destination, broadcast shorthands, logical destinations naming others) and every delivery
 * mode other than fixed (lowest-priority, SMI, NMI, INIT, SIPI) is refused with a reason, for
 * the console line that stops the LPAR.  The x2APIC SELF IPI register (0x83F) names only the
 * sender and needs no filter.
 *
 * Calling model: no state, no locking; called on the LPAR's CPU in its ICR exit.
 */
#ifndef ANCHOR_APIC_ICR_H
#define ANCHOR_APIC_ICR_H
#include <stdbool.h>
#include <stdint.h>

#define X2APIC_MSR_ICR       0x830u
#define X2APIC_MSR_SELF_IPI  0x83Fu

/* icr: the 64-bit ICR as written (x2APIC: the MSR value; xAPIC: ICR_HIGH << 32 | ICR_LOW).
 * self_apic_id: the LPAR CPU's APIC id.  Returns true and sets *out (a fixed IPI to self with
 * the guest's vector, trigger and level) when allowed; false with *why otherwise. */
bool apic_icr_filter(uint64_t icr, uint32_t self_apic_id, bool x2apic, uint64_t *out,
                     const char **why);

#endif
