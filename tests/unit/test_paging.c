/* Host unit tests for hv/paging.c: the builders (pt_map, pt_translate) for x86/NPT and EPT
 * tables, and guest_walk over tables built by pt_map and by hand (32-bit PAE / non-PAE). */
#include <anchor/paging.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

#define KiB 1024ull
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)
#define POOL_PHYS 0x7000000ull   /* arbitrary: proves nothing assumes mem == phys */

static struct pt_pool new_pool(size_t pages)
{
	struct pt_pool p = { aligned_alloc(4096, pages * 4096), POOL_PHYS, pages, 0 };
	memset(p.mem, 0xCC, pages * 4096);   /* garbage: pt_alloc_page must zero */
	return p;
}

static uint64_t *table(const struct pt_pool *p, uint64_t phys)
{
	return (uint64_t *)(void *)(p->mem + (phys - p->phys_base));
}

/* Reads the tables directly: the level of the leaf mapping va (0=4K, 1=2M, 2=1G), -1 if none,
 * and the raw leaf entry and the raw entries of the levels above. */
static int leaf_level(const struct pt_pool *p, enum pt_format f, uint64_t root, uint64_t va,
                      uint64_t *leaf, uint64_t *upper)
{
	uint64_t t = root;
	for (int level = 3; level >= 0; level--) {
		uint64_t e = table(p, t)[(va >> (12 + 9 * level)) & 511];
		bool present = f == PT_EPT ? (e & 7) != 0 : (e & 1) != 0;
		if (!present)
			return -1;
		if (level == 0 || (level <= 2 && (e & 0x80))) {
			*leaf = e;
			return level;
		}
		if (upper)
			upper[level] = e;
		t = e & 0x000FFFFFFFFFF000ull;
	}
	return -1;
}

static bool translates(const struct pt_pool *p, enum pt_format f, uint64_t root, uint64_t va,
                       uint64_t want_pa)
{
	uint64_t pa = 0;
	unsigned fl;
	return pt_translate(p, f, root, va, &pa, &fl) == 0 && pa == want_pa;
}

static bool unmapped(const struct pt_pool *p, enum pt_format f, uint64_t root, uint64_t va)
{
	uint64_t pa;
	unsigned fl;
	return pt_translate(p, f, root, va, &pa, &fl) == -1;
}

/* Checks the first, last and neighbouring bytes of [va, va+size) and every 4 KiB page edge
 * at the start and end of each 2 MiB stretch inside it. */
static bool range_ok(const struct pt_pool *p, enum pt_format f, uint64_t root, uint64_t va,
                     uint64_t pa, uint64_t size, char *why, size_t n)
{
	for (uint64_t off = 0; off < size; off += (off % (2 * MiB) == 0 ? 4096 : 2 * MiB - 8192)) {
		uint64_t probes[] = { off, off + 4095 < size ? off + 4095 : size - 1 };
		for (int i = 0; i < 2; i++) {
			if (!translates(p, f, root, va + probes[i], pa + probes[i])) {
				snprintf(why, n, "va 0x%" PRIx64 " wrong", va + probes[i]);
				return false;
			}
		}
	}
	if (!translates(p, f, root, va + size - 1, pa + size - 1)) {
		snprintf(why, n, "last byte wrong");
		return false;
	}
	return true;
}

static void test_mixed_alignment(enum pt_format f, const char *fname)
{
	char name[128], why[128] = "";
	struct pt_pool p = new_pool(64);
	uint64_t root = pt_alloc_page(&p);
	/* va 1G-2M-4K .. : 4K head, then 2M, then a whole 1G, then 2M, then a 4K tail. */
	uint64_t va = 1 * GiB - 2 * MiB - 4 * KiB, pa = 3 * GiB - 2 * MiB - 4 * KiB;
	uint64_t size = 4 * KiB + 2 * MiB + 1 * GiB + 2 * MiB + 8 * KiB;
	int rc = pt_map(&p, f, root, va, pa, size, PT_R | PT_W | PT_X);
	snprintf(name, sizeof name, "paging %s: map a range with mixed alignment", fname);
	check(rc == 0, name, "rc %d", rc);

	struct { uint64_t off; int level; } expect[] = {
		{ 0, 0 }, { 4 * KiB, 1 }, { 4 * KiB + 2 * MiB, 2 }, { 4 * KiB + 2 * MiB + GiB - 1, 2 },
		{ 4 * KiB + 2 * MiB + GiB, 1 }, { 4 * KiB + 4 * MiB + GiB, 0 },
		{ 12 * KiB + 4 * MiB + GiB - 1, 0 },
	};
	bool good = true;
	for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
		uint64_t leaf;
		int lv = leaf_level(&p, f, root, va + expect[i].off, &leaf, NULL);
		if (lv != expect[i].level) {
			snprintf(why, sizeof why, "offset 0x%" PRIx64 ": level %d, want %d",
			         expect[i].off, lv, expect[i].level);
			good = false;
			break;
		}
	}
	snprintf(name, sizeof name, "paging %s: 4K/2M/1G leaves chosen by alignment", fname);
	check(good, name, "%s", why);

	snprintf(name, sizeof name, "paging %s: every boundary translates", fname);
	check(range_ok(&p, f, root, va, pa, size, why, sizeof why), name, "%s", why);
	snprintf(name, sizeof name, "paging %s: bytes just outside the range are unmapped", fname);
	check(unmapped(&p, f, root, va - 1) && unmapped(&p, f, root, va + size) &&
	      unmapped(&p, f, root, 0) && unmapped(&p, f, root, 512 * GiB), name, "");

	/* va and pa aligned differently: only 4 KiB leaves are possible. */
	struct pt_pool q = new_pool(64);
	uint64_t r2 = pt_alloc_page(&q);
	rc = pt_map(&q, f, r2, 2 * MiB, 2 * MiB + 4 * KiB, 4 * MiB, PT_R | PT_W);
	uint64_t leaf;
	snprintf(name, sizeof name, "paging %s: misaligned pa forces 4K leaves", fname);
	check(rc == 0 && leaf_level(&q, f, r2, 2 * MiB, &leaf, NULL) == 0 &&
	      leaf_level(&q, f, r2, 6 * MiB - 1, &leaf, NULL) == 0 &&
	      range_ok(&q, f, r2, 2 * MiB, 2 * MiB + 4 * KiB, 4 * MiB, why, sizeof why),
	      name, "rc %d %s", rc, why);
	free(q.mem);
	free(p.mem);
}

static void test_remaps(enum pt_format f, const char *fname)
{
	char name[128];
	struct pt_pool p = new_pool(64);
	uint64_t root = pt_alloc_page(&p);
	unsigned rw = PT_R | PT_W;
	int rc1 = pt_map(&p, f, root, 0, 4 * GiB, 2 * GiB, rw);
	int rc2 = pt_map(&p, f, root, 0, 4 * GiB, 2 * GiB, rw);
	snprintf(name, sizeof name, "paging %s: identical remap is accepted", fname);
	check(rc1 == 0 && rc2 == 0, name, "rc %d %d", rc1, rc2);
	snprintf(name, sizeof name, "paging %s: remap of a sub-range inside a 1G leaf, same target", fname);
	check(pt_map(&p, f, root, 1 * GiB + 12 * KiB, 5 * GiB + 12 * KiB, 8 * KiB, rw) == 0, name, "");
	snprintf(name, sizeof name, "paging %s: remap to a different pa is refused", fname);
	check(pt_map(&p, f, root, 1 * GiB, 6 * GiB, 4 * KiB, rw) == -1 &&
	      pt_map(&p, f, root, 0, 4 * GiB + 4 * KiB, 2 * MiB, rw) == -1, name, "");
	snprintf(name, sizeof name, "paging %s: remap with different flags is refused", fname);
	check(pt_map(&p, f, root, 0, 4 * GiB, 4 * KiB, PT_R) == -1 &&
	      pt_map(&p, f, root, 0, 4 * GiB, 2 * MiB, rw | PT_UC) == -1, name, "");
	snprintf(name, sizeof name, "paging %s: refused remaps leave the mapping intact", fname);
	check(translates(&p, f, root, 1 * GiB, 5 * GiB) && translates(&p, f, root, 0, 4 * GiB),
	      name, "");

	/* A large page over a range that already has 4 KiB pages: descends into the table. */
	struct pt_pool q = new_pool(64);
	uint64_t r2 = pt_alloc_page(&q);
	int a = pt_map(&q, f, r2, 2 * MiB + 8 * KiB, 2 * MiB + 8 * KiB, 4 * KiB, rw);
	int b = pt_map(&q, f, r2, 0, 0, 8 * MiB, rw);
	char why[128] = "";
	snprintf(name, sizeof name, "paging %s: mapping over existing small pages fills around them", fname);
	check(a == 0 && b == 0 && range_ok(&q, f, r2, 0, 0, 8 * MiB, why, sizeof why), name,
	      "rc %d %d %s", a, b, why);
	int c = pt_map(&q, f, r2, 2 * MiB, 64 * MiB, 2 * MiB, rw);
	snprintf(name, sizeof name, "paging %s: conflicting large page over small pages refused", fname);
	check(c == -1, name, "rc %d", c);
	free(q.mem);
	free(p.mem);
}

static void test_limits(enum pt_format f, const char *fname)
{
	char name[128];
	struct pt_pool p = new_pool(3);
	uint64_t root = pt_alloc_page(&p);
	/* A 4 KiB page needs PDPT, PD and PT below the root: 4 pages, the pool has 3. */
	int rc = pt_map(&p, f, root, 0x1000, 0x1000, 4096, PT_R);
	snprintf(name, sizeof name, "paging %s: pool exhaustion fails the map", fname);
	check(rc == -1 && p.used == 3 && pt_alloc_page(&p) == 0, name, "rc %d used %zu", rc, p.used);
	struct pt_pool big = new_pool(8);
	uint64_t r = pt_alloc_page(&big);
	snprintf(name, sizeof name, "paging %s: unaligned or wrapping arguments are refused", fname);
	check(pt_map(&big, f, r, 0x800, 0, 4096, PT_R) == -1 &&
	      pt_map(&big, f, r, 0, 0x800, 4096, PT_R) == -1 &&
	      pt_map(&big, f, r, 0, 0, 0x1800, PT_R) == -1 &&
	      pt_map(&big, f, r, 0xFFFFFFFFFFFFF000ull, 0, 0x2000, PT_R) == -1 &&
	      pt_map(&big, f, r, 0x0000800000000000ull, 0, 4096, PT_R) == -1 &&
	      pt_map(&big, f, r, 0x00007FFFFFFFF000ull, 0, 0x2000, PT_R) == -1 &&
	      pt_map(&big, f, r, 0, 1ull << 52, 4096, PT_R) == -1 && big.used == 1,
	      name, "used %zu", big.used);
	snprintf(name, sizeof name, "paging %s: a root outside the pool is refused", fname);
	check(pt_map(&big, f, 0x1000, 0, 0, 4096, PT_R) == -1 &&
	      pt_map(&big, f, r + 4096 * 7, 0, 0, 4096, PT_R) == -1, name, "");
	free(big.mem);
	free(p.mem);
}

static void test_entry_bits(void)
{
	struct pt_pool p = new_pool(32);
	uint64_t leaf, upper[4] = { 0 };

	uint64_t ept = pt_alloc_page(&p);
	pt_map(&p, PT_EPT, ept, 0, 0x40000000, 2 * MiB, PT_R | PT_W | PT_X);
	pt_map(&p, PT_EPT, ept, 0xFED40000, 0xFED40000, 0x5000, PT_R | PT_W | PT_UC);
	int lv = leaf_level(&p, PT_EPT, ept, 0, &leaf, upper);
	check(lv == 1 && leaf == (0x40000000 | 7 | (6 << 3) | 0x80) && upper[3] == ((upper[3] & ~0xFFFull) | 7) &&
	      upper[2] == ((upper[2] & ~0xFFFull) | 7),
	      "paging EPT: 2M leaf is RWX, WB (6), bit 7; tables are RWX", "level %d leaf 0x%" PRIx64, lv, leaf);
	lv = leaf_level(&p, PT_EPT, ept, 0xFED41000, &leaf, upper);
	check(lv == 0 && leaf == (0xFED41000 | 3), "paging EPT: UC leaf has memory type 0, no X",
	      "level %d leaf 0x%" PRIx64, lv, leaf);
	unsigned fl;
	uint64_t pa;
	check(pt_translate(&p, PT_EPT, ept, 0xFED44FFF, &pa, &fl) == 0 && pa == 0xFED44FFF &&
	      fl == (PT_R | PT_W | PT_UC) && pt_translate(&p, PT_EPT, ept, 0x1234, &pa, &fl) == 0 &&
	      fl == (PT_R | PT_W | PT_X) && pa == 0x40001234,
	      "paging EPT: translate reports flags", "fl 0x%x", fl);

	uint64_t npt = pt_alloc_page(&p);
	pt_map(&p, PT_X86, npt, 0, 0x80000000, 1 * GiB, PT_R | PT_W | PT_X | PT_U);
	pt_map(&p, PT_X86, npt, 0xFED40000, 0xFED40000, 0x1000, PT_R | PT_W | PT_U | PT_UC);
	pt_map(&p, PT_X86, npt, 0x40000000 + 0x200000, 0x200000, 0x200000, PT_R);
	lv = leaf_level(&p, PT_X86, npt, 0x1000, &leaf, upper);
	check(lv == 2 && leaf == (0x80000000 | 0x87) && (upper[3] & 0xFFF) == 7,
	      "paging X86: 1G leaf P|RW|US|PS, non-leaf P|RW|US", "level %d leaf 0x%" PRIx64, lv, leaf);
	lv = leaf_level(&p, PT_X86, npt, 0xFED40000, &leaf, upper);
	check(lv == 0 && leaf == (0xFED40000 | 0x1F) && (upper[1] & 0xFFF) == 7 && (upper[2] & 0xFFF) == 7,
	      "paging X86: UC leaf has PCD|PWT, U on every level", "level %d leaf 0x%" PRIx64, lv, leaf);
	check(pt_translate(&p, PT_X86, npt, 0x40200010, &pa, &fl) == 0 && pa == 0x200010 &&
	      fl == (PT_R | PT_X), "paging X86: read-only supervisor leaf reported as R|X", "fl 0x%x", fl);

	/* A higher-half mapping (the canonical top 2 GiB). */
	uint64_t hv = pt_alloc_page(&p);
	int rc = pt_map(&p, PT_X86, hv, 0xFFFFFFFF80000000ull, 0, 2 * GiB, PT_R | PT_W | PT_X);
	check(rc == 0 && translates(&p, PT_X86, hv, 0xFFFFFFFFFFFFFFFFull, 2 * GiB - 1) &&
	      translates(&p, PT_X86, hv, 0xFFFFFFFF80000000ull, 0) &&
	      unmapped(&p, PT_X86, hv, 0x0000FFFF80000000ull),
	      "paging X86: higher-half range up to the top of the address space", "rc %d", rc);
	free(p.mem);
}

/* ---- guest_walk -------------------------------------------------------------------------- */

/* The guest's memory for the walk is the pool itself: gpa == pool physical address. */
struct reader_ctx {
	const struct pt_pool *pool;
	int reads;
	int fail_after;       /* -1: never */
};

static int pool_reader(void *ctx, uint64_t gpa, uint64_t *val)
{
	struct reader_ctx *r = ctx;
	if (r->fail_after >= 0 && r->reads >= r->fail_after)
		return -1;
	r->reads++;
	if (gpa < r->pool->phys_base || gpa + 8 > r->pool->phys_base + r->pool->used * 4096 || (gpa & 7))
		return -1;
	memcpy(val, r->pool->mem + (gpa - r->pool->phys_base), 8);
	return 0;
}

#define CR0_PG_PE 0x80000001ull
#define CR4_PAE   0x20ull
#define CR4_PSE   0x10ull
#define EFER_LME_LMA 0x500ull

static void test_guest_walk_long(void)
{
	struct pt_pool p = new_pool(64);
	uint64_t cr3 = pt_alloc_page(&p);
	unsigned fl = PT_R | PT_W | PT_X;
	/* 4K, 2M and 1G pages, plus a higher-half kernel-style mapping. */
	int rc = pt_map(&p, PT_X86, cr3, 0x1000, 0x100000, 0x3000, fl) |
	         pt_map(&p, PT_X86, cr3, 0x200000, 0x40000000, 6 * MiB, fl) |
	         pt_map(&p, PT_X86, cr3, 1 * GiB, 8 * GiB, 2 * GiB, fl) |
	         pt_map(&p, PT_X86, cr3, 0xFFFFFFFF80000000ull, 0x1000000, 4 * MiB, fl);
	check(rc == 0, "guest_walk: tables built by pt_map", "rc %d", rc);
	uint64_t probes[] = { 0x1000, 0x1FFF, 0x2000, 0x3ABC, 0x200000, 0x3FFFFF, 0x7FFFFF,
	                      GiB, GiB + 0x12345678, 3 * GiB - 1, 0xFFFFFFFF80000000ull,
	                      0xFFFFFFFF803FFFFFull };
	struct reader_ctx ctx = { &p, 0, -1 };
	bool good = true;
	char why[128] = "";
	for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
		uint64_t want, got = 0;
		unsigned f;
		pt_translate(&p, PT_X86, cr3, probes[i], &want, &f);
		if (guest_walk(pool_reader, &ctx, CR0_PG_PE, cr3, CR4_PAE, EFER_LME_LMA, probes[i], &got) ||
		    got != want) {
			good = false;
			snprintf(why, sizeof why, "gva 0x%" PRIx64 ": got 0x%" PRIx64 " want 0x%" PRIx64,
			         probes[i], got, want);
			break;
		}
	}
	check(good, "guest_walk: 4-level long mode with 4K/2M/1G pages matches pt_translate", "%s", why);
	uint64_t gpa;
	check(guest_walk(pool_reader, &ctx, CR0_PG_PE, cr3, CR4_PAE, EFER_LME_LMA, 0x0, &gpa) == -1 &&
	      guest_walk(pool_reader, &ctx, CR0_PG_PE, cr3, CR4_PAE, EFER_LME_LMA, 0x4000, &gpa) == -1 &&
	      guest_walk(pool_reader, &ctx, CR0_PG_PE, cr3, CR4_PAE, EFER_LME_LMA, 0x800000, &gpa) == -1 &&
	      guest_walk(pool_reader, &ctx, CR0_PG_PE, cr3, CR4_PAE, EFER_LME_LMA, 3 * GiB, &gpa) == -1 &&
	      guest_walk(pool_reader, &ctx, CR0_PG_PE, cr3, CR4_PAE, EFER_LME_LMA, 512 * GiB, &gpa) == -1,
	      "guest_walk: not-present entries at every level fail", "");
	check(guest_walk(pool_reader, &ctx, CR0_PG_PE, cr3, CR4_PAE, EFER_LME_LMA,
	                 0x0000800000000000ull, &gpa) == -1,
	      "guest_walk: non-canonical address fails", "");
	bool all_fail = true;
	for (int n = 0; n < 4; n++) {
		struct reader_ctx failing = { &p, 0, n };
		if (guest_walk(pool_reader, &failing, CR0_PG_PE, cr3, CR4_PAE, EFER_LME_LMA, 0x1000, &gpa) != -1)
			all_fail = false;
	}
	check(all_fail, "guest_walk: read_gpa failing at any level fails the walk", "");
	/* CR3 pointing outside the LPAR's memory: the reader refuses, the walk fails. */
	check(guest_walk(pool_reader, &ctx, CR0_PG_PE, 0x1000, CR4_PAE, EFER_LME_LMA, 0x1000, &gpa) == -1,
	      "guest_walk: CR3 outside guest memory fails", "");
	/* An entry pointing outside: corrupt the PDPT pointer of the PML4. */
	uint64_t *pml4 = table(&p, cr3);
	uint64_t saved = pml4[0];
	pml4[0] = 0x123456000ull | 7;
	check(guest_walk(pool_reader, &ctx, CR0_PG_PE, cr3, CR4_PAE, EFER_LME_LMA, 0x1000, &gpa) == -1,
	      "guest_walk: entry pointing outside guest memory fails", "");
	pml4[0] = saved;
	check(guest_walk(pool_reader, &ctx, 0x1, cr3, 0, 0, 0x1234FFFFFull, &gpa) == 0 && gpa == 0x234FFFFF,
	      "guest_walk: paging off is identity (32-bit)", "gpa 0x%" PRIx64, gpa);
	free(p.mem);
}

/* 32-bit protected mode tables written by hand into a pool (gpa == pool address). */
static void test_guest_walk_32(void)
{
	struct pt_pool p = new_pool(8);
	struct reader_ctx ctx = { &p, 0, -1 };
	uint64_t pdpt = pt_alloc_page(&p), pd = pt_alloc_page(&p), pt = pt_alloc_page(&p);
	/* PAE: PDPTE 1 -> pd; pd[0] = 2M page at 0x2000000; pd[1] -> pt; pt[5] = 4K at 0x7777000. */
	table(&p, pdpt)[1] = pd | 1;
	table(&p, pd)[0] = 0x2000000 | 0x83;
	table(&p, pd)[1] = pt | 3;
	table(&p, pt)[5] = 0x7777000 | 3;
	uint64_t gpa = 0;
	bool good = guest_walk(pool_reader, &ctx, CR0_PG_PE, pdpt, CR4_PAE, 0, 0x40012345, &gpa) == 0 &&
	            gpa == 0x2012345 &&
	            guest_walk(pool_reader, &ctx, CR0_PG_PE, pdpt, CR4_PAE, 0, 0x40205ABC, &gpa) == 0 &&
	            gpa == 0x7777ABC &&
	            guest_walk(pool_reader, &ctx, CR0_PG_PE, pdpt, CR4_PAE, 0, 0x40206000, &gpa) == -1 &&
	            guest_walk(pool_reader, &ctx, CR0_PG_PE, pdpt, CR4_PAE, 0, 0x00012345, &gpa) == -1;
	check(good, "guest_walk: 32-bit PAE with 2M and 4K pages", "gpa 0x%" PRIx64, gpa);

	/* Non-PAE: 4-byte entries.  PDE 0x100 (gva 0x40000000) -> 4M page at 0xC00000 (with PSE);
	 * PDE 0x3FF -> page table; its last PTE (4-byte, top of the page) -> 0x5555000. */
	struct pt_pool q = new_pool(4);
	struct reader_ctx qc = { &q, 0, -1 };
	uint64_t pgd = pt_alloc_page(&q), pt2 = pt_alloc_page(&q);
	uint32_t *pgd32 = (uint32_t *)(void *)table(&q, pgd), *pt32 = (uint32_t *)(void *)table(&q, pt2);
	pgd32[0x100] = 0xC00000 | 0x83;
	pgd32[0x3FF] = (uint32_t)pt2 | 3;
	pt32[1023] = 0x5555000 | 3;
	good = guest_walk(pool_reader, &qc, CR0_PG_PE, pgd, CR4_PSE, 0, 0x40123456, &gpa) == 0 &&
	       gpa == 0xD23456 &&
	       guest_walk(pool_reader, &qc, CR0_PG_PE, pgd, CR4_PSE, 0, 0xFFFFF123, &gpa) == 0 &&
	       gpa == 0x5555123 &&
	       guest_walk(pool_reader, &qc, CR0_PG_PE, pgd, CR4_PSE, 0, 0xFFFFE000, &gpa) == -1;
	check(good, "guest_walk: 32-bit non-PAE with 4M (PSE) and 4K pages", "gpa 0x%" PRIx64, gpa);
	/* Without CR4.PSE the PS bit is ignored: the PDE is a page-table pointer. */
	pgd32[0x100] = (uint32_t)pt2 | 0x83;
	good = guest_walk(pool_reader, &qc, CR0_PG_PE, pgd, 0, 0, 0x403FF010, &gpa) == 0 && gpa == 0x5555010;
	check(good, "guest_walk: PS ignored without CR4.PSE", "gpa 0x%" PRIx64, gpa);
	free(q.mem);
	free(p.mem);
}


/* ---- Randomised: pt_map against a page-level model -------------------------------------- */

#define MODEL_VA_PAGES (8ull * GiB / 4096)   /* 8 GiB of va: 1G, 2M and 4K leaves all occur */

struct map_op {
	uint64_t va, pa, size;
	unsigned flags;
};

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A random range, aligned to 4K, 2M or 1G so that every leaf size gets exercised. */
static struct map_op random_op(void)
{
	static const uint64_t units[] = { 4 * KiB, 2 * MiB, 1 * GiB };
	static const unsigned flag_sets[] = { PT_R | PT_W | PT_X, PT_R | PT_X, PT_R | PT_W | PT_X | PT_UC };
	uint64_t unit = units[rnd() % 3], pa_unit = rnd() % 4 ? unit : 4 * KiB;
	struct map_op op;
	op.size = unit * (1 + rnd() % 3) + (rnd() % 4 == 0 ? 4 * KiB * (1 + rnd() % 3) : 0);
	op.va = (rnd() % (8 * GiB / unit)) * unit;
	if (op.va + op.size > 8 * GiB)
		op.va = 8 * GiB - op.size;
	op.va &= ~(4 * KiB - 1);
	/* Often the same va->pa offset as other ops (so identical remaps happen), else random. */
	op.pa = rnd() % 2 ? op.va + 16 * GiB : (rnd() % (64 * GiB / pa_unit)) * pa_unit;
	op.flags = flag_sets[rnd() % 4 == 0 ? rnd() % 3 : 0];
	return op;
}

/* model[page] = (pa page << 8) | flags | 0x80 (mapped), 0 when unmapped. */
static bool model_allows(const uint64_t *model, const struct map_op *op)
{
	for (uint64_t off = 0; off < op->size; off += 4096) {
		uint64_t m = model[(op->va + off) / 4096];
		if (m && m != ((((op->pa + off) / 4096) << 8) | op->flags | 0x80))
			return false;
	}
	return true;
}

static void model_apply(uint64_t *model, const struct map_op *op)
{
	for (uint64_t off = 0; off < op->size; off += 4096)
		model[(op->va + off) / 4096] = (((op->pa + off) / 4096) << 8) | op->flags | 0x80;
}

static bool model_agrees(const struct pt_pool *p, enum pt_format f, uint64_t root,
                         const uint64_t *model, uint64_t page)
{
	uint64_t pa;
	unsigned fl;
	int rc = pt_translate(p, f, root, page * 4096 + 0x123, &pa, &fl);
	uint64_t m = model[page];
	if (!m)
		return rc == -1;
	unsigned want = (unsigned)(m & 0x7F) | (f == PT_X86 ? PT_R | PT_X : PT_R);
	return rc == 0 && pa == (m >> 8) * 4096 + 0x123 && fl == want;
}

/* Rebuilds the tables from the successful ops: a failed pt_map may leave part of its range. */
static uint64_t rebuild(struct pt_pool *p, enum pt_format f, const struct map_op *ops, size_t n)
{
	p->used = 0;
	uint64_t root = pt_alloc_page(p);
	for (size_t i = 0; i < n; i++)
		if (pt_map(p, f, root, ops[i].va, ops[i].pa, ops[i].size, ops[i].flags))
			return 0;
	return root;
}

static void test_random_model(enum pt_format f, const char *fname)
{
	enum { OPS = 1500 };
	uint64_t *model = calloc(MODEL_VA_PAGES, sizeof *model);
	struct map_op *done = calloc(OPS, sizeof *done);
	struct pt_pool p = new_pool(4096);
	uint64_t root = pt_alloc_page(&p);
	rng_state = 0x9E3779B97F4A7C15ull;   /* same sequence for both formats, every run */
	size_t n_done = 0, accepted = 0, refused = 0;
	char why[160] = "";
	bool good = true;
	for (int i = 0; i < OPS && good; i++) {
		struct map_op op = random_op();
		bool allowed = model_allows(model, &op);
		int rc = pt_map(&p, f, root, op.va, op.pa, op.size, op.flags);
		if (rc == 0 && allowed) {
			model_apply(model, &op);
			done[n_done++] = op;
			accepted++;
		} else if (rc == -1 && !allowed) {
			refused++;
			root = rebuild(&p, f, done, n_done);
		} else {
			snprintf(why, sizeof why, "op %d va 0x%" PRIx64 " pa 0x%" PRIx64 " size 0x%" PRIx64
			         " flags 0x%x: rc %d, model %s", i, op.va, op.pa, op.size, op.flags, rc,
			         allowed ? "allows" : "refuses");
			good = false;
			break;
		}
		for (int k = 0; k < 64 && good; k++) {
			uint64_t page = rnd() % MODEL_VA_PAGES;
			if (!model_agrees(&p, f, root, model, page)) {
				snprintf(why, sizeof why, "after op %d: page 0x%" PRIx64 " disagrees", i, page);
				good = false;
			}
		}
	}
	for (uint64_t page = 0; good && page < MODEL_VA_PAGES; page++) {
		if (!model_agrees(&p, f, root, model, page)) {
			snprintf(why, sizeof why, "final: page 0x%" PRIx64 " disagrees", page);
			good = false;
		}
	}
	printf("# %s random model: %zu maps accepted, %zu refused, %zu table pages\n", fname,
	       accepted, refused, p.used);
	char name[128];
	snprintf(name, sizeof name, "paging %s: %d random maps agree with a page model (every page checked)",
	         fname, OPS);
	check(good && accepted > 100 && refused > 100, name, "%s (accepted %zu refused %zu)", why,
	      accepted, refused);
	free(p.mem);
	free(done);
	free(model);
}

int main(void)
{
	test_mixed_alignment(PT_X86, "X86");
	test_mixed_alignment(PT_EPT, "EPT");
	test_remaps(PT_X86, "X86");
	test_remaps(PT_EPT, "EPT");
	test_limits(PT_X86, "X86");
	test_limits(PT_EPT, "EPT");
	test_entry_bits();
	test_guest_walk_long();
	test_guest_walk_32();
	test_random_model(PT_X86, "X86");
	test_random_model(PT_EPT, "EPT");
	return check_exit();
}
