/*
 * The test guest's console and platform primitives (console.c in the guest; the host test of
 * the TPM modes supplies its own, capturing the output): COM1 output, the reset request and
 * the final halt.  Everything the portable parts of the guest (tpm_modes.c) need from the
 * platform, so they compile unchanged on the host.
 */
#ifndef TESTGUEST_CONSOLE_H
#define TESTGUEST_CONSOLE_H
#include <stddef.h>
#include <stdint.h>

void putc_serial(char c);
void puts_serial(const char *s);
void put_hex(uint64_t v);          /* 0x-prefixed, no leading zeros */
void put_dec(uint64_t v);
void put_hex_bytes(const uint8_t *p, size_t n);   /* two lowercase digits per byte */
/* Asks the platform for a reset (port 0xCF9, as a PC's reset control register); returns only
 * if the reset did not happen. */
void platform_reset(void);
/* The time-stamp counter: ticks of an unknown but constant rate. */
uint64_t read_tsc(void);
_Noreturn void halt(void);

#endif
