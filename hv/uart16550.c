/*
 * 16550A register model (contract: anchor/uart16550.h).  Registers (PC16550D data sheet):
 *   0 RBR (read) / THR (write), or DLL with LCR.DLAB      4 MCR (DTR, RTS, OUT1, OUT2, LOOP)
 *   1 IER (4 bits), or DLM with LCR.DLAB                  5 LSR: THRE|TEMT always, DR if data
 *   2 IIR (read) / FCR (write)                            6 MSR: CTS|DSR|DCD, or loopback bits
 *   3 LCR                                                 7 SCR
 * Transmission is instantaneous, so the transmitter is always empty.  Interrupts are only
 * identified in IIR (no line is raised): Linux's 8250 driver in polled mode reads IIR from a
 * timer and needs it to report "THR empty" (when IER.ETBEI is set) and "data available".
 */
#include <anchor/uart16550.h>
#include <string.h>

#define LCR_DLAB     0x80
#define MCR_LOOP     0x10
#define IER_ERBFI    0x01
#define IER_ETBEI    0x02
#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02
#define LSR_DR       0x01
#define LSR_THRE     0x20
#define LSR_TEMT     0x40
#define IIR_NO_INT   0x01
#define IIR_THRI     0x02
#define IIR_RDI      0x04
#define IIR_FIFOS    0xC0
#define MSR_NORMAL   0xB0   /* DCD | DSR | CTS: a cable with the other end ready */

void uart16550_reset(struct uart16550 *u)
{
	memset(u, 0, sizeof(*u));
}

bool uart16550_rx_push(struct uart16550 *u, uint8_t c)
{
	if (u->rx_len >= UART16550_RX_FIFO)
		return false;
	u->rx[(u->rx_head + u->rx_len) % UART16550_RX_FIFO] = c;
	u->rx_len++;
	return true;
}

static uint8_t rx_pop(struct uart16550 *u)
{
	if (!u->rx_len)
		return 0;
	uint8_t c = u->rx[u->rx_head];
	u->rx_head = (uint8_t)((u->rx_head + 1) % UART16550_RX_FIFO);
	u->rx_len--;
	return c;
}

/* IIR, highest-priority source first; reading it acknowledges a THRE interrupt. */
static uint8_t read_iir(struct uart16550 *u)
{
	uint8_t fifos = (u->fcr & FCR_ENABLE) ? IIR_FIFOS : 0;
	if ((u->ier & IER_ERBFI) && u->rx_len)
		return fifos | IIR_RDI;
	if ((u->ier & IER_ETBEI) && u->thre_pending) {
		u->thre_pending = false;
		return fifos | IIR_THRI;
	}
	return fifos | IIR_NO_INT;
}

/* MSR in loopback: CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2. */
static uint8_t read_msr(const struct uart16550 *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_NORMAL;
	uint8_t m = u->mcr;
	return (uint8_t)(((m & 0x02) << 3) | ((m & 0x01) << 5) | ((m & 0x04) << 4) | ((m & 0x08) << 4));
}

static int write_reg(struct uart16550 *u, unsigned reg, uint8_t v)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (reg) {
	case 0:
		if (dlab) {
			u->dll = v;
			return -1;
		}
		u->thre_pending = true;
		if (u->mcr & MCR_LOOP) {
			uart16550_rx_push(u, v);
			return -1;
		}
		return v;
	case 1:
		if (dlab) {
			u->dlm = v;
			return -1;
		}
		/* Enabling ETBEI with the THR empty raises THRE at once, as on the chip. */
		if (!(u->ier & IER_ETBEI) && (v & IER_ETBEI))
			u->thre_pending = true;
		u->ier = v & 0x0F;
		return -1;
	case 2:
		if (v & FCR_CLEAR_RX)
			u->rx_head = u->rx_len = 0;
		u->fcr = v & (FCR_ENABLE | 0xC0);   /* enable and trigger level are kept */
		return -1;
	case 3: u->lcr = v; return -1;
	case 4: u->mcr = v & 0x1F; return -1;
	case 7: u->scr = v; return -1;
	default: return -1;                    /* LSR, MSR: read-only */
	}
}

static uint8_t read_reg(struct uart16550 *u, unsigned reg)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (reg) {
	case 0: return dlab ? u->dll : rx_pop(u);
	case 1: return dlab ? u->dlm : u->ier;
	case 2: return read_iir(u);
	case 3: return u->lcr;
	case 4: return u->mcr;
	case 5: return LSR_THRE | LSR_TEMT | (u->rx_len ? LSR_DR : 0);
	case 6: return read_msr(u);
	default: return u->scr;
	}
}

int uart16550_access(struct uart16550 *u, unsigned reg, bool is_write, uint8_t *val)
{
	reg &= 7;
	if (is_write)
		return write_reg(u, reg, *val);
	*val = read_reg(u, reg);
	return -1;
}
