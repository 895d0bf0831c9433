/*
 * What an LPAR finds on its device bus (anchor/mmio.h), from its anchor.cfg section: its
 * console (hv/vuart.c) always, and on the TPM window whatever `tpm =` names, from one table.
 * Adding a device kind is a new file plus one row here; the exit path never changes.
 */
#include <anchor/guest_abi.h>
#include <anchor/hv.h>
#include <anchor/lpar.h>
#include <anchor/vtpm.h>
#include "core.h"

static int attach_testdev(struct lpar *l, char *err, size_t errlen)
{
	if (!testdev_attach(&l->bus))
		return 0;
	format_string(err, errlen, "anchor.cfg:%u: lpar %s: cannot attach the test device",
	              l->cfg->line, l->cfg->name);
	return -1;
}

/* A CRB's registers are mirrored in hypervisor pages mapped read-only over the window: the
 * guest's reads need no exit, its writes still trap to the bus (anchor/vtpm.h). */
static int attach_vtpm(struct lpar *l, char *err, size_t errlen)
{
	l->vtpm = vtpm_create(l->htpm, l->cfg, &l->bus, l->ram, err, errlen);
	if (!l->vtpm)
		return -1;
	const void *shadow = vtpm_read_shadow(l->vtpm);
	if (shadow && pt_map(&l->npt_pool, vcpu_ops->nested_format, l->npt_root, TPM_WINDOW_BASE,
	                     (uint64_t)(uintptr_t)shadow, TPM_WINDOW_SIZE, PT_R | PT_U | PT_UC)) {
		format_string(err, errlen, "lpar %s: cannot map its vTPM's registers", l->cfg->name);
		return -1;
	}
	return 0;
}

/* One row per `tpm =` value (enum cfg_tpm).  attach NULL: nothing answers on the TPM window,
 * and an access there stops the LPAR saying so. */
static const struct {
	enum cfg_tpm kind;
	int (*attach)(struct lpar *l, char *err, size_t errlen);
} tpm_devices[] = {
	{ CFG_TPM_NONE, NULL },
	{ CFG_TPM_TESTDEV, attach_testdev },
	{ CFG_TPM_VTPM, attach_vtpm },
};

int lpar_attach_devices(struct lpar *l, char *err, size_t errlen)
{
	const struct cfg_lpar *c = l->cfg;
	if (vuart_attach(&l->uart, &l->bus, c->name) ||
	    resetdev_attach(&l->reset_ctl, &l->bus, lpar_request_reset, l) ||
	    acpi_pm_attach(&l->power_ctl, &l->bus, lpar_power_off, l)) {
		format_string(err, errlen, "lpar %s: cannot attach its console, reset and power ports",
		              c->name);
		return -1;
	}
	for (unsigned i = 0; i < sizeof tpm_devices / sizeof tpm_devices[0]; i++) {
		if (tpm_devices[i].kind != c->tpm || !tpm_devices[i].attach)
			continue;
		if (tpm_devices[i].attach(l, err, errlen))
			return -1;
	}
	return 0;
}
