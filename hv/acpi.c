/*
 * The CPUs of the machine, from the ACPI MADT: processor local APIC (type 0) and local x2APIC
 * (type 9) entries that are enabled.  CPU 0 is the BSP; the others follow in MADT order.
 * Every table is checked for its length before it is read.
 */
#include <anchor/hv.h>
#include <stdbool.h>
#include "core.h"
#include <string.h>

struct __attribute__((packed)) sdt_header {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
};

/* ACPI fields are not naturally aligned (XSDT entries sit at offset 36): read bytewise. */
static uint64_t rd64(const void *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint32_t rd32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static const struct sdt_header *find_table(uint64_t rsdp, const char *sig)
{
	const uint8_t *r = (const uint8_t *)(uintptr_t)rsdp;
	if (!rsdp || memcmp(r, "RSD PTR ", 8))
		return NULL;
	uint64_t root;
	unsigned entry_size;
	if (r[15] >= 2 && rd64(r + 24)) {
		root = rd64(r + 24);                  /* XSDT */
		entry_size = 8;
	} else {
		root = rd32(r + 16);                  /* RSDT */
		entry_size = 4;
	}
	const struct sdt_header *h = (const struct sdt_header *)(uintptr_t)root;
	if (!root || rd32(&h->length) < sizeof *h)
		return NULL;
	unsigned n = (rd32(&h->length) - sizeof *h) / entry_size;
	const uint8_t *e = (const uint8_t *)(h + 1);
	for (unsigned i = 0; i < n; i++) {
		uint64_t a = entry_size == 8 ? rd64(e + 8 * i) : rd32(e + 4 * i);
		const struct sdt_header *t = (const struct sdt_header *)(uintptr_t)a;
		if (a && !memcmp(t->sig, sig, 4))
			return t;
	}
	return NULL;
}

int acpi_find_cpus(uint64_t rsdp, uint32_t bsp_apic_id, uint32_t *apic_ids, unsigned max,
                   unsigned *count, char *err, size_t errlen)
{
	const struct sdt_header *madt = find_table(rsdp, "APIC");
	if (!madt || madt->length < sizeof *madt + 8) {
		format_string(err, errlen, "no ACPI MADT: cannot count the CPUs");
		return -1;
	}
	unsigned n = 0;
	apic_ids[n++] = bsp_apic_id;
	const uint8_t *p = (const uint8_t *)madt + sizeof *madt + 8;
	const uint8_t *end = (const uint8_t *)madt + madt->length;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		uint32_t id = 0, flags = 0;
		bool cpu = false;
		if (p[0] == 0 && p[1] >= 8) {
			id = p[3];
			memcpy(&flags, p + 4, 4);
			cpu = true;
		} else if (p[0] == 9 && p[1] >= 16) {
			memcpy(&id, p + 4, 4);
			memcpy(&flags, p + 8, 4);
			cpu = true;
		}
		if (cpu && (flags & 1) && id != bsp_apic_id && n < max)
			apic_ids[n++] = id;
		p += p[1];
	}
	*count = n;
	return 0;
}
