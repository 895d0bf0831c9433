/*
 * anchor.cfg: the static partitioning of the machine (lib/config.c, shared by the UEFI loader
 * and the hypervisor; pure logic, unit-tested on the host).
 *
 *   # comment
 *   [lpar alpha]
 *   uuid   = 0b1e7a52-4c3d-4f0e-9a8b-1c2d3e4f5a6b
 *   cpu    = 1                 # physical CPU (0 is the BSP; an LPAR on 0 shares it with the HTPM)
 *   memory = 0x20000000 64M    # host-physical base and size (K/M/G suffix); guest sees 0..size
 *   image  = testguest.elf     # file on the boot medium, loaded into the LPAR's RAM
 *   args   = mmio              # free text handed to the guest
 *   tpm    = vtpm              # what answers at 0xFED40000: vtpm | testdev | none
 *
 * Every error names the line: "anchor.cfg:7: unknown key 'foo'".
 */
#ifndef ANCHOR_CONFIG_H
#define ANCHOR_CONFIG_H
#include <stddef.h>
#include <stdint.h>

#define CFG_MAX_LPARS 8
#define CFG_NAME_MAX  32
#define CFG_FILE_MAX  64
#define CFG_ARGS_MAX  128

enum cfg_tpm { CFG_TPM_NONE = 0, CFG_TPM_VTPM, CFG_TPM_TESTDEV };

struct cfg_lpar {
	char name[CFG_NAME_MAX];
	uint8_t uuid[16];
	uint32_t cpu;
	uint64_t mem_base;
	uint64_t mem_size;
	char image[CFG_FILE_MAX];
	char args[CFG_ARGS_MAX];
	enum cfg_tpm tpm;
	unsigned line;           /* line of the [lpar] header, for later messages */
};

struct cfg {
	unsigned lpar_count;
	struct cfg_lpar lpars[CFG_MAX_LPARS];
};

/* Parse text (not NUL-terminated).  0 on success; -1 with a message in err otherwise. */
int cfg_parse(const char *text, size_t len, struct cfg *out, char *err, size_t errlen);

/* Check the parsed configuration against the machine: LPAR memory disjoint and page-aligned,
 * CPUs in range and distinct, at most cpu_count LPARs, names and UUIDs unique. */
int cfg_validate(const struct cfg *c, unsigned cpu_count, char *err, size_t errlen);

/* Canonical encoding of an LPAR's identity (UUID, name, cpu, memory size — not its images), the
 * input to config_digest (DESIGN.md, Anchoring).  Returns the length written (<= max). */
size_t cfg_identity_encode(const struct cfg_lpar *l, uint8_t *buf, size_t max);

#endif
