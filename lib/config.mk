# anchor.cfg parser (lib/config.c), shared by the UEFI loader and the hypervisor.
CONFIG_SRCS := lib/config.c
