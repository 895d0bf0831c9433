# vtpm/frontend: the TIS/FIFO and CRB front-ends of the virtual TPM (docs/vtpm-frontends.md).
# Pure logic: built freestanding (the hypervisor's flags, proving no libc), tested on the host
# under ASan+UBSan, fuzzed with libFuzzer.

FE_SRCS  := vtpm/frontend/tis.c vtpm/frontend/crb.c
FE_HDRS  := $(wildcard vtpm/frontend/*.h)
FE_BUILD := $(BUILD)/vtpm/frontend

# ---- freestanding: the objects the hypervisor will link ----------------------------------------
FE_FREE_OBJS := $(patsubst vtpm/frontend/%.c,$(FE_BUILD)/free/%.o,$(FE_SRCS))
FE_FREE_LIB  := $(FE_BUILD)/free/libvtpmfe.a

$(FE_BUILD)/free/%.o: vtpm/frontend/%.c $(FE_HDRS)
	@mkdir -p $(@D)
	@echo "  CC      $@"; $(FREE_CC) $(FREE_CFLAGS) -O2 -Werror -c $< -o $@

$(FE_FREE_LIB): $(FE_FREE_OBJS)
	@echo "  AR      $@"; rm -f $@; ar rcs $@ $^

ALL_TARGETS += $(FE_FREE_LIB)

# ---- host unit tests (ASan + UBSan) -------------------------------------------------------------
FE_TEST_CFLAGS := $(HOST_CFLAGS) -Werror -fsanitize=address,undefined -fno-sanitize-recover=all \
                  -Ivtpm/frontend -Itests/unit
FE_TEST_HDRS   := $(FE_HDRS) tests/unit/check.h tests/unit/frontend_test.h

$(FE_BUILD)/frontend_tis_test: tests/unit/frontend_tis_test.c $(FE_SRCS) $(FE_TEST_HDRS)
	@mkdir -p $(@D)
	@echo "  CCLD    $@"; $(HOST_CC) $(FE_TEST_CFLAGS) -o $@ $< $(FE_SRCS)

$(FE_BUILD)/frontend_crb_test: tests/unit/frontend_crb_test.c $(FE_SRCS) $(FE_TEST_HDRS)
	@mkdir -p $(@D)
	@echo "  CCLD    $@"; $(HOST_CC) $(FE_TEST_CFLAGS) -o $@ $< $(FE_SRCS)

FE_TESTS := $(FE_BUILD)/frontend_tis_test $(FE_BUILD)/frontend_crb_test
TEST_DEPS   += $(FE_TESTS)
TEST_SUITES += $(FE_TESTS)

# The TIS and CRB in front of the real engine.  Prerequisites are expanded when this fragment is
# read, before vtpm/tpm2.mk defines $(TPM2_HOST_LIB): name the archive by its path here (the
# recipe uses the variables, so a divergence fails loudly at link time).
FE_ENGINE_LIB := $(BUILD)/vtpm/host/libanchortpm.a
$(FE_BUILD)/frontend_engine_test: tests/unit/frontend_engine_test.c $(FE_SRCS) $(FE_TEST_HDRS) \
                                  $(FE_ENGINE_LIB) $(BEARSSL_HOST_LIB)
	@mkdir -p $(@D)
	@echo "  CCLD    $@"; $(HOST_CC) $(FE_TEST_CFLAGS) $(TPM2_INCLUDES) -o $@ $< $(FE_SRCS) \
	    $(TPM2_HOST_LIB) $(BEARSSL_HOST_LIB)

TEST_DEPS   += $(FE_BUILD)/frontend_engine_test
TEST_SUITES += $(FE_BUILD)/frontend_engine_test

# ---- libFuzzer: random MMIO sequences against both front-ends (bounded time in make test) -----
FE_FUZZ_DIR    := $(BUILD)/fuzz/frontend
FE_FUZZ_CFLAGS := -std=c11 -O1 -g -D_DEFAULT_SOURCE -fsanitize=fuzzer,address,undefined \
                  -fno-sanitize-recover=undefined -Ivtpm/frontend
FE_FUZZ_OK     := $(shell test -f $(CLANG_RESOURCE_DIR)/lib/linux/libclang_rt.fuzzer-x86_64.a && echo y)

ifeq ($(FE_FUZZ_OK),y)
FE_FUZZ_BIN := $(FE_FUZZ_DIR)/frontend_fuzz
endif

$(FE_FUZZ_DIR)/frontend_fuzz: tests/fuzz/frontend_fuzz.c $(FE_SRCS) $(FE_HDRS)
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"; $(HOST_CC) $(FE_FUZZ_CFLAGS) -o $@ $< $(FE_SRCS)

$(FE_FUZZ_DIR)/seeds/.stamp: tests/fuzz/frontend_seeds.py
	@mkdir -p $(@D)
	@python3 $< $(@D)
	@touch $@

$(FE_FUZZ_DIR)/frontend_fuzz_suite: tests/fuzz/frontend_fuzz.sh
	@mkdir -p $(@D)
	@printf '#!/bin/sh\nexec %s %s "$$@"\n' "$(CURDIR)/tests/fuzz/frontend_fuzz.sh" "$(CURDIR)/$(FE_FUZZ_DIR)" > $@
	@chmod +x $@

TEST_DEPS   += $(FE_FUZZ_BIN) $(FE_FUZZ_DIR)/frontend_fuzz_suite $(FE_FUZZ_DIR)/seeds/.stamp
TEST_SUITES += $(FE_FUZZ_DIR)/frontend_fuzz_suite
FUZZ_DEPS   += $(FE_FUZZ_BIN) $(FE_FUZZ_DIR)/frontend_fuzz_suite $(FE_FUZZ_DIR)/seeds/.stamp
FUZZ_SUITES += $(FE_FUZZ_DIR)/frontend_fuzz_suite

# ---- the freestanding objects need nothing but memcpy/memset ----------------------------------
$(FE_BUILD)/frontend_freestanding: tests/unit/frontend_freestanding.sh
	@mkdir -p $(@D)
	@printf '#!/bin/sh\nexec %s %s\n' "$(CURDIR)/tests/unit/frontend_freestanding.sh" \
	    "$(addprefix $(CURDIR)/,$(FE_FREE_OBJS))" > $@
	@chmod +x $@

TEST_DEPS   += $(FE_BUILD)/frontend_freestanding $(FE_FREE_OBJS)
TEST_SUITES += $(FE_BUILD)/frontend_freestanding

# ---- make bench: host cost per access and per round trip ----------------------------------------
$(FE_BUILD)/frontend_bench: tests/unit/frontend_bench.c $(FE_SRCS) $(FE_TEST_HDRS)
	@mkdir -p $(@D)
	@echo "  CCLD    $@"; $(HOST_CC) $(HOST_CFLAGS) -Werror -Ivtpm/frontend -Itests/unit -o $@ $< $(FE_SRCS)

TEST_DEPS    += $(FE_BUILD)/frontend_bench
BENCH_SUITES += $(FE_BUILD)/frontend_bench
