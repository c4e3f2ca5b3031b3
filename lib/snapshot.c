/*
 * snapshot.c - content-addressed, deflated exports kept in the state file.
 *
 * The writer never holds an export in memory: each chunk is hashed
 * (SHA-256) and deflated into an unlinked temporary file beside the state
 * file, and only at the end, when the hash is known, is the deflated data
 * copied into a zeroblob with incremental blob I/O.  Spooling first is
 * what lets the row be keyed by the hash and a duplicate be dropped
 * without a write.  The reader inflates blob chunks the same way, and
 * checks the hash at the end, so a damaged backup is never taken for a
 * good one.
 */

#include <openssl/evp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "snapshot.h"
#include "state_int.h"

#define CHUNK (64 * 1024)

/* The next value of seen_seq (003_backup.sql). */
#define NEXT_SEQ "(SELECT coalesce(max(seen_seq), 0) + 1 FROM snapshots)"

struct snapshot_writer {
	struct state *st;
	struct snapshot_meta meta;
	EVP_MD_CTX *md;
	z_stream z;
	int z_ready;
	int fd;
	int64_t size, stored;
	unsigned char out[CHUNK];
};

static int
nomem(struct err *err)
{
	return err_set(err, ERR_NOMEM, "out of memory");
}

static int
dupstr(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	*dst = strdup(src);
	return *dst == NULL ? -1 : 0;
}

static int
copy_meta(struct snapshot_meta *dst, const struct snapshot_meta *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->duration_ms = src->duration_ms;
	if (dupstr(&dst->project, src->project) != 0 ||
	    dupstr(&dst->kind, src->kind) != 0 ||
	    dupstr(&dst->source_resource, src->source_resource) != 0 ||
	    dupstr(&dst->source_modified, src->source_modified) != 0) {
		snapshot_meta_release(dst);
		return -1;
	}
	return 0;
}

void
snapshot_meta_release(struct snapshot_meta *m)
{
	if (m == NULL)
		return;
	free(m->project);
	free(m->kind);
	free(m->source_resource);
	free(m->source_modified);
	memset(m, 0, sizeof(*m));
}

void
snapshot_list_release(struct snapshot_list *list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < list->n; i++)
		snapshot_meta_release(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

void
snapshot_writer_free(struct snapshot_writer *w)
{
	if (w == NULL)
		return;
	if (w->z_ready)
		deflateEnd(&w->z);
	EVP_MD_CTX_free(w->md);
	if (w->fd >= 0)
		close(w->fd);
	snapshot_meta_release(&w->meta);
	free(w);
}

int
snapshot_writer_new(struct snapshot_writer **out, struct state *st,
    const struct snapshot_meta *meta, struct err *err)
{
	struct snapshot_writer *w = NULL;
	struct buf tmp = { 0 };
	int rc = -1;

	*out = NULL;
	if (meta->project == NULL)
		return err_set(err, ERR_SPEC, "a snapshot needs a project");
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return nomem(err);
	w->fd = -1;
	w->st = st;
	if (copy_meta(&w->meta, meta) != 0) {
		nomem(err);
		goto out;
	}
	w->md = EVP_MD_CTX_new();
	if (w->md == NULL ||
	    EVP_DigestInit_ex(w->md, EVP_sha256(), NULL) != 1) {
		err_set(err, ERR_NOMEM, "cannot start a SHA-256 digest");
		goto out;
	}
	if (deflateInit(&w->z, Z_DEFAULT_COMPRESSION) != Z_OK) {
		err_set(err, ERR_NOMEM, "cannot start deflate");
		goto out;
	}
	w->z_ready = 1;
	buf_addf(&tmp, "%s/.snapshot-XXXXXX", st->dir);
	if (buf_check(&tmp, err, "building a temporary file name") != 0)
		goto out;
	/* mkstemp creates it 0600; unlinked at once, it cannot be left
	 * behind by a crash. */
	w->fd = mkstemp(tmp.data);
	if (w->fd < 0) {
		err_errno(err, tmp.data);
		err_wrap(err, "cannot create a temporary file for a snapshot");
		goto out;
	}
	unlink(tmp.data);
	*out = w;
	w = NULL;
	rc = 0;
out:
	buf_release(&tmp);
	snapshot_writer_free(w);
	return rc;
}

static int
write_all(int fd, const unsigned char *p, size_t n, struct err *err)
{
	ssize_t k;

	while (n > 0) {
		k = write(fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			err_errno(err, "writing a snapshot's temporary file");
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Deflates what is in w->z (flush: Z_NO_FLUSH or Z_FINISH) to the file. */
static int
pump(struct snapshot_writer *w, int flush, struct err *err)
{
	size_t have;
	int zr;

	do {
		w->z.next_out = w->out;
		w->z.avail_out = sizeof(w->out);
		zr = deflate(&w->z, flush);
		if (zr == Z_STREAM_ERROR)
			return err_set(err, ERR_IO, "deflate failed");
		have = sizeof(w->out) - w->z.avail_out;
		if (write_all(w->fd, w->out, have, err) != 0)
			return -1;
		w->stored += (int64_t)have;
	} while (
	    w->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

int
snapshot_writer_write(
    struct snapshot_writer *w, const void *p, size_t n, struct err *err)
{
	const unsigned char *s = p;
	size_t k;

	if (EVP_DigestUpdate(w->md, p, n) != 1)
		return err_set(err, ERR_IO, "SHA-256 failed");
	w->size += (int64_t)n;
	/* avail_in is a uInt: feed at most CHUNK at a time. */
	while (n > 0) {
		k = n > CHUNK ? CHUNK : n;
		w->z.next_in = (unsigned char *)s;
		w->z.avail_in = (uInt)k;
		if (pump(w, Z_NO_FLUSH, err) != 0)
			return -1;
		s += k;
		n -= k;
	}
	return 0;
}

static void
tohex(char *hex, const unsigned char *raw, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 15];
	}
	hex[2 * n] = '\0';
}

static int
exists(struct state *st, const char *hash, int *found, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int step;

	if (state_prepare(
	        st, &stmt, "SELECT 1 FROM snapshots WHERE hash = ?1", err) != 0)
		return -1;
	state_bind_text(stmt, 1, hash);
	step = sqlite3_step(stmt);
	*found = step == SQLITE_ROW;
	sqlite3_finalize(stmt);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return state_sqlerr(st, err, "reading snapshots");
	return 0;
}

/* The same bytes were exported again: they are now the newest of their
 * project (003_backup.sql). */
static int
mark_seen(struct state *st, const char *hash, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = 0;

	if (state_prepare(st, &stmt,
	        "UPDATE snapshots SET seen_at = ?2, seen_seq = " NEXT_SEQ
	        " WHERE hash = ?1",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, hash);
	sqlite3_bind_int64(stmt, 2, state_now());
	if (sqlite3_step(stmt) != SQLITE_DONE)
		rc = state_sqlerr(st, err, "updating a snapshot");
	sqlite3_finalize(stmt);
	return rc;
}

/* Copies the spooled file into a new row, in one durable transaction. */
static int
store(struct snapshot_writer *w, const char *hash, struct err *err)
{
	struct state *st = w->st;
	sqlite3_stmt *stmt = NULL;
	sqlite3_blob *blob = NULL;
	int64_t off = 0;
	ssize_t k;
	int rc = -1;

	if (w->stored >= sqlite3_limit(st->db, SQLITE_LIMIT_LENGTH, -1))
		return err_set(err, ERR_IO,
		    "snapshot of '%s' is too large for the state file (%lld "
		    "bytes deflated)",
		    w->meta.project, (long long)w->stored);
	if (state_durable(st, 1, err) != 0)
		return -1;
	if (state_begin(st, err) != 0)
		goto out;
	if (state_prepare(st, &stmt,
	        "INSERT INTO snapshots (hash, project, kind, source_resource, "
	        "source_modified, taken_at, size, stored_size, duration_ms, "
	        "data, seen_at, seen_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
	        "?, ?6, " NEXT_SEQ ")",
	        err) != 0)
		goto out;
	state_bind_text(stmt, 1, hash);
	state_bind_text(stmt, 2, w->meta.project);
	state_bind_text(stmt, 3, w->meta.kind);
	state_bind_text(stmt, 4, w->meta.source_resource);
	state_bind_text(stmt, 5, w->meta.source_modified);
	sqlite3_bind_int64(stmt, 6, state_now());
	sqlite3_bind_int64(stmt, 7, w->size);
	sqlite3_bind_int64(stmt, 8, w->stored);
	sqlite3_bind_int64(stmt, 9, w->meta.duration_ms);
	sqlite3_bind_zeroblob64(stmt, 10, (sqlite3_uint64)w->stored);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		state_sqlerr(st, err, "storing a snapshot");
		goto out;
	}
	if (sqlite3_blob_open(st->db, "main", "snapshots", "data",
	        sqlite3_last_insert_rowid(st->db), 1, &blob) != SQLITE_OK) {
		state_sqlerr(st, err, "storing a snapshot");
		goto out;
	}
	if (lseek(w->fd, 0, SEEK_SET) != 0) {
		err_errno(err, "rewinding a snapshot's temporary file");
		goto out;
	}
	while (off < w->stored) {
		k = read(w->fd, w->out, sizeof(w->out));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k < 0)
				err_errno(err,
				    "reading a snapshot's temporary "
				    "file");
			else
				err_set(err, ERR_IO,
				    "a snapshot's temporary file is short");
			goto out;
		}
		if (sqlite3_blob_write(blob, w->out, (int)k, (int)off) !=
		    SQLITE_OK) {
			state_sqlerr(st, err, "storing a snapshot");
			goto out;
		}
		off += k;
	}
	if (sqlite3_blob_close(blob) != SQLITE_OK) {
		blob = NULL;
		state_sqlerr(st, err, "storing a snapshot");
		goto out;
	}
	blob = NULL;
	if (state_commit(st, err) != 0)
		goto out;
	rc = 0;
out:
	if (blob != NULL)
		sqlite3_blob_close(blob);
	sqlite3_finalize(stmt);
	state_rollback(st);
	state_durable(st, 0, NULL);
	return rc;
}

int
snapshot_writer_finish(struct snapshot_writer *w, char hash[SNAPSHOT_HASH_SIZE],
    int *created, struct err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int found = 0, rc = -1;

	hash[0] = '\0';
	if (created != NULL)
		*created = 0;
	w->z.next_in = NULL;
	w->z.avail_in = 0;
	if (pump(w, Z_FINISH, err) != 0)
		goto out;
	if (EVP_DigestFinal_ex(w->md, md, &mdlen) != 1 || mdlen != 32) {
		err_set(err, ERR_IO, "SHA-256 failed");
		goto out;
	}
	tohex(hash, md, mdlen);
	if (exists(w->st, hash, &found, err) != 0)
		goto out;
	if (!found) {
		if (store(w, hash, err) != 0)
			goto out;
		if (created != NULL)
			*created = 1;
	} else if (mark_seen(w->st, hash, err) != 0) {
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		hash[0] = '\0';
	snapshot_writer_free(w);
	return rc;
}

int
snapshot_put(struct state *st, const struct snapshot_meta *meta,
    const void *data, size_t len, char hash[SNAPSHOT_HASH_SIZE], int *created,
    struct err *err)
{
	struct snapshot_writer *w;

	hash[0] = '\0';
	if (snapshot_writer_new(&w, st, meta, err) != 0)
		return -1;
	if (snapshot_writer_write(w, data, len, err) != 0) {
		snapshot_writer_free(w);
		return -1;
	}
	return snapshot_writer_finish(w, hash, created, err);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

int
snapshot_read(struct state *st, const char *hash, snapshot_sink sink, void *arg,
    struct err *err)
{
	struct snapshot_reader *r = NULL;
	unsigned char *buf = NULL;
	size_t got;
	int rc = -1;

	if (snapshot_reader_open(&r, st, hash, err) != 0)
		return -1;
	if ((buf = malloc(CHUNK)) == NULL) {
		nomem(err);
		goto out;
	}
	do {
		if (snapshot_reader_read(r, buf, CHUNK, &got, err) != 0 ||
		    (got > 0 && sink(arg, buf, got, err) != 0))
			goto out;
	} while (got > 0);
	rc = 0;
out:
	free(buf);
	snapshot_reader_free(r);
	return rc;
}

static int
to_file(void *arg, const void *p, size_t n, struct err *err)
{
	if (fwrite(p, 1, n, arg) != n)
		return err_errno(err, "writing a snapshot");
	return 0;
}

int
snapshot_read_file(
    struct state *st, const char *hash, FILE *fp, struct err *err)
{
	return snapshot_read(st, hash, to_file, fp, err);
}

static int
to_buf(void *arg, const void *p, size_t n, struct err *err)
{
	return buf_add(arg, p, n) != 0
	    ? buf_check(arg, err, "loading a snapshot")
	    : 0;
}

int
snapshot_load(
    struct state *st, const char *hash, struct buf *out, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	size_t max = out->max ? out->max : (size_t)64 << 20, need;
	int64_t size = -1;
	char *p;

	/* Size the buffer from the recorded size, once: growing it by
	 * doubling copied the document over and over and left up to twice
	 * its size allocated. */
	if (state_prepare(st, &stmt,
	        "SELECT size FROM snapshots WHERE hash = ?1", err) != 0)
		return -1;
	state_bind_text(stmt, 1, hash);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		size = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	if (size > 0 && !out->failed && (uint64_t)size <= max - out->len &&
	    (need = out->len + (size_t)size + 1) > out->cap) {
		if ((p = realloc(out->data, need)) == NULL)
			return nomem(err);
		out->data = p;
		out->cap = need;
	}
	return snapshot_read(st, hash, to_buf, out, err);
}

/* ------------------------------------------------------------------ */
/* Streaming reader                                                    */

struct snapshot_reader {
	struct state *st;
	char hash[SNAPSHOT_HASH_SIZE];
	int64_t rowid, size, produced;
	int bytes, off; /* of the deflated blob */
	z_stream z;
	int z_ready, ended;
	EVP_MD_CTX *md;
	unsigned char in[CHUNK];
};

int
snapshot_reader_open(struct snapshot_reader **out, struct state *st,
    const char *hash, struct err *err)
{
	struct snapshot_reader *r = NULL;
	sqlite3_stmt *stmt = NULL;
	int step, rc = -1;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return nomem(err);
	r->st = st;
	snprintf(r->hash, sizeof(r->hash), "%s", hash);
	if (state_prepare(st, &stmt,
	        "SELECT rowid, size, length(data) FROM snapshots "
	        "WHERE hash = ?1",
	        err) != 0)
		goto out;
	state_bind_text(stmt, 1, hash);
	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE) {
		err_set(err, ERR_NOTFOUND, "no snapshot %s", hash);
		goto out;
	}
	if (step != SQLITE_ROW) {
		state_sqlerr(st, err, "reading snapshots");
		goto out;
	}
	r->rowid = sqlite3_column_int64(stmt, 0);
	r->size = sqlite3_column_int64(stmt, 1);
	r->bytes = sqlite3_column_int(stmt, 2);
	r->md = EVP_MD_CTX_new();
	if (r->md == NULL || inflateInit(&r->z) != Z_OK) {
		nomem(err);
		goto out;
	}
	r->z_ready = 1;
	if (snapshot_reader_rewind(r, err) != 0)
		goto out;
	*out = r;
	r = NULL;
	rc = 0;
out:
	sqlite3_finalize(stmt);
	snapshot_reader_free(r);
	return rc;
}

int64_t
snapshot_reader_size(const struct snapshot_reader *r)
{
	return r->size;
}

int
snapshot_reader_rewind(struct snapshot_reader *r, struct err *err)
{
	if (inflateReset(&r->z) != Z_OK ||
	    EVP_DigestInit_ex(r->md, EVP_sha256(), NULL) != 1)
		return err_set(
		    err, ERR_IO, "cannot restart reading snapshot %s", r->hash);
	r->z.next_in = r->in;
	r->z.avail_in = 0;
	r->off = 0;
	r->produced = 0;
	r->ended = 0;
	return 0;
}

static int
corrupt(struct snapshot_reader *r, const char *why, struct err *err)
{
	return err_set(err, ERR_STATEFILE,
	    "snapshot %s in state file '%s' is corrupt: %s", r->hash,
	    r->st->path, why);
}

/* Reads the next deflated chunk; the blob is opened for each, so that no
 * handle stays open while the event loop runs other work on the state
 * file. */
static int
refill(struct snapshot_reader *r, struct err *err)
{
	sqlite3_blob *blob = NULL;
	int k = r->bytes - r->off < CHUNK ? r->bytes - r->off : CHUNK;

	if (sqlite3_blob_open(r->st->db, "main", "snapshots", "data", r->rowid,
	        0, &blob) != SQLITE_OK ||
	    sqlite3_blob_bytes(blob) != r->bytes ||
	    sqlite3_blob_read(blob, r->in, k, r->off) != SQLITE_OK) {
		if (blob != NULL)
			sqlite3_blob_close(blob);
		return state_sqlerr(r->st, err, "reading a snapshot");
	}
	sqlite3_blob_close(blob);
	r->off += k;
	r->z.next_in = r->in;
	r->z.avail_in = (uInt)k;
	return 0;
}

/* Inflates into dst (up to cap bytes) and sets *n. */
static int
inflate_some(struct snapshot_reader *r, unsigned char *dst, size_t cap,
    size_t *n, struct err *err)
{
	int zr;

	r->z.next_out = dst;
	r->z.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
	cap = r->z.avail_out;
	while (r->z.avail_out > 0 && !r->ended) {
		if (r->z.avail_in == 0) {
			if (r->off >= r->bytes)
				return corrupt(r, "its data ends early", err);
			if (refill(r, err) != 0)
				return -1;
		}
		zr = inflate(&r->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END)
			r->ended = 1;
		else if (zr != Z_OK && zr != Z_BUF_ERROR)
			return corrupt(
			    r, r->z.msg ? r->z.msg : "inflate failed", err);
	}
	*n = cap - r->z.avail_out;
	return 0;
}

int
snapshot_reader_read(struct snapshot_reader *r, void *dst, size_t cap,
    size_t *got, struct err *err)
{
	unsigned char digest[EVP_MAX_MD_SIZE], extra[64];
	unsigned int mdlen = 0;
	char sum[SNAPSHOT_HASH_SIZE];
	size_t n = 0, more;

	*got = 0;
	if (cap == 0 || (r->ended && r->produced == r->size))
		return 0;
	if (inflate_some(r, dst, cap, &n, err) != 0)
		return -1;
	if ((uint64_t)n > (uint64_t)(r->size - r->produced))
		return corrupt(r, "it is longer than its recorded size", err);
	if (EVP_DigestUpdate(r->md, dst, n) != 1)
		return err_set(err, ERR_IO, "SHA-256 failed");
	r->produced += (int64_t)n;
	/* The last bytes are handed out only once the hash is checked: a
	 * consumer that stops at the recorded size never sees a damaged
	 * snapshot end well. */
	if (r->produced == r->size) {
		while (!r->ended) {
			if (inflate_some(r, extra, sizeof(extra), &more, err) !=
			    0)
				return -1;
			if (more > 0)
				return corrupt(r,
				    "it is longer than its recorded size", err);
		}
		if (EVP_DigestFinal_ex(r->md, digest, &mdlen) != 1)
			return err_set(err, ERR_IO, "SHA-256 failed");
		tohex(sum, digest, mdlen);
		if (strcmp(sum, r->hash) != 0)
			return corrupt(
			    r, "its content does not match its hash", err);
	} else if (r->ended) {
		return corrupt(r, "its data ends early", err);
	}
	*got = n;
	return 0;
}

static int
src_read(void *arg, char *dst, size_t cap, size_t *got, struct err *err)
{
	return snapshot_reader_read(arg, dst, cap, got, err);
}

static int
src_rewind(void *arg, struct err *err)
{
	return snapshot_reader_rewind(arg, err);
}

static void
src_release(void *arg)
{
	snapshot_reader_free(arg);
}

void
snapshot_reader_body(struct snapshot_reader *r, struct http_body_src *src)
{
	memset(src, 0, sizeof(*src));
	src->len = (size_t)r->size;
	src->read = src_read;
	src->rewind = src_rewind;
	src->release = src_release;
	src->arg = r;
}

void
snapshot_reader_free(struct snapshot_reader *r)
{
	if (r == NULL)
		return;
	if (r->z_ready)
		inflateEnd(&r->z);
	EVP_MD_CTX_free(r->md);
	free(r);
}

/* ------------------------------------------------------------------ */
/* Listing                                                             */

#define META_COLS                                                              \
	"hash, project, kind, source_resource, source_modified, taken_at, "    \
	"size, stored_size, duration_ms, coalesce(seen_at, taken_at)"

static int
read_meta(sqlite3_stmt *stmt, struct snapshot_meta *m)
{
	const unsigned char *h = sqlite3_column_text(stmt, 0);

	memset(m, 0, sizeof(*m));
	snprintf(m->hash, sizeof(m->hash), "%s", h ? (const char *)h : "");
	m->taken_at = sqlite3_column_int64(stmt, 5);
	m->size = sqlite3_column_int64(stmt, 6);
	m->stored_size = sqlite3_column_int64(stmt, 7);
	m->duration_ms = sqlite3_column_int64(stmt, 8);
	m->seen_at = sqlite3_column_int64(stmt, 9);
	if (state_coldup(stmt, 1, &m->project) != 0 ||
	    state_coldup(stmt, 2, &m->kind) != 0 ||
	    state_coldup(stmt, 3, &m->source_resource) != 0 ||
	    state_coldup(stmt, 4, &m->source_modified) != 0) {
		snapshot_meta_release(m);
		return -1;
	}
	return 0;
}

static int
push_meta(struct snapshot_list *list, sqlite3_stmt *stmt)
{
	struct snapshot_meta *v;

	v = realloc(list->v, (list->n + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	list->v = v;
	if (read_meta(stmt, &list->v[list->n]) != 0)
		return -1;
	list->n++;
	return 0;
}

int
snapshot_find(struct state *st, const char *prefix, struct snapshot_meta *out,
    struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	char lo[SNAPSHOT_HASH_SIZE];
	size_t i, n = strlen(prefix);
	int step, rows = 0, rc = -1;

	memset(out, 0, sizeof(*out));
	if (n < 4 || n > 64)
		return err_set(err, ERR_SPEC,
		    "'%s' is not a snapshot id (4 to 64 hex digits)", prefix);
	for (i = 0; i < n; i++) {
		char c = prefix[i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return err_set(err, ERR_SPEC,
			    "'%s' is not a snapshot id (4 to 64 hex digits)",
			    prefix);
		lo[i] = c;
	}
	lo[n] = '\0';
	/* Hex digits sort before 'g': [lo, lo || 'g') is the prefix. */
	if (state_prepare(st, &stmt,
	        "SELECT " META_COLS " FROM snapshots WHERE hash >= ?1 AND "
	        "hash < ?1 || 'g' ORDER BY hash LIMIT 2",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, lo);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (++rows == 2) {
			snapshot_meta_release(out);
			err_set(err, ERR_SPEC,
			    "snapshot id '%s' is ambiguous: give more digits",
			    prefix);
			goto out;
		}
		if (read_meta(stmt, out) != 0) {
			nomem(err);
			goto out;
		}
	}
	if (step != SQLITE_DONE) {
		snapshot_meta_release(out);
		state_sqlerr(st, err, "reading snapshots");
		goto out;
	}
	if (rows == 0) {
		err_set(err, ERR_NOTFOUND, "no snapshot '%s'", prefix);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

int
snapshot_list(struct state *st, const char *project, struct snapshot_list *out,
    struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int step, rc = -1;

	memset(out, 0, sizeof(*out));
	if (state_prepare(st, &stmt,
	        "SELECT " META_COLS " FROM snapshots WHERE ?1 IS NULL OR "
	        "project = ?1 ORDER BY seen_seq DESC, taken_at DESC, rowid "
	        "DESC",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, project);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
		if (push_meta(out, stmt) != 0) {
			nomem(err);
			goto out;
		}
	if (step != SQLITE_DONE) {
		state_sqlerr(st, err, "reading snapshots");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	if (rc != 0)
		snapshot_list_release(out);
	return rc;
}

int
snapshot_prune(struct state *st, const char *project, int keep,
    struct snapshot_list *pruned, struct err *err)
{
	sqlite3_stmt *sel = NULL, *del = NULL;
	int step, rc = -1;

	if (pruned != NULL)
		memset(pruned, 0, sizeof(*pruned));
	if (keep < 0)
		return err_set(err, ERR_SPEC, "cannot keep %d snapshots", keep);
	if (state_begin(st, err) != 0)
		return -1;
	/* Rank within each project, newest first; spare the referenced. */
	if (state_prepare(st, &sel,
	        "SELECT " META_COLS
	        " FROM (SELECT *, rowid AS rid, row_number() OVER "
	        "(PARTITION BY project ORDER BY seen_seq DESC, taken_at DESC, "
	        "rowid DESC) "
	        "AS rank FROM snapshots WHERE ?1 IS NULL OR project = ?1) "
	        "WHERE rank > ?2 AND hash NOT IN (SELECT snapshot FROM "
	        "replications WHERE snapshot IS NOT NULL) AND hash NOT IN "
	        "(SELECT snapshot FROM trained_models WHERE snapshot IS NOT "
	        "NULL) ORDER BY project, rank",
	        err) != 0 ||
	    state_prepare(
	        st, &del, "DELETE FROM snapshots WHERE hash = ?1", err) != 0)
		goto out;
	state_bind_text(sel, 1, project);
	sqlite3_bind_int(sel, 2, keep);
	while ((step = sqlite3_step(sel)) == SQLITE_ROW) {
		if (pruned != NULL && push_meta(pruned, sel) != 0) {
			nomem(err);
			goto out;
		}
		sqlite3_reset(del);
		state_bind_text(
		    del, 1, (const char *)sqlite3_column_text(sel, 0));
		if (sqlite3_step(del) != SQLITE_DONE) {
			state_sqlerr(st, err, "pruning snapshots");
			goto out;
		}
	}
	if (step != SQLITE_DONE) {
		state_sqlerr(st, err, "reading snapshots");
		goto out;
	}
	sqlite3_finalize(sel);
	sel = NULL;
	if (state_commit(st, err) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(del);
	state_rollback(st);
	if (rc != 0 && pruned != NULL)
		snapshot_list_release(pruned);
	return rc;
}
