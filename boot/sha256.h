/* The one hash the loader needs (boot/sha256.c, over BearSSL). */
#ifndef ANCHOR_BOOT_SHA256_H
#define ANCHOR_BOOT_SHA256_H
#include <stddef.h>
#include <stdint.h>
void sha256_of(const void *data, size_t len, uint8_t out[32]);
#endif
