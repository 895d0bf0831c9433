# boot/anchor.efi: the GNU-EFI loader (gnu-efi 3.0.15 from Debian; flags as its own examples use).
# It links lib/config.c (cfg_parse), lib/string.c and BearSSL's SHA-256 (freestanding build).

EFI_APP  := $(BUILD)/boot/anchor.efi
EFI_INC  := /usr/include/efi
EFI_LDS  := /usr/lib/elf_x86_64_efi.lds
EFI_CRT0 := /usr/lib/crt0-efi-x86_64.o

EFI_CFLAGS = -std=c11 -O2 -g -ffreestanding -fno-stack-protector -fpic -fshort-wchar \
             -mno-red-zone -mgeneral-regs-only -fno-builtin -DGNU_EFI_USE_MS_ABI \
             -I$(EFI_INC) -I$(EFI_INC)/x86_64 -Ihv/include -Iboot -I$(BEARSSL_INC) \
             -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration

# lib/string.c's memcpy/memset would clash with gnu-efi's (libefi has both): rename ours.
EFI_STRING_DEFS := -Dmemcpy=anchor_ldr_memcpy -Dmemset=anchor_ldr_memset

EFI_OBJS = $(BUILD)/boot/obj/anchor.o $(BUILD)/boot/obj/config.o $(BUILD)/boot/obj/string.o

$(BUILD)/boot/obj/anchor.o: boot/anchor.c hv/include/anchor/boot_info.h hv/include/anchor/config.h \
                            hv/include/anchor/elf64.h | $(BEARSSL_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"; $(FREE_CC) $(EFI_CFLAGS) -c $< -o $@
$(BUILD)/boot/obj/config.o: lib/config.c hv/include/anchor/config.h
	@mkdir -p $(@D)
	@echo "  CC      $<"; $(FREE_CC) $(EFI_CFLAGS) -nostdinc -isystem $(CLANG_RESOURCE_DIR)/include -Ilib/include -c $< -o $@
$(BUILD)/boot/obj/string.o: lib/string.c
	@mkdir -p $(@D)
	@echo "  CC      $<"; $(FREE_CC) $(EFI_CFLAGS) $(EFI_STRING_DEFS) -nostdinc -isystem $(CLANG_RESOURCE_DIR)/include -Ilib/include -c $< -o $@

$(BUILD)/boot/anchor.so: $(EFI_OBJS) $(BEARSSL_FREE_LIB)
	@echo "  LD      $@"; ld -nostdlib -znocombreloc -T $(EFI_LDS) -shared -Bsymbolic \
	    $(EFI_CRT0) $(EFI_OBJS) $(BEARSSL_FREE_LIB) -L/usr/lib -lefi -lgnuefi -o $@

$(EFI_APP): $(BUILD)/boot/anchor.so
	@echo "  EFI     $@"; objcopy -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
	    -j .rela -j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

# Built once lib/config.c (the shared parser) is in the tree.
ifneq ($(wildcard lib/config.c),)
ALL_TARGETS += $(EFI_APP)
endif
