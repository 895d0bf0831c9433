/*
 * The virtual COM1 of every LPAR (hv/vuart.c): a 16550A (the register model of
 * anchor/uart16550.h, complete enough for Linux's 8250 driver, no IRQ) whose transmitted bytes
 * are assembled into lines and printed on the hypervisor console as one record each, prefixed
 * "[<lpar name>] ".  LSR (0x3FD) reads 0x60 (transmitter empty) while no input is queued.
 *
 * Calling model: one caller-owned struct vuart per LPAR, used only from that LPAR's CPU (its
 * port handler, and vuart_flush when the LPAR stops), so it does not lock.
 */
#ifndef ANCHOR_VUART_H
#define ANCHOR_VUART_H
#include <anchor/mmio.h>
#include <anchor/uart16550.h>

#define VUART_COM1_BASE 0x3F8
#define VUART_COM1_PORTS 8

struct vuart {
	const char *name;        /* the console prefix (the LPAR's name) */
	struct uart16550 regs;   /* the 16550A's registers */
	char line[160];          /* output being assembled */
	unsigned len;
};

/* Claims COM1's ports on the bus for this UART.  0 or -1 (the bus refused the ports). */
int vuart_attach(struct vuart *u, struct mmio_bus *bus, const char *name);

/* Prints what is pending as a line of its own (at stop and restart). */
void vuart_flush(struct vuart *u);

#endif
