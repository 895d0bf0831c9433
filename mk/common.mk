# Toolchain and flags shared by every part of the tree.

HOST_CC  ?= clang
FREE_CC  ?= clang
CLANG_RESOURCE_DIR := $(shell $(FREE_CC) -print-resource-dir)

# Host code (tests, simulator, fuzzers): C11 with warnings that matter.
HOST_CFLAGS ?= -std=c11 -O2 -g -Wall -Wextra -Werror=implicit-function-declaration \
               -Werror=incompatible-pointer-types -D_DEFAULT_SOURCE

# Freestanding code (hypervisor, loader-side helpers, BearSSL for the hypervisor): no libc,
# only the compiler's own headers plus lib/include; no SSE/x87 state to save on VM exits,
# no red zone (interrupts/exceptions may land on the stack), no stack protector (no %fs).
# -fPIC so the same objects link into the PE/COFF loader and the static hypervisor.
FREE_CFLAGS := -std=c11 -ffreestanding -nostdinc -isystem $(CLANG_RESOURCE_DIR)/include \
               -Ilib/include -mgeneral-regs-only -mno-red-zone -fno-stack-protector \
               -fPIC -fvisibility=hidden -fno-builtin -fno-omit-frame-pointer \
               -Wall -Wextra -Werror=implicit-function-declaration

# Recipe for a host program (test, fuzzer, tool) built from the sources, objects and archives
# among its prerequisites (.c .o .a, in their order); the others (headers, generated files)
# only trigger the rebuild.  Use: `$(call host_prog,<compiler flags>)` as the rule's recipe.
define host_prog
	@mkdir -p $(@D)
	@echo "  CC      $@"; $(HOST_CC) $(1) -o $@ $(filter %.c %.o %.a,$^)
endef
