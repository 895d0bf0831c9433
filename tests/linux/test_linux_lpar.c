/*
 * Host unit test of loading a Linux LPAR (hv/linux_lpar.c) into a 256 MiB buffer standing for
 * the LPAR's RAM, with the real guest image (build/linux/bzImage and initrd.img, from
 * guests/linux) when it is built, else a synthetic bzImage.
 *
 *   test_linux_lpar [BZIMAGE INITRD]
 *
 * Checks the kernel, initrd and command line bytes where boot_params says they are, the RSDP
 * and the event log header at their fixed addresses, the boot page tables (walked with
 * pt_translate: identity, 2 MiB pages, the top GiB uncached), the entry state, and the
 * refusals that become config-time errors (corrupt bzImage, initrd too large, command line too
 * long).
 */
#include <anchor/linux_lpar.h>
#include <anchor/paging.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

#define RAM (256ull << 20)

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	while (n--)
		v = v << 8 | p[n];
	return v;
}

static uint8_t *slurp(const char *path, uint64_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = (uint64_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(*len);
	if (b && fread(b, 1, *len, f) != *len) {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

/* A small valid bzImage (as in test_linux_boot). */
static uint8_t *fake_bzimage(uint64_t *len)
{
	*len = 0x800 + 0x10000;
	uint8_t *f = calloc(1, *len);
	f[0x1f1] = 3;
	f[0x1f4] = 0x00; f[0x1f5] = 0x10;         /* syssize 0x1000 paragraphs */
	f[0x1fe] = 0x55; f[0x1ff] = 0xAA;
	f[0x201] = 0x6a;
	memcpy(f + 0x202, "HdrS", 4);
	f[0x206] = 0x0f; f[0x207] = 0x02;
	f[0x22c] = 0xff; f[0x22d] = 0xff; f[0x22e] = 0xff; f[0x22f] = 0x7f;
	f[0x232] = 0x20;                           /* kernel_alignment 2 MiB */
	f[0x234] = 1;
	f[0x236] = 3;
	f[0x238] = 0xff; f[0x239] = 0x07;          /* cmdline_size 2047 */
	f[0x25a] = 0x00; f[0x25b] = 0x01;          /* pref_address 16 MiB */
	f[0x263] = 0x02;                           /* init_size 32 MiB */
	for (uint64_t i = 0x800; i < *len; i++)
		f[i] = (uint8_t)(i * 31);
	return f;
}

int main(int argc, char **argv)
{
	const char *kpath = argc > 2 ? argv[1] : "build/linux/bzImage";
	const char *ipath = argc > 2 ? argv[2] : "build/linux/initrd.img";
	uint64_t klen = 0, ilen = 0;
	uint8_t *kernel = slurp(kpath, &klen), *initrd = slurp(ipath, &ilen);
	const char *what = "Debian kernel + initrd";
	if (!kernel || !initrd) {
		printf("# %s or %s not built (make linux-image): synthetic bzImage and initrd\n", kpath, ipath);
		free(kernel);
		free(initrd);
		kernel = fake_bzimage(&klen);
		ilen = 3 << 20;
		initrd = malloc(ilen);
		for (uint64_t i = 0; i < ilen; i++)
			initrd[i] = (uint8_t)(i * 7 + 1);
		what = "synthetic";
	}
	printf("# %s: kernel %llu bytes, initrd %llu bytes\n", what, (unsigned long long)klen,
	       (unsigned long long)ilen);
	uint8_t *ram = malloc(RAM);
	memset(ram, 0xcc, RAM);
	const char *cmd = "console=ttyS0 earlyprintk=serial anchor.mode=test";
	struct linux_lpar_in in = { ram, RAM, kernel, klen, initrd, ilen, cmd, ACPI_TPM_CRB, 1 };
	struct linux_lpar_start st;
	const char *why = "";

	CHECK("is_bzimage: the kernel", linux_is_bzimage(kernel, klen));
	CHECK("is_bzimage: an ELF is not", !linux_is_bzimage((const uint8_t *)"\x7f" "ELF\x02\x01\x01", 7));
	if (!check(linux_lpar_load(&in, &st, &why) == 0, "load", "(%s)", why))
		return check_exit();
	const uint8_t *zp = ram + LINUX_BOOT_PARAMS_GPA;
	uint32_t setup = (kernel[0x1f1] + 1) * 512u;
	CHECK("entry: rip = kernel + 0x200, rsi = boot_params", st.rip == st.layout.kernel_gpa + 0x200 &&
	      st.rsi == LINUX_BOOT_PARAMS_GPA && st.layout.kernel_gpa == 0x1000000);
	CHECK("kernel bytes at its load address", !memcmp(ram + st.layout.kernel_gpa, kernel + setup, klen - setup));
	uint64_t rd = le(zp + 0x218, 4) | le(zp + 0x0c0, 4) << 32, rdlen = le(zp + 0x21c, 4);
	CHECK("initrd where boot_params says, at the top of RAM", rd == st.layout.initrd_gpa && rdlen == ilen &&
	      rd + ilen <= RAM && RAM - (rd + ilen) < 4096 && !memcmp(ram + rd, initrd, ilen));
	CHECK("command line where boot_params says", le(zp + 0x228, 4) == LINUX_CMDLINE_GPA &&
	      !strcmp((const char *)ram + LINUX_CMDLINE_GPA, cmd));
	CHECK("RSDP at 0xE0000, named in boot_params", !memcmp(ram + LINUX_ACPI_GPA, "RSD PTR ", 8) &&
	      le(zp + 0x070, 8) == LINUX_ACPI_GPA);
	CHECK("event log: Spec ID header at LASA", !memcmp(ram + LINUX_EVENTLOG_GPA + 32, "Spec ID Event03", 16));
	CHECK("low RAM cleared (the 0xcc pattern is gone below the kernel)", ram[0x5000] == 0 &&
	      ram[0x9000] == 0 && ram[0x200000] == 0 && ram[st.layout.kernel_gpa - 1] == 0);
	CHECK("e820 in boot_params", zp[0x1e8] == 3);

	struct pt_pool pool = { ram + LINUX_BOOT_PT_GPA, LINUX_BOOT_PT_GPA, LINUX_BOOT_PT_SIZE / 4096, 6 };
	uint64_t pa;
	unsigned fl;
	CHECK("page tables: CR3 at the boot page-table area", st.cr3 == LINUX_BOOT_PT_GPA);
	int ident = 1;
	for (uint64_t va = 0; va < (4ull << 30); va += 0x1234567) {
		if (pt_translate(&pool, PT_X86, st.cr3, va, &pa, &fl) || pa != va || !(fl & PT_W))
			ident = 0;
	}
	CHECK("page tables: 0-4 GiB identity, writable", ident);
	CHECK("page tables: the TPM window and the local APIC uncached",
	      !pt_translate(&pool, PT_X86, st.cr3, 0xFED40000, &pa, &fl) && (fl & PT_UC) &&
	      !pt_translate(&pool, PT_X86, st.cr3, 0xFEE00000, &pa, &fl) && (fl & PT_UC));
	CHECK("page tables: RAM cached", !pt_translate(&pool, PT_X86, st.cr3, 0x1000000, &pa, &fl) && !(fl & PT_UC));
	CHECK("page tables: nothing above 4 GiB", pt_translate(&pool, PT_X86, st.cr3, 4ull << 30, &pa, &fl) == -1);
	/* 2 MiB leaves: the PDPT entry for 0-1 GiB must point to a directory (no PS bit). */
	const uint8_t *pml4 = ram + st.cr3;
	uint64_t pdpt = le(pml4, 8) & 0xFFFFFFFFF000ull;
	CHECK("page tables: no 1 GiB pages (PDPT entries are directories)",
	      pdpt >= LINUX_BOOT_PT_GPA && pdpt < LINUX_BOOT_PT_GPA + LINUX_BOOT_PT_SIZE &&
	      !(le(ram + pdpt, 8) & 0x80) && !(le(ram + pdpt + 24, 8) & 0x80));

	/* Refusals. */
	struct linux_lpar_in bad = in;
	bad.initrd_size = RAM;
	why = "";
	check(linux_lpar_load(&bad, &st, &why) == -1 && strstr(why, "initrd too large"),
	      "refused: initrd too large for the LPAR's RAM", "(%s)", why);
	static char longcmd[2100];
	memset(longcmd, 'a', sizeof(longcmd) - 1);
	bad = in;
	bad.cmdline = longcmd;
	why = "";
	check(linux_lpar_load(&bad, &st, &why) == -1 && strstr(why, "command line too long"),
	      "refused: command line too long", "(%s)", why);
	bad = in;
	bad.kernel_size = 0x900;
	why = "";
	check(linux_lpar_load(&bad, &st, &why) == -1 && strstr(why, "bzImage"),
	      "refused: truncated bzImage", "(%s)", why);
	bad = in;
	bad.ram_size = 48ull << 20;
	why = "";
	check(linux_lpar_load(&bad, &st, &why) == -1, "refused: 48 MiB of RAM", "(%s)", why);
	free(ram);
	free(kernel);
	free(initrd);
	return check_exit();
}
