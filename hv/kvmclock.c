/*
 * kvmclock for Linux LPARs (contract: anchor/kvmclock.h).  The scale is chosen so that
 * mul / 2^32 * 2^shift = 1e9 / tsc_hz with mul normalised into [2^31, 2^32): at most one bit
 * of the 32-bit multiplier is lost, a relative error below 1e-9 (under a millisecond a week).
 */
#include <anchor/kvmclock.h>
#include <string.h>

#define NSEC_PER_SEC 1000000000ull

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

int kvmclock_scale(uint64_t tsc_hz, struct kvmclock_scale *s)
{
	if (tsc_hz < 1000000ull || tsc_hz > 100000000000ull)
		return -1;
	/* q = 2^32 * 1e9 / hz (1e9 << 32 < 2^62: no overflow).  Too large: drop low bits.  Too
	 * small (hz > 2 GHz): go on with the long division one bit at a time, so no precision is
	 * lost (the remainder stays below hz < 2^37). */
	uint64_t q = (NSEC_PER_SEC << 32) / tsc_hz, rem = (NSEC_PER_SEC << 32) % tsc_hz;
	int shift = 0;
	while (q >= (1ull << 32)) {
		q >>= 1;
		shift++;
	}
	while (q < (1ull << 31)) {
		rem <<= 1;
		q = q << 1 | (rem >= tsc_hz);
		if (rem >= tsc_hz)
			rem -= tsc_hz;
		shift--;
	}
	s->mul = (uint32_t)q;
	s->shift = (int8_t)shift;
	return 0;
}

uint64_t kvmclock_delta_ns(uint64_t delta, const struct kvmclock_scale *s)
{
	if (s->shift < 0)
		delta >>= -s->shift;
	else
		delta <<= s->shift;
	/* (delta * mul) >> 32 without a 128-bit type: split delta in halves. */
	uint64_t hi = (delta >> 32) * s->mul, lo = (delta & 0xffffffffull) * s->mul;
	return hi + (lo >> 32);
}

void kvmclock_time_info(uint8_t rec[PVCLOCK_TIME_INFO_SIZE], uint32_t prev_version,
                        uint64_t tsc_now, uint64_t system_ns, const struct kvmclock_scale *s)
{
	memset(rec, 0, PVCLOCK_TIME_INFO_SIZE);
	put_le(rec, (prev_version + 2) & ~1u, 4);
	put_le(rec + 8, tsc_now, 8);
	put_le(rec + 16, system_ns, 8);
	put_le(rec + 24, s->mul, 4);
	rec[28] = (uint8_t)s->shift;
	rec[29] = PVCLOCK_TSC_STABLE_BIT;
}

void kvmclock_wall_clock(uint8_t rec[PVCLOCK_WALL_CLOCK_SIZE], uint32_t prev_version,
                         uint64_t boot_epoch_ns)
{
	put_le(rec, (prev_version + 2) & ~1u, 4);
	put_le(rec + 4, boot_epoch_ns / NSEC_PER_SEC, 4);
	put_le(rec + 8, boot_epoch_ns % NSEC_PER_SEC, 4);
}

int kvmclock_cpuid(uint32_t leaf, uint32_t r[4])
{
	switch (leaf) {
	case KVM_CPUID_SIGNATURE:
		r[0] = KVM_CPUID_FEATURES;
		memcpy(&r[1], "KVMK", 4);
		memcpy(&r[2], "VMKV", 4);
		memcpy(&r[3], "M\0\0\0", 4);
		return 0;
	case KVM_CPUID_FEATURES:
		r[0] = KVM_FEATURE_CLOCKSOURCE2 | KVM_FEATURE_CLOCKSOURCE_STABLE_BIT;
		r[1] = r[2] = r[3] = 0;
		return 0;
	default:
		return -1;
	}
}
