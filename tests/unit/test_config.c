/* Host unit tests for lib/config.c: parsing, error messages (each names its line), validation
 * against the machine, and the identity encoding (a golden vector: the vEK depends on it). */
#include <anchor/config.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

#define UUID_A "0b1e7a52-4c3d-4f0e-9a8b-1c2d3e4f5a6b"
#define UUID_B "0b1e7a52-4c3d-4f0e-9a8b-1c2d3e4f5a6c"

#define LPAR_A "[lpar alpha]\nuuid = " UUID_A "\ncpu = 1\nmemory = 0x20000000 64M\nimage = testguest.elf\n"
#define LPAR_B "[lpar beta]\nuuid = " UUID_B "\ncpu = 2\nmemory = 0x24000000 64M\nimage = testguest.elf\n"

static int parse(const char *text, struct cfg *c, char *err)
{
	/* Parse from an exact-size heap copy so ASan catches any read past the end. */
	size_t n = strlen(text);
	char *copy = malloc(n ? n : 1);
	memcpy(copy, text, n);
	int rc = cfg_parse(copy, n, c, err, CFG_ERR_MAX);
	free(copy);
	return rc;
}

static void test_good(void)
{
	static const char text[] =
		"# Anchor demo\r\n"
		"\n"
		"  [ lpar  alpha ]   # first\n"
		"uuid   = 0B1E7A52-4c3d-4f0e-9a8b-1c2d3e4f5a6b\n"
		"\tcpu=1\n"
		"memory = 0x20000000 64M   # 64 MiB at 512 MiB\n"
		"image  = EFI/anchor/testguest.elf\n"
		"args   = mmio  verbose \n"
		"tpm    = testdev\n"
		"[lpar beta-2.x_y]\n"
		"uuid = " UUID_B "\n"
		"cpu = 0x2\n"
		"memory = 1G 0x4000000\n"
		"image = testguest.elf\n"
		"initrd = initrd.img\n"
		"args =\n";
	struct cfg c;
	char err[CFG_ERR_MAX];
	int rc = parse(text, &c, err);
	if (!check(rc == 0 && c.lpar_count == 2, "config: demo file parses", "rc %d: %s", rc, err))
		return;
	const struct cfg_lpar *a = &c.lpars[0], *b = &c.lpars[1];
	static const uint8_t uuid_a[16] = { 0x0b, 0x1e, 0x7a, 0x52, 0x4c, 0x3d, 0x4f, 0x0e,
	                                    0x9a, 0x8b, 0x1c, 0x2d, 0x3e, 0x4f, 0x5a, 0x6b };
	check(strcmp(a->name, "alpha") == 0 && memcmp(a->uuid, uuid_a, 16) == 0 && a->cpu == 1 &&
	      a->mem_base == 0x20000000 && a->mem_size == 64 << 20 &&
	      strcmp(a->image, "EFI/anchor/testguest.elf") == 0 && strcmp(a->args, "mmio  verbose") == 0 &&
	      a->tpm == CFG_TPM_TESTDEV && a->line == 3,
	      "config: every field of lpar alpha", "name %s cpu %u base 0x%" PRIx64 " size 0x%" PRIx64
	      " image %s args [%s] tpm %d line %u", a->name, a->cpu, a->mem_base, a->mem_size,
	      a->image, a->args, a->tpm, a->line);
	check(strcmp(b->name, "beta-2.x_y") == 0 && b->cpu == 2 && b->mem_base == 1ull << 30 &&
	      b->mem_size == 0x4000000 && b->args[0] == '\0' && b->tpm == CFG_TPM_VTPM && b->line == 10,
	      "config: hex cpu, size suffix on base, empty args, tpm defaults to vtpm", "");
	check(a->initrd[0] == '\0' && strcmp(b->initrd, "initrd.img") == 0,
	      "config: initrd (a Linux LPAR's), empty when not given", "a [%s] b [%s]", a->initrd, b->initrd);
	check(b->interface == CFG_IF_CRB && b->restart == CFG_RESTART_STOP &&
	      c.platform.vtpm_anchor == CFG_ANCHOR_PTPM && c.platform.line == 0,
	      "config: defaults interface crb, restart stop, vtpm_anchor ptpm", "");
	rc = cfg_validate(&c, 4, err, sizeof err);
	check(rc == 0, "config: demo file validates on 4 CPUs", "%s", err);

	const char *sizes[][2] = { { "4096", "4096" }, { "8k", "8192" }, { "2M", "2097152" },
	                           { "3G", "3221225472" }, { "1T", "1099511627776" },
	                           { "0x10000", "65536" } };
	bool good = true;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char t[256];
		snprintf(t, sizeof t, "[lpar a]\nuuid=" UUID_A "\ncpu=0\nmemory=0 %s\nimage=x\n", sizes[i][0]);
		if (parse(t, &c, err) || c.lpars[0].mem_size != strtoull(sizes[i][1], NULL, 10)) {
			good = false;
			fprintf(stderr, "size %s: %s\n", sizes[i][0], err);
		}
	}
	check(good, "config: size suffixes K/M/G/T and hex", "");
	char eight[2048] = "";
	for (int i = 0; i < CFG_MAX_LPARS; i++) {
		char one[256];
		snprintf(one, sizeof one, "[lpar l%d]\nuuid=%08x-0000-0000-0000-000000000000\ncpu=%d\n"
		         "memory=0x%x 2M\nimage=g.elf\ntpm=testdev\n", i, i, i, 0x1000000 * (i + 1));
		strcat(eight, one);
	}
	rc = parse(eight, &c, err);
	check(rc == 0 && c.lpar_count == CFG_MAX_LPARS && cfg_validate(&c, 8, err, sizeof err) == 0,
	      "config: exactly CFG_MAX_LPARS LPARs accepted", "%s", err);

	static const char vtpm_text[] =
		"[platform]\n"
		"vtpm_anchor = unanchored-development\n"
		"[lpar alpha]\nuuid = " UUID_A "\ncpu = 1\nmemory = 0x20000000 64M\nimage = g.elf\n"
		"interface = tis\nrestart = reset\n"
		"[lpar beta]\nuuid = " UUID_B "\ncpu = 2\nmemory = 0x24000000 64M\nimage = g.elf\n"
		"interface = crb\nrestart = stop\n";
	rc = parse(vtpm_text, &c, err);
	check(rc == 0 && c.lpar_count == 2 && c.platform.vtpm_anchor == CFG_ANCHOR_UNANCHORED_DEV &&
	      c.platform.line == 1 && c.lpars[0].interface == CFG_IF_TIS &&
	      c.lpars[0].restart == CFG_RESTART_RESET && c.lpars[1].interface == CFG_IF_CRB &&
	      c.lpars[1].restart == CFG_RESTART_STOP && cfg_validate(&c, 3, err, sizeof err) == 0,
	      "config: [platform] vtpm_anchor, interface and restart per lpar", "%s", err);
	check(!strcmp(cfg_interface_name(CFG_IF_TIS), "tis") && !strcmp(cfg_restart_name(CFG_RESTART_RESET), "reset") &&
	      !strcmp(cfg_tpm_name(CFG_TPM_TESTDEV), "testdev") && !strcmp(cfg_tpm_name((enum cfg_tpm)9), "?"),
	      "config: value names as written in anchor.cfg", "");
	rc = parse("[lpar a]\nuuid=" UUID_A "\ncpu=1\nmemory=0 2M\nimage=g\n[platform]\n", &c, err);
	check(rc == 0 && c.platform.line == 6 && c.platform.vtpm_anchor == CFG_ANCHOR_PTPM &&
	      !c.platform.allow_smt_sharing,
	      "config: [platform] after an lpar, empty (no SMT sharing by default)", "%s", err);
	rc = parse("[platform]\nallow_smt_sharing = yes\n[lpar a]\nuuid=" UUID_A
	           "\ncpu=1\nmemory=0 2M\nimage=g\n", &c, err);
	check(rc == 0 && c.platform.allow_smt_sharing, "config: [platform] allow_smt_sharing = yes",
	      "%s", err);
	rc = parse("[platform]\nallow_smt_sharing = no\n[lpar a]\nuuid=" UUID_A
	           "\ncpu=1\nmemory=0 2M\nimage=g\n", &c, err);
	check(rc == 0 && !c.platform.allow_smt_sharing, "config: [platform] allow_smt_sharing = no",
	      "%s", err);
}

struct bad_case {
	const char *name;
	const char *text;
	const char *message;   /* the exact expected message */
};

static const struct bad_case bad_cases[] = {
	{ "unknown key", LPAR_A "colour = blue\n",
	  "anchor.cfg:6: unknown key 'colour' in [lpar] (known: uuid, cpu, memory, image, initrd, args, tpm, interface, restart)" },
	{ "unknown section", "# x\n[vm alpha]\n", "anchor.cfg:2: unknown section 'vm' ([lpar <name>] or [platform])" },
	{ "bad interface", LPAR_A "interface = fifo\n", "anchor.cfg:6: bad interface 'fifo' (crb or tis)" },
	{ "bad restart", LPAR_A "restart = reboot\n", "anchor.cfg:6: bad restart 'reboot' (stop or reset)" },
	{ "bad vtpm_anchor", "[platform]\nvtpm_anchor = none\n",
	  "anchor.cfg:2: bad vtpm_anchor 'none' (ptpm or unanchored-development)" },
	{ "bad allow_smt_sharing", "[platform]\nallow_smt_sharing = 1\n",
	  "anchor.cfg:2: bad allow_smt_sharing '1' (no or yes)" },
	{ "platform key in an lpar", LPAR_A "vtpm_anchor = ptpm\n",
	  "anchor.cfg:6: unknown key 'vtpm_anchor' in [lpar] (known: uuid, cpu, memory, image, initrd, args, tpm, interface, restart)" },
	{ "lpar key in [platform]", "[platform]\ncpu = 1\n",
	  "anchor.cfg:2: unknown key 'cpu' in [platform] (known: vtpm_anchor, allow_smt_sharing)" },
	{ "duplicate [platform]", "[platform]\n" LPAR_A "[platform]\n",
	  "anchor.cfg:7: duplicate [platform] section (first on line 1)" },
	{ "[platform] with a name", "[platform main]\n", "anchor.cfg:1: [platform] takes no name, got 'main'" },
	{ "duplicate platform key", "[platform]\nvtpm_anchor = ptpm\nvtpm_anchor = ptpm\n",
	  "anchor.cfg:3: duplicate key 'vtpm_anchor' (first set on line 2)" },
	{ "section without ]", "[lpar alpha\n", "anchor.cfg:1: section header without closing ']'" },
	{ "lpar without name", "[lpar]\n", "anchor.cfg:1: [lpar] needs a name: [lpar <name>]" },
	{ "bad lpar name", "[lpar al/pha]\n",
	  "anchor.cfg:1: bad lpar name 'al/pha' (letters, digits, '-', '_' and '.' only)" },
	{ "name too long", "[lpar abcdefghijklmnopqrstuvwxyz012345]\n",
	  "anchor.cfg:1: lpar name 'abcdefghijklmnopqrstuvwxyz012345' too long (at most 31 characters)" },
	{ "key outside a section", "\ncpu = 1\n", "anchor.cfg:2: key 'cpu' outside a section ([lpar <name>] or [platform])" },
	{ "duplicate key", LPAR_A "cpu = 2\n", "anchor.cfg:6: duplicate key 'cpu' (first set on line 3)" },
	{ "no equals sign", LPAR_A "image testguest.elf\n",
	  "anchor.cfg:6: expected 'key = value' or '[lpar <name>]', got 'image testguest.elf'" },
	{ "bad cpu number", "[lpar a]\ncpu = one\n", "anchor.cfg:2: bad cpu number 'one'" },
	{ "negative cpu", "[lpar a]\ncpu = -1\n", "anchor.cfg:2: bad cpu number '-1'" },
	{ "cpu overflow", "[lpar a]\ncpu = 4294967296\n", "anchor.cfg:2: bad cpu number '4294967296'" },
	{ "bad size", "[lpar a]\nmemory = 0x20000000 64X\n",
	  "anchor.cfg:2: bad memory '0x20000000 64X': expected '<base> <size>', e.g. '0x20000000 64M'" },
	{ "size missing", "[lpar a]\nmemory = 0x20000000\n",
	  "anchor.cfg:2: bad memory '0x20000000': expected '<base> <size>', e.g. '0x20000000 64M'" },
	{ "size overflow", "[lpar a]\nmemory = 0 17179869184G\n",
	  "anchor.cfg:2: bad memory '0 17179869184G': expected '<base> <size>', e.g. '0x20000000 64M'" },
	{ "number overflow", "[lpar a]\nmemory = 0x10000000000000000 4K\n",
	  "anchor.cfg:2: bad memory '0x10000000000000000 4K': expected '<base> <size>', e.g. '0x20000000 64M'" },
	{ "three memory words", "[lpar a]\nmemory = 0 4K 4K\n",
	  "anchor.cfg:2: bad memory '0 4K 4K': expected '<base> <size>', e.g. '0x20000000 64M'" },
	{ "bad uuid", "[lpar a]\nuuid = 0b1e7a52-4c3d-4f0e-9a8b-1c2d3e4f5a6\n",
	  "anchor.cfg:2: bad uuid '0b1e7a52-4c3d-4f0e-9a8b-1c2d3e4f5a6': expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex)" },
	{ "uuid with a non-hex digit", "[lpar a]\nuuid = 0b1e7a52-4c3d-4f0e-9a8b-1c2d3e4f5a6g\n",
	  "anchor.cfg:2: bad uuid '0b1e7a52-4c3d-4f0e-9a8b-1c2d3e4f5a6g': expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex)" },
	{ "bad tpm", "[lpar a]\ntpm = swtpm\n", "anchor.cfg:2: bad tpm 'swtpm' (none, vtpm or testdev)" },
	{ "empty value", "[lpar a]\nimage =\n", "anchor.cfg:2: missing value for 'image'" },
	{ "image with spaces", "[lpar a]\nimage = my guest.elf\n", "anchor.cfg:2: bad image name 'my guest.elf' (no spaces)" },
	{ "image too long", "[lpar a]\nimage = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	  "anchor.cfg:2: image name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' too long (at most 63 characters)" },
	{ "initrd with spaces", "[lpar a]\ninitrd = my initrd\n", "anchor.cfg:2: bad initrd name 'my initrd' (no spaces)" },
	{ "initrd given twice", "[lpar a]\ninitrd = a\ninitrd = b\n",
	  "anchor.cfg:3: duplicate key 'initrd' (first set on line 2)" },
	{ "args too long", "[lpar a]\nargs = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	  "anchor.cfg:2: args too long (at most 127 characters)" },
	{ "missing uuid", "# x\n[lpar alpha]\ncpu = 1\nmemory = 0 4M\nimage = g\n[lpar beta]\n",
	  "anchor.cfg:2: lpar alpha: missing key 'uuid'" },
	{ "missing image at end of file", LPAR_A "[lpar beta]\nuuid = " UUID_B "\ncpu = 2\nmemory = 0 4M\n",
	  "anchor.cfg:6: lpar beta: missing key 'image'" },
	{ "missing memory", "[lpar a]\nuuid = " UUID_A "\ncpu = 2\nimage = g\n", "anchor.cfg:1: lpar a: missing key 'memory'" },
	{ "missing cpu", "[lpar a]\nuuid = " UUID_A "\nmemory = 0 4M\nimage = g\n", "anchor.cfg:1: lpar a: missing key 'cpu'" },
	{ "empty file", "", "anchor.cfg:1: no [lpar <name>] section: nothing to run" },
	{ "only comments", "# nothing\n\n# here\n", "anchor.cfg:3: no [lpar <name>] section: nothing to run" },
	{ "control character", "[lpar a]\ncpu = 1\x01\n", "anchor.cfg:2: invalid character 0x1 (plain ASCII only)" },
	{ "NUL byte", "[lpar a]\ncpu = 1\n", NULL },   /* filled in by test_bad (embedded NUL) */
	{ "non-ASCII outside a comment", "[lpar a]\nimage = caf\xc3\xa9\n", "anchor.cfg:2: invalid character 0xc3 (plain ASCII only)" },
	{ "too many LPARs",
	  "[lpar a]\n[lpar b]\n[lpar c]\n[lpar d]\n[lpar e]\n[lpar f]\n[lpar g]\n[lpar h]\n[lpar i]\n",
	  "anchor.cfg:1: lpar a: missing key 'uuid'" },
};

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct bad_case *bc = &bad_cases[i];
		if (!bc->message)
			continue;
		struct cfg c;
		char err[CFG_ERR_MAX], name[96];
		int rc = parse(bc->text, &c, err);
		snprintf(name, sizeof name, "config error: %s", bc->name);
		check(rc == -1 && strcmp(err, bc->message) == 0, name, "rc %d, message \"%s\"", rc, err);
	}
	/* An embedded NUL is a character like any other: rejected, named by line. */
	static const char nul[] = "[lpar a]\ncpu = 1\0\n";
	struct cfg c;
	char err[CFG_ERR_MAX];
	int rc = cfg_parse(nul, sizeof nul - 1, &c, err, sizeof err);
	check(rc == -1 && strcmp(err, "anchor.cfg:2: invalid character 0x0 (plain ASCII only)") == 0,
	      "config error: NUL byte", "%s", err);
	/* Nine complete LPARs: the ninth header is refused. */
	char nine[4096] = "";
	for (int i = 0; i < 9; i++) {
		char one[256];
		snprintf(one, sizeof one, "[lpar l%d]\nuuid=" UUID_A "\ncpu=%d\nmemory=0 2M\nimage=g\n", i, i);
		strcat(nine, one);
	}
	rc = parse(nine, &c, err);
	check(rc == -1 && strcmp(err, "anchor.cfg:41: too many LPARs (at most 8)") == 0,
	      "config error: too many LPARs", "%s", err);
	/* A tiny error buffer truncates but stays NUL-terminated; errlen 0 is allowed. */
	char small[12];
	memset(small, 'x', sizeof small);
	rc = cfg_parse("bogus\n", 6, &c, small, sizeof small);
	check(rc == -1 && strcmp(small, "anchor.cfg:") == 0, "config error: message truncated to the buffer",
	      "\"%.*s\"", (int)sizeof small, small);
	check(cfg_parse("bogus\n", 6, &c, NULL, 0) == -1 && cfg_parse(NULL, 0, &c, err, sizeof err) == -1,
	      "config error: no error buffer, no text", "");
}

struct validate_case {
	const char *name;
	const char *text;
	unsigned cpus;
	const char *message;
};

#define L(name, uuid_last, cpu, mem) \
	"[lpar " name "]\nuuid = 0b1e7a52-4c3d-4f0e-9a8b-1c2d3e4f5a" uuid_last "\ncpu = " cpu \
	"\nmemory = " mem "\nimage = g.elf\n"

static const struct validate_case validate_cases[] = {
	{ "memory overlaps", L("alpha", "01", "1", "0x20000000 64M") L("beta", "02", "2", "0x23000000 64M"), 4,
	  "anchor.cfg:6: lpar alpha memory overlaps lpar beta" },
	{ "memory contained in another", L("alpha", "01", "1", "0x20000000 64M") L("beta", "02", "2", "0x21000000 2M"), 4,
	  "anchor.cfg:6: lpar alpha memory overlaps lpar beta" },
	{ "adjacent memory is fine", L("alpha", "01", "1", "0x20000000 64M") L("beta", "02", "2", "0x24000000 64M"), 4, NULL },
	{ "memory base not 4 KiB aligned", L("alpha", "01", "1", "0x20000800 64M"), 4,
	  "anchor.cfg:1: lpar alpha memory 0x20000800 size 0x4000000 is not 4 KiB aligned" },
	{ "memory size not 4 KiB aligned", L("alpha", "01", "1", "0x20000000 0x200800"), 4,
	  "anchor.cfg:1: lpar alpha memory 0x20000000 size 0x200800 is not 4 KiB aligned" },
	{ "zero memory size", L("alpha", "01", "1", "0x20000000 0"), 4, "anchor.cfg:1: lpar alpha memory size is zero" },
	{ "memory below minimum", L("alpha", "01", "1", "0x20000000 1M"), 4,
	  "anchor.cfg:1: lpar alpha memory size 0x100000 is below the 2M minimum (guest page tables, image at 1 MiB)" },
	{ "memory beyond 52 bits", L("alpha", "01", "1", "0xFFFFFFFFFFFFF000 4K"), 4,
	  "anchor.cfg:1: lpar alpha memory ends beyond the 52-bit physical address space" },
	{ "cpu does not exist", L("alpha", "01", "1", "0x20000000 64M") L("beta", "02", "5", "0x30000000 64M"), 4,
	  "anchor.cfg:6: lpar beta cpu 5 does not exist (this machine has 4 CPUs)" },
	{ "two LPARs on one CPU", L("alpha", "01", "1", "0x20000000 64M") L("beta", "02", "1", "0x30000000 64M"), 4,
	  "anchor.cfg:6: lpar beta cpu 1 is already used by lpar alpha" },
	{ "cpu 0 while a vtpm exists", L("alpha", "01", "1", "0x20000000 64M") L("beta", "02", "0", "0x30000000 64M") "tpm = testdev\n", 4,
	  "anchor.cfg:6: lpar beta cannot use cpu 0: the HTPM runs there and serves the vTPM of lpar alpha; use another cpu (or no vtpm in any lpar)" },
	{ "cpu 0 without any vtpm", L("alpha", "01", "1", "0x20000000 64M") "tpm = none\n" L("beta", "02", "0", "0x30000000 64M") "tpm = testdev\n", 4, NULL },
	{ "more LPARs than CPUs", L("alpha", "01", "0", "0x20000000 64M") L("beta", "02", "1", "0x30000000 64M")
	  L("gamma", "03", "2", "0x40000000 64M"), 2, "anchor.cfg:11: 3 LPARs but this machine has only 2 CPUs" },
	{ "duplicate names", L("alpha", "01", "1", "0x20000000 64M") L("alpha", "02", "2", "0x30000000 64M"), 4,
	  "anchor.cfg:6: lpar name 'alpha' used twice (first on line 1)" },
	{ "duplicate uuids", L("alpha", "01", "1", "0x20000000 64M") L("beta", "01", "2", "0x30000000 64M"), 4,
	  "anchor.cfg:6: lpar beta has the same uuid as lpar alpha" },
	{ "one CPU", L("alpha", "01", "1", "0x20000000 64M"), 1,
	  "anchor.cfg:1: lpar alpha cpu 1 does not exist (this machine has 1 CPU)" },
	{ "no CPUs", L("alpha", "01", "0", "0x20000000 64M"), 0,
	  "anchor.cfg:1: 1 LPARs but this machine has only 0 CPUs" },
};

static void test_validate(void)
{
	for (size_t i = 0; i < sizeof validate_cases / sizeof validate_cases[0]; i++) {
		const struct validate_case *vc = &validate_cases[i];
		struct cfg c;
		char err[CFG_ERR_MAX], name[96];
		snprintf(name, sizeof name, "config validate: %s", vc->name);
		if (parse(vc->text, &c, err)) {
			check(false, name, "parse failed: %s", err);
			continue;
		}
		int rc = cfg_validate(&c, vc->cpus, err, sizeof err);
		if (vc->message)
			check(rc == -1 && strcmp(err, vc->message) == 0, name, "rc %d, message \"%s\"", rc, err);
		else
			check(rc == 0, name, "rc %d, message \"%s\"", rc, err);
	}
	struct cfg empty = { 0 };
	char err[CFG_ERR_MAX];
	check(cfg_validate(&empty, 4, err, sizeof err) == -1 && cfg_validate(NULL, 4, err, sizeof err) == -1,
	      "config validate: no LPARs", "%s", err);
	struct cfg bad;
	parse(L("alpha", "01", "1", "0x20000000 64M"), &bad, err);
	memset(bad.lpars[0].name, 'x', sizeof bad.lpars[0].name);
	check(cfg_validate(&bad, 4, err, sizeof err) == -1,
	      "config validate: unterminated name (hand-built struct) refused", "%s", err);
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

static void test_identity(void)
{
	struct cfg c;
	char err[CFG_ERR_MAX];
	parse(LPAR_A, &c, err);
	uint8_t buf[CFG_IDENTITY_MAX], buf2[CFG_IDENTITY_MAX];
	char h[2 * CFG_IDENTITY_MAX + 1];
	size_t n = cfg_identity_encode(&c.lpars[0], buf, sizeof buf);
	hex(buf, n, h);
	/* Golden vector (docs/config.md): changing it changes every vEK. */
	const char *golden = "414e43484f524944" "0002"
	                     "010010" "0b1e7a524c3d4f0e9a8b1c2d3e4f5a6b"
	                     "020005" "616c706861";
	check(strcmp(h, golden) == 0, "identity: golden encoding v2", "got %s", h);

	struct cfg_lpar l = c.lpars[0];
	l.mem_base = 0x80000000;
	strcpy(l.image, "other.elf");
	strcpy(l.args, "attack-oob");
	l.tpm = CFG_TPM_NONE;
	l.line = 99;
	l.cpu = 2;
	l.mem_size += 4096;
	size_t n2 = cfg_identity_encode(&l, buf2, sizeof buf2);
	check(n2 == n && memcmp(buf, buf2, n) == 0,
	      "identity: cpu, memory base and size, image, args, tpm and line do not change it", "");

	bool all_differ = true;
	for (int k = 0; k < 2; k++) {
		l = c.lpars[0];
		if (k == 0) l.uuid[15] ^= 1;
		if (k == 1) strcpy(l.name, "alphb");
		n2 = cfg_identity_encode(&l, buf2, sizeof buf2);
		if (n2 == n && memcmp(buf, buf2, n) == 0)
			all_differ = false;
	}
	check(all_differ, "identity: uuid and name each change it", "");

	/* Length prefixes keep it unambiguous: name "ab" vs name "a" can never collide with
	 * shifted field boundaries. */
	l = c.lpars[0];
	strcpy(l.name, "ab");
	n = cfg_identity_encode(&l, buf, sizeof buf);
	strcpy(l.name, "a");
	n2 = cfg_identity_encode(&l, buf2, sizeof buf2);
	check(n == n2 + 1 && buf[CFG_IDENTITY_MAGIC_LEN + 2 + 19 + 2] == 2 &&
	      buf2[CFG_IDENTITY_MAGIC_LEN + 2 + 19 + 2] == 1, "identity: name is length-prefixed", "");

	memset(l.name, 'n', CFG_NAME_MAX - 1);
	l.name[CFG_NAME_MAX - 1] = '\0';
	n = cfg_identity_encode(&l, buf, sizeof buf);
	check(n == CFG_IDENTITY_MAX && cfg_identity_encode(&l, buf, CFG_IDENTITY_MAX - 1) == 0,
	      "identity: longest name fits CFG_IDENTITY_MAX exactly; one byte less is refused", "n %zu", n);
	l.name[CFG_NAME_MAX - 1] = 'n';
	check(cfg_identity_encode(&l, buf, sizeof buf) == 0, "identity: unterminated name refused", "");
}

int main(void)
{
	test_good();
	test_bad();
	test_validate();
	test_identity();
	return check_exit();
}
