# The freestanding test guest (guests/testguest): a static ELF64 loaded at 1 MiB.
# Own flags rather than FREE_CFLAGS: the guest is linked at a fixed address (no -fPIC) and has
# no hypervisor headers beyond the shared ABI ones.

GUEST_DIR    := $(BUILD)/guests
GUEST_CFLAGS := -std=c11 -O2 -g -ffreestanding -nostdinc -isystem $(CLANG_RESOURCE_DIR)/include \
                -Ilib/include -Ihv/include -mgeneral-regs-only -mno-red-zone -fno-stack-protector \
                -fno-pic -fno-pie -fno-builtin -fno-asynchronous-unwind-tables \
                -Wall -Wextra -Werror
TESTGUEST_SRCS := guests/testguest/start.S guests/testguest/main.c lib/string.c
TESTGUEST_OBJS := $(patsubst %,$(GUEST_DIR)/obj/%.o,$(TESTGUEST_SRCS))

$(GUEST_DIR)/obj/%.c.o: %.c hv/include/anchor/guest_abi.h hv/include/anchor/testdev.h
	@mkdir -p $(@D)
	@echo "  CC      $@"; $(FREE_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_DIR)/obj/%.S.o: %.S
	@mkdir -p $(@D)
	@echo "  AS      $@"; $(FREE_CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUEST_DIR)/testguest.elf: $(TESTGUEST_OBJS) guests/testguest/testguest.ld
	@echo "  LD      $@"; ld -m elf_x86_64 -nostdlib -static -z max-page-size=0x1000 \
	    -T guests/testguest/testguest.ld -o $@ $(TESTGUEST_OBJS)

ALL_TARGETS += $(GUEST_DIR)/testguest.elf
