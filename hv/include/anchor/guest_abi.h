/*
 * What a guest finds when its LPAR starts (the hypervisor's side: hv/lpar.c; a guest's side:
 * guests/testguest).  Shared by both so the contract lives in one place.
 *
 * - RAM: guest-physical 0 .. ram_size (the LPAR's memory from anchor.cfg); nothing else is
 *   mapped except the TPM window 0xFED40000-0xFED44FFF, which traps to the LPAR's device
 *   (anchor.cfg `tpm`: its vTPM through TIS or CRB, the test device, or nothing).
 * - Reset: a write of 0x06 or 0x0E to port 0xCF9, 0xFE to port 0x64, or a triple fault resets
 *   the LPAR when anchor.cfg says `restart = reset` (the guest starts again from this state,
 *   its vTPM power-cycled); otherwise the LPAR stops.
 * - CPU: 64-bit long mode, interrupts off, CS = 64-bit code, flat data segments.
 *   CR3 = GUEST_PT_BASE: page tables built by the hypervisor that identity-map 0..4 GiB with
 *   2 MiB pages (so the TPM window is reachable and any other address faults into the
 *   hypervisor, which stops the LPAR).
 *   RIP = the ELF entry point (PT_LOAD segments are loaded at their p_paddr), RSP = ram_size,
 *   RDI = GUEST_INFO_BASE.
 * - Console: OUT to COM1 (0x3F8) THR prints; the hypervisor prefixes each line "[<name>] ".
 *   Reading LSR (0x3FD) returns 0x60 (transmitter empty).  Other COM1 ports read 0.
 * - Stopping: HLT with RFLAGS.IF = 0 stops the LPAR ("stopped: halted").
 */
#ifndef ANCHOR_GUEST_ABI_H
#define ANCHOR_GUEST_ABI_H
#include <stdint.h>

#define GUEST_INFO_BASE  0x1000ull     /* struct guest_info, one page */
#define GUEST_PT_BASE    0x10000ull    /* 0x10000-0x1FFFF: initial page tables */
#define GUEST_LOAD_MIN   0x100000ull   /* images must load at or above 1 MiB */
#define GUEST_INFO_MAGIC 0x4F464E4952484341ull  /* "ACHRINFO" */

/* The TPM window (PC Client PTP: five 4 KiB locality pages), where the LPAR's TPM device
 * (anchor.cfg `tpm`) answers.  It is never mapped: every access traps to the device. */
#define TPM_WINDOW_BASE  0xFED40000ull
#define TPM_WINDOW_SIZE  0x5000ull

/* With `interface = crb` the vTPM's command/response buffer is this page of the LPAR's own RAM
 * (CRB_CTRL_CMD_LADDR/RSP_ADDR report it): the guest fills and reads it without exits; only the
 * control area at TPM_WINDOW_BASE traps.  The hypervisor copies a command out of it once, at
 * START, and writes the response into it.  A guest must leave this page to the TPM (an OS marks
 * it reserved). */
#define GUEST_CRB_BUFFER      0x2000ull
#define GUEST_CRB_BUFFER_SIZE 0x1000u

struct guest_info {
	uint64_t magic;           /* GUEST_INFO_MAGIC */
	uint64_t ram_size;        /* bytes of guest RAM from 0 */
	uint32_t lpar_index;      /* position in anchor.cfg, from 0 */
	uint32_t reserved;
	char name[32];            /* NUL-terminated */
	char args[128];           /* anchor.cfg "args", NUL-terminated */
};

#endif
