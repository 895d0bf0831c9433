/*
 * Host unit test of the Multiboot2 -> boot_info conversion (hv/mb2_parse.c): a GRUB-like
 * information block built here, the invariants boot_info promises (sorted, non-overlapping map;
 * hv image, MBI and modules never usable; module 0 = anchor.cfg), every error path, and
 * random corruption of a valid block (never a crash, never a broken map).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mb2.h"
#include "check.h"

/* ---- building an MBI ---- */

struct mbi_buf {
	uint8_t b[4096];
	uint32_t len;
};

static void mbi_begin(struct mbi_buf *m)
{
	memset(m, 0, sizeof(*m));
	m->len = 8;
}

static uint8_t *mbi_tag(struct mbi_buf *m, uint32_t type, uint32_t size)
{
	uint8_t *t = m->b + m->len;
	memcpy(t, &type, 4);
	memcpy(t + 4, &size, 4);
	m->len += (size + 7) & ~7u;
	return t;
}

static void mbi_end(struct mbi_buf *m)
{
	mbi_tag(m, MB2_TAG_END, 8);
	memcpy(m->b, &m->len, 4);
}

struct e820 { uint64_t base, len; uint32_t type, zero; };

static void add_mmap(struct mbi_buf *m, const struct e820 *e, unsigned n)
{
	uint32_t size = 16 + n * 24, esize = 24, ever = 0;
	uint8_t *t = mbi_tag(m, MB2_TAG_MMAP, size);
	memcpy(t + 8, &esize, 4);
	memcpy(t + 12, &ever, 4);
	memcpy(t + 16, e, n * 24);
}

static void add_module(struct mbi_buf *m, uint32_t start, uint32_t end, const char *cmd)
{
	uint32_t size = 16 + (uint32_t)strlen(cmd) + 1;
	uint8_t *t = mbi_tag(m, MB2_TAG_MODULE, size);
	memcpy(t + 8, &start, 4);
	memcpy(t + 12, &end, 4);
	memcpy(t + 16, cmd, strlen(cmd) + 1);
}

static void add_rsdp(struct mbi_buf *m)
{
	uint8_t *t = mbi_tag(m, MB2_TAG_ACPI_OLD, 8 + 20);
	memcpy(t + 8, "RSD PTR ", 8);
}

static const struct e820 bochs_map[] = {
	{ 0x0, 0x9FC00, 1, 0 },
	{ 0x9FC00, 0x400, 2, 0 },
	{ 0xE8000, 0x18000, 2, 0 },
	{ 0x100000, 0x1FEF0000, 1, 0 },
	{ 0x1FFF0000, 0x10000, 3, 0 },
	{ 0xFFFC0000, 0x40000, 2, 0 },
};

#define HV_START 0x1000000u
#define HV_END   0x1062345u
#define MBI_PHYS 0x1100000u

static void standard_mbi(struct mbi_buf *m)
{
	mbi_begin(m);
	add_mmap(m, bochs_map, 6);
	add_module(m, 0x1200000, 0x1201388, "testguest.elf");
	add_module(m, 0x1202000, 0x1202100, "/boot/anchor.cfg");
	add_rsdp(m);
	mbi_end(m);
}

static uint8_t rsdp_buf[64];
static struct boot_info bi;

static int convert(const struct mbi_buf *m, char *err, size_t errlen)
{
	struct mb2_image img = { HV_START, HV_END, rsdp_buf, sizeof(rsdp_buf) };
	return mb2_to_boot_info(m->b, m->len, MBI_PHYS, &img, &bi, err, errlen);
}

/* ---- invariants ---- */

static uint32_t type_at(uint64_t addr)
{
	for (uint32_t i = 0; i < bi.mem_count; i++)
		if (addr >= bi.mem[i].base && addr - bi.mem[i].base < bi.mem[i].size)
			return bi.mem[i].type;
	return 0;
}

/* Sorted, non-overlapping, no empty range, every type known. */
static const char *map_broken(void)
{
	for (uint32_t i = 0; i < bi.mem_count; i++) {
		const struct boot_mem_range *r = &bi.mem[i];
		if (r->size == 0)
			return "empty range";
		if (r->type < BOOT_MEM_USABLE || r->type > BOOT_MEM_LPAR)
			return "unknown type";
		if (r->type == BOOT_MEM_USABLE && ((r->base | r->size) & 0xFFF))
			return "usable range not page-aligned";
		if (i && bi.mem[i - 1].base + bi.mem[i - 1].size > r->base)
			return "unsorted or overlapping";
	}
	return NULL;
}

/* No byte of [base, end) is usable RAM (checked at page granularity plus the last byte). */
static int never_usable(uint64_t base, uint64_t end)
{
	for (uint64_t a = base; a < end; a += 0x1000)
		if (type_at(a) == BOOT_MEM_USABLE)
			return 0;
	return type_at(end - 1) != BOOT_MEM_USABLE;
}

/* ---- tests ---- */

static void test_standard(void)
{
	struct mbi_buf m;
	char err[128] = "";
	standard_mbi(&m);
	int rc = convert(&m, err, sizeof(err));
	check(rc == 0, "mb2 standard block converts", "%s", err);
	check(bi.magic == BOOT_INFO_MAGIC && bi.version == BOOT_INFO_VERSION &&
	      bi.size == sizeof(bi), "mb2 boot_info header", "magic/version/size wrong");
	check(!strcmp(bi.loader, "multiboot2"), "mb2 loader name", "'%s'", bi.loader);
	check(bi.ptpm_iface == BOOT_PTPM_NONE && bi.event_count == 0, "mb2 no TPM, no events",
	      "iface %u events %u", bi.ptpm_iface, bi.event_count);
	check(bi.module_count == 2 && !strcmp(bi.modules[0].name, "anchor.cfg") &&
	      !strcmp(bi.modules[1].name, "testguest.elf"), "mb2 module 0 is anchor.cfg by name",
	      "count %u first '%s'", bi.module_count, bi.modules[0].name);
	check(bi.modules[0].base == 0x1202000 && bi.modules[0].size == 0x100 &&
	      bi.modules[1].base == 0x1200000 && bi.modules[1].size == 0x1388,
	      "mb2 module bounds", "cfg %llx+%llx", (unsigned long long)bi.modules[0].base,
	      (unsigned long long)bi.modules[0].size);
	const char *why = map_broken();
	check(!why, "mb2 map sorted and non-overlapping", "%s", why);
	check(type_at(HV_START) == BOOT_MEM_HYPERVISOR && never_usable(HV_START, HV_END),
	      "mb2 hv image is hypervisor memory", "type %u", type_at(HV_START));
	check(never_usable(MBI_PHYS, MBI_PHYS + m.len), "mb2 MBI is not usable", "type %u",
	      type_at(MBI_PHYS));
	check(never_usable(0x1200000, 0x1201388) && never_usable(0x1202000, 0x1202100) &&
	      type_at(0x1200000) == BOOT_MEM_HYPERVISOR, "mb2 modules are hypervisor memory",
	      "type %u", type_at(0x1200000));
	check(bi.ap_trampoline && bi.ap_trampoline < 0x100000 && !(bi.ap_trampoline & 0xFFF) &&
	      bi.ap_trampoline + 0x1000 <= 0x9FC00 &&
	      type_at(bi.ap_trampoline) == BOOT_MEM_HYPERVISOR, "mb2 AP trampoline below 1 MiB",
	      "0x%llx", (unsigned long long)bi.ap_trampoline);
	check(type_at(0x2000) == 0 && type_at(0x7FFFF) == 0 && type_at(0xFFFFF) != BOOT_MEM_USABLE,
	      "mb2 low memory left to the BIOS", "type %u", type_at(0x2000));
	check(type_at(0x1FFF0000) == BOOT_MEM_ACPI && type_at(0xFFFC0000) == BOOT_MEM_RESERVED,
	      "mb2 ACPI and reserved kept", "%u %u", type_at(0x1FFF0000), type_at(0xFFFC0000));
	check(type_at(0x100000) == BOOT_MEM_USABLE && type_at(0x1FFEF000) == BOOT_MEM_USABLE &&
	      type_at(0x20000000) == 0, "mb2 usable RAM kept", "%u", type_at(0x100000));
	uint64_t usable = 0;
	for (uint32_t i = 0; i < bi.mem_count; i++)
		if (bi.mem[i].type == BOOT_MEM_USABLE)
			usable += bi.mem[i].size;
	/* RAM from 1 MiB minus the hv image (0x63000 rounded), MBI (1 page), modules (2+1). */
	uint64_t want = 0x1FEF0000ull - 0x63000 - 0x1000 - 0x2000 - 0x1000;
	check(usable == want, "mb2 usable total", "0x%llx != 0x%llx", (unsigned long long)usable,
	      (unsigned long long)want);
	check(bi.acpi_rsdp == (uint64_t)(uintptr_t)rsdp_buf && !memcmp(rsdp_buf, "RSD PTR ", 8),
	      "mb2 RSDP copy handed over", "0x%llx", (unsigned long long)bi.acpi_rsdp);
}

static void expect_error(const struct mbi_buf *m, const char *name, const char *needle)
{
	char err[160] = "";
	int rc = convert(m, err, sizeof(err));
	check(rc == -1 && strstr(err, needle) != NULL, name, "rc %d err '%s'", rc, err);
}

static void test_errors(void)
{
	struct mbi_buf m;

	mbi_begin(&m);
	add_mmap(&m, bochs_map, 6);
	add_module(&m, 0x1200000, 0x1201000, "testguest.elf");
	mbi_end(&m);
	expect_error(&m, "mb2 missing anchor.cfg is named", "anchor.cfg");

	mbi_begin(&m);
	add_module(&m, 0x1202000, 0x1202100, "anchor.cfg");
	mbi_end(&m);
	expect_error(&m, "mb2 missing memory map", "memory map");

	mbi_begin(&m);
	add_mmap(&m, bochs_map, 6);
	add_module(&m, 0x1202000, 0x1202100, "");
	mbi_end(&m);
	expect_error(&m, "mb2 module without a name", "name");

	mbi_begin(&m);
	add_mmap(&m, bochs_map, 6);
	add_module(&m, 0x1202100, 0x1202000, "anchor.cfg");
	mbi_end(&m);
	expect_error(&m, "mb2 module ending before its start", "anchor.cfg");

	mbi_begin(&m);
	add_mmap(&m, bochs_map, 6);
	for (int i = 0; i < BOOT_MAX_MODULES + 1; i++)
		add_module(&m, 0x1200000 + i * 0x1000, 0x1200800 + i * 0x1000, "anchor.cfg");
	mbi_end(&m);
	expect_error(&m, "mb2 too many modules", "too many modules");

	standard_mbi(&m);
	m.len -= 8;    /* drop the end tag */
	memcpy(m.b, &m.len, 4);
	expect_error(&m, "mb2 missing end tag", "end tag");

	standard_mbi(&m);
	uint32_t huge = 0x10000;
	memcpy(m.b + 8 + 4, &huge, 4);   /* the first tag claims more than the block holds */
	expect_error(&m, "mb2 tag overrunning the block", "overruns");

	standard_mbi(&m);
	uint32_t bad = m.len + 8;
	memcpy(m.b, &bad, 4);
	char err[128] = "";
	struct mb2_image img = { HV_START, HV_END, rsdp_buf, sizeof(rsdp_buf) };
	int rc = mb2_to_boot_info(m.b, m.len, MBI_PHYS, &img, &bi, err, sizeof(err));
	check(rc == -1 && strstr(err, "size"), "mb2 total size mismatch", "rc %d '%s'", rc, err);

	standard_mbi(&m);
	uint32_t esize = 20;
	memcpy(m.b + 8 + 8, &esize, 4);
	expect_error(&m, "mb2 bad memory map entry size", "entry size");

	standard_mbi(&m);
	char small[8];
	rc = convert(&(struct mbi_buf){ .len = 4 }, small, sizeof(small));
	check(rc == -1 && strlen(small) == sizeof(small) - 1, "mb2 error message truncated safely",
	      "rc %d len %zu", rc, strlen(small));
}

/* A reserved hole inside usable RAM (BIOSes list such overlaps) wins, whatever the order. */
static void test_overlap(void)
{
	static const struct e820 map[] = {
		{ 0x100000, 0x3FF00000, 1, 0 },
		{ 0x8000000, 0x100000, 2, 0 },      /* reserved inside RAM */
		{ 0x0, 0x9F000, 1, 0 },             /* out of order */
		{ 0x7000000, 0x2000, 3, 0 },        /* ACPI inside RAM */
		{ 0x9000000, 0, 2, 0 },             /* empty */
		{ 0xFFFFFFFFFFFFF000ull, 0x2000, 2, 0 },   /* wraps */
	};
	struct mbi_buf m;
	char err[128] = "";
	mbi_begin(&m);
	add_mmap(&m, map, 6);
	add_module(&m, 0x1202000, 0x1202100, "anchor.cfg");
	mbi_end(&m);
	int rc = convert(&m, err, sizeof(err));
	const char *why = rc == 0 ? map_broken() : err;
	check(rc == 0 && !why, "mb2 overlapping E820 gives a clean map", "%s", why);
	check(type_at(0x8000000) == BOOT_MEM_RESERVED && type_at(0x80FFFFF) == BOOT_MEM_RESERVED &&
	      type_at(0x8100000) == BOOT_MEM_USABLE && type_at(0x7FFF000) == BOOT_MEM_USABLE,
	      "mb2 reserved wins over usable", "%u", type_at(0x8000000));
	check(type_at(0x7000000) == BOOT_MEM_ACPI && type_at(0x7002000) == BOOT_MEM_USABLE,
	      "mb2 ACPI wins over usable", "%u", type_at(0x7000000));
	check(bi.ap_trampoline == 0x9E000, "mb2 trampoline from an unsorted map", "0x%llx",
	      (unsigned long long)bi.ap_trampoline);
}

/* Random corruption of a valid block: always a defined result and, on success, a sane map. */
static void test_corruption(void)
{
	struct mbi_buf m;
	unsigned ok = 0, rejected = 0, broken = 0;
	srand(12345);
	for (int iter = 0; iter < 20000; iter++) {
		standard_mbi(&m);
		int flips = 1 + rand() % 4;
		for (int f = 0; f < flips; f++)
			m.b[8 + rand() % (m.len - 8)] ^= (uint8_t)(1u << (rand() % 8));
		char err[96];
		if (convert(&m, err, sizeof(err)) != 0) {
			rejected++;
			continue;
		}
		ok++;
		if (map_broken() || !never_usable(HV_START, HV_END) ||
		    strcmp(bi.modules[0].name, "anchor.cfg"))
			broken++;
	}
	check(broken == 0 && ok > 0 && rejected > 0, "mb2 random corruption never breaks the map",
	      "%u broken of %u accepted (%u rejected)", broken, ok, rejected);
}

int main(void)
{
	test_standard();
	test_errors();
	test_overlap();
	test_corruption();
	return check_exit();
}
