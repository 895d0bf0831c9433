/*
 * The CPUs of the machine, from the ACPI MADT: processor local APIC (type 0) and local x2APIC
 * (type 9) entries that are enabled.  CPU 0 is the BSP; the others follow in MADT order.
 *
 * The tables come from the firmware and are checked before they are believed: the RSDP's
 * checksum (and its extended checksum for revision 2+), the root table's signature (RSDT or
 * XSDT), and for the root and the MADT a length between the header size and ACPI_MAX_TABLE, an
 * address range that stays below `mapped_limit` (what the hypervisor's identity map covers)
 * without wrapping, and a byte sum of zero.  A table that fails is ignored (a clear error if
 * that leaves no MADT).  APIC IDs above 254 need x2APIC, which the hypervisor does not drive:
 * refused with a message.
 */
#include <anchor/hv.h>
#include <stdbool.h>
#include "core.h"
#include <string.h>

#define ACPI_MAX_TABLE  (1u << 20)   /* 1 MiB: far above any real RSDT/XSDT/MADT */
#define XAPIC_MAX_ID    254u         /* 255 is the xAPIC broadcast ID */

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

static bool in_map(uint64_t addr, uint64_t len, uint64_t limit)
{
	return addr && len <= limit && addr <= limit - len;
}

static bool sums_to_zero(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0;
}

/* The table at addr if its header and its whole length are mapped, its length is sane, its
 * checksum right and (sig != NULL) its signature sig; NULL otherwise. */
static const struct sdt_header *checked_table(uint64_t addr, const char *sig, uint64_t limit)
{
	if (!in_map(addr, sizeof(struct sdt_header), limit))
		return NULL;
	const struct sdt_header *h = (const struct sdt_header *)(uintptr_t)addr;
	uint32_t len = rd32(&h->length);
	if (len < sizeof *h || len > ACPI_MAX_TABLE || !in_map(addr, len, limit))
		return NULL;
	if (sig && memcmp(h->sig, sig, 4))
		return NULL;
	return sums_to_zero((const uint8_t *)h, len) ? h : NULL;
}

/* The RSDT or XSDT the RSDP names, checked; NULL if there is none that passes. */
static const struct sdt_header *root_table(uint64_t rsdp, uint64_t limit, unsigned *entry_size)
{
	if (!in_map(rsdp, 36, limit))
		return NULL;
	const uint8_t *r = (const uint8_t *)(uintptr_t)rsdp;
	if (memcmp(r, "RSD PTR ", 8) || !sums_to_zero(r, 20))
		return NULL;
	if (r[15] >= 2 && rd32(r + 20) >= 36 && sums_to_zero(r, 36) && rd64(r + 24)) {
		const struct sdt_header *x = checked_table(rd64(r + 24), "XSDT", limit);
		if (x) {
			*entry_size = 8;
			return x;
		}
	}
	*entry_size = 4;
	return checked_table(rd32(r + 16), "RSDT", limit);
}

static const struct sdt_header *find_table(uint64_t rsdp, uint64_t limit, const char *sig)
{
	unsigned entry_size;
	const struct sdt_header *h = root_table(rsdp, limit, &entry_size);
	if (!h)
		return NULL;
	unsigned n = (rd32(&h->length) - sizeof *h) / entry_size;
	const uint8_t *e = (const uint8_t *)(h + 1);
	for (unsigned i = 0; i < n; i++) {
		uint64_t a = entry_size == 8 ? rd64(e + 8 * i) : rd32(e + 4 * i);
		const struct sdt_header *t = checked_table(a, sig, limit);
		if (t)
			return t;
	}
	return NULL;
}

int acpi_find_cpus(uint64_t rsdp, uint64_t mapped_limit, uint32_t bsp_apic_id,
                   uint32_t *apic_ids, unsigned max, unsigned *count, char *err, size_t errlen)
{
	const struct sdt_header *madt = find_table(rsdp, mapped_limit, "APIC");
	if (!madt || madt->length < sizeof *madt + 8) {
		format_string(err, errlen, "no valid ACPI MADT (RSDP, RSDT/XSDT or MADT missing, "
		              "out of range or with a bad checksum): cannot count the CPUs");
		return -1;
	}
	if (bsp_apic_id > XAPIC_MAX_ID) {
		format_string(err, errlen, "the BSP's APIC ID %u needs x2APIC, which is not supported",
		              bsp_apic_id);
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
		if (cpu && (flags & 1) && id > XAPIC_MAX_ID) {
			format_string(err, errlen, "CPU with APIC ID %u needs x2APIC, which is not "
			              "supported", id);
			return -1;
		}
		if (cpu && (flags & 1) && id != bsp_apic_id && n < max)
			apic_ids[n++] = id;
		p += p[1];
	}
	*count = n;
	return 0;
}
