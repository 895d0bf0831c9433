/*
 * Multiboot2 information -> struct boot_info (see mb2.h and the comment at the top of mb2.c).
 * Pure logic over the bytes GRUB left: every tag size is checked against the information's
 * total size before it is read, so a corrupt structure gives a message, never a wild read.
 */
#include <string.h>
#include "mb2.h"

#define PAGE_SIZE     0x1000ull
#define LOW_MEM_END   0x100000ull   /* RAM below 1 MiB is the BIOS's, bar the trampoline */
#define MAX_CARVE     (BOOT_MAX_MODULES + 8)
#define MAX_POINTS    (2 * (MB2_MAX_E820 + MAX_CARVE))

struct range {
	uint64_t base, end;   /* [base, end) */
	uint32_t type;        /* enum boot_mem_type */
};

struct mb2_state {
	struct range e820[MB2_MAX_E820];
	unsigned e820_count;
	struct range carve[MAX_CARVE];     /* hypervisor-owned: image, mbi, modules, trampoline */
	unsigned carve_count;
	const char *err_msg;
	const char *err_detail;
};

static uint64_t page_down(uint64_t x) { return x & ~(PAGE_SIZE - 1); }
static uint64_t page_up(uint64_t x) { return page_down(x + PAGE_SIZE - 1); }

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static int fail(struct mb2_state *st, const char *msg, const char *detail)
{
	st->err_msg = msg;
	st->err_detail = detail;
	return -1;
}

static void put_error(const struct mb2_state *st, char *err, size_t errlen)
{
	size_t n = 0;
	if (errlen == 0)
		return;
	for (const char *s = st->err_msg; s && *s && n + 1 < errlen; s++)
		err[n++] = *s;
	if (st->err_detail) {
		for (const char *s = ": "; *s && n + 1 < errlen; s++)
			err[n++] = *s;
		for (const char *s = st->err_detail; *s && n + 1 < errlen; s++)
			err[n++] = *s;
	}
	err[n] = 0;
}

/* ---- memory map ---- */

static uint32_t e820_to_boot_type(uint32_t t)
{
	if (t == MB2_MMAP_AVAILABLE)
		return BOOT_MEM_USABLE;
	if (t == MB2_MMAP_ACPI)
		return BOOT_MEM_ACPI;
	return BOOT_MEM_RESERVED;   /* NVS, bad RAM, unknown: never touch */
}

static int add_e820(struct mb2_state *st, uint64_t base, uint64_t len, uint32_t type)
{
	uint64_t end = base + len;
	if (len == 0 || end < base)
		return 0;                   /* empty or wrapping: ignore, it describes nothing */
	uint32_t t = e820_to_boot_type(type);
	if (t == BOOT_MEM_USABLE) {
		/* Only whole pages are usable; RAM below 1 MiB stays the BIOS's. */
		base = page_up(base < LOW_MEM_END ? LOW_MEM_END : base);
		end = page_down(end);
		if (end <= base)
			return 0;
	}
	if (st->e820_count == MB2_MAX_E820)
		return fail(st, "memory map has too many entries", NULL);
	st->e820[st->e820_count++] = (struct range){ base, end, t };
	return 0;
}

static int parse_mmap(struct mb2_state *st, const uint8_t *tag, uint32_t size)
{
	if (size < 16)
		return fail(st, "memory map tag too short", NULL);
	uint32_t entry_size = rd32(tag + 8);
	if (entry_size < 24 || entry_size % 8)
		return fail(st, "memory map tag has a bad entry size", NULL);
	for (uint32_t off = 16; off + entry_size <= size; off += entry_size) {
		const uint8_t *e = tag + off;
		if (add_e820(st, rd64(e), rd64(e + 8), rd32(e + 16)) != 0)
			return -1;
	}
	return 0;
}

/* True if the page [p, p + 4K) lies in RAM the E820 map calls available. */
static int low_page_usable(const uint8_t *mmap_tag, uint64_t p)
{
	uint32_t size = rd32(mmap_tag + 4), entry_size = rd32(mmap_tag + 8);
	for (uint32_t off = 16; off + entry_size <= size; off += entry_size) {
		const uint8_t *e = mmap_tag + off;
		uint64_t base = rd64(e), len = rd64(e + 8);
		if (rd32(e + 16) == MB2_MMAP_AVAILABLE && base <= p && p + PAGE_SIZE <= base + len &&
		    base + len > base)
			return 1;
	}
	return 0;
}

static int overlaps_carve(const struct mb2_state *st, uint64_t base, uint64_t end)
{
	for (unsigned i = 0; i < st->carve_count; i++)
		if (base < st->carve[i].end && st->carve[i].base < end)
			return 1;
	return 0;
}

/* The AP trampoline: the highest free page below 1 MiB (SIPI vectors address pages < 1 MiB;
 * page 0 holds the real-mode IVT and is never chosen).  0 if there is none. */
static uint64_t pick_trampoline(const struct mb2_state *st, const uint8_t *mmap_tag)
{
	if (!mmap_tag)
		return 0;
	for (uint64_t p = 0x9F000; p >= 0x1000; p -= PAGE_SIZE)
		if (low_page_usable(mmap_tag, p) && !overlaps_carve(st, p, p + PAGE_SIZE))
			return p;
	return 0;
}

static int add_carve(struct mb2_state *st, uint64_t base, uint64_t end)
{
	if (end <= base)
		return 0;
	if (st->carve_count == MAX_CARVE)
		return fail(st, "too many hypervisor ranges", NULL);
	st->carve[st->carve_count++] = (struct range){ page_down(base), page_up(end),
	                                               BOOT_MEM_HYPERVISOR };
	return 0;
}

/* Type of [a, b), an elementary interval (no range boundary inside): hypervisor carve-outs win,
 * then the most restrictive E820 type; 0 if nothing covers it (a hole). */
static uint32_t interval_type(const struct mb2_state *st, uint64_t a, uint64_t b)
{
	for (unsigned i = 0; i < st->carve_count; i++)
		if (st->carve[i].base <= a && b <= st->carve[i].end)
			return BOOT_MEM_HYPERVISOR;
	uint32_t t = 0;
	for (unsigned i = 0; i < st->e820_count; i++) {
		const struct range *r = &st->e820[i];
		if (!(r->base <= a && b <= r->end))
			continue;
		/* Precedence: RESERVED > ACPI > USABLE (a BIOS listing a range twice means "keep"). */
		if (t == 0 || r->type == BOOT_MEM_RESERVED ||
		    (r->type == BOOT_MEM_ACPI && t == BOOT_MEM_USABLE))
			t = r->type;
	}
	return t;
}

static void sort_points(uint64_t *pts, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t v = pts[i];
		unsigned j = i;
		for (; j > 0 && pts[j - 1] > v; j--)
			pts[j] = pts[j - 1];
		pts[j] = v;
	}
}

/* A reserved or ACPI range that ends inside a page cuts usable RAM off-page: only whole pages
 * are usable, the slivers are left out of the map (left out = never touched). */
static void trim_usable(struct boot_info *bi)
{
	uint32_t out = 0;
	for (uint32_t i = 0; i < bi->mem_count; i++) {
		struct boot_mem_range r = bi->mem[i];
		if (r.type == BOOT_MEM_USABLE) {
			uint64_t base = page_up(r.base), end = page_down(r.base + r.size);
			if (end <= base)
				continue;
			r.base = base;
			r.size = end - base;
		}
		bi->mem[out++] = r;
	}
	bi->mem_count = out;
}

/* Sorted, non-overlapping, merged map from the E820 ranges and the carve-outs. */
static int build_map(struct mb2_state *st, struct boot_info *bi)
{
	static uint64_t pts[MAX_POINTS];   /* static: the boot stack is small */
	unsigned n = 0;
	for (unsigned i = 0; i < st->e820_count; i++) {
		pts[n++] = st->e820[i].base;
		pts[n++] = st->e820[i].end;
	}
	for (unsigned i = 0; i < st->carve_count; i++) {
		pts[n++] = st->carve[i].base;
		pts[n++] = st->carve[i].end;
	}
	sort_points(pts, n);

	bi->mem_count = 0;
	for (unsigned i = 0; i + 1 < n; i++) {
		uint64_t a = pts[i], b = pts[i + 1];
		if (a == b)
			continue;
		uint32_t t = interval_type(st, a, b);
		if (t == 0)
			continue;
		struct boot_mem_range *last = bi->mem_count ? &bi->mem[bi->mem_count - 1] : NULL;
		if (last && last->type == t && last->base + last->size == a) {
			last->size += b - a;
			continue;
		}
		if (bi->mem_count == BOOT_MAX_MEM)
			return fail(st, "memory map does not fit boot_info", NULL);
		bi->mem[bi->mem_count++] = (struct boot_mem_range){ .base = a, .size = b - a, .type = t };
	}
	trim_usable(bi);
	return 0;
}

/* ---- modules ---- */

/* Index of the first NUL in s[0..max), -1 if there is none. */
static long memchr_nul(const uint8_t *s, size_t max)
{
	for (size_t i = 0; i < max; i++)
		if (s[i] == 0)
			return (long)i;
	return -1;
}

/* Module name = the last path component of the first word of its command line. */
static int module_name(const uint8_t *s, size_t max, char out[64])
{
	size_t start = 0, end;
	while (start < max && s[start] == ' ')
		start++;
	end = start;
	while (end < max && s[end] && s[end] != ' ')
		end++;
	for (size_t i = start; i < end; i++)
		if (s[i] == '/')
			start = i + 1;
	if (end == start || end - start >= 64)
		return -1;
	memcpy(out, s + start, end - start);
	out[end - start] = 0;
	return 0;
}

static int parse_module(struct mb2_state *st, const uint8_t *tag, uint32_t size,
                        struct boot_info *bi)
{
	static char name_for_msg[64];
	if (size < 17)
		return fail(st, "module tag too short", NULL);
	uint32_t start = rd32(tag + 8), end = rd32(tag + 12);
	const uint8_t *cmd = tag + 16;
	size_t cmd_max = size - 16;
	if (memchr_nul(cmd, cmd_max) < 0)
		return fail(st, "module command line not terminated", NULL);
	struct boot_module m = { .base = start, .size = (uint64_t)end - start };
	if (module_name(cmd, cmd_max, m.name) != 0)
		return fail(st, "module without a usable name (write it after the path: "
		                "module2 /boot/anchor.cfg anchor.cfg)", NULL);
	if (end < start) {
		memcpy(name_for_msg, m.name, sizeof(name_for_msg));
		return fail(st, "module ends before it starts", name_for_msg);
	}
	if (bi->module_count == BOOT_MAX_MODULES)
		return fail(st, "too many modules", NULL);
	bi->modules[bi->module_count++] = m;
	return add_carve(st, start, end);
}

/* Module 0 must be anchor.cfg: move it to the front, keeping the others in GRUB's order. */
static int config_first(struct mb2_state *st, struct boot_info *bi)
{
	for (uint32_t i = 0; i < bi->module_count; i++) {
		if (strcmp(bi->modules[i].name, "anchor.cfg") != 0)
			continue;
		struct boot_module cfg = bi->modules[i];
		memmove(&bi->modules[1], &bi->modules[0], i * sizeof(bi->modules[0]));
		bi->modules[0] = cfg;
		return 0;
	}
	return fail(st, "no module named anchor.cfg (add: module2 /boot/anchor.cfg anchor.cfg)", NULL);
}

/* ---- tags ---- */

static int parse_acpi(struct mb2_state *st, const uint8_t *tag, uint32_t size,
                      const struct mb2_image *img, struct boot_info *bi)
{
	uint32_t len = size - 8;
	if (size < 8 + 20)
		return fail(st, "ACPI RSDP tag too short", NULL);
	if (len > img->rsdp_copy_size)
		len = (uint32_t)img->rsdp_copy_size;
	memcpy(img->rsdp_copy, tag + 8, len);
	bi->acpi_rsdp = (uint64_t)(uintptr_t)img->rsdp_copy;
	return 0;
}

int mb2_to_boot_info(const uint8_t *mbi, uint32_t mbi_size, uint64_t mbi_phys,
                     const struct mb2_image *img, struct boot_info *bi,
                     char *err, size_t errlen)
{
	static struct mb2_state st;
	const uint8_t *mmap_tag = NULL;
	int have_new_rsdp = 0;

	memset(&st, 0, sizeof(st));
	memset(bi, 0, sizeof(*bi));
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->size = sizeof(*bi);
	bi->ptpm_iface = BOOT_PTPM_NONE;
	memcpy(bi->loader, "multiboot2", sizeof("multiboot2"));

	if (mbi_size < 16 || mbi_size > MB2_MAX_MBI_SIZE || rd32(mbi) != mbi_size) {
		fail(&st, "bad Multiboot2 information size", NULL);
		goto error;
	}
	if (add_carve(&st, img->hv_start, img->hv_end) != 0 ||
	    add_carve(&st, mbi_phys, mbi_phys + mbi_size) != 0)
		goto error;

	int ended = 0;
	for (uint32_t off = 8; off + 8 <= mbi_size; ) {
		const uint8_t *tag = mbi + off;
		uint32_t type = rd32(tag), size = rd32(tag + 4);
		if (size < 8 || size > mbi_size - off) {
			fail(&st, "Multiboot2 tag overruns the information", NULL);
			goto error;
		}
		int rc = 0;
		if (type == MB2_TAG_END) {
			ended = 1;
			break;
		} else if (type == MB2_TAG_MMAP) {
			mmap_tag = tag;
			rc = parse_mmap(&st, tag, size);
		} else if (type == MB2_TAG_MODULE) {
			rc = parse_module(&st, tag, size, bi);
		} else if (type == MB2_TAG_ACPI_NEW) {
			rc = parse_acpi(&st, tag, size, img, bi);
			have_new_rsdp = 1;
		} else if (type == MB2_TAG_ACPI_OLD && !have_new_rsdp) {
			rc = parse_acpi(&st, tag, size, img, bi);
		}
		if (rc != 0)
			goto error;
		off += (size + 7) & ~7u;
	}
	if (!ended) {
		fail(&st, "Multiboot2 information has no end tag", NULL);
		goto error;
	}
	if (!mmap_tag) {
		fail(&st, "no memory map from the boot loader", NULL);
		goto error;
	}
	if (config_first(&st, bi) != 0)
		goto error;

	bi->ap_trampoline = pick_trampoline(&st, mmap_tag);
	if (bi->ap_trampoline && add_carve(&st, bi->ap_trampoline,
	                                   bi->ap_trampoline + PAGE_SIZE) != 0)
		goto error;
	if (bi->ap_trampoline) {
		/* The trampoline page lies below 1 MiB where no E820 RAM was kept: list it. */
		if (st.e820_count == MB2_MAX_E820) {
			fail(&st, "memory map has too many entries", NULL);
			goto error;
		}
		st.e820[st.e820_count++] = (struct range){ bi->ap_trampoline,
		                                           bi->ap_trampoline + PAGE_SIZE,
		                                           BOOT_MEM_USABLE };
	}
	if (build_map(&st, bi) != 0)
		goto error;
	return 0;

error:
	put_error(&st, err, errlen);
	return -1;
}
