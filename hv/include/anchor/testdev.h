/*
 * The MMIO test device (anchor.cfg "tpm = testdev"): occupies the TPM window so the trap path
 * (nested fault -> decode -> device -> register write-back) can be tested before a vTPM exists.
 *
 * - 0xFED40000-0xFED44FFF is a per-LPAR scratch area of 0x5000 bytes: a read returns the bytes
 *   last written there (little-endian, any width 1/2/4/8, any alignment inside the window).
 *   Initially byte i holds TESTDEV_INIT_BYTE(i).
 * - Exception: the 8 bytes at TESTDEV_LAST_ACCESS are read-only and return a description of the
 *   access before this one: TESTDEV_DESCRIBE(offset, width, write).  Writes there are ignored
 *   (and described like any other access).
 * - An access that crosses the end of the window stops the LPAR.
 */
#ifndef ANCHOR_TESTDEV_H
#define ANCHOR_TESTDEV_H

#include <anchor/guest_abi.h>

#define TESTDEV_BASE          TPM_WINDOW_BASE   /* it occupies the whole TPM window */
#define TESTDEV_SIZE          TPM_WINDOW_SIZE
#define TESTDEV_LAST_ACCESS   0x4FF8ull   /* offset inside the window */
#define TESTDEV_INIT_BYTE(i)  ((unsigned char)(((i) & 0xFF) ^ 0xA5))
#define TESTDEV_DESCRIBE(off, width, write) \
	(((unsigned long long)(width) << 56) | ((unsigned long long)!!(write) << 48) | \
	 (unsigned long long)(off))

#endif
