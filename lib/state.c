/*
 * state.c - opening the state file, its migrations, and the helpers the
 * other state_*.c files share.
 *
 * The file is checked before SQLite may write to it: a file that is not
 * ours, or is newer than this binary, or is not a database at all, must
 * survive byte for byte, because it may hold the only copy of a backup.
 * So state_open reads the 100-byte header itself (magic, application_id,
 * user_version, page count) and only then lets SQLite open it, without
 * SQLITE_OPEN_CREATE: this module creates a missing file itself with
 * O_EXCL and mode 0600, and SQLite gives its -wal and -shm files the same
 * mode.  PRAGMA integrity_check is not run on open: it reads every page,
 * snapshots included; a damaged page is reported when a query meets it.
 *
 * The live cache is in state_live.c, the journal, records and lock in
 * state_journal.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migrations.h"
#include "state_int.h"

#define BUSY_TIMEOUT_MS 5000

/* ------------------------------------------------------------------ */
/* Helpers shared with state_journal.c and snapshot.c                  */

int
state_sqlerr(struct state *st, struct err *err, const char *what)
{
	int code = sqlite3_extended_errcode(st->db) & 0xff;
	enum err_code ec = ERR_IO;

	if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
		ec = ERR_STATEFILE;
	else if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		ec = ERR_LOCKED;
	else if (code == SQLITE_NOMEM)
		ec = ERR_NOMEM;
	if (ec == ERR_STATEFILE)
		return err_set(err, ec, "state file '%s' is corrupt: %s: %s",
		    st->path, what, sqlite3_errmsg(st->db));
	return err_set(err, ec, "state file '%s': %s: %s", st->path, what,
	    sqlite3_errmsg(st->db));
}

int
state_prepare(
    struct state *st, sqlite3_stmt **stmt, const char *sql, struct err *err)
{
	*stmt = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK) {
		sqlite3_finalize(*stmt);
		*stmt = NULL;
		return state_sqlerr(st, err, "preparing a query");
	}
	return 0;
}

int
state_exec(struct state *st, const char *sql, struct err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		sqlite3_free(msg);
		return state_sqlerr(st, err, "writing");
	}
	return 0;
}

int
state_begin(struct state *st, struct err *err)
{
	return state_exec(st, "BEGIN IMMEDIATE", err);
}

int
state_commit(struct state *st, struct err *err)
{
	return state_exec(st, "COMMIT", err);
}

void
state_rollback(struct state *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int
state_durable(struct state *st, int on, struct err *err)
{
	return state_exec(st,
	    on ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", err);
}

int
state_bump_revision(struct state *st, struct err *err)
{
	return state_exec(
	    st, "UPDATE revision SET value = value + 1 WHERE id = 1", err);
}

int
state_coldup(sqlite3_stmt *stmt, int i, char **out)
{
	const unsigned char *s = sqlite3_column_text(stmt, i);

	*out = NULL;
	if (s == NULL)
		return 0;
	*out = strdup((const char *)s);
	return *out == NULL ? -1 : 0;
}

int
state_bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(stmt, i);
	return sqlite3_bind_text(stmt, i, s, -1, SQLITE_TRANSIENT);
}

int64_t
state_now(void)
{
	return (int64_t)time(NULL);
}

int
state_random_hex(char *hex, size_t n, struct err *err)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char raw[32];
	size_t i;

	if (n > sizeof(raw) || getentropy(raw, n) != 0)
		return err_errno(err, "cannot get random bytes");
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 15];
	}
	hex[2 * n] = '\0';
	return 0;
}

int
state_strcmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* ------------------------------------------------------------------ */
/* Opening                                                             */

int
state_schema_version(void)
{
	int i, v = 0;

	for (i = 0; state_migrations[i].version != 0; i++)
		v = state_migrations[i].version;
	return v;
}

int
state_default_path(struct buf *out, const char *config_path, struct err *err)
{
	const char *slash = strrchr(config_path, '/');

	if (slash != NULL)
		buf_add(out, config_path, (size_t)(slash - config_path) + 1);
	buf_addstr(out, ".standby/state.db");
	return buf_check(out, err, "building the state file's path");
}

const char *
state_path(const struct state *st)
{
	return st->path;
}

struct sqlite3 *
state_db(struct state *st)
{
	return st->db;
}

/* Creates dir and its missing parents, each 0700. */
static int
mkdir_parents(const char *dir, struct err *err)
{
	char *p = strdup(dir), *s;
	int rc = -1;

	if (p == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	for (s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			err_errno(err, p);
			err_wrap(err, "cannot create the state directory");
			goto out;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	rc = 0;
out:
	free(p);
	return rc;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int
refuse_ids(const char *path, uint32_t app_id, uint32_t version, struct err *err)
{
	if (app_id != 0 && app_id != STATE_APPLICATION_ID)
		return err_set(err, ERR_STATEFILE,
		    "state file '%s' is not a standby state file "
		    "(application_id 0x%08x, want 0x%08x)",
		    path, (unsigned)app_id, (unsigned)STATE_APPLICATION_ID);
	if (app_id == STATE_APPLICATION_ID &&
	    version > (uint32_t)state_schema_version())
		return err_set(err, ERR_STATEFILE,
		    "state file '%s' was written by a newer standby (schema "
		    "%u, this binary knows %d)",
		    path, (unsigned)version, state_schema_version());
	return 0;
}

/* Reads the database header without SQLite, so that nothing can write to
 * a file we are going to refuse. */
static int
check_header(const char *path, struct err *err)
{
	unsigned char hdr[100];
	struct stat sb;
	uint32_t page_size, pages;
	ssize_t n;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		err_errno(err, path);
		return err_wrap(err, "cannot open state file");
	}
	if (fstat(fd, &sb) != 0) {
		err_errno(err, path);
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		err_set(err, ERR_STATEFILE,
		    "state file '%s' is not a regular file", path);
		goto out;
	}
	if (sb.st_size == 0) {
		rc = 0; /* a new file: we created it, or will initialise it */
		goto out;
	}
	n = pread(fd, hdr, sizeof(hdr), 0);
	if (n < 0) {
		err_errno(err, path);
		goto out;
	}
	if (n < (ssize_t)sizeof(hdr) ||
	    memcmp(hdr, "SQLite format 3", 16) != 0) {
		err_set(err, ERR_STATEFILE,
		    "state file '%s' is corrupt: not an SQLite database "
		    "(bad header); move it away and run 'standby refresh'",
		    path);
		goto out;
	}
	if (refuse_ids(path, be32(hdr + 68), be32(hdr + 60), err) != 0)
		goto out;
	/* The page count is valid when the two change counters agree. */
	page_size = (uint32_t)hdr[16] << 8 | hdr[17];
	if (page_size == 1)
		page_size = 65536;
	pages = be32(hdr + 28);
	if (be32(hdr + 24) == be32(hdr + 92) &&
	    (uint64_t)sb.st_size < (uint64_t)pages * page_size) {
		err_set(err, ERR_STATEFILE,
		    "state file '%s' is corrupt: truncated (%lld bytes, the "
		    "header says %llu)",
		    path, (long long)sb.st_size,
		    (unsigned long long)pages * page_size);
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

static int
pragma_int(struct state *st, const char *sql, int64_t *v, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (state_prepare(st, &stmt, sql, err) != 0)
		return -1;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		state_sqlerr(st, err, "reading the header");
		goto out;
	}
	*v = sqlite3_column_int64(stmt, 0);
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

static int
migrate(struct state *st, struct err *err)
{
	const struct migration *m;
	char sql[128];
	int64_t v;

	for (m = state_migrations; m->version != 0; m++) {
		if (state_begin(st, err) != 0)
			return -1;
		/* Another process may have migrated since we looked. */
		if (pragma_int(st, "PRAGMA user_version", &v, err) != 0)
			goto fail;
		if (v >= m->version) {
			state_rollback(st);
			continue;
		}
		snprintf(sql, sizeof(sql),
		    "PRAGMA application_id = %d; PRAGMA user_version = %d",
		    (int)STATE_APPLICATION_ID, m->version);
		if (state_exec(st, m->sql, err) != 0 ||
		    state_exec(st, sql, err) != 0 || state_commit(st, err) != 0)
			goto fail;
	}
	return 0;
fail:
	state_rollback(st);
	return err_wrap(
	    err, "migrating to schema %d (%s)", m->version, m->name);
}

/* Checks what SQLite sees (which includes the WAL) and prepares the
 * connection. */
static int
check_and_prepare(struct state *st, struct err *err)
{
	int64_t app_id, version, tables;
	sqlite3_stmt *stmt = NULL;
	const char *mode;
	int rc = -1;

	if (pragma_int(st, "PRAGMA application_id", &app_id, err) != 0 ||
	    pragma_int(st, "PRAGMA user_version", &version, err) != 0 ||
	    pragma_int(
	        st, "SELECT count(*) FROM sqlite_master", &tables, err) != 0)
		goto out;
	if (refuse_ids(st->path, (uint32_t)app_id, (uint32_t)version, err) != 0)
		goto out;
	if (app_id == 0 && (tables > 0 || version != 0)) {
		err_set(err, ERR_STATEFILE,
		    "state file '%s' is not a standby state file (a database "
		    "without standby's application_id)",
		    st->path);
		goto out;
	}
	if (state_prepare(st, &stmt, "PRAGMA journal_mode=WAL", err) != 0)
		goto out;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		state_sqlerr(st, err, "setting WAL mode");
		goto out;
	}
	mode = (const char *)sqlite3_column_text(stmt, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		err_set(err, ERR_IO, "state file '%s': cannot use WAL mode",
		    st->path);
		goto out;
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (state_exec(st, "PRAGMA foreign_keys=ON", err) != 0 ||
	    state_durable(st, 0, err) != 0 || migrate(st, err) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

static int
create_file(const char *path, struct err *err)
{
	int fd;

	fd = open(
	    path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return 0; /* another process was faster */
		err_errno(err, path);
		return err_wrap(err, "cannot create state file");
	}
	/* 0600 whatever the umask. */
	if (fchmod(fd, 0600) != 0) {
		err_errno(err, path);
		close(fd);
		return err_wrap(err, "cannot create state file");
	}
	close(fd);
	return 0;
}

int
state_open(struct state **out, const char *path, int flags, struct err *err)
{
	struct state *st = NULL;
	struct stat sb;
	char *slash;
	int rc = -1;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (st == NULL || (st->path = strdup(path)) == NULL ||
	    (st->dir = strdup(path)) == NULL) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	slash = strrchr(st->dir, '/');
	if (slash == NULL)
		strcpy(st->dir, ".");
	else if (slash == st->dir)
		slash[1] = '\0';
	else
		*slash = '\0';

	if (stat(path, &sb) != 0) {
		if (errno != ENOENT) {
			err_errno(err, path);
			err_wrap(err, "cannot open state file");
			goto out;
		}
		if (!(flags & STATE_OPEN_CREATE)) {
			err_set(err, ERR_NOTFOUND, "no state file '%s'", path);
			goto out;
		}
		if (mkdir_parents(st->dir, err) != 0 ||
		    create_file(path, err) != 0)
			goto out;
	}
	if (check_header(path, err) != 0)
		goto out;
	if (sqlite3_open_v2(path, &st->db,
	        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW,
	        NULL) != SQLITE_OK) {
		if (st->db == NULL) {
			err_set(err, ERR_NOMEM, "out of memory");
			goto out;
		}
		state_sqlerr(st, err, "opening");
		goto out;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	if (check_and_prepare(st, err) != 0)
		goto out;
	*out = st;
	st = NULL;
	rc = 0;
out:
	state_close(st);
	return rc;
}

void
state_close(struct state *st)
{
	if (st == NULL)
		return;
	if (st->db != NULL) {
		if (st->lock_id[0] != '\0')
			state_lock_release(st, NULL);
		sqlite3_close(st->db);
	}
	free(st->path);
	free(st->dir);
	free(st);
}

int
state_revision(struct state *st, int64_t *rev, struct err *err)
{
	return pragma_int(
	    st, "SELECT value FROM revision WHERE id = 1", rev, err);
}
