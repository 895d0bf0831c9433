/*
 * Interrupt-command filter (contract: anchor/apic_icr.h).  ICR fields (Intel SDM vol. 3,
 * 11.6.1 and 11.12.9): vector 7:0, delivery mode 10:8, destination mode 11 (logical), level 14,
 * trigger mode 15, shorthand 19:18, destination 63:32 (x2APIC) or 63:56 (xAPIC).  Logical
 * destinations: x2APIC cluster mode, cluster = id >> 4 in bits 31:16 and 1 << (id & 15) in
 * 15:0; xAPIC flat mode is refused (the LDR is the guest's to program, so a mask cannot be
 * proven to name only this CPU).
 */
#include <anchor/apic_icr.h>

#define ICR_VECTOR      0xFFull
#define ICR_MODE_SHIFT  8
#define ICR_MODE_FIXED  0
#define ICR_LOGICAL     (1ull << 11)
#define ICR_LEVEL       (1ull << 14)
#define ICR_TRIGGER     (1ull << 15)
#define ICR_SH_SHIFT    18
#define ICR_SH_NONE     0
#define ICR_SH_SELF     1

static bool refuse(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return false;
}

static bool names_only_self(uint64_t icr, uint32_t self, bool x2apic, const char **why)
{
	uint32_t dest = x2apic ? (uint32_t)(icr >> 32) : (uint32_t)(icr >> 56);
	if (!(icr & ICR_LOGICAL)) {
		if (dest != self)
			return refuse(why, "IPI to another CPU");
		return true;
	}
	if (!x2apic)
		return refuse(why, "xAPIC logical-destination IPI");
	uint32_t own = (self >> 4) << 16 | 1u << (self & 15);
	if (dest != own)
		return refuse(why, "logical IPI naming another CPU");
	return true;
}

bool apic_icr_filter(uint64_t icr, uint32_t self, bool x2apic, uint64_t *out, const char **why)
{
	unsigned mode = (icr >> ICR_MODE_SHIFT) & 7;
	unsigned shorthand = (icr >> ICR_SH_SHIFT) & 3;
	uint8_t vector = (uint8_t)(icr & ICR_VECTOR);
	if (mode != ICR_MODE_FIXED)
		return refuse(why, mode == 5 ? "INIT IPI" : mode == 6 ? "SIPI" : mode == 4 ? "NMI IPI" :
		                   mode == 2 ? "SMI IPI" : "IPI with a delivery mode other than fixed");
	if (vector < 16)
		return refuse(why, "IPI with an illegal vector (< 16)");
	if (shorthand != ICR_SH_SELF &&
	    (shorthand != ICR_SH_NONE || !names_only_self(icr, self, x2apic, why))) {
		if (shorthand != ICR_SH_NONE)
			return refuse(why, "broadcast IPI");
		return false;   /* names_only_self set *why */
	}
	*out = vector | (icr & (ICR_LEVEL | ICR_TRIGGER)) | (uint64_t)ICR_SH_SELF << ICR_SH_SHIFT;
	return true;
}
