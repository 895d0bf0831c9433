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
