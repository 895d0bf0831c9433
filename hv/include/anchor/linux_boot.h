/*
 * The Linux x86 boot protocol for an LPAR (hv/linux_boot.c): pure logic that checks a bzImage,
 * plans where the kernel, initrd, command line and boot_params go in the LPAR's RAM, builds
 * the E820 map and fills the zero page for the 64-bit entry point.  No hypervisor state: the
 * loader uses it at config time (to refuse a bad image with a message naming the LPAR) and the
 * hypervisor when it builds the LPAR; the host unit test runs it on a real Debian bzImage.
 *
 * Calling model: every function works on caller-owned memory and returns 0 or -1 with *why set
 * to a static, human-readable reason (no state, no locking, no allocation).
 *
 * The guest-physical layout of a Linux LPAR is fixed (LPAR RAM always starts at gpa 0), so the
 * DSDT can be compiled at build time and tests can name every address:
 *
 *   0x0000_7000  boot_params (the zero page, 4 KiB)                   e820 RAM (Linux copies it)
 *   0x0000_8000  command line (LINUX_CMDLINE_MAX bytes with its NUL)   e820 RAM (Linux copies it)
 *   0x000A_0000  boot page tables + GDT (LINUX_BOOT_PT_GPA)            e820 reserved (legacy hole)
 *   0x000B_0000  TPM event log, LASA/LAML (LINUX_EVENTLOG_*)           e820 reserved
 *   0x000E_0000  ACPI tables, RSDP first (LINUX_ACPI_*)                e820 reserved
 *   0x0010_0000  CRB command/response buffer (LINUX_CRB_BUF_*)         e820 reserved
 *   0x0100_0000  the kernel (its pref_address), then RAM, the initrd at the top of RAM
 *
 * The CRB buffer sits above 1 MiB because Linux marks every region below 1 MiB busy, so
 * tpm_crb could not claim it there; it must be reserved (ioremap refuses RAM).
 */
#ifndef ANCHOR_LINUX_BOOT_H
#define ANCHOR_LINUX_BOOT_H
#include <stddef.h>
#include <stdint.h>

#define LINUX_BOOT_PARAMS_GPA  0x7000ull
#define LINUX_CMDLINE_GPA      0x8000ull
#define LINUX_CMDLINE_MAX      2048u          /* with its NUL: x86 COMMAND_LINE_SIZE */
#define LINUX_LOW_RAM_END      0xA0000ull     /* [0, 640 KiB) is RAM */
#define LINUX_BOOT_PT_GPA      0xA0000ull     /* PML4, PDPT, 4 PDs, GDT: 7 pages */
#define LINUX_BOOT_PT_SIZE     0x7000ull
#define LINUX_EVENTLOG_GPA     0xB0000ull
#define LINUX_EVENTLOG_SIZE    0x10000u       /* 64 KiB */
#define LINUX_ACPI_GPA         0xE0000ull
#define LINUX_ACPI_SIZE        0x10000u       /* 64 KiB */
#define LINUX_HOLE_END         0x100000ull    /* [640 KiB, 1 MiB) reserved, as on a PC */
#define LINUX_CRB_BUF_GPA      0x100000ull
#define LINUX_CRB_BUF_SIZE     0x1000u
#define LINUX_HIGH_RAM_START   (LINUX_CRB_BUF_GPA + LINUX_CRB_BUF_SIZE)
#define LINUX_MIN_RAM          (64ull << 20)  /* below this a distribution kernel cannot boot */
#define LINUX_MAX_RAM          (0xC0000000ull) /* stays below the 32-bit MMIO hole (3 GiB) */

/* Boot GDT selectors the 64-bit entry requires (Documentation/x86/boot.rst). */
#define LINUX_BOOT_CS 0x10
#define LINUX_BOOT_DS 0x18

/* E820 types (ACPI address range types). */
#define E820_RAM      1
#define E820_RESERVED 2

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));
#define E820_MAX_ENTRIES 128   /* boot_params.e820_table */

/* What the loader needs from a bzImage's setup header (all checked by linux_parse_bzimage). */
struct linux_image {
	uint32_t setup_size;        /* bytes before the protected-mode kernel: (setup_sects+1)*512 */
	uint64_t kernel_size;       /* the protected-mode kernel: the rest of the file */
	uint16_t version;           /* boot protocol, e.g. 0x020f */
	uint16_t xloadflags;
	uint32_t kernel_alignment;
	uint64_t pref_address;
	uint32_t init_size;         /* memory the kernel needs from its load address on */
	uint32_t initrd_addr_max;   /* highest byte address the initrd may use */
	uint32_t cmdline_size;      /* longest command line without its NUL */
	uint32_t header_end;        /* file offset just past the setup header (0x202 + hdr[0x201]) */
};

/* Where everything goes in the LPAR's RAM (linux_plan). */
struct linux_layout {
	uint64_t kernel_gpa;        /* load address of the protected-mode kernel */
	uint64_t entry_gpa;         /* 64-bit entry: kernel_gpa + 0x200 */
	uint64_t initrd_gpa;        /* 0 when there is no initrd */
	uint64_t initrd_size;
	uint64_t cmdline_gpa;
	uint64_t boot_params_gpa;
};

/* Checks a bzImage of len bytes: boot sector signature, "HdrS", protocol >= 2.12 with the
 * 64-bit entry (XLF_KERNEL_64), a relocatable kernel, sane setup_sects/alignment/init_size,
 * and a file at least as long as the header says.  Fills *img. */
int linux_parse_bzimage(const uint8_t *file, uint64_t len, struct linux_image *img,
                        const char **why);

/* Plans the layout for an LPAR with ram_size bytes of RAM: the kernel at pref_address (or the
 * next kernel_alignment boundary above the fixed regions), the initrd page-aligned at the top of
 * RAM below initrd_addr_max and above the kernel's init_size, the command line (cmdline_len
 * bytes without NUL; checked against the image's cmdline_size and LINUX_CMDLINE_MAX).  Fails
 * with "initrd too large for the LPAR's RAM", "command line too long", ... */
int linux_plan(const struct linux_image *img, uint64_t ram_size, uint64_t initrd_size,
               uint64_t cmdline_len, struct linux_layout *out, const char **why);

/* The E820 map of a Linux LPAR with ram_size bytes (the fixed layout above): RAM and reserved
 * entries in ascending order, no overlaps.  Returns the number of entries (<= max), 0 if max is
 * too small or ram_size below LINUX_HIGH_RAM_START. */
unsigned linux_e820(uint64_t ram_size, struct e820_entry *out, unsigned max);

/* Fills the 4096-byte zero page: zeroes it, copies the image's setup header (file bytes
 * 0x1f1..header_end), then sets type_of_loader (0xff), cmd_line_ptr, ramdisk_image/size (and
 * their ext_ high halves), acpi_rsdp_addr and the E820 table from linux_e820. */
int linux_fill_boot_params(uint8_t zero_page[4096], const uint8_t *file,
                           const struct linux_image *img, const struct linux_layout *lay,
                           uint64_t ram_size, uint64_t rsdp_gpa, const char **why);

/* Boot-params offsets a test (or a debugger) may want to read back. */
#define BP_ACPI_RSDP_ADDR   0x070
#define BP_EXT_RAMDISK_IMG  0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES     0x1e8
#define BP_SENTINEL         0x1ef
#define BP_HDR              0x1f1
#define BP_TYPE_OF_LOADER   0x210
#define BP_LOADFLAGS        0x211
#define BP_RAMDISK_IMAGE    0x218
#define BP_RAMDISK_SIZE     0x21c
#define BP_CMD_LINE_PTR     0x228
#define BP_E820_TABLE       0x2d0

#endif
