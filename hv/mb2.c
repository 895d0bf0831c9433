/*
 * Multiboot2 -> struct boot_info (anchor/boot_info.h), so hv_main sees the same contract
 * whether anchor.efi or GRUB started it.  Called from mb2_entry.S on the boot stack, in long
 * mode with 0..4 GiB identity-mapped.
 *
 * What GRUB gives and what we make of it:
 * - memory map (tag 6): the BIOS E820 map.  RAM below 1 MiB is left out (BIOS data, EBDA,
 *   option ROMs live there) except one page handed over as the AP trampoline.  The hv image,
 *   the Multiboot2 information and every module are carved out as BOOT_MEM_HYPERVISOR: GRUB
 *   puts modules anywhere in RAM, so the hypervisor must never hand those pages out.
 * - modules (tag 3): their command line is the file name ("module2 /boot/x.elf x.elf");
 *   module 0 must be anchor.cfg, found by name whatever order the GRUB script used.
 * - ACPI (tags 14/15): GRUB passes a copy of the RSDP, not its address; we keep the copy in hv
 *   memory and hand out its address (the RSDP only points at the tables, which stay put).
 * - no TPM measurement happened: BOOT_PTPM_NONE, and we say so loudly.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <anchor/boot_info.h>
#include <anchor/hv.h>
#include <anchor/x86.h>
#include "mb2.h"

void mb2_main(uint32_t magic, uint64_t mbi_addr);

/* Linker-provided bounds of the loaded hypervisor image (linker/hv.ld). */
extern char hv_image_start[], hv_image_end[];

static struct boot_info mb2_boot_info;
static uint8_t mb2_rsdp_copy[64] __attribute__((aligned(16)));

/* Messages go through the core's console (hv/console.c), which programs COM1 for 115200 8N1
 * on first use: GRUB leaves it as the BIOS left it (Bochs: 5-bit characters). */
static _Noreturn void mb2_stop(const char *why)
{
	console_printf("anchor: multiboot2: %s\n", why);
	cpu_halt_forever();
}

/* ---- the conversion (pure logic: mb2_parse.c is unit-tested on the host) ---- */

void mb2_main(uint32_t magic, uint64_t mbi_addr)
{
	static char err[96];
	struct mb2_image img = {
		.hv_start = (uint64_t)(uintptr_t)hv_image_start,
		.hv_end = (uint64_t)(uintptr_t)hv_image_end,
		.rsdp_copy = mb2_rsdp_copy,
		.rsdp_copy_size = sizeof(mb2_rsdp_copy),
	};

	if (magic != MB2_BOOTLOADER_MAGIC)
		mb2_stop("not started by a Multiboot2 loader (bad magic)");
	if (mbi_addr == 0 || mbi_addr >= (1ull << 32))
		mb2_stop("no Multiboot2 information");

	const uint8_t *mbi = (const uint8_t *)(uintptr_t)mbi_addr;
	uint32_t mbi_size;
	memcpy(&mbi_size, mbi, 4);
	if (mbi_size > MB2_MAX_MBI_SIZE || mbi_addr + mbi_size > (1ull << 32))
		mb2_stop("Multiboot2 information too large or beyond the 4 GiB mapped at entry");
	if (mb2_to_boot_info(mbi, mbi_size, mbi_addr, &img, &mb2_boot_info, err, sizeof(err)) != 0)
		mb2_stop(err);

	console_printf("anchor: WARNING: no TPM measurement: booted through Multiboot2, nothing "
	               "was measured and the PTPM is not used\n");
	hv_main(&mb2_boot_info);
	mb2_stop("hv_main returned");
}
