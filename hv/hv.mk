# The hypervisor ELF (hv.elf): core (hv/), x86 back ends (arch/x86/), pure logic (lib/config.c,
# hv/decode.c, hv/paging.c), lib/string.c and BearSSL (freestanding).
# Other fragments add sources with `HV_SRCS += ...` (arch/x86/*.mk is read before this file);
# everything below uses recursive variables and is expanded only in the rule.

HV_ELF := $(BUILD)/hv/hv.elf

# Sources may be added by fragments read after this one (lib/config.mk, hv/pure.mk): the link
# rule expands its prerequisites a second time, once every fragment has been read.
.SECONDEXPANSION:

HV_SRCS += hv/entry.S hv/main.c hv/console.c hv/format.c hv/pages.c hv/acpi.c arch/x86/smp.c \
           arch/x86/trampoline.S arch/x86/random.c hv/lpar.c hv/mmio.c hv/vuart.c hv/devices.c \
           hv/resetdev.c hv/testdev.c hv/topology.c hv/vtpm.c hv/htpm.c hv/anchoring.c hv/ptpm.c \
           hv/eventlog.c arch/x86/cpu.c arch/x86/idt.S arch/x86/svm.c arch/x86/svm_logic.c \
           arch/x86/svm_entry.S lib/string.c
HV_ALL_SRCS = $(HV_SRCS) $(CONFIG_SRCS) $(DECODE_SRCS) $(PAGING_SRCS)

HV_CFLAGS = $(FREE_CFLAGS) -O2 -g -fno-pic -fno-pie -mretpoline -Ihv/include -Ivtpm $(TPM2_INCLUDES) \
            -I$(BEARSSL_INC) -Ivtpm/anchor -Wno-unused-parameter
HV_OBJS = $(patsubst %,$(BUILD)/hv/obj/%.o,$(HV_ALL_SRCS))
HV_HEADERS = $(wildcard hv/include/anchor/*.h lib/include/*.h arch/x86/*.h hv/*.h vtpm/anchor/*.h)

$(BUILD)/hv/obj/%.c.o: %.c $(HV_HEADERS) | $(BEARSSL_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"; $(FREE_CC) $(filter-out -fPIC,$(HV_CFLAGS)) -c $< -o $@

$(BUILD)/hv/obj/%.S.o: %.S
	@mkdir -p $(@D)
	@echo "  AS      $<"; $(FREE_CC) $(filter-out -fPIC,$(HV_CFLAGS)) -c $< -o $@

# Libraries: anchoring's pure logic, the vTPM front-ends, the engine (+ its crypto), BearSSL,
# in link order.
HV_LIBS = $(ANCHOR_FREE_LIB) $(FE_FREE_LIB) $(TPM2_FREE_LIB) $(BEARSSL_FREE_LIB)

$(HV_ELF): $$(HV_OBJS) linker/hv.ld $$(HV_LIBS)
	@mkdir -p $(@D)
	@echo "  LD      $@"; ld -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack \
	    --no-warn-rwx-segments -T linker/hv.ld -o $@ $(HV_OBJS) $(HV_LIBS)

ALL_TARGETS += $(HV_ELF)

# Host unit tests of the core (hv/tests/hv_unit.c): the exit loop behind a scripted fake vCPU,
# image checks, allocator, MADT, event log, formatter.  page_alloc is the test's own.
HV_UNIT := $(BUILD)/hv/hv-unit
# The engine and anchoring are the test's own fakes (a recording engine that tags each response
# with its identity), so the HTPM's queue and routing are checked exactly.
HV_UNIT_SRCS = hv/tests/hv_unit.c hv/lpar.c hv/mmio.c hv/vuart.c hv/devices.c hv/testdev.c \
               hv/resetdev.c hv/vtpm.c hv/htpm.c vtpm/frontend/tis.c vtpm/frontend/crb.c \
               hv/format.c hv/acpi.c hv/eventlog.c hv/topology.c lib/config.c \
               $(DECODE_SRCS) $(PAGING_SRCS)

HV_UNIT_CFLAGS = $(HOST_CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all \
                 -Wno-unused-parameter -Ihv/include -Ivtpm -Ivtpm/anchor $(TPM2_INCLUDES) -Itests/unit \
                 -I$(BEARSSL_INC)

$(BUILD)/hv/unit-pages.o: hv/pages.c $(HV_HEADERS) | $(BEARSSL_STAMP)
	@mkdir -p $(@D)
	@$(HOST_CC) $(HV_UNIT_CFLAGS) -Dpage_alloc=pages_c_page_alloc -c $< -o $@

$(HV_UNIT): $$(HV_UNIT_SRCS) $(BUILD)/hv/unit-pages.o $(HV_HEADERS) tests/unit/check.h \
           $(BEARSSL_HOST_LIB)
	$(call host_prog,$(HV_UNIT_CFLAGS))

TEST_DEPS += $(HV_UNIT)
TEST_SUITES += $(HV_UNIT)
