/*
 * In-process cost per command of our engine (tpm2_execute) against libtpms (TPMLIB_Process,
 * swtpm's engine, loaded with dlopen) in the same process and the same run: `make bench`.
 *
 * Honest timing: the clock (CLOCK_MONOTONIC, a vDSO read) is read once per BATCH of commands,
 * never around each call, so its cost is spread over the batch.  Each command is measured in
 * rounds; a round runs one batch on each engine, alternating which goes first, so both see the
 * same machine load.  The figure per engine is the median over the rounds of (batch time /
 * batch size); the ratio is ours / libtpms.  Commands that create something (keys, sessions,
 * NV indices) run in small batches, with the clean-up (FlushContext, UndefineSpace) untimed
 * between batches.  libtpms gets in-memory NV callbacks (its NV is not written to disk), so
 * both sides pay for the engine only.
 *
 * Targets (issue 9): <= 0.5x libtpms for GetRandom, PCR_Extend, PCR_Read, NV_Read, NV_Write and
 * Hash 1 KiB; <= 1.0x for everything else.  `--only-ours ITEM N` runs ITEM N times on our
 * engine alone (for callgrind: instructions per command, the stable figure on a busy machine).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <time.h>
#include "tpm2_test.h"

/* ---- the two engines behind one call ------------------------------------------------------ */

struct engine {
	const char *name;
	const uint8_t *(*exec)(struct engine *e, const uint8_t *cmd, size_t n, size_t *rlen);
	struct tpm2 *tpm;                          /* ours */
	uint8_t rsp[TPM2_MAX_RESPONSE_SIZE];
	/* libtpms: TPMLIB_Process(&buf, &len, &cap, cmd, n); the buffer is reused across calls */
	uint32_t (*process)(unsigned char **, uint32_t *, uint32_t *, unsigned char *, uint32_t);
	unsigned char *lbuf;
	uint32_t llen, lcap;
};

static const uint8_t *ours_exec(struct engine *e, const uint8_t *cmd, size_t n, size_t *rlen)
{
	*rlen = tpm2_execute(e->tpm, 0, cmd, n, e->rsp, sizeof e->rsp);
	return e->rsp;
}

static const uint8_t *libtpms_exec(struct engine *e, const uint8_t *cmd, size_t n, size_t *rlen)
{
	if (e->process(&e->lbuf, &e->llen, &e->lcap, (unsigned char *)cmd, (uint32_t)n) != 0) {
		*rlen = 0;
		return e->rsp;
	}
	*rlen = e->llen;
	return e->lbuf;
}

/* libtpms's callback table (libtpms/tpm_library.h), declared here: Debian ships no -dev. */
struct libtpms_callbacks {
	int size;
	uint32_t (*nvram_init)(void);
	uint32_t (*nvram_loaddata)(unsigned char **data, uint32_t *len, uint32_t tpm, const char *name);
	uint32_t (*nvram_storedata)(const unsigned char *data, uint32_t len, uint32_t tpm,
	                            const char *name);
	uint32_t (*nvram_deletename)(uint32_t tpm, const char *name, unsigned char must_exist);
	uint32_t (*io_init)(void);
	uint32_t (*io_getlocality)(uint32_t *loc, uint32_t tpm);
	uint32_t (*io_getphysicalpresence)(unsigned char *pp, uint32_t tpm);
};

static uint32_t nv_ok(void) { return 0; }
static uint32_t nv_none(unsigned char **d, uint32_t *l, uint32_t t, const char *n)
{
	(void)d; (void)l; (void)t; (void)n;
	return 0x800;                                   /* TPM_RETRY: nothing stored, manufacture */
}
static uint32_t nv_discard(const unsigned char *d, uint32_t l, uint32_t t, const char *n)
{
	(void)d; (void)l; (void)t; (void)n;
	return 0;
}
static uint32_t nv_delete(uint32_t t, const char *n, unsigned char m)
{
	(void)t; (void)n; (void)m;
	return 0;
}

static int libtpms_open(struct engine *e)
{
	static struct libtpms_callbacks cb = { sizeof cb, nv_ok, nv_none, nv_discard, nv_delete,
	                                       NULL, NULL, NULL };
	void *h = dlopen("libtpms.so.0", RTLD_NOW);
	uint32_t (*choose)(int), (*reg)(struct libtpms_callbacks *), (*init)(void);
	if (!h)
		return -1;
	*(void **)&choose = dlsym(h, "TPMLIB_ChooseTPMVersion");
	*(void **)&reg = dlsym(h, "TPMLIB_RegisterCallbacks");
	*(void **)&init = dlsym(h, "TPMLIB_MainInit");
	*(void **)&e->process = dlsym(h, "TPMLIB_Process");
	if (!choose || !reg || !init || !e->process)
		return -1;
	if (choose(1 /* TPMLIB_TPM_VERSION_2 */) != 0 || reg(&cb) != 0 || init() != 0)
		return -1;
	e->name = "libtpms";
	e->exec = libtpms_exec;
	return 0;
}

/* Runs one command; one answered RETRY/YIELDED/TESTING is sent again, as a client must (libtpms
 * does for RSA key generation and for the first use of a DA-protected key): the retries count
 * towards the command's cost. */
static uint32_t run(struct engine *e, struct tt_cmd *c, const uint8_t **rsp, size_t *rlen)
{
	size_t n;
	const uint8_t *r;
	uint32_t rc;
	tt_end(c);
	for (int tries = 0; tries < 50; tries++) {
		r = e->exec(e, c->b, c->n, &n);
		rc = n >= 10 ? tpm2_get_u32(r + 6) : 0xFFFFFFFFu;
		if (rc != TPM_RC_RETRY && rc != TPM_RC_YIELDED && rc != TPM_RC_TESTING)
			break;
	}
	if (rsp) {
		*rsp = r;
		*rlen = n;
	}
	return rc;
}

/* ---- commands ----------------------------------------------------------------------------- */

#define NV_INDEX   0x01500040u
#define NV_BATCH_BASE 0x01500100u
#define STORAGE_ATTRS 0x00030072u   /* fixedTPM fixedParent sensitiveDataOrigin userWithAuth restricted decrypt */
#define SIGN_ATTRS    0x00040072u   /* fixedTPM fixedParent sensitiveDataOrigin userWithAuth sign */

static const uint8_t kib[1024] = { 0x5a };

/* TPM2B_PUBLIC of an ECC P-256 key: storage (AES-128-CFB, no scheme) or ECDSA-SHA256 signing. */
static void ecc_public(struct tt_cmd *c, int storage)
{
	size_t at = c->n;
	tt_u16(c, 0);
	tt_u16(c, TPM_ALG_ECC);
	tt_u16(c, TPM_ALG_SHA256);
	tt_u32(c, storage ? STORAGE_ATTRS : SIGN_ATTRS);
	tt_u16(c, 0);
	if (storage) {
		tt_u16(c, TPM_ALG_AES); tt_u16(c, 128); tt_u16(c, TPM_ALG_CFB);
		tt_u16(c, TPM_ALG_NULL);
	} else {
		tt_u16(c, TPM_ALG_NULL);
		tt_u16(c, TPM_ALG_ECDSA); tt_u16(c, TPM_ALG_SHA256);
	}
	tt_u16(c, TPM_ECC_NIST_P256);
	tt_u16(c, TPM_ALG_NULL);
	tt_u32(c, 0);
	tpm2_put_u16(c->b + at, (uint16_t)(c->n - at - 2));
}

/* TPM2B_PUBLIC of an RSA-2048 RSASSA-SHA256 signing key. */
static void rsa_public(struct tt_cmd *c)
{
	size_t at = c->n;
	tt_u16(c, 0);
	tt_u16(c, TPM_ALG_RSA);
	tt_u16(c, TPM_ALG_SHA256);
	tt_u32(c, SIGN_ATTRS);
	tt_u16(c, 0);
	tt_u16(c, TPM_ALG_NULL);
	tt_u16(c, TPM_ALG_RSASSA); tt_u16(c, TPM_ALG_SHA256);
	tt_u16(c, 2048);
	tt_u32(c, 0);
	tt_u16(c, 0);
	tpm2_put_u16(c->b + at, (uint16_t)(c->n - at - 2));
}

static void create_cmd(struct tt_cmd *c, uint32_t cc, uint32_t parent, int kind)
{
	tt_begin(c, TPM_ST_SESSIONS, cc);
	tt_u32(c, parent);
	tt_pw_sessions(c, "", NULL);
	tt_u16(c, 4); tt_u16(c, 0); tt_u16(c, 0);       /* inSensitive: empty */
	if (kind == 2)
		rsa_public(c);
	else
		ecc_public(c, kind);
	tt_u16(c, 0);                                   /* outsideInfo */
	tt_u32(c, 0);                                   /* creationPCR */
}

static void flush(struct engine *e, uint32_t handle)
{
	struct tt_cmd c;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
	tt_u32(&c, handle);
	run(e, &c, NULL, NULL);
}

static void nv_define(struct tt_cmd *c, uint32_t index, uint16_t size)
{
	tt_begin(c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
	tt_u32(c, TPM_RH_OWNER);
	tt_pw_sessions(c, "", NULL);
	tt_u16(c, 0);                                   /* auth */
	tt_u16(c, 14);
	tt_u32(c, index);
	tt_u16(c, TPM_ALG_SHA256);
	tt_u32(c, 0x00060006u);                         /* OWNERWRITE|AUTHWRITE|OWNERREAD|AUTHREAD */
	tt_u16(c, 0);
	tt_u16(c, size);
}

static void nv_undefine(struct tt_cmd *c, uint32_t index)
{
	tt_begin(c, TPM_ST_SESSIONS, TPM_CC_NV_UndefineSpace);
	tt_u32(c, TPM_RH_OWNER);
	tt_u32(c, index);
	tt_pw_sessions(c, "", NULL);
}

static uint32_t nv_write_n(struct engine *e, uint16_t size);

/* What one engine keeps between items: the keys the signing and loading items use. */
struct fixture {
	uint32_t parent;               /* ECC storage primary under the owner */
	uint32_t ecc_key, rsa_key;     /* signing keys: ECC loaded, RSA loaded around its item */
	uint8_t ecc_blob[1024];        /* Create's outPrivate || outPublic for Load */
	uint8_t rsa_blob[1024];
	size_t ecc_blob_len, rsa_blob_len;
	uint32_t made[8];              /* handles made by the current batch, flushed after it */
	int nmade;
};

static uint32_t create_and_load(struct engine *e, struct fixture *f, int kind, uint32_t *handle,
                                uint8_t *blob, size_t *blob_len)
{
	struct tt_cmd c;
	const uint8_t *r;
	size_t n, priv, pub;
	uint32_t rc;
	create_cmd(&c, TPM_CC_Create, f->parent, kind);
	if ((rc = run(e, &c, &r, &n)) != 0)
		return rc;
	priv = tpm2_get_u16(r + 14);
	pub = tpm2_get_u16(r + 16 + priv);
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Load);
	tt_u32(&c, f->parent);
	tt_pw_sessions(&c, "", NULL);
	tt_bytes(&c, r + 14, 4 + priv + pub);
	if (blob) {
		memcpy(blob, r + 14, 4 + priv + pub);
		*blob_len = 4 + priv + pub;
	}
	if ((rc = run(e, &c, &r, &n)) != 0)
		return rc;
	*handle = tpm2_get_u32(r + 10);
	return 0;
}

static uint32_t fixture_setup(struct engine *e, struct fixture *f)
{
	struct tt_cmd c;
	const uint8_t *r;
	size_t n;
	uint32_t rc;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Startup);
	tt_u16(&c, TPM_SU_CLEAR);
	rc = run(e, &c, NULL, NULL);
	if (rc != 0 && rc != TPM_RC_INITIALIZE)
		return rc;
	/* libtpms manufactured without stored NV starts with maxTries 0 (every DA-protected key
	 * locked out): give both engines the same DA parameters (lockoutAuth is empty). */
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_DictionaryAttackParameters);
	tt_u32(&c, TPM_RH_LOCKOUT);
	tt_pw_sessions(&c, "", NULL);
	tt_u32(&c, 32);
	tt_u32(&c, 10);
	tt_u32(&c, 10);
	if ((rc = run(e, &c, NULL, NULL)) != 0)
		return rc;
	nv_define(&c, NV_INDEX, 1024);
	if ((rc = run(e, &c, NULL, NULL)) != 0)
		return rc;
	create_cmd(&c, TPM_CC_CreatePrimary, TPM_RH_OWNER, 1);
	if ((rc = run(e, &c, &r, &n)) != 0)
		return rc;
	f->parent = tpm2_get_u32(r + 10);
	if ((rc = nv_write_n(e, 1024)) != 0)
		return rc;
	/* Three object slots (libtpms has three): the parent, the ECC key, one free for the
	 * items that make an object. */
	if ((rc = create_and_load(e, f, 2, &f->rsa_key, f->rsa_blob, &f->rsa_blob_len)) != 0)
		return rc;
	flush(e, f->rsa_key);
	return create_and_load(e, f, 0, &f->ecc_key, f->ecc_blob, &f->ecc_blob_len);
}

/* One timed command of an item: builds it (cheap, the same for both engines) and runs it. */
typedef uint32_t (*step_fn)(struct engine *e, struct fixture *f, int i);
typedef void (*fix_fn)(struct engine *e, struct fixture *f, int count);

static uint32_t get_random(struct engine *e, struct fixture *f, int i)
{
	struct tt_cmd c;
	(void)f; (void)i;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
	tt_u16(&c, 32);
	return run(e, &c, NULL, NULL);
}

static uint32_t pcr_extend(struct engine *e, struct fixture *f, int i)
{
	struct tt_cmd c;
	(void)f; (void)i;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tt_u32(&c, 16);
	tt_pw_sessions(&c, "", NULL);
	tt_u32(&c, 1);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_bytes(&c, kib, 32);
	return run(e, &c, NULL, NULL);
}

static uint32_t pcr_read(struct engine *e, struct fixture *f, int i)
{
	struct tt_cmd c;
	(void)f; (void)i;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tt_u32(&c, 1);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_u8(&c, 3); tt_u8(&c, 0xFF); tt_u8(&c, 0); tt_u8(&c, 0);
	return run(e, &c, NULL, NULL);
}

static uint32_t hash_1k(struct engine *e, struct fixture *f, int i)
{
	struct tt_cmd c;
	(void)f; (void)i;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
	tt_tpm2b(&c, kib, 1024);
	tt_u16(&c, TPM_ALG_SHA256);
	tt_u32(&c, TPM_RH_OWNER);                       /* with a ticket, as `tpm2 hash` asks */
	return run(e, &c, NULL, NULL);
}

static uint32_t nv_write_n(struct engine *e, uint16_t size)
{
	struct tt_cmd c;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
	tt_u32(&c, NV_INDEX);
	tt_u32(&c, NV_INDEX);
	tt_pw_sessions(&c, "", NULL);
	tt_tpm2b(&c, kib, size);
	tt_u16(&c, 0);
	return run(e, &c, NULL, NULL);
}

static uint32_t nv_write_64(struct engine *e, struct fixture *f, int i)
{
	(void)f; (void)i;
	return nv_write_n(e, 64);
}

static uint32_t nv_write_1k(struct engine *e, struct fixture *f, int i)
{
	(void)f; (void)i;
	return nv_write_n(e, 1024);
}

static uint32_t nv_read_64(struct engine *e, struct fixture *f, int i)
{
	struct tt_cmd c;
	(void)f; (void)i;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Read);
	tt_u32(&c, NV_INDEX);
	tt_u32(&c, NV_INDEX);
	tt_pw_sessions(&c, "", NULL);
	tt_u16(&c, 64);
	tt_u16(&c, 0);
	return run(e, &c, NULL, NULL);
}

static uint32_t get_cap(struct engine *e, struct fixture *f, int i)
{
	struct tt_cmd c;
	(void)f; (void)i;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
	tt_u32(&c, TPM_CAP_TPM_PROPERTIES);
	tt_u32(&c, PT_FIXED);
	tt_u32(&c, 100);
	return run(e, &c, NULL, NULL);
}

static uint32_t define_one(struct engine *e, struct fixture *f, int i)
{
	struct tt_cmd c;
	(void)f;
	nv_define(&c, NV_BATCH_BASE + (uint32_t)i, 64);
	return run(e, &c, NULL, NULL);
}

static uint32_t undefine_one(struct engine *e, struct fixture *f, int i)
{
	struct tt_cmd c;
	(void)f;
	nv_undefine(&c, NV_BATCH_BASE + (uint32_t)i);
	return run(e, &c, NULL, NULL);
}

static void define_all(struct engine *e, struct fixture *f, int count)
{
	for (int i = 0; i < count; i++)
		define_one(e, f, i);
}

static void undefine_all(struct engine *e, struct fixture *f, int count)
{
	for (int i = 0; i < count; i++)
		undefine_one(e, f, i);
}

/* Runs a command that returns a handle and keeps it for flush_made(). */
static uint32_t run_keep(struct engine *e, struct fixture *f, struct tt_cmd *c)
{
	const uint8_t *r;
	size_t n;
	uint32_t rc = run(e, c, &r, &n);
	if (rc == 0 && f->nmade < 8)
		f->made[f->nmade++] = tpm2_get_u32(r + 10);
	return rc;
}

static void flush_made(struct engine *e, struct fixture *f, int count)
{
	(void)count;
	while (f->nmade > 0)
		flush(e, f->made[--f->nmade]);
}

static uint32_t load_blob(struct engine *e, struct fixture *f, const uint8_t *blob, size_t len)
{
	struct tt_cmd c;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Load);
	tt_u32(&c, f->parent);
	tt_pw_sessions(&c, "", NULL);
	tt_bytes(&c, blob, len);
	return run_keep(e, f, &c);
}

static uint32_t load_ecc(struct engine *e, struct fixture *f, int i)
{
	(void)i;
	return load_blob(e, f, f->ecc_blob, f->ecc_blob_len);
}

static void load_rsa(struct engine *e, struct fixture *f, int count)
{
	(void)count;
	load_blob(e, f, f->rsa_blob, f->rsa_blob_len);
	f->rsa_key = f->made[0];
}

static uint32_t start_session(struct engine *e, struct fixture *f, int i)
{
	struct tt_cmd c;
	(void)i;
	tt_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
	tt_u32(&c, TPM_RH_NULL);                        /* tpmKey */
	tt_u32(&c, TPM_RH_NULL);                        /* bind */
	tt_tpm2b(&c, kib, 32);                          /* nonceCaller */
	tt_u16(&c, 0);                                  /* encryptedSalt */
	tt_u8(&c, TPM_SE_HMAC);
	tt_u16(&c, TPM_ALG_AES); tt_u16(&c, 128); tt_u16(&c, TPM_ALG_CFB);
	tt_u16(&c, TPM_ALG_SHA256);
	return run_keep(e, f, &c);
}

static uint32_t create_primary_ecc(struct engine *e, struct fixture *f, int i)
{
	struct tt_cmd c;
	(void)i;
	create_cmd(&c, TPM_CC_CreatePrimary, TPM_RH_OWNER, 1);
	return run_keep(e, f, &c);
}

static uint32_t create_ecc(struct engine *e, struct fixture *f, int i)
{
	struct tt_cmd c;
	(void)i;
	create_cmd(&c, TPM_CC_Create, f->parent, 0);
	return run(e, &c, NULL, NULL);
}

static uint32_t create_rsa(struct engine *e, struct fixture *f, int i)
{
	struct tt_cmd c;
	(void)i;
	create_cmd(&c, TPM_CC_Create, f->parent, 2);
	return run(e, &c, NULL, NULL);
}

static uint32_t sign_with(struct engine *e, uint32_t key)
{
	struct tt_cmd c;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
	tt_u32(&c, key);
	tt_pw_sessions(&c, "", NULL);
	tt_tpm2b(&c, kib, 32);
	tt_u16(&c, TPM_ALG_NULL);
	tt_u16(&c, TPM_ST_HASHCHECK); tt_u32(&c, TPM_RH_NULL); tt_u16(&c, 0);
	return run(e, &c, NULL, NULL);
}

static uint32_t sign_ecdsa(struct engine *e, struct fixture *f, int i)
{
	(void)i;
	return sign_with(e, f->ecc_key);
}

static uint32_t sign_rsa(struct engine *e, struct fixture *f, int i)
{
	(void)i;
	return sign_with(e, f->rsa_key);
}

static uint32_t quote_ecdsa(struct engine *e, struct fixture *f, int i)
{
	struct tt_cmd c;
	(void)i;
	tt_begin(&c, TPM_ST_SESSIONS, TPM_CC_Quote);
	tt_u32(&c, f->ecc_key);
	tt_pw_sessions(&c, "", NULL);
	tt_tpm2b(&c, "nonce123", 8);
	tt_u16(&c, TPM_ALG_NULL);
	tt_u32(&c, 1); tt_u16(&c, TPM_ALG_SHA256);
	tt_u8(&c, 3); tt_u8(&c, 0xFF); tt_u8(&c, 0); tt_u8(&c, 0);
	return run(e, &c, NULL, NULL);
}

struct item {
	const char *name;
	double target;                 /* ours/libtpms at most */
	step_fn step;
	int batch, rounds;
	fix_fn before, after;          /* untimed, around each batch */
};

static const struct item items[] = {
	{ "GetRandom 32",            0.5, get_random,   256, 31, NULL, NULL },
	{ "PCR_Extend sha256",       0.5, pcr_extend,   256, 31, NULL, NULL },
	{ "PCR_Read 8 x sha256",     0.5, pcr_read,     256, 31, NULL, NULL },
	{ "NV_Read 64",              0.5, nv_read_64,   256, 31, NULL, NULL },
	{ "NV_Write 64",             0.5, nv_write_64,  256, 31, NULL, NULL },
	{ "Hash 1 KiB (ticket)",     0.5, hash_1k,      256, 31, NULL, NULL },
	{ "NV_Write 1 KiB",          1.0, nv_write_1k,  256, 31, NULL, NULL },
	{ "GetCapability PROPS",     1.0, get_cap,      256, 31, NULL, NULL },
	{ "NV_DefineSpace",          1.0, define_one,     8, 31, NULL, undefine_all },
	{ "NV_UndefineSpace",        1.0, undefine_one,   8, 31, define_all, NULL },
	{ "StartAuthSession HMAC",   1.0, start_session,  2, 31, NULL, flush_made },
	{ "Load ECC P-256",          1.0, load_ecc,       1, 41, NULL, flush_made },
	{ "CreatePrimary ECC P-256", 1.0, create_primary_ecc, 1, 21, NULL, flush_made },
	{ "Create ECC P-256",        1.0, create_ecc,     2, 21, NULL, NULL },
	{ "Sign ECDSA P-256",        1.0, sign_ecdsa,     8, 21, NULL, NULL },
	{ "Quote ECDSA P-256",       1.0, quote_ecdsa,    8, 21, NULL, NULL },
	{ "Sign RSASSA-2048",        1.0, sign_rsa,       4, 21, load_rsa, flush_made },
	{ "Create RSA-2048",         1.0, create_rsa,     1, 9,  NULL, NULL },
};

/* ---- timing ------------------------------------------------------------------------------- */

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* One batch on one engine: ns per command, or a negative value if a command failed. */
static double batch(struct engine *e, struct fixture *f, const struct item *it, uint32_t *bad)
{
	uint32_t rc = 0;
	double t0, t1;
	if (it->before)
		it->before(e, f, it->batch);
	t0 = now_ns();
	for (int i = 0; i < it->batch; i++)
		rc |= it->step(e, f, i);
	t1 = now_ns();
	if (it->after)
		it->after(e, f, it->batch);
	if (rc) {
		*bad = rc;
		return -1;
	}
	return (t1 - t0) / it->batch;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	return v[n / 2];
}

static void fmt_us(char *buf, double ns)
{
	if (ns < 0)
		strcpy(buf, "failed");
	else
		sprintf(buf, "%.2f", ns / 1000);
}

static void compare(struct engine *eng, struct fixture *fix, const struct item *it, int *met)
{
	double s[2][64];
	uint32_t bad[2] = { 0, 0 };
	char a[32], b[32];
	int rounds = it->rounds;
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < 2; k++) {
			int w = (r + k) & 1;            /* alternate which engine goes first */
			s[w][r] = batch(&eng[w], &fix[w], it, &bad[w]);
		}
	double m0 = bad[0] ? -1 : median(s[0], rounds), m1 = bad[1] ? -1 : median(s[1], rounds);
	fmt_us(a, m0);
	fmt_us(b, m1);
	if (m0 > 0 && m1 > 0) {
		double ratio = m0 / m1;
		int ok = ratio <= it->target;
		*met += ok;
		printf("%-26s %10s %10s %7.2f   <= %.1fx %s\n", it->name, a, b, ratio, it->target,
		       ok ? "met" : "MISSED");
	} else {
		printf("%-26s %10s %10s     n/a   <= %.1fx (rc ours 0x%x, libtpms 0x%x)\n", it->name,
		       a, b, it->target, bad[0], bad[1]);
	}
}

static const struct item *find_item(const char *name)
{
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
		if (strcmp(items[i].name, name) == 0)
			return &items[i];
	return NULL;
}

/* --only-ours ITEM N: N batches of ITEM on our engine alone (for callgrind). */
__attribute__((noinline)) static int only_ours(struct engine *e, struct fixture *f, const char *name, int n)
{
	const struct item *it = find_item(name);
	uint32_t bad = 0;
	if (!it) {
		fprintf(stderr, "no item '%s'\n", name);
		return 2;
	}
	for (int i = 0; i < n; i++)
		batch(e, f, it, &bad);
	printf("%s: %d batches of %d, rc 0x%x\n", name, n, it->batch, bad);
	return bad != 0;
}

int main(int argc, char **argv)
{
	static struct engine eng[2];
	static struct fixture fix[2];
	size_t nitems = sizeof items / sizeof items[0];
	int met = 0;
	uint32_t rc;

	eng[0].name = "anchor";
	eng[0].exec = ours_exec;
	eng[0].tpm = tt_new_raw();
	if ((rc = fixture_setup(&eng[0], &fix[0])) != 0) {
		printf("anchor: setup failed, rc 0x%x\n", rc);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "--only-ours") == 0)
		return only_ours(&eng[0], &fix[0], argv[2], atoi(argv[3]));

	printf("engine in-process, median us per command; clock read once per batch, rounds\n"
	       "interleaved between the engines (sizeof(struct tpm2) = %zu bytes)\n",
	       tpm2_instance_size());
	if (libtpms_open(&eng[1]) != 0 || (rc = fixture_setup(&eng[1], &fix[1])) != 0) {
		printf("libtpms unavailable (%s, rc 0x%x): no comparison\n", eng[1].process ? "setup" : "dlopen", rc);
		return 0;
	}
	printf("%-26s %10s %10s %7s   %s\n", "command", "anchor", "libtpms", "ratio", "target");
	for (size_t i = 0; i < nitems; i++)
		compare(eng, fix, &items[i], &met);
	printf("targets met: %d of %zu\n", met, nitems);

	{
		static uint8_t blob[1 << 17];
		double t0 = now_ns();
		size_t n = 0;
		for (int i = 0; i < 200; i++)
			n = tpm2_state_save(eng[0].tpm, tt_state_key, blob, sizeof blob);
		printf("%-26s %10.2f us per save (%zu bytes)\n", "state save", (now_ns() - t0) / 200e3, n);
		t0 = now_ns();
		for (int i = 0; i < 200; i++)
			tpm2_state_load(eng[0].tpm, &tt_platform, tt_state_key, blob, n);
		printf("%-26s %10.2f us per load\n", "state load", (now_ns() - t0) / 200e3);
	}
	free(eng[0].tpm);
	return 0;
}
