/*
 * The hypervisor's C entry on the BSP: report the measurements, read the PCRs back from the
 * physical TPM, find the CPUs, check the configuration against the machine, build every LPAR,
 * and only then start them — so a bad configuration stops the boot before any LPAR runs.
 */
#include <anchor/arch.h>
#include <anchor/boot_info.h>
#include <anchor/config.h>
#include <anchor/htpm.h>
#include <anchor/hv.h>
#include <anchor/lpar.h>
#include <anchor/vcpu.h>
#include <anchor/x86.h>
#include "core.h"
#include <bearssl_hash.h>
#include <string.h>

static struct cfg config;
static uint32_t cpu_apic_ids[HV_MAX_CPUS];   /* by CPU index, from the MADT */
static struct htpm htpm;
static struct lpar lpars[CFG_MAX_LPARS] __attribute__((aligned(4096)));
static const struct boot_info *boot;

static _Noreturn void boot_stop(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void boot_stop(const char *fmt, ...)
{
	char buf[300];
	va_list ap;
	va_start(ap, fmt);
	vformat_string(buf, sizeof buf, fmt, ap);
	va_end(ap);
	console_printf("anchor: boot stopped: %s\n", buf);
	cpu_halt_forever();
}

static const struct boot_module *find_module(const struct boot_info *bi, const char *name)
{
	for (uint32_t i = 0; i < bi->module_count && i < BOOT_MAX_MODULES; i++)
		if (!strncmp(bi->modules[i].name, name, sizeof bi->modules[i].name))
			return &bi->modules[i];
	return NULL;
}

static void hex(char *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		format_string(out + 2 * i, 3, "%02x", b[i]);
}

/* The firmware's own PCRs 0-7 against the same log: what a verifier would check first. */
static void check_firmware_pcrs(uint8_t replayed[24][32])
{
	char bad[64] = "";
	size_t n = 0;
	for (unsigned p = 0; p < 8; p++) {
		uint8_t v[32];
		if (ptpm_pcr_read_sha256(p, v) || memcmp(replayed[p], v, 32))
			n += format_string(bad + n, sizeof bad - n, " %u", p);
	}
	if (n)
		console_printf("anchor: WARNING: event log does NOT replay to PCRs%s\n", bad);
	else
		console_printf("anchor: event log replays to PCRs 0-7\n");
}

/* What the hypervisor is about to use must be what the loader measured: every module named in
 * an event ("config" = module 0, "image <name>") is hashed again here and compared. */
static void check_modules_measured(const struct boot_info *bi)
{
	for (uint32_t i = 0; i < bi->event_count && i < BOOT_MAX_EVENTS; i++) {
		const struct boot_event *e = &bi->events[i];
		char what[sizeof e->what + 1];
		memcpy(what, e->what, sizeof e->what);
		what[sizeof e->what] = 0;
		const struct boot_module *m = NULL;
		if (!strcmp(what, "config"))
			m = bi->module_count ? &bi->modules[0] : NULL;
		else if (!strncmp(what, "image ", 6))
			m = find_module(bi, what + 6);
		else
			continue;
		uint8_t d[32];
		br_sha256_context h;
		br_sha256_init(&h);
		if (m)
			br_sha256_update(&h, (const void *)(uintptr_t)m->base, m->size);
		br_sha256_out(&h, d);
		if (!m || memcmp(d, e->sha256, 32))
			boot_stop("%s in memory is not what was measured", what);
	}
}

static void report_measurements(const struct boot_info *bi)
{
	char h[65];
	uint32_t pcrs = 0;
	for (uint32_t i = 0; i < bi->event_count && i < BOOT_MAX_EVENTS; i++) {
		const struct boot_event *e = &bi->events[i];
		char what[sizeof e->what + 1];
		memcpy(what, e->what, sizeof e->what);
		what[sizeof e->what] = 0;
		hex(h, e->sha256, 32);
		if (e->reserved)
			console_printf("anchor: WARNING: %s NOT measured (no TPM) sha256=%s\n", what, h);
		else
			console_printf("anchor: measured %s into PCR %u sha256=%s\n", what, e->pcr, h);
		if (!e->reserved && e->pcr < 32)
			pcrs |= 1u << e->pcr;
	}
	if (ptpm_init(bi)) {
		console_printf("anchor: WARNING: no physical TPM: this boot is NOT measured, nothing "
		               "can attest it\n");
		return;
	}
	static uint8_t replayed[24][32];
	unsigned events = 0;
	const uint8_t *final = bi->size >= sizeof *bi && bi->tcg_final_base ?
	                       (const uint8_t *)(uintptr_t)bi->tcg_final_base : NULL;
	bool have_log = bi->tcg_log_base && bi->tcg_log_size &&
	                !eventlog_replay((const uint8_t *)(uintptr_t)bi->tcg_log_base,
	                                 bi->tcg_log_size, final, 64 * 1024, replayed, &events);
	if (!have_log)
		console_printf("anchor: WARNING: no usable TCG2 event log\n");
	for (unsigned p = 0; p < 24; p++) {
		if (!(pcrs & (1u << p)))
			continue;
		uint8_t v[32];
		if (ptpm_pcr_read_sha256(p, v)) {
			console_printf("anchor: WARNING: cannot read PCR %u back from the TPM\n", p);
			continue;
		}
		hex(h, v, 32);
		console_printf("anchor: pcr %u = %s\n", p, h);
		if (have_log)
			console_printf("anchor: event log (%u events) %s PCR %u\n", events,
			               memcmp(replayed[p], v, 32) ? "does NOT replay to" : "replays to", p);
	}
	if (have_log)
		check_firmware_pcrs(replayed);
}

/* Every byte of [base, base+size) must be RAM the hypervisor may give away. */
static bool is_lpar_ram(const struct boot_info *bi, uint64_t base, uint64_t size)
{
	uint64_t cur = base, end = base + size;
	while (cur < end) {
		bool found = false;
		for (uint32_t i = 0; i < bi->mem_count && i < BOOT_MAX_MEM; i++) {
			const struct boot_mem_range *m = &bi->mem[i];
			if ((m->type == BOOT_MEM_LPAR || m->type == BOOT_MEM_USABLE) && cur >= m->base &&
			    cur - m->base < m->size) {
				cur = m->base + m->size;
				found = true;
				break;
			}
		}
		if (!found)
			return false;
	}
	return true;
}

static void load_config(const struct boot_info *bi)
{
	char err[200];
	const struct boot_module *m = bi->module_count ? &bi->modules[0] : NULL;
	if (!m || strcmp(m->name, "anchor.cfg"))
		boot_stop("no anchor.cfg module");
	if (cfg_parse((const char *)(uintptr_t)m->base, m->size, &config, err, sizeof err))
		boot_stop("%s", err);
	if (cfg_validate(&config, cpu_count(), err, sizeof err))
		boot_stop("%s", err);
	/* No SMT sharing unless [platform] allow_smt_sharing = yes (docs/security.md). */
	if (topology_check_placement(&config, cpu_apic_ids, cpu_count(), arch_smt_shift(),
	                             config.platform.allow_smt_sharing, err, sizeof err))
		boot_stop("%s", err);
	for (unsigned i = 0; i < config.lpar_count; i++) {
		const struct cfg_lpar *c = &config.lpars[i];
		if (c->mem_base + c->mem_size > HV_MAPPED_LIMIT)
			boot_stop("anchor.cfg:%u: lpar %s: memory above %lu GiB is not supported", c->line,
			          c->name, (unsigned long)(HV_MAPPED_LIMIT >> 30));
		if (!is_lpar_ram(bi, c->mem_base, c->mem_size))
			boot_stop("anchor.cfg:%u: lpar %s: memory 0x%lx-0x%lx is not free RAM", c->line,
			          c->name, (unsigned long)c->mem_base,
			          (unsigned long)(c->mem_base + c->mem_size));
		pages_exclude(c->mem_base, c->mem_size);
	}
}

static void find_cpus(const struct boot_info *bi)
{
	uint32_t *ids = cpu_apic_ids;
	unsigned n;
	char err[120];
	if (acpi_find_cpus(bi->acpi_rsdp, HV_MAPPED_LIMIT, lapic_id(), ids, HV_MAX_CPUS, &n,
	                   err, sizeof err))
		boot_stop("%s", err);
	smp_init(ids, n);
	console_printf("anchor: %u CPUs\n", n);
}

static struct lpar *lpar_of_cpu(unsigned cpu)
{
	for (unsigned i = 0; i < config.lpar_count; i++)
		if (lpars[i].cfg->cpu == cpu)
			return &lpars[i];
	return NULL;
}

static void ap_main(void)
{
	struct lpar *l = lpar_of_cpu(cpu_index());
	/* A CPU that came up after the BSP gave up on it finds its LPAR already stopped. */
	if (l && __atomic_load_n(&l->state, __ATOMIC_ACQUIRE) != LPAR_STOPPED)
		lpar_run(l);
	cpu_halt_forever();
}

/* The HTPM's exit condition: an AP kicks the BSP when its LPAR stops. */
static bool all_stopped(void *ctx)
{
	(void)ctx;
	for (unsigned i = 0; i < config.lpar_count; i++)
		if (__atomic_load_n(&lpars[i].state, __ATOMIC_ACQUIRE) != LPAR_STOPPED)
			return false;
	return true;
}

void hv_main(struct boot_info *bi)
{
	arch_cpu_init_bsp();
	console_printf("\nanchor: hypervisor started (loader %s)\n",
	               bi && bi->magic == BOOT_INFO_MAGIC ? bi->loader : "?");
	if (!bi || bi->magic != BOOT_INFO_MAGIC || bi->version != BOOT_INFO_VERSION)
		boot_stop("bad boot_info at %p", (void *)bi);
	boot = bi;
	pages_init(bi);
	report_measurements(bi);
	check_modules_measured(bi);
	find_cpus(bi);
	tsc_calibrate();
	bsp_interrupts_init();
	load_config(bi);

	vcpu_ops = arch_select_vcpu_ops();
	const char *why = "unsupported CPU";
	if (!vcpu_ops->cpu_supported(&why))
		boot_stop("cannot run LPARs: %s", why);
	console_printf("anchor: using %s\n", vcpu_ops->name);

	htpm_init(&htpm, &config, all_stopped, NULL);
	char err[200];
	for (unsigned i = 0; i < config.lpar_count; i++) {
		lpars[i].cfg = &config.lpars[i];
		lpars[i].index = i;
		lpars[i].htpm = &htpm;
		if (config.lpars[i].initrd[0])
			lpars[i].initrd = find_module(bi, config.lpars[i].initrd);
		if (lpar_build(&lpars[i], find_module(bi, config.lpars[i].image), err, sizeof err))
			boot_stop("%s", err);
	}
	/* Every LTPM's firmware step first (with anchoring: EK creation, seconds under emulation),
	 * then the APs: an AP that waited for it would only burn its CPU (and an emulator's). */
	htpm_firmware_all(&htpm);
	for (unsigned i = 0; i < config.lpar_count; i++) {
		unsigned cpu = lpars[i].cfg->cpu;
		if (cpu != 0 && smp_start_ap(cpu, bi->ap_trampoline, ap_main)) {
			lpar_stop(&lpars[i], "cpu %u did not start", cpu);
			console_printf("anchor: lpar %s stopped: cpu %u did not start\n", lpars[i].cfg->name, cpu);
			if (lpars[i].vtpm)
				vtpm_lpar_stopped(lpars[i].vtpm);   /* its LTPM is zeroised all the same */
			lpars[i].state = LPAR_STOPPED;
		}
	}
	struct lpar *own = lpar_of_cpu(0);
	if (own)
		lpar_run(own);           /* only when no LPAR has a vTPM (cfg_validate) */
	htpm_serve(&htpm);
	console_printf("anchor: all lpars stopped\n");
	cpu_halt_forever();
}
