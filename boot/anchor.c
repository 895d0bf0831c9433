/*
 * anchor.efi: the UEFI loader of the Anchor hypervisor.
 *
 * From the ESP it was started from, it reads \anchor.cfg, \hv.elf and every image the
 * configuration names; parses the configuration (a bad one stops the boot here, naming the
 * line); reserves each LPAR's RAM at its configured address; loads hv.elf's PT_LOAD segments at
 * their physical addresses; measures into the PTPM through EFI_TCG2_PROTOCOL:
 *     PCR 8  the hypervisor image (hv.elf, the whole file)
 *     PCR 9  the configuration (anchor.cfg, the whole file), then each distinct guest image in
 *            the order the configuration first names it
 * copies the TCG2 event log, fills struct boot_info, exits boot services and jumps to hv.elf's
 * entry point with RDI = boot_info.
 *
 * Memory the hypervisor must keep is allocated with two OS-reserved memory types, so the final
 * memory map tells the hypervisor what is whose without any bookkeeping on our side.
 */
#include <efi.h>
#include <efilib.h>
#include <anchor/boot_info.h>
#include <anchor/config.h>
#include <anchor/elf64.h>
#include <bearssl_hash.h>   /* the freestanding BearSSL build ($(BEARSSL_FREE_LIB)) */

#define MEM_TYPE_HV   ((EFI_MEMORY_TYPE)0x80000001u)
#define MEM_TYPE_LPAR ((EFI_MEMORY_TYPE)0x80000002u)

#define PCR_HYPERVISOR 8
#define PCR_CONFIG     9
#define EV_IPL         0x0000000Du

#define PTPM_BASE 0xFED40000ull

/* ---- EFI_TCG2_PROTOCOL (TCG EFI Protocol Specification), declared here: gnu-efi lacks it ---- */

static EFI_GUID tcg2_guid = { 0x607f766c, 0x7455, 0x42be, { 0x93, 0x0b, 0xe4, 0xd7, 0x6d, 0xb2, 0x72, 0x0f } };
static EFI_GUID acpi20_guid = { 0x8868e871, 0xe4f1, 0x11d3, { 0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 } };
static EFI_GUID tcg2_final_guid = { 0x1e2ed096, 0x30e2, 0x4254, { 0xbd, 0x89, 0x86, 0x3b, 0xbe, 0xf8, 0x23, 0x25 } };
static EFI_GUID acpi10_guid = { 0xeb9d2d30, 0x2d88, 0x11d3, { 0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d } };

#pragma pack(push, 1)
typedef struct {
	UINT32 HeaderSize;
	UINT16 HeaderVersion;
	UINT32 PCRIndex;
	UINT32 EventType;
} TCG2_EVENT_HEADER;

typedef struct {
	UINT32 Size;
	TCG2_EVENT_HEADER Header;
	UINT8 Event[];
} TCG2_EVENT;
#pragma pack(pop)

/* Naturally aligned (not packed), as in EDK2's Tcg2Protocol.h: 36 bytes. */
typedef struct {
	UINT8 Size;
	UINT8 StructureVersion[2];
	UINT8 ProtocolVersion[2];
	UINT32 HashAlgorithmBitmap;
	UINT32 SupportedEventLogs;
	UINT8 TPMPresentFlag;
	UINT16 MaxCommandSize;
	UINT16 MaxResponseSize;
	UINT32 ManufacturerID;
	UINT32 NumberOfPcrBanks;
	UINT32 ActivePcrBanks;
} TCG2_CAPABILITY;

#define TCG2_BANK_SHA256 0x00000002u

typedef struct tcg2_protocol TCG2_PROTOCOL;
struct tcg2_protocol {
	EFI_STATUS (EFIAPI *GetCapability)(TCG2_PROTOCOL *, TCG2_CAPABILITY *);
	EFI_STATUS (EFIAPI *GetEventLog)(TCG2_PROTOCOL *, UINT32 format, EFI_PHYSICAL_ADDRESS *loc,
	                                 EFI_PHYSICAL_ADDRESS *last, BOOLEAN *truncated);
	EFI_STATUS (EFIAPI *HashLogExtendEvent)(TCG2_PROTOCOL *, UINT64 flags, EFI_PHYSICAL_ADDRESS data,
	                                        UINT64 len, TCG2_EVENT *ev);
	void *SubmitCommand, *GetActivePcrBanks, *SetActivePcrBanks, *GetResultOfSetActivePcrBanks;
};

#define TCG2_EVENT_LOG_FORMAT_TCG_2 2

/* ---- small helpers ---- */

static EFI_HANDLE image_handle;
static EFI_FILE_HANDLE esp_root;
static struct boot_info *bi;
static TCG2_PROTOCOL *tcg2;

static _Noreturn void stop_boot(const CHAR16 *fmt, ...)
{
	va_list ap;
	Print(L"anchor: boot stopped: ");
	va_start(ap, fmt);
	VPrint(fmt, ap);
	va_end(ap);
	Print(L"\n");
	for (;;)
		BS->Stall(1000000);
}

static void copy_ascii(char *dst, UINTN max, const char *src)
{
	UINTN i = 0;
	for (; src[i] && i + 1 < max; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

static int ascii_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static void *alloc_hv_pages(UINTN bytes, EFI_PHYSICAL_ADDRESS max)
{
	EFI_PHYSICAL_ADDRESS addr = max;
	EFI_STATUS st = BS->AllocatePages(max ? AllocateMaxAddress : AllocateAnyPages, MEM_TYPE_HV,
	                                  EFI_SIZE_TO_PAGES(bytes), &addr);
	if (EFI_ERROR(st))
		stop_boot(L"out of memory (%lu bytes): %r", (UINT64)bytes, st);
	SetMem((void *)addr, EFI_SIZE_TO_PAGES(bytes) * EFI_PAGE_SIZE, 0);
	return (void *)addr;
}

/* Reads a whole file of the ESP into hypervisor memory; NULL if it does not exist. */
static void *read_file(const char *name, UINT64 *size)
{
	CHAR16 path[CFG_FILE_MAX + 2];
	UINTN n = 0;
	path[n++] = L'\\';
	for (UINTN i = 0; name[i] && n + 1 < sizeof path / sizeof path[0]; i++)
		path[n++] = name[i] == '/' ? L'\\' : (CHAR16)(UINT8)name[i];
	path[n] = 0;

	EFI_FILE_HANDLE fh;
	if (EFI_ERROR(esp_root->Open(esp_root, &fh, path, EFI_FILE_MODE_READ, 0)))
		return NULL;
	EFI_FILE_INFO *info = LibFileInfo(fh);
	if (!info)
		stop_boot(L"cannot stat %s", path);
	UINT64 len = info->FileSize;
	FreePool(info);
	void *buf = alloc_hv_pages(len ? len : 1, 0);
	UINTN got = len;
	EFI_STATUS st = fh->Read(fh, &got, buf);
	fh->Close(fh);
	if (EFI_ERROR(st) || got != len)
		stop_boot(L"cannot read %s: %r", path, st);
	*size = len;
	return buf;
}

static struct boot_module *add_module(const char *name, void *base, UINT64 size)
{
	if (bi->module_count >= BOOT_MAX_MODULES)
		stop_boot(L"too many files (at most %d)", BOOT_MAX_MODULES);
	struct boot_module *m = &bi->modules[bi->module_count++];
	m->base = (UINT64)(UINTN)base;
	m->size = size;
	copy_ascii(m->name, sizeof m->name, name);
	return m;
}

/* ---- measurement ---- */

/* The event text in the TCG log: "anchor " and the whole `what` (image names included). */
#define EVENT_TEXT_MAX (7 + sizeof bi->events[0].what)

static void measure(UINT32 pcr, const char *what, const void *data, UINT64 len)
{
	if (bi->event_count >= BOOT_MAX_EVENTS)
		stop_boot(L"too many measurements");
	struct boot_event *e = &bi->events[bi->event_count++];
	e->pcr = pcr;
	copy_ascii(e->what, sizeof e->what, what);
	br_sha256_context h;
	br_sha256_init(&h);
	br_sha256_update(&h, data, (size_t)len);
	br_sha256_out(&h, e->sha256);
	e->reserved = 1;   /* not extended (no TPM) until proven otherwise */
	if (!tcg2)
		return;

	UINT8 evbuf[sizeof(TCG2_EVENT) + EVENT_TEXT_MAX];
	TCG2_EVENT *ev = (TCG2_EVENT *)evbuf;
	UINTN n = 0;
	const char *prefix = "anchor ";
	for (; prefix[n]; n++)
		ev->Event[n] = (UINT8)prefix[n];
	for (UINTN i = 0; what[i] && n < EVENT_TEXT_MAX; i++)
		ev->Event[n++] = (UINT8)what[i];
	ev->Size = (UINT32)(sizeof(TCG2_EVENT) + n);
	ev->Header.HeaderSize = sizeof(TCG2_EVENT_HEADER);
	ev->Header.HeaderVersion = 1;
	ev->Header.PCRIndex = pcr;
	ev->Header.EventType = EV_IPL;
	EFI_STATUS st = tcg2->HashLogExtendEvent(tcg2, 0, (EFI_PHYSICAL_ADDRESS)(UINTN)data, len, ev);
	if (EFI_ERROR(st))
		stop_boot(L"measuring %a into PCR %d failed: %r", what, pcr, st);
	e->reserved = 0;
}

/* Size of one crypto-agile (TCG_PCR_EVENT2) entry, given the digest sizes of the log. */
static UINTN event2_size(const UINT8 *p, const UINT16 *alg_ids, const UINT16 *alg_sizes, UINT32 nalg)
{
	UINTN off = 8;
	UINT32 count = *(const UINT32 *)(p + off);
	off += 4;
	for (UINT32 i = 0; i < count; i++) {
		UINT16 alg = *(const UINT16 *)(p + off);
		UINT32 j = 0;
		while (j < nalg && alg_ids[j] != alg)
			j++;
		if (j == nalg)
			return 0;
		off += 2 + alg_sizes[j];
	}
	return off + 4 + *(const UINT32 *)(p + off);
}

/* Copies the crypto-agile event log (first entry in TCG 1.2 format: the Spec ID event). */
static void copy_event_log(void)
{
	EFI_PHYSICAL_ADDRESS loc = 0, last = 0;
	BOOLEAN truncated = FALSE;
	if (EFI_ERROR(tcg2->GetEventLog(tcg2, TCG2_EVENT_LOG_FORMAT_TCG_2, &loc, &last, &truncated)) || !loc)
		return;
	const UINT8 *base = (const UINT8 *)(UINTN)loc;
	UINT32 spec_size = *(const UINT32 *)(base + 28);
	const UINT8 *spec = base + 32;               /* TCG_EfiSpecIDEventStruct */
	UINT32 nalg = *(const UINT32 *)(spec + 24);
	UINT16 ids[8], sizes[8];
	if (nalg > 8)
		return;
	for (UINT32 i = 0; i < nalg; i++) {
		ids[i] = *(const UINT16 *)(spec + 28 + 4 * i);
		sizes[i] = *(const UINT16 *)(spec + 30 + 4 * i);
	}
	const UINT8 *p = spec + spec_size;
	const UINT8 *end = p;
	if (last >= (EFI_PHYSICAL_ADDRESS)(UINTN)p) {
		while (p <= (const UINT8 *)(UINTN)last) {
			UINTN sz = event2_size(p, ids, sizes, nalg);
			if (!sz || sz > 0x100000)
				return;
			p += sz;
		}
		end = p;
	}
	UINTN len = (UINTN)(end - base);
	void *copy = alloc_hv_pages(len, 0);
	CopyMem(copy, base, len);
	bi->tcg_log_base = (UINT64)(UINTN)copy;
	bi->tcg_log_size = len;
	if (truncated)
		Print(L"anchor: WARNING: the TCG2 event log is truncated\n");
}

/* Prints the firmware's memory map: helps choose addresses when a reservation fails. */
static void dump_memory_map(void)
{
	UINTN entries, key, desc_size;
	UINT32 desc_ver;
	UINT8 *map = (UINT8 *)LibMemoryMap(&entries, &key, &desc_size, &desc_ver);
	if (!map)
		return;
	for (UINTN i = 0; i < entries; i++) {
		EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)(map + i * desc_size);
		Print(L"anchor:   0x%012lx-0x%012lx type %d\n", d->PhysicalStart,
		      d->PhysicalStart + d->NumberOfPages * EFI_PAGE_SIZE, d->Type);
	}
	FreePool(map);
}

/* ---- hypervisor image ---- */

static UINT64 load_hypervisor(const UINT8 *file, UINT64 size)
{
	enum elf64_status es = elf64_check(file, size);
	if (es == ELF64_NOT_X86_64)
		stop_boot(L"hv.elf is not an x86-64 ELF64 file");
	if (es != ELF64_OK)
		stop_boot(L"hv.elf: bad program headers");
	const struct elf64_ehdr *eh = (const struct elf64_ehdr *)file;
	const struct elf64_phdr *ph = elf64_phdrs(file);
	for (UINT16 i = 0; i < eh->phnum; i++) {
		if (ph[i].type != ELF64_PT_LOAD || !ph[i].memsz)
			continue;
		if (!elf64_segment_in_file(&ph[i], size))
			stop_boot(L"hv.elf: segment %d lies outside the file", i);
		EFI_PHYSICAL_ADDRESS start = ph[i].paddr & ~0xFFFull;
		UINT64 end = ph[i].paddr + ph[i].memsz;
		if (end < ph[i].paddr)
			stop_boot(L"hv.elf: segment %d wraps", i);
		UINTN pages = EFI_SIZE_TO_PAGES(end - start);
		EFI_STATUS st = BS->AllocatePages(AllocateAddress, MEM_TYPE_HV, pages, &start);
		if (EFI_ERROR(st)) {
			dump_memory_map();
			stop_boot(L"hypervisor memory 0x%lx-0x%lx is not free RAM: %r", start, end, st);
		}
		SetMem((void *)start, pages * EFI_PAGE_SIZE, 0);
		CopyMem((void *)(UINTN)ph[i].paddr, file + ph[i].offset, ph[i].filesz);
	}
	return eh->entry;
}

static void hypervisor_span(const UINT8 *file, UINT64 size, UINT64 *lo, UINT64 *hi)
{
	*lo = ~0ull;
	*hi = 0;
	if (elf64_check(file, size) != ELF64_OK)
		return;   /* load_hypervisor reports it */
	const struct elf64_ehdr *eh = (const struct elf64_ehdr *)file;
	const struct elf64_phdr *ph = elf64_phdrs(file);
	for (UINT16 i = 0; i < eh->phnum; i++) {
		if (ph[i].type != ELF64_PT_LOAD || !ph[i].memsz)
			continue;
		if (ph[i].paddr < *lo)
			*lo = ph[i].paddr & ~0xFFFull;
		if (ph[i].paddr + ph[i].memsz > *hi)
			*hi = ph[i].paddr + ph[i].memsz;
	}
}

/* ---- LPARs ---- */

/* The physical range hv.elf's segments occupy (checked before anything is loaded). */
static void hypervisor_span(const UINT8 *file, UINT64 size, UINT64 *lo, UINT64 *hi);

static void reserve_lpar_memory(const struct cfg *c, UINT64 hv_lo, UINT64 hv_hi)
{
	for (unsigned i = 0; i < c->lpar_count; i++) {
		const struct cfg_lpar *l = &c->lpars[i];
		if (l->mem_base < hv_hi && hv_lo < l->mem_base + l->mem_size)
			stop_boot(L"anchor.cfg:%d: memory 0x%lx-0x%lx of lpar %a overlaps the hypervisor "
			          L"(0x%lx-0x%lx)", l->line, l->mem_base, l->mem_base + l->mem_size,
			          l->name, hv_lo, hv_hi);
		EFI_PHYSICAL_ADDRESS base = l->mem_base;
		EFI_STATUS st = BS->AllocatePages(AllocateAddress, MEM_TYPE_LPAR,
		                                  EFI_SIZE_TO_PAGES(l->mem_size), &base);
		if (EFI_ERROR(st))
			stop_boot(L"anchor.cfg:%d: memory 0x%lx-0x%lx of lpar %a is not free RAM (%r)",
			          l->line, l->mem_base, l->mem_base + l->mem_size, l->name, st);
	}
}

/* Loads and measures one file an LPAR names (its image or its initrd), once per distinct name. */
static void load_image_file(const struct cfg_lpar *l, const char *name, const char *key)
{
	for (uint32_t m = 1; m < bi->module_count; m++)
		if (ascii_eq(bi->modules[m].name, name))
			return;
	UINT64 size;
	void *data = read_file(name, &size);
	if (!data)
		stop_boot(L"anchor.cfg:%d: %a '%a' of lpar %a not found on the boot medium", l->line, key,
		          name, l->name);
	add_module(name, data, size);
	char what[sizeof bi->events[0].what] = "image ";
	copy_ascii(what + 6, sizeof what - 6, name);
	measure(PCR_CONFIG, what, data, size);
}

static void load_images(const struct cfg *c)
{
	for (unsigned i = 0; i < c->lpar_count; i++) {
		const struct cfg_lpar *l = &c->lpars[i];
		if (l->image[0])
			load_image_file(l, l->image, "image");
		if (l->initrd[0])
			load_image_file(l, l->initrd, "initrd");
	}
}

/* ---- platform facts for the hypervisor ---- */

static void find_rsdp(void)
{
	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
		if (!CompareGuid(&t->VendorGuid, &tcg2_final_guid))
			bi->tcg_final_base = (UINT64)(UINTN)t->VendorTable;
		if (!CompareGuid(&t->VendorGuid, &acpi20_guid)) {
			bi->acpi_rsdp = (UINT64)(UINTN)t->VendorTable;
			return;
		}
		if (!CompareGuid(&t->VendorGuid, &acpi10_guid))
			bi->acpi_rsdp = (UINT64)(UINTN)t->VendorTable;
	}
}

static void probe_ptpm(void)
{
	volatile UINT32 *iface_id = (volatile UINT32 *)(UINTN)(PTPM_BASE + 0x30);
	volatile UINT32 *did_vid = (volatile UINT32 *)(UINTN)(PTPM_BASE + 0xF00);
	bi->ptpm_base = PTPM_BASE;
	if (!tcg2) {
		bi->ptpm_iface = BOOT_PTPM_NONE;
		return;
	}
	UINT32 id = *iface_id;
	if (id != 0xFFFFFFFFu && (id & 0xF) == 1)
		bi->ptpm_iface = BOOT_PTPM_CRB;
	else if (*did_vid != 0 && *did_vid != 0xFFFFFFFFu)
		bi->ptpm_iface = BOOT_PTPM_TIS;
	else
		bi->ptpm_iface = BOOT_PTPM_NONE;
}

static UINT32 boot_mem_type(UINT32 efi_type)
{
	switch (efi_type) {
	case EfiConventionalMemory:
	case EfiBootServicesCode:
	case EfiBootServicesData:
	case EfiLoaderCode:
	case EfiLoaderData:
		return BOOT_MEM_USABLE;
	case EfiACPIReclaimMemory:
		return BOOT_MEM_ACPI;
	case 0x80000001u:
		return BOOT_MEM_HYPERVISOR;
	case 0x80000002u:
		return BOOT_MEM_LPAR;
	default:
		return BOOT_MEM_RESERVED;
	}
}

/* Converts the UEFI map (no allocation allowed here: it runs between GetMemoryMap and
 * ExitBootServices), merging adjacent ranges of the same type. */
static void convert_memory_map(const UINT8 *map, UINTN map_size, UINTN desc_size)
{
	bi->mem_count = 0;
	for (UINTN off = 0; off + desc_size <= map_size; off += desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const EFI_MEMORY_DESCRIPTOR *)(map + off);
		UINT32 t = boot_mem_type(d->Type);
		UINT64 base = d->PhysicalStart, size = d->NumberOfPages * EFI_PAGE_SIZE;
		struct boot_mem_range *prev = bi->mem_count ? &bi->mem[bi->mem_count - 1] : NULL;
		if (prev && prev->type == t && prev->base + prev->size == base) {
			prev->size += size;
			continue;
		}
		if (bi->mem_count == BOOT_MAX_MEM)
			continue;   /* cannot print any more; the rest stays untouched (safe) */
		bi->mem[bi->mem_count++] = (struct boot_mem_range){ base, size, t, 0 };
	}
}

static void sort_memory_map(UINT8 *map, UINTN map_size, UINTN desc_size)
{
	/* UEFI does not promise a sorted map: insertion sort by PhysicalStart. */
	UINT8 tmp[128];
	if (desc_size > sizeof tmp)
		return;
	for (UINTN i = desc_size; i + desc_size <= map_size; i += desc_size) {
		CopyMem(tmp, map + i, desc_size);
		UINT64 key = ((EFI_MEMORY_DESCRIPTOR *)tmp)->PhysicalStart;
		UINTN j = i;
		while (j > 0 && ((EFI_MEMORY_DESCRIPTOR *)(map + j - desc_size))->PhysicalStart > key) {
			CopyMem(map + j, map + j - desc_size, desc_size);
			j -= desc_size;
		}
		CopyMem(map + j, tmp, desc_size);
	}
}

static void exit_boot_services(void)
{
	UINTN cap = 64 * 1024;
	UINT8 *map = alloc_hv_pages(cap, 0);
	for (int attempt = 0; attempt < 8; attempt++) {
		UINTN size = cap, key, desc_size;
		UINT32 desc_ver;
		EFI_STATUS st = BS->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)map, &key, &desc_size, &desc_ver);
		if (EFI_ERROR(st))
			stop_boot(L"GetMemoryMap: %r", st);
		sort_memory_map(map, size, desc_size);
		convert_memory_map(map, size, desc_size);
		if (!EFI_ERROR(BS->ExitBootServices(image_handle, key)))
			return;
		/* The map changed between the two calls (an event allocated memory): read it again. */
	}
	stop_boot(L"ExitBootServices keeps failing");
}

/* ---- entry ---- */

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	InitializeLib(image, systab);
	image_handle = image;
	Print(L"anchor: loader started\n");

	EFI_LOADED_IMAGE *li;
	if (EFI_ERROR(BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li)))
		stop_boot(L"no loaded-image protocol");
	esp_root = LibOpenRoot(li->DeviceHandle);
	if (!esp_root)
		stop_boot(L"cannot open the boot file system");

	bi = alloc_hv_pages(sizeof *bi, 0);
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->size = sizeof *bi;
	copy_ascii(bi->loader, sizeof bi->loader, "uefi");

	if (EFI_ERROR(LibLocateProtocol(&tcg2_guid, (void **)&tcg2)))
		tcg2 = NULL;
	if (tcg2) {
		TCG2_CAPABILITY cap;
		SetMem(&cap, sizeof cap, 0);
		cap.Size = sizeof cap;
		if (EFI_ERROR(tcg2->GetCapability(tcg2, &cap)) || !cap.TPMPresentFlag) {
			Print(L"anchor: WARNING: EFI_TCG2_PROTOCOL present but no TPM behind it\n");
			tcg2 = NULL;
		} else if (!(cap.ActivePcrBanks & TCG2_BANK_SHA256)) {
			Print(L"anchor: WARNING: the TPM's SHA-256 PCR bank is not active: the hypervisor "
			      L"cannot read back what is measured\n");
		}
	}
	if (!tcg2) {
		for (int i = 0; i < 3; i++)
			Print(L"anchor: WARNING: no TPM (EFI_TCG2_PROTOCOL not found): NOTHING IS MEASURED\n");
	}

	UINT64 cfg_size, hv_size;
	char *cfg_text = read_file("anchor.cfg", &cfg_size);
	if (!cfg_text)
		stop_boot(L"\\anchor.cfg not found on the boot medium");
	const UINT8 *hv_file = read_file("hv.elf", &hv_size);
	if (!hv_file)
		stop_boot(L"\\hv.elf not found on the boot medium");

	static struct cfg cfg;
	char err[160];
	if (cfg_parse(cfg_text, (size_t)cfg_size, &cfg, err, sizeof err))
		stop_boot(L"%a", err);
	/* The CPU count is checked by the hypervisor (ACPI MADT); here only what the loader needs
	 * to act on: disjoint memory, so the reservations below cannot fail for a silly reason. */
	if (cfg_validate(&cfg, CFG_MAX_LPARS * 32, err, sizeof err))
		stop_boot(L"%a", err);

	add_module("anchor.cfg", cfg_text, cfg_size);
	measure(PCR_HYPERVISOR, "hypervisor", hv_file, hv_size);
	measure(PCR_CONFIG, "config", cfg_text, cfg_size);
	load_images(&cfg);
	UINT64 hv_lo, hv_hi;
	hypervisor_span(hv_file, hv_size, &hv_lo, &hv_hi);
	reserve_lpar_memory(&cfg, hv_lo, hv_hi);
	UINT64 entry = load_hypervisor(hv_file, hv_size);

	bi->ap_trampoline = (UINT64)(UINTN)alloc_hv_pages(EFI_PAGE_SIZE, 0x9FFFF);
	find_rsdp();
	probe_ptpm();
	if (tcg2)
		copy_event_log();

	Print(L"anchor: entering the hypervisor at 0x%lx\n", entry);
	exit_boot_services();
	((void (*)(struct boot_info *))(UINTN)entry)(bi);
	for (;;)
		__asm__ volatile("cli; hlt");
}
