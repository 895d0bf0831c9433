/*
 * The Linux x86 boot protocol for an LPAR (contract: anchor/linux_boot.h): checking a bzImage's
 * setup header, planning the LPAR's layout, building its E820 map and filling boot_params for
 * the 64-bit entry point.  Pure logic over caller-owned buffers; the setup header fields are read
 * byte by byte (little-endian) from the file, so a truncated or hostile image is only ever read
 * inside its length.  Field offsets and rules: Linux Documentation/arch/x86/boot.rst.
 */
#include <anchor/linux_boot.h>
#include <string.h>

/* Setup header fields (file offsets, also their offsets in boot_params). */
#define HDR_SETUP_SECTS      0x1f1
#define HDR_SYSSIZE          0x1f4   /* protected-mode kernel size in 16-byte units */
#define HDR_BOOT_FLAG        0x1fe   /* 0xAA55 */
#define HDR_HEADER_LEN_BYTE  0x201   /* jump's second byte: header length past 0x202 */
#define HDR_MAGIC            0x202   /* "HdrS" */
#define HDR_VERSION          0x206
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE      0x234
#define HDR_XLOADFLAGS       0x236
#define HDR_CMDLINE_SIZE     0x238
#define HDR_INITRD_ADDR_MAX  0x22c
#define HDR_PREF_ADDRESS     0x258
#define HDR_INIT_SIZE        0x260
#define HDR_MIN_END          0x264   /* through init_size: what protocol 2.12 guarantees */

#define XLF_KERNEL_64               0x1
#define XLF_CAN_BE_LOADED_ABOVE_4G  0x2
#define ENTRY_64_OFFSET             0x200
#define PAGE                        0x1000ull

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -1;
}

int linux_parse_bzimage(const uint8_t *f, uint64_t len, struct linux_image *img, const char **why)
{
	if (len < HDR_MIN_END)
		return fail(why, "bzImage too short for a setup header");
	if (le(f + HDR_BOOT_FLAG, 2) != 0xAA55 || memcmp(f + HDR_MAGIC, "HdrS", 4) != 0)
		return fail(why, "not a bzImage (no boot signature or HdrS magic)");
	memset(img, 0, sizeof(*img));
	img->version = (uint16_t)le(f + HDR_VERSION, 2);
	if (img->version < 0x020c)
		return fail(why, "bzImage boot protocol older than 2.12 (no 64-bit entry)");
	img->header_end = 0x202u + f[HDR_HEADER_LEN_BYTE];
	if (img->header_end < HDR_MIN_END || img->header_end > 0x290)
		return fail(why, "bzImage setup header length out of range");
	unsigned sects = f[HDR_SETUP_SECTS] ? f[HDR_SETUP_SECTS] : 4;
	img->setup_size = (sects + 1) * 512u;
	if (len <= img->setup_size || img->setup_size < img->header_end)
		return fail(why, "bzImage shorter than its setup sectors");
	img->kernel_size = len - img->setup_size;
	uint64_t syssize = le(f + HDR_SYSSIZE, 4) * 16;
	if (!syssize || img->kernel_size < syssize)
		return fail(why, "bzImage truncated (shorter than its syssize)");
	img->xloadflags = (uint16_t)le(f + HDR_XLOADFLAGS, 2);
	if (!(img->xloadflags & XLF_KERNEL_64))
		return fail(why, "bzImage has no 64-bit entry point (XLF_KERNEL_64)");
	if (!f[HDR_RELOCATABLE])
		return fail(why, "bzImage is not relocatable");
	img->kernel_alignment = (uint32_t)le(f + HDR_KERNEL_ALIGNMENT, 4);
	if (img->kernel_alignment < PAGE || (img->kernel_alignment & (img->kernel_alignment - 1)) ||
	    img->kernel_alignment > (1u << 30))
		return fail(why, "bzImage kernel_alignment is not a power of two in [4 KiB, 1 GiB]");
	img->pref_address = le(f + HDR_PREF_ADDRESS, 8);
	img->init_size = (uint32_t)le(f + HDR_INIT_SIZE, 4);
	if (img->init_size < img->kernel_size)
		return fail(why, "bzImage init_size smaller than the kernel");
	img->initrd_addr_max = (uint32_t)le(f + HDR_INITRD_ADDR_MAX, 4);
	img->cmdline_size = (uint32_t)le(f + HDR_CMDLINE_SIZE, 4);
	return 0;
}

int linux_plan(const struct linux_image *img, uint64_t ram_size, uint64_t initrd_size,
               uint64_t cmdline_len, struct linux_layout *out, const char **why)
{
	if (ram_size < LINUX_MIN_RAM)
		return fail(why, "a Linux LPAR needs at least 64 MiB of RAM");
	if (ram_size > LINUX_MAX_RAM)
		return fail(why, "a Linux LPAR has at most 3 GiB of RAM (below the MMIO hole)");
	if (cmdline_len >= LINUX_CMDLINE_MAX || cmdline_len > img->cmdline_size)
		return fail(why, "command line too long for the kernel");
	memset(out, 0, sizeof(*out));
	uint64_t k = img->pref_address;
	if (k < LINUX_HIGH_RAM_START || (k & (img->kernel_alignment - 1)))
		k = align_up(LINUX_HIGH_RAM_START, img->kernel_alignment);
	uint64_t kernel_end = k + img->init_size;
	if (kernel_end > ram_size)
		return fail(why, "the kernel (init_size) does not fit in the LPAR's RAM");
	out->kernel_gpa = k;
	out->entry_gpa = k + ENTRY_64_OFFSET;
	out->cmdline_gpa = LINUX_CMDLINE_GPA;
	out->boot_params_gpa = LINUX_BOOT_PARAMS_GPA;
	if (initrd_size) {
		uint64_t top = ram_size;
		if (!(img->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G) &&
		    top > (uint64_t)img->initrd_addr_max + 1)
			top = (uint64_t)img->initrd_addr_max + 1;
		if (initrd_size > top || ((top - initrd_size) & ~(PAGE - 1)) < kernel_end)
			return fail(why, "initrd too large for the LPAR's RAM");
		out->initrd_gpa = (top - initrd_size) & ~(PAGE - 1);
		out->initrd_size = initrd_size;
	}
	return 0;
}

/* Appends [addr, addr+size) of type to the map, merging with an adjacent entry of its type. */
static unsigned e820_add(struct e820_entry *m, unsigned n, unsigned max, uint64_t addr,
                         uint64_t size, uint32_t type)
{
	if (n && m[n - 1].type == type && m[n - 1].addr + m[n - 1].size == addr) {
		m[n - 1].size += size;
		return n;
	}
	if (n >= max)
		return max + 1;   /* overflow marker */
	m[n].addr = addr;
	m[n].size = size;
	m[n].type = type;
	return n + 1;
}

unsigned linux_e820(uint64_t ram_size, struct e820_entry *out, unsigned max)
{
	if (ram_size < LINUX_HIGH_RAM_START + PAGE)
		return 0;
	unsigned n = 0;
	n = e820_add(out, n, max, 0, LINUX_LOW_RAM_END, E820_RAM);
	n = e820_add(out, n, max, LINUX_LOW_RAM_END, LINUX_HOLE_END - LINUX_LOW_RAM_END, E820_RESERVED);
	n = e820_add(out, n, max, LINUX_CRB_BUF_GPA, LINUX_CRB_BUF_SIZE, E820_RESERVED);
	n = e820_add(out, n, max, LINUX_HIGH_RAM_START, ram_size - LINUX_HIGH_RAM_START, E820_RAM);
	return n > max ? 0 : n;
}

int linux_fill_boot_params(uint8_t zp[4096], const uint8_t *file, const struct linux_image *img,
                           const struct linux_layout *lay, uint64_t ram_size, uint64_t rsdp_gpa,
                           const char **why)
{
	struct e820_entry map[E820_MAX_ENTRIES];
	unsigned n = linux_e820(ram_size, map, E820_MAX_ENTRIES);
	if (!n)
		return fail(why, "no E820 map for this RAM size");
	memset(zp, 0, 4096);
	memcpy(zp + BP_HDR, file + BP_HDR, img->header_end - BP_HDR);
	zp[BP_TYPE_OF_LOADER] = 0xff;   /* "undefined" boot loader */
	put_le(zp + BP_CMD_LINE_PTR, (uint32_t)lay->cmdline_gpa, 4);
	put_le(zp + BP_EXT_CMD_LINE_PTR, lay->cmdline_gpa >> 32, 4);
	put_le(zp + BP_RAMDISK_IMAGE, (uint32_t)lay->initrd_gpa, 4);
	put_le(zp + BP_EXT_RAMDISK_IMG, lay->initrd_gpa >> 32, 4);
	put_le(zp + BP_RAMDISK_SIZE, (uint32_t)lay->initrd_size, 4);
	put_le(zp + BP_EXT_RAMDISK_SIZE, lay->initrd_size >> 32, 4);
	put_le(zp + BP_ACPI_RSDP_ADDR, rsdp_gpa, 8);
	zp[BP_E820_ENTRIES] = (uint8_t)n;
	memcpy(zp + BP_E820_TABLE, map, n * sizeof(map[0]));
	return 0;
}
