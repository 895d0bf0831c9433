/*
 * MMIO instruction decoder (see anchor/decode.h for the accepted forms).
 *
 * The decoder is deliberately narrow: it only has to recognise the instructions that drivers and
 * compilers use for a single, plain load or store to device memory.  Everything else (string
 * instructions, read-modify-write, locked, SSE/AVX) is reported as DECODE_UNSUPPORTED so the
 * hypervisor can stop the LPAR with the bytes in its message instead of guessing.
 *
 * Truncation: DECODE_TRUNCATED is returned only when the bytes given so far are a valid start of
 * an accepted form and more are needed; a form that is already known to be unsupported is
 * reported as such even if the input is short.  Instructions longer than 15 bytes are invalid
 * on x86 and reported as DECODE_UNSUPPORTED.
 */
#include <anchor/decode.h>

#define REX_W 8u
#define REX_R 4u
#define REX_X 2u
#define REX_B 1u

/* A bounded reader over the instruction bytes. */
struct cursor {
	const uint8_t *bytes;
	size_t avail;
	size_t pos;
};

/* Fetches the next byte; returns the status that stops decoding when there is none. */
static enum decode_status next_byte(struct cursor *c, uint8_t *b)
{
	if (c->pos >= DECODE_MAX_INSN)
		return DECODE_UNSUPPORTED;
	if (c->pos >= c->avail)
		return DECODE_TRUNCATED;
	*b = c->bytes[c->pos++];
	return DECODE_OK;
}

/* Skips n bytes (displacement) after checking that they are there. */
static enum decode_status skip_bytes(struct cursor *c, size_t n)
{
	if (c->pos + n > DECODE_MAX_INSN)
		return DECODE_UNSUPPORTED;
	if (c->pos + n > c->avail)
		return DECODE_TRUNCATED;
	c->pos += n;
	return DECODE_OK;
}

/* Reads an n-byte little-endian immediate. */
static enum decode_status read_le(struct cursor *c, size_t n, uint64_t *val)
{
	enum decode_status st = skip_bytes(c, n);
	if (st != DECODE_OK)
		return st;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)c->bytes[c->pos - n + i] << (8 * i);
	*val = v;
	return DECODE_OK;
}

struct prefixes {
	bool opsize;      /* 66 */
	uint8_t rex;      /* 0 when absent */
};

/*
 * Consumes legacy prefixes and (in 64-bit mode) a REX prefix.  Leaves the cursor on the opcode
 * byte.  A REX prefix only counts when it immediately precedes the opcode: one followed by a
 * legacy prefix is ignored by the CPU, and so it is here.
 */
static enum decode_status read_prefixes(struct cursor *c, enum decode_mode mode,
                                        struct prefixes *p)
{
	p->opsize = false;
	p->rex = 0;
	for (;;) {
		uint8_t b;
		enum decode_status st = next_byte(c, &b);
		if (st != DECODE_OK)
			return st;
		switch (b) {
		case 0x66:
			p->opsize = true;
			p->rex = 0;
			continue;
		case 0x26: case 0x2E: case 0x36: case 0x3E:
			/* ES/CS/SS/DS: ignored in 64-bit mode; flat segments assumed in 32-bit mode. */
			p->rex = 0;
			continue;
		case 0x64: case 0x65:   /* FS/GS: the fault gpa is right but we do not model bases */
		case 0x67:              /* address-size override: not used for MMIO by compilers */
		case 0xF0:              /* LOCK: read-modify-write */
		case 0xF2: case 0xF3:   /* REP/REPNE or mandatory SSE prefixes */
			return DECODE_UNSUPPORTED;
		default:
			break;
		}
		if (mode == DECODE_MODE_64 && (b & 0xF0) == 0x40) {
			p->rex = b;
			continue;
		}
		c->pos--;   /* the opcode: leave it for the caller */
		return DECODE_OK;
	}
}

/* Reads an n-byte (1 or 4) displacement, sign-extended. */
static enum decode_status read_disp(struct cursor *c, size_t n, int64_t *disp)
{
	uint64_t v = 0;
	enum decode_status st = n ? read_le(c, n, &v) : DECODE_OK;
	if (st != DECODE_OK)
		return st;
	*disp = n == 1 ? (int64_t)(int8_t)v : n == 4 ? (int64_t)(int32_t)v : 0;
	return DECODE_OK;
}

/*
 * Consumes ModRM, SIB and displacement.  Only memory operands are accepted (mod != 3): a
 * register-to-register move never faults on MMIO.  *reg receives ModRM.reg extended by REX.R;
 * the memory operand (base, index, scale, displacement, RIP-relative) goes to out.
 */
static enum decode_status read_modrm(struct cursor *c, enum decode_mode mode, uint8_t rex,
                                     uint8_t *reg_field, uint8_t *reg, struct mmio_insn *out)
{
	uint8_t modrm;
	enum decode_status st = next_byte(c, &modrm);
	if (st != DECODE_OK)
		return st;
	uint8_t mod = modrm >> 6, rm = modrm & 7;
	*reg_field = (modrm >> 3) & 7;
	*reg = (uint8_t)(*reg_field | ((rex & REX_R) ? 8 : 0));
	if (mod == 3)
		return DECODE_UNSUPPORTED;
	size_t disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	out->base = out->index = DECODE_NO_REG;
	out->scale = 1;
	if (rm == 4) {
		uint8_t sib;
		st = next_byte(c, &sib);
		if (st != DECODE_OK)
			return st;
		uint8_t index = (uint8_t)(((sib >> 3) & 7) | ((rex & REX_X) ? 8 : 0));
		if (index != 4)                      /* 4 without REX.X: no index */
			out->index = index;
		out->scale = (uint8_t)(1u << (sib >> 6));
		if (mod == 0 && (sib & 7) == 5)
			disp = 4;                        /* no base register: disp32 */
		else
			out->base = (uint8_t)((sib & 7) | ((rex & REX_B) ? 8 : 0));
	} else if (mod == 0 && rm == 5) {
		disp = 4;         /* RIP-relative in 64-bit mode, absolute disp32 in 32-bit mode */
		out->rip_relative = mode == DECODE_MODE_64;
	} else {
		out->base = (uint8_t)(rm | ((rex & REX_B) ? 8 : 0));
	}
	return read_disp(c, disp, &out->disp);
}

/* Operand size of a non-byte instruction: REX.W wins over 66. */
static uint8_t operand_size(const struct prefixes *p)
{
	if (p->rex & REX_W)
		return 8;
	return p->opsize ? 2 : 4;
}

/* Fills reg/reg_high8 for an 8-bit register operand: without any REX, 4-7 are AH..BH. */
static void set_byte_reg(struct mmio_insn *out, uint8_t reg, uint8_t rex)
{
	if (!rex && reg >= 4 && reg <= 7) {
		out->reg = (uint8_t)(reg - 4);
		out->reg_high8 = true;
	} else {
		out->reg = reg;
		out->reg_high8 = false;
	}
}

/* 88/89/8A/8B: mov between a register and memory. */
static enum decode_status decode_mov_rm(struct cursor *c, enum decode_mode mode,
                                        const struct prefixes *p, uint8_t op,
                                        struct mmio_insn *out)
{
	uint8_t field, reg;
	enum decode_status st = read_modrm(c, mode, p->rex, &field, &reg, out);
	if (st != DECODE_OK)
		return st;
	bool byte = (op & 1) == 0;
	out->write = op <= 0x89;
	out->size = byte ? 1 : operand_size(p);
	if (byte)
		set_byte_reg(out, reg, p->rex);
	else
		out->reg = reg;
	if (!out->write)
		out->dst_size = out->size;
	return DECODE_OK;
}

/* C6 /0 ib, C7 /0 iw/id: store an immediate. */
static enum decode_status decode_mov_imm(struct cursor *c, enum decode_mode mode,
                                         const struct prefixes *p, uint8_t op,
                                         struct mmio_insn *out)
{
	uint8_t field, reg;
	enum decode_status st = read_modrm(c, mode, p->rex, &field, &reg, out);
	if (st != DECODE_OK)
		return st;
	if (field != 0)
		return DECODE_UNSUPPORTED;   /* C6/C7 with reg != 0 are XABORT/XBEGIN or invalid */
	out->write = true;
	out->has_imm = true;
	out->size = op == 0xC6 ? 1 : operand_size(p);
	size_t imm_len = out->size == 8 ? 4 : out->size;
	uint64_t imm;
	st = read_le(c, imm_len, &imm);
	if (st != DECODE_OK)
		return st;
	if (out->size == 8 && (imm & 0x80000000u))
		imm |= 0xFFFFFFFF00000000ull;   /* REX.W C7: imm32 sign-extended to 64 bits */
	out->imm = imm;
	return DECODE_OK;
}

/* A0-A3: mov between AL/eAX/RAX and an absolute address (moffs). */
static enum decode_status decode_mov_moffs(struct cursor *c, enum decode_mode mode,
                                           const struct prefixes *p, uint8_t op,
                                           struct mmio_insn *out)
{
	size_t addr_len = mode == DECODE_MODE_64 ? 8 : 4;
	uint64_t moffs;
	enum decode_status st = read_le(c, addr_len, &moffs);
	if (st != DECODE_OK)
		return st;
	out->base = out->index = DECODE_NO_REG;
	out->scale = 1;
	out->disp = (int64_t)moffs;
	bool byte = (op & 1) == 0;
	out->write = op >= 0xA2;
	out->size = byte ? 1 : operand_size(p);
	out->reg = 0;   /* REG_RAX; REX.B does not select another register here */
	if (!out->write)
		out->dst_size = out->size;
	return DECODE_OK;
}

/* 0F B6/B7/BE/BF: movzx/movsx from 8- or 16-bit memory into a wider register. */
static enum decode_status decode_movx(struct cursor *c, enum decode_mode mode,
                                      const struct prefixes *p, struct mmio_insn *out)
{
	uint8_t op2;
	enum decode_status st = next_byte(c, &op2);
	if (st != DECODE_OK)
		return st;
	if (op2 != 0xB6 && op2 != 0xB7 && op2 != 0xBE && op2 != 0xBF)
		return DECODE_UNSUPPORTED;
	uint8_t field, reg;
	st = read_modrm(c, mode, p->rex, &field, &reg, out);
	if (st != DECODE_OK)
		return st;
	out->write = false;
	out->size = (op2 & 1) ? 2 : 1;
	out->reg = reg;
	out->dst_size = operand_size(p);
	if (op2 <= 0xB7)
		out->zero_extend = true;
	else
		out->sign_extend = true;
	return DECODE_OK;
}

/* 63 /r in 64-bit mode: movsxd (movslq), a load of 32 bits sign-extended into a 64-bit
 * register with REX.W; without REX.W it is an ordinary 16/32-bit load. */
static enum decode_status decode_movsxd(struct cursor *c, enum decode_mode mode,
                                        const struct prefixes *p, struct mmio_insn *out)
{
	uint8_t field, reg;
	enum decode_status st = read_modrm(c, mode, p->rex, &field, &reg, out);
	if (st != DECODE_OK)
		return st;
	out->write = false;
	out->reg = reg;
	out->dst_size = operand_size(p);
	out->size = out->dst_size == 8 ? 4 : out->dst_size;
	out->sign_extend = true;
	return DECODE_OK;
}

enum decode_status decode_mmio(const uint8_t *bytes, size_t avail, enum decode_mode mode,
                               struct mmio_insn *out)
{
	struct cursor c = { bytes, bytes ? avail : 0, 0 };
	struct prefixes p;
	*out = (struct mmio_insn){ 0 };
	enum decode_status st = read_prefixes(&c, mode, &p);
	if (st != DECODE_OK)
		return st;
	uint8_t op;
	st = next_byte(&c, &op);
	if (st != DECODE_OK)
		return st;
	switch (op) {
	case 0x88: case 0x89: case 0x8A: case 0x8B:
		st = decode_mov_rm(&c, mode, &p, op, out);
		break;
	case 0xC6: case 0xC7:
		st = decode_mov_imm(&c, mode, &p, op, out);
		break;
	case 0xA0: case 0xA1: case 0xA2: case 0xA3:
		st = decode_mov_moffs(&c, mode, &p, op, out);
		break;
	case 0x0F:
		st = decode_movx(&c, mode, &p, out);
		break;
	case 0x63:   /* ARPL in 32-bit mode */
		st = mode == DECODE_MODE_64 ? decode_movsxd(&c, mode, &p, out) : DECODE_UNSUPPORTED;
		break;
	default:
		st = DECODE_UNSUPPORTED;
		break;
	}
	if (st != DECODE_OK) {
		*out = (struct mmio_insn){ 0 };
		return st;
	}
	out->len = (uint8_t)c.pos;
	out->addr_size = mode == DECODE_MODE_64 ? 8 : 4;
	return DECODE_OK;
}

uint64_t decode_linear_address(const struct mmio_insn *in, const uint64_t regs[16],
                               uint64_t rip)
{
	uint64_t a = (uint64_t)in->disp;
	if (in->rip_relative)
		a += rip + in->len;
	if (in->base < 16)
		a += regs[in->base];
	if (in->index < 16)
		a += regs[in->index] * in->scale;
	return in->addr_size == 4 ? a & 0xFFFFFFFFull : a;
}

/* ---- String instructions (see decode.h) --------------------------------------------------- */

enum decode_status decode_string(const uint8_t *bytes, size_t avail, enum decode_mode mode,
                                 struct string_insn *out)
{
	struct cursor c = { bytes, bytes ? avail : 0, 0 };
	bool opsize = false, addr32 = mode == DECODE_MODE_32, rep = false;
	uint8_t rex = 0, op;
	*out = (struct string_insn){ 0 };
	for (;;) {
		enum decode_status st = next_byte(&c, &op);
		if (st != DECODE_OK)
			return st;
		if (op == 0x66) {
			opsize = true;
		} else if (op == 0x67) {
			if (mode != DECODE_MODE_64)
				return DECODE_UNSUPPORTED;   /* 16-bit addressing */
			addr32 = true;
		} else if (op == 0xF3) {
			rep = true;
		} else if (op == 0x26 || op == 0x2E || op == 0x36 || op == 0x3E) {
			/* flat segments: no effect */
		} else if (mode == DECODE_MODE_64 && (op & 0xF0) == 0x40) {
			rex = op;
			continue;   /* must be last: do not clear below */
		} else {
			break;      /* F0, F2, 64, 65 and opcodes */
		}
		rex = 0;
	}
	enum string_op kind;
	switch (op & 0xFE) {
	case 0xA4: kind = STRING_MOVS; break;
	case 0xAA: kind = STRING_STOS; break;
	case 0xAC: kind = STRING_LODS; break;
	default: return DECODE_UNSUPPORTED;
	}
	out->len = (uint8_t)c.pos;
	out->op = kind;
	out->rep = rep;
	out->addr_size = addr32 ? 4 : 8;
	out->size = (op & 1) == 0 ? 1 : (rex & REX_W) ? 8 : opsize ? 2 : 4;
	return DECODE_OK;
}

static uint64_t width_mask(unsigned bytes)
{
	return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

uint64_t decode_merge_load(const struct mmio_insn *in, uint64_t old_reg, uint64_t value)
{
	uint64_t v = value & width_mask(in->size);
	if (in->sign_extend && in->size < 8 && (v >> (8 * in->size - 1)) & 1)
		v |= ~width_mask(in->size);
	switch (in->dst_size) {
	case 8:
		return v;
	case 4:
		return v & 0xFFFFFFFFull;   /* 32-bit destinations clear bits 63:32 */
	case 2:
		return (old_reg & ~0xFFFFull) | (v & 0xFFFF);
	case 1:
		if (in->reg_high8)
			return (old_reg & ~0xFF00ull) | ((v & 0xFF) << 8);
		return (old_reg & ~0xFFull) | (v & 0xFF);
	default:
		return old_reg;             /* not a load: leave the register alone */
	}
}

uint64_t decode_store_value(const struct mmio_insn *in, uint64_t src_reg)
{
	if (in->has_imm)
		return in->imm & width_mask(in->size);
	if (in->reg_high8)
		return (src_reg >> 8) & 0xFF;
	return src_reg & width_mask(in->size);
}
