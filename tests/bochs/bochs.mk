# Bochs (Intel VMX + EPT) tests of the hypervisor, entered through Multiboot2 from a GRUB BIOS
# ISO, and the host unit test of the Multiboot2 conversion.  Included from arch/x86/vmx.mk (the
# top-level Makefile reads only one directory level of fragments).

BOCHS_DIR := $(BUILD)/bochs
BOCHS_TEST_CFLAGS := $(HOST_CFLAGS) -Werror -fsanitize=address,undefined \
                     -fno-sanitize-recover=all -Ihv/include -Ihv -Itests/unit

$(BOCHS_DIR)/test_mb2: tests/bochs/test_mb2.c hv/mb2_parse.c hv/mb2.h \
                       hv/include/anchor/boot_info.h tests/unit/check.h
	@mkdir -p $(@D)
	@echo "  CC      $@"; $(HOST_CC) $(BOCHS_TEST_CFLAGS) -o $@ $< hv/mb2_parse.c

TEST_DEPS   += $(BOCHS_DIR)/test_mb2
TEST_SUITES += $(BOCHS_DIR)/test_mb2
