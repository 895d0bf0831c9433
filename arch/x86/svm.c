/* AMD SVM back end (placeholder until the real one lands). */
#include <anchor/vcpu.h>

static bool svm_cpu_supported(const char **why) { *why = "not yet"; return false; }
static int svm_cpu_enable(void) { return -1; }
static int svm_vcpu_init(struct vcpu *v, uint64_t r, const struct vcpu_start *s) { (void)v; (void)r; (void)s; return -1; }
static void svm_vcpu_run(struct vcpu *v, struct vcpu_exit *e) { (void)v; e->kind = EXIT_ENTRY_FAIL; }
static uint64_t svm_get_reg(struct vcpu *v, enum vcpu_reg r) { (void)v; (void)r; return 0; }
static void svm_set_reg(struct vcpu *v, enum vcpu_reg r, uint64_t x) { (void)v; (void)r; (void)x; }
static void svm_inject(struct vcpu *v, uint8_t vec, bool he, uint32_t e) { (void)v; (void)vec; (void)he; (void)e; }

const struct vcpu_ops svm_ops = {
	.name = "svm", .cpu_supported = svm_cpu_supported, .cpu_enable = svm_cpu_enable,
	.vcpu_init = svm_vcpu_init, .vcpu_run = svm_vcpu_run, .get_reg = svm_get_reg,
	.set_reg = svm_set_reg, .inject_exception = svm_inject,
};
