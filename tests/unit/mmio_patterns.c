/*
 * MMIO accesses as C code writes them, compiled by gcc and clang at several optimisation levels
 * and in 32-bit mode by gen_compiler_cases.py; the decoder must decode each resulting access
 * with objdump's length.  Each function performs exactly ONE device access; its name says what
 * the decoder must report: load<N>_* / store<N>_* (N = width in bytes).
 *
 * The readX/writeX helpers follow the shape of Linux's x86 accessors (asm with an "m" operand, so
 * the compiler chooses the addressing mode), as used by tpm_tis (ioread8/16/32) and tpm_crb.
 */
#include <stdint.h>

#define MMIO_READ(name, type, insn, reg)                                                  \
	static inline type name(const volatile void *addr)                                   \
	{                                                                                     \
		type ret;                                                                         \
		__asm__ volatile(insn " %1, %0" : reg(ret) : "m"(*(const volatile type *)addr) : "memory"); \
		return ret;                                                                       \
	}
#define MMIO_WRITE(name, type, insn, reg)                                                 \
	static inline void name(type val, volatile void *addr)                               \
	{                                                                                     \
		__asm__ volatile(insn " %0, %1" : : reg(val), "m"(*(volatile type *)addr) : "memory"); \
	}

MMIO_READ(readb, uint8_t, "movb", "=q")
MMIO_READ(readw, uint16_t, "movw", "=r")
MMIO_READ(readl, uint32_t, "movl", "=r")
MMIO_WRITE(writeb, uint8_t, "movb", "q")
MMIO_WRITE(writew, uint16_t, "movw", "r")
MMIO_WRITE(writel, uint32_t, "movl", "r")
#ifdef __x86_64__
MMIO_READ(readq, uint64_t, "movq", "=r")
MMIO_WRITE(writeq, uint64_t, "movq", "r")
#endif

#define TPM ((volatile uint8_t *)0xFED40000u)

/* A TIS-like and a CRB-like register block. */
struct tis_regs {
	uint8_t access;
	uint8_t pad0[7];
	uint32_t int_enable;
	uint8_t int_vector;
	uint8_t pad1[3];
	uint32_t int_status;
	uint32_t intf_caps;
	uint32_t sts;
	uint8_t data_fifo;
};
struct crb_regs {
	uint32_t loc_state;
	uint32_t pad0;
	uint32_t loc_ctrl;
	uint32_t loc_sts;
	uint8_t pad1[0x30];
	uint64_t intf_id;
	uint64_t ctrl_ext;
	uint32_t ctrl_req;
	uint32_t ctrl_sts;
	uint32_t ctrl_cancel;
	uint32_t ctrl_start;
	uint32_t ctrl_int_enable;
	uint32_t ctrl_int_sts;
	uint32_t ctrl_cmd_size;
	uint32_t ctrl_cmd_pa_low;
	uint32_t ctrl_cmd_pa_high;
	uint32_t ctrl_rsp_size;
	uint64_t ctrl_rsp_pa;
};

/* Linux-style accessors. */
uint8_t load1_readb(const volatile void *a) { return readb(a); }
uint16_t load2_readw(const volatile void *a) { return readw(a); }
uint32_t load4_readl(const volatile void *a) { return readl(a); }
uint8_t load1_readb_tis_access(volatile struct tis_regs *r) { return readb(&r->access); }
uint8_t load1_readb_tis_fifo(volatile struct tis_regs *r) { return readb(&r->data_fifo); }
uint32_t load4_readl_tis_sts(volatile struct tis_regs *r) { return readl(&r->sts); }
uint32_t load4_readl_indexed(volatile uint32_t *base, long i) { return readl(&base[i]); }
uint32_t load4_readl_crb_far(volatile uint8_t *base) { return readl(base + 0x1040); }
void store1_writeb(volatile void *a, uint8_t v) { writeb(v, a); }
void store2_writew(volatile void *a, uint16_t v) { writew(v, a); }
void store4_writel(volatile void *a, uint32_t v) { writel(v, a); }
void store1_writeb_const(volatile struct tis_regs *r) { writeb(0x20, &r->access); }
void store4_writel_crb_start(volatile struct crb_regs *r) { writel(1, &r->ctrl_start); }
void store4_writel_crb_req(volatile struct crb_regs *r, uint32_t v) { writel(v, &r->ctrl_req); }
#ifdef __x86_64__
uint64_t load8_readq(const volatile void *a) { return readq(a); }
uint64_t load8_readq_crb_id(volatile struct crb_regs *r) { return readq(&r->intf_id); }
void store8_writeq(volatile void *a, uint64_t v) { writeq(v, a); }
void store8_writeq_crb_rsp(volatile struct crb_regs *r, uint64_t v) { writeq(v, &r->ctrl_rsp_pa); }
#endif

/* Plain volatile dereferences: the compiler picks the instruction. */
uint8_t load1_plain(volatile uint8_t *p) { return *p; }
uint16_t load2_plain(volatile uint16_t *p) { return *p; }
uint32_t load4_plain(volatile uint32_t *p) { return *p; }
uint32_t load1_zext32(volatile uint8_t *p) { return *p; }
uint32_t load2_zext32(volatile uint16_t *p) { return *p; }
int32_t load1_sext32(volatile int8_t *p) { return *p; }
int32_t load2_sext32(volatile int16_t *p) { return *p; }
uint32_t load4_disp8(volatile struct tis_regs *r) { return r->sts; }
uint32_t load4_disp32(volatile uint8_t *p) { return *(volatile uint32_t *)(p + 0x4f00); }
uint8_t load1_index(volatile uint8_t *p, long i) { return p[i]; }
uint32_t load4_index_scaled(volatile uint32_t *p, long i) { return p[i + 3]; }
uint32_t load4_abs(void) { return *(volatile uint32_t *)(TPM + 0x18); }
uint8_t load1_abs(void) { return TPM[0x24]; }
uint16_t load2_abs(void) { return *(volatile uint16_t *)(TPM + 0xF00); }
void store1_plain(volatile uint8_t *p, uint8_t v) { *p = v; }
void store2_plain(volatile uint16_t *p, uint16_t v) { *p = v; }
void store4_plain(volatile uint32_t *p, uint32_t v) { *p = v; }
void store1_imm(volatile uint8_t *p) { *p = 0xA0; }
void store2_imm(volatile uint16_t *p) { *p = 0x8001; }
void store4_imm(volatile uint32_t *p) { *p = 0xCAFEF00Du; }
void store4_imm_disp(volatile struct crb_regs *r) { r->ctrl_cmd_size = 4096; }
void store1_abs(uint8_t v) { TPM[0x24] = v; }
void store4_abs(uint32_t v) { *(volatile uint32_t *)(TPM + 0x18) = v; }
void store4_abs_imm(void) { *(volatile uint32_t *)(TPM + 0x40) = 2; }
void store1_index(volatile uint8_t *p, long i, uint8_t v) { p[i] = v; }
/* Arguments in r8/r9 (x86-64): REX.B/REX.R forms. */
void store4_r8_r9(int a, int b, int c, int d, uint32_t v, volatile uint32_t *p)
{
	(void)a; (void)b; (void)c; (void)d;
	*p = v;
}
uint32_t load4_r9(int a, int b, int c, int d, int e, volatile uint32_t *p)
{
	(void)a; (void)b; (void)c; (void)d; (void)e;
	return *p;
}
#ifdef __x86_64__
uint64_t load8_plain(volatile uint64_t *p) { return *p; }
uint64_t load1_zext64(volatile uint8_t *p) { return *p; }
uint64_t load2_zext64(volatile uint16_t *p) { return *p; }
int64_t load1_sext64(volatile int8_t *p) { return *p; }
int64_t load2_sext64(volatile int16_t *p) { return *p; }
int64_t load4_sext64(volatile int32_t *p) { return *p; }
uint64_t load8_abs(void) { return *(volatile uint64_t *)(TPM + 0x80); }
void store8_plain(volatile uint64_t *p, uint64_t v) { *p = v; }
void store8_imm_small(volatile uint64_t *p) { *p = 1; }
void store8_imm_negative(volatile uint64_t *p) { *p = (uint64_t)-16; }
void store8_abs(uint64_t v) { *(volatile uint64_t *)(TPM + 0x80) = v; }
void store1_from_sil(volatile uint8_t *p, uint8_t v) { *p = v; }
#endif
