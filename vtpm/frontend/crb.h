/*
 * The CRB front-end of a virtual TPM 2.0 (TCG PC Client Platform TPM Profile (PTP)
 * Specification, Command Response Buffer interface): locality 0 only (CapLocality = 0), the
 * control area at the start of the window, polling only, and a command/response buffer whose
 * location is a parameter: inside the window at 0x80 (0xF80 bytes, as QEMU's tpm-crb) for now,
 * in LPAR RAM (the HTPM: docs/architecture.md), in which case data moves without exits and the buffer is only
 * read at START (crb_take_command copies it, so the guest cannot change it under the engine).
 */
#ifndef ANCHOR_VTPM_CRB_H
#define ANCHOR_VTPM_CRB_H
#include "frontend.h"

#define CRB_REG_LOC_STATE     0x00u
#define CRB_REG_LOC_CTRL      0x08u
#define CRB_REG_LOC_STS       0x0Cu
#define CRB_REG_INTF_ID       0x30u   /* 64 bits */
#define CRB_REG_CTRL_EXT      0x38u   /* 64 bits */
#define CRB_REG_CTRL_REQ      0x40u
#define CRB_REG_CTRL_STS      0x44u
#define CRB_REG_CTRL_CANCEL   0x48u
#define CRB_REG_CTRL_START    0x4Cu
#define CRB_REG_INT_ENABLE    0x50u
#define CRB_REG_INT_STS       0x54u
#define CRB_REG_CMD_SIZE      0x58u
#define CRB_REG_CMD_LADDR     0x5Cu
#define CRB_REG_CMD_HADDR     0x60u
#define CRB_REG_RSP_SIZE      0x64u
#define CRB_REG_RSP_ADDR      0x68u   /* 64 bits */
#define CRB_DATA_BUFFER       0x80u
#define CRB_DATA_BUFFER_SIZE  0xF80u

#define CRB_LOC_STATE_ESTABLISHED 0x01u   /* as QEMU: reads 1 */
#define CRB_LOC_STATE_ASSIGNED    0x02u
#define CRB_LOC_STATE_VALID       0x80u
#define CRB_LOC_CTRL_REQUEST      0x01u
#define CRB_LOC_CTRL_RELINQUISH   0x02u
#define CRB_LOC_CTRL_SEIZE        0x04u
#define CRB_LOC_CTRL_RESET_EST    0x08u
#define CRB_LOC_STS_GRANTED       0x01u
#define CRB_LOC_STS_BEEN_SEIZED   0x02u
#define CRB_CTRL_REQ_CMD_READY    0x01u
#define CRB_CTRL_REQ_GO_IDLE      0x02u
#define CRB_CTRL_STS_ERROR        0x01u
#define CRB_CTRL_STS_IDLE         0x02u
#define CRB_START_INVOKE          0x01u
#define CRB_CANCEL_INVOKE         0x01u

#define CRB_VID 0x1014u   /* as the TIS: docs/vtpm-frontends.md */
#define CRB_DID 0x0001u
#define CRB_RID 0x01u
/* TPM_CRB_INTF_ID_0 low half: InterfaceType CRB (1), InterfaceVersion 1, CapLocality 0,
 * CapCRBIdleBypass, 64-byte transfers, CapCRB, InterfaceSelector CRB, IntfSelLock, RID. */
#define CRB_INTF_ID_LO (1u | 1u << 4 | 1u << 9 | 3u << 11 | 1u << 14 | 1u << 17 | 1u << 19 | \
                        (uint32_t)CRB_RID << 24)
#define CRB_INTF_ID_HI ((uint32_t)CRB_DID << 16 | CRB_VID)

enum crb_state { CRB_IDLE, CRB_READY, CRB_EXECUTION, CRB_COMPLETION };

struct crb_config {
	void (*command_ready)(void *arg);   /* optional, as tis_config */
	void *arg;
	uint64_t buf_gpa;          /* what CMD/RSP_ADDR report: where the guest finds the buffer */
	uint32_t buf_size;         /* CMD/RSP_SIZE: 10..VTPM_FE_BUF_SIZE */
	uint32_t buf_window_off;   /* the buffer's offset inside the window, 0 if it is not there */
	uint8_t *buf;              /* host view of the buffer; NULL: the context's own storage */
};

/* The layout of QEMU's tpm-crb: buffer in the window at window_gpa + 0x80, 0xF80 bytes. */
void crb_config_in_window(struct crb_config *cfg, uint64_t window_gpa);

struct crb {
	struct crb_config cfg;
	uint8_t *buf;
	enum crb_state state;
	bool assigned;         /* locality 0 is active */
	bool queued, taken;
	bool cancel;           /* TPM_CRB_CTRL_CANCEL_0 */
	bool idle_after;       /* goIdle written while the HTPM had a command: pending */
	bool ready_after;      /* cmdReady written while the HTPM had a command: pending */
	bool abandoned;        /* reset during execution: the response is dropped */
	uint32_t int_enable;
	size_t cmd_len;
	uint8_t storage[CRB_DATA_BUFFER_SIZE];
};

/* Returns -1 (and leaves a context that ignores the guest) if cfg is inconsistent. */
int crb_init(struct crb *c, const struct crb_config *cfg);
void crb_reset(struct crb *c);

int crb_mmio_read(struct crb *c, uint64_t offset, unsigned size, uint64_t *value);
int crb_mmio_write(struct crb *c, uint64_t offset, unsigned size, uint64_t value);

size_t crb_take_command(struct crb *c, uint8_t *dst, size_t max, uint8_t *locality);
int crb_complete(struct crb *c, const uint8_t *rsp, size_t len);
bool crb_cancel_requested(const struct crb *c);
enum crb_state crb_get_state(const struct crb *c);

#endif
