/*
 * LPAR life cycle: building one from its configuration (nested page tables mapping only its
 * RAM, its image loaded, the initial guest state of anchor/guest_abi.h, its devices attached by
 * hv/devices.c) and running its vCPU: every exit is handled here, vendor-neutrally; device
 * accesses are decoded and handed to the LPAR's bus (hv/mmio.c), and anything the LPAR is not
 * allowed to do stops that LPAR alone.
 */
#include <anchor/boot_info.h>
#include <anchor/decode.h>
#include <anchor/elf64.h>
#include <anchor/guest_abi.h>
#include <anchor/hv.h>
#include <anchor/linux_lpar.h>
#include <anchor/lpar.h>
#include <anchor/vtpm.h>
#include <anchor/x86.h>
#include "core.h"
#include <string.h>

/* Pages for an LPAR's nested tables: a few for the upper levels, plus one page table per 2 MiB
 * when the RAM is not 2 MiB aligned (4 KiB leaves) or one directory per GiB otherwise. */
static size_t npt_pool_pages(uint64_t base, uint64_t size)
{
	bool small = ((base | size) & 0x1FFFFF) != 0;
	return 8 + (size_t)(size >> 30) * 2 + (small ? (size_t)(size >> 21) + 2 : 0);
}

/* ---- guest memory ---- */

int lpar_read(const struct lpar *l, uint64_t gpa, void *dst, uint64_t len)
{
	if (gpa > l->ram_size || len > l->ram_size - gpa)
		return -1;
	memcpy(dst, l->ram + gpa, len);
	return 0;
}

int lpar_write(struct lpar *l, uint64_t gpa, const void *src, uint64_t len)
{
	if (gpa > l->ram_size || len > l->ram_size - gpa)
		return -1;
	memcpy(l->ram + gpa, src, len);
	return 0;
}

static int read_gpa_u64(void *ctx, uint64_t gpa, uint64_t *val)
{
	return lpar_read(ctx, gpa, val, 8);
}

/* ---- stopping ---- */

void lpar_stop(struct lpar *l, const char *fmt, ...)
{
	if (l->state == LPAR_STOPPED || l->stop_reason[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vformat_string(l->stop_reason, sizeof l->stop_reason, fmt, ap);
	va_end(ap);
}

void lpar_request_reset(void *ctx, const char *why)
{
	struct lpar *l = ctx;
	if (!l->reset_cause)
		l->reset_cause = why;
}

void lpar_power_off(void *ctx)
{
	lpar_stop(ctx, "powered off");
}

static void lpar_finish(struct lpar *l)
{
	vuart_flush(&l->uart);
	if (!l->stop_reason[0])
		format_string(l->stop_reason, sizeof l->stop_reason, "stopped by a device");
	console_printf("anchor: lpar %s stopped: %s\n", l->cfg->name, l->stop_reason);
	if (l->tsc_start) {
		uint64_t ms = (arch_timestamp() - l->tsc_start) / tsc_per_ms();
		console_printf("anchor: lpar %s: %lu exits (%lu mmio, %lu pio) in %lu ms\n", l->cfg->name,
		               (unsigned long)l->exits, (unsigned long)l->exits_mmio,
		               (unsigned long)l->exits_pio, (unsigned long)ms);
	}
	if (l->vtpm)
		vtpm_lpar_stopped(l->vtpm);   /* the HTPM destroys and zeroises its LTPM */
	__atomic_store_n(&l->state, LPAR_STOPPED, __ATOMIC_RELEASE);
	bsp_kick();
}

/* ---- building an LPAR ---- */

/* Loads an ELF64 image's PT_LOAD segments at their p_paddr in the LPAR's RAM. */
static int load_image(struct lpar *l, const uint8_t *img, uint64_t size, uint64_t *entry,
                      char *err, size_t errlen)
{
	switch (elf64_check(img, size)) {
	case ELF64_OK:
		break;
	case ELF64_NOT_X86_64:
		format_string(err, errlen, "image %s is not an x86-64 ELF64 file", l->cfg->image);
		return -1;
	case ELF64_BAD_PHDRS:
		format_string(err, errlen, "image %s: bad program headers", l->cfg->image);
		return -1;
	}
	const struct elf64_ehdr *eh = (const struct elf64_ehdr *)img;
	const struct elf64_phdr *ph = elf64_phdrs(img);
	unsigned loaded = 0;
	for (unsigned i = 0; i < eh->phnum; i++) {
		const struct elf64_phdr *p = &ph[i];
		if (p->type != ELF64_PT_LOAD || !p->memsz)
			continue;
		if (!elf64_segment_in_file(p, size) ||
		    p->paddr < GUEST_LOAD_MIN || p->paddr > l->ram_size ||
		    p->memsz > l->ram_size - p->paddr) {
			format_string(err, errlen,
			              "image %s: segment %u (0x%lx+0x%lx) does not fit the lpar's memory "
			              "(0x%lx-0x%lx)", l->cfg->image, i, (unsigned long)p->paddr,
			              (unsigned long)p->memsz, (unsigned long)GUEST_LOAD_MIN,
			              (unsigned long)l->ram_size);
			return -1;
		}
		memcpy(l->ram + p->paddr, img + p->offset, p->filesz);
		memset(l->ram + p->paddr + p->filesz, 0, p->memsz - p->filesz);
		loaded++;
	}
	if (!loaded || eh->entry < GUEST_LOAD_MIN || eh->entry >= l->ram_size) {
		format_string(err, errlen, "image %s: no loadable segment or entry outside memory",
		              l->cfg->image);
		return -1;
	}
	*entry = eh->entry;
	return 0;
}

/* Guest page tables at GUEST_PT_BASE: 0..4 GiB identity, 2 MiB pages (guest_abi.h). */
static void build_guest_page_tables(struct lpar *l)
{
	uint64_t *pml4 = (uint64_t *)(l->ram + GUEST_PT_BASE);
	uint64_t *pdpt = pml4 + 512;
	uint64_t *pd = pdpt + 512;
	memset(pml4, 0, 6 * PAGE_SIZE);
	pml4[0] = (GUEST_PT_BASE + 0x1000) | 0x7;
	for (unsigned g = 0; g < 4; g++) {
		pdpt[g] = (GUEST_PT_BASE + 0x2000 + g * 0x1000) | 0x7;
		for (unsigned i = 0; i < 512; i++) {
			uint64_t pa = ((uint64_t)g << 30) | ((uint64_t)i << 21);
			pd[g * 512 + i] = pa | 0x87 | (g == 3 ? 0x18 : 0);  /* P RW U PS, UC for 3-4G */
		}
	}
}

/* A bzImage: the hypervisor is the LPAR's firmware and boot loader (hv/linux_lpar.c). */
static int load_linux(struct lpar *l, char *err, size_t errlen)
{
	const struct cfg_lpar *c = l->cfg;
	struct linux_lpar_in in = {
		.ram = l->ram, .ram_size = l->ram_size,
		.kernel = (const uint8_t *)(uintptr_t)l->image->base, .kernel_size = l->image->size,
		.initrd = l->initrd ? (const uint8_t *)(uintptr_t)l->initrd->base : NULL,
		.initrd_size = l->initrd ? l->initrd->size : 0,
		.cmdline = c->args,
		.tpm = c->interface == CFG_IF_TIS ? ACPI_TPM_TIS : ACPI_TPM_CRB,
		.apic_id = cpu_apic_id(c->cpu),
	};
	struct linux_lpar_start st;
	const char *why = "";
	if (linux_lpar_load(&in, &st, &why)) {
		format_string(err, errlen, "anchor.cfg:%u: lpar %s: %s", c->line, c->name, why);
		return -1;
	}
	l->start = (struct vcpu_start){ .rip = st.rip, .rsp = st.rsp, .rsi = st.rsi, .rdi = 0,
	                                .cr3 = st.cr3, .long_mode = true };
	return 0;
}

/* The guest's start state in its RAM: low memory cleared, the image loaded from its measured
 * copy, the initial page tables and the guest_info page (guest_abi.h); or a Linux LPAR's. */
static int load_guest(struct lpar *l, char *err, size_t errlen)
{
	const struct cfg_lpar *c = l->cfg;
	if (linux_is_bzimage((const uint8_t *)(uintptr_t)l->image->base, l->image->size))
		return load_linux(l, err, errlen);
	memset(l->ram, 0, GUEST_LOAD_MIN);
	uint64_t entry;
	if (load_image(l, (const uint8_t *)(uintptr_t)l->image->base, l->image->size, &entry, err,
	               errlen))
		return -1;
	build_guest_page_tables(l);
	struct guest_info *gi = (struct guest_info *)(l->ram + GUEST_INFO_BASE);
	gi->magic = GUEST_INFO_MAGIC;
	gi->ram_size = l->ram_size;
	gi->lpar_index = l->index;
	memcpy(gi->name, c->name, sizeof gi->name - 1);
	memcpy(gi->args, c->args, sizeof gi->args - 1);
	l->entry = entry;
	l->start = (struct vcpu_start){ .rip = entry, .rsp = l->ram_size, .rdi = GUEST_INFO_BASE,
	                                .rsi = 0, .cr3 = GUEST_PT_BASE, .long_mode = true };
	return 0;
}

int lpar_build(struct lpar *l, const struct boot_module *image, char *err, size_t errlen)
{
	const struct cfg_lpar *c = l->cfg;
	l->ram = (uint8_t *)(uintptr_t)c->mem_base;
	l->ram_size = c->mem_size;
	if (l->ram_size < CFG_LPAR_MIN_RAM) {   /* cfg_validate refused it already */
		format_string(err, errlen, "anchor.cfg:%u: lpar %s: memory must be at least 2M",
		              c->line, c->name);
		return -1;
	}
	l->image = image;
	if (!image) {
		format_string(err, errlen, "anchor.cfg:%u: lpar %s: image '%s' not found", c->line,
		              c->name, c->image);
		return -1;
	}
	if (c->initrd[0] && !l->initrd) {
		format_string(err, errlen, "anchor.cfg:%u: lpar %s: initrd '%s' not found", c->line,
		              c->name, c->initrd);
		return -1;
	}

	/* Nested page tables: the LPAR's RAM only.  The TPM window and everything else stays
	 * unmapped, so any access there is a nested fault the hypervisor sees. */
	size_t pool_pages = npt_pool_pages(c->mem_base, c->mem_size);
	void *pool = page_alloc(pool_pages);
	if (!pool) {
		format_string(err, errlen, "out of hypervisor memory for lpar %s", c->name);
		return -1;
	}
	l->npt_pool = (struct pt_pool){ pool, (uint64_t)(uintptr_t)pool, pool_pages, 0 };
	l->npt_root = pt_alloc_page(&l->npt_pool);
	enum pt_format fmt = vcpu_ops->nested_format;
	if (!l->npt_root || pt_map(&l->npt_pool, fmt, l->npt_root, 0, c->mem_base, c->mem_size,
	                           PT_R | PT_W | PT_X | PT_U)) {
		format_string(err, errlen, "lpar %s: cannot build its nested page tables", c->name);
		return -1;
	}

	/* Every byte of the LPAR's RAM is zeroed before its image goes in: whatever the firmware,
	 * the loader, a previous boot or a previous tenant left there must not reach this guest
	 * (docs/security.md; the time it takes is printed). */
	uint64_t t0 = __builtin_ia32_rdtsc();
	memset(l->ram, 0, l->ram_size);
	console_printf("anchor: lpar %s: %lu MiB of RAM zeroed in %lu us\n", c->name,
	               (unsigned long)(l->ram_size >> 20),
	               (unsigned long)((__builtin_ia32_rdtsc() - t0) * 1000 / tsc_per_ms()));
	if (load_guest(l, err, errlen))
		return -1;
	mmio_bus_init(&l->bus, l->ram_size);
	return lpar_attach_devices(l, err, errlen);
}

/* ---- exit handling ---- */

static uint64_t reg(struct lpar *l, enum vcpu_reg r) { return vcpu_ops->get_reg(&l->vcpu, r); }
static void set_reg(struct lpar *l, enum vcpu_reg r, uint64_t v) { vcpu_ops->set_reg(&l->vcpu, r, v); }
static void advance_rip(struct lpar *l, unsigned len) { set_reg(l, REG_RIP, reg(l, REG_RIP) + len); }

/* Past an instruction of a fixed encoding, when the back end did not report its length. */
static void skip_insn(struct lpar *l, const struct vcpu_exit *e, unsigned encoded_len)
{
	advance_rip(l, e->insn_len ? e->insn_len : encoded_len);
}

/* Fetches up to DECODE_MAX_INSN bytes at the guest's RIP through its own page tables; every
 * guest-physical address is checked against the LPAR's RAM.  Returns the bytes obtained. */
static size_t fetch_insn(struct lpar *l, uint8_t *buf)
{
	uint64_t rip = reg(l, REG_RIP), cr0 = reg(l, REG_CR0), cr3 = reg(l, REG_CR3);
	uint64_t cr4 = reg(l, REG_CR4), efer = reg(l, REG_EFER);
	size_t got = 0;
	while (got < DECODE_MAX_INSN) {
		uint64_t va = rip + got, gpa;
		if (guest_walk(read_gpa_u64, l, cr0, cr3, cr4, efer, va, &gpa))
			break;
		size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		if (chunk > DECODE_MAX_INSN - got)
			chunk = DECODE_MAX_INSN - got;
		if (lpar_read(l, gpa, buf + got, chunk))
			break;
		got += chunk;
	}
	return got;
}

static void format_bytes(char *out, size_t max, const uint8_t *b, size_t n)
{
	size_t pos = 0;
	out[0] = 0;
	for (size_t i = 0; i < n && pos + 4 < max; i++)
		pos += format_string(out + pos, max - pos, i ? " %02x" : "%02x", b[i]);
}

/* Whether the decoded instruction really accesses gpa: its linear address (registers, ModRM,
 * SIB, displacement) translated through the guest's own page tables.  Otherwise (code changed
 * under the fetch, an access through another mapping) the LPAR is stopped. */
static bool addresses_gpa(struct lpar *l, const struct mmio_insn *in, uint64_t gpa)
{
	uint64_t regs[16], rip = reg(l, REG_RIP), linear, walked;
	for (unsigned i = 0; i < 16; i++)
		regs[i] = reg(l, (enum vcpu_reg)i);
	linear = decode_linear_address(in, regs, rip);
	if (!guest_walk(read_gpa_u64, l, reg(l, REG_CR0), reg(l, REG_CR3), reg(l, REG_CR4),
	                reg(l, REG_EFER), linear, &walked) && walked == gpa)
		return true;
	lpar_stop(l, "the instruction at rip 0x%lx addresses linear 0x%lx, not the faulting gpa "
	          "0x%lx", (unsigned long)rip, (unsigned long)linear, (unsigned long)gpa);
	return false;
}

static void handle_npf(struct lpar *l, const struct vcpu_exit *e)
{
	bool claimed = mmio_bus_claims(&l->bus, e->gpa);
	if (!claimed && !e->fetch && e->gpa >= TPM_WINDOW_BASE &&
	    e->gpa - TPM_WINDOW_BASE < TPM_WINDOW_SIZE) {
		lpar_stop(l, "access to the TPM window at gpa 0x%lx, but no TPM is attached (tpm = %s)",
		          (unsigned long)e->gpa, cfg_tpm_name(l->cfg->tpm));
		return;
	}
	if (!claimed || e->fetch) {
		lpar_stop(l, "access outside its memory at gpa 0x%lx (%s)", (unsigned long)e->gpa,
		          e->fetch ? "fetch" : e->write ? "write" : "read");
		return;
	}
	if (e->walk_fault || e->in_delivery) {
		/* Not an access the instruction at RIP makes: the CPU walked the guest's page tables
		 * or its IDT/GDT/stack into the window.  Emulating the instruction there would apply
		 * an access the guest never made (and lose the event being delivered). */
		if (e->in_delivery)
			lpar_stop(l, "fault at gpa 0x%lx while delivering vector %u (IDT, GDT or stack "
			          "outside its memory)", (unsigned long)e->gpa, e->delivery_vector);
		else
			lpar_stop(l, "fault in its page-table walk at gpa 0x%lx (a guest page table "
			          "outside its memory)", (unsigned long)e->gpa);
		return;
	}
	if (e->code_bits == 16) {
		lpar_stop(l, "MMIO access at gpa 0x%lx from 16-bit code is not emulated",
		          (unsigned long)e->gpa);
		return;
	}
	uint8_t bytes[DECODE_MAX_INSN];
	size_t n = fetch_insn(l, bytes);
	struct mmio_insn in;
	bool long64 = e->code_bits ? e->code_bits == 64 : (reg(l, REG_EFER) & EFER_LMA) != 0;
	enum decode_status st = n ? decode_mmio(bytes, n, long64 ? DECODE_MODE_64 : DECODE_MODE_32, &in)
	                          : DECODE_TRUNCATED;
	if (st != DECODE_OK) {
		char hex[64];
		format_bytes(hex, sizeof hex, bytes, n);
		lpar_stop(l, "unsupported instruction at rip 0x%lx touching gpa 0x%lx: %s",
		          (unsigned long)reg(l, REG_RIP), (unsigned long)e->gpa, n ? hex : "(unreadable)");
		return;
	}
	if (in.write != e->write) {
		/* The bytes at RIP are not what faulted (self-modifying code, or a stale fetch):
		 * emulating them would apply the wrong access. */
		lpar_stop(l, "the instruction at rip 0x%lx does not match the %s fault at gpa 0x%lx",
		          (unsigned long)reg(l, REG_RIP), e->write ? "write" : "read",
		          (unsigned long)e->gpa);
		return;
	}
	if (!addresses_gpa(l, &in, e->gpa))
		return;
	struct mmio_access a = { .size = in.size, .is_write = in.write };
	if (in.write)
		a.value = decode_store_value(&in, in.has_imm ? 0 : reg(l, (enum vcpu_reg)in.reg));
	if (mmio_bus_dispatch(&l->bus, e->gpa, &a) != MMIO_HANDLED) {
		lpar_stop(l, "%u-byte %s at gpa 0x%lx refused by its device (or crossing the end of a "
		          "device window)", in.size, in.write ? "write" : "read", (unsigned long)e->gpa);
		return;
	}
	if (!in.write) {
		enum vcpu_reg dst = (enum vcpu_reg)in.reg;
		uint64_t old = reg(l, dst);
		set_reg(l, dst, decode_merge_load(&in, old, a.value));
	}
	advance_rip(l, in.len);
}

static void handle_pio(struct lpar *l, const struct vcpu_exit *e)
{
	struct mmio_access a = { .size = e->size, .is_write = e->write,
	                         .value = e->write ? (uint32_t)e->value : 0 };
	enum mmio_result r = pio_bus_dispatch(&l->bus, e->port, &a);
	if (r == MMIO_UNHANDLED)
		a.value = 0xFFFFFFFFu;   /* nothing there: reads float high, writes vanish */
	else if (r == MMIO_ERROR) {
		lpar_stop(l, "device refused port 0x%x", e->port);
		return;
	}
	uint32_t value = (uint32_t)a.value;
	if (!e->write) {
		/* IN AL/AX keeps the rest of RAX; IN EAX zero-extends, as any 32-bit destination. */
		uint64_t mask = pio_value_mask(e->size);
		uint64_t rax = e->size == 4 ? 0 : reg(l, REG_RAX) & ~mask;
		set_reg(l, REG_RAX, rax | (value & mask));
	}
	advance_rip(l, e->insn_len);
}

/* Features whose MSRs the guest would get #GP for (handle_msr allows none of them) are not
 * advertised: advertised means it works.  Speculation control (SPEC_CTRL, PRED_CMD,
 * FLUSH_CMD, ARCH_CAPABILITIES, CORE_CAPABILITIES, VIRT_SPEC_CTRL), PERF_CAPABILITIES, and
 * x2APIC (the guest has no local APIC).
 * What the hypervisor does instead about speculation: docs/security.md. */
static void hide_unbacked_features(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	if (leaf == 1)
		r[2] &= ~((1u << 15) | (1u << 21));        /* PDCM (PERF_CAPABILITIES), x2APIC */
	if (leaf == 7 && sub == 0)   /* IBRS/IBPB STIBP L1D_FLUSH ARCH_CAP CORE_CAP SSBD */
		r[3] &= ~((1u << 26) | (1u << 27) | (1u << 28) | (1u << 29) | (1u << 30) | (1u << 31));
	if (leaf == 7 && sub == 2)
		r[3] = 0;                                  /* PSFD, IPRED/RRSBA/BHI_CTRL: SPEC_CTRL */
	if (leaf == 0x80000008u)     /* IBPB, IBRS (+ always-on, preferred), STIBP, SSBD */
		r[1] &= ~((1u << 12) | (1u << 14) | (1u << 15) | (1u << 16) | (1u << 17) |
		          (1u << 18) | (1u << 24) | (1u << 25));
}

static void handle_cpuid(struct lpar *l, const struct vcpu_exit *e)
{
	uint32_t leaf = (uint32_t)reg(l, REG_RAX), sub = (uint32_t)reg(l, REG_RCX), r[4];
	cpuid(leaf, sub, r);
	if (leaf == 1)
		r[2] &= ~(1u << 5);            /* no VMX */
	if (leaf == 0x80000001u)
		r[2] &= ~(1u << 2);            /* no SVM */
	if (leaf == 0x8000000Au)
		r[0] = r[1] = r[2] = r[3] = 0; /* no SVM features */
	hide_unbacked_features(leaf, sub, r);
	set_reg(l, REG_RAX, r[0]);
	set_reg(l, REG_RBX, r[1]);
	set_reg(l, REG_RCX, r[2]);
	set_reg(l, REG_RDX, r[3]);
	skip_insn(l, e, 2);            /* 0F A2 */
}

/* MSRs: a short allow-list; anything else raises #GP, as on a CPU without that MSR. */
static void handle_msr(struct lpar *l, const struct vcpu_exit *e)
{
	const uint64_t efer_guest_bits = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	uint64_t v;
	if (e->kind == EXIT_MSR_READ) {
		switch (e->msr) {
		case MSR_EFER: v = reg(l, REG_EFER) & efer_guest_bits; break;
		case MSR_PAT: v = 0x0007040600070406ull; break;
		case 0x10: v = arch_timestamp(); break;   /* TSC */
		default:
			vcpu_ops->inject_exception(&l->vcpu, 13, true, 0);
			return;
		}
		set_reg(l, REG_RAX, (uint32_t)v);
		set_reg(l, REG_RDX, v >> 32);
	} else {
		if (e->msr != MSR_EFER || ((e->value ^ reg(l, REG_EFER)) & ~(EFER_SCE | EFER_NXE) &
		                           efer_guest_bits) || (e->value & ~efer_guest_bits)) {
			vcpu_ops->inject_exception(&l->vcpu, 13, true, 0);
			return;
		}
		set_reg(l, REG_EFER, e->value);
	}
	skip_insn(l, e, 2);            /* 0F 32 / 0F 30 */
}

static void handle_exit(struct lpar *l, const struct vcpu_exit *e)
{
	switch (e->kind) {
	case EXIT_NPF: handle_npf(l, e); break;
	case EXIT_PIO: handle_pio(l, e); break;
	case EXIT_CPUID: handle_cpuid(l, e); break;
	case EXIT_MSR_READ:
	case EXIT_MSR_WRITE: handle_msr(l, e); break;
	case EXIT_HLT: lpar_stop(l, "halted"); break;
	case EXIT_SHUTDOWN: lpar_request_reset(l, "triple fault"); break;
	case EXIT_HYPERCALL:
		set_reg(l, REG_RAX, ~0ull);    /* no hypercalls defined yet */
		skip_insn(l, e, 3);            /* 0F 01 D9 / 0F 01 C1 */
		break;
	case EXIT_EXCEPTION:
		lpar_stop(l, "exception %u at rip 0x%lx", e->vector, (unsigned long)reg(l, REG_RIP));
		break;
	case EXIT_ENTRY_FAIL:
		lpar_stop(l, "the CPU refused to enter it (%s exit 0x%lx)", vcpu_ops->name,
		          (unsigned long)e->raw);
		break;
	default:
		lpar_stop(l, "unhandled %s exit 0x%lx (0x%lx) at rip 0x%lx", vcpu_ops->name,
		          (unsigned long)e->raw, (unsigned long)e->qual, (unsigned long)reg(l, REG_RIP));
		break;
	}
}

static int start_vcpu(struct lpar *l)
{
	if (vcpu_ops->vcpu_init(&l->vcpu, l->npt_root, &l->start)) {
		lpar_stop(l, "cannot set up its vcpu");
		return -1;
	}
	l->tsc_start = arch_timestamp();
	return 0;
}

/* How long after its last start the LPAR may restart (anchor/lpar.h: the throttle). */
static uint64_t restart_gap(const struct lpar *l)
{
	uint64_t gap = LPAR_RESTART_MIN_MS * tsc_per_ms();
	uint64_t htpm = l->vtpm ? vtpm_firmware_cost(l->vtpm) * LPAR_RESTART_HTPM_FACTOR : 0;
	return htpm > gap ? htpm : gap;
}

/* Restart after a guest reset (restart = reset), throttled (restart_gap: this CPU waits,
 * nothing else does); then the LTPM is power-cycled by the HTPM (_TPM_Init, Startup(CLEAR):
 * PCRs reset, NV and seeds kept), the image is reloaded from its measured copy and the vCPU
 * starts again from the guest_abi.h state. */
static void restart(struct lpar *l, const char *why)
{
	uint64_t ms = (arch_timestamp() - l->tsc_start) / tsc_per_ms();
	l->quick_restarts = ms < 1000 ? l->quick_restarts + 1 : 0;
	if (l->quick_restarts >= LPAR_RESTART_BURST) {
		lpar_stop(l, "%s, after %u resets in a row within a second of starting", why,
		          l->quick_restarts);
		return;
	}
	uint64_t resume = l->tsc_start + restart_gap(l);
	while (arch_timestamp() < resume)
		cpu_relax();
	vuart_flush(&l->uart);
	l->restarts++;
	console_printf("anchor: lpar %s reset: %s (restart %u)\n", l->cfg->name, why, l->restarts);
	if (l->vtpm && vtpm_guest_reset(l->vtpm)) {
		lpar_stop(l, "its vTPM did not come back after the reset");
		return;
	}
	char err[160];
	if (load_guest(l, err, sizeof err)) {
		lpar_stop(l, "reload after reset failed: %s", err);
		return;
	}
	start_vcpu(l);
}

static void handle_reset(struct lpar *l)
{
	const char *why = l->reset_cause;
	l->reset_cause = NULL;
	if (l->stop_reason[0])
		return;
	if (l->cfg->restart == CFG_RESTART_RESET)
		restart(l, why);
	else
		lpar_stop(l, "%s", why);
}

void lpar_run(struct lpar *l)
{
	l->vcpu.cpu = cpu_index();
	l->vcpu.lpar = l;
	if (vcpu_ops->cpu_enable())
		lpar_stop(l, "cannot enable %s on cpu %u", vcpu_ops->name, cpu_index());
	else if (l->vtpm && vtpm_wait_firmware(l->vtpm))
		lpar_stop(l, "its vTPM could not be started");
	else if (!start_vcpu(l)) {
		l->state = LPAR_RUNNING;
		console_printf("anchor: lpar %s started on cpu %u\n", l->cfg->name, cpu_index());
	}
	struct vcpu_exit e;
	while (!l->stop_reason[0]) {
		memset(&e, 0, sizeof e);
		vcpu_ops->vcpu_run(&l->vcpu, &e);
		l->exits++;
		l->exits_mmio += e.kind == EXIT_NPF;
		l->exits_pio += e.kind == EXIT_PIO;
		handle_exit(l, &e);
		if (l->reset_cause)
			handle_reset(l);
		if (l->vcpu.cpu == 0)
			console_service(false);   /* an LPAR on the BSP: the APs' console, never waiting */
	}
	lpar_finish(l);
}
