# vtpm/sim: the anchor-tpmd simulator daemon, its tpm2-tools conformance suite, the fuzzers
# over the engine and the daemon's framing, and the swtpm-vs-anchor benchmark
# (docs/simulator.md).
#
# This fragment is read before vtpm/tpm2.mk (fragments are included in sorted order), so
# everything that names the engine's variables (TPM2_HOST_LIB, TPM2_INCLUDES, TPM2_SRCS) is
# expanded late: in recipes, or through .SECONDEXPANSION in prerequisites.  Until the engine's
# fragment exists, nothing here is built and the suites report the anchor half as skipped.

SIM_BUILD   := $(BUILD)/sim
ANCHOR_TPMD := $(SIM_BUILD)/anchor-tpmd
SIM_SRCS    := vtpm/sim/sim_proto.c vtpm/sim/anchor-tpmd.c
SIM_HDRS    := vtpm/sim/sim_proto.h
SIM_HAVE_ENGINE := $(wildcard vtpm/tpm2.mk)

# Libraries the daemon links: the engine (its archive holds vtpm/crypto too), then BearSSL.
sim_engine_libs = $(TPM2_HOST_LIB) $(BEARSSL_HOST_LIB)

.SECONDEXPANSION:

$(ANCHOR_TPMD): $(SIM_SRCS) $(SIM_HDRS) vtpm/tpm2/tpm2.h $$(sim_engine_libs)
	$(call host_prog,$(HOST_CFLAGS) -Ivtpm/sim -Ivtpm/tpm2 $(TPM2_INCLUDES) -I$(BEARSSL_INC))

# ---- fuzzers (libFuzzer + ASan + UBSan) --------------------------------------------------------
# The engine is rebuilt here with the sanitizers and coverage so that the fuzzer sees inside it.
SIM_FUZZ_BUILD := $(SIM_BUILD)/fuzz
SIM_FUZZ_FLAGS := -std=c11 -O1 -g -D_DEFAULT_SOURCE -fno-omit-frame-pointer \
                  -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
# --wrap: RSA and ECC keygen and ECC d*G memoised for speed, results replayed bit for bit (tests/fuzz/tpm2_fuzz_keygen.h)
SIM_FUZZ_LINK  := -fsanitize=fuzzer,address,undefined -Wl,--wrap=tc_rsa_keygen -Wl,--wrap=tc_ecc_keygen \
                  -Wl,--wrap=tc_ecc_pub_from_priv
FUZZ_TPM2_EXECUTE := $(SIM_FUZZ_BUILD)/fuzz-tpm2-execute
FUZZ_TPM2_FRAMING := $(SIM_FUZZ_BUILD)/fuzz-tpm2-framing
FUZZ_TPM2_STATE   := $(SIM_FUZZ_BUILD)/fuzz-tpm2-state

# Engine + crypto sources compiled for the fuzzers: all of vtpm/tpm2 and vtpm/crypto.
sim_fuzz_engine_srcs = $(wildcard vtpm/tpm2/*.c) $(CRYPTO_SRCS)
sim_fuzz_objs = $(patsubst %.c,$(SIM_FUZZ_BUILD)/obj/%.o,$(sim_fuzz_engine_srcs))

$(SIM_FUZZ_BUILD)/obj/%.o: %.c $$(CRYPTO_DEPS) $$(wildcard vtpm/tpm2/*.h)
	@mkdir -p $(@D)
	@echo "  CC      $@"; $(HOST_CC) $(SIM_FUZZ_FLAGS) -Ivtpm/tpm2 $(TPM2_INCLUDES) $(CRYPTO_INCLUDES) -c $< -o $@

$(FUZZ_TPM2_EXECUTE): tests/fuzz/tpm2_execute_fuzz.c tests/fuzz/tpm2_fuzz_common.h tests/fuzz/tpm2_fuzz_keygen.h $$(sim_fuzz_objs) $$(BEARSSL_HOST_LIB)
	$(call host_prog,$(SIM_FUZZ_FLAGS) $(SIM_FUZZ_LINK) -Itests/fuzz -Ivtpm/tpm2 $(TPM2_INCLUDES) \
	    -I$(BEARSSL_INC))

$(FUZZ_TPM2_FRAMING): tests/fuzz/tpm2_framing_fuzz.c tests/fuzz/tpm2_fuzz_common.h tests/fuzz/tpm2_fuzz_keygen.h vtpm/sim/sim_proto.c $(SIM_HDRS) $$(sim_fuzz_objs) $$(BEARSSL_HOST_LIB)
	$(call host_prog,$(SIM_FUZZ_FLAGS) $(SIM_FUZZ_LINK) -Itests/fuzz -Ivtpm/sim -Ivtpm/tpm2 \
	    $(TPM2_INCLUDES) -I$(BEARSSL_INC))

$(FUZZ_TPM2_STATE): tests/fuzz/tpm2_state_fuzz.c tests/fuzz/tpm2_fuzz_common.h tests/fuzz/tpm2_fuzz_keygen.h $$(sim_fuzz_objs) $$(BEARSSL_HOST_LIB)
	$(call host_prog,$(SIM_FUZZ_FLAGS) $(SIM_FUZZ_LINK) -Itests/fuzz -Ivtpm/tpm2 $(TPM2_INCLUDES) \
	    -I$(BEARSSL_INC))

# ---- the engine as a shared object, for the in-process half of tests/bench/tpm2_bench.py ------
SIM_ENGINE_SO := $(SIM_BUILD)/libanchor-tpm2.so
$(SIM_ENGINE_SO): $$(sim_fuzz_engine_srcs) $$(wildcard vtpm/tpm2/*.h) $$(CRYPTO_DEPS) $$(BEARSSL_HOST_LIB)
	$(call host_prog,$(HOST_CFLAGS) -fPIC -shared -Ivtpm/tpm2 $(TPM2_INCLUDES) $(CRYPTO_INCLUDES))

ifneq ($(SIM_HAVE_ENGINE),)
ALL_TARGETS += $(ANCHOR_TPMD)
TEST_DEPS   += $(FUZZ_TPM2_EXECUTE) $(FUZZ_TPM2_FRAMING) $(FUZZ_TPM2_STATE) $(SIM_ENGINE_SO)
FUZZ_DEPS   += $(FUZZ_TPM2_EXECUTE) $(FUZZ_TPM2_FRAMING) $(FUZZ_TPM2_STATE)
FUZZ_SUITES += tests/fuzz/tpm2_fuzz.sh
endif

# ---- suites ------------------------------------------------------------------------------------
# Both report the anchor half as skipped while anchor-tpmd cannot be built.
TEST_SUITES += tests/tpm2-tools/daemon.py tests/tpm2-tools/run.sh tests/fuzz/tpm2_fuzz.sh
BENCH_SUITES += tests/bench/tpm2_bench.py

# What an ESYS client sees, anchor-tpmd vs swtpm side by side (wall + server CPU per command).
SIM_ESYS_BENCH := $(SIM_BUILD)/tpm2_esys_bench
$(SIM_ESYS_BENCH): tests/bench/tpm2_esys_bench.c
	$(call host_prog,$(HOST_CFLAGS)) -ltss2-esys -ltss2-tctildr
ifneq ($(SIM_HAVE_ENGINE),)
BENCH_SUITES += $(SIM_ESYS_BENCH)
TEST_DEPS    += $(SIM_ESYS_BENCH)
endif
