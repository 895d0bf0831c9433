/*
 * Host unit test of the Linux boot protocol (hv/linux_boot.c) and the LPAR's ACPI tables
 * (hv/acpi_tables.c, with the DSDT iasl compiled from hv/acpi/dsdt.asl).
 *
 *   test_linux_boot [BZIMAGE [DUMP_DIR]]
 *
 * Synthetic setup headers cover every refusal (corrupt, truncated, old, 32-bit only,
 * non-relocatable) and the layout rules (initrd too large, command line too long, RAM limits).
 * With BZIMAGE (the Debian kernel from guests/linux) the real header is parsed and a whole
 * zero page is built from it.  With DUMP_DIR the ACPI tables of a CRB and a TIS LPAR are written
 * there as binary files for tests/linux/acpi-iasl.sh to disassemble with iasl.
 */
#include <anchor/acpi_tables.h>
#include <anchor/linux_boot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* A minimal valid bzImage: 2 setup sectors + 3 setup_sects => setup 0x800 bytes, 64 KiB kernel. */
#define FAKE_LEN (0x800 + 0x10000)
static uint8_t fake[FAKE_LEN];

static void make_fake(void)
{
	memset(fake, 0, sizeof(fake));
	fake[0x1f1] = 3;
	put(fake + 0x1f4, 0x10000 / 16, 4); /* syssize */
	put(fake + 0x1fe, 0xAA55, 2);
	fake[0x200] = 0xeb;
	fake[0x201] = 0x6a;                 /* header ends at 0x26c, as in 6.1 */
	memcpy(fake + 0x202, "HdrS", 4);
	put(fake + 0x206, 0x020f, 2);
	put(fake + 0x22c, 0x7fffffff, 4);   /* initrd_addr_max */
	put(fake + 0x230, 0x200000, 4);     /* kernel_alignment */
	fake[0x234] = 1;                    /* relocatable */
	put(fake + 0x236, 0x3, 2);          /* XLF_KERNEL_64 | CAN_BE_LOADED_ABOVE_4G */
	put(fake + 0x238, 2047, 4);         /* cmdline_size */
	put(fake + 0x258, 0x1000000, 8);    /* pref_address */
	put(fake + 0x260, 0x2000000, 4);    /* init_size: 32 MiB */
	fake[0x1ef] = 0xff;                 /* sentinel as in a real file: must not reach the zero page */
}

static void refusals(void)
{
	struct linux_image img;
	const char *why = NULL;

	make_fake();
	check(linux_parse_bzimage(fake, FAKE_LEN, &img, &why) == 0, "bzimage: synthetic header accepted",
	      "%s", why);
	CHECK("bzimage: setup size from setup_sects", img.setup_size == 0x800 && img.kernel_size == 0x10000);
	CHECK("bzimage: fields", img.version == 0x020f && img.pref_address == 0x1000000 &&
	      img.init_size == 0x2000000 && img.cmdline_size == 2047 && img.header_end == 0x26c);

	struct { const char *name; unsigned off, n; uint64_t val; const char *want; } bad[] = {
		{ "no boot flag", 0x1fe, 2, 0, "not a bzImage" },
		{ "no HdrS", 0x202, 4, 0x53726448 ^ 1, "not a bzImage" },
		{ "protocol 2.11", 0x206, 2, 0x020b, "older than 2.12" },
		{ "no 64-bit entry", 0x236, 2, 0x2, "no 64-bit entry" },
		{ "not relocatable", 0x234, 1, 0, "not relocatable" },
		{ "alignment 3 MiB", 0x230, 4, 0x300000, "kernel_alignment" },
		{ "alignment 0", 0x230, 4, 0, "kernel_alignment" },
		{ "init_size < kernel", 0x260, 4, 0x100, "init_size" },
		{ "setup_sects 255", 0x1f1, 1, 255, "shorter than its setup" },
		{ "header length 0", 0x201, 1, 0, "header length" },
		{ "syssize beyond the file", 0x1f4, 4, 0x10000 / 16 + 1, "truncated" },
		{ "syssize 0", 0x1f4, 4, 0, "truncated" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_fake();
		put(fake + bad[i].off, bad[i].val, bad[i].n);
		why = "";
		char name[96];
		snprintf(name, sizeof(name), "bzimage: refused: %s", bad[i].name);
		check(linux_parse_bzimage(fake, FAKE_LEN, &img, &why) == -1 && strstr(why, bad[i].want),
		      name, "(why: %s)", why);
	}
	make_fake();
	for (uint64_t len = 0; len < FAKE_LEN; len += 0x37) {
		if (linux_parse_bzimage(fake, len, &img, &why) == 0) {
			check(0, "bzimage: truncated file refused", "(len %lu accepted)", (unsigned long)len);
			return;
		}
	}
	CHECK("bzimage: truncated file refused", 1);
}

static void layout(void)
{
	struct linux_image img;
	struct linux_layout lay;
	const char *why = "";
	make_fake();
	linux_parse_bzimage(fake, FAKE_LEN, &img, &why);

	uint64_t ram = 128ull << 20;
	check(linux_plan(&img, ram, 10u << 20, 100, &lay, &why) == 0, "plan: 128 MiB, 10 MiB initrd", "%s", why);
	CHECK("plan: kernel at pref_address, entry +0x200", lay.kernel_gpa == 0x1000000 && lay.entry_gpa == 0x1000200);
	CHECK("plan: initrd page-aligned at the top of RAM", lay.initrd_gpa == ram - (10u << 20) &&
	      lay.initrd_size == 10u << 20);
	CHECK("plan: initrd above the kernel's init_size", lay.initrd_gpa >= lay.kernel_gpa + img.init_size);
	linux_plan(&img, ram, 12345, 0, &lay, &why);
	CHECK("plan: odd initrd size rounds the start down", lay.initrd_gpa == ((ram - 12345) & ~0xfffull));
	linux_plan(&img, ram, 0, 0, &lay, &why);
	CHECK("plan: no initrd", lay.initrd_gpa == 0 && lay.initrd_size == 0);

	why = "";
	check(linux_plan(&img, ram, 100u << 20, 0, &lay, &why) == -1 && strstr(why, "initrd too large"),
	      "plan: initrd too large for RAM", "(%s)", why);
	why = "";
	check(linux_plan(&img, ram, ram + 1, 0, &lay, &why) == -1 && strstr(why, "initrd too large"),
	      "plan: initrd larger than RAM", "(%s)", why);
	why = "";
	check(linux_plan(&img, ram, 0, 2047, &lay, &why) == 0, "plan: 2047-byte command line fits", "(%s)", why);
	why = "";
	check(linux_plan(&img, ram, 0, 2048, &lay, &why) == -1 && strstr(why, "command line too long"),
	      "plan: 2048-byte command line too long", "(%s)", why);
	put(fake + 0x238, 255, 4);
	linux_parse_bzimage(fake, FAKE_LEN, &img, &why);
	why = "";
	check(linux_plan(&img, ram, 0, 256, &lay, &why) == -1 && strstr(why, "command line too long"),
	      "plan: command line longer than the kernel's cmdline_size", "(%s)", why);
	why = "";
	check(linux_plan(&img, 32u << 20, 0, 0, &lay, &why) == -1 && strstr(why, "64 MiB"),
	      "plan: 32 MiB RAM refused", "(%s)", why);
	why = "";
	check(linux_plan(&img, 4ull << 30, 0, 0, &lay, &why) == -1 && strstr(why, "3 GiB"),
	      "plan: 4 GiB RAM refused", "(%s)", why);
	make_fake();
	put(fake + 0x258, 0x123000, 8);     /* pref_address not aligned: next 2 MiB boundary */
	put(fake + 0x236, 0x1, 2);          /* initrd must stay below initrd_addr_max */
	put(fake + 0x22c, 0x37ffffff, 4);
	linux_parse_bzimage(fake, FAKE_LEN, &img, &why);
	linux_plan(&img, 1ull << 30, 1u << 20, 0, &lay, &why);
	CHECK("plan: unaligned pref_address -> 2 MiB boundary", lay.kernel_gpa == 0x200000);
	CHECK("plan: initrd below initrd_addr_max", lay.initrd_gpa + lay.initrd_size <= 0x38000000ull &&
	      lay.initrd_gpa == 0x38000000ull - (1u << 20));
}

static void e820(void)
{
	struct e820_entry m[8];
	uint64_t ram = 256ull << 20;
	unsigned n = linux_e820(ram, m, 8);
	CHECK("e820: 3 entries (hole and CRB buffer merged)", n == 3);
	CHECK("e820: low RAM [0, 640K)", m[0].addr == 0 && m[0].size == 0xA0000 && m[0].type == E820_RAM);
	CHECK("e820: legacy hole + CRB buffer reserved, merged", m[1].addr == 0xA0000 &&
	      m[1].addr + m[1].size == LINUX_HIGH_RAM_START && m[1].type == E820_RESERVED);
	CHECK("e820: ACPI, event log, boot page tables inside the reserved range",
	      LINUX_ACPI_GPA >= m[1].addr && LINUX_EVENTLOG_GPA >= m[1].addr && LINUX_BOOT_PT_GPA >= m[1].addr &&
	      LINUX_ACPI_GPA + LINUX_ACPI_SIZE <= LINUX_HOLE_END &&
	      LINUX_EVENTLOG_GPA + LINUX_EVENTLOG_SIZE <= LINUX_ACPI_GPA &&
	      LINUX_BOOT_PT_GPA + LINUX_BOOT_PT_SIZE <= LINUX_EVENTLOG_GPA);
	CHECK("e820: CRB buffer reserved and above 1 MiB", LINUX_CRB_BUF_GPA >= 0x100000 &&
	      LINUX_CRB_BUF_GPA + LINUX_CRB_BUF_SIZE <= m[1].addr + m[1].size);
	CHECK("e820: high RAM to the end", m[2].addr == LINUX_HIGH_RAM_START && m[2].addr + m[2].size == ram &&
	      m[2].type == E820_RAM);
	CHECK("e820: boot params and command line in low RAM",
	      LINUX_BOOT_PARAMS_GPA + 4096 <= LINUX_CMDLINE_GPA &&
	      LINUX_CMDLINE_GPA + LINUX_CMDLINE_MAX <= m[0].size);
	CHECK("e820: map too small -> 0", linux_e820(ram, m, 2) == 0);
	CHECK("e820: RAM below the fixed regions -> 0", linux_e820(0x100000, m, 8) == 0);
}

static void zero_page(const uint8_t *file, uint64_t len, const char *what)
{
	struct linux_image img;
	struct linux_layout lay;
	const char *why = "";
	char name[128];
	static uint8_t zp[4096];
	snprintf(name, sizeof(name), "zero page (%s): parsed", what);
	if (!check(linux_parse_bzimage(file, len, &img, &why) == 0, name, "(%s)", why))
		return;
	uint64_t ram = 256ull << 20;
	linux_plan(&img, ram, 9u << 20, 40, &lay, &why);
	memset(zp, 0xcc, sizeof(zp));
	snprintf(name, sizeof(name), "zero page (%s): filled", what);
	check(linux_fill_boot_params(zp, file, &img, &lay, ram, LINUX_ACPI_GPA, &why) == 0, name, "(%s)", why);
	snprintf(name, sizeof(name), "zero page (%s): setup header copied, sentinel 0", what);
	check(memcmp(zp + 0x202, "HdrS", 4) == 0 && zp[BP_SENTINEL] == 0 &&
	      le(zp + 0x206, 2) == img.version && zp[0x1f1] == file[0x1f1], name, "");
	snprintf(name, sizeof(name), "zero page (%s): loader fields", what);
	check(zp[BP_TYPE_OF_LOADER] == 0xff && le(zp + BP_CMD_LINE_PTR, 4) == LINUX_CMDLINE_GPA &&
	      le(zp + BP_EXT_CMD_LINE_PTR, 4) == 0 && le(zp + BP_RAMDISK_IMAGE, 4) == lay.initrd_gpa &&
	      le(zp + BP_RAMDISK_SIZE, 4) == 9u << 20 && le(zp + BP_ACPI_RSDP_ADDR, 8) == LINUX_ACPI_GPA,
	      name, "");
	snprintf(name, sizeof(name), "zero page (%s): e820 table", what);
	check(zp[BP_E820_ENTRIES] == 3 && le(zp + BP_E820_TABLE + 20 * 2, 8) == LINUX_HIGH_RAM_START &&
	      le(zp + BP_E820_TABLE + 20 * 2 + 16, 4) == E820_RAM, name, "(%u entries)", zp[BP_E820_ENTRIES]);
	snprintf(name, sizeof(name), "zero page (%s): nothing else set", what);
	int stray = 0;
	for (unsigned i = 0; i < 4096; i++) {
		int ours = (i >= BP_HDR && i < img.header_end) || (i >= BP_E820_TABLE && i < BP_E820_TABLE + 60) ||
		           (i >= BP_ACPI_RSDP_ADDR && i < BP_ACPI_RSDP_ADDR + 8) || i == BP_E820_ENTRIES ||
		           (i >= BP_EXT_RAMDISK_IMG && i < BP_EXT_CMD_LINE_PTR + 4);
		if (!ours && zp[i])
			stray++;
	}
	check(stray == 0, name, "(%d stray bytes)", stray);
}

static void real_kernel(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		printf("skip - bzimage: real kernel (%s not built: make linux-image)\n", path);
		return;
	}
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc((size_t)len);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		check(0, "bzimage: real kernel read", "(%s)", path);
		fclose(f);
		free(buf);
		return;
	}
	fclose(f);
	struct linux_image img;
	const char *why = "";
	if (check(linux_parse_bzimage(buf, (uint64_t)len, &img, &why) == 0, "bzimage: Debian kernel accepted",
	          "(%s)", why)) {
		check(img.version >= 0x020f && img.pref_address == 0x1000000 && img.kernel_alignment == 0x200000 &&
		      img.cmdline_size == 2047 && img.init_size > img.kernel_size,
		      "bzimage: Debian kernel header as expected",
		      "(version %x pref %lx align %x cmdline %u init_size %x)", img.version,
		      (unsigned long)img.pref_address, img.kernel_alignment, img.cmdline_size, img.init_size);
		zero_page(buf, (uint64_t)len, "Debian kernel");
	}
	free(buf);
}

/* --- ACPI --------------------------------------------------------------------------------- */

static const uint8_t *find_table(const uint8_t *buf, const struct acpi_layout *o, const char *sig)
{
	const uint8_t *x = buf + o->xsdt;
	uint32_t n = ((uint32_t)le(x + 4, 4) - 36) / 8;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t gpa = le(x + 36 + 8 * i, 8);
		const uint8_t *t = buf + (gpa - LINUX_ACPI_GPA);
		if (!memcmp(t, sig, 4))
			return t;
	}
	return NULL;
}

/* Memory32Fixed descriptors (0x86, length 9) in the DSDT with this base and size. */
static int dsdt_has_mem32(uint32_t base, uint32_t size)
{
	for (uint32_t i = 0; i + 12 <= acpi_dsdt_aml_len; i++) {
		const uint8_t *d = acpi_dsdt_aml + i;
		if (d[0] == 0x86 && d[1] == 9 && d[2] == 0 && le(d + 4, 4) == base && le(d + 8, 4) == size)
			return 1;
	}
	return 0;
}

static void dump(const char *dir, const char *name, const uint8_t *t)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f) {
		fwrite(t, 1, memcmp(t, "RSD PTR ", 8) ? le(t + 4, 4) : 36, f);
		fclose(f);
	}
}

static void acpi(enum acpi_tpm_if tpm, uint32_t apic_id, const char *tag, const char *dump_dir)
{
	static uint8_t buf[LINUX_ACPI_SIZE];
	struct acpi_layout o;
	const char *why = "";
	char name[128];
	struct acpi_lpar l = { apic_id, tpm, LINUX_EVENTLOG_GPA, LINUX_EVENTLOG_SIZE, acpi_dsdt_aml,
	                       acpi_dsdt_aml_len };
	snprintf(name, sizeof(name), "acpi %s: built", tag);
	if (!check(acpi_build_tables(buf, sizeof(buf), LINUX_ACPI_GPA, &l, &o, &why) == 0, name, "(%s)", why))
		return;
	snprintf(name, sizeof(name), "acpi %s: RSDP checksums, revision 2, XSDT pointer", tag);
	check(!memcmp(buf, "RSD PTR ", 8) && acpi_sum(buf, 20) == 0 && acpi_sum(buf, 36) == 0 && buf[15] == 2 &&
	      le(buf + 24, 8) == LINUX_ACPI_GPA + o.xsdt, name, "");
	const char *sigs[] = { "XSDT", "FACP", "DSDT", "APIC", "TPM2" };
	uint32_t offs[] = { o.xsdt, o.fadt, o.dsdt, o.madt, o.tpm2 };
	for (int i = 0; i < 5; i++) {
		const uint8_t *t = buf + offs[i];
		snprintf(name, sizeof(name), "acpi %s: %s signature, length and checksum", tag, sigs[i]);
		check(!memcmp(t, sigs[i], 4) && acpi_sum(t, le(t + 4, 4)) == 0 && offs[i] % 16 == 0, name, "");
	}
	const uint8_t *fadt = find_table(buf, &o, "FACP"), *madt = find_table(buf, &o, "APIC");
	const uint8_t *tpm2 = find_table(buf, &o, "TPM2");
	snprintf(name, sizeof(name), "acpi %s: XSDT lists FADT, MADT, TPM2", tag);
	check(fadt && madt && tpm2 && le(buf + o.xsdt + 4, 4) == 36 + 24, name, "");
	if (!fadt || !madt || !tpm2)
		return;
	snprintf(name, sizeof(name), "acpi %s: FADT hardware-reduced, reset 0xCF9=6, sleep regs, DSDT", tag);
	check(le(fadt + 112, 4) & (1u << 20) && le(fadt + 112, 4) & (1u << 10) && fadt[116] == 1 &&
	      le(fadt + 120, 8) == 0xcf9 && fadt[128] == 6 && le(fadt + 248, 8) == ACPI_SLEEP_CTL_PORT &&
	      le(fadt + 260, 8) == ACPI_SLEEP_STS_PORT && le(fadt + 140, 8) == LINUX_ACPI_GPA + o.dsdt &&
	      le(fadt + 40, 4) == LINUX_ACPI_GPA + o.dsdt && fadt[8] == 6 && le(fadt + 4, 4) == 276 &&
	      !(le(fadt + 109, 2) & 2), name, "");
	snprintf(name, sizeof(name), "acpi %s: MADT: LAPIC base, no 8259, one CPU (APIC id %u)", tag, apic_id);
	int one_cpu = apic_id < 0xff ? (madt[44] == 0 && madt[45] == 8 && madt[47] == apic_id && le(madt + 48, 4) == 1 &&
	                                le(madt + 4, 4) == 52)
	                             : (madt[44] == 9 && madt[45] == 16 && le(madt + 48, 4) == apic_id &&
	                                le(madt + 52, 4) == 1 && le(madt + 4, 4) == 60);
	check(le(madt + 36, 4) == 0xFEE00000u && le(madt + 40, 4) == 0 && one_cpu, name, "");
	snprintf(name, sizeof(name), "acpi %s: TPM2 rev 4, 76 bytes, start method, LAML/LASA", tag);
	int start_ok = tpm == ACPI_TPM_CRB ? (le(tpm2 + 48, 4) == 7 && le(tpm2 + 40, 8) == 0xFED40040ull)
	                                   : (le(tpm2 + 48, 4) == 6 && le(tpm2 + 40, 8) == 0);
	check(tpm2[8] == 4 && le(tpm2 + 4, 4) == 76 && start_ok && le(tpm2 + 64, 4) == LINUX_EVENTLOG_SIZE &&
	      le(tpm2 + 68, 8) == LINUX_EVENTLOG_GPA, name, "");
	if (dump_dir) {
		char sub[400];
		snprintf(sub, sizeof(sub), "%s/%s", dump_dir, tag);
		char cmd[512];
		snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", sub);
		if (system(cmd) == 0) {
			dump(sub, "rsdp.dat", buf);
			dump(sub, "xsdt.dat", buf + o.xsdt);
			dump(sub, "facp.dat", fadt);
			dump(sub, "dsdt.dat", buf + o.dsdt);
			dump(sub, "apic.dat", madt);
			dump(sub, "tpm2.dat", tpm2);
		}
	}
}

static void acpi_refusals(void)
{
	static uint8_t buf[LINUX_ACPI_SIZE], dsdt[512];
	const char *why = "";
	struct acpi_lpar l = { 1, ACPI_TPM_CRB, LINUX_EVENTLOG_GPA, LINUX_EVENTLOG_SIZE, acpi_dsdt_aml,
	                       acpi_dsdt_aml_len };
	check(acpi_build_tables(buf, 512, LINUX_ACPI_GPA, &l, NULL, &why) == -1 && strstr(why, "do not fit"),
	      "acpi: refused: region too small", "(%s)", why);
	memcpy(dsdt, acpi_dsdt_aml, acpi_dsdt_aml_len);
	dsdt[40] ^= 1;
	l.dsdt = dsdt;
	why = "";
	check(acpi_build_tables(buf, sizeof(buf), LINUX_ACPI_GPA, &l, NULL, &why) == -1 && strstr(why, "DSDT"),
	      "acpi: refused: DSDT with a bad checksum", "(%s)", why);
	l.dsdt = acpi_dsdt_aml;
	l.dsdt_len = acpi_dsdt_aml_len - 1;
	why = "";
	check(acpi_build_tables(buf, sizeof(buf), LINUX_ACPI_GPA, &l, NULL, &why) == -1 && strstr(why, "DSDT"),
	      "acpi: refused: DSDT length mismatch", "(%s)", why);
	CHECK("acpi: DSDT _CRS covers the TPM window (0x5000) and the CRB buffer",
	      dsdt_has_mem32(0xFED40000u, 0x5000) && dsdt_has_mem32((uint32_t)LINUX_CRB_BUF_GPA, LINUX_CRB_BUF_SIZE));
}

int main(int argc, char **argv)
{
	refusals();
	layout();
	e820();
	make_fake();
	zero_page(fake, FAKE_LEN, "synthetic");
	real_kernel(argc > 1 ? argv[1] : "build/linux/bzImage");
	const char *dump_dir = argc > 2 ? argv[2] : NULL;
	acpi(ACPI_TPM_CRB, 1, "crb", dump_dir);
	acpi(ACPI_TPM_TIS, 2, "tis", dump_dir);
	acpi(ACPI_TPM_CRB, 300, "x2apic", NULL);
	acpi_refusals();
	return check_exit();
}
