/*
 * Page-table builders (hv/paging.c): pure logic over a caller-owned pool of 4 KiB pages, so the
 * same code builds the hypervisor's own tables, each LPAR's EPT or NPT, and the initial guest
 * page tables of a 64-bit guest, and is unit-tested on the host.
 *
 * A pool is a run of page-aligned memory the code may hand out; phys_base is its physical
 * address (in the hypervisor memory is identity-mapped, so mem == (void *)phys_base; in host
 * tests phys_base is arbitrary and pt_* translate through the pool).  phys_base must not be 0
 * (0 is pt_alloc_page's "exhausted").  Tables are only reached through the pool: an entry that
 * points outside it makes pt_map/pt_translate fail rather than touch other memory.
 *
 * Entry formats (hv/paging.c):
 * - PT_X86: non-leaf entries P|RW|US (the leaf decides; AMD NPT needs U on every level).
 *   Leaves: P, RW if PT_W, US if PT_U, PCD|PWT if PT_UC, PS on 2M/1G.  NX is never set (it is
 *   reserved unless the walker's EFER.NXE=1, which the builder cannot know): PT_X is implied.
 * - PT_EPT: non-leaf entries RWX.  Leaves: R always (W/X without R is a misconfiguration),
 *   W if PT_W, X if PT_X, memory type WB (6) or UC (0) with PT_UC, bit 7 on 2M/1G.
 */
#ifndef ANCHOR_PAGING_H
#define ANCHOR_PAGING_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pt_format {
	PT_X86,    /* ordinary x86-64 4-level tables: hv tables, guest tables, AMD NPT */
	PT_EPT,    /* Intel EPT 4-level (RWX bits, memory type WB in leaves) */
};

#define PT_R  1u   /* readable (always for PT_X86) */
#define PT_W  2u
#define PT_X  4u
#define PT_U  8u   /* PT_X86 user bit: AMD NPT requires it on every level */
#define PT_UC 16u  /* uncached leaf (MMIO) */

struct pt_pool {
	uint8_t *mem;
	uint64_t phys_base;
	size_t pages;
	size_t used;
};

/* Allocates and zeroes a page; returns its physical address, 0 when the pool is exhausted. */
uint64_t pt_alloc_page(struct pt_pool *p);

/* Maps [va, va+size) to [pa, pa+size) under root (a page from pt_alloc_page), using 1 GiB /
 * 2 MiB leaves where va and pa alignment allows and 4 KiB leaves elsewhere.  All three must be
 * 4 KiB aligned; va canonical (PT_EPT: below 2^48), pa below 2^52.  Mapping what is already
 * mapped identically (same pa, same flags) is accepted.  Fails (-1) on exhaustion or if part of
 * the range is already mapped differently; the tables may then hold part of the new range
 * (callers treat failure as fatal for that address space). */
int pt_map(struct pt_pool *p, enum pt_format f, uint64_t root, uint64_t va, uint64_t pa,
           uint64_t size, unsigned flags);

/* Walks the tables: 0 and *pa / *flags when va is mapped, -1 otherwise.  *flags are the
 * effective PT_R/W/X/U (granted on every level) plus PT_UC for uncached leaves.  pa or flags
 * may be NULL. */
int pt_translate(const struct pt_pool *p, enum pt_format f, uint64_t root, uint64_t va,
                 uint64_t *pa, unsigned *flags);

/*
 * Walks a guest's own page tables (x86-64 4-level, 2M/1G pages; or 32-bit non-PAE/PAE when
 * the guest is in protected mode) to turn a guest-virtual address into a guest-physical one.
 * read_gpa reads 8 bytes of guest-physical memory (through the LPAR's mapping) and returns -1
 * if the address is outside the LPAR: the walk then fails, never touching other memory.
 * Reads are always 8-byte aligned (32-bit entries are taken from their aligned quadword).
 * Mode from the registers: CR0.PG=0 -> gpa = gva (low 32 bits); EFER.LMA -> 4-level (5-level
 * with CR4.LA57); else CR4.PAE -> PAE; else 2-level with 4M pages when CR4.PSE.  Only the
 * present bits are checked (no permission, reserved-bit or A/D handling): the hypervisor uses
 * this to fetch the bytes of an instruction the guest already executed.  An instruction that
 * crosses a page needs one walk per page.
 */
typedef int (*gpa_reader)(void *ctx, uint64_t gpa, uint64_t *val);
int guest_walk(gpa_reader read_gpa, void *ctx, uint64_t cr0, uint64_t cr3, uint64_t cr4,
               uint64_t efer, uint64_t gva, uint64_t *gpa);

#endif
