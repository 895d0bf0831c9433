/*
 * kvmclock for Linux LPARs (hv/kvmclock.c): the paravirtual clock the Debian kernel already
 * supports (KVM_GUEST=y), so a Linux LPAR keeps time from its own CPU's invariant TSC with no
 * PIT, HPET or PM timer.  Pure logic: the TSC-to-nanoseconds scale, the guest's
 * pvclock_vcpu_time_info and pvclock_wall_clock records, and the CPUID leaves that advertise
 * them.  The hypervisor writes the records into guest memory when the guest writes
 * MSR_KVM_SYSTEM_TIME_NEW / MSR_KVM_WALL_CLOCK_NEW (gpa | enable bit).
 *
 * Calling model: caller-owned buffers, no state, no locking.  Layouts follow Linux's
 * arch/x86/include/asm/pvclock-abi.h (a guest ABI, little-endian):
 *   pvclock_vcpu_time_info (32 bytes): version u32, pad u32, tsc_timestamp u64,
 *     system_time u64, tsc_to_system_mul u32, tsc_shift s8, flags u8, pad[2];
 *   pvclock_wall_clock (12 bytes): version u32, sec u32, nsec u32.
 */
#ifndef ANCHOR_KVMCLOCK_H
#define ANCHOR_KVMCLOCK_H
#include <stdint.h>

#define MSR_KVM_WALL_CLOCK_NEW   0x4b564d00u
#define MSR_KVM_SYSTEM_TIME_NEW  0x4b564d01u
#define KVM_CPUID_SIGNATURE      0x40000000u
#define KVM_CPUID_FEATURES       0x40000001u
#define KVM_FEATURE_CLOCKSOURCE2        (1u << 3)
#define KVM_FEATURE_CLOCKSOURCE_STABLE_BIT (1u << 24)
#define PVCLOCK_TSC_STABLE_BIT   (1u << 0)
#define PVCLOCK_TIME_INFO_SIZE   32
#define PVCLOCK_WALL_CLOCK_SIZE  12

struct kvmclock_scale {
	uint32_t mul;    /* ns = ((delta << shift or >> -shift) * mul) >> 32 */
	int8_t shift;
};

/* The scale for a TSC of tsc_hz (1 MHz .. 100 GHz); -1 if out of range. */
int kvmclock_scale(uint64_t tsc_hz, struct kvmclock_scale *s);

/* Nanoseconds for a TSC delta, as the guest computes them (pvclock_scale_delta). */
uint64_t kvmclock_delta_ns(uint64_t tsc_delta, const struct kvmclock_scale *s);

/* Fills the 32-byte pvclock_vcpu_time_info: at TSC value tsc_now the guest's clock reads
 * system_ns; flags PVCLOCK_TSC_STABLE_BIT (one CPU, invariant TSC).  version is even (the
 * record is consistent); the caller passes the previous version (0 first) and writes the
 * record while the guest is not running. */
void kvmclock_time_info(uint8_t rec[PVCLOCK_TIME_INFO_SIZE], uint32_t prev_version,
                        uint64_t tsc_now, uint64_t system_ns, const struct kvmclock_scale *s);

/* Fills the 12-byte pvclock_wall_clock: the wall-clock time (seconds, nanoseconds since the
 * epoch) at which the guest's system time was 0. */
void kvmclock_wall_clock(uint8_t rec[PVCLOCK_WALL_CLOCK_SIZE], uint32_t prev_version,
                         uint64_t boot_epoch_ns);

/* CPUID leaves 0x40000000 ("KVMKVMKVM\0\0\0", max leaf 0x40000001) and 0x40000001 (EAX:
 * CLOCKSOURCE2 | CLOCKSOURCE_STABLE_BIT, nothing else) into r[4]; returns 0, or -1 for any
 * other leaf. */
int kvmclock_cpuid(uint32_t leaf, uint32_t r[4]);

#endif
