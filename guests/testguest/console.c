/*
 * The test guest's console and platform primitives (console.h) on the hardware an LPAR sees
 * (guest_abi.h): COM1 at 0x3F8 polled through LSR, the PC reset control register at 0xCF9,
 * rdtsc, and cli; hlt to stop.
 */
#include "console.h"

#define COM1      0x3F8
#define COM1_LSR  (COM1 + 5)
#define LSR_THRE  0x20
#define RESET_CONTROL 0xCF9
#define RESET_CPU     0x04   /* RST_CPU */
#define RESET_HARD    0x02   /* SYS_RST: a full (not just CPU) reset */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void putc_serial(char c)
{
	for (int spins = 0; spins < 100000 && !(inb(COM1_LSR) & LSR_THRE); spins++)
		;
	outb(COM1, (uint8_t)c);
}

void puts_serial(const char *s)
{
	while (*s)
		putc_serial(*s++);
}

static const char digits[] = "0123456789abcdef";

void put_hex(uint64_t v)
{
	int shift = 60;
	puts_serial("0x");
	while (shift > 0 && !((v >> shift) & 0xF))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		putc_serial(digits[(v >> shift) & 0xF]);
}

void put_dec(uint64_t v)
{
	char buf[20];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		putc_serial(buf[--n]);
}

void put_hex_bytes(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		putc_serial(digits[p[i] >> 4]);
		putc_serial(digits[p[i] & 0xF]);
	}
}

void platform_reset(void)
{
	outb(RESET_CONTROL, RESET_HARD);
	outb(RESET_CONTROL, RESET_HARD | RESET_CPU);
}

uint64_t read_tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

_Noreturn void halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}
