/* libFuzzer target for guest_walk (hv/paging.c): the guest controls its page tables and its
 * control registers, so any bytes must give a defined answer.  Input: cr0, cr3, cr4, efer, gva
 * (5 x 8 bytes), then the guest's memory from gpa 0 (reads beyond it fail, like reads outside
 * an LPAR).  Checks: no crash/UB, every read 8-byte aligned and inside what the reader allows,
 * bounded number of reads (the walk terminates), success only with a plausible address. */
#include <anchor/paging.h>
#include <stdlib.h>
#include <string.h>

struct mem {
	const uint8_t *bytes;
	size_t size;
	unsigned reads;
};

static int reader(void *ctx, uint64_t gpa, uint64_t *val)
{
	struct mem *m = ctx;
	if (gpa & 7)
		abort();   /* guest_walk promises aligned reads */
	m->reads++;
	if (gpa >= m->size || m->size - gpa < 8)
		return -1;
	memcpy(val, m->bytes + gpa, 8);
	return 0;
}

static uint64_t u64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 40)
		return 0;
	uint64_t cr0 = u64(data), cr3 = u64(data + 8), cr4 = u64(data + 16), efer = u64(data + 24);
	uint64_t gva = u64(data + 32);
	uint8_t *copy = malloc(size - 40 + 1);
	memcpy(copy, data + 40, size - 40);
	struct mem m = { copy, size - 40, 0 };
	uint64_t gpa = 0;
	int rc = guest_walk(reader, &m, cr0, cr3, cr4, efer, gva, &gpa);
	if (rc != 0 && rc != -1)
		abort();
	if (m.reads > 5)
		abort();   /* at most 5 levels */
	if (rc == 0 && gpa >= (1ull << 52))
		abort();   /* physical addresses have at most 52 bits */
	free(copy);
	return 0;
}
