# Intel VMX back end and the Multiboot2 entry (owner: VMX/Bochs engineer).
# Sources are compiled into hv.elf by hv/hv.mk (which must extend HV_SRCS with +=).
HV_SRCS += arch/x86/vmx.c
