/*
 * A small vsnprintf for the console: enough for hex dumps, addresses and names.
 * Supports %s %c %d %i %u %x %X %p %%, flags '0' and '-', a width, and l / ll / z lengths.
 */
#include <anchor/hv.h>
#include <stdbool.h>
#include <string.h>

struct out {
	char *buf;
	size_t max, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->max)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, unsigned width, bool zero, bool left)
{
	size_t pad = width > n ? width - n : 0;
	if (!left)
		for (size_t i = 0; i < pad; i++)
			put(o, zero ? '0' : ' ');
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (left)
		for (size_t i = 0; i < pad; i++)
			put(o, ' ');
}

static size_t utoa(char *tmp, uint64_t v, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char rev[24];
	size_t n = 0;
	do {
		rev[n++] = digits[v % base];
		v /= base;
	} while (v);
	for (size_t i = 0; i < n; i++)
		tmp[i] = rev[n - 1 - i];
	return n;
}

size_t vformat_string(char *buf, size_t max, const char *fmt, va_list ap)
{
	struct out o = { buf, max, 0 };
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put(&o, *p);
			continue;
		}
		p++;
		bool zero = false, left = false;
		for (;; p++) {
			if (*p == '0')
				zero = true;
			else if (*p == '-')
				left = true;
			else
				break;
		}
		unsigned width = 0;
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (unsigned)(*p++ - '0');
		int lng = 0;
		while (*p == 'l' || *p == 'z') {
			lng++;
			p++;
		}
		char tmp[24];
		size_t n;
		switch (*p) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			put_padded(&o, s, strlen(s), width, false, left);
			break;
		}
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			put_padded(&o, tmp, 1, width, false, left);
			break;
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			if (v < 0)
				put(&o, '-');
			n = utoa(tmp, u, 10, false);
			put_padded(&o, tmp, n, width, zero, left);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			n = utoa(tmp, v, *p == 'u' ? 10 : 16, *p == 'X');
			put_padded(&o, tmp, n, width, zero, left);
			break;
		}
		case 'p': {
			uint64_t v = (uint64_t)(uintptr_t)va_arg(ap, void *);
			put(&o, '0');
			put(&o, 'x');
			n = utoa(tmp, v, 16, false);
			put_padded(&o, tmp, n, width, zero, left);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			p--;
			break;
		default:
			put(&o, '%');
			put(&o, *p);
			break;
		}
	}
	if (max)
		buf[o.len < max ? o.len : max - 1] = '\0';
	return o.len;
}

size_t format_string(char *buf, size_t max, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t n = vformat_string(buf, max, fmt, ap);
	va_end(ap);
	return n;
}
