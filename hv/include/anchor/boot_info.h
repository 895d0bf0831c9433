/*
 * The contract between a loader (boot/anchor.efi, or the Multiboot2 entry in hv/) and the
 * hypervisor.  The hypervisor depends on nothing else from the firmware.
 *
 * The UEFI loader fills it, exits boot services and jumps to the ELF entry point of hv.elf in
 * 64-bit mode with RDI = struct boot_info *, interrupts off, paging on (identity map of all RAM,
 * as UEFI leaves it).  The Multiboot2 entry builds the same structure from Multiboot2 tags.
 * Every address is physical.  Everything the structure points to lies in memory the loader
 * marked BOOT_MEM_HYPERVISOR or outside usable RAM: the hypervisor may use BOOT_MEM_USABLE.
 */
#ifndef ANCHOR_BOOT_INFO_H
#define ANCHOR_BOOT_INFO_H
#include <stdint.h>

#define BOOT_INFO_MAGIC   0x4F42524F48434E41ull	/* "ANCHORBO" little-endian */
#define BOOT_INFO_VERSION 2   /* 2: boot_event.what holds 72 bytes */

#define BOOT_MAX_MEM      256
#define BOOT_MAX_MODULES  16
#define BOOT_MAX_EVENTS   16

enum boot_mem_type {
	BOOT_MEM_USABLE = 1,     /* free RAM */
	BOOT_MEM_RESERVED = 2,   /* firmware, MMIO, anything not to be touched */
	BOOT_MEM_ACPI = 3,       /* ACPI tables (reclaimable, keep them readable) */
	BOOT_MEM_HYPERVISOR = 4, /* hv image, boot_info, modules, loader allocations for hv */
	BOOT_MEM_LPAR = 5,       /* RAM the configuration gives to LPARs (reserved by the loader) */
};

struct boot_mem_range {
	uint64_t base;
	uint64_t size;
	uint32_t type;           /* enum boot_mem_type */
	uint32_t reserved;
};

/* A file the loader read: module 0 is always anchor.cfg, the others are named in it. */
struct boot_module {
	uint64_t base;
	uint64_t size;
	char name[64];           /* file name as written in anchor.cfg, NUL-terminated */
};

enum boot_ptpm_iface {
	BOOT_PTPM_NONE = 0,
	BOOT_PTPM_CRB = 1,
	BOOT_PTPM_TIS = 2,
};

/* One measurement the loader made into the PTPM (EFI_TCG2 HashLogExtendEvent). */
struct boot_event {
	uint32_t pcr;
	uint32_t reserved;
	uint8_t sha256[32];      /* SHA-256 of the measured data (what was extended) */
	/* "hypervisor", "config", "image <name>" (any image name anchor.cfg accepts, up to
	 * CFG_FILE_MAX - 1 = 63 characters, fits whole: the hypervisor finds the module by it). */
	char what[72];
};

struct boot_info {
	uint64_t magic;          /* BOOT_INFO_MAGIC */
	uint32_t version;        /* BOOT_INFO_VERSION */
	uint32_t size;           /* sizeof(struct boot_info) as the loader knew it */

	uint64_t acpi_rsdp;      /* physical address of the RSDP, 0 if none */
	uint64_t ap_trampoline;  /* one 4 KiB page below 1 MiB, for starting APs; 0 = none */

	uint32_t ptpm_iface;     /* enum boot_ptpm_iface, as the loader found it */
	uint32_t reserved0;
	uint64_t ptpm_base;      /* usually 0xFED40000 */
	uint64_t tcg_log_base;   /* copy of the TCG2 event log (crypto-agile format), 0 if none */
	uint64_t tcg_log_size;

	uint32_t mem_count;
	uint32_t module_count;
	uint32_t event_count;
	uint32_t reserved1;
	struct boot_mem_range mem[BOOT_MAX_MEM];      /* sorted by base, non-overlapping */
	struct boot_module modules[BOOT_MAX_MODULES];
	struct boot_event events[BOOT_MAX_EVENTS];

	char loader[32];         /* "uefi" or "multiboot2" */

	/* Added after version 1's first layout (check size): the firmware's
	 * EFI_TCG2_FINAL_EVENTS_TABLE (events logged after the loader copied the log, e.g. at
	 * ExitBootServices); it stays in firmware-reserved memory.  0 if none. */
	uint64_t tcg_final_base;
};

#endif
