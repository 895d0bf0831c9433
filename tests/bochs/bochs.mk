# Bochs (Intel VMX + EPT) tests of the hypervisor, entered through Multiboot2 from a GRUB BIOS
# ISO, and the host unit test of the Multiboot2 conversion.

BOCHS_DIR := $(BUILD)/bochs
BOCHS_TEST_CFLAGS := $(HOST_CFLAGS) -Werror -fsanitize=address,undefined \
                     -fno-sanitize-recover=all -Ihv/include -Ihv -Itests/unit

$(BOCHS_DIR)/test_mb2: tests/bochs/test_mb2.c hv/mb2_parse.c hv/mb2.h \
                       hv/include/anchor/boot_info.h tests/unit/check.h
	$(call host_prog,$(BOCHS_TEST_CFLAGS))

$(BOCHS_DIR)/test_vmx_logic: tests/bochs/test_vmx_logic.c arch/x86/vmx_logic.c arch/x86/vmx.h \
                             hv/include/anchor/vcpu.h tests/unit/check.h
	$(call host_prog,$(BOCHS_TEST_CFLAGS) -Iarch/x86)

TEST_DEPS   += $(BOCHS_DIR)/test_mb2 $(BOCHS_DIR)/test_vmx_logic
TEST_SUITES += $(BOCHS_DIR)/test_mb2 $(BOCHS_DIR)/test_vmx_logic

# The Bochs scenarios (Intel VMX + EPT, Multiboot2 through GRUB): ~6-20 s per Bochs run.
TEST_DEPS   += $(BUILD)/hv/hv.elf $(BUILD)/guests/testguest.elf
TEST_SUITES += tests/bochs/bochs_suite.sh

# `make run-bochs`: the demo (tests/bochs/demo.cfg, or BOCHS_CFG=...) under Bochs, console
# streamed to the terminal and kept in $(BUILD)/bochs/run.serial.log.
BOCHS_CFG ?= tests/bochs/demo.cfg
BOCHS_CPUS ?= 3

$(BOCHS_DIR)/run.iso: $(BUILD)/hv/hv.elf $(BUILD)/guests/testguest.elf $(BOCHS_CFG) \
                      tests/bochs/mkiso.sh
	@echo "  ISO     $@"; tests/bochs/mkiso.sh $@ $(BUILD)/hv/hv.elf $(BOCHS_CFG) \
	    $(BUILD)/guests/testguest.elf

run-bochs: deps
	@$(MAKE) --no-print-directory all $(BOCHS_DIR)/run.iso
	BOCHS_STREAM=1 tests/bochs/run-bochs.sh $(BOCHS_DIR)/run.iso \
	    $(BOCHS_DIR)/run.serial.log 120 $(BOCHS_CPUS)

.PHONY: run-bochs

# `make bench`: VM-exit rates under Bochs/VMX with the core's exitbench guest (tests/qemu/).
BENCH_SUITES += tests/bochs/bochs_bench.sh
