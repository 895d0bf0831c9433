/* Internal interfaces between the files of the hypervisor core (hv/). */
#ifndef ANCHOR_HV_CORE_H
#define ANCHOR_HV_CORE_H
#include <stdbool.h>
#include <anchor/boot_info.h>
#include <anchor/lpar.h>
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

/* smp.c */
void smp_init(const uint32_t *apic_ids, unsigned count);
int smp_start_ap(unsigned cpu, uint64_t trampoline, void (*fn)(void));
uint32_t lapic_id(void);
void udelay(unsigned us);
void bsp_interrupts_init(void);
void bsp_sleep(void);              /* on the BSP: wait (interrupts on) for a kick */
void tsc_calibrate(void);          /* TSC ticks per millisecond, measured against the PIT */
uint64_t tsc_per_ms(void);

/* lpar.c */
int lpar_build(struct lpar *l, const struct boot_info *bi, char *err, size_t errlen);
void lpar_run(struct lpar *l);

/* main.c */
const struct boot_module *find_module(const struct boot_info *bi, const char *name);
enum pt_format nested_format(void);

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
