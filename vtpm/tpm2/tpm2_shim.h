/*
 * The only place the engine touches C library headers.  Both builds get memcpy/memset/memcmp
 * from <string.h>: the host's libc natively, lib/include/string.h freestanding.  stdint, stddef
 * and stdbool come from the compiler in both builds.
 */
#ifndef ANCHOR_TPM2_SHIM_H
#define ANCHOR_TPM2_SHIM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#endif
