/*
 * Host unit test of the 16550A model (hv/uart16550.c): the register sequences Linux's 8250
 * driver uses on a legacy COM1 with no IRQ (probe, type detection, baud setup, polled transmit
 * from a timer, receive), checked register by register, plus the edge cases (divisor writes
 * never print, loopback never prints, a full receive FIFO drops, FIFO clear).
 */
#include <anchor/uart16550.h>
#include <stdio.h>
#include "check.h"

static struct uart16550 u;
static char out[256];
static unsigned out_len;

static void wr(unsigned reg, uint8_t v)
{
	int c = uart16550_access(&u, reg, true, &v);
	if (c >= 0 && out_len < sizeof(out) - 1)
		out[out_len++] = (char)c;
}

static uint8_t rd(unsigned reg)
{
	uint8_t v = 0x55;
	uart16550_access(&u, reg, false, &v);
	return v;
}

int main(void)
{
	uart16550_reset(&u);
	/* Probe: IER must hold exactly its four bits (a missing port reads 0xFF or 0). */
	wr(1, 0);
	CHECK("8250 probe: IER cleared reads 0", (rd(1) & 0x0F) == 0);
	wr(1, 0xFF);
	CHECK("8250 probe: IER set reads 0x0F (upper bits not kept)", rd(1) == 0x0F);
	wr(1, 0);
	wr(7, 0xA5);
	CHECK("8250 probe: scratch 0xA5", rd(7) == 0xA5);
	wr(7, 0x5A);
	CHECK("8250 probe: scratch 0x5A", rd(7) == 0x5A);
	/* Loopback test: MCR = LOOP | OUT2 | RTS, MSR high nibble must be DCD | CTS. */
	wr(4, 0x1A);
	CHECK("8250 probe: loopback MSR = DCD|CTS", (rd(6) & 0xF0) == 0x90);
	wr(4, 0x1F);
	CHECK("8250 probe: loopback all modem outputs", (rd(6) & 0xF0) == 0xF0);
	wr(4, 0x00);
	CHECK("8250 probe: MSR out of loopback: DCD|DSR|CTS", rd(6) == 0xB0);
	/* Type: FIFO enable makes IIR bits 7:6 = 11 (16550A); no 64-byte FIFO bit (not a 16750). */
	CHECK("type: FIFOs off: IIR = no interrupt", rd(2) == 0x01);
	wr(2, 0x01);
	CHECK("type: 16550A (IIR 7:6 = 11)", (rd(2) & 0xC0) == 0xC0);
	wr(3, 0xBF);
	CHECK("type: no EFR (offset 2 under LCR 0xBF is not 0)", rd(2) != 0);
	wr(3, 0x80);
	wr(2, 0x21);
	CHECK("type: no 16750 64-byte FIFO bit", (rd(2) & 0x20) == 0);
	wr(3, 0);
	wr(1, 0x40);
	CHECK("type: IER bit 6 does not stick (not XScale)", (rd(1) & 0x40) == 0);
	/* Baud setup: divisor writes never print. */
	out_len = 0;
	wr(3, 0x83);
	wr(0, 0x01);
	wr(1, 0x00);
	CHECK("baud: divisor latch reads back", rd(0) == 0x01 && rd(1) == 0x00);
	wr(3, 0x03);
	CHECK("baud: divisor writes print nothing", out_len == 0);
	CHECK("baud: LCR 8N1", rd(3) == 0x03);
	CHECK("baud: IER unchanged by DLM writes", rd(1) == 0x00);
	/* Polled transmit: the timer reads IIR; THRE is identified once ETBEI is on. */
	CHECK("tx: LSR THRE|TEMT, no data", rd(5) == 0x60);
	CHECK("tx: no interrupt while ETBEI is off", (rd(2) & 0x0F) == 0x01);
	wr(1, 0x02);
	CHECK("tx: enabling ETBEI identifies THRE", (rd(2) & 0x0F) == 0x02);
	CHECK("tx: reading IIR acknowledged it", (rd(2) & 0x0F) == 0x01);
	wr(0, 'h');
	CHECK("tx: THR write prints the byte", out_len == 1 && out[0] == 'h');
	CHECK("tx: THRE identified again after the write", (rd(2) & 0x0F) == 0x02);
	for (const char *s = "ello\n"; *s; s++)
		wr(0, (uint8_t)*s);
	CHECK("tx: bytes in order", out_len == 6 && out[4] == 'o' && out[5] == '\n');
	wr(1, 0x00);
	CHECK("tx: ETBEI off: no interrupt", (rd(2) & 0x0F) == 0x01);
	/* Receive. */
	CHECK("rx: push", uart16550_rx_push(&u, 'x') && uart16550_rx_push(&u, 'y'));
	CHECK("rx: LSR data ready", rd(5) == 0x61);
	wr(1, 0x01);
	CHECK("rx: data-available identified with ERBFI", (rd(2) & 0x0F) == 0x04);
	CHECK("rx: bytes in order", rd(0) == 'x' && rd(0) == 'y');
	CHECK("rx: empty: no DR, no interrupt", rd(5) == 0x60 && (rd(2) & 0x0F) == 0x01);
	CHECK("rx: empty RBR reads 0", rd(0) == 0);
	int pushed = 0;
	while (uart16550_rx_push(&u, (uint8_t)pushed) && pushed < 100)
		pushed++;
	CHECK("rx: FIFO holds 16, the 17th is dropped", pushed == UART16550_RX_FIFO);
	wr(2, 0x03);
	CHECK("rx: FCR clear empties the FIFO", rd(5) == 0x60);
	/* Loopback: THR writes come back on RBR and never reach the console. */
	out_len = 0;
	wr(4, 0x10);
	wr(0, 'L');
	CHECK("loopback: nothing printed", out_len == 0);
	CHECK("loopback: byte received", rd(5) == 0x61 && rd(0) == 'L');
	wr(4, 0);
	/* Reset. */
	uart16550_reset(&u);
	CHECK("reset: power-on registers", rd(1) == 0 && rd(3) == 0 && rd(4) == 0 && rd(2) == 0x01 &&
	      rd(5) == 0x60);
	CHECK("offsets wrap at 8", (wr(15, 0x77), rd(7) == 0x77));
	return check_exit();
}
