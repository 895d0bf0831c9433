# vtpm/anchor: anchoring's pure logic (docs/anchoring.md): the DER writer, X.509 certificates,
# TPM commands over any transport, the seed derivation and LTPM provisioning.  Built
# freestanding for hv.elf ($(ANCHOR_FREE_LIB), linked before the engine and BearSSL) and
# natively (with ASan + UBSan) into its unit tests.  Fragments of vtpm/ are read last, so the
# crypto/engine variables are used only in recipes or behind .SECONDEXPANSION.

ANCHOR_SRCS  := $(wildcard vtpm/anchor/*.c)
ANCHOR_HDRS  := $(wildcard vtpm/anchor/*.h) hv/include/anchor/config.h
ANCHOR_BUILD := $(BUILD)/vtpm/anchor
ANCHOR_INCLUDES = -Ivtpm/anchor -Ihv/include -Ivtpm/tpm2 $(CRYPTO_INCLUDES)

ANCHOR_FREE_OBJS := $(patsubst vtpm/anchor/%.c,$(ANCHOR_BUILD)/free/%.o,$(ANCHOR_SRCS))
ANCHOR_FREE_LIB  := $(ANCHOR_BUILD)/free/libanchoring.a

$(ANCHOR_BUILD)/free/%.o: vtpm/anchor/%.c $(ANCHOR_HDRS) | $(BEARSSL_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $@"; $(FREE_CC) $(FREE_CFLAGS) -O2 -Werror $(ANCHOR_INCLUDES) -c $< -o $@

$(ANCHOR_FREE_LIB): $(ANCHOR_FREE_OBJS)
	@echo "  AR      $@"; rm -f $@; ar rcs $@ $^

ALL_TARGETS += $(ANCHOR_FREE_LIB)

# ---- unit tests: the DER writer, certificates, derivation vectors, provisioning of a real
# engine by an engine acting as the PTPM; then openssl judges the certificates it wrote.
.SECONDEXPANSION:
ANCHOR_TEST_CFLAGS = $(HOST_CFLAGS) -Werror -fsanitize=address,undefined \
                     -fno-sanitize-recover=all $(ANCHOR_INCLUDES) -Itests/unit

$(ANCHOR_BUILD)/anchor_unit: tests/unit/anchor_test.c $(ANCHOR_SRCS) $(CONFIG_SRCS) \
                             $$(TPM2_SAN_LIB) $(BEARSSL_HOST_LIB) $(ANCHOR_HDRS) tests/unit/check.h
	$(call host_prog,$(ANCHOR_TEST_CFLAGS))

$(ANCHOR_BUILD)/anchor_openssl: $(ANCHOR_BUILD)/anchor_unit tests/unit/anchor_openssl.sh
	@printf '#!/bin/sh\nexec %s %s\n' "$(CURDIR)/tests/unit/anchor_openssl.sh" \
	    "$(CURDIR)/$(ANCHOR_BUILD)/anchor_unit" > $@ && chmod +x $@

TEST_DEPS   += $(ANCHOR_BUILD)/anchor_openssl
TEST_SUITES += $(ANCHOR_BUILD)/anchor_openssl

# ---- libFuzzer: arbitrary TPM responses into the command layer (a hostile PTPM or bus) --------
ANCHOR_FUZZ_DIR    := $(BUILD)/fuzz/anchor
ANCHOR_FUZZ_CFLAGS  = -std=c11 -O1 -g -D_DEFAULT_SOURCE -fsanitize=fuzzer,address,undefined \
                      -fno-sanitize-recover=undefined $(ANCHOR_INCLUDES)
ANCHOR_FUZZ_OK     := $(shell test -f $(CLANG_RESOURCE_DIR)/lib/linux/libclang_rt.fuzzer-x86_64.a && echo y)
ifeq ($(ANCHOR_FUZZ_OK),y)
ANCHOR_FUZZ_BIN := $(ANCHOR_FUZZ_DIR)/anchor_tpmc_fuzz
endif

$(ANCHOR_FUZZ_DIR)/anchor_tpmc_fuzz: tests/fuzz/anchor_tpmc_fuzz.c vtpm/anchor/tpmcmd.c \
                                     vtpm/crypto/tc_util.c $(ANCHOR_HDRS) | $(BEARSSL_STAMP)
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"; $(HOST_CC) $(ANCHOR_FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

$(ANCHOR_FUZZ_DIR)/anchor_fuzz_suite: tests/fuzz/anchor_fuzz.sh
	@mkdir -p $(@D)
	@printf '#!/bin/sh\nexec %s %s "$$@"\n' "$(CURDIR)/tests/fuzz/anchor_fuzz.sh" "$(CURDIR)/$(ANCHOR_FUZZ_DIR)" > $@
	@chmod +x $@

TEST_DEPS   += $(ANCHOR_FUZZ_BIN) $(ANCHOR_FUZZ_DIR)/anchor_fuzz_suite
TEST_SUITES += $(ANCHOR_FUZZ_DIR)/anchor_fuzz_suite
FUZZ_DEPS   += $(ANCHOR_FUZZ_BIN) $(ANCHOR_FUZZ_DIR)/anchor_fuzz_suite
FUZZ_SUITES += $(ANCHOR_FUZZ_DIR)/anchor_fuzz_suite
