/*
 * Host unit test of the Linux LPAR's clock and APIC policies: kvmclock (hv/kvmclock.c) and the
 * interrupt-command filter (hv/apic_icr.c).
 *
 * kvmclock: for TSC frequencies from 1 MHz to 100 GHz (and odd ones), the guest-side conversion
 * (the scale the hypervisor publishes, applied as Linux's pvclock_scale_delta does) is compared
 * with the exact delta * 1e9 / hz computed in 128 bits, over deltas from one tick to a week;
 * the records' layouts are checked byte by byte.  ICR: every delivery mode, shorthand,
 * destination mode and destination, in x2APIC and xAPIC form.
 */
#include <anchor/apic_icr.h>
#include <anchor/kvmclock.h>
#include <stdio.h>
#include <string.h>
#include "check.h"

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void scale(void)
{
	const uint64_t hz[] = { 1000000, 3579545, 14318180, 100000000, 999999999, 1000000000,
	                        1000000001, 2100000000, 2994375000ull, 3600000000ull, 4294967296ull,
	                        5000000000ull, 100000000000ull };
	int bad = 0;
	double worst = 0;
	for (size_t i = 0; i < sizeof(hz) / sizeof(hz[0]); i++) {
		struct kvmclock_scale s;
		if (kvmclock_scale(hz[i], &s)) {
			bad++;
			printf("# no scale for %llu Hz\n", (unsigned long long)hz[i]);
			continue;
		}
		if (s.mul < (1u << 31))
			bad++;
		/* a week of seconds, but small enough that delta << shift does not overflow */
		for (uint64_t secs = 1; secs <= 7 * 86400; secs *= 7) {
			uint64_t delta = hz[i] * secs;
			if (s.shift > 0 && (delta >> (64 - s.shift)))
				break;
			unsigned __int128 exact = (unsigned __int128)delta * 1000000000u / hz[i];
			uint64_t got = kvmclock_delta_ns(delta, &s);
			double err = (double)(got > exact ? got - exact : exact - got) / (double)exact;
			if (err > worst)
				worst = err;
			if (err > 2e-9) {
				bad++;
				printf("# %llu Hz, %llu s: %llu ns, exact %llu\n", (unsigned long long)hz[i],
				       (unsigned long long)secs, (unsigned long long)got, (unsigned long long)exact);
			}
		}
		if (kvmclock_delta_ns(1000, &s) > 1000000)
			bad++;   /* a tick of a >= 1 MHz clock is at most a microsecond */
	}
	check(bad == 0, "kvmclock: scale within 2e-9 of the exact conversion, 1 MHz..100 GHz", "(%d bad)", bad);
	printf("# worst relative error %.3g\n", worst);
	struct kvmclock_scale s;
	CHECK("kvmclock: 999 kHz refused", kvmclock_scale(999999, &s) == -1);
	CHECK("kvmclock: 101 GHz refused", kvmclock_scale(101000000000ull, &s) == -1);
	kvmclock_scale(1000000000, &s);
	CHECK("kvmclock: 1 GHz is 1 ns per tick", kvmclock_delta_ns(123456789, &s) == 123456789 ||
	      kvmclock_delta_ns(123456789, &s) == 123456788);
}

static void records(void)
{
	struct kvmclock_scale s;
	uint8_t ti[PVCLOCK_TIME_INFO_SIZE], wc[PVCLOCK_WALL_CLOCK_SIZE];
	kvmclock_scale(2000000000, &s);
	memset(ti, 0xee, sizeof(ti));
	kvmclock_time_info(ti, 0, 0x1122334455667788ull, 5000, &s);
	CHECK("kvmclock: time info layout", le(ti, 4) == 2 && le(ti + 4, 4) == 0 &&
	      le(ti + 8, 8) == 0x1122334455667788ull && le(ti + 16, 8) == 5000 && le(ti + 24, 4) == s.mul &&
	      (int8_t)ti[28] == s.shift && ti[29] == PVCLOCK_TSC_STABLE_BIT && ti[30] == 0 && ti[31] == 0);
	kvmclock_time_info(ti, 3, 0, 0, &s);
	CHECK("kvmclock: version advances to the next even value", le(ti, 4) == 4);
	kvmclock_wall_clock(wc, 2, 1700000000123456789ull);
	CHECK("kvmclock: wall clock layout", le(wc, 4) == 4 && le(wc + 4, 4) == 1700000000u &&
	      le(wc + 8, 4) == 123456789u);
	uint32_t r[4];
	CHECK("kvmclock: CPUID 0x40000000 signature",
	      kvmclock_cpuid(KVM_CPUID_SIGNATURE, r) == 0 && r[0] == KVM_CPUID_FEATURES &&
	      !memcmp(&r[1], "KVMKVMKVM\0\0\0", 12));
	CHECK("kvmclock: CPUID 0x40000001 clocksource2 + stable only",
	      kvmclock_cpuid(KVM_CPUID_FEATURES, r) == 0 &&
	      r[0] == (KVM_FEATURE_CLOCKSOURCE2 | KVM_FEATURE_CLOCKSOURCE_STABLE_BIT) && !r[1] && !r[2] && !r[3]);
	CHECK("kvmclock: other hypervisor leaves not answered", kvmclock_cpuid(0x40000002, r) == -1 &&
	      kvmclock_cpuid(0x40000100, r) == -1);
}

static void icr(void)
{
	const uint32_t self = 5;
	uint64_t out;
	const char *why;
	struct { const char *name; uint64_t icr; bool x2; bool allow; const char *why; } c[] = {
		{ "x2apic fixed to self (physical)", (5ull << 32) | 0xec, true, true, NULL },
		{ "x2apic self shorthand", (1ull << 18) | 0x40, true, true, NULL },
		{ "x2apic fixed level/trigger kept", (5ull << 32) | (1 << 14) | (1 << 15) | 0x41, true, true, NULL },
		{ "x2apic to another CPU", (6ull << 32) | 0xec, true, false, "another CPU" },
		{ "x2apic to APIC id 0x80000005", (0x80000005ull << 32) | 0xec, true, false, "another CPU" },
		{ "x2apic logical self (cluster 0, bit 5)", (0x20ull << 32) | (1 << 11) | 0xec, true, true, NULL },
		{ "x2apic logical self + another", (0x21ull << 32) | (1 << 11) | 0xec, true, false, "logical" },
		{ "x2apic logical other cluster", (0x10020ull << 32) | (1 << 11) | 0xec, true, false, "logical" },
		{ "INIT to self", (5ull << 32) | (5 << 8), true, false, "INIT" },
		{ "SIPI to self", (5ull << 32) | (6 << 8) | 0x10, true, false, "SIPI" },
		{ "NMI to self", (5ull << 32) | (4 << 8), true, false, "NMI" },
		{ "SMI to self", (5ull << 32) | (2 << 8), true, false, "SMI" },
		{ "lowest priority to self", (5ull << 32) | (1 << 8) | 0x40, true, false, "delivery mode" },
		{ "vector 2", (5ull << 32) | 2, true, false, "illegal vector" },
		{ "all including self", (2ull << 18) | 0x40, true, false, "broadcast" },
		{ "all excluding self", (3ull << 18) | 0x40, true, false, "broadcast" },
		{ "INIT all excluding self", (3ull << 18) | (5 << 8), true, false, "INIT" },
		{ "xapic fixed to self", (5ull << 56) | 0xec, false, true, NULL },
		{ "xapic to another", (7ull << 56) | 0xec, false, false, "another CPU" },
		{ "xapic id in x2apic bits ignored", (5ull << 32) | 0xec, false, false, "another CPU" },
		{ "xapic logical", (1ull << 56) | (1 << 11) | 0xec, false, false, "xAPIC logical" },
		{ "xapic self shorthand", (1ull << 18) | 0x30, false, true, NULL },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char name[128];
		snprintf(name, sizeof(name), "icr: %s -> %s", c[i].name, c[i].allow ? "allowed" : "refused");
		out = 0xdead;
		why = "";
		bool got = apic_icr_filter(c[i].icr, self, c[i].x2, &out, &why);
		if (c[i].allow)
			check(got && out == ((c[i].icr & 0xff) | (c[i].icr & 0xc000) | (1ull << 18)), name,
			      "(got %d out %llx)", got, (unsigned long long)out);
		else
			check(!got && strstr(why, c[i].why) && out == 0xdead, name, "(got %d why '%s')", got, why);
	}
	/* Exhaustive over the low 20 bits with a foreign destination: nothing but a self
	 * shorthand with a fixed legal vector gets through, and never with another target. */
	unsigned leaks = 0;
	for (uint64_t low = 0; low < (1u << 20); low++) {
		uint64_t v = (9ull << 32) | low;
		if (apic_icr_filter(v, self, true, &out, NULL) &&
		    (((low >> 18) & 3) != 1 || ((low >> 8) & 7) != 0 || (low & 0xff) < 16 ||
		     out >> 32 || ((out >> 18) & 3) != 1 || ((out >> 8) & 7) != 0 || (out & 0x800)))
			leaks++;
	}
	check(leaks == 0, "icr: exhaustive low 20 bits, foreign destination: only fixed self IPIs pass",
	      "(%u leaks)", leaks);
}

int main(void)
{
	scale();
	records();
	icr();
	return check_exit();
}
