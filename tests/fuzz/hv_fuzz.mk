# libFuzzer targets for the decoder, the config parser and guest_walk, run for a bounded time by
# tests/fuzz/hv_fuzz.sh as one test suite.  Without the libFuzzer runtime
# (Debian libclang-rt-14-dev) the binaries are not built and the suite prints "skip".

HV_FUZZ_DIR    := $(BUILD)/fuzz/hv
HV_FUZZ_CFLAGS := -std=c11 -O1 -g -D_DEFAULT_SOURCE -fsanitize=fuzzer,address,undefined \
                  -fno-sanitize-recover=undefined -Ihv/include
HV_FUZZ_OK     := $(shell test -f $(CLANG_RESOURCE_DIR)/lib/linux/libclang_rt.fuzzer-x86_64.a && echo y)

ifeq ($(HV_FUZZ_OK),y)
HV_FUZZ_BINS := $(HV_FUZZ_DIR)/hv_decode_fuzz $(HV_FUZZ_DIR)/hv_config_fuzz $(HV_FUZZ_DIR)/hv_walk_fuzz
endif

$(HV_FUZZ_DIR)/hv_decode_fuzz: tests/fuzz/hv_decode_fuzz.c $(DECODE_SRCS) hv/include/anchor/decode.h
	$(call host_prog,$(HV_FUZZ_CFLAGS))

$(HV_FUZZ_DIR)/hv_config_fuzz: tests/fuzz/hv_config_fuzz.c $(CONFIG_SRCS) hv/include/anchor/config.h
	$(call host_prog,$(HV_FUZZ_CFLAGS))

$(HV_FUZZ_DIR)/hv_walk_fuzz: tests/fuzz/hv_walk_fuzz.c $(PAGING_SRCS) hv/include/anchor/paging.h
	$(call host_prog,$(HV_FUZZ_CFLAGS))

# Seeds: every assembled decoder test case; the example configurations; page tables for every
# paging mode.
$(HV_FUZZ_DIR)/seeds-hv_decode_fuzz/.stamp: tests/unit/decode_cases.txt tests/unit/gen_decode_cases.py
	@mkdir -p $(@D)
	@python3 tests/unit/gen_decode_cases.py $< $(HV_FUZZ_DIR)/seed_cases.h $(HV_FUZZ_DIR)/asm $(@D)
	@touch $@

$(HV_FUZZ_DIR)/seeds-hv_config_fuzz/.stamp: $(wildcard tests/fuzz/hv_config_seeds/*)
	@mkdir -p $(@D)
	@cp tests/fuzz/hv_config_seeds/* $(@D)/
	@touch $@

$(HV_FUZZ_DIR)/hv_fuzz: tests/fuzz/hv_fuzz.sh
	@mkdir -p $(@D)
	@printf '#!/bin/sh\nexec %s %s "$$@"\n' "$(CURDIR)/tests/fuzz/hv_fuzz.sh" "$(CURDIR)/$(HV_FUZZ_DIR)" > $@
	@chmod +x $@

$(HV_FUZZ_DIR)/seeds-hv_walk_fuzz/.stamp: tests/fuzz/hv_walk_seeds.py
	@mkdir -p $(@D)
	@python3 $< $(@D)
	@touch $@

TEST_DEPS   += $(HV_FUZZ_BINS) $(HV_FUZZ_DIR)/hv_fuzz $(HV_FUZZ_DIR)/seeds-hv_decode_fuzz/.stamp \
               $(HV_FUZZ_DIR)/seeds-hv_config_fuzz/.stamp $(HV_FUZZ_DIR)/seeds-hv_walk_fuzz/.stamp
TEST_SUITES += $(HV_FUZZ_DIR)/hv_fuzz
FUZZ_DEPS   += $(HV_FUZZ_BINS) $(HV_FUZZ_DIR)/hv_fuzz $(HV_FUZZ_DIR)/seeds-hv_decode_fuzz/.stamp \
               $(HV_FUZZ_DIR)/seeds-hv_config_fuzz/.stamp $(HV_FUZZ_DIR)/seeds-hv_walk_fuzz/.stamp
FUZZ_SUITES += $(HV_FUZZ_DIR)/hv_fuzz
