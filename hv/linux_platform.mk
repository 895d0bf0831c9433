# The Linux LPAR platform's pure logic: the x86 boot protocol (hv/linux_boot.c) and the ACPI
# tables (hv/acpi_tables.c) with the DSDT compiled from hv/acpi/dsdt.asl by iasl (Debian's
# acpica-tools) into a generated C array.  Host unit tests: tests/linux/linux.mk.
LINUX_BOOT_SRCS  := hv/linux_boot.c
ACPI_TABLES_SRCS := hv/acpi_tables.c
TCG_LOG_SRCS     := hv/tcg_log.c      # the measured direct boot's event log writer
LPAR_CLOCK_APIC_SRCS := hv/kvmclock.c hv/apic_icr.c   # kvmclock, the ICR filter
UART16550_SRCS   := hv/uart16550.c    # the 16550A register model for COM1
# Loading a Linux LPAR: everything above put together, with the page-table builder (recursive:
# PAGING_SRCS comes from hv/pure.mk, read after this fragment).
LINUX_LPAR_SRCS   = hv/linux_lpar.c $(LINUX_BOOT_SRCS) $(ACPI_TABLES_SRCS) $(TCG_LOG_SRCS) \
                    $(PAGING_SRCS)
DSDT_AML_C       := $(BUILD)/hv/acpi/dsdt_aml.c

$(BUILD)/hv/acpi/dsdt.aml: hv/acpi/dsdt.asl
	@mkdir -p $(@D)
	@echo "  IASL    $<"; iasl -p $(basename $@) $< >$(basename $@).log 2>&1 || \
	    { cat $(basename $@).log; exit 1; }

$(DSDT_AML_C): $(BUILD)/hv/acpi/dsdt.aml hv/acpi/aml_to_c.py
	@echo "  GEN     $@"; python3 hv/acpi/aml_to_c.py $< $@

# Into the hypervisor (and its host test of lpar.c): lpar.c loads a bzImage image through
# hv/linux_lpar.c.  hv/paging.c is already in both.
LINUX_HV_SRCS := hv/linux_lpar.c $(LINUX_BOOT_SRCS) $(ACPI_TABLES_SRCS) $(TCG_LOG_SRCS) $(DSDT_AML_C)
HV_SRCS      += $(LINUX_HV_SRCS)
HV_UNIT_SRCS += $(LINUX_HV_SRCS)
HV_SRCS      += $(UART16550_SRCS)   # the vuart's registers
HV_UNIT_SRCS += $(UART16550_SRCS)
HV_SRCS      += hv/acpi_pm.c        # ACPI power-off ports, on every LPAR's bus
HV_UNIT_SRCS += hv/acpi_pm.c
