/*
 * The TIS/FIFO front-end of a virtual TPM 2.0 (TCG PC Client Platform TPM Profile (PTP)
 * Specification, FIFO interface): five localities at 0x1000 strides in a 0x5000-byte window,
 * polling only (no interrupts are offered), one command/response buffer of VTPM_FE_BUF_SIZE.
 * See frontend.h for the calling model and docs/vtpm-frontends.md for the register choices.
 */
#ifndef ANCHOR_VTPM_TIS_H
#define ANCHOR_VTPM_TIS_H
#include "frontend.h"

/* Register offsets inside one locality's 4 KiB page. */
#define TIS_REG_ACCESS       0x000u
#define TIS_REG_INT_ENABLE   0x008u
#define TIS_REG_INT_VECTOR   0x00Cu
#define TIS_REG_INT_STATUS   0x010u
#define TIS_REG_INTF_CAP     0x014u
#define TIS_REG_STS          0x018u
#define TIS_REG_DATA_FIFO    0x024u   /* ..0x027 */
#define TIS_REG_INTERFACE_ID 0x030u
#define TIS_REG_XDATA_FIFO   0x080u   /* ..0x0BF */
#define TIS_REG_DID_VID      0xF00u
#define TIS_REG_RID          0xF04u

/* TPM_ACCESS_x */
#define TIS_ACCESS_ESTABLISHMENT 0x01u   /* 1: no TPM_HASH_START since reset (never, here) */
#define TIS_ACCESS_REQUEST_USE   0x02u
#define TIS_ACCESS_PENDING       0x04u
#define TIS_ACCESS_SEIZE         0x08u
#define TIS_ACCESS_BEEN_SEIZED   0x10u
#define TIS_ACCESS_ACTIVE        0x20u
#define TIS_ACCESS_VALID         0x80u

/* TPM_STS_x */
#define TIS_STS_RESPONSE_RETRY   0x02u
#define TIS_STS_SELFTEST_DONE    0x04u
#define TIS_STS_EXPECT           0x08u
#define TIS_STS_DATA_AVAIL       0x10u
#define TIS_STS_GO               0x20u
#define TIS_STS_COMMAND_READY    0x40u
#define TIS_STS_VALID            0x80u
#define TIS_STS_BURST_SHIFT      8
#define TIS_STS_CANCEL           0x01000000u
#define TIS_STS_RESET_EST        0x02000000u
#define TIS_STS_FAMILY_TPM20     0x04000000u   /* tpmFamily = 01 */

/* Identification (docs/vtpm-frontends.md): the PCI vendor id QEMU's and swtpm's TIS report,
 * which Linux drives without vendor quirks. */
#define TIS_VID 0x1014u
#define TIS_DID 0x0001u
#define TIS_RID 0x01u

/* TPM_INTF_CAPABILITY_x: no interrupt of any kind, burst count not static, 64-byte transfers,
 * InterfaceVersion 011 (TIS 1.3 for TPM 2.0). */
#define TIS_INTF_CAPABILITY 0x30000600u
/* TPM_INTERFACE_ID_x: InterfaceType FIFO (0), version 0, CapLocality, 64-byte transfers, CapFIFO,
 * InterfaceSelector FIFO, IntfSelLock (it cannot be switched to CRB), RID in bits 31:24. */
#define TIS_INTERFACE_ID    (0x00000100u | 3u << 11 | 1u << 13 | 1u << 19 | (uint32_t)TIS_RID << 24)

enum tis_state { TIS_IDLE, TIS_READY, TIS_RECEPTION, TIS_EXECUTION, TIS_COMPLETION };

struct tis_config {
	/* Optional: called (from the MMIO write path) when a command has been queued. */
	void (*command_ready)(void *arg);
	void *arg;
	/* Largest burstCount reported, 0 for "all free space / all remaining bytes". */
	uint16_t burst_max;
	/* Localities >= locality_limit are never granted: requestUse and seize there are ignored,
	 * so their ACCESS reads "valid, not active" and their other registers float.  On a PC,
	 * localities 3 and 4 belong to the platform (D-RTM), so a guest's TIS has limit 3.
	 * 0 means no limit (all five). */
	uint8_t locality_limit;
};

/* Caller-owned, one per LPAR; all fields private. */
struct tis {
	struct tis_config cfg;
	enum tis_state state;
	int active;                 /* active locality, -1 when none */
	uint8_t requests;           /* bit L: locality L has requestUse pending */
	uint8_t seized;             /* bit L: beenSeized of locality L */
	uint32_t int_enable[VTPM_FE_LOCALITIES];
	uint8_t int_vector[VTPM_FE_LOCALITIES];
	bool queued;                /* a command waits for tis_take_command */
	bool taken;                 /* the HTPM has it; tis_complete expected */
	bool abandoned;             /* the guest aborted it: its response is dropped */
	bool ready_after;           /* commandReady was written while an abandoned one ran */
	bool cancel;                /* commandCancel written during execution */
	bool malformed;             /* header size impossible: answered TPM_RC_COMMAND_SIZE */
	uint8_t cmd_locality;
	size_t len;                 /* bytes received, or the response length */
	size_t expected;            /* the header's commandSize once 6 bytes are in, else 0 */
	size_t rd;                  /* response bytes read */
	uint8_t buf[VTPM_FE_BUF_SIZE];
};

void tis_init(struct tis *t, const struct tis_config *cfg);
/* Platform reset (_TPM_Init): no active locality, Idle; a command with the HTPM is abandoned. */
void tis_reset(struct tis *t);

int tis_mmio_read(struct tis *t, uint64_t offset, unsigned size, uint64_t *value);
int tis_mmio_write(struct tis *t, uint64_t offset, unsigned size, uint64_t value);

/* The HTPM side.  take copies the queued command to dst (max >= its length) and returns its
 * length and locality, or 0 when nothing is queued or max is too small.  complete delivers the
 * response (a malformed one is replaced by TPM_RC_FAILURE); returns -1 if no command was taken. */
size_t tis_take_command(struct tis *t, uint8_t *dst, size_t max, uint8_t *locality);
int tis_complete(struct tis *t, const uint8_t *rsp, size_t len);
/* The guest wrote commandCancel while the taken command runs: the engine may answer
 * TPM_RC_CANCELED. */
bool tis_cancel_requested(const struct tis *t);

enum tis_state tis_get_state(const struct tis *t);
int tis_active_locality(const struct tis *t);

#endif
