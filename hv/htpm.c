/*
 * The HTPM (anchor/htpm.h): on the BSP, every LTPM's firmware and command executor.
 *
 * Order: each vTPM holds at most one stamped command (a TIS or CRB has one in flight); the
 * HTPM always runs the one with the smallest stamp, i.e. the oldest.  An LPAR that floods its
 * vTPM gets a new stamp only after its previous command completed, so every other waiting
 * command is older and runs first: no LTPM waits for more than one command of each other LTPM.
 * A command is executed on the engine of the vTPM it was dequeued from and completed into that
 * same vTPM's front-end, under that vTPM's lock; nothing else carries a command between LTPMs.
 *
 * Sleep: when there is no work the BSP halts with interrupts on (bsp_sleep); LPAR CPUs kick it
 * with an IPI after queueing a command or a request.  A kick that arrives between the last
 * check and the HLT is not lost (anchor/arch.h).
 */
#include <anchor/arch.h>
#include <anchor/htpm.h>
#include <anchor/hv.h>
#include <tpm2.h>
#include <string.h>

#define PLATFORM_AUTH_LEN  32u   /* bytes of the random platformAuth (a SHA-256 digest's size) */

/* Clears secrets; the empty asm that "reads" the memory keeps the compiler from dropping the
 * memset as a dead store. */
static void zeroise(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* ---- the engine's platform ------------------------------------------------------------------ */

static void engine_entropy(void *ctx, uint8_t *buf, size_t len)
{
	struct htpm *h = ctx;
	anchoring_entropy(&h->anchoring, buf, len);
}

static uint64_t engine_now_ms(void *ctx)
{
	(void)ctx;
	return arch_timestamp() / tsc_per_ms();
}

/* ---- set-up --------------------------------------------------------------------------------- */

static bool any_vtpm(const struct cfg *config)
{
	for (unsigned i = 0; i < config->lpar_count; i++)
		if (config->lpars[i].tpm == CFG_TPM_VTPM)
			return true;
	return false;
}

void htpm_init(struct htpm *h, const struct cfg *config, bool (*all_stopped)(void *ctx),
               void *ctx)
{
	memset(h, 0, sizeof *h);
	h->all_stopped = all_stopped;
	h->all_stopped_ctx = ctx;
	if (!any_vtpm(config))
		return;
	bool dev = config->platform.vtpm_anchor == CFG_ANCHOR_UNANCHORED_DEV;
	h->anchoring_ok = anchoring_init(&h->anchoring, dev) == 0 && h->anchoring.ready;
}

int htpm_add(struct htpm *h, struct vtpm *v, char *err, size_t errlen)
{
	const struct cfg_lpar *c = v->cfg;
	if (!h->anchoring_ok) {
		format_string(err, errlen, "anchor.cfg:%u: lpar %s: no vTPM without anchoring (see above; "
		              "[platform] vtpm_anchor = unanchored-development starts unanchored vTPMs)",
		              c->line, c->name);
		return -1;
	}
	if (h->count == CFG_MAX_LPARS) {
		format_string(err, errlen, "lpar %s: too many vTPMs", c->name);
		return -1;
	}
	v->engine_pages = (tpm2_instance_size() + PAGE_SIZE - 1) / PAGE_SIZE;
	v->engine = page_alloc(v->engine_pages);
	if (!v->engine) {
		format_string(err, errlen, "lpar %s: out of hypervisor memory for its LTPM", c->name);
		return -1;
	}
	struct tpm2_seeds seeds;
	if (anchoring_ltpm_seeds(&h->anchoring, c, &seeds)) {
		zeroise(&seeds, sizeof seeds);
		format_string(err, errlen, "lpar %s: cannot derive its LTPM's seeds", c->name);
		return -1;
	}
	struct tpm2_platform plat = { engine_entropy, engine_now_ms, h };
	tpm2_manufacture(v->engine, &plat, &seeds);
	zeroise(&seeds, sizeof seeds);
	h->ltpm[h->count++] = v;
	return 0;
}

/* ---- the firmware step ------------------------------------------------------------------------ */

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Runs one firmware command on v's engine at locality 0; its response code. */
static uint32_t firmware_command(struct htpm *h, struct vtpm *v, size_t len)
{
	put32(h->cmd + 2, (uint32_t)len);
	size_t n = tpm2_execute(v->engine, 0, h->cmd, len, h->rsp, sizeof h->rsp);
	return n >= 10 ? get32(h->rsp + 6) : 0x101u;
}

static uint32_t startup_clear(struct htpm *h, struct vtpm *v)
{
	put16(h->cmd, TPM_ST_NO_SESSIONS);
	put32(h->cmd + 6, TPM_CC_Startup);
	put16(h->cmd + 10, TPM_SU_CLEAR);
	return firmware_command(h, v, 12);
}

/* The platform hierarchy is locked as PC firmware does before it boots the OS: platformAuth
 * becomes 32 random bytes that nobody keeps.  (Clearing phEnable instead would also hide the
 * platform-created EK certificate indices from the guest.)  A guest's ChangePPS, ChangeEPS,
 * NV_UndefineSpace of those indices, ... then fail authorisation, as on a real machine. */
static uint32_t lock_platform(struct htpm *h, struct vtpm *v)
{
	uint8_t *p = h->cmd;
	put16(p, TPM_ST_SESSIONS);
	put32(p + 6, TPM_CC_HierarchyChangeAuth);
	put32(p + 10, TPM_RH_PLATFORM);
	put32(p + 14, 9);                     /* authorizationSize: one password session */
	put32(p + 18, TPM_RS_PW);
	put16(p + 22, 0);                     /* nonce */
	p[24] = 0;                            /* attributes */
	put16(p + 25, 0);                     /* the empty platformAuth set by _TPM_Init/Startup */
	put16(p + 27, PLATFORM_AUTH_LEN);     /* newAuth */
	anchoring_entropy(&h->anchoring, p + 29, PLATFORM_AUTH_LEN);
	uint32_t rc = firmware_command(h, v, 29 + PLATFORM_AUTH_LEN);
	zeroise(p + 29, PLATFORM_AUTH_LEN);
	return rc;
}

/* _TPM_Init, then what platform firmware does before the OS runs.  On failure the reason is on
 * the console and the LPAR is not started. */
static void firmware(struct htpm *h, struct vtpm *v)
{
	const char *name = v->cfg->name;
	uint64_t t0 = arch_timestamp();
	tpm2_power_on(v->engine);
	uint32_t rc = startup_clear(h, v);
	enum vtpm_phase next = VTPM_FAILED;
	if (rc)
		console_printf("anchor: lpar %s: vtpm TPM2_Startup(CLEAR) failed (rc 0x%x)\n", name, rc);
	else if (anchoring_ltpm_provision(&h->anchoring, v->cfg, v->engine))
		console_printf("anchor: lpar %s: vtpm provisioning failed\n", name);
	else if ((rc = lock_platform(h, v)) != 0)
		console_printf("anchor: lpar %s: vtpm platform hierarchy lock failed (rc 0x%x)\n", name, rc);
	else
		next = VTPM_RUNNING;
	__atomic_store_n(&v->firmware_tsc, arch_timestamp() - t0, __ATOMIC_RELAXED);
	spin_lock(&v->lock);
	vtpm_set_phase_locked(v, next);
	spin_unlock(&v->lock);
}

void htpm_firmware_all(struct htpm *h)
{
	for (unsigned i = 0; i < h->count; i++)
		firmware(h, h->ltpm[i]);
}

/* ---- executing commands ------------------------------------------------------------------------ */

static void complete(struct vtpm *v, const uint8_t *rsp, size_t len)
{
	if (v->interface == CFG_IF_TIS)
		tis_complete(&v->fe.tis, rsp, len);
	else
		crb_complete(&v->fe.crb, rsp, len);
}

/* The vTPM holding the oldest stamped command, or NULL. */
static struct vtpm *oldest(struct htpm *h)
{
	struct vtpm *best = NULL;
	for (unsigned i = 0; i < h->count; i++) {
		struct vtpm *v = h->ltpm[i];
		if (__atomic_load_n(&v->queued, __ATOMIC_ACQUIRE) && v->phase == VTPM_RUNNING &&
		    (!best || (int64_t)(v->seq - best->seq) < 0))
			best = v;
	}
	return best;
}

static void execute(struct htpm *h, struct vtpm *v)
{
	uint64_t start = arch_timestamp();
	spin_lock(&v->lock);
	if (!v->queued || v->phase != VTPM_RUNNING) {   /* reset or destroyed meanwhile */
		spin_unlock(&v->lock);
		return;
	}
	size_t len = v->cmd_len;
	uint8_t locality = v->locality;
	memcpy(h->cmd, v->cmd, len);
	v->queued = false;
	uint64_t wait = arch_timestamp() - v->queued_tsc;
	spin_unlock(&v->lock);

	uint64_t t0 = arch_timestamp();
	size_t n = tpm2_execute(v->engine, locality, h->cmd, len, h->rsp, sizeof h->rsp);
	uint64_t t1 = arch_timestamp();

	spin_lock(&v->lock);
	complete(v, h->rsp, n);
	vtpm_shadow_update(v);
	v->stats.commands++;
	v->stats.wait_tsc += wait;
	v->stats.engine_tsc += t1 - t0;
	if (wait > v->stats.wait_max_tsc)
		v->stats.wait_max_tsc = wait;
	spin_unlock(&v->lock);
	zeroise(h->cmd, len);   /* commands and responses may carry secrets */
	zeroise(h->rsp, n);
	v->stats.htpm_tsc += arch_timestamp() - start - (t1 - t0);
}

/* ---- life cycle ------------------------------------------------------------------------------ */

/* A command queued before a reset is dropped: the front-end, reset, expects its (dropped)
 * response before it accepts a new command. */
static void drop_queued(struct vtpm *v)
{
	if (!v->queued)
		return;
	v->queued = false;
	uint8_t rsp[10];
	vtpm_fe_error_response(rsp, VTPM_FE_RC_CANCELED);
	complete(v, rsp, sizeof rsp);
}

/* TSC ticks to nanoseconds (tsc_per_ms is at least 1). */
static unsigned long tsc_ns(uint64_t ticks)
{
	return (unsigned long)(ticks * 1000000 / tsc_per_ms());
}

static void print_stats(const struct vtpm *v)
{
	const struct vtpm_stats *s = &v->stats;
	uint64_t n = s->commands ? s->commands : 1;
	console_printf("anchor: lpar %s vtpm %s: %lu commands, %lu accesses (%lu.%02lu per command), "
	               "queue wait avg %lu us max %lu us, htpm overhead avg %lu ns, "
	               "engine avg %lu us\n", v->cfg->name,
	               cfg_interface_name(v->interface), (unsigned long)s->commands,
	               (unsigned long)s->accesses, (unsigned long)(s->accesses / n),
	               (unsigned long)(s->accesses * 100 / n % 100),
	               tsc_ns(s->wait_tsc / n) / 1000, tsc_ns(s->wait_max_tsc) / 1000,
	               tsc_ns(s->htpm_tsc / n), tsc_ns(s->engine_tsc / n) / 1000);
}

static void destroy(struct vtpm *v)
{
	spin_lock(&v->lock);
	v->destroy_request = false;
	v->queued = false;
	vtpm_set_phase_locked(v, VTPM_DESTROYED);
	spin_unlock(&v->lock);
	print_stats(v);
	zeroise(v->engine, v->engine_pages * PAGE_SIZE);   /* seeds, keys, NV: gone */
	zeroise(v->cmd, sizeof v->cmd);
}

static bool lifecycle(struct htpm *h)
{
	bool worked = false;
	for (unsigned i = 0; i < h->count; i++) {
		struct vtpm *v = h->ltpm[i];
		if (v->destroy_request && v->phase != VTPM_DESTROYED) {
			destroy(v);
			worked = true;
		} else if (v->reset_request) {
			spin_lock(&v->lock);
			v->reset_request = false;
			drop_queued(v);
			vtpm_shadow_update(v);
			spin_unlock(&v->lock);
			firmware(h, v);
			worked = true;
		}
	}
	return worked;
}

bool htpm_service_once(struct htpm *h)
{
	if (lifecycle(h))
		return true;
	struct vtpm *v = oldest(h);
	if (!v)
		return false;
	execute(h, v);
	return true;
}

/* The BSP also prints the APs' console output (hv/console.c): between commands only what the
 * UART takes at once, so a chatty LPAR delays another LPAR's command by at most that; all of it
 * when there is nothing else to do. */
void htpm_serve(struct htpm *h)
{
	for (;;) {
		if (htpm_service_once(h)) {
			console_service(false);
			continue;
		}
		console_service(true);
		if (htpm_service_once(h))
			continue;
		if (h->all_stopped(h->all_stopped_ctx) && !lifecycle(h)) {
			console_service(true);
			return;
		}
		bsp_sleep();
	}
}
