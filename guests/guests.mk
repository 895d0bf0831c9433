# The freestanding test guest (guests/testguest): a static ELF64 loaded at 1 MiB.
# Own flags rather than FREE_CFLAGS: the guest is linked at a fixed address (no -fPIC) and has
# no hypervisor headers beyond the shared ABI ones.  Its TPM driver takes the PTP register map
# from the front-ends' headers (vtpm/frontend) and SHA-256 from the freestanding BearSSL.

GUEST_DIR    := $(BUILD)/guests
GUEST_CFLAGS := -std=c11 -O2 -g -ffreestanding -nostdinc -isystem $(CLANG_RESOURCE_DIR)/include \
                -Ilib/include -Ihv/include -Ivtpm/frontend -Ivtpm/tpm2 -I$(BEARSSL_INC) \
                -mgeneral-regs-only -mno-red-zone -fno-stack-protector \
                -fno-pic -fno-pie -fno-builtin -fno-asynchronous-unwind-tables \
                -Wall -Wextra -Werror
# The TPM driver, client and modes: portable, also compiled into the host test
# (tests/unit/testguest_tpm_test.c) against the front-ends and the engine.
TESTGUEST_TPM_SRCS := guests/testguest/tpm_drv.c guests/testguest/tpm_tis_drv.c \
                      guests/testguest/tpm_crb_drv.c guests/testguest/tpm_client.c \
                      guests/testguest/tpm_modes.c
TESTGUEST_TPM_HDRS := $(wildcard guests/testguest/*.h) $(wildcard vtpm/frontend/*.h) vtpm/tpm2/tpm2_const.h
TESTGUEST_SRCS := guests/testguest/start.S guests/testguest/main.c guests/testguest/console.c \
                  guests/testguest/attack.c guests/testguest/tpm_io_guest.c \
                  $(TESTGUEST_TPM_SRCS) lib/string.c
TESTGUEST_OBJS := $(patsubst %,$(GUEST_DIR)/obj/%.o,$(TESTGUEST_SRCS))

$(GUEST_DIR)/obj/%.c.o: %.c hv/include/anchor/guest_abi.h hv/include/anchor/testdev.h \
                        $(TESTGUEST_TPM_HDRS) $(BEARSSL_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $@"; $(FREE_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_DIR)/obj/%.S.o: %.S
	@mkdir -p $(@D)
	@echo "  AS      $@"; $(FREE_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_DIR)/testguest.elf: $(TESTGUEST_OBJS) $(BEARSSL_FREE_LIB) guests/testguest/testguest.ld
	@echo "  LD      $@"; ld -m elf_x86_64 -nostdlib -static -z max-page-size=0x1000 \
	    -T guests/testguest/testguest.ld -o $@ $(TESTGUEST_OBJS) $(BEARSSL_FREE_LIB)

ALL_TARGETS += $(GUEST_DIR)/testguest.elf

# The guest's TPM driver, client and modes on the host, against the real front-ends and engine
# (tests/unit/testguest_tpm_test.c).  vtpm/*.mk is read after this fragment: name the engine
# archive and the front-end sources by path (the recipe's variables fail loudly if they move).
TESTGUEST_TPM_TEST := $(BUILD)/unit/testguest_tpm_test
$(TESTGUEST_TPM_TEST): tests/unit/testguest_tpm_test.c $(TESTGUEST_TPM_SRCS) $(TESTGUEST_TPM_HDRS) \
                       vtpm/frontend/tis.c vtpm/frontend/crb.c tests/unit/check.h \
                       $(BUILD)/vtpm/host/libanchortpm.a $(BEARSSL_HOST_LIB)
	@mkdir -p $(@D)
	@echo "  CCLD    $@"; $(HOST_CC) $(HOST_CFLAGS) -Werror -fsanitize=address,undefined \
	    -fno-sanitize-recover=all -Iguests/testguest -Ihv/include -Ivtpm/frontend -Itests/unit \
	    $(TPM2_INCLUDES) -o $@ $< $(TESTGUEST_TPM_SRCS) $(FE_SRCS) $(TPM2_HOST_LIB) $(BEARSSL_HOST_LIB)

TEST_DEPS   += $(TESTGUEST_TPM_TEST)
TEST_SUITES += $(TESTGUEST_TPM_TEST)
