/*
 * Loading a Linux LPAR (hv/linux_lpar.c): when an LPAR's image is a bzImage, the hypervisor acts
 * as its firmware and boot loader.  It writes the whole start state into the LPAR's RAM: the
 * kernel, the initrd and the command line placed by the Linux boot protocol
 * (anchor/linux_boot.h), boot_params with the E820 map, the ACPI tables
 * (anchor/acpi_tables.h), an empty TCG event log (anchor/tcg_log.h) and the boot page tables
 * (anchor/paging.h). It returns the 64-bit entry state.
 *
 * Calling model: pure logic over the caller's view of the LPAR's RAM (the hypervisor's identity
 * mapping, or a buffer in a host test); called while the LPAR is built and on every restart,
 * with the LPAR not running.  No locking, no allocation.  A refusal leaves *why set to a
 * message the caller prefixes with the LPAR's configuration line and name.
 */
#ifndef ANCHOR_LINUX_LPAR_H
#define ANCHOR_LINUX_LPAR_H
#include <stdbool.h>
#include <stdint.h>
#include <anchor/acpi_tables.h>
#include <anchor/linux_boot.h>

struct linux_lpar_in {
	uint8_t *ram;                  /* guest-physical 0 as the caller sees it */
	uint64_t ram_size;
	const uint8_t *kernel;         /* the bzImage, as measured */
	uint64_t kernel_size;
	const uint8_t *initrd;         /* NULL when there is none */
	uint64_t initrd_size;
	const char *cmdline;           /* NUL-terminated */
	enum acpi_tpm_if tpm;          /* the TPM2 table's start method */
	uint32_t apic_id;              /* the LPAR CPU's APIC id, for the MADT */
};

struct linux_lpar_start {
	uint64_t rip, rsi, rsp, cr3;   /* RIP = 64-bit entry, RSI = boot_params, CR3 = boot tables */
	struct linux_layout layout;
};

/* Whether an image is a bzImage (boot-sector signature and "HdrS"), as opposed to an ELF. */
bool linux_is_bzimage(const uint8_t *image, uint64_t size);

/* Writes the start state into in->ram.  0 and *out, or -1 with *why (a corrupt bzImage, an
 * initrd too large for the LPAR's RAM, a command line too long, ...).  RAM below the kernel's
 * load address is cleared first (boot_params, tables and log start from zero). */
int linux_lpar_load(const struct linux_lpar_in *in, struct linux_lpar_start *out, const char **why);

#endif
