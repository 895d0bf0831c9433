/*
 * What a TPM client sees: an ESYS (tpm2-tss libtss2-esys) program drives anchor-tpmd and swtpm
 * side by side, both over the swtpm TCP data protocol (tcti "swtpm"), with the same command mix:
 * NV define/undefine/write/read, Load, sessions (StartAuthSession, and an NV_Write authorised by
 * an HMAC session), PCR_Extend/PCR_Read, Hash, key creation and signing.  `make bench`.
 *
 * For each command: rounds of batches, each round running one batch on each server (which goes
 * first alternates).  Per batch: wall time (CLOCK_MONOTONIC, client side, ESYS included) and the
 * server's CPU time (sum of /proc/<pid>/task/<tid>/schedstat on-CPU ns, read before and after the
 * batch: ns resolution, unlike the clock ticks of /proc/<pid>/stat).  Figures are medians over
 * the rounds of (batch delta / batch size); ratios are the median over the rounds of each
 * round's anchor / swtpm (paired, so load drift between rounds cancels; target <= 1.0x).
 *
 *   tpm2_esys_bench [ANCHOR_TPMD]     (default: anchor-tpmd next to this program)
 * A benchmark reports and never fails: a server that does not start is reported and skipped.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#define NSERV 2
#define NV_INDEX      0x01500040u
#define NV_BATCH_BASE 0x01500100u

struct server {
	const char *name;
	pid_t pid;
	int port;
	char dir[64];
	ESYS_CONTEXT *esys;
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_TR parent, ecc_key, rsa_key, nv, hmac_session;
	TPM2B_PRIVATE *ecc_priv, *rsa_priv;
	TPM2B_PUBLIC *ecc_pub, *rsa_pub;
	ESYS_TR made[8];
	int nmade;
	int ok;
};

/* ---- servers ------------------------------------------------------------------------------ */

static int free_port_pair(void)
{
	for (int tries = 0; tries < 50; tries++) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
		socklen_t len = sizeof sa;
		int a = socket(AF_INET, SOCK_STREAM, 0), b = socket(AF_INET, SOCK_STREAM, 0), port;
		bind(a, (struct sockaddr *)&sa, sizeof sa);
		getsockname(a, (struct sockaddr *)&sa, &len);
		port = ntohs(sa.sin_port);
		sa.sin_port = htons((uint16_t)(port + 1));
		int ok = port < 65534 && bind(b, (struct sockaddr *)&sa, sizeof sa) == 0;
		close(a);
		close(b);
		if (ok)
			return port;
	}
	return -1;
}

static int start_server(struct server *s, const char *tpmd)
{
	char port[16], ctrl[16], state[96], srv[96], ctl[96];
	s->port = free_port_pair();
	snprintf(s->dir, sizeof s->dir, "/tmp/anchor-esys-bench.XXXXXX");
	if (s->port < 0 || !mkdtemp(s->dir))
		return -1;
	snprintf(port, sizeof port, "%d", s->port);
	snprintf(ctrl, sizeof ctrl, "%d", s->port + 1);
	snprintf(state, sizeof state, "dir=%s", s->dir);
	snprintf(srv, sizeof srv, "type=tcp,port=%d,bindaddr=127.0.0.1", s->port);
	snprintf(ctl, sizeof ctl, "type=tcp,port=%d,bindaddr=127.0.0.1", s->port + 1);
	s->pid = fork();
	if (s->pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		if (strcmp(s->name, "swtpm") == 0)
			execlp("swtpm", "swtpm", "socket", "--tpm2", "--tpmstate", state, "--server", srv,
			       "--ctrl", ctl, "--flags", "not-need-init,startup-clear", (char *)NULL);
		else
			execl(tpmd, tpmd, "--protocol", "swtpm", "--port", port, "--ctrl-port", ctrl,
			      "--state", s->dir, "--fresh", "--startup-clear", "--quiet", (char *)NULL);
		_exit(127);
	}
	if (s->pid < 0)
		return -1;
	for (int i = 0; i < 250; i++) {      /* up to 5 s for the port to accept */
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)s->port),
		                          .sin_addr.s_addr = htonl(0x7f000001) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int up = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
		close(fd);
		if (up)
			break;
		if (waitpid(s->pid, NULL, WNOHANG) == s->pid)
			return -1;
		usleep(20000);
	}
	char conf[64];
	snprintf(conf, sizeof conf, "swtpm:host=127.0.0.1,port=%d", s->port);
	if (Tss2_TctiLdr_Initialize(conf, &s->tcti) != TSS2_RC_SUCCESS ||
	    Esys_Initialize(&s->esys, s->tcti, NULL) != TSS2_RC_SUCCESS)
		return -1;
	return 0;
}

static void stop_server(struct server *s)
{
	char cmd[128];
	if (s->esys)
		Esys_Finalize(&s->esys);
	if (s->tcti)
		Tss2_TctiLdr_Finalize(&s->tcti);
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	if (s->dir[0] && strncmp(s->dir, "/tmp/anchor-esys-bench.", 23) == 0) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", s->dir);
	}
}

/* The server's on-CPU time so far, ns: every thread's schedstat. */
static uint64_t server_cpu_ns(const struct server *s)
{
	char path[64], line[128];
	uint64_t total = 0;
	DIR *d;
	struct dirent *e;
	snprintf(path, sizeof path, "/proc/%d/task", (int)s->pid);
	if (!(d = opendir(path)))
		return 0;
	while ((e = readdir(d))) {
		FILE *f;
		if (e->d_name[0] == '.')
			continue;
		snprintf(line, sizeof line, "%s/%s/schedstat", path, e->d_name);
		if ((f = fopen(line, "r"))) {
			unsigned long long ns;
			if (fscanf(f, "%llu", &ns) == 1)
				total += ns;
			fclose(f);
		}
	}
	closedir(d);
	return total;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ---- the command mix ---------------------------------------------------------------------- */

static const TPM2B_SENSITIVE_CREATE no_sensitive;
static const TPM2B_DATA no_outside;
static const TPML_PCR_SELECTION no_pcrs;

static TPM2B_PUBLIC ecc_template(int storage)
{
	TPM2B_PUBLIC p = { .publicArea = {
		.type = TPM2_ALG_ECC, .nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		                    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
		                    (storage ? TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT
		                             : TPMA_OBJECT_SIGN_ENCRYPT),
		.parameters.eccDetail = {
			.symmetric = storage ? (TPMT_SYM_DEF_OBJECT){ TPM2_ALG_AES, { .aes = 128 },
			                                              { .aes = TPM2_ALG_CFB } }
			                     : (TPMT_SYM_DEF_OBJECT){ .algorithm = TPM2_ALG_NULL },
			.scheme = storage ? (TPMT_ECC_SCHEME){ .scheme = TPM2_ALG_NULL }
			                  : (TPMT_ECC_SCHEME){ TPM2_ALG_ECDSA, { .ecdsa = { TPM2_ALG_SHA256 } } },
			.curveID = TPM2_ECC_NIST_P256, .kdf = { .scheme = TPM2_ALG_NULL } } } };
	return p;
}

static TPM2B_PUBLIC rsa_template(void)
{
	TPM2B_PUBLIC p = { .publicArea = {
		.type = TPM2_ALG_RSA, .nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		                    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
		                    TPMA_OBJECT_SIGN_ENCRYPT,
		.parameters.rsaDetail = { .symmetric = { .algorithm = TPM2_ALG_NULL },
			.scheme = { TPM2_ALG_RSASSA, { .rsassa = { TPM2_ALG_SHA256 } } },
			.keyBits = 2048 } } };
	return p;
}

static TPM2B_NV_PUBLIC nv_template(uint32_t index, uint16_t size)
{
	TPM2B_NV_PUBLIC p = { .nvPublic = { .nvIndex = index, .nameAlg = TPM2_ALG_SHA256,
		.attributes = TPMA_NV_OWNERWRITE | TPMA_NV_AUTHWRITE | TPMA_NV_OWNERREAD |
		              TPMA_NV_AUTHREAD | TPMA_NV_NO_DA, .dataSize = size } };
	return p;
}

static TSS2_RC create_key(struct server *s, int rsa, TPM2B_PRIVATE **priv, TPM2B_PUBLIC **pub)
{
	TPM2B_PUBLIC t = rsa ? rsa_template() : ecc_template(0);
	TPM2B_CREATION_DATA *cd;
	TPM2B_DIGEST *ch;
	TPMT_TK_CREATION *tk;
	TSS2_RC rc;
	for (int tries = 0; tries < 50; tries++) {
		rc = Esys_Create(s->esys, s->parent, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
		                 &no_sensitive, &t, &no_outside, &no_pcrs, priv, pub, &cd, &ch, &tk);
		if (rc != TPM2_RC_RETRY)
			break;
	}
	if (rc == 0) {
		Esys_Free(cd);
		Esys_Free(ch);
		Esys_Free(tk);
	}
	return rc;
}

static TSS2_RC load_key(struct server *s, const TPM2B_PRIVATE *priv, const TPM2B_PUBLIC *pub,
                        ESYS_TR *out)
{
	return Esys_Load(s->esys, s->parent, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, priv, pub,
	                 out);
}

static TSS2_RC setup(struct server *s)
{
	TPM2B_PUBLIC t = ecc_template(1), *pub;
	TPM2B_NV_PUBLIC nvp = nv_template(NV_INDEX, 64);
	TPM2B_AUTH empty = { 0 };
	TPM2B_MAX_NV_BUFFER data = { .size = 64 };
	TPM2B_CREATION_DATA *cd;
	TPM2B_DIGEST *ch;
	TPMT_TK_CREATION *tk;
	TPMT_SYM_DEF sym = { TPM2_ALG_AES, { .aes = 128 }, { .aes = TPM2_ALG_CFB } };
	TSS2_RC rc;

	if ((rc = Esys_CreatePrimary(s->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
	                             ESYS_TR_NONE, &no_sensitive, &t, &no_outside, &no_pcrs,
	                             &s->parent, &pub, &cd, &ch, &tk)))
		return rc;
	Esys_Free(pub); Esys_Free(cd); Esys_Free(ch); Esys_Free(tk);
	/* Three object slots (swtpm has three): the parent, the ECC key and one free; the RSA key
	 * is loaded around its own item. */
	if ((rc = create_key(s, 1, &s->rsa_priv, &s->rsa_pub)))
		return rc;
	if ((rc = create_key(s, 0, &s->ecc_priv, &s->ecc_pub)) ||
	    (rc = load_key(s, s->ecc_priv, s->ecc_pub, &s->ecc_key)))
		return rc;
	if ((rc = Esys_NV_DefineSpace(s->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
	                              ESYS_TR_NONE, &empty, &nvp, &s->nv)))
		return rc;
	if ((rc = Esys_NV_Write(s->esys, s->nv, s->nv, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
	                        &data, 0)))
		return rc;
	return Esys_StartAuthSession(s->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
	                             ESYS_TR_NONE, NULL, TPM2_SE_HMAC, &sym, TPM2_ALG_SHA256,
	                             &s->hmac_session);
}

typedef TSS2_RC (*step_fn)(struct server *s, int i);
typedef void (*fix_fn)(struct server *s, int count);

static TSS2_RC get_random(struct server *s, int i)
{
	TPM2B_DIGEST *r;
	TSS2_RC rc = Esys_GetRandom(s->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, 32, &r);
	(void)i;
	if (!rc)
		Esys_Free(r);
	return rc;
}

static TSS2_RC pcr_extend(struct server *s, int i)
{
	TPML_DIGEST_VALUES v = { .count = 1, .digests = { { .hashAlg = TPM2_ALG_SHA256 } } };
	(void)i;
	return Esys_PCR_Extend(s->esys, ESYS_TR_PCR16, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
	                       &v);
}

static TSS2_RC pcr_read(struct server *s, int i)
{
	TPML_PCR_SELECTION sel = { .count = 1, .pcrSelections = { { TPM2_ALG_SHA256, 3,
	                                                            { 0xff, 0, 0 } } } };
	TPML_PCR_SELECTION *out;
	TPML_DIGEST *d;
	UINT32 ctr;
	TSS2_RC rc = Esys_PCR_Read(s->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel, &ctr,
	                           &out, &d);
	(void)i;
	if (!rc) {
		Esys_Free(out);
		Esys_Free(d);
	}
	return rc;
}

static TSS2_RC hash_1k(struct server *s, int i)
{
	static TPM2B_MAX_BUFFER data = { .size = 1024 };
	TPM2B_DIGEST *d;
	TPMT_TK_HASHCHECK *tk;
	TSS2_RC rc = Esys_Hash(s->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &data,
	                       TPM2_ALG_SHA256, ESYS_TR_RH_OWNER, &d, &tk);
	(void)i;
	if (!rc) {
		Esys_Free(d);
		Esys_Free(tk);
	}
	return rc;
}

static TSS2_RC nv_write_with(struct server *s, ESYS_TR session)
{
	TPM2B_MAX_NV_BUFFER data = { .size = 64 };
	memset(data.buffer, 0x5a, 64);
	return Esys_NV_Write(s->esys, s->nv, s->nv, session, ESYS_TR_NONE, ESYS_TR_NONE, &data, 0);
}

static TSS2_RC nv_write(struct server *s, int i)
{
	(void)i;
	return nv_write_with(s, ESYS_TR_PASSWORD);
}

static TSS2_RC nv_write_hmac(struct server *s, int i)
{
	(void)i;
	return nv_write_with(s, s->hmac_session);
}

static TSS2_RC nv_read(struct server *s, int i)
{
	TPM2B_MAX_NV_BUFFER *d;
	TSS2_RC rc = Esys_NV_Read(s->esys, s->nv, s->nv, ESYS_TR_PASSWORD, ESYS_TR_NONE,
	                          ESYS_TR_NONE, 64, 0, &d);
	(void)i;
	if (!rc)
		Esys_Free(d);
	return rc;
}

static TSS2_RC nv_define(struct server *s, int i)
{
	TPM2B_AUTH empty = { 0 };
	TPM2B_NV_PUBLIC p = nv_template(NV_BATCH_BASE + (uint32_t)i, 64);
	ESYS_TR h;
	TSS2_RC rc = Esys_NV_DefineSpace(s->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
	                                 ESYS_TR_NONE, &empty, &p, &h);
	if (!rc)
		s->made[s->nmade++] = h;
	return rc;
}

static TSS2_RC nv_undefine(struct server *s, int i)
{
	(void)i;
	return Esys_NV_UndefineSpace(s->esys, ESYS_TR_RH_OWNER, s->made[--s->nmade],
	                             ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE);
}

static void define_all(struct server *s, int count)
{
	for (int i = 0; i < count; i++)
		nv_define(s, i);
	/* undefine pops from the end: reverse so that index i is undefined by step i */
	for (int i = 0; i < s->nmade / 2; i++) {
		ESYS_TR t = s->made[i];
		s->made[i] = s->made[s->nmade - 1 - i];
		s->made[s->nmade - 1 - i] = t;
	}
}

static void undefine_all(struct server *s, int count)
{
	(void)count;
	while (s->nmade > 0)
		nv_undefine(s, 0);
}

static void flush_made(struct server *s, int count)
{
	(void)count;
	while (s->nmade > 0)
		Esys_FlushContext(s->esys, s->made[--s->nmade]);
}

static TSS2_RC load_ecc(struct server *s, int i)
{
	ESYS_TR h;
	TSS2_RC rc = load_key(s, s->ecc_priv, s->ecc_pub, &h);
	(void)i;
	if (!rc)
		s->made[s->nmade++] = h;
	return rc;
}

static TSS2_RC start_session(struct server *s, int i)
{
	TPMT_SYM_DEF sym = { TPM2_ALG_AES, { .aes = 128 }, { .aes = TPM2_ALG_CFB } };
	ESYS_TR h;
	TSS2_RC rc = Esys_StartAuthSession(s->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
	                                   ESYS_TR_NONE, ESYS_TR_NONE, NULL, TPM2_SE_HMAC, &sym,
	                                   TPM2_ALG_SHA256, &h);
	(void)i;
	if (!rc)
		s->made[s->nmade++] = h;
	return rc;
}

static TSS2_RC create_primary(struct server *s, int i)
{
	TPM2B_PUBLIC t = ecc_template(1), *pub;
	TPM2B_CREATION_DATA *cd;
	TPM2B_DIGEST *ch;
	TPMT_TK_CREATION *tk;
	ESYS_TR h;
	TSS2_RC rc = Esys_CreatePrimary(s->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
	                                ESYS_TR_NONE, &no_sensitive, &t, &no_outside, &no_pcrs, &h,
	                                &pub, &cd, &ch, &tk);
	(void)i;
	if (!rc) {
		s->made[s->nmade++] = h;
		Esys_Free(pub); Esys_Free(cd); Esys_Free(ch); Esys_Free(tk);
	}
	return rc;
}

static TSS2_RC create_n(struct server *s, int rsa)
{
	TPM2B_PRIVATE *priv;
	TPM2B_PUBLIC *pub;
	TSS2_RC rc = create_key(s, rsa, &priv, &pub);
	if (!rc) {
		Esys_Free(priv);
		Esys_Free(pub);
	}
	return rc;
}

static TSS2_RC create_ecc(struct server *s, int i) { (void)i; return create_n(s, 0); }
static TSS2_RC create_rsa(struct server *s, int i) { (void)i; return create_n(s, 1); }

static TSS2_RC sign_with(struct server *s, ESYS_TR key)
{
	TPM2B_DIGEST digest = { .size = 32 };
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL };
	TPMT_TK_HASHCHECK val = { .tag = TPM2_ST_HASHCHECK, .hierarchy = TPM2_RH_NULL };
	TPMT_SIGNATURE *sig;
	TSS2_RC rc = Esys_Sign(s->esys, key, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &digest,
	                       &scheme, &val, &sig);
	if (!rc)
		Esys_Free(sig);
	return rc;
}

static void load_rsa(struct server *s, int count)
{
	(void)count;
	if (load_key(s, s->rsa_priv, s->rsa_pub, &s->rsa_key) == 0)
		s->made[s->nmade++] = s->rsa_key;
}

static TSS2_RC sign_ecdsa(struct server *s, int i) { (void)i; return sign_with(s, s->ecc_key); }
static TSS2_RC sign_rsa(struct server *s, int i) { (void)i; return sign_with(s, s->rsa_key); }

struct item {
	const char *name;
	step_fn step;
	int batch, rounds;
	fix_fn before, after;
};

static const struct item items[] = {
	{ "GetRandom 32",           get_random,    16, 31, NULL, NULL },
	{ "PCR_Extend",             pcr_extend,    16, 31, NULL, NULL },
	{ "PCR_Read 8",             pcr_read,      16, 31, NULL, NULL },
	{ "Hash 1 KiB",             hash_1k,       16, 31, NULL, NULL },
	{ "NV_Write 64",            nv_write,      16, 31, NULL, NULL },
	{ "NV_Read 64",             nv_read,       16, 31, NULL, NULL },
	{ "NV_DefineSpace",         nv_define,      4, 31, NULL, undefine_all },
	{ "NV_UndefineSpace",       nv_undefine,    4, 31, define_all, NULL },
	{ "StartAuthSession HMAC",  start_session,  2, 31, NULL, flush_made },
	{ "NV_Write, HMAC session", nv_write_hmac, 16, 31, NULL, NULL },
	{ "Load ECC P-256",         load_ecc,       1, 21, NULL, flush_made },
	{ "CreatePrimary ECC",      create_primary, 1, 11, NULL, flush_made },
	{ "Create ECC P-256",       create_ecc,     2, 11, NULL, NULL },
	{ "Sign ECDSA P-256",       sign_ecdsa,     4, 11, NULL, NULL },
	{ "Sign RSASSA-2048",       sign_rsa,       2, 11, load_rsa, flush_made },
	{ "Create RSA-2048",        create_rsa,     1, 7,  NULL, NULL },
};

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	return v[n / 2];
}

/* med[server][0/1]: median wall / CPU ns per command; ratio[0/1]: median over the rounds of
 * the round's anchor/swtpm ratio (paired: both batches of a round ran under the same load). */
static int run_item(struct server *sv, const struct item *it, double med[NSERV][2],
                    double ratio[2])
{
	double wall[NSERV][64], cpu[NSERV][64], rw[64], rc[64];
	TSS2_RC bad = 0;
	for (int r = 0; r < it->rounds; r++)
		for (int k = 0; k < NSERV; k++) {
			struct server *s = &sv[(r + k) % NSERV];
			int w = (int)(s - sv);
			TSS2_RC rc = 0;
			if (it->before)
				it->before(s, it->batch);
			uint64_t c0 = server_cpu_ns(s);
			double t0 = now_ns();
			for (int i = 0; i < it->batch; i++)
				rc |= it->step(s, i);
			double t1 = now_ns();
			uint64_t c1 = server_cpu_ns(s);
			if (it->after)
				it->after(s, it->batch);
			if (rc)
				bad = rc;
			wall[w][r] = (t1 - t0) / it->batch;
			cpu[w][r] = (double)(c1 - c0) / it->batch;
		}
	if (bad) {
		printf("%-24s failed: 0x%x\n", it->name, bad);
		return -1;
	}
	for (int r = 0; r < it->rounds; r++) {
		rw[r] = wall[0][r] / wall[1][r];
		rc[r] = cpu[1][r] > 0 ? cpu[0][r] / cpu[1][r] : 0;
	}
	ratio[0] = median(rw, it->rounds);
	ratio[1] = median(rc, it->rounds);
	for (int w = 0; w < NSERV; w++) {
		med[w][0] = median(wall[w], it->rounds);
		med[w][1] = median(cpu[w], it->rounds);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct server sv[NSERV] = { { .name = "anchor" }, { .name = "swtpm" } };
	static char own[4096];
	const char *tpmd = argv[1];
	if (argc < 2) {                  /* both are built into $(SIM_BUILD) */
		ssize_t n = readlink("/proc/self/exe", own, sizeof own - 16);
		char *slash = n > 0 ? memrchr(own, '/', (size_t)n) : NULL;
		strcpy(slash ? slash + 1 : own, "anchor-tpmd");
		tpmd = own;
	}
	int met = 0, n = 0;
	TSS2_RC rc;

	setenv("TSS2_LOG", "all+none", 1);   /* ESYS would log every TPM error answer */
	for (int i = 0; i < NSERV; i++) {
		if (start_server(&sv[i], tpmd) != 0 || (rc = setup(&sv[i])) != 0) {
			printf("%s did not start or set up: no comparison\n", sv[i].name);
			for (int j = 0; j <= i; j++)
				stop_server(&sv[j]);
			return 0;
		}
	}
	printf("ESYS client vs anchor-tpmd and swtpm (tcti swtpm, TCP), median per command\n"
	       "%-24s %9s %9s %6s   %9s %9s %6s  target\n", "command", "anchor", "swtpm", "wall",
	       "anchor", "swtpm", "cpu");
	printf("%-24s %9s %9s %6s   %9s %9s %6s\n", "", "wall us", "wall us", "ratio", "cpu us",
	       "cpu us", "ratio");
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
		double m[NSERV][2], ratio[2];
		if (run_item(sv, &items[i], m, ratio) != 0)
			continue;
		double rw = ratio[0], rc_ = ratio[1];
		int ok = rw <= 1.0 && rc_ <= 1.0;
		met += ok;
		n++;
		printf("%-24s %9.1f %9.1f %6.2f   %9.1f %9.1f %6.2f  <= 1.0x %s\n", items[i].name,
		       m[0][0] / 1e3, m[1][0] / 1e3, rw, m[0][1] / 1e3, m[1][1] / 1e3, rc_,
		       ok ? "met" : "MISSED");
	}
	printf("targets met (wall and cpu): %d of %d\n", met, n);
	for (int i = 0; i < NSERV; i++)
		stop_server(&sv[i]);
	return 0;
}
