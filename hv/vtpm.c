/*
 * The vTPM glue (anchor/vtpm.h): an LPAR's TIS or CRB front-end on its bus, and the hand-over
 * of each complete command to the HTPM.
 *
 * The front-ends are pure logic and do not lock; every call into them here holds v->lock,
 * which the HTPM also takes to dequeue and complete.  A command leaves guest-writable memory
 * exactly once: right after the access that issued tpmGo/START, still inside that exit, into
 * v->cmd (hypervisor memory).  What the engine executes is what was copied then, whatever the
 * guest writes to its CRB buffer afterwards.
 */
#include <anchor/arch.h>
#include <anchor/guest_abi.h>
#include <anchor/htpm.h>
#include <anchor/vtpm.h>
#include <anchor/x86.h>
#include <string.h>

/* The PC platform keeps localities 3 and 4 (D-RTM) from software: a guest gets 0-2. */
#define GUEST_LOCALITY_LIMIT 3

/* The front-ends' command_ready hook: called inside a write access, with v->lock held.  It only
 * notes the fact; the access handler takes the command once the front-end is done. */
static void command_ready(void *arg)
{
	struct vtpm *v = arg;
	v->ready = true;
}

/* The registers that change: locality 0's control area, and TPM_LOC_STATE, which the CRB
 * aliases at the start of every locality's page; everything else in the window reads 0xFF for
 * good (the buffer is in RAM), as rendered once at creation. */
void vtpm_shadow_update(struct vtpm *v)
{
	if (!v->shadow)
		return;
	bool live = v->phase == VTPM_RUNNING;   /* otherwise the window floats, as the MMIO path */
	for (uint32_t off = 0; off < CRB_DATA_BUFFER; off += 4) {
		uint64_t x = ~0ull;
		if (live)
			crb_mmio_read(&v->fe.crb, off, 4, &x);
		__atomic_store_n((uint32_t *)(v->shadow + off), (uint32_t)x, __ATOMIC_RELEASE);
	}
	for (uint32_t loc = 1; loc < VTPM_FE_LOCALITIES; loc++)
		*(volatile uint32_t *)(v->shadow + loc * VTPM_FE_LOCALITY_SIZE) =
			*(volatile uint32_t *)v->shadow;
}

const void *vtpm_read_shadow(const struct vtpm *v)
{
	return v->shadow;
}

void vtpm_set_phase_locked(struct vtpm *v, enum vtpm_phase p)
{
	__atomic_store_n(&v->phase, p, __ATOMIC_RELEASE);
	vtpm_shadow_update(v);
}

static size_t take_command(struct vtpm *v, uint8_t *locality)
{
	if (v->interface == CFG_IF_TIS)
		return tis_take_command(&v->fe.tis, v->cmd, sizeof v->cmd, locality);
	return crb_take_command(&v->fe.crb, v->cmd, sizeof v->cmd, locality);
}

/* Under v->lock, after the access that made a command ready: copy it out, stamp it, queue it.
 * Returns true when the BSP must be kicked. */
static bool enqueue(struct vtpm *v)
{
	v->ready = false;
	uint8_t locality = 0;
	size_t n = take_command(v, &locality);
	if (!n)
		return false;
	v->cmd_len = (uint32_t)n;
	v->locality = locality;
	v->seq = __atomic_fetch_add(&v->htpm->next_seq, 1, __ATOMIC_RELAXED);
	v->queued_tsc = arch_timestamp();
	__atomic_store_n(&v->queued, true, __ATOMIC_RELEASE);   /* the HTPM peeks without the lock */
	return true;
}

static enum mmio_result vtpm_access(void *arg, struct mmio_access *a)
{
	struct vtpm *v = arg;
	int rc;
	bool kick = false;
	spin_lock(&v->lock);
	v->stats.accesses++;
	if (v->phase != VTPM_RUNNING) {
		rc = 0;                       /* powered off (being reset or destroyed): floats */
		if (!a->is_write)
			a->value = ~0ull >> (64 - 8 * a->size);
	} else if (v->interface == CFG_IF_TIS) {
		rc = a->is_write ? tis_mmio_write(&v->fe.tis, a->address, a->size, a->value)
		                 : tis_mmio_read(&v->fe.tis, a->address, a->size, &a->value);
	} else {
		rc = a->is_write ? crb_mmio_write(&v->fe.crb, a->address, a->size, a->value)
		                 : crb_mmio_read(&v->fe.crb, a->address, a->size, &a->value);
	}
	if (v->ready)
		kick = enqueue(v);
	if (a->is_write)
		vtpm_shadow_update(v);
	spin_unlock(&v->lock);
	if (kick)
		bsp_kick();
	return rc ? MMIO_ERROR : MMIO_HANDLED;
}

static int frontend_init(struct vtpm *v, uint8_t *ram)
{
	if (v->interface == CFG_IF_TIS) {
		struct tis_config tc = { .command_ready = command_ready, .arg = v,
		                         .locality_limit = GUEST_LOCALITY_LIMIT };
		tis_init(&v->fe.tis, &tc);
		return 0;
	}
	/* CRB: only the control area traps; the command/response buffer is a page of the LPAR's
	 * RAM (guest_abi.h), so the guest moves data without exits. */
	struct crb_config cc = { .command_ready = command_ready, .arg = v,
	                         .buf_gpa = GUEST_CRB_BUFFER, .buf_size = GUEST_CRB_BUFFER_SIZE,
	                         .buf_window_off = 0, .buf = ram + GUEST_CRB_BUFFER };
	return crb_init(&v->fe.crb, &cc);
}

struct vtpm *vtpm_create(struct htpm *h, const struct cfg_lpar *c, struct mmio_bus *bus,
                         uint8_t *ram, char *err, size_t errlen)
{
	struct vtpm *v = page_alloc((sizeof *v + PAGE_SIZE - 1) / PAGE_SIZE);
	if (!v) {
		format_string(err, errlen, "lpar %s: out of hypervisor memory for its vTPM", c->name);
		return NULL;
	}
	v->cfg = c;
	v->htpm = h;
	v->interface = c->interface;
	v->phase = VTPM_FIRMWARE;
	if (frontend_init(v, ram)) {
		format_string(err, errlen, "lpar %s: bad vTPM front-end configuration", c->name);
		return NULL;
	}
	if (v->interface == CFG_IF_CRB) {
		v->shadow = page_alloc(TPM_WINDOW_SIZE / PAGE_SIZE);
		if (!v->shadow) {
			format_string(err, errlen, "lpar %s: out of hypervisor memory for its vTPM", c->name);
			return NULL;
		}
		memset(v->shadow, 0xFF, TPM_WINDOW_SIZE);
	}
	if (htpm_add(h, v, err, errlen))
		return NULL;
	if (mmio_region_register(bus, TPM_WINDOW_BASE, TPM_WINDOW_SIZE, vtpm_access, v)) {
		format_string(err, errlen, "lpar %s: cannot claim the TPM window", c->name);
		return NULL;
	}
	return v;
}

/* Waits (on the LPAR's CPU) until the HTPM has left phase `from`. */
static enum vtpm_phase wait_phase_change(struct vtpm *v, enum vtpm_phase from)
{
	enum vtpm_phase p;
	while ((p = __atomic_load_n(&v->phase, __ATOMIC_ACQUIRE)) == from)
		cpu_relax();
	return p;
}

int vtpm_wait_firmware(struct vtpm *v)
{
	return wait_phase_change(v, VTPM_FIRMWARE) == VTPM_RUNNING ? 0 : -1;
}

void vtpm_reset_request(struct vtpm *v)
{
	spin_lock(&v->lock);
	if (v->interface == CFG_IF_TIS)
		tis_reset(&v->fe.tis);
	else
		crb_reset(&v->fe.crb);
	v->ready = false;
	vtpm_set_phase_locked(v, VTPM_FIRMWARE);
	v->reset_request = true;
	spin_unlock(&v->lock);
	bsp_kick();
}

int vtpm_guest_reset(struct vtpm *v)
{
	vtpm_reset_request(v);
	return vtpm_wait_firmware(v);
}

uint64_t vtpm_firmware_cost(const struct vtpm *v)
{
	return __atomic_load_n(&v->firmware_tsc, __ATOMIC_RELAXED);
}

void vtpm_lpar_stopped(struct vtpm *v)
{
	spin_lock(&v->lock);
	v->destroy_request = true;
	spin_unlock(&v->lock);
	bsp_kick();
}
