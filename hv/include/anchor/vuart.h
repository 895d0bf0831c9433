/*
 * The virtual COM1 of every LPAR (hv/vuart.c): output only.  The guest's bytes written to THR
 * (port 0x3F8) are assembled into lines and printed on the hypervisor console as one record
 * each, prefixed "[<lpar name>] ".  LSR (0x3FD) reads 0x60 (transmitter empty); the other
 * registers read 0 and ignore writes (guest_abi.h states this for guests).
 *
 * Calling model: one caller-owned struct vuart per LPAR, used only from that LPAR's CPU (its
 * port handler, and vuart_flush when the LPAR stops), so it does not lock.
 */
#ifndef ANCHOR_VUART_H
#define ANCHOR_VUART_H
#include <anchor/mmio.h>

#define VUART_COM1_BASE 0x3F8
#define VUART_COM1_PORTS 8

struct vuart {
	const char *name;        /* the console prefix (the LPAR's name) */
	char line[160];          /* output being assembled */
	unsigned len;
};

/* Claims COM1's ports on the bus for this UART.  0 or -1 (the bus refused the ports). */
int vuart_attach(struct vuart *u, struct mmio_bus *bus, const char *name);

/* Prints what is pending as a line of its own (at stop and restart). */
void vuart_flush(struct vuart *u);

#endif
