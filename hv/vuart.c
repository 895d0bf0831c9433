/*
 * The LPARs' virtual COM1 (anchor/vuart.h): a guest prints through it without ever reaching the
 * physical UART.  Lines are bounded and sanitised (only printable ASCII and tab; anything else
 * shows as '.'), so a guest cannot forge hypervisor console records or send control sequences
 * to the operator's terminal.
 */
#include <anchor/hv.h>
#include <anchor/vuart.h>

void vuart_flush(struct vuart *u)
{
	if (!u->len)
		return;
	u->line[u->len] = 0;
	console_printf("[%s] %s\n", u->name, u->line);
	u->len = 0;
}

static void put_char(struct vuart *u, char c)
{
	if (c == '\n' || u->len + 1 >= sizeof u->line) {
		vuart_flush(u);
		if (c == '\n')
			return;
	}
	if (c == '\r')
		return;
	u->line[u->len++] = (c >= 0x20 && c < 0x7F) || c == '\t' ? c : '.';
}

static enum mmio_result vuart_access(void *arg, struct mmio_access *a)
{
	struct vuart *u = arg;
	uint8_t v = (uint8_t)a->value;
	/* Wider accesses reach the register at the first port, as on the 8-bit bus (an OUT of a
	 * word to 0x3F8 writes THR with its low byte). */
	int out = uart16550_access(&u->regs, (unsigned)a->address, a->is_write, &v);
	if (out >= 0)
		put_char(u, (char)out);
	if (!a->is_write)
		a->value = v;
	return MMIO_HANDLED;
}

int vuart_attach(struct vuart *u, struct mmio_bus *bus, const char *name)
{
	u->name = name;
	u->len = 0;
	uart16550_reset(&u->regs);
	return pio_region_register(bus, VUART_COM1_BASE, VUART_COM1_PORTS, vuart_access, u);
}
