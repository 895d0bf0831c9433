/*
 * A small x86-64 instruction decoder for trapped MMIO accesses (hv/decode.c).  Neither QEMU TCG
 * nor every CPU provides decode assists, so the hypervisor fetches the bytes at the guest RIP and
 * decodes them here.  Pure logic: no hypervisor state, unit-tested on the host.
 *
 * Accepted: MOV r/m<->reg (88, 89, 8A, 8B), MOV r/m,imm (C6 /0, C7 /0), MOVZX (0F B6, 0F B7),
 * MOVSX (0F BE, 0F BF), MOVSXD (63, 64-bit mode only: movslq), MOV moffs (A0-A3: 8-byte
 * address in 64-bit mode, 4-byte in 32-bit), with the 66 operand-size prefix, REX (only when
 * it directly precedes the opcode, as on the CPU), and CS/DS/ES/SS segment prefixes (no effect
 * in 64-bit mode; flat segments assumed in 32-bit mode); in 64-bit mode and 32-bit protected
 * mode.  Only memory operands (ModRM.mod != 3).  FS/GS overrides, 67, F0, F2, F3 are rejected.
 * Rejected cleanly (DECODE_UNSUPPORTED): string instructions (MOVS, STOS, LODS, CMPS, SCAS, with
 * or without REP), RMW instructions (ADD/OR/AND/XCHG/... on memory), AVX/SSE, anything unknown,
 * anything longer than 15 bytes.
 * DECODE_TRUNCATED means: the `avail` bytes are a valid start of an accepted form and more are
 * needed (e.g. the fetch stopped at a page boundary); fetch the rest and decode again.  A form
 * already known to be unsupported is reported as DECODE_UNSUPPORTED even from short input.
 * Test cases: tests/unit/decode_cases.txt (assembled by GNU as at build time).
 */
#ifndef ANCHOR_DECODE_H
#define ANCHOR_DECODE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DECODE_MAX_INSN 15

enum decode_status {
	DECODE_OK = 0,
	DECODE_UNSUPPORTED,   /* valid x86, but not an MMIO form we emulate */
	DECODE_TRUNCATED,     /* needs more bytes than were given */
};

/* DECODE_MODE_64 for 64-bit code (EFER.LMA = 1 and CS.L = 1); DECODE_MODE_32 for 32-bit
 * protected mode AND compatibility mode (EFER.LMA = 1, CS.L = 0: 40-4F are INC/DEC there, not
 * REX).  16-bit code (CS.D = 0) is not supported: decode with DECODE_MODE_32 would misread
 * 66/67, so a caller should treat it as unsupported. */
enum decode_mode { DECODE_MODE_32, DECODE_MODE_64 };

struct mmio_insn {
	uint8_t len;          /* total instruction length incl. prefixes, to advance RIP */
	uint8_t size;         /* access width in bytes: 1, 2, 4, 8 */
	bool write;           /* guest stores to memory */
	/* For stores: the value comes from register reg (low `size` bytes; for AH..BH, reg_high8)
	 * or, if has_imm, from imm (already sign-extended to 64 bits for C7 with REX.W).
	 * For loads: the value goes to register reg; zero_extend/sign_extend say how to widen it to
	 * dst_size bytes; 32-bit destinations clear the upper half (x86-64 rule). */
	uint8_t reg;          /* enum vcpu_reg numbering (REG_RAX..REG_R15); A0-A3 use REG_RAX */
	bool reg_high8;       /* AH, CH, DH, BH (no REX, 8-bit, reg 4-7) */
	bool has_imm;
	uint64_t imm;
	uint8_t dst_size;     /* loads: destination register width in bytes; 0 for stores */
	bool zero_extend;
	bool sign_extend;
	/* The memory operand, so the caller can check that the instruction really addresses the
	 * faulting gpa (decode_linear_address): base and index registers (enum vcpu_reg
	 * numbering, or DECODE_NO_REG), scale 1/2/4/8, displacement (sign-extended; for A0-A3
	 * the absolute moffs), RIP-relative (64-bit mode, mod 0 rm 5), address size 8 or 4. */
	uint8_t base, index, scale;
	int64_t disp;
	bool rip_relative;
	uint8_t addr_size;
};

#define DECODE_NO_REG 0xFF

/* Decodes the instruction at bytes[0..avail).  On anything but DECODE_OK, *out is zeroed. */
enum decode_status decode_mmio(const uint8_t *bytes, size_t avail, enum decode_mode mode,
                               struct mmio_insn *out);

/*
 * String instructions, recognised separately: decode_mmio rejects them, and a hypervisor that
 * chooses to emulate them (Linux's memcpy_fromio/memcpy_toio, used e.g. by tpm_crb for its
 * command buffer, compile to `rep movs`) calls this on DECODE_UNSUPPORTED.  Accepted: MOVS,
 * STOS, LODS (A4/A5, AA/AB, AC/AD) with 66/REX.W element sizes, an optional REP (F3), CS/DS/ES/SS
 * prefixes (the source segment; flat), 67 (32-bit RSI/RDI/RCX in 64-bit mode).  Rejected:
 * CMPS/SCAS, REPNE (F2), LOCK, FS/GS.  The emulation (RCX iterations, RSI/RDI stepping by
 * +-size per RFLAGS.DF, one memory side possibly being RAM) is the caller's.
 */
enum string_op { STRING_MOVS, STRING_STOS, STRING_LODS };

struct string_insn {
	uint8_t len;          /* instruction length, to advance RIP when done */
	uint8_t size;         /* element size: 1, 2, 4, 8 */
	enum string_op op;    /* MOVS: [RSI] -> [RDI]; STOS: RAX -> [RDI]; LODS: [RSI] -> RAX */
	bool rep;             /* F3: repeat RCX times (RCX = 0: nothing, RIP advances) */
	uint8_t addr_size;    /* width of RSI/RDI/RCX: 8 (64-bit mode) or 4 (67, or 32-bit mode) */
};

enum decode_status decode_string(const uint8_t *bytes, size_t avail, enum decode_mode mode,
                                 struct string_insn *out);

/* The linear address a decoded instruction at `rip` accesses, given the guest's GPRs (enum
 * vcpu_reg order, RSP included): base + index * scale + displacement (+ the next RIP when
 * RIP-relative), truncated to 32 bits in 32-bit mode.  Segment bases are taken as 0 (flat; the
 * decoder refuses FS/GS).  The hypervisor translates it through the guest's page tables and
 * emulates only if it lands on the faulting gpa. */
uint64_t decode_linear_address(const struct mmio_insn *in, const uint64_t regs[16],
                               uint64_t rip);

/* Apply a decoded load: merge `value` (size bytes from the device; higher bits ignored) into
 * the register's old contents per the x86 rules (8/16-bit destinations keep the other bits,
 * AH..BH replace bits 15:8, 32-bit destinations zero bits 63:32); returns the new value. */
uint64_t decode_merge_load(const struct mmio_insn *in, uint64_t old_reg, uint64_t value);
/* The value a decoded store writes (size bytes), given the source register's contents. */
uint64_t decode_store_value(const struct mmio_insn *in, uint64_t src_reg);

#endif
