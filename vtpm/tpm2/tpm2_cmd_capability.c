/*
 * GetCapability and TestParms.  Everything reported is derived from the same data the engine
 * runs on: the command table (COMMANDS), the PCR locality rules, the live slots and NV.
 */
#include "tpm2_internal.h"

#define MAX_CAP_ITEMS(size) ((1024u - 8u) / (size))   /* MAX_CAP_BUFFER 1024 */

/* ------------------------------------------------------------------ algorithms */

#define A_ASYM TPMA_ALGORITHM_ASYMMETRIC
#define A_SYM  TPMA_ALGORITHM_SYMMETRIC
#define A_HASH TPMA_ALGORITHM_HASH
#define A_OBJ  TPMA_ALGORITHM_OBJECT
#define A_SIGN TPMA_ALGORITHM_SIGNING
#define A_ENC  TPMA_ALGORITHM_ENCRYPTING
#define A_METH TPMA_ALGORITHM_METHOD

static const struct { uint16_t alg; uint32_t attrs; } algs[] = {
	{ TPM_ALG_RSA, A_ASYM | A_OBJ },
	{ TPM_ALG_SHA1, A_HASH },
	{ TPM_ALG_HMAC, A_HASH | A_SIGN },
	{ TPM_ALG_AES, A_SYM },
	{ TPM_ALG_MGF1, A_HASH | A_METH },
	{ TPM_ALG_KEYEDHASH, A_HASH | A_OBJ | A_SIGN | A_ENC },
	{ TPM_ALG_XOR, A_SYM | A_HASH },
	{ TPM_ALG_SHA256, A_HASH },
	{ TPM_ALG_SHA384, A_HASH },
	{ TPM_ALG_SHA512, A_HASH },
	{ TPM_ALG_NULL, 0 },
	{ TPM_ALG_RSASSA, A_ASYM | A_SIGN },
	{ TPM_ALG_RSAES, A_ASYM | A_ENC },
	{ TPM_ALG_RSAPSS, A_ASYM | A_SIGN },
	{ TPM_ALG_OAEP, A_ASYM | A_ENC },
	{ TPM_ALG_ECDSA, A_ASYM | A_SIGN },
	{ TPM_ALG_ECDH, A_ASYM | A_METH },
	{ TPM_ALG_KDF1_SP800_56A, A_HASH | A_METH },
	{ TPM_ALG_KDF1_SP800_108, A_HASH | A_METH },
	{ TPM_ALG_ECC, A_ASYM | A_OBJ },
	{ TPM_ALG_SYMCIPHER, A_OBJ },
	{ TPM_ALG_CTR, A_SYM | A_ENC },
	{ TPM_ALG_OFB, A_SYM | A_ENC },
	{ TPM_ALG_CBC, A_SYM | A_ENC },
	{ TPM_ALG_CFB, A_SYM | A_ENC },
	{ TPM_ALG_ECB, A_SYM | A_ENC },
};

static const uint16_t curves[] = { TPM_ECC_NIST_P256, TPM_ECC_NIST_P384 };

/* ------------------------------------------------------------------ list helper
 * Every capability is "items with key >= property, at most count of them, moreData if more";
 * the helper writes the count placeholder and tracks that rule. */

struct cap_list {
	struct tpm2_wr *w;
	size_t count_at;
	uint32_t n, max;
	bool more;
};

static void list_begin(struct cap_list *l, struct tpm2_wr *w, uint32_t max)
{
	l->w = w;
	l->count_at = w->off;
	l->n = 0;
	l->max = max;
	l->more = false;
	tpm2_wr_u32(w, 0);
}

/* true: the caller writes the item */
static bool list_take(struct cap_list *l)
{
	if (l->n >= l->max) {
		l->more = true;
		return false;
	}
	l->n++;
	return true;
}

static void list_end(struct cap_list *l, size_t more_at)
{
	if (l->w->overflow)
		return;
	tpm2_put_u32(l->w->p + l->count_at, l->n);
	l->w->p[more_at] = l->more;
}

/* ------------------------------------------------------------------ TPM properties */

#define STR4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static unsigned implemented_commands(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < tpm2_cmd_table_len; i++)
		n += tpm2_cmd_table[i].fn != NULL;
	return n;
}

static unsigned nv_count(struct tpm2 *t, bool counters_only)
{
	unsigned n = 0;
	for (unsigned i = 0; i < TPM2_NV_MAX_INDICES; i++) {
		uint32_t a = t->nv[i].pub.attrs;
		if (!t->nv[i].pub.index)
			continue;
		if (!counters_only ||
		    ((a & TPMA_NV_TPM_NT_MASK) >> TPMA_NV_TPM_NT_SHIFT) == TPM_NT_COUNTER)
			n++;
	}
	return n;
}

static unsigned sessions_in_use(struct tpm2 *t, bool loaded_only)
{
	unsigned n = 0;
	for (unsigned i = 0; i < TPM2_SESSION_SLOTS; i++)
		if (t->sessions[i].handle && (!loaded_only || !t->sessions[i].saved))
			n++;
	return n;
}

static unsigned slots_free(struct tpm2 *t)
{
	unsigned n = 0;
	for (unsigned i = 0; i < TPM2_TRANSIENT_SLOTS; i++)
		n += t->slots[i].kind == TPM2_SLOT_FREE;
	return n;
}

static unsigned persistent_count(struct tpm2 *t)
{
	unsigned n = 0;
	for (unsigned i = 0; i < TPM2_PERSISTENT_SLOTS; i++)
		n += t->persistent[i].handle != 0;
	return n;
}

static uint32_t permanent_attrs(struct tpm2 *t)
{
	uint32_t a = 0;
	if (t->owner.auth.size) a |= TPMA_PERMANENT_OWNERAUTHSET;
	if (t->endorsement.auth.size) a |= TPMA_PERMANENT_ENDORSEMENTAUTHSET;
	if (t->lockout.auth.size) a |= TPMA_PERMANENT_LOCKOUTAUTHSET;
	if (t->disable_clear) a |= TPMA_PERMANENT_DISABLECLEAR;
	if (t->da.failed_tries >= t->da.max_tries) a |= TPMA_PERMANENT_INLOCKOUT;
	return a;
}

static uint32_t startup_clear_attrs(struct tpm2 *t)
{
	uint32_t a = 0;
	if (t->ph_enable) a |= TPMA_STARTUP_CLEAR_PHENABLE;
	if (t->sh_enable) a |= TPMA_STARTUP_CLEAR_SHENABLE;
	if (t->eh_enable) a |= TPMA_STARTUP_CLEAR_EHENABLE;
	if (t->ph_enable_nv) a |= TPMA_STARTUP_CLEAR_PHENABLENV;
	if (t->started_orderly) a |= TPMA_STARTUP_CLEAR_ORDERLY;
	return a;
}

static bool fixed_property(uint32_t pt, uint32_t *v)
{
	switch (pt) {
	case TPM_PT_FAMILY_INDICATOR: *v = STR4('2', '.', '0', 0); return true;
	case TPM_PT_LEVEL: *v = 0; return true;
	case TPM_PT_REVISION: *v = 159; return true;
	case TPM_PT_DAY_OF_YEAR: *v = 312; return true;
	case TPM_PT_YEAR: *v = 2019; return true;
	case TPM_PT_MANUFACTURER: *v = TPM2_MANUFACTURER_ID; return true;
	case TPM_PT_VENDOR_STRING_1: *v = STR4('A', 'n', 'c', 'h'); return true;
	case TPM_PT_VENDOR_STRING_2: *v = STR4('o', 'r', ' ', 'v'); return true;
	case TPM_PT_VENDOR_STRING_3: *v = STR4('T', 'P', 'M', 0); return true;
	case TPM_PT_VENDOR_STRING_4: *v = 0; return true;
	case TPM_PT_VENDOR_TPM_TYPE: *v = 1; return true;
	case TPM_PT_FIRMWARE_VERSION_1: *v = 0x00010000; return true;
	case TPM_PT_FIRMWARE_VERSION_2: *v = 0; return true;
	case TPM_PT_INPUT_BUFFER: *v = 1024; return true;
	case TPM_PT_HR_TRANSIENT_MIN: *v = TPM2_TRANSIENT_SLOTS; return true;
	case TPM_PT_HR_PERSISTENT_MIN: *v = TPM2_PERSISTENT_SLOTS; return true;
	case TPM_PT_HR_LOADED_MIN: *v = TPM2_SESSION_SLOTS; return true;
	case TPM_PT_ACTIVE_SESSIONS_MAX: *v = TPM2_SESSION_SLOTS; return true;
	case TPM_PT_PCR_COUNT: *v = TPM2_NUM_PCRS; return true;
	case TPM_PT_PCR_SELECT_MIN: *v = TPM2_PCR_SELECT_MAX; return true;
	case TPM_PT_CONTEXT_GAP_MAX: *v = 0xFFFF; return true;
	case TPM_PT_NV_COUNTERS_MAX: *v = 0; return true;
	case TPM_PT_NV_INDEX_MAX: *v = TPM2_NV_INDEX_MAX; return true;
	case TPM_PT_MEMORY: *v = 0; return true;
	case TPM_PT_CLOCK_UPDATE: *v = 0x1000; return true;
	case TPM_PT_CONTEXT_HASH: *v = TPM_ALG_SHA256; return true;
	case TPM_PT_CONTEXT_SYM: *v = TPM_ALG_AES; return true;
	case TPM_PT_CONTEXT_SYM_SIZE: *v = 256; return true;
	case TPM_PT_ORDERLY_COUNT: *v = 0xFF; return true;
	case TPM_PT_MAX_COMMAND_SIZE: *v = TPM2_MAX_COMMAND_SIZE; return true;
	case TPM_PT_MAX_RESPONSE_SIZE: *v = TPM2_MAX_RESPONSE_SIZE; return true;
	case TPM_PT_MAX_DIGEST: *v = TPM2_MAX_DIGEST; return true;
	case TPM_PT_MAX_OBJECT_CONTEXT: *v = 8 + 4 + 4 + 2 + TPM2_MAX_CONTEXT_BLOB; return true;
	case TPM_PT_MAX_SESSION_CONTEXT: *v = 8 + 4 + 4 + 2 + TPM2_MAX_CONTEXT_BLOB; return true;
	case TPM_PT_PS_FAMILY_INDICATOR: *v = 1; return true;   /* PC Client */
	case TPM_PT_PS_LEVEL: *v = 0; return true;
	case TPM_PT_PS_REVISION: *v = 0x105; return true;
	case TPM_PT_PS_DAY_OF_YEAR: *v = 0; return true;
	case TPM_PT_PS_YEAR: *v = 0; return true;
	case TPM_PT_SPLIT_MAX: *v = 0; return true;
	case TPM_PT_TOTAL_COMMANDS: *v = implemented_commands(); return true;
	case TPM_PT_LIBRARY_COMMANDS: *v = implemented_commands(); return true;
	case TPM_PT_VENDOR_COMMANDS: *v = 0; return true;
	case TPM_PT_NV_BUFFER_MAX: *v = TPM2_MAX_NV_BUFFER; return true;
	case TPM_PT_MODES: *v = 0; return true;
	case TPM_PT_MAX_CAP_BUFFER: *v = 1024; return true;
	}
	return false;
}

static bool variable_property(struct tpm2 *t, uint32_t pt, uint32_t *v)
{
	switch (pt) {
	case TPM_PT_PERMANENT: *v = permanent_attrs(t); return true;
	case TPM_PT_STARTUP_CLEAR: *v = startup_clear_attrs(t); return true;
	case TPM_PT_HR_NV_INDEX: *v = nv_count(t, false); return true;
	case TPM_PT_HR_LOADED: *v = sessions_in_use(t, true); return true;
	case TPM_PT_HR_LOADED_AVAIL: *v = TPM2_SESSION_SLOTS - sessions_in_use(t, false); return true;
	case TPM_PT_HR_ACTIVE: *v = sessions_in_use(t, false); return true;
	case TPM_PT_HR_ACTIVE_AVAIL: *v = TPM2_SESSION_SLOTS - sessions_in_use(t, false); return true;
	case TPM_PT_HR_TRANSIENT_AVAIL: *v = slots_free(t); return true;
	case TPM_PT_HR_PERSISTENT: *v = persistent_count(t); return true;
	case TPM_PT_HR_PERSISTENT_AVAIL: *v = TPM2_PERSISTENT_SLOTS - persistent_count(t); return true;
	case TPM_PT_NV_COUNTERS: *v = nv_count(t, true); return true;
	case TPM_PT_NV_COUNTERS_AVAIL: *v = TPM2_NV_MAX_INDICES - nv_count(t, false); return true;
	case TPM_PT_ALGORITHM_SET: *v = 0; return true;
	case TPM_PT_LOADED_CURVES: *v = sizeof curves / sizeof curves[0]; return true;
	case TPM_PT_LOCKOUT_COUNTER: tpm2_da_tick(t); *v = t->da.failed_tries; return true;
	case TPM_PT_MAX_AUTH_FAIL: *v = t->da.max_tries; return true;
	case TPM_PT_LOCKOUT_INTERVAL: *v = t->da.recovery_time; return true;
	case TPM_PT_LOCKOUT_RECOVERY: *v = t->da.lockout_recovery; return true;
	case TPM_PT_NV_WRITE_RECOVERY: *v = 0; return true;
	case TPM_PT_AUDIT_COUNTER_0: *v = (uint32_t)(t->audit_counter >> 32); return true;
	case TPM_PT_AUDIT_COUNTER_1: *v = (uint32_t)t->audit_counter; return true;
	}
	return false;
}

/* The scan stays in the group (fixed 0x1xx / variable 0x2xx) the property starts in, and
 * moreData only says whether that group has more: tpm2-tools reads the two groups with
 * separate calls, and libtpms answers exactly so. */
static void cap_properties(struct tpm2 *t, struct cap_list *l, uint32_t from)
{
	uint32_t first = from < PT_FIXED ? PT_FIXED : from;
	uint32_t last = first < PT_VAR ? PT_VAR - 1 : PT_VAR + 0xFF;
	for (uint32_t pt = first; pt <= last; pt++) {
		uint32_t v;
		if (!fixed_property(pt, &v) && !variable_property(t, pt, &v))
			continue;
		if (!list_take(l))
			return;
		tpm2_wr_u32(l->w, pt);
		tpm2_wr_u32(l->w, v);
	}
}

/* ------------------------------------------------------------------ handles */

static void put_handle(struct cap_list *l, uint32_t h)
{
	if (list_take(l))
		tpm2_wr_u32(l->w, h);
}

/* Emits the handles >= from in [lo, hi] present in the unsorted array, ascending. */
static void put_sorted(struct cap_list *l, const uint32_t *hs, unsigned n, uint32_t from)
{
	uint32_t last = 0;
	bool first = true;
	for (;;) {
		uint32_t best = 0;
		bool found = false;
		for (unsigned i = 0; i < n; i++)
			if (hs[i] >= from && (first || hs[i] > last) && (!found || hs[i] < best)) {
				best = hs[i];
				found = true;
			}
		if (!found)
			return;
		put_handle(l, best);
		last = best;
		first = false;
	}
}

static TPM_RC cap_handles(struct tpm2 *t, struct cap_list *l, uint32_t from)
{
	static const uint32_t permanent[] = {
		TPM_RH_OWNER, TPM_RH_NULL, TPM_RS_PW, TPM_RH_LOCKOUT, TPM_RH_ENDORSEMENT,
		TPM_RH_PLATFORM, TPM_RH_PLATFORM_NV,
	};
	uint32_t hs[TPM2_NV_MAX_INDICES + TPM2_PERSISTENT_SLOTS + TPM2_TRANSIENT_SLOTS];
	unsigned n = 0;
	switch (HANDLE_TYPE(from)) {
	case TPM_HT_PCR:
		for (uint32_t p = from; p < TPM2_NUM_PCRS; p++)
			put_handle(l, p);
		return TPM_RC_SUCCESS;
	case TPM_HT_NV_INDEX:
		for (unsigned i = 0; i < TPM2_NV_MAX_INDICES; i++)
			if (t->nv[i].pub.index)
				hs[n++] = t->nv[i].pub.index;
		break;
	case TPM_HT_LOADED_SESSION:
	case TPM_HT_SAVED_SESSION:
		/* 0x02: loaded sessions of either type; 0x03: saved (active, not loaded) */
		for (unsigned i = 0; i < TPM2_SESSION_SLOTS; i++) {
			struct tpm2_session *s = &t->sessions[i];
			if (s->handle &&
			    (HANDLE_TYPE(from) == TPM_HT_LOADED_SESSION) == !s->saved &&
			    (s->handle & 0x00FFFFFF) >= (from & 0x00FFFFFF))
				hs[n++] = s->handle;
		}
		put_sorted(l, hs, n, 0);
		return TPM_RC_SUCCESS;
	case TPM_HT_PERMANENT:
		for (unsigned i = 0; i < sizeof permanent / sizeof permanent[0]; i++)
			hs[n++] = permanent[i];
		break;
	case TPM_HT_TRANSIENT:
		for (unsigned i = 0; i < TPM2_TRANSIENT_SLOTS; i++)
			if (t->slots[i].kind != TPM2_SLOT_FREE)
				hs[n++] = t->slots[i].handle;
		break;
	case TPM_HT_PERSISTENT:
		for (unsigned i = 0; i < TPM2_PERSISTENT_SLOTS; i++)
			if (t->persistent[i].handle)
				hs[n++] = t->persistent[i].handle;
		break;
	default:
		return TPM2_RC_P(TPM_RC_HANDLE, 2);
	}
	put_sorted(l, hs, n, from);
	return TPM_RC_SUCCESS;
}

/* ------------------------------------------------------------------ PCR properties */

static void pcr_property_mask(uint32_t tag, uint8_t sel[3])
{
	memset(sel, 0, 3);
	for (unsigned p = 0; p < TPM2_NUM_PCRS; p++) {
		bool on = false;
		if (tag == TPM_PT_PCR_SAVE)
			on = p < 16;
		else if (tag >= TPM_PT_PCR_EXTEND_L0 && tag <= TPM_PT_PCR_RESET_L4) {
			unsigned loc = (tag - 1) / 2;
			on = (tag % 2 ? tpm2_pcr_extend_localities(p) : tpm2_pcr_reset_localities(p))
			     >> loc & 1;
		} else if (tag == TPM_PT_PCR_NO_INCREMENT)
			on = p == 16 || p >= 21;
		else if (tag == TPM_PT_PCR_DRTM_RESET)
			on = p >= 17 && p <= 22;
		if (on)
			sel[p / 8] |= (uint8_t)(1u << (p % 8));
	}
}

static void cap_pcr_properties(struct cap_list *l, uint32_t from)
{
	static const uint32_t tags[] = {
		TPM_PT_PCR_SAVE, TPM_PT_PCR_EXTEND_L0, TPM_PT_PCR_RESET_L0, TPM_PT_PCR_EXTEND_L1,
		TPM_PT_PCR_RESET_L1, TPM_PT_PCR_EXTEND_L2, TPM_PT_PCR_RESET_L2, TPM_PT_PCR_EXTEND_L3,
		TPM_PT_PCR_RESET_L3, TPM_PT_PCR_EXTEND_L4, TPM_PT_PCR_RESET_L4,
		TPM_PT_PCR_NO_INCREMENT, TPM_PT_PCR_DRTM_RESET, TPM_PT_PCR_POLICY, TPM_PT_PCR_AUTH,
	};
	for (unsigned i = 0; i < sizeof tags / sizeof tags[0]; i++) {
		uint8_t sel[3];
		if (tags[i] < from || !list_take(l))
			continue;
		pcr_property_mask(tags[i], sel);
		tpm2_wr_u32(l->w, tags[i]);
		tpm2_wr_u8(l->w, 3);
		tpm2_wr_bytes(l->w, sel, 3);
	}
}

/* ------------------------------------------------------------------ GetCapability */

static void cap_policies(struct tpm2 *t, struct cap_list *l, uint32_t from)
{
	static const uint32_t hs[] = {
		TPM_RH_OWNER, TPM_RH_LOCKOUT, TPM_RH_ENDORSEMENT, TPM_RH_PLATFORM
	};
	for (unsigned i = 0; i < 4; i++) {
		struct tpm2_hierarchy_auth *h = tpm2_hierarchy(t, hs[i]);
		if (hs[i] < from || !list_take(l))
			continue;
		tpm2_wr_u32(l->w, hs[i]);
		tpm2_wr_u16(l->w, h->policy_alg);
		if (h->policy_alg != TPM_ALG_NULL)
			tpm2_wr_bytes(l->w, h->policy.buf, tpm2_hash_size(h->policy_alg));
	}
}

static void cap_pcrs(struct tpm2 *t, struct tpm2_wr *w)
{
	tpm2_wr_u32(w, TPM2_NUM_BANKS);
	for (unsigned b = 0; b < TPM2_NUM_BANKS; b++) {
		tpm2_wr_u16(w, tpm2_pcr_bank_alg(b));
		tpm2_wr_u8(w, TPM2_PCR_SELECT_MAX);
		tpm2_wr_bytes(w, t->pcr_alloc.select[b], TPM2_PCR_SELECT_MAX);
	}
}

TPM_RC tpm2_cc_GetCapability(struct tpm2_cmd *c)
{
	struct tpm2 *t = c->t;
	uint32_t cap, prop, count;
	struct cap_list l;
	size_t more_at;
	TPM2_P(1, tpm2_rd_u32(&c->in, &cap));
	TPM2_P(2, tpm2_rd_u32(&c->in, &prop));
	TPM2_P(3, tpm2_rd_u32(&c->in, &count));
	TPM2_TRY(tpm2_in_done(c));
	if (cap > TPM_CAP_LAST)
		return TPM2_RC_P(TPM_RC_VALUE, 1);
	more_at = c->out.off;
	tpm2_wr_u8(&c->out, 0);
	tpm2_wr_u32(&c->out, cap);
	switch (cap) {
	case TPM_CAP_ALGS:
		list_begin(&l, &c->out, count < MAX_CAP_ITEMS(6) ? count : MAX_CAP_ITEMS(6));
		for (unsigned i = 0; i < sizeof algs / sizeof algs[0]; i++)
			if (algs[i].alg >= prop && list_take(&l)) {
				tpm2_wr_u16(&c->out, algs[i].alg);
				tpm2_wr_u32(&c->out, algs[i].attrs);
			}
		break;
	case TPM_CAP_HANDLES:
		list_begin(&l, &c->out, count < MAX_CAP_ITEMS(4) ? count : MAX_CAP_ITEMS(4));
		TPM2_TRY(cap_handles(t, &l, prop));
		break;
	case TPM_CAP_COMMANDS:
		list_begin(&l, &c->out, count < MAX_CAP_ITEMS(4) ? count : MAX_CAP_ITEMS(4));
		for (unsigned i = 0; i < tpm2_cmd_table_len; i++) {
			const struct tpm2_cmd_desc *d = &tpm2_cmd_table[i];
			if (d->fn && d->cc >= (prop & TPMA_CC_COMMANDINDEX) && list_take(&l))
				tpm2_wr_u32(&c->out, tpm2_cmd_tpma(d));
		}
		break;
	case TPM_CAP_PP_COMMANDS:
		list_begin(&l, &c->out, 0);   /* no physical presence on a virtual TPM */
		break;
	case TPM_CAP_AUDIT_COMMANDS:
		list_begin(&l, &c->out, count < MAX_CAP_ITEMS(4) ? count : MAX_CAP_ITEMS(4));
		for (unsigned i = 0; i < tpm2_cmd_table_len; i++) {
			const struct tpm2_cmd_desc *d = &tpm2_cmd_table[i];
			bool audited = (t->audit_cmds[i / 8] >> (i % 8) & 1) ||   /* this one always */
			               d->cc == (TPM_CC_SetCommandCodeAuditStatus & 0xFFFF);
			if (d->fn && d->cc >= prop && audited && list_take(&l))
				tpm2_wr_u32(&c->out, d->cc);
		}
		break;
	case TPM_CAP_PCRS:
		cap_pcrs(t, &c->out);
		return TPM_RC_SUCCESS;
	case TPM_CAP_TPM_PROPERTIES:
		list_begin(&l, &c->out, count < MAX_CAP_ITEMS(8) ? count : MAX_CAP_ITEMS(8));
		cap_properties(t, &l, prop);
		break;
	case TPM_CAP_PCR_PROPERTIES:
		list_begin(&l, &c->out, count < MAX_CAP_ITEMS(8) ? count : MAX_CAP_ITEMS(8));
		cap_pcr_properties(&l, prop);
		break;
	case TPM_CAP_ECC_CURVES:
		list_begin(&l, &c->out, count < MAX_CAP_ITEMS(2) ? count : MAX_CAP_ITEMS(2));
		for (unsigned i = 0; i < sizeof curves / sizeof curves[0]; i++)
			if (curves[i] >= prop && list_take(&l))
				tpm2_wr_u16(&c->out, curves[i]);
		break;
	default: /* TPM_CAP_AUTH_POLICIES */
		list_begin(&l, &c->out, count < MAX_CAP_ITEMS(70) ? count : MAX_CAP_ITEMS(70));
		cap_policies(t, &l, prop);
		break;
	}
	list_end(&l, more_at);
	return TPM_RC_SUCCESS;
}

TPM_RC tpm2_cc_TestParms(struct tpm2_cmd *c)
{
	struct tpmt_public p;
	TPM2_P(1, tpm2_rd_public_parms(&c->in, &p));
	return tpm2_in_done(c);
}
