# BearSSL, built from Debian's source package (apt-get source bearssl), twice:
#   $(BEARSSL_HOST_LIB)  native, for the simulator, unit tests and fuzzers
#   $(BEARSSL_FREE_LIB)  freestanding, for the hypervisor (no libc, no SSE, no red zone)
# Only the primitives are built: not ssl/, x509/, the OS RNG or the settings query.

BEARSSL_SRC      := $(BUILD)/bearssl/src
BEARSSL_STAMP    := $(BUILD)/bearssl/.unpacked
BEARSSL_INC      := $(BEARSSL_SRC)/inc
BEARSSL_HOST_LIB := $(BUILD)/bearssl/host/libbearssl.a
BEARSSL_FREE_LIB := $(BUILD)/bearssl/free/libbearssl.a

BEARSSL_DEFS := -DBR_USE_URANDOM=0 -DBR_USE_UNIX_TIME=0 -DBR_RDRAND=0 -DBR_AES_X86NI=0 \
                -DBR_SSE2=0 -DBR_POWER8=0
# The host build keeps BearSSL's AES-NI code (chosen at run time by vtpm/crypto/tc_accel_x86.c);
# the freestanding one stays general-registers-only.
BEARSSL_HOST_DEFS := $(filter-out -DBR_AES_X86NI=0,$(BEARSSL_DEFS))

$(BEARSSL_STAMP):
	@mkdir -p $(BUILD)/bearssl
	scripts/fetch-bearssl.sh $(BEARSSL_SRC)
	@touch $@

# The source list is only known once the package is unpacked: compute it lazily.
bearssl_sources = $(filter-out $(BEARSSL_SRC)/src/ssl/% $(BEARSSL_SRC)/src/x509/% \
                    $(BEARSSL_SRC)/src/rand/sysrng.c $(BEARSSL_SRC)/src/settings.c, \
                    $(shell find $(BEARSSL_SRC)/src -name '*.c' 2>/dev/null))

$(BEARSSL_HOST_LIB): $(BEARSSL_STAMP) mk/bearssl.mk
	@mkdir -p $(@D)
	@echo "  AR      $@"; scripts/build-lib.sh $@ "$(HOST_CC) -O2 -fPIC -g -I$(BEARSSL_SRC)/src -I$(BEARSSL_INC) $(BEARSSL_HOST_DEFS)" \
	    $(call bearssl_sources)

$(BEARSSL_FREE_LIB): $(BEARSSL_STAMP)
	@mkdir -p $(@D)
	@echo "  AR      $@"; scripts/build-lib.sh $@ "$(FREE_CC) $(FREE_CFLAGS) -O2 -I$(BEARSSL_SRC)/src -I$(BEARSSL_INC) $(BEARSSL_DEFS)" \
	    $(call bearssl_sources)

bearssl: $(BEARSSL_HOST_LIB) $(BEARSSL_FREE_LIB)
.PHONY: bearssl
