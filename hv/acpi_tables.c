/*
 * ACPI tables of a Linux LPAR (contract: anchor/acpi_tables.h).  Lays out RSDP, XSDT, FADT,
 * DSDT, MADT and TPM2 one after the other, 16-byte aligned, in a caller-owned buffer, and
 * checksums each.  Field offsets follow the ACPI 6.x specification (FADT revision 6) and the TCG
 * ACPI specification (TPM2 table revision 4, 76 bytes with LAML/LASA).
 *
 * Why hardware-reduced: with the FADT's HW_REDUCED_ACPI flag Linux uses no PM timer, no SCI,
 * no legacy PIC and no PIT (acpi_reduced_hw_init), so the LPAR needs none of them; power-off
 * goes through the sleep control register and reboot through the reset register.
 */
#include <anchor/acpi_tables.h>
#include <string.h>

#define HDR_LEN      36
#define RSDP_LEN     36
#define FADT_LEN     276
#define TPM2_LEN     76
#define MADT_FIXED   (HDR_LEN + 8)

/* FADT fields used here (byte offsets). */
#define FADT_DSDT          40
#define FADT_IAPC_BOOT     109
#define FADT_FLAGS         112
#define FADT_RESET_REG     116
#define FADT_RESET_VALUE   128
#define FADT_MINOR         131
#define FADT_X_DSDT        140
#define FADT_SLEEP_CTL     244
#define FADT_SLEEP_STS     256
#define FADT_HV_VENDOR     268

#define FADT_F_WBINVD       (1u << 0)
#define FADT_F_RESET_REG    (1u << 10)
#define FADT_F_HW_REDUCED   (1u << 20)
#define IAPC_NO_VGA         (1u << 2)
#define IAPC_NO_CMOS_RTC    (1u << 5)   /* bit 1 (8042) clear: no keyboard controller */

#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

uint8_t acpi_sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;
	while (len--)
		s = (uint8_t)(s + *p++);
	return s;
}

static int fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -1;
}

/* The common 36-byte header; the checksum is set by finish(). */
static void header(uint8_t *t, const char sig[4], uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put_le(t + 4, len, 4);
	t[8] = rev;
	memcpy(t + 10, "ANCHOR", 6);
	memcpy(t + 16, "LPAR    ", 8);
	put_le(t + 24, 1, 4);              /* OEM revision */
	memcpy(t + 28, "ANCH", 4);         /* creator id */
	put_le(t + 32, 1, 4);              /* creator revision */
}

static void finish(uint8_t *t, uint32_t len)
{
	t[9] = 0;
	t[9] = (uint8_t)-acpi_sum(t, len);
}

/* A Generic Address Structure for an 8-bit I/O port. */
static void gas_io8(uint8_t *g, uint16_t port)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = 8;      /* bit width */
	g[2] = 0;      /* bit offset */
	g[3] = GAS_ACCESS_BYTE;
	put_le(g + 4, port, 8);
}

static void build_fadt(uint8_t *t, uint64_t dsdt_gpa)
{
	header(t, "FACP", FADT_LEN, 6);
	put_le(t + FADT_DSDT, dsdt_gpa, 4);
	put_le(t + FADT_IAPC_BOOT, IAPC_NO_VGA | IAPC_NO_CMOS_RTC, 2);
	put_le(t + FADT_FLAGS, FADT_F_WBINVD | FADT_F_RESET_REG | FADT_F_HW_REDUCED, 4);
	gas_io8(t + FADT_RESET_REG, ACPI_RESET_PORT);
	t[FADT_RESET_VALUE] = ACPI_RESET_VALUE;
	t[FADT_MINOR] = 0;
	put_le(t + FADT_X_DSDT, dsdt_gpa, 8);
	gas_io8(t + FADT_SLEEP_CTL, ACPI_SLEEP_CTL_PORT);
	gas_io8(t + FADT_SLEEP_STS, ACPI_SLEEP_STS_PORT);
	memcpy(t + FADT_HV_VENDOR, "ANCHOR\0\0", 8);
	finish(t, FADT_LEN);
}

/* MADT: the local APIC address, no PC-AT 8259 (flags 0), one enabled CPU: a Processor Local
 * APIC entry, or a Local x2APIC entry when the APIC id does not fit in 8 bits. */
static uint32_t madt_len(uint32_t apic_id)
{
	return MADT_FIXED + (apic_id < 0xff ? 8 : 16);
}

static void build_madt(uint8_t *t, uint32_t apic_id)
{
	uint32_t len = madt_len(apic_id);
	header(t, "APIC", len, 5);
	put_le(t + HDR_LEN, ACPI_LAPIC_BASE, 4);
	put_le(t + HDR_LEN + 4, 0, 4);
	uint8_t *e = t + MADT_FIXED;
	if (apic_id < 0xff) {
		e[0] = 0; e[1] = 8; e[2] = 0;        /* type, length, ACPI processor UID */
		e[3] = (uint8_t)apic_id;
		put_le(e + 4, 1, 4);                 /* enabled */
	} else {
		e[0] = 9; e[1] = 16;
		put_le(e + 4, apic_id, 4);
		put_le(e + 8, 1, 4);
		put_le(e + 12, 0, 4);                /* ACPI processor UID */
	}
	finish(t, len);
}

static void build_tpm2(uint8_t *t, const struct acpi_lpar *l)
{
	header(t, "TPM2", TPM2_LEN, 4);
	put_le(t + 36, 0, 2);                        /* platform class: client */
	if (l->tpm == ACPI_TPM_CRB) {
		put_le(t + 40, ACPI_TPM_WINDOW + 0x40, 8); /* CRB control area */
		put_le(t + 48, ACPI_TPM_START_CRB, 4);
	} else {
		put_le(t + 48, ACPI_TPM_START_TIS, 4);
	}
	put_le(t + 64, l->log_size, 4);              /* LAML */
	put_le(t + 68, l->log_gpa, 8);               /* LASA */
	finish(t, TPM2_LEN);
}

static void build_xsdt(uint8_t *t, const uint64_t *entries, unsigned n)
{
	uint32_t len = HDR_LEN + 8 * n;
	header(t, "XSDT", len, 1);
	for (unsigned i = 0; i < n; i++)
		put_le(t + HDR_LEN + 8 * i, entries[i], 8);
	finish(t, len);
}

static void build_rsdp(uint8_t *r, uint64_t xsdt_gpa)
{
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "ANCHOR", 6);
	r[15] = 2;                           /* revision: ACPI 2.0+ (XSDT) */
	put_le(r + 20, RSDP_LEN, 4);
	put_le(r + 24, xsdt_gpa, 8);
	r[8] = (uint8_t)-acpi_sum(r, 20);
	r[32] = (uint8_t)-acpi_sum(r, RSDP_LEN);
}

static uint32_t align16(uint32_t v)
{
	return (v + 15u) & ~15u;
}

int acpi_build_tables(uint8_t *buf, size_t cap, uint64_t base_gpa, const struct acpi_lpar *l,
                      struct acpi_layout *lay, const char **why)
{
	if (!l->dsdt || l->dsdt_len < HDR_LEN || memcmp(l->dsdt, "DSDT", 4) ||
	    (l->dsdt[4] | l->dsdt[5] << 8 | l->dsdt[6] << 16 | (uint32_t)l->dsdt[7] << 24) != l->dsdt_len ||
	    acpi_sum(l->dsdt, l->dsdt_len) != 0)
		return fail(why, "DSDT is not a valid AML table");
	if (base_gpa >= (1ull << 32) - cap)
		return fail(why, "ACPI tables must lie below 4 GiB");
	struct acpi_layout o;
	o.rsdp = 0;
	o.xsdt = align16(RSDP_LEN);
	o.fadt = align16(o.xsdt + HDR_LEN + 8 * 3);
	o.dsdt = align16(o.fadt + FADT_LEN);
	o.madt = align16(o.dsdt + l->dsdt_len);
	o.tpm2 = align16(o.madt + madt_len(l->apic_id));
	o.end = o.tpm2 + TPM2_LEN;
	if (o.end > cap)
		return fail(why, "ACPI tables do not fit in their region");
	memset(buf, 0, o.end);
	memcpy(buf + o.dsdt, l->dsdt, l->dsdt_len);
	build_fadt(buf + o.fadt, base_gpa + o.dsdt);
	build_madt(buf + o.madt, l->apic_id);
	build_tpm2(buf + o.tpm2, l);
	uint64_t entries[3] = { base_gpa + o.fadt, base_gpa + o.madt, base_gpa + o.tpm2 };
	build_xsdt(buf + o.xsdt, entries, 3);
	build_rsdp(buf + o.rsdp, base_gpa + o.xsdt);
	if (lay)
		*lay = o;
	return 0;
}
