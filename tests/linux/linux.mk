# Linux guest tests.
# - test_linux_boot: host unit test of the boot protocol (hv/linux_boot.c) and the ACPI tables
#   (hv/acpi_tables.c + the iasl-compiled DSDT); it also parses the real Debian bzImage.
# - acpi-iasl.sh: the generated tables disassembled by iasl (an independent parser).
# - linux-lpar.sh: the guest image in an LPAR under Anchor (QEMU/SVM), two boots (~75 s here).
# - linux-qemu-ref.sh: the guest image on QEMU's own PC (SeaBIOS, tpm-crb + swtpm), independent
#   of Anchor; one boot (~30-60 s under TCG here).
LINUX_UNIT := $(BUILD)/unit/test_linux_boot   # (tests/unit/unit.mk, which sets UNIT_DIR, is read later)

$(LINUX_UNIT): tests/linux/test_linux_boot.c tests/unit/check.h $(LINUX_BOOT_SRCS) \
               $(ACPI_TABLES_SRCS) $(DSDT_AML_C) hv/include/anchor/linux_boot.h \
               hv/include/anchor/acpi_tables.h
	$(call host_prog,$(UNIT_CFLAGS))

# - test_tcg_log + tcg-log.sh: the event log writer (hv/tcg_log.c), its log parsed and replayed
#   by tpm2_eventlog.
$(BUILD)/unit/test_tcg_log: tests/linux/test_tcg_log.c tests/unit/check.h $(TCG_LOG_SRCS) \
                            hv/include/anchor/tcg_log.h $(BEARSSL_HOST_LIB)
	$(call host_prog,$(UNIT_CFLAGS) -I$(BEARSSL_INC))

# - test_lpar_clock_apic: kvmclock's scale and records, the ICR filter.
$(BUILD)/unit/test_lpar_clock_apic: tests/linux/test_lpar_clock_apic.c tests/unit/check.h \
                                    $(LPAR_CLOCK_APIC_SRCS) hv/include/anchor/kvmclock.h \
                                    hv/include/anchor/apic_icr.h
	$(call host_prog,$(UNIT_CFLAGS))

# - test_uart16550: the 16550A model under the 8250 driver's register sequences.
$(BUILD)/unit/test_uart16550: tests/linux/test_uart16550.c tests/unit/check.h $(UART16550_SRCS) \
                              hv/include/anchor/uart16550.h
	$(call host_prog,$(UNIT_CFLAGS))

# - test_linux_lpar: a whole Linux LPAR loaded into a buffer (the real images when built).
$(BUILD)/unit/test_linux_lpar: tests/linux/test_linux_lpar.c tests/unit/check.h $(LINUX_LPAR_SRCS) \
                               $(DSDT_AML_C) hv/include/anchor/linux_lpar.h
	$(call host_prog,$(UNIT_CFLAGS))

# - test_acpi_pm: the power-off control on a real device bus.
$(BUILD)/unit/test_acpi_pm: tests/linux/test_acpi_pm.c tests/unit/check.h hv/acpi_pm.c hv/mmio.c \
                            hv/include/anchor/acpi_pm.h hv/include/anchor/mmio.h
	$(call host_prog,$(UNIT_CFLAGS))

TEST_DEPS   += $(LINUX_UNIT) $(BUILD)/unit/test_tcg_log $(BUILD)/unit/test_lpar_clock_apic \
               $(BUILD)/unit/test_acpi_pm \
               $(BUILD)/unit/test_uart16550 $(BUILD)/unit/test_linux_lpar $(LINUX_IMG)
TEST_SUITES += $(LINUX_UNIT) tests/linux/acpi-iasl.sh $(BUILD)/unit/test_tcg_log tests/linux/tcg-log.sh \
               $(BUILD)/unit/test_lpar_clock_apic $(BUILD)/unit/test_uart16550 \
               $(BUILD)/unit/test_linux_lpar $(BUILD)/unit/test_acpi_pm \
               tests/linux/linux-qemu-ref.sh tests/linux/linux-lpar.sh
