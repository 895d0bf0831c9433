/*
 * Page-table builders and walkers (see anchor/paging.h).
 *
 * Levels are numbered from the leaf: 0 = PT (4 KiB), 1 = PD (2 MiB), 2 = PDPT (1 GiB),
 * 3 = PML4.  Tables are only ever reached through the pool, so a corrupted entry that points
 * outside it makes the walk fail instead of touching foreign memory.
 */
#include <anchor/paging.h>
#include <string.h>

#define PAGE_SIZE   4096ull
#define ADDR_MASK   0x000FFFFFFFFFF000ull   /* bits 51:12: next table or page frame */
#define TOP_LEVEL   3

/* x86 entry bits (also AMD NPT). */
#define X86_P   (1ull << 0)
#define X86_RW  (1ull << 1)
#define X86_US  (1ull << 2)
#define X86_PWT (1ull << 3)
#define X86_PCD (1ull << 4)
#define X86_A   (1ull << 5)
#define X86_D   (1ull << 6)
#define X86_PS  (1ull << 7)
#define X86_NX  (1ull << 63)

/* EPT entry bits. */
#define EPT_R        (1ull << 0)
#define EPT_W        (1ull << 1)
#define EPT_X        (1ull << 2)
#define EPT_MT_SHIFT 3
#define EPT_MT_UC    0ull
#define EPT_MT_WB    6ull
#define EPT_PS       (1ull << 7)
#define EPT_A        (1ull << 8)
#define EPT_D        (1ull << 9)

static uint64_t level_size(int level)
{
	return PAGE_SIZE << (9 * level);
}

static unsigned level_index(uint64_t va, int level)
{
	return (unsigned)((va >> (12 + 9 * level)) & 511);
}

/* The table at physical address phys, or NULL if it is not a whole page inside the pool. */
static uint64_t *table_at(const struct pt_pool *p, uint64_t phys)
{
	if (phys < p->phys_base || (phys & (PAGE_SIZE - 1)))
		return NULL;
	uint64_t page = (phys - p->phys_base) / PAGE_SIZE;
	if (page >= p->used)
		return NULL;
	return (uint64_t *)(void *)(p->mem + page * PAGE_SIZE);
}

uint64_t pt_alloc_page(struct pt_pool *p)
{
	if (!p || !p->mem || p->used >= p->pages)
		return 0;
	uint8_t *page = p->mem + p->used * PAGE_SIZE;
	memset(page, 0, PAGE_SIZE);
	return p->phys_base + PAGE_SIZE * p->used++;
}

static bool entry_present(enum pt_format f, uint64_t e)
{
	return f == PT_EPT ? (e & (EPT_R | EPT_W | EPT_X)) != 0 : (e & X86_P) != 0;
}

static bool entry_is_leaf(enum pt_format f, uint64_t e, int level)
{
	if (level == 0)
		return true;
	if (level > 2)
		return false;
	return (e & (f == PT_EPT ? EPT_PS : X86_PS)) != 0;
}

/* Non-leaf entries grant everything: the leaf decides.  NPT needs U on every level. */
static uint64_t table_entry(enum pt_format f, uint64_t table_phys)
{
	if (f == PT_EPT)
		return table_phys | EPT_R | EPT_W | EPT_X;
	return table_phys | X86_P | X86_RW | X86_US;
}

/*
 * A leaf entry for pa at level.  PT_X86 leaves never set NX: that bit is reserved unless the
 * walker's EFER.NXE is set, which the builder cannot know (hv tables, NPT, guest tables).
 * PT_EPT leaves are always readable (W or X without R is a misconfiguration) and carry the
 * memory type: WB for RAM, UC for PT_UC.
 */
static uint64_t leaf_entry(enum pt_format f, uint64_t pa, unsigned flags, int level)
{
	uint64_t e = pa;
	if (f == PT_EPT) {
		e |= EPT_R;
		if (flags & PT_W)
			e |= EPT_W;
		if (flags & PT_X)
			e |= EPT_X;
		e |= ((flags & PT_UC) ? EPT_MT_UC : EPT_MT_WB) << EPT_MT_SHIFT;
		if (level > 0)
			e |= EPT_PS;
		return e;
	}
	e |= X86_P;
	if (flags & PT_W)
		e |= X86_RW;
	if (flags & PT_U)
		e |= X86_US;
	if (flags & PT_UC)
		e |= X86_PCD | X86_PWT;
	if (level > 0)
		e |= X86_PS;
	return e;
}

/* Bits the hardware may change on its own (accessed/dirty): ignored when comparing. */
static uint64_t hw_owned_bits(enum pt_format f)
{
	return f == PT_EPT ? (EPT_A | EPT_D) : (X86_A | X86_D);
}

static uint64_t leaf_frame_mask(int level)
{
	return ADDR_MASK & ~(level_size(level) - 1);
}

/* Whether the existing leaf e (at level, covering va) already maps va to pa with flags. */
static bool leaf_matches(enum pt_format f, uint64_t e, int level, uint64_t va, uint64_t pa,
                         unsigned flags)
{
	uint64_t offset = va & (level_size(level) - 1);
	uint64_t want = leaf_entry(f, (pa - offset) & leaf_frame_mask(level), flags, level);
	if (((pa - offset) & ~leaf_frame_mask(level)) != 0)
		return false;   /* pa is not at the same offset inside a page of this size */
	return (e & ~hw_owned_bits(f)) == want;
}

/* Maps [va, last] (inclusive, so a range may end at the top of the address space). */
static int map_level(struct pt_pool *p, enum pt_format f, uint64_t table_phys, int level,
                     uint64_t va, uint64_t pa, uint64_t last, unsigned flags)
{
	uint64_t *table = table_at(p, table_phys);
	if (!table)
		return -1;
	uint64_t mask = level_size(level) - 1;
	for (;;) {
		uint64_t chunk_last = va | mask;
		if (chunk_last > last)
			chunk_last = last;
		uint64_t *e = &table[level_index(va, level)];
		bool whole = (va & mask) == 0 && (pa & mask) == 0 && chunk_last - va == mask;
		if (level <= 2 && whole && !entry_present(f, *e)) {
			*e = leaf_entry(f, pa, flags, level);
		} else if (entry_present(f, *e) && entry_is_leaf(f, *e, level)) {
			/* Already mapped by a leaf: fine only if it says exactly the same thing. */
			if (!leaf_matches(f, *e, level, va, pa, flags))
				return -1;
		} else {
			if (level == 0)
				return -1;   /* unreachable: 4 KiB chunks are always whole */
			if (!entry_present(f, *e)) {
				uint64_t t = pt_alloc_page(p);
				if (!t)
					return -1;
				*e = table_entry(f, t);
			}
			if (map_level(p, f, *e & ADDR_MASK, level - 1, va, pa, chunk_last, flags))
				return -1;
		}
		if (chunk_last == last)
			return 0;
		pa += chunk_last - va + 1;
		va = chunk_last + 1;
	}
}

/* 48-bit canonical: bits 63:47 all equal. */
static bool canonical(uint64_t va)
{
	uint64_t top = va >> 47;
	return top == 0 || top == 0x1FFFF;
}

int pt_map(struct pt_pool *p, enum pt_format f, uint64_t root, uint64_t va, uint64_t pa,
           uint64_t size, unsigned flags)
{
	if (!p || ((va | pa | size) & (PAGE_SIZE - 1)))
		return -1;
	if (size == 0)
		return 0;
	uint64_t last = va + size - 1;
	if (last < va || pa + size - 1 < pa || !canonical(va) || !canonical(last))
		return -1;
	if ((va >> 47) != (last >> 47) || ((pa + size - 1) & ~ADDR_MASK & ~(PAGE_SIZE - 1)))
		return -1;   /* crosses the canonical hole, or pa beyond 52 bits */
	if (f == PT_EPT && (va >> 48))
		return -1;   /* guest-physical addresses have no high half */
	return map_level(p, f, root, TOP_LEVEL, va, pa, last, flags);
}

/* Effective permissions: W, U and X only if every level grants them. */
static unsigned entry_flags(enum pt_format f, uint64_t e)
{
	if (f == PT_EPT) {
		unsigned fl = 0;
		if (e & EPT_R)
			fl |= PT_R;
		if (e & EPT_W)
			fl |= PT_W;
		if (e & EPT_X)
			fl |= PT_X;
		return fl;
	}
	unsigned fl = PT_R;
	if (e & X86_RW)
		fl |= PT_W;
	if (e & X86_US)
		fl |= PT_U;
	if (!(e & X86_NX))
		fl |= PT_X;
	return fl;
}

static bool leaf_uncached(enum pt_format f, uint64_t e)
{
	if (f == PT_EPT)
		return ((e >> EPT_MT_SHIFT) & 7) == EPT_MT_UC;
	return (e & X86_PCD) != 0;
}

int pt_translate(const struct pt_pool *p, enum pt_format f, uint64_t root, uint64_t va,
                 uint64_t *pa, unsigned *flags)
{
	if (!p || !canonical(va) || (f == PT_EPT && (va >> 48)))
		return -1;
	uint64_t table_phys = root;
	unsigned eff = PT_R | PT_W | PT_X | PT_U;
	for (int level = TOP_LEVEL; level >= 0; level--) {
		const uint64_t *table = table_at(p, table_phys);
		if (!table)
			return -1;
		uint64_t e = table[level_index(va, level)];
		if (!entry_present(f, e))
			return -1;
		eff &= entry_flags(f, e);
		if (entry_is_leaf(f, e, level)) {
			uint64_t off = va & (level_size(level) - 1);
			if (pa)
				*pa = (e & leaf_frame_mask(level)) + off;
			if (flags)
				*flags = eff | (leaf_uncached(f, e) ? PT_UC : 0);
			return 0;
		}
		table_phys = e & ADDR_MASK;
	}
	return -1;
}

/* ---- Walking the guest's own page tables ---------------------------------------------- */

#define CR0_PG   (1ull << 31)
#define CR4_PSE  (1ull << 4)
#define CR4_PAE  (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)

/* Reads the 32-bit entry at gpa through the 8-byte reader without reading past the entry's
 * own aligned quadword (so an entry in the last 4 bytes of RAM is still readable). */
static int read_u32(gpa_reader rd, void *ctx, uint64_t gpa, uint32_t *val)
{
	uint64_t q;
	if (rd(ctx, gpa & ~7ull, &q))
		return -1;
	*val = (uint32_t)((gpa & 4) ? q >> 32 : q);
	return 0;
}

/* Long mode: 4-level (or 5-level with CR4.LA57), 1 GiB and 2 MiB pages. */
static int walk_long(gpa_reader rd, void *ctx, uint64_t cr3, bool la57, uint64_t gva,
                     uint64_t *gpa)
{
	int top = la57 ? 4 : 3;
	unsigned va_bits = la57 ? 57 : 48;
	uint64_t high = gva >> (va_bits - 1);
	if (high != 0 && high != (~0ull >> (va_bits - 1)))
		return -1;   /* non-canonical */
	uint64_t table = cr3 & ADDR_MASK;
	for (int level = top; level >= 0; level--) {
		uint64_t e;
		if (rd(ctx, table + 8ull * level_index(gva, level), &e))
			return -1;
		if (!(e & X86_P))
			return -1;
		if (level == 0 || (level <= 2 && (e & X86_PS))) {
			uint64_t mask = level_size(level) - 1;
			*gpa = (e & ADDR_MASK & ~mask) | (gva & mask);
			return 0;
		}
		table = e & ADDR_MASK;
	}
	return -1;
}

/* 32-bit PAE: 4 PDPTEs at CR3[31:5], 2 MiB or 4 KiB pages. */
static int walk_pae(gpa_reader rd, void *ctx, uint64_t cr3, uint64_t gva, uint64_t *gpa)
{
	uint64_t e;
	gva &= 0xFFFFFFFFull;
	if (rd(ctx, (cr3 & 0xFFFFFFE0ull) + 8 * ((gva >> 30) & 3), &e) || !(e & X86_P))
		return -1;
	if (rd(ctx, (e & ADDR_MASK) + 8 * ((gva >> 21) & 511), &e) || !(e & X86_P))
		return -1;
	if (e & X86_PS) {
		*gpa = (e & ADDR_MASK & ~0x1FFFFFull) | (gva & 0x1FFFFF);
		return 0;
	}
	if (rd(ctx, (e & ADDR_MASK) + 8 * ((gva >> 12) & 511), &e) || !(e & X86_P))
		return -1;
	*gpa = (e & ADDR_MASK) | (gva & 0xFFF);
	return 0;
}

/* 32-bit non-PAE: 4-byte entries, 4 MiB pages with CR4.PSE (PSE-36 high bits honoured). */
static int walk_legacy(gpa_reader rd, void *ctx, uint64_t cr3, bool pse, uint64_t gva,
                       uint64_t *gpa)
{
	uint32_t pde, pte;
	gva &= 0xFFFFFFFFull;
	if (read_u32(rd, ctx, (cr3 & 0xFFFFF000ull) + 4 * (gva >> 22), &pde) || !(pde & X86_P))
		return -1;
	if (pse && (pde & X86_PS)) {
		uint64_t base = (pde & 0xFFC00000u) | ((uint64_t)((pde >> 13) & 0xFF) << 32);
		*gpa = base | (gva & 0x3FFFFF);
		return 0;
	}
	if (read_u32(rd, ctx, (pde & 0xFFFFF000u) + 4 * ((gva >> 12) & 1023), &pte) ||
	    !(pte & X86_P))
		return -1;
	*gpa = (pte & 0xFFFFF000u) | (gva & 0xFFF);
	return 0;
}

int guest_walk(gpa_reader read_gpa, void *ctx, uint64_t cr0, uint64_t cr3, uint64_t cr4,
               uint64_t efer, uint64_t gva, uint64_t *gpa)
{
	if (!read_gpa || !gpa)
		return -1;
	if (!(cr0 & CR0_PG)) {
		*gpa = gva & 0xFFFFFFFFull;   /* paging off: protected/real mode, 32-bit addresses */
		return 0;
	}
	if (efer & EFER_LMA)
		return walk_long(read_gpa, ctx, cr3, (cr4 & CR4_LA57) != 0, gva, gpa);
	if (cr4 & CR4_PAE)
		return walk_pae(read_gpa, ctx, cr3, gva, gpa);
	return walk_legacy(read_gpa, ctx, cr3, (cr4 & CR4_PSE) != 0, gva, gpa);
}
