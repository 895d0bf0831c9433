/*
 * anchor.cfg: the static partitioning of the machine (lib/config.c, shared by the UEFI loader
 * and the hypervisor; pure logic, unit-tested on the host).  Full reference: docs/config.md.
 *
 *   # comment
 *   [lpar alpha]
 *   uuid   = 0b1e7a52-4c3d-4f0e-9a8b-1c2d3e4f5a6b
 *   cpu    = 1                 # physical CPU (0 is the BSP; an LPAR on 0 shares it with the HTPM)
 *   memory = 0x20000000 64M    # host-physical base and size (K/M/G/T suffix); guest sees 0..size
 *   image  = testguest.elf     # file on the boot medium, loaded into the LPAR's RAM
 *   args   = mmio              # free text handed to the guest (optional, default empty)
 *   tpm    = vtpm              # what answers at 0xFED40000: vtpm | testdev | none (default vtpm)
 *   interface = crb            # the vTPM's register interface: crb | tis (default crb)
 *   restart = stop             # after a guest reset (triple fault, port 0xCF9): stop | reset
 *
 *   [platform]                 # optional, at most once: machine-wide settings
 *   vtpm_anchor = ptpm         # ptpm | unanchored-development (default ptpm)
 *
 * uuid, cpu, memory and image are required.  '#' starts a comment anywhere on a line (so args
 * cannot contain '#').  Names: 1-31 of [A-Za-z0-9_.-].  Plain ASCII only outside comments.
 * Every error names the line: "anchor.cfg:7: unknown key 'foo' (known: ...)".
 */
#ifndef ANCHOR_CONFIG_H
#define ANCHOR_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_MAX_LPARS 8
#define CFG_NAME_MAX  32
#define CFG_FILE_MAX  64
#define CFG_ARGS_MAX  128
#define CFG_ERR_MAX   192     /* room for any cfg_parse/cfg_validate message */
#define CFG_LPAR_MIN_RAM 0x200000ull   /* guest_abi.h: info page, page tables, image at 1 MiB */

enum cfg_tpm { CFG_TPM_NONE = 0, CFG_TPM_VTPM, CFG_TPM_TESTDEV };
enum cfg_interface { CFG_IF_CRB = 0, CFG_IF_TIS };
enum cfg_restart { CFG_RESTART_STOP = 0, CFG_RESTART_RESET };
/* ptpm: every vTPM's endorsement hierarchy is anchored in the physical TPM, and vTPMs do not
 * start without one (fail closed).  unanchored-development: vTPMs start without the PTPM's
 * trust; their vEKs and certificates are not trustworthy (the hypervisor says so). */
enum cfg_vtpm_anchor { CFG_ANCHOR_PTPM = 0, CFG_ANCHOR_UNANCHORED_DEV };

/* As written in anchor.cfg ("vtpm", "tis", "reset", ...). */
const char *cfg_tpm_name(enum cfg_tpm t);
const char *cfg_interface_name(enum cfg_interface i);
const char *cfg_restart_name(enum cfg_restart r);

struct cfg_lpar {
	char name[CFG_NAME_MAX];
	uint8_t uuid[16];
	uint32_t cpu;
	uint64_t mem_base;
	uint64_t mem_size;
	char image[CFG_FILE_MAX];
	char initrd[CFG_FILE_MAX];   /* a Linux LPAR's initrd (image = a bzImage), or "" */
	char args[CFG_ARGS_MAX];     /* the test guest's mode, or a Linux LPAR's command line */
	enum cfg_tpm tpm;
	enum cfg_interface interface;   /* of the vTPM (tpm = vtpm) */
	enum cfg_restart restart;
	unsigned line;           /* line of the [lpar] header, for later messages */
};

struct cfg_platform {
	enum cfg_vtpm_anchor vtpm_anchor;
	bool allow_smt_sharing;  /* LPARs (and the BSP) may share a core's SMT siblings (security.md) */
	unsigned line;           /* line of the [platform] header, 0 if there is none */
};

struct cfg {
	struct cfg_platform platform;
	unsigned lpar_count;
	struct cfg_lpar lpars[CFG_MAX_LPARS];
};

/* Parse text (not NUL-terminated).  0 on success; -1 with a NUL-terminated message in err
 * otherwise (truncated to errlen; CFG_ERR_MAX bytes hold every message in full).  On failure
 * *out holds what was parsed so far and must not be used.  Syntax only: cfg_validate next. */
int cfg_parse(const char *text, size_t len, struct cfg *out, char *err, size_t errlen);

/* Check the parsed configuration against the machine: LPAR memory non-empty, 4 KiB-aligned,
 * at least 2 MiB (guest_abi.h layout) and below 2^52, pairwise disjoint; CPUs < cpu_count and
 * distinct; at most cpu_count LPARs; names and UUIDs unique; no LPAR on CPU 0 while any LPAR
 * has a vTPM (CPU 0 runs the HTPM, which serves every vTPM: docs/config.md).  0 or -1 with a message naming the
 * LPAR's [lpar] line, e.g. "anchor.cfg:9: lpar alpha memory overlaps lpar beta".  Whether the
 * memory is actually RAM free for LPARs is the loader's/hypervisor's check (memory map). */
int cfg_validate(const struct cfg *c, unsigned cpu_count, char *err, size_t errlen);

/*
 * Canonical encoding of an LPAR's identity (UUID and name; not its CPU, memory, images, args or
 * tpm kind), the input to config_digest (docs/anchoring.md).  The vEK is derived from it, so
 * it never changes for a given version (docs/config.md, "Identity encoding"):
 *   "ANCHORID" | version (2 bytes BE, = 2) | fields, each tag (1) | length (2, BE) | value:
 *   1 uuid (16 bytes as written) | 2 name (ASCII, no NUL)
 * Version 1 also had 3 cpu and 4 memory size; they were dropped so that moving an LPAR to
 * another CPU or resizing its RAM keeps its vEK (docs/anchoring.md, "Identity").
 * Returns the length written (<= max), or 0 if max is too small (CFG_IDENTITY_MAX always fits)
 * or the name is not NUL-terminated.
 */
#define CFG_IDENTITY_MAGIC      { 'A', 'N', 'C', 'H', 'O', 'R', 'I', 'D' }
#define CFG_IDENTITY_MAGIC_LEN  8
#define CFG_IDENTITY_VERSION    2
#define CFG_ID_TAG_UUID         1
#define CFG_ID_TAG_NAME         2
#define CFG_IDENTITY_MAX        (CFG_IDENTITY_MAGIC_LEN + 2 + 3 + 16 + 3 + (CFG_NAME_MAX - 1))
size_t cfg_identity_encode(const struct cfg_lpar *l, uint8_t *buf, size_t max);

#endif
