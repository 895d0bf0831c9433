/*
 * The test guest's struct tpm_io (tpm_drv.h) on the hardware an LPAR sees (guest_abi.h): plain
 * mov instructions of the access width at 0xFED40000 (one VM exit each where the hypervisor
 * traps), RAM identity-mapped from 0 to ram_size, and waits that back off exponentially
 * (pause loops from 64 to 64 Ki iterations, about Linux's 1 ms sleeps between polls on a fast
 * machine) and give up after 2^37 TSC ticks (~40 s at 3 GHz).
 */
#include "tpm_io_guest.h"
#include <anchor/guest_abi.h>

#define WAIT_TIMEOUT_TICKS (1ull << 37)
#define STACK_RESERVE      0x40000ull   /* the top 256 KiB of RAM: the stack (RSP = ram_size) */

extern char __image_start[], __image_end[];   /* testguest.ld */

static uintptr_t window(uint32_t off)
{
	return (uintptr_t)(TPM_WINDOW_BASE + off);
}

static uint64_t mmio_read(void *ctx, uint32_t off, unsigned width)
{
	(void)ctx;
	uint64_t v;
	switch (width) {
	case 1: { uint8_t b; __asm__ volatile("movb (%1), %0" : "=q"(b) : "r"(window(off)) : "memory"); v = b; break; }
	case 2: { uint16_t w; __asm__ volatile("movw (%1), %0" : "=r"(w) : "r"(window(off)) : "memory"); v = w; break; }
	case 4: { uint32_t d; __asm__ volatile("movl (%1), %0" : "=r"(d) : "r"(window(off)) : "memory"); v = d; break; }
	default: __asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(window(off)) : "memory"); break;
	}
	return v;
}

static void mmio_write(void *ctx, uint32_t off, unsigned width, uint64_t v)
{
	(void)ctx;
	switch (width) {
	case 1: __asm__ volatile("movb %0, (%1)" : : "q"((uint8_t)v), "r"(window(off)) : "memory"); break;
	case 2: __asm__ volatile("movw %0, (%1)" : : "r"((uint16_t)v), "r"(window(off)) : "memory"); break;
	case 4: __asm__ volatile("movl %0, (%1)" : : "r"((uint32_t)v), "r"(window(off)) : "memory"); break;
	default: __asm__ volatile("movq %0, (%1)" : : "r"(v), "r"(window(off)) : "memory"); break;
	}
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Only RAM nothing else of the guest's lives in: not guest_info, the page tables, the image or
 * the stack. */
static uint8_t *map_ram(void *ctx, uint64_t gpa, size_t len)
{
	const struct guest_tpm_io *g = ctx;
	uint64_t image = (uintptr_t)__image_start, image_len = (uintptr_t)__image_end - image;
	if (len == 0 || gpa >= g->ram_size || len > g->ram_size - gpa ||
	    overlaps(gpa, len, GUEST_INFO_BASE, 0x1000) || overlaps(gpa, len, GUEST_PT_BASE, 0x10000) ||
	    overlaps(gpa, len, image, image_len) ||
	    overlaps(gpa, len, g->ram_size - STACK_RESERVE, STACK_RESERVE))
		return 0;
	return (uint8_t *)(uintptr_t)gpa;
}

static bool wait(void *ctx, unsigned round)
{
	struct guest_tpm_io *g = ctx;
	uint64_t now = read_tsc();
	if (round == 0)
		g->wait_start = now;
	else if (now - g->wait_start > WAIT_TIMEOUT_TICKS)
		return false;
	unsigned spins = 64u << (round < 10 ? round : 10);
	for (unsigned i = 0; i < spins; i++)
		__asm__ volatile("pause");
	return true;
}

const struct tpm_io *guest_tpm_io(struct guest_tpm_io *g, uint64_t ram_size)
{
	g->ram_size = ram_size;
	g->wait_start = 0;
	g->io = (struct tpm_io){ mmio_read, mmio_write, map_ram, wait, g };
	return &g->io;
}
