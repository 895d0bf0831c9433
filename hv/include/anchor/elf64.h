/*
 * ELF64 executables as Anchor loads them: hv.elf in the UEFI loader (boot/anchor.c) and LPAR
 * images in the hypervisor (hv/lpar.c).  Only what loading PT_LOAD segments needs; every
 * offset is checked against the file size before it is used, since the files come from the
 * boot medium.
 */
#ifndef ANCHOR_ELF64_H
#define ANCHOR_ELF64_H
#include <stdbool.h>
#include <stdint.h>

struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define ELF64_PT_LOAD 1

enum elf64_status {
	ELF64_OK,
	ELF64_NOT_X86_64,    /* not an ELF64 file for x86-64 (or shorter than its header) */
	ELF64_BAD_PHDRS,     /* program headers of another size, misaligned or beyond the file */
};

/* Checks the file header and that the program header table lies inside the file; after
 * ELF64_OK, elf64_phdrs() may be read up to phnum entries. */
static inline enum elf64_status elf64_check(const uint8_t *file, uint64_t size)
{
	const struct elf64_ehdr *eh = (const struct elf64_ehdr *)file;
	if (size < sizeof *eh || eh->ident[0] != 0x7F || eh->ident[1] != 'E' ||
	    eh->ident[2] != 'L' || eh->ident[3] != 'F' || eh->ident[4] != 2 /* ELFCLASS64 */ ||
	    eh->machine != 62 /* EM_X86_64 */)
		return ELF64_NOT_X86_64;
	if (eh->phentsize != sizeof(struct elf64_phdr) || eh->phoff > size || (eh->phoff & 7) ||
	    (uint64_t)eh->phnum * sizeof(struct elf64_phdr) > size - eh->phoff)
		return ELF64_BAD_PHDRS;
	return ELF64_OK;
}

static inline const struct elf64_phdr *elf64_phdrs(const uint8_t *file)
{
	return (const struct elf64_phdr *)(file + ((const struct elf64_ehdr *)file)->phoff);
}

/* A segment's file bytes lie inside the file and fit in its memory size. */
static inline bool elf64_segment_in_file(const struct elf64_phdr *p, uint64_t size)
{
	return p->filesz <= p->memsz && p->offset <= size && p->filesz <= size - p->offset;
}

#endif
