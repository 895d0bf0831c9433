/*
 * The physical TPM after boot services are gone: a minimal driver for the CRB and the TIS
 * (FIFO) interfaces at locality 0, enough to send a command and read its response.  Used to read
 * back the PCRs the loader measured into, and (ptpm_xfer) as the transport over which anchoring
 * sends its commands (vtpm/anchor/tpmcmd.c marshals them; hv/anchoring.c).  Every wait is
 * bounded: a TPM that stops answering gives an error, never a hang.
 */
#include <anchor/boot_info.h>
#include <anchor/hv.h>
#include <anchor/x86.h>
#include "core.h"
#include "tpmcmd.h"
#include <string.h>

/* CRB registers (TCG PC Client Platform TPM Profile, locality 0) */
#define CRB_LOC_STATE   0x00
#define CRB_LOC_CTRL    0x08
#define CRB_CTRL_REQ    0x40
#define CRB_CTRL_STS    0x44
#define CRB_CTRL_START  0x4C
#define CRB_CMD_SIZE    0x58
#define CRB_CMD_LADDR   0x5C
#define CRB_CMD_HADDR   0x60
#define CRB_RSP_SIZE    0x64
#define CRB_RSP_ADDR    0x68

/* TIS registers */
#define TIS_ACCESS      0x00
#define TIS_STS         0x18
#define TIS_FIFO        0x24
#define TIS_STS_VALID   0x80
#define TIS_CMD_READY   0x40
#define TIS_GO          0x20
#define TIS_DATA_AVAIL  0x10
#define TIS_EXPECT      0x08

#define SPINS 20000000u

static uint32_t iface;
static uint64_t base;

static uint32_t r32(uint32_t off) { return mmio_read32(base + off); }
static void w32(uint32_t off, uint32_t v) { mmio_write32(base + off, v); }
static uint8_t r8(uint32_t off) { return mmio_read8(base + off); }
static void w8(uint32_t off, uint8_t v) { mmio_write8(base + off, v); }

static int wait32(uint32_t off, uint32_t mask, uint32_t want)
{
	for (unsigned i = 0; i < SPINS; i++) {
		if ((r32(off) & mask) == want)
			return 0;
		cpu_relax();
	}
	return -1;
}

static int wait8(uint32_t off, uint8_t mask, uint8_t want)
{
	for (unsigned i = 0; i < SPINS; i++) {
		if ((r8(off) & mask) == want)
			return 0;
		cpu_relax();
	}
	return -1;
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

static int crb_transact(const uint8_t *cmd, size_t cmd_len, uint8_t *rsp, size_t rsp_max, size_t *rsp_len)
{
	w32(CRB_LOC_CTRL, 1);                                   /* requestAccess */
	if (wait32(CRB_LOC_STATE, 0x82, 0x82))                  /* tpmRegValidSts | locAssigned */
		return -1;
	w32(CRB_CTRL_REQ, 1);                                   /* cmdReady */
	if (wait32(CRB_CTRL_REQ, 1, 0) || (r32(CRB_CTRL_STS) & 1))
		return -1;
	uint64_t cmd_pa = ((uint64_t)r32(CRB_CMD_HADDR) << 32) | r32(CRB_CMD_LADDR);
	uint32_t cmd_max = r32(CRB_CMD_SIZE);
	uint64_t rsp_pa = mmio_read32(base + CRB_RSP_ADDR) | ((uint64_t)mmio_read32(base + CRB_RSP_ADDR + 4) << 32);
	uint32_t rsp_size = r32(CRB_RSP_SIZE);
	if (cmd_len > cmd_max || rsp_size < 10)
		return -1;
	volatile uint8_t *cbuf = (volatile uint8_t *)(uintptr_t)cmd_pa;
	for (size_t i = 0; i < cmd_len; i++)
		cbuf[i] = cmd[i];
	w32(CRB_CTRL_START, 1);
	if (wait32(CRB_CTRL_START, 1, 0))
		return -1;
	volatile uint8_t *rbuf = (volatile uint8_t *)(uintptr_t)rsp_pa;
	uint8_t hdr[10];
	for (int i = 0; i < 10; i++)
		hdr[i] = rbuf[i];
	uint32_t len = be32(hdr + 2);
	if (len < 10 || len > rsp_size || len > rsp_max)
		return -1;
	for (uint32_t i = 0; i < len; i++)
		rsp[i] = rbuf[i];
	*rsp_len = len;
	w32(CRB_CTRL_REQ, 2);                                   /* goIdle */
	w32(CRB_LOC_CTRL, 2);                                   /* relinquish */
	return 0;
}

static int tis_transact(const uint8_t *cmd, size_t cmd_len, uint8_t *rsp, size_t rsp_max, size_t *rsp_len)
{
	w8(TIS_ACCESS, 0x02);                                   /* requestUse */
	if (wait8(TIS_ACCESS, 0xA0, 0xA0))                      /* valid | activeLocality */
		return -1;
	w8(TIS_STS, TIS_CMD_READY);
	if (wait8(TIS_STS, TIS_CMD_READY, TIS_CMD_READY))
		return -1;
	for (size_t i = 0; i < cmd_len; i++)
		w8(TIS_FIFO, cmd[i]);
	if (wait8(TIS_STS, TIS_STS_VALID, TIS_STS_VALID) || (r8(TIS_STS) & TIS_EXPECT))
		return -1;
	w8(TIS_STS, TIS_GO);
	if (wait8(TIS_STS, TIS_STS_VALID | TIS_DATA_AVAIL, TIS_STS_VALID | TIS_DATA_AVAIL))
		return -1;
	size_t n = 0, len = 10;
	while (n < len) {
		if (!(r8(TIS_STS) & TIS_DATA_AVAIL) || n >= rsp_max)
			return -1;
		rsp[n++] = r8(TIS_FIFO);
		if (n == 10) {
			len = be32(rsp + 2);
			if (len < 10 || len > rsp_max)
				return -1;
		}
	}
	*rsp_len = n;
	w8(TIS_STS, TIS_CMD_READY);
	w8(TIS_ACCESS, 0x20);                                   /* relinquish */
	return 0;
}

int ptpm_init(const struct boot_info *bi)
{
	iface = bi->ptpm_iface;
	base = bi->ptpm_base ? bi->ptpm_base : 0xFED40000ull;
	return iface == BOOT_PTPM_CRB || iface == BOOT_PTPM_TIS ? 0 : -1;
}

bool ptpm_present(void)
{
	return iface == BOOT_PTPM_CRB || iface == BOOT_PTPM_TIS;
}

static int ptpm_transact(const uint8_t *cmd, size_t cmd_len, uint8_t *rsp, size_t rsp_max, size_t *rsp_len)
{
	if (iface == BOOT_PTPM_CRB)
		return crb_transact(cmd, cmd_len, rsp, rsp_max, rsp_len);
	if (iface == BOOT_PTPM_TIS)
		return tis_transact(cmd, cmd_len, rsp, rsp_max, rsp_len);
	return -1;
}

int ptpm_xfer(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp, size_t rsp_max,
              size_t *rsp_len)
{
	(void)ctx;
	return ptpm_transact(cmd, cmd_len, rsp, rsp_max, rsp_len);
}

/* TPM2_PCR_Read of one PCR in the SHA-256 bank (marshalled by vtpm/anchor/tpmcmd.c, the one
 * place that speaks TPM 2.0 commands to the PTPM).  The channel holds 4 KiB of buffers, so it is
 * a file-scope object, used on the BSP only. */
int ptpm_pcr_read_sha256(unsigned pcr, uint8_t out[32])
{
	static struct tpmc pcr_channel;
	tpmc_init(&pcr_channel, ptpm_xfer, NULL);
	return tpmc_pcr_read_sha256(&pcr_channel, pcr, out) ? -1 : 0;
}
