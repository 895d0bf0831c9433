/*
 * A 16550A register model (hv/uart16550.c) for an LPAR's COM1: complete enough for Linux's
 * 8250 driver (autoconfig's IER and scratch tests, FIFO detection as a 16550A, the loopback
 * test, polled transmit driven by IIR's THRE interrupt identification, and receive), with no
 * interrupt line.  Pure logic: the device front end (the hypervisor's vuart, on the LPAR's
 * port bus) calls uart16550_access for each byte access at offsets 0-7 and prints the byte it
 * returns; console input is pushed with uart16550_rx_push.
 *
 * Calling model: one caller-owned struct per LPAR, used from that LPAR's CPU only (input is
 * pushed there too); no locking, no allocation.  Zero-initialised or uart16550_reset = the
 * power-on state (LCR 0, IER 0, FIFOs off, MCR 0).
 */
#ifndef ANCHOR_UART16550_H
#define ANCHOR_UART16550_H
#include <stdbool.h>
#include <stdint.h>

#define UART16550_RX_FIFO 16

struct uart16550 {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending;              /* THRE interrupt identified until IIR read or THR write */
	uint8_t rx[UART16550_RX_FIFO];
	uint8_t rx_head, rx_len;
};

void uart16550_reset(struct uart16550 *u);

/* One byte access at offset reg (0-7).  Reads store the register in *val.  Returns the byte the
 * guest transmitted (0-255) when the access was a THR write outside loopback, else -1. */
int uart16550_access(struct uart16550 *u, unsigned reg, bool is_write, uint8_t *val);

/* Queues one received byte (console input); false when the FIFO is full (byte dropped, as a
 * real UART overruns). */
bool uart16550_rx_push(struct uart16550 *u, uint8_t c);

#endif
