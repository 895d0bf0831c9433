/*
 * The hypervisor's serial console: COM1 (0x3F8), 115200 8N1, polled.  Several CPUs print, so
 * every call formats into a local buffer first and then sends it under one lock: lines from
 * different CPUs never interleave mid-line.
 */
#include <anchor/hv.h>
#include <anchor/x86.h>
#include <string.h>

#define COM1 0x3F8
#define LSR_THR_EMPTY 0x20

static spinlock_t console_lock;
static int console_ready;

void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			cpu_relax();
}

void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static void serial_init(void)
{
	outb(COM1 + 1, 0x00);   /* no interrupts */
	outb(COM1 + 3, 0x80);   /* DLAB */
	outb(COM1 + 0, 0x01);   /* divisor 1: 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);   /* 8N1 */
	outb(COM1 + 2, 0xC7);   /* FIFO on, cleared */
	outb(COM1 + 4, 0x03);   /* DTR, RTS */
	console_ready = 1;
}

static void serial_putc(char c)
{
	/* Bounded wait: a missing UART must not hang the hypervisor. */
	for (unsigned i = 0; i < 100000 && !(inb(COM1 + 5) & LSR_THR_EMPTY); i++)
		cpu_relax();
	outb(COM1, (uint8_t)c);
}

void console_write(const char *s, size_t n)
{
	spin_lock(&console_lock);
	if (!console_ready)
		serial_init();
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
	spin_unlock(&console_lock);
}

void console_vprintf(const char *fmt, va_list ap)
{
	char buf[512];
	size_t n = vformat_string(buf, sizeof buf, fmt, ap);
	console_write(buf, n < sizeof buf ? n : sizeof buf - 1);
}

void console_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

_Noreturn void hv_panic(const char *fmt, ...)
{
	char buf[400];
	va_list ap;
	va_start(ap, fmt);
	vformat_string(buf, sizeof buf, fmt, ap);
	va_end(ap);
	console_printf("anchor: panic: %s\n", buf);
	cpu_halt_forever();
}
