/*
 * The test guest's TPM driver: TIS/FIFO and CRB, driven the way Linux's tpm_tis_core.c and
 * tpm_crb.c drive them (polling, no interrupts), so what the hypervisor sees from the test
 * guest is what it sees from Linux: the same registers, widths and order of accesses.
 *
 * Portable C: every register access and every wait goes through a caller-supplied struct
 * tpm_io.  The guest's io (tpm_io_guest.c) makes real MMIO accesses at 0xFED40000 and spins; the
 * host test (tests/unit/testguest_tpm_test.c) calls the vTPM front-ends (vtpm/frontend) directly
 * and runs the engine while the driver waits.  One driver, both places.
 *
 * A transaction is Linux's tpm_transmit through /dev/tpm0: request the locality, (CRB) cmdReady,
 * send, poll for completion, receive, (TIS) commandReady / (CRB) goIdle, relinquish the locality.
 * Register offsets come from the front-ends' headers: one definition of the PTP register map.
 *
 * Calling model: one struct tpm_dev per device, caller-owned, not thread-safe.  No malloc, no
 * libc beyond lib/include/string.h.
 */
#ifndef TESTGUEST_TPM_DRV_H
#define TESTGUEST_TPM_DRV_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <anchor/guest_abi.h>

#ifndef TPM_WINDOW_BASE   /* until guest_abi.h names the window */
#define TPM_WINDOW_BASE 0xFED40000ull
#define TPM_WINDOW_SIZE 0x5000ull
#endif

/* How the driver reaches the device.  All hooks are required. */
struct tpm_io {
	/* One MMIO access of width 1, 2, 4 or 8 bytes at offset off of the TPM window. */
	uint64_t (*read)(void *ctx, uint32_t off, unsigned width);
	void (*write)(void *ctx, uint32_t off, unsigned width, uint64_t value);
	/* The guest-physical range [gpa, gpa + len) of ordinary RAM as a pointer, or NULL if that
	 * range is not RAM the driver may use (outside RAM, over the guest's image or stack). */
	uint8_t *(*map)(void *ctx, uint64_t gpa, size_t len);
	/* Called between two polls of a register; round is 0 on the first call of each wait and
	 * counts up.  Returns false when the wait has lasted too long (the driver's timeout). */
	bool (*wait)(void *ctx, unsigned round);
	void *ctx;
};

enum tpm_intf { TPM_INTF_NONE, TPM_INTF_TIS, TPM_INTF_CRB };

/* Errors (negative; a TPM response code is never negative). */
#define TPM_E_NODEV     -1   /* no TIS or CRB answers at the window */
#define TPM_E_LOCALITY  -2   /* the locality was not granted */
#define TPM_E_TIMEOUT   -3   /* a status bit did not come in time */
#define TPM_E_PROTOCOL  -4   /* Expect/dataAvail/START contradicted the transfer */
#define TPM_E_SIZE      -5   /* command larger than the buffer, or bad response size */
#define TPM_E_CRB_ERROR -6   /* CRB CTRL_STS.tpmSts: the TPM is in a fatal error state */
#define TPM_E_BUFFER    -7   /* the CRB buffer the device reports is not usable RAM */
#define TPM_E_CANCELED  -8   /* the device went back to Ready/Idle without a response */

struct tpm_dev {
	const struct tpm_io *io;
	enum tpm_intf intf;
	unsigned locality;          /* the locality commands are sent from (TIS: 0-4; CRB: 0) */
	/* CRB: the command/response buffers as the device reports them; cmd/rsp NULL when the
	 * buffer lies in the TPM window (moved with MMIO accesses, as QEMU's tpm-crb). */
	uint64_t cmd_gpa, rsp_gpa;
	uint32_t cmd_size, rsp_size;
	uint8_t *cmd, *rsp;
	uint32_t did_vid;           /* TIS DID_VID or CRB INTF_ID high half */
	/* Statistics: every access is one VM exit for a hypervisor that traps it. */
	unsigned long reads, writes, waits;
};

/* Finds the interface at the window (INTERFACE_ID's InterfaceType, as Linux's probes), and
 * for the CRB the buffers (locality requested, addresses read, goIdle, relinquished, as
 * crb_map_io).  Returns 0 or a TPM_E_ error. */
int tpm_probe(struct tpm_dev *d, const struct tpm_io *io);

/* One command, a whole Linux transaction.  Returns the response length (>= 10, the header
 * checked for a consistent size) or a TPM_E_ error. */
int tpm_transmit(struct tpm_dev *d, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t max);

/* The pieces of tpm_transmit, for tests that stop half way.  tpm_send requests the locality
 * and starts the command; tpm_recv waits for and reads the response and releases the device;
 * tpm_abort cancels what was started (TIS: commandReady; CRB: CTRL_CANCEL then goIdle) and
 * releases the locality. */
int tpm_send(struct tpm_dev *d, const uint8_t *cmd, size_t len);
int tpm_recv(struct tpm_dev *d, uint8_t *rsp, size_t max);
void tpm_abort(struct tpm_dev *d);

/* TIS: writes only the first n bytes of the command into the FIFO (n < len), leaving the
 * interface in Reception, as a guest that gives up mid-command. */
int tpm_tis_send_partial(struct tpm_dev *d, const uint8_t *cmd, size_t n);

/* Requests and checks locality l (TIS: 0-4), releasing it again if it was granted: whether the
 * device grants it.  The driver's own locality is not changed. */
bool tpm_locality_granted(struct tpm_dev *d, unsigned l);

const char *tpm_strerror(int err);

/* ---- the interface-specific halves (tpm_tis_drv.c, tpm_crb_drv.c), used by tpm_drv.c ---- */
uint64_t tpm_rd(struct tpm_dev *d, uint32_t off, unsigned width);
void tpm_wr(struct tpm_dev *d, uint32_t off, unsigned width, uint64_t value);
/* Polls until (read(off, width) & mask) == want; returns false on timeout or after rounds
 * waits (TPM_WAIT_LONG: only the io's timeout). */
bool tpm_wait_reg(struct tpm_dev *d, uint32_t off, unsigned width, uint64_t mask, uint64_t want,
                  unsigned rounds);
#define TPM_WAIT_LONG      0xFFFFFFFFu
#define TPM_LOCALITY_ROUNDS 12u   /* a locality is granted at once or not at all, here */

int tpm_tis_request_locality(struct tpm_dev *d, unsigned l);
void tpm_tis_relinquish(struct tpm_dev *d, unsigned l);
int tpm_tis_send(struct tpm_dev *d, const uint8_t *cmd, size_t len);
int tpm_tis_recv(struct tpm_dev *d, uint8_t *rsp, size_t max);
void tpm_tis_abort(struct tpm_dev *d);

int tpm_crb_probe(struct tpm_dev *d);
int tpm_crb_request_locality(struct tpm_dev *d);
void tpm_crb_relinquish(struct tpm_dev *d);
int tpm_crb_send(struct tpm_dev *d, const uint8_t *cmd, size_t len);
int tpm_crb_recv(struct tpm_dev *d, uint8_t *rsp, size_t max);
void tpm_crb_abort(struct tpm_dev *d);
bool tpm_crb_locality_granted(struct tpm_dev *d, unsigned l);

#endif
