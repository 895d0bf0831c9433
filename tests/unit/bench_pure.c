/* Benchmark of the pure logic on the host (make bench): the cost the hypervisor pays per trapped
 * MMIO access for decoding and for walking the guest's page tables, and for building an LPAR's
 * nested tables.  Prints a table; never passes or fails. */
#define _GNU_SOURCE
#include <anchor/decode.h>
#include <anchor/paging.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static volatile uint64_t sink;

static struct pt_pool pool;

static int reader(void *ctx, uint64_t gpa, uint64_t *val)
{
	(void)ctx;
	if (gpa < pool.phys_base || gpa + 8 > pool.phys_base + pool.used * 4096)
		return -1;
	memcpy(val, pool.mem + (gpa - pool.phys_base), 8);
	return 0;
}

int main(void)
{
	static const struct { const char *name; uint8_t bytes[15]; size_t len; } insns[] = {
		{ "movl (%rdi),%eax", { 0x8b, 0x07 }, 2 },
		{ "movl 0x18(%r8,%r9,4),%r10d", { 0x47, 0x8b, 0x54, 0x88, 0x18 }, 5 },
		{ "movabs 0xfed40018,%eax", { 0xa1, 0x18, 0x00, 0xd4, 0xfe, 0, 0, 0, 0 }, 9 },
		{ "movq $-2,0x100(%rip)", { 0x48, 0xc7, 0x05, 0, 1, 0, 0, 0xfe, 0xff, 0xff, 0xff }, 11 },
		{ "rep stosb (rejected)", { 0xf3, 0xaa }, 2 },
	};
	printf("%-40s %12s\n", "operation", "ns/op");
	const long n = 5000000;
	for (size_t i = 0; i < sizeof insns / sizeof insns[0]; i++) {
		struct mmio_insn m;
		double t = now();
		for (long k = 0; k < n; k++) {
			sink += decode_mmio(insns[i].bytes, insns[i].len, DECODE_MODE_64, &m);
			sink += m.len;
		}
		printf("decode %-33s %12.1f\n", insns[i].name, (now() - t) * 1e9 / n);
	}

	pool = (struct pt_pool){ aligned_alloc(4096, 64 * 4096), 0x100000, 64, 0 };
	uint64_t root = pt_alloc_page(&pool);
	pt_map(&pool, PT_X86, root, 0, 0, 4ull << 30, PT_R | PT_W | PT_X);      /* 2M/1G leaves */
	pt_map(&pool, PT_X86, root, 0x100000000ull, 0x200000, 8 << 20, PT_R | PT_W);
	pt_map(&pool, PT_X86, root, 0x200000000ull, 0x1000, 0x10000, PT_R | PT_W); /* 4K leaves */
	const long w = 2000000;
	static const struct { const char *name; uint64_t va; } walks[] = {
		{ "guest_walk 1G page", 0x12345678 },
		{ "guest_walk 2M page", 0x100123456ull },
		{ "guest_walk 4K page", 0x200001234ull },
	};
	for (size_t i = 0; i < 3; i++) {
		double t = now();
		for (long k = 0; k < w; k++) {
			uint64_t gpa;
			sink += (uint64_t)guest_walk(reader, NULL, 0x80000001, root, 0x20, 0x500, walks[i].va, &gpa);
			sink += gpa;
		}
		printf("%-40s %12.1f\n", walks[i].name, (now() - t) * 1e9 / w);
	}

	struct pt_pool big = { aligned_alloc(4096, 4096 * 4096), 0x40000000, 4096, 0 };
	const long b = 200;
	double t = now();
	for (long k = 0; k < b; k++) {
		big.used = 0;
		uint64_t r = pt_alloc_page(&big);
		sink += (uint64_t)pt_map(&big, PT_EPT, r, 0, 0x20000000, 64 << 20, PT_R | PT_W | PT_X);
	}
	printf("%-40s %12.1f\n", "pt_map 64 MiB LPAR (2M leaves, EPT)", (now() - t) * 1e9 / b);
	t = now();
	for (long k = 0; k < 20; k++) {
		big.used = 0;
		uint64_t r = pt_alloc_page(&big);
		sink += (uint64_t)pt_map(&big, PT_EPT, r, 0, 0x20001000, 64 << 20, PT_R | PT_W | PT_X);
	}
	printf("%-40s %12.1f  (%zu table pages)\n", "pt_map 64 MiB LPAR (4K leaves, EPT)",
	       (now() - t) * 1e9 / 20, big.used);
	free(big.mem);
	free(pool.mem);
	return 0;
}
