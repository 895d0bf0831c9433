/*
 * ACPI tables of a Linux LPAR (hv/acpi_tables.c): pure logic that lays out, per LPAR, the RSDP,
 * XSDT, FADT (hardware-reduced, with a reset register and sleep control/status registers),
 * MADT (the LPAR's one CPU, no I/O APIC, no 8259), TPM2 (CRB or TIS start method, LAML/LASA of
 * the event log) and the DSDT compiled by iasl from hv/acpi/dsdt.asl (passed in by the caller).
 *
 * Calling model: acpi_build_tables writes into a caller-owned buffer that the LPAR will see at
 * guest-physical address base_gpa; every table pointer inside is a gpa.  No state, no locking.
 *
 * The I/O ports the FADT names are the LPAR platform's power controls (docs/linux-guests.md):
 * a write of ACPI_SLP_EN | ACPI_SLP_TYP_S5 << 2 to ACPI_SLEEP_CTL_PORT powers the LPAR off, a
 * write of ACPI_RESET_VALUE to ACPI_RESET_PORT (0xCF9, as on a PC) resets it.
 */
#ifndef ANCHOR_ACPI_TABLES_H
#define ANCHOR_ACPI_TABLES_H
#include <stddef.h>
#include <stdint.h>

#define ACPI_SLEEP_CTL_PORT  0x600   /* FADT SLEEP_CONTROL_REG, 8-bit I/O */
#define ACPI_SLEEP_STS_PORT  0x601   /* FADT SLEEP_STATUS_REG, 8-bit I/O (reads 0) */
#define ACPI_SLP_EN          0x20
#define ACPI_SLP_TYP_MASK    0x1c
#define ACPI_SLP_TYP_S5      5       /* the DSDT's \_S5 */
#define ACPI_RESET_PORT      0xcf9
#define ACPI_RESET_VALUE     0x06

#define ACPI_TPM_WINDOW      0xFED40000ull
#define ACPI_TPM_START_TIS   6
#define ACPI_TPM_START_CRB   7
#define ACPI_LAPIC_BASE      0xFEE00000u

enum acpi_tpm_if { ACPI_TPM_CRB, ACPI_TPM_TIS };

struct acpi_lpar {
	uint32_t apic_id;           /* the LPAR CPU's (x2)APIC id */
	enum acpi_tpm_if tpm;       /* start method in the TPM2 table */
	uint64_t log_gpa;           /* LASA */
	uint32_t log_size;          /* LAML */
	const uint8_t *dsdt;        /* AML from iasl, with its own header and checksum */
	uint32_t dsdt_len;
};

/* Table offsets inside the buffer (the RSDP is at offset 0, so rsdp gpa == base_gpa). */
struct acpi_layout {
	uint32_t rsdp, xsdt, fadt, dsdt, madt, tpm2, end;
};

/* Builds every table into buf (cap bytes) for an LPAR that sees buf at base_gpa (below 4 GiB).
 * Returns 0 and fills *lay, or -1 with *why ("DSDT is not an AML table", "ACPI tables do not
 * fit", ...). */
int acpi_build_tables(uint8_t *buf, size_t cap, uint64_t base_gpa, const struct acpi_lpar *l,
                      struct acpi_layout *lay, const char **why);

/* 8-bit sum of len bytes (a valid ACPI table sums to 0). */
uint8_t acpi_sum(const uint8_t *p, size_t len);

/* The DSDT compiled from hv/acpi/dsdt.asl (generated: $(BUILD)/hv/dsdt_aml.c). */
extern const uint8_t acpi_dsdt_aml[];
extern const uint32_t acpi_dsdt_aml_len;

#endif
