/*
 * The hypervisor's serial console: COM1 (0x3F8), 115200 8N1, polled.
 *
 * Only the BSP touches the UART.  Every other CPU (each running one LPAR, whose console lines
 * and stop messages come through here) appends its records to a ring of its own and kicks the
 * BSP: an AP never waits for the UART or for another CPU's output, so a chatty LPAR cannot
 * stall another LPAR's exit path (a serial line takes ~9 ms at 115200 baud).  A record that does
 * not fit its ring is dropped and counted; the BSP reports the count.  The BSP drains the rings
 * one whole record at a time, so lines from different CPUs never interleave: blocking while it
 * has nothing else to do (console_service(true) in its wait loop, and before anything it prints
 * itself, so the order per CPU is kept and "all lpars stopped" comes after every LPAR's last
 * line), and without waiting while it runs an LPAR of its own (console_service(false): only
 * what the UART FIFO takes right now).
 */
#include <anchor/hv.h>
#include <anchor/x86.h>
#include <stdbool.h>
#include <string.h>

#define COM1 0x3F8
#define LSR_THR_EMPTY 0x20

#define UART_FIFO 16
#define RING_BYTES 8192u         /* per AP; a power of two */

/* One AP's output: single producer (its CPU), single consumer (the BSP). */
struct console_ring {
	char buf[RING_BYTES];
	uint32_t head;               /* written by the producer (release) */
	uint32_t tail;               /* written by the consumer (release) */
	uint32_t dropped;            /* bytes dropped by the producer (atomic add) */
	uint32_t dropped_reported;   /* consumer's copy of what it already reported */
};

static spinlock_t console_lock;  /* the UART and the drain state, on the BSP */
static int console_ready;
static struct console_ring rings[HV_MAX_CPUS];
static unsigned draining = HV_MAX_CPUS;   /* ring whose record is half sent, or none */

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

static bool uart_ready(void)
{
	return (inb(COM1 + 5) & LSR_THR_EMPTY) != 0;
}

static void serial_putc(char c)
{
	/* Bounded wait: a missing UART must not hang the hypervisor. */
	for (unsigned i = 0; i < 100000 && !uart_ready(); i++)
		cpu_relax();
	outb(COM1, (uint8_t)c);
}

static void serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

/* On an AP: the record goes into its ring whole, or is dropped whole. */
static void ring_put(struct console_ring *r, const char *s, size_t n)
{
	uint32_t head = r->head;
	uint32_t used = head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	if (n > RING_BYTES - used) {
		__atomic_fetch_add(&r->dropped, (uint32_t)n, __ATOMIC_RELAXED);
		return;
	}
	for (size_t i = 0; i < n; i++)
		r->buf[(head + i) & (RING_BYTES - 1)] = s[i];
	__atomic_store_n(&r->head, head + (uint32_t)n, __ATOMIC_RELEASE);
}

/* wait: poll until the UART takes the byte; otherwise the caller knows the FIFO has room. */
static void uart_put(char c, bool wait)
{
	if (wait)
		serial_putc(c);
	else
		outb(COM1, (uint8_t)c);
}

/* Sends bytes of ring `cpu` up to the end of its current record (a newline) or, unless wait,
 * until *budget (the room left in the UART FIFO) is used up.  Returns true when the record is
 * complete (or the ring drained up to head). */
static bool drain_record(unsigned cpu, uint32_t head, bool wait, unsigned *budget)
{
	struct console_ring *r = &rings[cpu];
	uint32_t tail = r->tail;
	bool done = false;
	while (tail != head && !done) {
		char c = r->buf[tail & (RING_BYTES - 1)];
		unsigned need = c == '\n' ? 2 : 1;
		if (!wait) {
			if (*budget < need)
				break;
			*budget -= need;
		}
		if (c == '\n')
			uart_put('\r', wait);
		uart_put(c, wait);
		tail++;
		done = c == '\n';
	}
	__atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
	return done || tail == head;
}

static void report_drops(unsigned cpu)
{
	struct console_ring *r = &rings[cpu];
	uint32_t d = __atomic_load_n(&r->dropped, __ATOMIC_RELAXED);
	if (d == r->dropped_reported)
		return;
	char buf[96];
	size_t n = format_string(buf, sizeof buf, "anchor: console: %u bytes from cpu %u dropped "
	                         "(its buffer was full)\n", d - r->dropped_reported, cpu);
	serial_write(buf, n);
	r->dropped_reported = d;
}

/* With console_lock held, on the BSP.  Each ring is drained up to where its head was when
 * this started: an LPAR that never stops printing cannot keep the BSP here. */
static void drain_rings(bool wait)
{
	unsigned budget = wait || uart_ready() ? UART_FIFO : 0;
	if (!wait && !budget)
		return;
	if (draining < HV_MAX_CPUS) {
		uint32_t head = __atomic_load_n(&rings[draining].head, __ATOMIC_ACQUIRE);
		if (!drain_record(draining, head, wait, &budget))
			return;
		draining = HV_MAX_CPUS;
	}
	for (unsigned cpu = 1; cpu < HV_MAX_CPUS; cpu++) {
		struct console_ring *r = &rings[cpu];
		uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
		while (head != r->tail) {
			if (!drain_record(cpu, head, wait, &budget)) {
				draining = cpu;
				return;
			}
		}
		if (wait)
			report_drops(cpu);
	}
}

void console_service(bool wait)
{
	spin_lock(&console_lock);
	if (!console_ready)
		serial_init();
	drain_rings(wait);
	spin_unlock(&console_lock);
}

void console_write(const char *s, size_t n)
{
	unsigned cpu = cpu_index();
	if (cpu != 0 && cpu < HV_MAX_CPUS) {
		ring_put(&rings[cpu], s, n);
		bsp_kick();
		return;
	}
	spin_lock(&console_lock);
	if (!console_ready)
		serial_init();
	drain_rings(true);           /* what the APs said before comes first */
	serial_write(s, n);
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
