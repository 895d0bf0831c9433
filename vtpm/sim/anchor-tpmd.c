/*
 * anchor-tpmd: one Anchor TPM 2.0 engine instance served over TCP, so that tpm2-tools,
 * tpm2-abrmd and tpm2-openssl talk to the engine unmodified (docs/simulator.md).
 *
 *   anchor-tpmd --port P --state DIR                         mssim: command P, platform P+1
 *   anchor-tpmd --protocol swtpm --port P --ctrl-port C ...  swtpm: data P, control C
 *
 * Single-threaded: a poll() loop over the two listening sockets and at most one accepted
 * connection per port.  Further connections wait in the listen backlog until the current
 * client hangs up (a queue, not a rejection).  Once a frame has started, its remaining bytes
 * must arrive within --io-timeout ms or the client is dropped, so a stalled or malicious
 * client cannot wedge the TPM.  The engine itself is one static struct tpm2.
 *
 * Persistence: tpm2_state_save()'s blobs, each authenticated with the key in DIR/state-key (32
 * random bytes, created 0600 on first use; a key file readable by group or others is refused),
 * in two files:
 *   DIR/tpm2-state.bin      the base: one blob, replaced atomically (temp file, fsync, rename,
 *                           fsync of DIR) when the journal is compacted;
 *   DIR/tpm2-state.journal  append-only records "AJR1" || u32 length || blob, each one the whole
 *                           state after a change.
 * After every successful command that may change persistent state (hierarchy, NV, DA, clock,
 * audit, Startup/Shutdown) and after any command that failed an authorisation (the lockout
 * counter moved), the state is serialised; if it differs from the last one stored, it is
 * appended to the journal with one write() BEFORE the response goes out.  A killed daemon
 * therefore always leaves the last acknowledged state in the journal (or, for a kill in the
 * middle of an append, a torn last record that the loader skips, and the previous state, which
 * is the last acknowledged one).  The journal is fdatasync'ed at least once a second and when
 * idle, and after every append with --fsync (then a power loss loses nothing acknowledged
 * either).  Past JOURNAL_COMPACT_AT bytes, on start, power-off/NV-off and SIGTERM/SIGINT the
 * current state becomes the new base and the journal is emptied.  Loading takes the last
 * journal record that verifies, else the base; a journal whose records all fail to verify, or
 * a base that fails when there is no journal, stops the daemon with the loader's reason
 * (--fresh starts a new TPM in its place).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "tpm2.h"
#include "sim_proto.h"

#define STATE_FILE   "tpm2-state.bin"
#define JOURNAL_FILE "tpm2-state.journal"
#define KEY_FILE     "state-key"
#define JOURNAL_MAGIC 0x414a5231u            /* "AJR1" */
#define JOURNAL_COMPACT_AT (1u << 20)        /* default --compact-at: bytes of journal */

static struct tpm2 the_tpm;     /* one engine instance per process, placed statically */

struct options {
	const char *state_dir;
	const char *record_dir;
	const char *bind_addr;
	int protocol_swtpm;
	int port, ctrl_port;
	int fresh, startup_clear, quiet, fsync_each;
	int io_timeout_ms;
	size_t compact_at;          /* journal bytes after which the state becomes the base */
};

struct daemon {
	struct options opt;
	struct sim_tpm sim;
	uint8_t *saved;             /* the blob last written to disk */
	size_t saved_len;
	uint8_t *scratch;
	size_t state_max;
	uint8_t state_key[TPM2_STATE_KEY_SIZE];   /* authenticates the blob (DIR/state-key) */
	int journal_fd;
	size_t journal_len;         /* bytes of whole records in the journal */
	int journal_unsynced;       /* appended since the last fdatasync */
	time_t last_sync;
	time_t last_check;
	unsigned long recorded;
};

static volatile sig_atomic_t stop_requested;

static void log_msg(const struct daemon *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void log_msg(const struct daemon *d, const char *fmt, ...)
{
	va_list ap;
	if (d && d->opt.quiet)
		return;
	va_start(ap, fmt);
	fputs("anchor-tpmd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---- platform callbacks for the engine ---------------------------------------------------- */

static void host_entropy(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	while (len > 0) {
		ssize_t n = getrandom(buf, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("anchor-tpmd: getrandom");
			abort();                 /* the engine's contract: entropy never fails */
		}
		buf += n;
		len -= (size_t)n;
	}
}

static uint64_t host_now_ms(void *ctx)
{
	struct timespec ts;
	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static const struct tpm2_platform host_platform = { host_entropy, host_now_ms, NULL };

/* ---- state directory ---------------------------------------------------------------------- */

static int write_file_atomically(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	char tmp[4096], dst[4096];
	int fd, dfd, ok = 0;
	size_t off = 0;

	if (snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name) >= (int)sizeof tmp ||
	    snprintf(dst, sizeof dst, "%s/%s", dir, name) >= (int)sizeof dst)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (off < len) {
		ssize_t n = write(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off == len && fsync(fd) == 0)
		ok = 1;
	close(fd);
	if (!ok || rename(tmp, dst) != 0) {
		unlink(tmp);
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);   /* make the rename durable */
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void journal_sync(struct daemon *d)
{
	if (d->journal_unsynced && fdatasync(d->journal_fd) == 0)
		d->journal_unsynced = 0;
	d->last_sync = time(NULL);
}

/* Appends one record with a single write; 0 on success.  A short write is cut off again so
 * that the next record starts where the loader expects it. */
static int journal_append(struct daemon *d, const uint8_t *blob, size_t n)
{
	uint8_t hdr[8];
	struct iovec iov[2] = { { hdr, sizeof hdr }, { (void *)blob, n } };
	ssize_t w;
	put_be32(hdr, JOURNAL_MAGIC);
	put_be32(hdr + 4, (uint32_t)n);
	do
		w = writev(d->journal_fd, iov, 2);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)(sizeof hdr + n)) {
		if (ftruncate(d->journal_fd, (off_t)d->journal_len) != 0)
			log_msg(d, "cannot cut a short journal record: %s", strerror(errno));
		return -1;
	}
	d->journal_len += sizeof hdr + n;
	d->journal_unsynced = 1;
	if (d->opt.fsync_each)
		journal_sync(d);
	return 0;
}

/* The state in d->scratch[0..n) becomes the base and the journal is emptied.  The base is
 * durable before the journal shrinks: a crash in between leaves a journal whose last record
 * is this same state. */
static int compact(struct daemon *d, size_t n)
{
	if (write_file_atomically(d->opt.state_dir, STATE_FILE, d->scratch, n) != 0) {
		log_msg(d, "cannot write %s/%s: %s", d->opt.state_dir, STATE_FILE, strerror(errno));
		return -1;
	}
	if (d->journal_len > 0) {
		if (ftruncate(d->journal_fd, 0) != 0 || fsync(d->journal_fd) != 0)
			log_msg(d, "cannot empty the journal: %s", strerror(errno));
		else
			d->journal_len = 0;
	}
	d->journal_unsynced = 0;
	return 0;
}

/* Stores the state if it differs from what is stored: appended to the journal, or as the new
 * base when the journal is long enough (or cannot be written).  force: compact even if the
 * state is unchanged. */
static void save_state(struct daemon *d, int force)
{
	size_t n = tpm2_state_save(&the_tpm, d->state_key, d->scratch, d->state_max);
	int unchanged;
	if (n == 0) {
		log_msg(d, "tpm2_state_save failed (buffer %zu bytes)", d->state_max);
		return;
	}
	unchanged = n == d->saved_len && memcmp(d->scratch, d->saved, n) == 0;
	if (unchanged && !(force && d->journal_len > 0) && !(force && d->saved_len == 0))
		return;
	if (force || unchanged || d->journal_len >= d->opt.compact_at ||
	    journal_append(d, d->scratch, n) != 0) {
		if (compact(d, n) != 0)
			return;
	}
	memcpy(d->saved, d->scratch, n);
	d->saved_len = n;
}

static int read_whole_file(const char *path, uint8_t *buf, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t off = 0;
	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t n = read(fd, buf + off, max - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
		if (off == max) {     /* larger than any blob we could have written */
			char c;
			if (read(fd, &c, 1) > 0) {
				close(fd);
				errno = EFBIG;
				return -2;
			}
			break;
		}
	}
	close(fd);
	*len = off;
	return 0;
}

/* The state key: read DIR/state-key, or create it (0600, O_EXCL) if it does not exist and
 * create is set.  A key that others may read authenticates nothing: refused. */
static int open_state_key(struct daemon *d, int create)
{
	char path[4096];
	struct stat st;
	size_t len = 0;
	int fd;
	snprintf(path, sizeof path, "%s/%s", d->opt.state_dir, KEY_FILE);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT && create) {
		host_entropy(NULL, d->state_key, sizeof d->state_key);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 || write(fd, d->state_key, sizeof d->state_key) != sizeof d->state_key ||
		    fsync(fd) != 0) {
			log_msg(d, "cannot create %s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			unlink(path);
			return -1;
		}
		close(fd);
		log_msg(d, "created the state key %s", path);
		return 0;
	}
	if (fd < 0) {
		log_msg(d, "cannot open the state key %s: %s%s", path, strerror(errno),
		        errno == ENOENT ? " (the state cannot be authenticated without it: restore "
		                          "it, or start with --fresh)" : "");
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		log_msg(d, "%s must be a regular file readable only by its owner (chmod 600)", path);
		close(fd);
		return -1;
	}
	while (len < sizeof d->state_key) {
		ssize_t n = read(fd, d->state_key + len, sizeof d->state_key - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len != sizeof d->state_key || st.st_size != (off_t)sizeof d->state_key) {
		log_msg(d, "%s is not a state key (%d bytes expected)", path, TPM2_STATE_KEY_SIZE);
		return -1;
	}
	return 0;
}

static void manufacture_fresh(struct daemon *d)
{
	struct tpm2_seeds seeds;
	host_entropy(NULL, (uint8_t *)&seeds, sizeof seeds);
	tpm2_manufacture(&the_tpm, &host_platform, &seeds);
	explicit_bzero(&seeds, sizeof seeds);
	save_state(d, 1);
	log_msg(d, "manufactured a new TPM in %s", d->opt.state_dir);
}

/* Loads the last journal record that verifies, else the base blob already in d->scratch
 * (base_len bytes, 0: none).  The whole journal is read into memory: it cannot be longer than
 * the largest --compact-at (64 MiB) plus a record, whatever setting wrote it; a longer file
 * is not a journal this daemon wrote and is refused. */
static int load_journal(struct daemon *d, size_t base_len)
{
	size_t cap = (64u << 20) + 2 * (d->state_max + 8), len = 0, off = 0, nrec = 0;
	size_t *ends = NULL, failed = 0;
	uint8_t *j = NULL;
	int r = TPM2_STATE_ERR_TRUNCATED, got = 0, err = 0;
	ssize_t n;
	struct stat st;

	if (fstat(d->journal_fd, &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size > cap) {
		log_msg(d, "%s/%s is not a journal this daemon wrote (%lld bytes): move it away or "
		        "start with --fresh", d->opt.state_dir, JOURNAL_FILE, (long long)st.st_size);
		return -1;
	}
	cap = (size_t)st.st_size + 1;          /* +1: a file that grew meanwhile is cut, not lost */
	j = malloc(cap);
	ends = malloc(sizeof *ends * (cap / 8 + 1));
	if (!j || !ends) {
		free(j);
		free(ends);
		return -1;
	}
	if (lseek(d->journal_fd, 0, SEEK_SET) != 0)
		err = -1;
	while (!err && len < cap && (n = read(d->journal_fd, j + len, cap - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = -1;
		else
			len += (size_t)n;
	}
	/* Whole records only: a torn tail (a kill mid-append) is not a record. */
	while (!err && len - off >= 8 && get_be32(j + off) == JOURNAL_MAGIC &&
	       get_be32(j + off + 4) <= d->state_max && len - off - 8 >= get_be32(j + off + 4)) {
		off += 8 + get_be32(j + off + 4);
		ends[nrec++] = off;
	}
	while (!err && nrec > 0 && !got) {
		size_t end = ends[--nrec], start = nrec ? ends[nrec - 1] : 0;
		r = tpm2_state_load(&the_tpm, &host_platform, d->state_key, j + start + 8, end - start - 8);
		if (r == 0) {
			memcpy(d->saved, j + start + 8, end - start - 8);
			d->saved_len = end - start - 8;
			got = 1;
		} else {
			failed++;
		}
	}
	if (err)
		log_msg(d, "cannot read %s/%s: %s", d->opt.state_dir, JOURNAL_FILE, strerror(errno));
	else if (got)
		log_msg(d, "loaded TPM state from %s/%s (%zu bytes)%s", d->opt.state_dir, JOURNAL_FILE,
		        d->saved_len, failed ? "; its last record did not verify and was skipped" : "");
	else if (failed)
		log_msg(d, "%s/%s holds no usable TPM state (%s); refusing to overwrite it: move it "
		        "away or start with --fresh", d->opt.state_dir, JOURNAL_FILE,
		        tpm2_state_strerror(r));
	free(j);
	free(ends);
	if (err || failed)
		return got ? 0 : -1;
	if (got)
		return 0;
	if (base_len == 0) {
		log_msg(d, "%s/%s is missing or unreadable and the journal is empty: move the state "
		        "directory away or start with --fresh", d->opt.state_dir, STATE_FILE);
		return -1;
	}
	r = tpm2_state_load(&the_tpm, &host_platform, d->state_key, d->scratch, base_len);
	if (r != 0) {
		log_msg(d, "%s/%s is not a usable TPM state (%s); refusing to overwrite it: "
		        "move it away or start with --fresh", d->opt.state_dir, STATE_FILE,
		        tpm2_state_strerror(r));
		return -1;
	}
	memcpy(d->saved, d->scratch, base_len);
	d->saved_len = base_len;
	log_msg(d, "loaded TPM state from %s/%s (%zu bytes)", d->opt.state_dir, STATE_FILE, base_len);
	return 0;
}

static int open_state(struct daemon *d)
{
	char path[4096];
	size_t len = 0;
	int lock_fd, r;

	if (mkdir(d->opt.state_dir, 0700) != 0 && errno != EEXIST) {
		log_msg(d, "cannot create state directory %s: %s", d->opt.state_dir, strerror(errno));
		return -1;
	}
	/* One daemon per state directory: two writers would lose each other's NV. */
	snprintf(path, sizeof path, "%s/lock", d->opt.state_dir);
	lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
		log_msg(d, "state directory %s is in use by another anchor-tpmd", d->opt.state_dir);
		return -1;
	}
	d->state_max = tpm2_state_max_size();
	d->saved = calloc(1, d->state_max);
	d->scratch = calloc(1, d->state_max);
	if (!d->saved || !d->scratch)
		return -1;
	snprintf(path, sizeof path, "%s/%s", d->opt.state_dir, JOURNAL_FILE);
	d->journal_fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (d->journal_fd < 0) {
		log_msg(d, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	d->journal_len = (size_t)lseek(d->journal_fd, 0, SEEK_END);   /* emptied by the first compaction */

	snprintf(path, sizeof path, "%s/%s", d->opt.state_dir, STATE_FILE);
	if (d->opt.fresh) {
		if (open_state_key(d, 1) != 0)
			return -1;
		manufacture_fresh(d);
		return 0;
	}
	r = read_whole_file(path, d->scratch, d->state_max, &len);
	if (r == -1 && errno == ENOENT && lseek(d->journal_fd, 0, SEEK_END) == 0) {
		if (open_state_key(d, 1) != 0)
			return -1;
		manufacture_fresh(d);
		return 0;
	}
	if (open_state_key(d, 0) != 0)
		return -1;
	r = load_journal(d, r == 0 ? len : 0);
	if (r == 0)
		save_state(d, 1);       /* the journal's state becomes the base */
	return r;
}

/* ---- hooks from the protocol layer -------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Commands that may change what tpm2_state_save() serialises. */
static int may_change_persistent_state(uint32_t cc, uint32_t rc)
{
	uint32_t base = rc & 0xbfu;    /* RC_FMT1: strip the handle/session/parameter number */
	/* TPM_RC_AUTH_FAIL, TPM_RC_BAD_AUTH, TPM_RC_LOCKOUT: the DA counters moved. */
	if (((rc & 0x80u) && (base == 0x08e || base == 0x0a2)) || rc == 0x921)
		return 1;
	if (rc != 0)
		return 0;
	/* NV_UndefineSpaceSpecial .. NV_ChangeAuth: NV, hierarchy, DA, clock, EvictControl...,
	 * except CreatePrimary (0x131) and GetCommandAuditDigest (0x133), which change nothing
	 * persistent. */
	if (cc >= 0x11f && cc <= 0x13b)
		return cc != 0x131 && cc != 0x133;
	/* SetCommandCodeAuditStatus, Startup, Shutdown, NV_ReadLock */
	return cc == 0x140 || cc == 0x144 || cc == 0x145 || cc == 0x14f;
}

static void record_command(struct daemon *d, uint8_t locality, const uint8_t *cmd, size_t len)
{
	char path[4096];
	FILE *f;
	snprintf(path, sizeof path, "%s/cmd-%06lu-%08x.bin", d->opt.record_dir, d->recorded++,
	         len >= 10 ? be32(cmd + 6) : 0u);
	f = fopen(path, "wb");
	if (!f)
		return;
	fputc(locality, f);                 /* the fuzzer's format: locality byte, then command */
	fwrite(cmd, 1, len, f);
	fclose(f);
}

static void after_command(struct sim_tpm *s, uint8_t locality, const uint8_t *cmd, size_t cmd_len,
                          const uint8_t *rsp, size_t rsp_len)
{
	struct daemon *d = s->owner;
	uint32_t cc = cmd_len >= 10 ? be32(cmd + 6) : 0, rc = rsp_len >= 10 ? be32(rsp + 6) : 0;
	time_t now = time(NULL);

	if (d->opt.record_dir)
		record_command(d, locality, cmd, cmd_len);
	if (may_change_persistent_state(cc, rc) || now - d->last_check >= 10) {
		d->last_check = now;
		save_state(d, 0);
	}
	if (d->journal_unsynced && now - d->last_sync >= 1)
		journal_sync(d);
}

static void on_power_off(struct sim_tpm *s)
{
	save_state(s->owner, 1);
}

/* ---- sockets ------------------------------------------------------------------------------ */

/* A client connection with a small input buffer: one recv() usually brings a whole frame,
 * so a command costs poll + recv + send instead of a recv per protocol field. */
struct conn {
	int fd;
	size_t off, len;             /* unread bytes are buf[off..len) */
	uint8_t buf[8192];
};

static void quick_ack(int fd)
{
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

/* recv() what is already there; if nothing is, we are about to wait for the rest of a frame.
 * tpm2-tss's mssim TCTI writes a frame's header and body separately with Nagle on, so the body
 * waits for our ACK of the header: ACK at once (TCP_QUICKACK, which does not stick: armed per
 * wait) instead of after the ~40 ms delayed-ACK timer.  A frame that has already arrived, the
 * usual case after poll(), costs no setsockopt. */
static ssize_t recv_or_wait(int fd, void *buf, size_t len)
{
	ssize_t r = recv(fd, buf, len, MSG_DONTWAIT);
	if (r >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		return r;
	quick_ack(fd);
	return recv(fd, buf, len, 0);
}

static int conn_read_full(void *ctx, void *dst, size_t n)
{
	struct conn *c = ctx;
	uint8_t *out = dst;
	size_t avail = c->len - c->off;

	if (avail >= n) {
		memcpy(out, c->buf + c->off, n);
		c->off += n;
		return 0;
	}
	memcpy(out, c->buf + c->off, avail);
	out += avail;
	n -= avail;
	c->off = c->len = 0;
	while (n >= sizeof c->buf) {     /* big frames bypass the buffer */
		ssize_t r = recv_or_wait(c->fd, out, n);
		if (r <= 0)
			return -1;   /* EOF, error, SO_RCVTIMEO expiry or a signal: drop the client */
		out += r;
		n -= (size_t)r;
	}
	while (c->len < n) {
		ssize_t r = recv_or_wait(c->fd, c->buf + c->len, sizeof c->buf - c->len);
		if (r <= 0)
			return -1;
		c->len += (size_t)r;
	}
	memcpy(out, c->buf, n);
	c->off = n;
	return 0;
}

static int conn_write_full(void *ctx, const void *buf, size_t len)
{
	struct conn *c = ctx;
	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int listen_on(struct daemon *d, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (inet_pton(AF_INET, d->opt.bind_addr, &sa.sin_addr) != 1) {
		log_msg(d, "bad --bind address %s", d->opt.bind_addr);
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 16) != 0) {
		log_msg(d, "cannot listen on %s:%d: %s", d->opt.bind_addr, port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int accept_client(struct daemon *d, int lfd)
{
	struct timeval tv = { d->opt.io_timeout_ms / 1000, (d->opt.io_timeout_ms % 1000) * 1000 };
	int one = 1, fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
			usleep(100 * 1000);     /* out of resources: do not spin on a ready listener */
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

typedef int (*frame_fn)(struct sim_tpm *, const struct sim_io *);

struct port {
	int listen_fd;
	struct conn conn;            /* conn.fd < 0: no client */
	frame_fn serve;
};

static void drop_client(struct port *p)
{
	close(p->conn.fd);
	p->conn.fd = -1;
	p->conn.off = p->conn.len = 0;
}

/* One poll round: accept where a slot is free, serve one frame where data is waiting. */
static int serve_round(struct daemon *d, struct port *ports, int nports)
{
	struct pollfd pf[4];
	int i, r, buffered = 0;

	for (i = 0; i < nports; i++) {
		struct conn *c = &ports[i].conn;
		/* A busy port does not poll its listener: new clients queue in the backlog. */
		pf[i].fd = c->fd >= 0 ? c->fd : ports[i].listen_fd;
		pf[i].events = POLLIN;
		pf[i].revents = 0;
		buffered |= c->fd >= 0 && c->off < c->len;   /* pipelined frames already read */
	}
	/* Idle for 100 ms with journal records not yet on the disk: sync them now. */
	r = poll(pf, (nfds_t)nports, buffered ? 0 : d->journal_unsynced ? 100 : 1000);
	if (r == 0 && d->journal_unsynced)
		journal_sync(d);
	if (r < 0)
		return errno == EINTR ? SIM_CONTINUE : SIM_TERMINATE;
	for (i = 0; i < nports && !stop_requested; i++) {
		struct port *p = &ports[i];
		int ready = p->conn.fd >= 0 && p->conn.off < p->conn.len;
		if (!ready && !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (p->conn.fd < 0) {
			p->conn.fd = accept_client(d, p->listen_fd);
			continue;
		}
		struct sim_io io = { conn_read_full, conn_write_full, &p->conn };
		r = p->serve(&d->sim, &io);
		if (r != SIM_CONTINUE)
			drop_client(p);
		if (r == SIM_TERMINATE)
			return SIM_TERMINATE;
	}
	return SIM_CONTINUE;
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;      /* no SA_RESTART: blocking calls return EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* TPM2_Startup(TPM_SU_CLEAR), as swtpm's --flags startup-clear. */
static void startup_clear(struct daemon *d)
{
	static const uint8_t cmd[12] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0 };
	uint8_t rsp[TPM2_MAX_RESPONSE_SIZE];
	size_t n = sim_execute(&d->sim, 0, cmd, sizeof cmd, rsp, sizeof rsp);
	uint32_t rc = n >= 10 ? be32(rsp + 6) : 0xffffffffu;
	if (rc != 0)
		log_msg(d, "Startup(CLEAR) answered 0x%x", rc);
}

static void usage(FILE *f)
{
	fputs(
"usage: anchor-tpmd [options]\n"
"Serves one Anchor TPM 2.0 engine instance over TCP (one client per port at a time;\n"
"further clients queue until it hangs up).\n"
"\n"
"  --protocol mssim|swtpm  wire protocol (default mssim)\n"
"  --port P                mssim: TPM command port P, platform port P+1 (default 2321)\n"
"                          swtpm: TPM data port P\n"
"  --ctrl-port C           swtpm: control port (default P+1)\n"
"  --bind ADDR             IPv4 address to listen on (default 127.0.0.1)\n"
"  --state DIR             state directory (default ./anchor-tpmd-state); the TPM is\n"
"                          manufactured there on first start, loaded on later starts;\n"
"                          DIR/state-key (0600, made on first start) authenticates it\n"
"  --fresh                 manufacture a new TPM even if DIR holds one (overwrites it)\n"
"  --startup-clear         send TPM2_Startup(CLEAR) after power-on, like swtpm's flag\n"
"  --record DIR            write every command received to DIR/cmd-*.bin (locality byte,\n"
"                          then the command): a seed corpus for the fuzzers\n"
"  --io-timeout MS         drop a client that stalls mid-frame for MS ms (default 10000)\n"
"  --fsync                 fdatasync the state journal before every response that changed\n"
"                          the state (survives power loss; default: survives a killed\n"
"                          daemon at any point, synced within ~1 s)\n"
"  --compact-at BYTES      journal size after which the state is rewritten as the base\n"
"                          and the journal emptied (default 1048576, at most 64 MiB)\n"
"  --quiet                 no log lines on stderr\n"
"  --help                  this text\n"
"\n"
"The TPM powers on at start (mssim POWER_ON and swtpm CMD_INIT re-run _TPM_Init).\n"
"SIGTERM/SIGINT save the state and exit 0.\n", f);
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "protocol", required_argument, NULL, 'P' }, { "port", required_argument, NULL, 'p' },
		{ "ctrl-port", required_argument, NULL, 'c' }, { "bind", required_argument, NULL, 'b' },
		{ "state", required_argument, NULL, 's' }, { "fresh", no_argument, NULL, 'f' },
		{ "startup-clear", no_argument, NULL, 'S' }, { "record", required_argument, NULL, 'r' },
		{ "io-timeout", required_argument, NULL, 't' }, { "quiet", no_argument, NULL, 'q' },
		{ "fsync", no_argument, NULL, 'y' }, { "compact-at", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int c;
	*o = (struct options){ .state_dir = "anchor-tpmd-state", .bind_addr = "127.0.0.1",
	                       .port = 2321, .ctrl_port = -1, .io_timeout_ms = 10000,
	                       .compact_at = JOURNAL_COMPACT_AT };
	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		switch (c) {
		case 'P':
			if (strcmp(optarg, "mssim") == 0)
				o->protocol_swtpm = 0;
			else if (strcmp(optarg, "swtpm") == 0)
				o->protocol_swtpm = 1;
			else
				return -1;
			break;
		case 'p': o->port = atoi(optarg); break;
		case 'c': o->ctrl_port = atoi(optarg); break;
		case 'b': o->bind_addr = optarg; break;
		case 's': o->state_dir = optarg; break;
		case 'f': o->fresh = 1; break;
		case 'S': o->startup_clear = 1; break;
		case 'r': o->record_dir = optarg; break;
		case 't': o->io_timeout_ms = atoi(optarg); break;
		case 'q': o->quiet = 1; break;
		case 'y': o->fsync_each = 1; break;
		case 'C': o->compact_at = (size_t)strtoul(optarg, NULL, 0); break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (optind != argc || o->port <= 0 || o->port > 65534 || o->io_timeout_ms <= 0 ||
	    o->compact_at == 0 || o->compact_at > (64u << 20))
		return -1;
	if (o->ctrl_port < 0)
		o->ctrl_port = o->port + 1;
	return o->ctrl_port > 0 && o->ctrl_port <= 65535 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static struct daemon d;
	static struct port ports[2];
	int i;

	if (parse_options(argc, argv, &d.opt) != 0) {
		usage(stderr);
		return 2;
	}
	install_signals();
	sim_tpm_init(&d.sim, &the_tpm, &host_platform);
	d.sim.owner = &d;
	d.sim.after_command = after_command;
	d.sim.on_power_off = on_power_off;
	if (d.opt.record_dir)
		(void)mkdir(d.opt.record_dir, 0700);
	if (open_state(&d) != 0)
		return 1;

	ports[0].listen_fd = listen_on(&d, d.opt.port);
	ports[0].serve = d.opt.protocol_swtpm ? sim_swtpm_data_frame : sim_mssim_command_frame;
	ports[1].listen_fd = listen_on(&d, d.opt.ctrl_port);
	ports[1].serve = d.opt.protocol_swtpm ? sim_swtpm_ctrl_frame : sim_mssim_platform_frame;
	ports[0].conn.fd = ports[1].conn.fd = -1;
	if (ports[0].listen_fd < 0 || ports[1].listen_fd < 0)
		return 1;

	sim_power_on(&d.sim, 0);
	if (d.opt.startup_clear)
		startup_clear(&d);
	d.last_check = time(NULL);
	log_msg(&d, "serving %s on %s:%d/%d (%zu-byte engine instance), pid %d",
	        d.opt.protocol_swtpm ? "swtpm" : "mssim", d.opt.bind_addr, d.opt.port,
	        d.opt.ctrl_port, tpm2_instance_size(), (int)getpid());

	while (!stop_requested && serve_round(&d, ports, 2) == SIM_CONTINUE)
		;
	for (i = 0; i < 2; i++) {
		if (ports[i].conn.fd >= 0)
			drop_client(&ports[i]);
		close(ports[i].listen_fd);
	}
	save_state(&d, 1);
	log_msg(&d, "state saved, exiting");
	return 0;
}
