/*
 * Loading a Linux LPAR (contract: anchor/linux_lpar.h): the pure boot-protocol, ACPI, event-log
 * and page-table builders put together in the LPAR's fixed layout (anchor/linux_boot.h).
 * The boot page tables identity-map 0-4 GiB with 2 MiB pages (a guest CPU may lack 1 GiB
 * pages), the top GiB uncached (the TPM window and the local APIC live there).
 */
#include <anchor/linux_lpar.h>
#include <anchor/paging.h>
#include <anchor/tcg_log.h>
#include <string.h>

#define MIB2 0x200000ull

bool linux_is_bzimage(const uint8_t *img, uint64_t size)
{
	return size > 0x206 && img[0x1fe] == 0x55 && img[0x1ff] == 0xAA && !memcmp(img + 0x202, "HdrS", 4);
}

static int boot_page_tables(uint8_t *ram, uint64_t *cr3)
{
	struct pt_pool pool = { ram + LINUX_BOOT_PT_GPA, LINUX_BOOT_PT_GPA, LINUX_BOOT_PT_SIZE / 0x1000 - 1, 0 };
	uint64_t root = pt_alloc_page(&pool);
	if (!root)
		return -1;
	for (uint64_t a = 0; a < (4ull << 30); a += MIB2) {
		unsigned uc = a >= (3ull << 30) ? PT_UC : 0;
		if (pt_map(&pool, PT_X86, root, a, a, MIB2, PT_R | PT_W | PT_X | uc))
			return -1;
	}
	*cr3 = root;
	return 0;
}

int linux_lpar_load(const struct linux_lpar_in *in, struct linux_lpar_start *out, const char **why)
{
	struct linux_image img;
	uint64_t cmdlen = strlen(in->cmdline);
	if (linux_parse_bzimage(in->kernel, in->kernel_size, &img, why) ||
	    linux_plan(&img, in->ram_size, in->initrd ? in->initrd_size : 0, cmdlen, &out->layout, why))
		return -1;
	const struct linux_layout *lay = &out->layout;
	uint8_t *ram = in->ram;
	memset(ram, 0, lay->kernel_gpa);
	memcpy(ram + lay->kernel_gpa, in->kernel + img.setup_size, img.kernel_size);
	if (in->initrd)
		memcpy(ram + lay->initrd_gpa, in->initrd, in->initrd_size);
	memcpy(ram + lay->cmdline_gpa, in->cmdline, cmdlen + 1);

	struct acpi_lpar acpi = { in->apic_id, in->tpm, LINUX_EVENTLOG_GPA, LINUX_EVENTLOG_SIZE,
	                          acpi_dsdt_aml, acpi_dsdt_aml_len };
	if (acpi_build_tables(ram + LINUX_ACPI_GPA, LINUX_ACPI_SIZE, LINUX_ACPI_GPA, &acpi, NULL, why))
		return -1;
	struct tcg_log log;
	const uint16_t banks[] = { TCG_ALG_SHA256 };
	if (tcg_log_init(&log, ram + LINUX_EVENTLOG_GPA, LINUX_EVENTLOG_SIZE, banks, 1, why))
		return -1;
	if (linux_fill_boot_params(ram + lay->boot_params_gpa, in->kernel, &img, lay, in->ram_size,
	                           LINUX_ACPI_GPA, why))
		return -1;
	if (boot_page_tables(ram, &out->cr3)) {
		*why = "boot page tables do not fit their pages";
		return -1;
	}
	out->rip = lay->entry_gpa;
	out->rsi = lay->boot_params_gpa;
	out->rsp = lay->boot_params_gpa;   /* unused by the entry code; below the zero page */
	return 0;
}
