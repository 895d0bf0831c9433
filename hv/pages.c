/*
 * Physical page allocator for the hypervisor's own pages (AP stacks, nested page tables, VMCBs,
 * bitmaps...).  Static partitioning means nothing is ever freed, so a bump allocator over the
 * usable ranges of boot_info is enough.  Only RAM the loader reported BOOT_MEM_USABLE is used
 * (the hv image, boot_info, modules and LPAR RAM are typed otherwise), and nothing below 1 MiB
 * (legacy areas, the AP trampoline) or above 4 GiB (tables loaded from 32-bit code).
 */
#include <anchor/boot_info.h>
#include <anchor/hv.h>
#include <string.h>

#define POOL_MIN 0x100000ull
#define POOL_MAX 0x100000000ull

struct free_range {
	uint64_t next, end;
};

static struct free_range ranges[BOOT_MAX_MEM + 1];
static unsigned range_count, range_cur;
static spinlock_t pages_lock;

void pages_init(const struct boot_info *bi)
{
	range_count = 0;
	for (uint32_t i = 0; i < bi->mem_count && i < BOOT_MAX_MEM; i++) {
		const struct boot_mem_range *m = &bi->mem[i];
		if (m->type != BOOT_MEM_USABLE)
			continue;
		uint64_t b = (m->base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		uint64_t e = (m->base + m->size) & ~(PAGE_SIZE - 1);
		if (b < POOL_MIN)
			b = POOL_MIN;
		if (e > POOL_MAX)
			e = POOL_MAX;
		if (b >= e)
			continue;
		ranges[range_count].next = b;
		ranges[range_count].end = e;
		range_count++;
	}
	range_cur = 0;
}

void *page_alloc(size_t count)
{
	uint64_t bytes = (uint64_t)count * PAGE_SIZE;
	void *p = NULL;
	if (count == 0)
		return NULL;
	spin_lock(&pages_lock);
	for (unsigned i = range_cur; i < range_count; i++) {
		struct free_range *r = &ranges[i];
		if (r->end - r->next >= bytes) {
			p = (void *)(uintptr_t)r->next;
			r->next += bytes;
			break;
		}
	}
	spin_unlock(&pages_lock);
	if (p)
		memset(p, 0, bytes);
	return p;
}

size_t page_free_count(void)
{
	size_t n = 0;
	for (unsigned i = 0; i < range_count; i++)
		n += (ranges[i].end - ranges[i].next) / PAGE_SIZE;
	return n;
}

/* Removes [base, base+size) from the pool (LPAR RAM the loader did not type as such, e.g. on the
 * Multiboot2 path).  Must run before the first allocation that could overlap. */
void pages_exclude(uint64_t base, uint64_t size)
{
	uint64_t end = base + size;
	for (unsigned i = 0; i < range_count; i++) {
		struct free_range *r = &ranges[i];
		if (end <= r->next || base >= r->end)
			continue;
		if (base <= r->next && end >= r->end) {
			r->next = r->end;                         /* swallowed whole */
		} else if (base <= r->next) {
			r->next = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		} else if (end >= r->end) {
			r->end = base & ~(PAGE_SIZE - 1);
		} else if (range_count < BOOT_MAX_MEM) {      /* split in two */
			memmove(&ranges[i + 2], &ranges[i + 1], (range_count - i - 1) * sizeof ranges[0]);
			ranges[i + 1].next = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
			ranges[i + 1].end = r->end;
			r->end = base & ~(PAGE_SIZE - 1);
			range_count++;
			i++;
		} else {
			r->end = base & ~(PAGE_SIZE - 1);         /* no slot: lose the upper part */
		}
	}
}
