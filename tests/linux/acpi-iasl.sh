#!/usr/bin/env bash
# The Linux LPAR's ACPI tables (hv/acpi_tables.c) read back by an independent parser: the
# tables a CRB and a TIS LPAR get (dumped by test_linux_boot) are disassembled with iasl -d
# (acpica-tools).  Checks: iasl parses each table with no error, warning or "Incorrect checksum",
# and the decoded fields are the platform's (hardware-reduced FADT with reset register 0xCF9 and
# sleep registers, MADT with one enabled local APIC and no 8259, TPM2 start method and log
# area, the DSDT's MSFT0101 device with both memory ranges and no interrupt, COM1, \_S5).
#
#   tests/linux/acpi-iasl.sh        (from the top of the tree, after make)
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
T=$B/unit/test_linux_boot
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1 $2"; }
command -v iasl >/dev/null || { echo "skip - acpi-iasl: no iasl (acpica-tools)"; exit 0; }
[ -x "$T" ] || { echo "skip - acpi-iasl: $T not built"; exit 0; }

W=$(mktemp -d "${TMPDIR:-/tmp}/anchor-acpi.XXXXXX")
trap 'rm -rf "$W"' EXIT
"$T" "$B/linux/bzImage" "$W" >/dev/null

# has TAG FILE REGEX...: every regex must match a line of the disassembly.
has() {
  local name=$1 file=$2; shift 2
  for re in "$@"; do
    grep -Eq "$re" "$file" || { nok "$name" "(no /$re/ in $(basename "$file"))"; return; }
  done
  ok "$name"
}

for lp in crb tis; do
  for t in xsdt facp dsdt apic tpm2; do
    if (cd "$W/$lp" && iasl -d "$t.dat" >"$t.out" 2>&1) &&
       ! grep -Eiq 'error|warning|incorrect' "$W/$lp/$t.out" "$W/$lp/$t.dsl"; then
      ok "acpi-iasl $lp: $t parses cleanly"
    else
      nok "acpi-iasl $lp: $t parses cleanly" "($(grep -Ei 'error|warning|incorrect' "$W/$lp/$t.out" "$W/$lp/$t.dsl" | head -1))"
    fi
  done
  f=$W/$lp/facp.dsl
  has "acpi-iasl $lp: FADT hardware-reduced, reset 0xCF9 = 6, sleep registers 0x600/0x601" "$f" \
    'Hardware Reduced \(V5\) : 1' 'Reset Register Supported \(V2\) : 1' 'Address : 0000000000000CF9' \
    'Value to cause reset : 06' 'Address : 0000000000000600' 'Address : 0000000000000601' \
    'Revision : 06'
  has "acpi-iasl $lp: FADT: no 8042, no VGA, no CMOS RTC" "$f" \
    '8042 Present on ports 60/64 \(V2\) : 0' 'VGA Not Present \(V4\) : 1' 'CMOS RTC Not Present \(V5\) : 1'
  has "acpi-iasl $lp: MADT one enabled local APIC, no PC-AT 8259" "$W/$lp/apic.dsl" \
    'PC-AT Compatibility : 0' 'Subtable Type : 00 \[Processor Local APIC\]' 'Processor Enabled : 1'
  [ "$(grep -c 'Subtable Type' "$W/$lp/apic.dsl")" = 1 ] && ok "acpi-iasl $lp: MADT has exactly one CPU" ||
    nok "acpi-iasl $lp: MADT has exactly one CPU" ""
  d=$W/$lp/dsdt.dsl
  has "acpi-iasl $lp: DSDT TPM MSFT0101 with the window and the CRB buffer, COM1, _S5" "$d" \
    '_HID, "MSFT0101"' 'Memory32Fixed \(ReadWrite,' '0xFED40000' '0x00005000' '0x00100000' \
    'EisaId \("PNP0501"\)' '0x03F8' 'Name \(_S5, Package'
  if grep -Eq 'Interrupt|IRQ' "$d"; then nok "acpi-iasl $lp: DSDT has no interrupt resource" ""
  else ok "acpi-iasl $lp: DSDT has no interrupt resource"; fi
done
has "acpi-iasl crb: TPM2 start method 7 (CRB), control area 0xFED40040, log area" "$W/crb/tpm2.dsl" \
  'Start Method : 07' 'Control Address : 00000000FED40040' 'Minimum Log Length : 00010000' \
  'Log Address : 00000000000B0000'
has "acpi-iasl tis: TPM2 start method 6 (TIS), log area" "$W/tis/tpm2.dsl" \
  'Start Method : 06' 'Minimum Log Length : 00010000' 'Log Address : 00000000000B0000'
