# vtpm/tpm2: the TPM 2.0 engine (docs/tpm-engine.md), built twice:
#   $(TPM2_HOST_LIB)  native, -fPIC: simulator, tests, fuzzers, benchmarks
#   $(TPM2_FREE_LIB)  freestanding: the hypervisor's HTPM
# Both archives contain the engine and vtpm/crypto ($(CRYPTO_SRCS)); link BearSSL after them.
# New files in vtpm/tpm2/ are picked up by the wildcard: no change here to add a family.

TPM2_ENGINE_SRCS := $(wildcard vtpm/tpm2/*.c)
TPM2_SRCS        := $(TPM2_ENGINE_SRCS) $(CRYPTO_SRCS)
TPM2_HDRS        := $(wildcard vtpm/tpm2/*.h) $(CRYPTO_HDRS)
TPM2_INCLUDES    := -Ivtpm/tpm2 $(CRYPTO_INCLUDES)
TPM2_DEPS        := $(TPM2_HDRS) $(CRYPTO_DEPS)

TPM2_BUILD     := $(BUILD)/vtpm
TPM2_HOST_LIB  := $(TPM2_BUILD)/host/libanchortpm.a
TPM2_FREE_LIB  := $(TPM2_BUILD)/free/libanchortpm.a
TPM2_HOST_OBJS := $(patsubst %.c,$(TPM2_BUILD)/host/obj/%.o,$(TPM2_SRCS))
TPM2_FREE_OBJS := $(patsubst %.c,$(TPM2_BUILD)/free/obj/%.o,$(TPM2_SRCS))

$(TPM2_BUILD)/host/obj/%.o: %.c $(TPM2_DEPS)
	@mkdir -p $(@D)
	@echo "  CC      $@"; $(HOST_CC) $(HOST_CFLAGS) -fPIC $(TPM2_INCLUDES) -c $< -o $@

$(TPM2_BUILD)/free/obj/%.o: %.c $(TPM2_DEPS)
	@mkdir -p $(@D)
	@echo "  CC      $@"; $(FREE_CC) $(FREE_CFLAGS) -O2 $(TPM2_INCLUDES) -c $< -o $@

$(TPM2_HOST_LIB): $(TPM2_HOST_OBJS)
	@echo "  AR      $@"; rm -f $@; ar rcs $@ $^

$(TPM2_FREE_LIB): $(TPM2_FREE_OBJS)
	@echo "  AR      $@"; rm -f $@; ar rcs $@ $^

ALL_TARGETS += $(TPM2_HOST_LIB) $(TPM2_FREE_LIB)

# ---- unit tests: linked with a third build of the engine under ASan + UBSan -------------------
TPM2_TEST_DIR    := $(TPM2_BUILD)/tests
TPM2_SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all
TPM2_TEST_CFLAGS := $(HOST_CFLAGS) -Werror $(TPM2_SAN_FLAGS) $(TPM2_INCLUDES) -Itests/unit
TPM2_SAN_LIB     := $(TPM2_BUILD)/asan/libanchortpm.a
TPM2_SAN_OBJS    := $(patsubst %.c,$(TPM2_BUILD)/asan/obj/%.o,$(TPM2_SRCS))

$(TPM2_BUILD)/asan/obj/%.o: %.c $(TPM2_DEPS)
	@mkdir -p $(@D)
	@echo "  CC      $@"; $(HOST_CC) $(HOST_CFLAGS) $(TPM2_SAN_FLAGS) $(TPM2_INCLUDES) -c $< -o $@

$(TPM2_SAN_LIB): $(TPM2_SAN_OBJS)
	@echo "  AR      $@"; rm -f $@; ar rcs $@ $^
TPM2_TEST_NAMES  := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/tpm2_*_test.c))
TPM2_TESTS       := $(addprefix $(TPM2_TEST_DIR)/,$(TPM2_TEST_NAMES))

$(TPM2_TEST_DIR)/%: tests/unit/%.c tests/unit/tpm2_test.h $(TPM2_SAN_LIB) $(BEARSSL_HOST_LIB)
	@mkdir -p $(@D)
	@echo "  CCLD    $@"; $(HOST_CC) $(TPM2_TEST_CFLAGS) $< $(TPM2_SAN_LIB) $(BEARSSL_HOST_LIB) -o $@

TEST_DEPS   += $(TPM2_TESTS)
TEST_SUITES += $(TPM2_TESTS)

# Response codes of the families against libtpms (swtpm) in the same run; needs anchor-tpmd.
TEST_SUITES += tests/unit/tpm2_rc_vs_libtpms.py
# Security properties against libtpms: forged quotes, DA vs ClockSet, contexts vs Clear (issue 8).
TEST_SUITES += tests/unit/tpm2_security_vs_libtpms.py

# In-process cost per command (optimised host build, no sanitizers): `make bench`.
TPM2_BENCH := $(TPM2_TEST_DIR)/tpm2_engine_bench
$(TPM2_BENCH): tests/unit/tpm2_engine_bench.c tests/unit/tpm2_test.h $(TPM2_HOST_LIB) $(BEARSSL_HOST_LIB)
	@mkdir -p $(@D)
	@echo "  CCLD    $@"; $(HOST_CC) $(HOST_CFLAGS) $(TPM2_INCLUDES) -Itests/unit $< $(TPM2_HOST_LIB) $(BEARSSL_HOST_LIB) -o $@
BENCH_SUITES += $(TPM2_BENCH)
TEST_DEPS    += $(TPM2_BENCH)
