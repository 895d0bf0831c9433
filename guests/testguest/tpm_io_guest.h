/*
 * The test guest's MMIO, RAM and wait primitives for the TPM driver (tpm_io_guest.c).
 */
#ifndef TESTGUEST_TPM_IO_GUEST_H
#define TESTGUEST_TPM_IO_GUEST_H
#include "console.h"
#include "tpm_drv.h"

struct guest_tpm_io {
	struct tpm_io io;
	uint64_t ram_size;
	uint64_t wait_start;   /* TSC at the first round of the current wait */
};

/* Fills g (caller-owned) and returns its io. */
const struct tpm_io *guest_tpm_io(struct guest_tpm_io *g, uint64_t ram_size);

#endif
