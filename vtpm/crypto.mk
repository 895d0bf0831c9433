# vtpm/crypto: the TPM engine's crypto layer over BearSSL (docs/crypto.md).
#
# For the engine: compile $(CRYPTO_SRCS) with $(CRYPTO_INCLUDES) into the engine's host and
# freestanding libraries; objects must depend on $(CRYPTO_DEPS) (BearSSL's unpacked source,
# whose src/inner.h gives the big-integer primitives) and link with BearSSL.

CRYPTO_SRCS     := $(wildcard vtpm/crypto/*.c)
CRYPTO_HDRS     := $(wildcard vtpm/crypto/*.h)
CRYPTO_INCLUDES := -Ivtpm/crypto -I$(BEARSSL_INC) -I$(BEARSSL_SRC)/src
CRYPTO_DEPS     := $(BEARSSL_STAMP) $(CRYPTO_HDRS)

CRYPTO_BUILD     := $(BUILD)/crypto
CRYPTO_HOST_OBJS := $(patsubst vtpm/crypto/%.c,$(CRYPTO_BUILD)/host/%.o,$(CRYPTO_SRCS))
CRYPTO_FREE_OBJS := $(patsubst vtpm/crypto/%.c,$(CRYPTO_BUILD)/free/%.o,$(CRYPTO_SRCS))
CRYPTO_HOST_LIB  := $(CRYPTO_BUILD)/libtcrypto-host.a
CRYPTO_FREE_LIB  := $(CRYPTO_BUILD)/libtcrypto-free.a

$(CRYPTO_BUILD)/host/%.o: vtpm/crypto/%.c $(CRYPTO_DEPS)
	@mkdir -p $(@D)
	@echo "  CC      $@"; $(HOST_CC) $(HOST_CFLAGS) -fPIC $(CRYPTO_INCLUDES) -c $< -o $@

$(CRYPTO_BUILD)/free/%.o: vtpm/crypto/%.c $(CRYPTO_DEPS)
	@mkdir -p $(@D)
	@echo "  CC      $@"; $(FREE_CC) $(FREE_CFLAGS) -O2 $(CRYPTO_INCLUDES) -c $< -o $@

$(CRYPTO_HOST_LIB): $(CRYPTO_HOST_OBJS)
	@echo "  AR      $@"; rm -f $@; ar rcs $@ $^

$(CRYPTO_FREE_LIB): $(CRYPTO_FREE_OBJS)
	@echo "  AR      $@"; rm -f $@; ar rcs $@ $^

ALL_TARGETS += $(CRYPTO_HOST_LIB) $(CRYPTO_FREE_LIB)

# ---- tests and benchmarks (native) ----
CRYPTO_TEST_CFLAGS := $(HOST_CFLAGS) $(CRYPTO_INCLUDES)
CRYPTO_TEST_LIBS   := $(CRYPTO_HOST_LIB) $(BEARSSL_HOST_LIB)

$(CRYPTO_BUILD)/crypto_bench: tests/unit/crypto_bench.c $(CRYPTO_TEST_LIBS)
	$(call host_prog,$(CRYPTO_TEST_CFLAGS))

BENCH_SUITES += $(CRYPTO_BUILD)/crypto_bench
TEST_DEPS    += $(CRYPTO_BUILD)/crypto_bench

$(CRYPTO_BUILD)/crypto_vectors.h: tests/unit/crypto_vectors.py
	@mkdir -p $(@D)
	@echo "  GEN     $@"; /usr/bin/python3 $< > $@.tmp && mv $@.tmp $@

$(CRYPTO_BUILD)/crypto_unit: tests/unit/crypto_unit.c tests/unit/check.h $(CRYPTO_BUILD)/crypto_vectors.h $(CRYPTO_TEST_LIBS)
	$(call host_prog,$(CRYPTO_TEST_CFLAGS) -I$(CRYPTO_BUILD))

TEST_SUITES += $(CRYPTO_BUILD)/crypto_unit
TEST_DEPS   += $(CRYPTO_BUILD)/crypto_unit

# openssl judges our outputs (keys, signatures, ciphertexts): crypto_emit + crypto_openssl.py
$(CRYPTO_BUILD)/crypto_emit: tests/unit/crypto_emit.c $(CRYPTO_TEST_LIBS)
	$(call host_prog,$(CRYPTO_TEST_CFLAGS))

$(CRYPTO_BUILD)/crypto_openssl: $(CRYPTO_BUILD)/crypto_emit tests/unit/crypto_openssl.py
	@printf '#!/bin/sh\nexec /usr/bin/python3 %s %s\n' "$(CURDIR)/tests/unit/crypto_openssl.py" \
	    "$(CURDIR)/$(CRYPTO_BUILD)/crypto_emit" > $@ && chmod +x $@

TEST_SUITES += $(CRYPTO_BUILD)/crypto_openssl
TEST_DEPS   += $(CRYPTO_BUILD)/crypto_openssl

# The same unit tests with the crypto sources under ASan + UBSan (BearSSL itself unsanitised).
CRYPTO_ASAN_CFLAGS := $(HOST_CFLAGS) -O1 -fsanitize=address,undefined \
                      -fno-sanitize-recover=undefined $(CRYPTO_INCLUDES) -I$(CRYPTO_BUILD)
$(CRYPTO_BUILD)/crypto_unit_asan: tests/unit/crypto_unit.c tests/unit/check.h $(CRYPTO_SRCS) $(CRYPTO_BUILD)/crypto_vectors.h $(CRYPTO_DEPS) $(BEARSSL_HOST_LIB)
	$(call host_prog,$(CRYPTO_ASAN_CFLAGS))

TEST_SUITES += $(CRYPTO_BUILD)/crypto_unit_asan
TEST_DEPS   += $(CRYPTO_BUILD)/crypto_unit_asan

# The same unit tests linked against the *freestanding* objects (ours and BearSSL's, as the
# hypervisor links them; libc only supplies mem*): the vEK must not depend on the build.
$(CRYPTO_BUILD)/crypto_unit_free: tests/unit/crypto_unit.c tests/unit/check.h $(CRYPTO_BUILD)/crypto_vectors.h $(CRYPTO_FREE_LIB) $(BEARSSL_FREE_LIB)
	$(call host_prog,$(CRYPTO_TEST_CFLAGS) -I$(CRYPTO_BUILD))

TEST_SUITES += $(CRYPTO_BUILD)/crypto_unit_free
TEST_DEPS   += $(CRYPTO_BUILD)/crypto_unit_free

# The freestanding crypto and BearSSL (as the hypervisor links them) use general registers
# only: the host's SHA-NI/AES-NI paths are chosen at run time in host builds alone.
$(CRYPTO_BUILD)/free_no_simd: tests/unit/free_no_simd.sh $(CRYPTO_FREE_LIB) $(BEARSSL_FREE_LIB)
	@printf '#!/bin/sh\nexec %s %s %s\n' "$(CURDIR)/tests/unit/free_no_simd.sh" \
	    "$(CURDIR)/$(CRYPTO_FREE_LIB)" "$(CURDIR)/$(BEARSSL_FREE_LIB)" > $@ && chmod +x $@

TEST_SUITES += $(CRYPTO_BUILD)/free_no_simd
TEST_DEPS   += $(CRYPTO_BUILD)/free_no_simd
