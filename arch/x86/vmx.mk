# Intel VMX back end and the Multiboot2 entry (owner: VMX/Bochs engineer).
# Read before hv/hv.mk, which compiles HV_SRCS into hv.elf.
HV_SRCS += arch/x86/vmx.c arch/x86/vmx_logic.c arch/x86/vmx_entry.S hv/mb2_entry.S hv/mb2.c hv/mb2_parse.c
# Its tests: tests/bochs/bochs.mk.
