/*
 * The DSDT of every Linux LPAR (compiled with iasl at build time; hv/acpi_tables.c links it
 * into the ACPI tables it builds per LPAR).  The LPAR's platform is fixed (docs/linux-guests.md),
 * so one DSDT serves all LPARs and both TPM interfaces; what differs per LPAR (its CPU, TIS or
 * CRB, the event log) is in the MADT and TPM2 tables that acpi_tables.c generates.
 *
 * - \_SB.TPM: the TPM, MSFT0101, found by tpm_crb or tpm_tis from ACPI alone.  _CRS covers the
 *   trapped window (0xFED40000, 0x5000 bytes: TIS localities 0-4, or the CRB control area at
 *   +0x40) and the CRB command/response buffer in reserved RAM (LINUX_CRB_BUF_GPA, 4 KiB).  No
 *   interrupt resource: the drivers poll, with no "interrupt not working" fallback.
 * - \_SB.COM1: the 16550 at 0x3F8, with no IRQ, so 8250_pnp registers ttyS0 polled.
 * - \_S5: the soft-off sleep type written to the FADT's sleep control register on power-off.
 */
DefinitionBlock ("", "DSDT", 2, "ANCHOR", "LPAR", 1)
{
    Scope (\_SB)
    {
        Device (TPM)
        {
            Name (_HID, "MSFT0101")
            Name (_CID, "MSFT0101")
            Name (_UID, Zero)
            Name (_STR, Unicode ("Anchor vTPM"))
            Method (_STA, 0, NotSerialized)
            {
                Return (0x0F)
            }
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite, 0xFED40000, 0x00005000)
                Memory32Fixed (ReadWrite, 0x00100000, 0x00001000)
            })
        }

        Device (COM1)
        {
            Name (_HID, EisaId ("PNP0501"))
            Name (_UID, One)
            Method (_STA, 0, NotSerialized)
            {
                Return (0x0F)
            }
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)
            })
        }
    }

    /* SLP_TYPa = 5 (ACPI_SLP_TYP_S5 in anchor/acpi_tables.h) */
    Name (_S5, Package (0x04) { 0x05, 0x05, Zero, Zero })
}
