/* Internal interfaces between the files of the hypervisor core (hv/). */
#ifndef ANCHOR_HV_CORE_H
#define ANCHOR_HV_CORE_H
#include <stdbool.h>
#include <anchor/boot_info.h>
#include <anchor/arch.h>
#include <anchor/lpar.h>
#include <anchor/mmio.h>
#include <anchor/paging.h>
#include <stdbool.h>

/* pages.c */
void pages_init(const struct boot_info *bi);
void pages_exclude(uint64_t base, uint64_t size);

/* acpi.c: CPUs from the MADT (index 0 = the BSP).  Tables outside [0, mapped_limit), too long,
 * with a bad checksum or signature are ignored; APIC IDs above 254 (x2APIC) are refused. */
int acpi_find_cpus(uint64_t rsdp, uint64_t mapped_limit, uint32_t bsp_apic_id,
                   uint32_t *apic_ids, unsigned max, unsigned *count, char *err, size_t errlen);

/* topology.c: refuses placements where two LPARs, or an LPAR (other than one on CPU 0) and the
 * BSP, share a physical core; apic_ids[] by CPU index (0 = BSP), smt_shift from CPUID
 * (arch_smt_shift).  0, or -1 with a message naming the line. */
struct cfg;
int topology_check_placement(const struct cfg *c, const uint32_t *apic_ids, unsigned ncpus,
                             unsigned smt_shift, bool allow_sharing, char *err, size_t errlen);

/* devices.c: an LPAR's console and TPM-window device, as its anchor.cfg section says. */
int lpar_attach_devices(struct lpar *l, char *err, size_t errlen);

/* testdev.c: the test device of anchor/testdev.h on the TPM window. */
int testdev_attach(struct mmio_bus *bus);

/* ptpm.c: the physical TPM after boot services (CRB or TIS, locality 0). */
int ptpm_init(const struct boot_info *bi);
int ptpm_pcr_read_sha256(unsigned pcr, uint8_t out[32]);
bool ptpm_present(void);
/* One command/response exchange (the transport of vtpm/anchor/tpmcmd.h; ctx unused): 0, or -1
 * when the PTPM does not answer within the bounded waits or the response does not fit. */
int ptpm_xfer(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp, size_t rsp_max,
              size_t *rsp_len);

/* eventlog.c: replays a crypto-agile TCG2 log, then (if final != NULL) the final-events table
 * read at most final_max bytes, into SHA-256 PCR values (from zero). */
int eventlog_replay(const uint8_t *log, size_t len, const uint8_t *final, size_t final_max,
                    uint8_t pcrs[24][32], unsigned *events);

#endif
