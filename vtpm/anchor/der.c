/*
 * DER writer (der.h).  Every write is bounds-checked against the caller's buffer; the first
 * problem makes the writer inert (w->err) so that builders can check once.
 */
#include "der.h"
#include <string.h>

void der_init(struct der *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->depth = 0;
	w->err = buf == NULL;
}

static bool room(struct der *w, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return false;
	}
	return true;
}

static void put(struct der *w, const void *p, size_t n)
{
	if (room(w, n)) {
		if (n)
			memcpy(w->buf + w->len, p, n);
		w->len += n;
	}
}

static void put_byte(struct der *w, uint8_t b) { put(w, &b, 1); }

/* Header length for a content of len bytes: tag + 1 (short form) or tag + 1 + n (long form). */
static size_t header_len(size_t len)
{
	size_t n = 0;
	if (len < 0x80)
		return 2;
	for (size_t v = len; v; v >>= 8)
		n++;
	return 2 + n;
}

static void write_len(uint8_t *p, size_t len)
{
	size_t hl = header_len(len) - 2;
	if (!hl) {
		p[0] = (uint8_t)len;
		return;
	}
	p[0] = (uint8_t)(0x80 | hl);
	for (size_t i = 0; i < hl; i++)
		p[1 + i] = (uint8_t)(len >> (8 * (hl - 1 - i)));
}

void der_open(struct der *w, uint8_t tag)
{
	if (w->err || w->depth == DER_MAX_DEPTH) {
		w->err = true;
		return;
	}
	w->open[w->depth++] = w->len;
	uint8_t hdr[2] = { tag, 0 };
	put(w, hdr, 2);
}

void der_close(struct der *w)
{
	if (w->err || w->depth == 0) {
		w->err = true;
		return;
	}
	size_t at = w->open[--w->depth];
	size_t content = w->len - at - 2;
	size_t extra = header_len(content) - 2;
	if (!room(w, extra))
		return;
	memmove(w->buf + at + 2 + extra, w->buf + at + 2, content);
	write_len(w->buf + at + 1, content);
	w->len += extra;
}

void der_prim(struct der *w, uint8_t tag, const void *content, size_t len)
{
	uint8_t hdr[2 + sizeof(size_t)];
	hdr[0] = tag;
	write_len(hdr + 1, len);
	put(w, hdr, header_len(len));
	put(w, content, len);
}

void der_raw(struct der *w, const void *der, size_t len) { put(w, der, len); }

void der_uint(struct der *w, const uint8_t *be, size_t len)
{
	while (len > 1 && be[0] == 0) {
		be++;
		len--;
	}
	if (len == 0) {
		der_prim(w, DER_INTEGER, "", 1);   /* the value 0 is one zero byte */
		return;
	}
	der_open(w, DER_INTEGER);
	if (be[0] & 0x80)
		put_byte(w, 0);
	put(w, be, len);
	der_close(w);
}

void der_small_uint(struct der *w, uint32_t v)
{
	uint8_t be[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	der_uint(w, be, sizeof be);
}

void der_bits(struct der *w, const void *bytes, size_t len)
{
	der_open(w, DER_BIT_STRING);
	put_byte(w, 0);
	put(w, bytes, len);
	der_close(w);
}

void der_named_bits(struct der *w, uint16_t bits)
{
	/* bits: bit n of the ASN.1 list is (1 << n) here; on the wire it is the n-th bit from the
	 * MSB.  Trailing zero bits are not encoded (X.690 11.2.2). */
	uint8_t b[2] = { 0, 0 };
	int last = -1;
	for (int n = 0; n < 16; n++) {
		if (bits & (1u << n)) {
			b[n / 8] |= (uint8_t)(0x80 >> (n % 8));
			last = n;
		}
	}
	size_t nbytes = last < 0 ? 0 : (size_t)last / 8 + 1;
	uint8_t unused = last < 0 ? 0 : (uint8_t)(7 - last % 8);
	der_open(w, DER_BIT_STRING);
	put_byte(w, unused);
	put(w, b, nbytes);
	der_close(w);
}

size_t der_finish(const struct der *w)
{
	return w->err || w->depth ? 0 : w->len;
}
