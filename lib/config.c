/*
 * anchor.cfg parser, validator and identity encoding (see anchor/config.h, docs/config.md).
 *
 * Freestanding: no libc, no allocation.  The text is processed line by line in place; every
 * error message is built into the caller's buffer as "anchor.cfg:<line>: <problem>" and quotes
 * at most a short, sanitised piece of the offending text (the configuration may come from an
 * untrusted medium, and the message goes to a console).
 */
#include <anchor/config.h>
#include <stdbool.h>
#include <string.h>

/* ---- Messages ----------------------------------------------------------------------------- */

struct msg {
	char *buf;
	size_t cap;
	size_t len;
};

static void msg_char(struct msg *m, char ch)
{
	if (m->cap == 0)
		return;
	if (m->len + 1 < m->cap)
		m->buf[m->len++] = ch;
	m->buf[m->len] = '\0';
}

static void msg_str(struct msg *m, const char *s)
{
	while (*s)
		msg_char(m, *s++);
}

/* Quotes untrusted text: at most 40 characters, anything unprintable as '?'. */
static void msg_quoted(struct msg *m, const char *s, size_t n)
{
	msg_char(m, '\'');
	for (size_t i = 0; i < n && i < 40; i++)
		msg_char(m, (s[i] >= 0x20 && s[i] < 0x7F) ? s[i] : '?');
	if (n > 40)
		msg_str(m, "...");
	msg_char(m, '\'');
}

static void msg_dec(struct msg *m, uint64_t v)
{
	char digits[20];
	int n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		msg_char(m, digits[--n]);
}

static void msg_hex(struct msg *m, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	int shift = 60;
	msg_str(m, "0x");
	while (shift > 0 && !((v >> shift) & 0xF))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		msg_char(m, hex[(v >> shift) & 0xF]);
}

/* Starts a message "anchor.cfg:<line>: " (or "anchor.cfg: " for line 0). */
static struct msg msg_start(char *err, size_t errlen, unsigned line)
{
	struct msg m = { err, errlen, 0 };
	if (errlen)
		err[0] = '\0';
	msg_str(&m, "anchor.cfg:");
	if (line) {
		msg_dec(&m, line);
		msg_char(&m, ':');
	}
	msg_char(&m, ' ');
	return m;
}

/* ---- Lexical helpers ---------------------------------------------------------------------- */

/* A piece of the text: not NUL-terminated. */
struct span {
	const char *s;
	size_t n;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static struct span trim(struct span v)
{
	while (v.n && is_space(v.s[0])) {
		v.s++;
		v.n--;
	}
	while (v.n && is_space(v.s[v.n - 1]))
		v.n--;
	return v;
}

static bool span_is(struct span v, const char *word)
{
	size_t n = strlen(word);
	return v.n == n && memcmp(v.s, word, n) == 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decimal or 0x-hex, no sign, no overflow. */
static bool parse_u64(struct span v, uint64_t *out)
{
	uint64_t x = 0;
	unsigned base = 10;
	size_t i = 0;
	if (v.n > 2 && v.s[0] == '0' && (v.s[1] == 'x' || v.s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i >= v.n)
		return false;
	for (; i < v.n; i++) {
		int d = base == 16 ? hex_digit(v.s[i]) : (v.s[i] >= '0' && v.s[i] <= '9' ? v.s[i] - '0' : -1);
		if (d < 0)
			return false;
		if (x > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		x = x * base + (uint64_t)d;
	}
	*out = x;
	return true;
}

/* A number with an optional K, M, G or T suffix (binary multiples). */
static bool parse_size(struct span v, uint64_t *out)
{
	unsigned shift = 0;
	if (v.n > 1) {
		switch (v.s[v.n - 1]) {
		case 'K': case 'k': shift = 10; break;
		case 'M': case 'm': shift = 20; break;
		case 'G': case 'g': shift = 30; break;
		case 'T': case 't': shift = 40; break;
		default: break;
		}
	}
	if (shift)
		v.n--;
	uint64_t x;
	if (!parse_u64(v, &x) || (shift && x > (UINT64_MAX >> shift)))
		return false;
	*out = x << shift;
	return true;
}

/* 8-4-4-4-12 hex digits; bytes in the order written (RFC 4122 network order). */
static bool parse_uuid(struct span v, uint8_t uuid[16])
{
	if (v.n != 36)
		return false;
	size_t byte = 0;
	for (size_t i = 0; i < 36;) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (v.s[i] != '-')
				return false;
			i++;
			continue;
		}
		int hi = hex_digit(v.s[i]), lo = hex_digit(v.s[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		uuid[byte++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return byte == 16;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

static void copy_string(char *dst, struct span v)
{
	memcpy(dst, v.s, v.n);
	dst[v.n] = '\0';
}

/* ---- Parser ------------------------------------------------------------------------------- */

/* The words of each enumerated value, indexed by its enum; the first listed in the error
 * message of a bad value is index 0, in this order. */
static const char *const tpm_names[] = {
	[CFG_TPM_NONE] = "none", [CFG_TPM_VTPM] = "vtpm", [CFG_TPM_TESTDEV] = "testdev",
};
static const char *const interface_names[] = { [CFG_IF_CRB] = "crb", [CFG_IF_TIS] = "tis" };
static const char *const restart_names[] = {
	[CFG_RESTART_STOP] = "stop", [CFG_RESTART_RESET] = "reset",
};
static const char *const anchor_names[] = {
	[CFG_ANCHOR_PTPM] = "ptpm", [CFG_ANCHOR_UNANCHORED_DEV] = "unanchored-development",
};
static const char *const no_yes_names[] = { "no", "yes" };
#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static const char *name_of(const char *const *names, unsigned count, unsigned v)
{
	return v < count ? names[v] : "?";
}

const char *cfg_tpm_name(enum cfg_tpm t) { return name_of(tpm_names, COUNT(tpm_names), t); }
const char *cfg_interface_name(enum cfg_interface i)
{
	return name_of(interface_names, COUNT(interface_names), i);
}
const char *cfg_restart_name(enum cfg_restart r)
{
	return name_of(restart_names, COUNT(restart_names), r);
}

enum cfg_key {
	KEY_UUID, KEY_CPU, KEY_MEMORY, KEY_IMAGE, KEY_INITRD, KEY_ARGS, KEY_TPM, KEY_INTERFACE, KEY_RESTART,
	KEY_VTPM_ANCHOR, KEY_ALLOW_SMT_SHARING, KEY_COUNT
};
enum cfg_section { SECTION_NONE, SECTION_LPAR, SECTION_PLATFORM };

static const struct {
	const char *name;
	enum cfg_section section;
	bool required;
} keys[KEY_COUNT] = {
	[KEY_UUID] = { "uuid", SECTION_LPAR, true },
	[KEY_CPU] = { "cpu", SECTION_LPAR, true },
	[KEY_MEMORY] = { "memory", SECTION_LPAR, true },
	[KEY_IMAGE] = { "image", SECTION_LPAR, true },
	[KEY_INITRD] = { "initrd", SECTION_LPAR, false },
	[KEY_ARGS] = { "args", SECTION_LPAR, false },
	[KEY_TPM] = { "tpm", SECTION_LPAR, false },
	[KEY_INTERFACE] = { "interface", SECTION_LPAR, false },
	[KEY_RESTART] = { "restart", SECTION_LPAR, false },
	[KEY_VTPM_ANCHOR] = { "vtpm_anchor", SECTION_PLATFORM, false },
	[KEY_ALLOW_SMT_SHARING] = { "allow_smt_sharing", SECTION_PLATFORM, false },
};

struct parser {
	struct cfg *out;
	struct cfg_lpar *cur;            /* the [lpar] section being read, or NULL */
	enum cfg_section section;        /* the section being read */
	unsigned key_line[KEY_COUNT];    /* where each key of the section was set (0: not yet) */
	unsigned line;
	char *err;
	size_t errlen;
};

/* Reports an error on the current line; always returns -1. */
static int fail(struct parser *p, const char *what)
{
	struct msg m = msg_start(p->err, p->errlen, p->line);
	msg_str(&m, what);
	return -1;
}

static int fail_quoted(struct parser *p, const char *what, struct span v, const char *after)
{
	struct msg m = msg_start(p->err, p->errlen, p->line);
	msg_str(&m, what);
	msg_quoted(&m, v.s, v.n);
	msg_str(&m, after);
	return -1;
}

/* At the end of a section: every required key must have been given. */
static int finish_lpar(struct parser *p)
{
	if (!p->cur)
		return 0;
	for (int k = 0; k < KEY_COUNT; k++) {
		if (keys[k].section == SECTION_LPAR && keys[k].required && !p->key_line[k]) {
			struct msg m = msg_start(p->err, p->errlen, p->cur->line);
			msg_str(&m, "lpar ");
			msg_str(&m, p->cur->name);
			msg_str(&m, ": missing key '");
			msg_str(&m, keys[k].name);
			msg_str(&m, "'");
			return -1;
		}
	}
	p->cur = NULL;
	return 0;
}

/* "[platform]": machine-wide settings, at most once. */
static int start_platform(struct parser *p, struct span name)
{
	if (name.n)
		return fail_quoted(p, "[platform] takes no name, got ", name, "");
	if (p->out->platform.line) {
		struct msg m = msg_start(p->err, p->errlen, p->line);
		msg_str(&m, "duplicate [platform] section (first on line ");
		msg_dec(&m, p->out->platform.line);
		msg_str(&m, ")");
		return -1;
	}
	if (finish_lpar(p))
		return -1;
	p->out->platform.line = p->line;
	p->section = SECTION_PLATFORM;
	memset(p->key_line, 0, sizeof p->key_line);
	return 0;
}

/* "[lpar <name>]" or "[platform]" */
static int parse_section(struct parser *p, struct span line)
{
	if (line.s[line.n - 1] != ']')
		return fail(p, "section header without closing ']'");
	struct span inner = trim((struct span){ line.s + 1, line.n - 2 });
	size_t word = 0;
	while (word < inner.n && !is_space(inner.s[word]))
		word++;
	struct span kind = { inner.s, word };
	struct span name = trim((struct span){ inner.s + word, inner.n - word });
	if (span_is(kind, "platform"))
		return start_platform(p, name);
	if (!span_is(kind, "lpar"))
		return fail_quoted(p, "unknown section ", kind, " ([lpar <name>] or [platform])");
	if (name.n == 0)
		return fail(p, "[lpar] needs a name: [lpar <name>]");
	for (size_t i = 0; i < name.n; i++)
		if (!is_name_char(name.s[i]))
			return fail_quoted(p, "bad lpar name ", name,
			                   " (letters, digits, '-', '_' and '.' only)");
	if (name.n >= CFG_NAME_MAX)
		return fail_quoted(p, "lpar name ", name, " too long (at most 31 characters)");
	if (finish_lpar(p))
		return -1;
	if (p->out->lpar_count >= CFG_MAX_LPARS)
		return fail(p, "too many LPARs (at most 8)");
	p->cur = &p->out->lpars[p->out->lpar_count++];
	memset(p->cur, 0, sizeof *p->cur);
	copy_string(p->cur->name, name);
	p->cur->line = p->line;
	p->cur->tpm = CFG_TPM_VTPM;      /* default: every LPAR gets its vTPM */
	p->cur->interface = CFG_IF_CRB;
	p->cur->restart = CFG_RESTART_STOP;
	p->section = SECTION_LPAR;
	memset(p->key_line, 0, sizeof p->key_line);
	return 0;
}

static int set_memory(struct parser *p, struct span v)
{
	size_t split = 0;
	while (split < v.n && !is_space(v.s[split]))
		split++;
	struct span base = { v.s, split };
	struct span size = trim((struct span){ v.s + split, v.n - split });
	if (!parse_size(base, &p->cur->mem_base) || size.n == 0 ||
	    !parse_size(size, &p->cur->mem_size))
		return fail_quoted(p, "bad memory ", v,
		                   ": expected '<base> <size>', e.g. '0x20000000 64M'");
	return 0;
}

/* One of `names` (indexed by the enum value); otherwise "bad <key> 'v' (a, b or c)". */
static int set_choice(struct parser *p, const char *key, const char *const *names,
                      unsigned count, struct span v, unsigned *out)
{
	for (unsigned i = 0; i < count; i++) {
		if (span_is(v, names[i])) {
			*out = i;
			return 0;
		}
	}
	struct msg m = msg_start(p->err, p->errlen, p->line);
	msg_str(&m, "bad ");
	msg_str(&m, key);
	msg_char(&m, ' ');
	msg_quoted(&m, v.s, v.n);
	msg_str(&m, " (");
	for (unsigned i = 0; i < count; i++) {
		msg_str(&m, names[i]);
		msg_str(&m, i + 2 < count ? ", " : i + 2 == count ? " or " : ")");
	}
	return -1;
}

static int set_value(struct parser *p, enum cfg_key key, struct span v)
{
	unsigned choice;
	if (key == KEY_VTPM_ANCHOR) {
		if (set_choice(p, keys[key].name, anchor_names, COUNT(anchor_names), v, &choice))
			return -1;
		p->out->platform.vtpm_anchor = (enum cfg_vtpm_anchor)choice;
		return 0;
	}
	if (key == KEY_ALLOW_SMT_SHARING) {
		if (set_choice(p, keys[key].name, no_yes_names, COUNT(no_yes_names), v, &choice))
			return -1;
		p->out->platform.allow_smt_sharing = choice == 1;
		return 0;
	}
	struct cfg_lpar *l = p->cur;
	uint64_t x;
	switch (key) {
	case KEY_UUID:
		if (!parse_uuid(v, l->uuid))
			return fail_quoted(p, "bad uuid ", v,
			                   ": expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex)");
		return 0;
	case KEY_CPU:
		if (!parse_u64(v, &x) || x > UINT32_MAX)
			return fail_quoted(p, "bad cpu number ", v, "");
		l->cpu = (uint32_t)x;
		return 0;
	case KEY_MEMORY:
		return set_memory(p, v);
	case KEY_IMAGE:
	case KEY_INITRD:
		for (size_t i = 0; i < v.n; i++)
			if (is_space(v.s[i]))
				return fail_quoted(p, key == KEY_IMAGE ? "bad image name " : "bad initrd name ", v,
				                   " (no spaces)");
		if (v.n >= CFG_FILE_MAX)
			return fail_quoted(p, key == KEY_IMAGE ? "image name " : "initrd name ", v,
			                   " too long (at most 63 characters)");
		copy_string(key == KEY_IMAGE ? l->image : l->initrd, v);
		return 0;
	case KEY_ARGS:
		if (v.n >= CFG_ARGS_MAX)
			return fail(p, "args too long (at most 127 characters)");
		copy_string(l->args, v);
		return 0;
	case KEY_TPM:
		if (set_choice(p, "tpm", tpm_names, COUNT(tpm_names), v, &choice))
			return -1;
		l->tpm = (enum cfg_tpm)choice;
		return 0;
	case KEY_INTERFACE:
		if (set_choice(p, "interface", interface_names, COUNT(interface_names), v, &choice))
			return -1;
		l->interface = (enum cfg_interface)choice;
		return 0;
	case KEY_RESTART:
		if (set_choice(p, "restart", restart_names, COUNT(restart_names), v, &choice))
			return -1;
		l->restart = (enum cfg_restart)choice;
		return 0;
	default:
		return fail(p, "internal error: unknown key");
	}
}

/* "key = value" */
static int parse_assignment(struct parser *p, struct span line)
{
	size_t eq = 0;
	while (eq < line.n && line.s[eq] != '=')
		eq++;
	if (eq == line.n)
		return fail_quoted(p, "expected 'key = value' or '[lpar <name>]', got ", line, "");
	struct span key = trim((struct span){ line.s, eq });
	struct span value = trim((struct span){ line.s + eq + 1, line.n - eq - 1 });
	int k = 0;
	while (k < KEY_COUNT && !(span_is(key, keys[k].name) &&
	                          (keys[k].section == p->section || p->section == SECTION_NONE)))
		k++;
	if (p->section == SECTION_NONE)
		return fail_quoted(p, "key ", key,
		                   " outside a section ([lpar <name>] or [platform])");
	if (k == KEY_COUNT) {
		struct msg m = msg_start(p->err, p->errlen, p->line);
		msg_str(&m, "unknown key ");
		msg_quoted(&m, key.s, key.n);
		msg_str(&m, p->section == SECTION_LPAR ? " in [lpar] (known:" : " in [platform] (known:");
		const char *sep = " ";
		for (int i = 0; i < KEY_COUNT; i++) {
			if (keys[i].section == p->section) {
				msg_str(&m, sep);
				msg_str(&m, keys[i].name);
				sep = ", ";
			}
		}
		msg_str(&m, ")");
		return -1;
	}
	if (p->key_line[k]) {
		struct msg m = msg_start(p->err, p->errlen, p->line);
		msg_str(&m, "duplicate key '");
		msg_str(&m, keys[k].name);
		msg_str(&m, "' (first set on line ");
		msg_dec(&m, p->key_line[k]);
		msg_str(&m, ")");
		return -1;
	}
	if (value.n == 0 && k != KEY_ARGS)
		return fail_quoted(p, "missing value for ", key, "");
	p->key_line[k] = p->line;
	return set_value(p, (enum cfg_key)k, value);
}

/* One line without its newline: comment, blank, section header or assignment. */
static int parse_line(struct parser *p, struct span line)
{
	size_t end = 0;
	while (end < line.n && line.s[end] != '#')
		end++;
	line.n = end;    /* drop the comment: it may contain anything */
	if (line.n && line.s[line.n - 1] == '\r')
		line.n--;
	for (size_t i = 0; i < line.n; i++) {
		unsigned char c = (unsigned char)line.s[i];
		if ((c < 0x20 && c != '\t') || c >= 0x7F) {
			struct msg m = msg_start(p->err, p->errlen, p->line);
			msg_str(&m, "invalid character ");
			msg_hex(&m, c);
			msg_str(&m, " (plain ASCII only)");
			return -1;
		}
	}
	line = trim(line);
	if (line.n == 0)
		return 0;
	if (line.s[0] == '[')
		return parse_section(p, line);
	return parse_assignment(p, line);
}

int cfg_parse(const char *text, size_t len, struct cfg *out, char *err, size_t errlen)
{
	struct parser p = { out, NULL, SECTION_NONE, { 0 }, 0, err, errlen };
	if (errlen)
		err[0] = '\0';
	if (!out)
		return -1;
	memset(out, 0, sizeof *out);
	if (!text)
		len = 0;
	size_t pos = 0;
	while (pos < len) {
		size_t nl = pos;
		while (nl < len && text[nl] != '\n')
			nl++;
		p.line++;
		if (parse_line(&p, (struct span){ text + pos, nl - pos }))
			return -1;
		pos = nl + 1;
	}
	if (finish_lpar(&p))
		return -1;
	if (out->lpar_count == 0) {
		struct msg m = msg_start(err, errlen, p.line ? p.line : 1);
		msg_str(&m, "no [lpar <name>] section: nothing to run");
		return -1;
	}
	return 0;
}

/* ---- Validation against the machine ------------------------------------------------------- */

#define PAGE_MASK      0xFFFull
#define PHYS_LIMIT     (1ull << 52)      /* x86-64 architectural physical address width */

static struct msg lpar_msg(const struct cfg_lpar *l, char *err, size_t errlen)
{
	struct msg m = msg_start(err, errlen, l->line);
	msg_str(&m, "lpar ");
	msg_str(&m, l->name);
	msg_char(&m, ' ');
	return m;
}

static bool name_ok(const struct cfg_lpar *l)
{
	size_t n = 0;
	while (n < CFG_NAME_MAX && l->name[n])
		n++;
	if (n == 0 || n == CFG_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_name_char(l->name[i]))
			return false;
	return true;
}

/* Checks one LPAR on its own. */
static int validate_lpar(const struct cfg_lpar *l, unsigned cpu_count, char *err, size_t errlen)
{
	struct msg m;
	if (!name_ok(l)) {
		m = msg_start(err, errlen, l->line);
		msg_str(&m, "lpar with a missing or malformed name");
		return -1;
	}
	if (l->mem_size == 0) {
		m = lpar_msg(l, err, errlen);
		msg_str(&m, "memory size is zero");
		return -1;
	}
	if ((l->mem_base | l->mem_size) & PAGE_MASK) {
		m = lpar_msg(l, err, errlen);
		msg_str(&m, "memory ");
		msg_hex(&m, l->mem_base);
		msg_str(&m, " size ");
		msg_hex(&m, l->mem_size);
		msg_str(&m, " is not 4 KiB aligned");
		return -1;
	}
	if (l->mem_base >= PHYS_LIMIT || l->mem_size > PHYS_LIMIT - l->mem_base) {
		m = lpar_msg(l, err, errlen);
		msg_str(&m, "memory ends beyond the 52-bit physical address space");
		return -1;
	}
	if (l->mem_size < CFG_LPAR_MIN_RAM) {
		m = lpar_msg(l, err, errlen);
		msg_str(&m, "memory size ");
		msg_hex(&m, l->mem_size);
		msg_str(&m, " is below the 2M minimum (guest page tables, image at 1 MiB)");
		return -1;
	}
	if (l->cpu >= cpu_count) {
		m = lpar_msg(l, err, errlen);
		msg_str(&m, "cpu ");
		msg_dec(&m, l->cpu);
		msg_str(&m, " does not exist (this machine has ");
		msg_dec(&m, cpu_count);
		msg_str(&m, cpu_count == 1 ? " CPU)" : " CPUs)");
		return -1;
	}
	if ((unsigned)l->tpm >= COUNT(tpm_names) || (unsigned)l->interface >= COUNT(interface_names) ||
	    (unsigned)l->restart >= COUNT(restart_names)) {
		m = lpar_msg(l, err, errlen);
		msg_str(&m, "has an unknown tpm, interface or restart value");
		return -1;
	}
	return 0;
}

/* CPU 0 (the BSP) runs the HTPM, which executes every vTPM's commands.  An LPAR there could
 * starve it (a guest that spins, or raises its task priority, never gives the BSP back), so
 * CPU 0 is refused for every LPAR as soon as one LPAR has a vTPM. */
static int validate_bsp_use(const struct cfg *c, char *err, size_t errlen)
{
	const struct cfg_lpar *vtpm = NULL, *on_bsp = NULL;
	for (unsigned i = 0; i < c->lpar_count; i++) {
		if (c->lpars[i].tpm == CFG_TPM_VTPM && !vtpm)
			vtpm = &c->lpars[i];
		if (c->lpars[i].cpu == 0)
			on_bsp = &c->lpars[i];
	}
	if (!vtpm || !on_bsp)
		return 0;
	struct msg m = lpar_msg(on_bsp, err, errlen);
	msg_str(&m, "cannot use cpu 0: the HTPM runs there and serves the vTPM of lpar ");
	msg_str(&m, vtpm->name);
	msg_str(&m, "; use another cpu (or no vtpm in any lpar)");
	return -1;
}

/* Checks LPAR b against an earlier LPAR a. */
static int validate_pair(const struct cfg_lpar *a, const struct cfg_lpar *b, char *err,
                         size_t errlen)
{
	struct msg m;
	if (strcmp(a->name, b->name) == 0) {
		m = msg_start(err, errlen, b->line);
		msg_str(&m, "lpar name '");
		msg_str(&m, b->name);
		msg_str(&m, "' used twice (first on line ");
		msg_dec(&m, a->line);
		msg_str(&m, ")");
		return -1;
	}
	if (memcmp(a->uuid, b->uuid, sizeof a->uuid) == 0) {
		m = lpar_msg(b, err, errlen);
		msg_str(&m, "has the same uuid as lpar ");
		msg_str(&m, a->name);
		return -1;
	}
	if (a->cpu == b->cpu) {
		m = lpar_msg(b, err, errlen);
		msg_str(&m, "cpu ");
		msg_dec(&m, b->cpu);
		msg_str(&m, " is already used by lpar ");
		msg_str(&m, a->name);
		return -1;
	}
	if (a->mem_base < b->mem_base + b->mem_size && b->mem_base < a->mem_base + a->mem_size) {
		m = msg_start(err, errlen, b->line);
		msg_str(&m, "lpar ");
		msg_str(&m, a->name);
		msg_str(&m, " memory overlaps lpar ");
		msg_str(&m, b->name);
		return -1;
	}
	return 0;
}

int cfg_validate(const struct cfg *c, unsigned cpu_count, char *err, size_t errlen)
{
	struct msg m;
	if (errlen)
		err[0] = '\0';
	if (!c || c->lpar_count == 0 || c->lpar_count > CFG_MAX_LPARS) {
		m = msg_start(err, errlen, 0);
		msg_str(&m, "no LPARs configured");
		return -1;
	}
	if (cpu_count == 0 || c->lpar_count > cpu_count) {
		const struct cfg_lpar *extra = &c->lpars[cpu_count < c->lpar_count ? cpu_count : 0];
		m = msg_start(err, errlen, extra->line);
		msg_dec(&m, c->lpar_count);
		msg_str(&m, " LPARs but this machine has only ");
		msg_dec(&m, cpu_count);
		msg_str(&m, cpu_count == 1 ? " CPU" : " CPUs");
		return -1;
	}
	for (unsigned i = 0; i < c->lpar_count; i++)
		if (validate_lpar(&c->lpars[i], cpu_count, err, errlen))
			return -1;
	for (unsigned j = 1; j < c->lpar_count; j++)
		for (unsigned i = 0; i < j; i++)
			if (validate_pair(&c->lpars[i], &c->lpars[j], err, errlen))
				return -1;
	if ((unsigned)c->platform.vtpm_anchor >= COUNT(anchor_names)) {
		m = msg_start(err, errlen, c->platform.line);
		msg_str(&m, "unknown vtpm_anchor value");
		return -1;
	}
	return validate_bsp_use(c, err, errlen);
}

/* ---- Identity encoding -------------------------------------------------------------------- */

/* Appends one field: tag (1 byte), length (2 bytes, big-endian), value. */
static bool put_field(uint8_t *buf, size_t max, size_t *pos, uint8_t tag, const uint8_t *val,
                      size_t n)
{
	if (n > 0xFFFF || *pos > max || max - *pos < 3 + n)
		return false;
	buf[(*pos)++] = tag;
	buf[(*pos)++] = (uint8_t)(n >> 8);
	buf[(*pos)++] = (uint8_t)n;
	memcpy(buf + *pos, val, n);
	*pos += n;
	return true;
}

static void be_bytes(uint64_t v, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

size_t cfg_identity_encode(const struct cfg_lpar *l, uint8_t *buf, size_t max)
{
	static const uint8_t magic[CFG_IDENTITY_MAGIC_LEN] = CFG_IDENTITY_MAGIC;
	if (!l || !buf || max < sizeof magic + 2)
		return 0;
	size_t name_len = 0;
	while (name_len < CFG_NAME_MAX && l->name[name_len])
		name_len++;
	if (name_len == CFG_NAME_MAX)
		return 0;   /* not NUL-terminated: refuse rather than encode garbage */
	size_t pos = 0;
	memcpy(buf, magic, sizeof magic);
	pos += sizeof magic;
	be_bytes(CFG_IDENTITY_VERSION, buf + pos, 2);
	pos += 2;
	if (!put_field(buf, max, &pos, CFG_ID_TAG_UUID, l->uuid, sizeof l->uuid) ||
	    !put_field(buf, max, &pos, CFG_ID_TAG_NAME, (const uint8_t *)l->name, name_len))
		return 0;
	return pos;
}
