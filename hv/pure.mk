# Pure logic of the hypervisor (no hypervisor state; unit-tested on the host, tests/unit/).
# The hypervisor core and the UEFI loader compile these with FREE_CFLAGS themselves.
DECODE_SRCS := hv/decode.c
PAGING_SRCS := hv/paging.c

# Their host unit tests and fuzzers: tests/unit/unit.mk, tests/fuzz/hv_fuzz.mk.
