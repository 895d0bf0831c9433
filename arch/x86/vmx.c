/*
 * Intel VMX back end of the vendor-neutral vCPU interface (anchor/vcpu.h).
 * Early placeholder so the core links: reports VMX as unsupported until the real back end lands.
 */
#include <anchor/vcpu.h>

static bool vmx_cpu_supported(const char **why)
{
	*why = "vmx back end not built yet";
	return false;
}

static int vmx_cpu_enable(void) { return -1; }

static int vmx_vcpu_init(struct vcpu *v, uint64_t nested_root, const struct vcpu_start *s)
{
	(void)v; (void)nested_root; (void)s;
	return -1;
}

static void vmx_vcpu_run(struct vcpu *v, struct vcpu_exit *e)
{
	(void)v;
	e->kind = EXIT_ENTRY_FAIL;
	e->raw = 0;
}

static uint64_t vmx_get_reg(struct vcpu *v, enum vcpu_reg r) { (void)v; (void)r; return 0; }
static void vmx_set_reg(struct vcpu *v, enum vcpu_reg r, uint64_t val) { (void)v; (void)r; (void)val; }
static void vmx_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	(void)v; (void)vector; (void)has_error; (void)error;
}

const struct vcpu_ops vmx_ops = {
	.name = "vmx",
	.cpu_supported = vmx_cpu_supported,
	.cpu_enable = vmx_cpu_enable,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_run = vmx_vcpu_run,
	.get_reg = vmx_get_reg,
	.set_reg = vmx_set_reg,
	.inject_exception = vmx_inject_exception,
};
