# Host unit tests for the pure logic: the decoder, the page-table builders, the config parser.
# Built with ASan+UBSan: a test that reads past a buffer fails instead of passing by luck.

UNIT_DIR    := $(BUILD)/unit
UNIT_CFLAGS := $(HOST_CFLAGS) -Werror -fsanitize=address,undefined -fno-sanitize-recover=all \
               -Ihv/include -Itests/unit

# Decoder cases are assembled by the GNU assembler at build time (see gen_decode_cases.py).
$(UNIT_DIR)/decode_cases.h: tests/unit/decode_cases.txt tests/unit/gen_decode_cases.py
	@mkdir -p $(@D)
	@echo "  GEN     $@"; python3 tests/unit/gen_decode_cases.py $< $@ $(UNIT_DIR)/asm

# ... and what gcc and clang emit for MMIO code (mmio_patterns.c), disassembled by objdump.
$(UNIT_DIR)/compiler_cases.h: tests/unit/mmio_patterns.c tests/unit/gen_compiler_cases.py
	@mkdir -p $(@D)
	@echo "  GEN     $@"; python3 tests/unit/gen_compiler_cases.py $< $@ $(UNIT_DIR)/cc

$(UNIT_DIR)/test_decode: tests/unit/test_decode.c tests/unit/check.h $(DECODE_SRCS) \
                         hv/include/anchor/decode.h $(UNIT_DIR)/decode_cases.h \
                         $(UNIT_DIR)/compiler_cases.h
	$(call host_prog,$(UNIT_CFLAGS) -I$(UNIT_DIR))

$(UNIT_DIR)/test_paging: tests/unit/test_paging.c tests/unit/check.h $(PAGING_SRCS) \
                         hv/include/anchor/paging.h
	$(call host_prog,$(UNIT_CFLAGS))

# The SVM back end's pure logic (exit normalisation, exits completed without the core).
$(UNIT_DIR)/test_svm_logic: tests/unit/test_svm_logic.c tests/unit/check.h arch/x86/svm_logic.c \
                            arch/x86/svm.h hv/include/anchor/vcpu.h
	$(call host_prog,$(UNIT_CFLAGS) -Iarch/x86)

UNIT_TESTS := $(UNIT_DIR)/test_decode $(UNIT_DIR)/test_paging $(UNIT_DIR)/test_svm_logic

TEST_DEPS   += $(UNIT_TESTS)
TEST_SUITES += $(UNIT_TESTS)

$(UNIT_DIR)/test_config: tests/unit/test_config.c tests/unit/check.h $(CONFIG_SRCS) \
                         hv/include/anchor/config.h
	$(call host_prog,$(UNIT_CFLAGS))

TEST_DEPS   += $(UNIT_DIR)/test_config
TEST_SUITES += $(UNIT_DIR)/test_config

# The real test guest run in a host process, every TPM-window access emulated through the
# decoder (see the file's header).  No sanitizers: the guest runs on its own stack.
$(UNIT_DIR)/test_guest_emu: tests/unit/test_guest_emu.c tests/unit/check.h $(DECODE_SRCS) \
                            hv/include/anchor/decode.h hv/include/anchor/guest_abi.h \
                            hv/include/anchor/testdev.h
	$(call host_prog,$(HOST_CFLAGS) -Werror -Ihv/include -Itests/unit \
	    -DTESTGUEST_ELF='"$(CURDIR)/$(BUILD)/guests/testguest.elf"')

TEST_DEPS   += $(UNIT_DIR)/test_guest_emu $(BUILD)/guests/testguest.elf
TEST_SUITES += $(UNIT_DIR)/test_guest_emu

# Timings of the pure logic (make bench): decode, guest_walk, pt_map.
$(UNIT_DIR)/bench_pure: tests/unit/bench_pure.c $(DECODE_SRCS) $(PAGING_SRCS) \
                        hv/include/anchor/decode.h hv/include/anchor/paging.h
	$(call host_prog,$(HOST_CFLAGS) -Werror -Ihv/include)

TEST_DEPS    += $(UNIT_DIR)/bench_pure
BENCH_SUITES += $(UNIT_DIR)/bench_pure
