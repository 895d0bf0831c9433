/*
 * Multiboot2 information -> struct boot_info.  mb2_parse.c is pure logic (no hardware access,
 * no dereference of module contents), shared by the hypervisor (hv/mb2.c) and the host unit
 * test (tests/bochs/test_mb2.c).
 */
#ifndef ANCHOR_MB2_H
#define ANCHOR_MB2_H
#include <stddef.h>
#include <stdint.h>
#include <anchor/boot_info.h>

#define MB2_BOOTLOADER_MAGIC 0x36D76289u

#define MB2_TAG_END          0
#define MB2_TAG_CMDLINE      1
#define MB2_TAG_MODULE       3
#define MB2_TAG_MMAP         6
#define MB2_TAG_ACPI_OLD     14
#define MB2_TAG_ACPI_NEW     15

#define MB2_MMAP_AVAILABLE   1
#define MB2_MMAP_ACPI        3

#define MB2_MAX_MBI_SIZE     (1u << 20)   /* far above anything GRUB builds: a sanity bound */
#define MB2_MAX_E820         128

/* What the caller knows about its own image and where the RSDP copy may go. */
struct mb2_image {
	uint64_t hv_start, hv_end;   /* physical bounds of the loaded hv.elf */
	uint8_t *rsdp_copy;          /* buffer in hypervisor memory for the RSDP copy */
	size_t rsdp_copy_size;
};

/*
 * Fills *bi from the Multiboot2 information at mbi (mbi_size bytes, physical address
 * mbi_phys).  0 on success; -1 with a message naming the problem in err otherwise.
 */
int mb2_to_boot_info(const uint8_t *mbi, uint32_t mbi_size, uint64_t mbi_phys,
                     const struct mb2_image *img, struct boot_info *bi,
                     char *err, size_t errlen);

#endif
