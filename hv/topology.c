/*
 * Physical cores and LPAR placement.  SMT siblings share a core's private structures (L1D,
 * branch predictors, store and fill buffers), through which speculative-execution attacks leak
 * data (docs/security.md).  So no two LPARs, and no LPAR and the BSP (which holds every vTPM's
 * secrets), may sit on siblings of one core, unless the configuration explicitly allows it.
 * An LPAR placed ON the BSP (cpu = 0) is the configuration's explicit choice and is not judged
 * here.  Pure logic: the APIC IDs and the SMT shift come from the caller (MADT, CPUID).
 */
#include <anchor/config.h>
#include <anchor/hv.h>
#include "core.h"

/* APIC IDs of SMT siblings differ only in their low smt_shift bits. */
static uint32_t core_of(uint32_t apic_id, unsigned smt_shift)
{
	return smt_shift >= 32 ? 0 : apic_id >> smt_shift;
}

int topology_check_placement(const struct cfg *c, const uint32_t *apic_ids, unsigned ncpus,
                             unsigned smt_shift, bool allow_sharing, char *err, size_t errlen)
{
	if (allow_sharing || !smt_shift)
		return 0;
	for (unsigned i = 0; i < c->lpar_count; i++) {
		const struct cfg_lpar *a = &c->lpars[i];
		if (a->cpu == 0 || a->cpu >= ncpus)
			continue;
		uint32_t core = core_of(apic_ids[a->cpu], smt_shift);
		if (core == core_of(apic_ids[0], smt_shift)) {
			format_string(err, errlen, "anchor.cfg:%u: lpar %s on cpu %u shares a physical "
			              "core (SMT) with the BSP, which holds the vTPMs' secrets",
			              a->line, a->name, a->cpu);
			return -1;
		}
		for (unsigned j = i + 1; j < c->lpar_count; j++) {
			const struct cfg_lpar *b = &c->lpars[j];
			if (b->cpu == 0 || b->cpu >= ncpus || core_of(apic_ids[b->cpu], smt_shift) != core)
				continue;
			format_string(err, errlen, "anchor.cfg:%u: lpars %s (cpu %u) and %s (cpu %u) "
			              "share a physical core (SMT siblings)", b->line, a->name, a->cpu,
			              b->name, b->cpu);
			return -1;
		}
	}
	return 0;
}
