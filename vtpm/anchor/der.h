/*
 * A small DER writer (ITU-T X.690) for the certificates anchoring issues: freestanding, no
 * allocation, one caller-owned struct der over a caller buffer.
 *
 * Elements are written top-down in their natural order.  der_open() starts a constructed
 * element (SEQUENCE, SET, context tag, or an OCTET/BIT STRING that wraps DER); der_close()
 * ends the innermost one and writes its minimal-length header, moving the content if the length
 * needs more than one byte (certificates are ~1 KiB, so the copies cost nothing).
 * Errors are sticky: the first overflow or misuse sets w->err and every later call does
 * nothing, so a builder checks once at the end (der_finish).
 */
#ifndef ANCHOR_DER_H
#define ANCHOR_DER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DER_MAX_DEPTH 12

#define DER_BOOLEAN      0x01
#define DER_INTEGER      0x02
#define DER_BIT_STRING   0x03
#define DER_OCTET_STRING 0x04
#define DER_NULL         0x05
#define DER_OID          0x06
#define DER_UTF8_STRING  0x0C
#define DER_PRINTABLE    0x13
#define DER_UTC_TIME     0x17
#define DER_GEN_TIME     0x18
#define DER_SEQUENCE     0x30
#define DER_SET          0x31
#define DER_CTX(n)       (0xA0 | (n))   /* [n] constructed (EXPLICIT, or IMPLICIT of a SEQUENCE) */
#define DER_CTX_PRIM(n)  (0x80 | (n))   /* [n] primitive (IMPLICIT of a primitive type) */

struct der {
	uint8_t *buf;
	size_t cap;
	size_t len;
	unsigned depth;
	size_t open[DER_MAX_DEPTH];      /* offset of each open element's (2-byte) header */
	bool err;
};

void der_init(struct der *w, uint8_t *buf, size_t cap);
void der_open(struct der *w, uint8_t tag);
void der_close(struct der *w);
/* A primitive element with the given content. */
void der_prim(struct der *w, uint8_t tag, const void *content, size_t len);
/* Bytes that are already DER (a pre-built Name, SubjectPublicKeyInfo, ...). */
void der_raw(struct der *w, const void *der, size_t len);
/* INTEGER from an unsigned big-endian magnitude of any length: leading zeros are dropped and a
 * 0x00 is prepended when the top bit is set, so the value stays positive (DER minimal form). */
void der_uint(struct der *w, const uint8_t *be, size_t len);
void der_small_uint(struct der *w, uint32_t v);
/* BIT STRING with no unused bits. */
void der_bits(struct der *w, const void *bytes, size_t len);
/* BIT STRING of a named bit list (keyUsage): bit 0 is the MSB of the first byte; trailing zero
 * bits are dropped as DER requires. */
void der_named_bits(struct der *w, uint16_t bits);
/* Returns the length written, or 0 after any error or with elements still open. */
size_t der_finish(const struct der *w);

#endif
