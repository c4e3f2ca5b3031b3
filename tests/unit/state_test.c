/* state_test.c - the state file: opening and refusing, the live cache,
 * records, the journal and the lock. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "state.h"
#include "t.h"

#define S(s) ((char *)(s)) /* a literal for a char * field */

static char tmpdir[256];
static char path[512];

static void
fresh_dir(void)
{
	char cmd[600];

	if (tmpdir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s/state-test.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/.standby/state.db", tmpdir);
}

/* Reads a whole file into a malloc'd buffer. */
static char *
slurp(const char *p, size_t *len)
{
	FILE *fp = fopen(p, "rb");
	char *data = NULL;
	long n;

	*len = 0;
	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	data = malloc((size_t)n + 1);
	if (data != NULL && fread(data, 1, (size_t)n, fp) == (size_t)n)
		*len = (size_t)n;
	fclose(fp);
	return data;
}

static void
write_file(const char *p, const char *data, size_t n)
{
	FILE *fp = fopen(p, "wb");

	if (fp == NULL || fwrite(data, 1, n, fp) != n) {
		perror(p);
		exit(1);
	}
	fclose(fp);
}

/* Runs SQL on a file with plain SQLite (as another program would). */
static int
raw_sql(const char *p, const char *sql)
{
	sqlite3 *db = NULL;
	int rc;

	if (sqlite3_open(p, &db) != SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static int
same_file(const char *p, const char *data, size_t n)
{
	size_t len;
	char *now = slurp(p, &len);
	int same = now != NULL && len == n && memcmp(now, data, n) == 0;

	free(now);
	return same;
}

static struct state *
open_new(void)
{
	struct state *st = NULL;
	struct err err = { 0 };

	fresh_dir();
	if (state_open(&st, path, STATE_OPEN_CREATE, &err) != 0)
		fprintf(stderr, "# %s\n", err.msg);
	return st;
}

static void
test_new_file_is_0600_in_a_0700_directory(void)
{
	struct state *st;
	struct stat sb;
	char wal[600], dir[512];
	mode_t old = umask(0);

	st = open_new();
	umask(old);
	T_OK(st != NULL);
	T_OK(stat(path, &sb) == 0);
	T_EQ_INT(sb.st_mode & 0777, 0600);
	snprintf(dir, sizeof(dir), "%s/.standby", tmpdir);
	T_OK(stat(dir, &sb) == 0);
	T_EQ_INT(sb.st_mode & 0777, 0700);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	T_OK(stat(wal, &sb) == 0);
	T_EQ_INT(sb.st_mode & 0777, 0600);
	state_close(st);
}

static void
test_new_file_has_id_version_and_revision_zero(void)
{
	struct state *st = open_new();
	struct err err = { 0 };
	sqlite3_stmt *stmt = NULL;
	int64_t rev = -1;
	int app = 0, ver = 0;

	T_OK(st != NULL);
	T_OK(state_revision(st, &rev, &err) == 0);
	T_EQ_INT(rev, 0);
	sqlite3_prepare_v2(
	    state_db(st), "PRAGMA application_id", -1, &stmt, NULL);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		app = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_prepare_v2(
	    state_db(st), "PRAGMA user_version", -1, &stmt, NULL);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		ver = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	state_close(st);
	T_EQ_INT(app, STATE_APPLICATION_ID);
	T_EQ_INT(ver, state_schema_version());
	T_OK(state_schema_version() >= 1);
}

static void
test_reopen_keeps_what_was_written(void)
{
	struct state *st = open_new();
	struct state_replication rec = { 0 }, got = { 0 };
	struct err err = { 0 };
	int64_t rev = 0;

	T_OK(st != NULL);
	rec.replica_resource = S("west");
	rec.project = S("P");
	rec.snapshot = S("abc");
	T_OK(state_put_replication(st, &rec, &err) == 0);
	state_close(st);
	st = NULL;
	T_OK(state_open(&st, path, 0, &err) == 0);
	T_OK(state_revision(st, &rev, &err) == 0);
	T_EQ_INT(rev, 1);
	T_OK(state_get_replication(st, "west", "P", &got, &err) == 0);
	state_close(st);
	T_EQ_STR(got.snapshot, "abc");
	state_replication_release(&got);
}

static void
test_missing_file_without_create_is_notfound(void)
{
	struct state *st = NULL;
	struct err err = { 0 };
	struct stat sb;

	fresh_dir();
	T_EQ_INT(state_open(&st, path, 0, &err), -1);
	T_OK(st == NULL);
	T_EQ_INT(err.code, ERR_NOTFOUND);
	T_CONTAINS(err.msg, "no state file");
	T_OK(stat(path, &sb) != 0);
}

static void
test_corrupt_file_is_refused_and_unchanged(void)
{
	static const char junk[] = "this is not a database, it is a note\n";
	struct state *st = NULL;
	struct err err = { 0 };
	char dir[512];

	fresh_dir();
	snprintf(dir, sizeof(dir), "%s/.standby", tmpdir);
	mkdir(dir, 0700);
	write_file(path, junk, sizeof(junk) - 1);
	T_EQ_INT(state_open(&st, path, STATE_OPEN_CREATE, &err), -1);
	T_EQ_INT(err.code, ERR_STATEFILE);
	T_CONTAINS(err.msg, "is corrupt");
	T_CONTAINS(err.msg, path);
	T_OK(same_file(path, junk, sizeof(junk) - 1));
}

static void
test_truncated_file_is_refused_and_unchanged(void)
{
	struct state *st = open_new();
	struct err err = { 0 };
	char *data;
	size_t len;

	T_OK(st != NULL);
	state_close(st); /* checkpoints the WAL into the file */
	data = slurp(path, &len);
	T_OK(data != NULL && len > 8192);
	write_file(path, data, len / 2);
	T_EQ_INT(state_open(&st, path, 0, &err), -1);
	T_EQ_INT(err.code, ERR_STATEFILE);
	T_CONTAINS(err.msg, "is corrupt");
	T_OK(same_file(path, data, len / 2));
	free(data);
}

static void
test_foreign_database_is_refused_and_unchanged(void)
{
	struct state *st = NULL;
	struct err err = { 0 };
	char dir[512], *before;
	size_t len;

	fresh_dir();
	snprintf(dir, sizeof(dir), "%s/.standby", tmpdir);
	mkdir(dir, 0700);
	T_OK(raw_sql(path,
	         "PRAGMA application_id = 1234; "
	         "CREATE TABLE t (x); INSERT INTO t VALUES (1)") == 0);
	before = slurp(path, &len);
	T_OK(before != NULL);
	T_EQ_INT(state_open(&st, path, 0, &err), -1);
	T_EQ_INT(err.code, ERR_STATEFILE);
	T_CONTAINS(err.msg, "is not a standby state file");
	T_OK(same_file(path, before, len));
	free(before);
}

static void
test_database_without_application_id_is_foreign(void)
{
	struct state *st = NULL;
	struct err err = { 0 };
	char dir[512], *before;
	size_t len;

	fresh_dir();
	snprintf(dir, sizeof(dir), "%s/.standby", tmpdir);
	mkdir(dir, 0700);
	T_OK(raw_sql(path, "CREATE TABLE notes (x)") == 0);
	before = slurp(path, &len);
	T_EQ_INT(state_open(&st, path, 0, &err), -1);
	T_EQ_INT(err.code, ERR_STATEFILE);
	T_CONTAINS(err.msg, "is not a standby state file");
	T_OK(same_file(path, before, len));
	free(before);
}

static void
test_newer_file_is_refused_and_unchanged(void)
{
	struct state *st = open_new();
	struct err err = { 0 };
	char want[128], *before;
	size_t len;

	T_OK(st != NULL);
	state_close(st);
	T_OK(raw_sql(path,
	         "PRAGMA user_version = 99; "
	         "PRAGMA wal_checkpoint(TRUNCATE)") == 0);
	before = slurp(path, &len);
	st = NULL;
	T_EQ_INT(state_open(&st, path, 0, &err), -1);
	T_EQ_INT(err.code, ERR_STATEFILE);
	snprintf(want, sizeof(want),
	    "was written by a newer standby (schema 99, this binary knows %d)",
	    state_schema_version());
	T_CONTAINS(err.msg, want);
	T_OK(same_file(path, before, len));
	free(before);
}

static void
test_default_path_is_beside_the_config(void)
{
	struct buf b = { 0 };
	struct err err = { 0 };

	T_OK(state_default_path(&b, "standby.yaml", &err) == 0);
	T_EQ_STR(buf_str(&b), ".standby/state.db");
	buf_reset(&b);
	T_OK(state_default_path(&b, "ops/prod/sb.yaml", &err) == 0);
	T_EQ_STR(buf_str(&b), "ops/prod/.standby/state.db");
	buf_release(&b);
}

/* ------------------------------------------------------------------ */

static struct state_object
project(const char *name, const char *modified)
{
	struct state_object o = { .kind = STATE_PROJECT };

	o.name = (char *)name;
	o.project_kind = S("Conversation");
	o.language = S("en-us");
	o.last_modified = (char *)modified;
	return o;
}

static struct state_object
child(enum state_kind kind, const char *proj, const char *name,
    const char *model_id)
{
	struct state_object o = { .kind = kind };

	o.project = (char *)proj;
	o.name = (char *)name;
	o.model_id = (char *)model_id;
	return o;
}

static int
refresh(struct state *st, const char *res, const struct state_object *objs,
    size_t n, struct state_changes *changes)
{
	struct state_refresh *r = NULL;
	struct err err = { 0 };
	size_t i;

	if (state_refresh_begin(st, &r, res, &err) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (state_refresh_put(r, &objs[i], &err) != 0) {
			state_refresh_abort(r);
			return -1;
		}
	if (state_refresh_commit(r, changes, &err) != 0) {
		fprintf(stderr, "# %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int64_t
revision(struct state *st)
{
	int64_t rev = -1;

	state_revision(st, &rev, NULL);
	return rev;
}

static void
test_refresh_replaces_a_resource_and_lists_changes(void)
{
	struct state *st = open_new();
	struct state_object v1[3], v2[3];
	struct state_changes ch = { 0 };
	struct state_objects all = { 0 };
	struct state_object got = { 0 };
	struct err err = { 0 };

	T_OK(st != NULL);
	v1[0] = project("P", "2024-01-01T00:00:00Z");
	v1[1] = child(STATE_MODEL, "P", "v1", "v1-1");
	v1[2] = child(STATE_DEPLOYMENT, "P", "prod", "v1-1");
	T_OK(refresh(st, "east", v1, 3, &ch) == 0);
	T_EQ_INT(ch.n, 3);
	T_EQ_INT(ch.v[0].type, STATE_ADDED);
	T_EQ_INT(ch.v[0].kind, STATE_PROJECT);
	T_EQ_INT(ch.v[1].kind, STATE_MODEL);
	T_EQ_STR(ch.v[2].name, "prod");
	T_EQ_INT(revision(st), 1);
	state_changes_release(&ch);

	/* The same contents again: nothing changed, no new revision. */
	T_OK(refresh(st, "east", v1, 3, &ch) == 0);
	T_EQ_INT(ch.n, 0);
	T_EQ_INT(revision(st), 1);

	/* Another resource is independent. */
	T_OK(refresh(st, "west", v1, 1, &ch) == 0);
	T_EQ_INT(ch.n, 1);
	state_changes_release(&ch);

	v2[0] = project("P", "2024-02-02T00:00:00Z");
	v2[1] = v1[1];
	v2[2] = child(STATE_OPENAI_DEPLOYMENT, NULL, "gpt-4o", NULL);
	v2[2].json = S("{\"sku\":{\"capacity\":10}}");
	T_OK(refresh(st, "east", v2, 3, &ch) == 0);
	T_EQ_INT(ch.n, 3);
	T_EQ_INT(ch.v[0].type, STATE_MODIFIED);
	T_EQ_STR(ch.v[0].fields, "lastModifiedDateTime");
	T_EQ_INT(ch.v[1].type, STATE_REMOVED);
	T_EQ_INT(ch.v[1].kind, STATE_DEPLOYMENT);
	T_EQ_INT(ch.v[2].type, STATE_ADDED);
	T_EQ_INT(ch.v[2].kind, STATE_OPENAI_DEPLOYMENT);
	T_EQ_INT(revision(st), 3);
	state_changes_release(&ch);

	T_OK(state_list_objects(st, "east", 0, &all, &err) == 0);
	T_EQ_INT(all.n, 3);
	state_objects_release(&all);
	T_OK(state_list_objects(st, NULL, STATE_PROJECT, &all, &err) == 0);
	T_EQ_INT(all.n, 2);
	T_EQ_STR(all.v[0].resource, "east");
	T_EQ_STR(all.v[1].resource, "west");
	T_EQ_STR(all.v[1].last_modified, "2024-01-01T00:00:00Z");
	state_objects_release(&all);

	T_OK(state_get_object(
	         st, STATE_PROJECT, "east", NULL, "P", &got, &err) == 0);
	T_EQ_STR(got.last_modified, "2024-02-02T00:00:00Z");
	T_EQ_STR(got.project_kind, "Conversation");
	T_OK(got.refreshed_at > 0);
	state_object_release(&got);
	T_OK(state_get_object(st, STATE_OPENAI_DEPLOYMENT, "east", NULL,
	         "gpt-4o", &got, &err) == 0);
	T_CONTAINS(got.json, "capacity");
	state_object_release(&got);
	T_EQ_INT(state_get_object(
	             st, STATE_DEPLOYMENT, "east", "P", "prod", &got, &err),
	    -1);
	T_EQ_INT(err.code, ERR_NOTFOUND);
	T_CONTAINS(err.msg, "east/P/deployments/prod");
	state_close(st);
}

static void
test_refresh_put_twice_keeps_the_last(void)
{
	struct state *st = open_new();
	struct state_object v[2];
	struct state_object got = { 0 };
	struct err err = { 0 };

	T_OK(st != NULL);
	v[0] = project("P", "old");
	v[1] = project("P", "new");
	T_OK(refresh(st, "east", v, 2, NULL) == 0);
	T_OK(state_get_object(
	         st, STATE_PROJECT, "east", NULL, "P", &got, &err) == 0);
	T_EQ_STR(got.last_modified, "new");
	state_object_release(&got);
	state_close(st);
}

static void
test_refresh_abort_writes_nothing(void)
{
	struct state *st = open_new();
	struct state_refresh *r = NULL;
	struct state_object p = project("P", "x");
	struct state_objects all = { 0 };
	struct err err = { 0 };

	T_OK(st != NULL);
	T_OK(state_refresh_begin(st, &r, "east", &err) == 0);
	T_OK(state_refresh_put(r, &p, &err) == 0);
	state_refresh_abort(r);
	T_OK(state_list_objects(st, NULL, 0, &all, &err) == 0);
	T_EQ_INT(all.n, 0);
	T_EQ_INT(revision(st), 0);
	state_close(st);
}

static void
test_unreachable_resource_keeps_rows_and_is_stale(void)
{
	struct state *st = open_new();
	struct state_object p = project("P", "x");
	struct state_resource res = { 0 };
	struct state_objects all = { 0 };
	struct err err = { 0 };
	int64_t good;

	T_OK(st != NULL);
	T_OK(refresh(st, "east", &p, 1, NULL) == 0);
	T_OK(state_get_resource(st, "east", &res, &err) == 0);
	good = res.refreshed_at;
	T_OK(good > 0);
	T_EQ_INT(res.stale_since, 0);
	state_resource_release(&res);

	T_OK(state_mark_stale(st, "east", "connection refused", &err) == 0);
	T_EQ_INT(revision(st), 2);
	T_OK(state_mark_stale(st, "east", "timed out", &err) == 0);
	T_EQ_INT(revision(st), 2); /* still stale: not a new state */
	T_OK(state_get_resource(st, "east", &res, &err) == 0);
	T_EQ_INT(res.refreshed_at, good);
	T_OK(res.stale_since > 0);
	T_EQ_STR(res.stale_error, "timed out");
	state_resource_release(&res);
	T_OK(state_list_objects(st, "east", 0, &all, &err) == 0);
	T_EQ_INT(all.n, 1);
	state_objects_release(&all);

	/* A good read clears the mark; that is a new state. */
	T_OK(refresh(st, "east", &p, 1, NULL) == 0);
	T_EQ_INT(revision(st), 3);
	T_OK(state_get_resource(st, "east", &res, &err) == 0);
	T_EQ_INT(res.stale_since, 0);
	T_OK(res.stale_error == NULL);
	state_resource_release(&res);

	/* Never read at all: stale with no last good read. */
	T_OK(state_mark_stale(st, "north", "DNS", &err) == 0);
	T_OK(state_get_resource(st, "north", &res, &err) == 0);
	T_EQ_INT(res.refreshed_at, 0);
	state_resource_release(&res);
	state_close(st);
}

static void
test_addresses_round_trip(void)
{
	static const char *const addrs[] = {
		"east/P",
		"east/P/models/v1",
		"east/P/deployments/prod",
		"aoai/deployments/gpt-4o",
	};
	static const enum state_kind kinds[] = { STATE_PROJECT, STATE_MODEL,
		STATE_DEPLOYMENT, STATE_OPENAI_DEPLOYMENT };
	struct state_object o;
	struct buf b = { 0 };
	struct err err = { 0 };
	size_t i;

	for (i = 0; i < 4; i++) {
		T_OK(state_parse_address(&o, addrs[i], &err) == 0);
		T_EQ_INT(o.kind, kinds[i]);
		buf_reset(&b);
		state_object_address(&b, &o);
		state_object_release(&o);
		T_EQ_STR(buf_str(&b), addrs[i]);
	}
	buf_release(&b);
	T_EQ_INT(state_parse_address(&o, "east", &err), -1);
	T_EQ_INT(err.code, ERR_SPEC);
	T_EQ_INT(state_parse_address(&o, "east//x", &err), -1);
	T_EQ_INT(state_parse_address(&o, "a/b/c/d/e", &err), -1);
	T_EQ_INT(state_parse_address(&o, "a/P/widgets/x", &err), -1);
}

static void
test_replication_records_bump_the_revision(void)
{
	struct state *st = open_new();
	struct state_replication rec = { 0 };
	struct state_replications all = { 0 };
	struct state_trained tr = { 0 }, got = { 0 };
	struct err err = { 0 };

	T_OK(st != NULL);
	rec.replica_resource = S("west");
	rec.project = S("P");
	rec.source_resource = S("east");
	rec.snapshot = S("aa");
	rec.source_modified = S("2024-01-01T00:00:00Z");
	rec.replica_modified = S("2024-01-01T00:05:00Z");
	T_OK(state_put_replication(st, &rec, &err) == 0);
	rec.snapshot = S("bb");
	T_OK(state_put_replication(st, &rec, &err) == 0);
	T_EQ_INT(revision(st), 2);
	T_OK(state_list_replications(st, &all, &err) == 0);
	T_EQ_INT(all.n, 1);
	T_EQ_STR(all.v[0].snapshot, "bb");
	T_EQ_STR(all.v[0].replica_modified, "2024-01-01T00:05:00Z");
	T_OK(all.v[0].imported_at > 0);
	state_replications_release(&all);

	tr.replica_resource = S("west");
	tr.project = S("P");
	tr.label = S("v1");
	tr.snapshot = S("bb");
	T_OK(state_put_trained(st, &tr, &err) == 0);
	T_EQ_INT(revision(st), 3);
	T_OK(state_get_trained(st, "west", "P", "v1", &got, &err) == 0);
	T_EQ_STR(got.snapshot, "bb");
	state_trained_release(&got);
	T_EQ_INT(state_get_trained(st, "west", "P", "v2", &got, &err), -1);
	T_EQ_INT(err.code, ERR_NOTFOUND);
	T_EQ_INT(state_get_replication(st, "north", "P", &rec, &err), -1);
	T_EQ_INT(err.code, ERR_NOTFOUND);
	state_close(st);
}

/* All trained records in one query, sorted by their key in byte order
 * (what plan_cache_load's binary search expects). */
static void
test_list_trained_reads_every_record_sorted(void)
{
	static const char *const keys[][3] = {
		{ "west", "P", "v2" },
		{ "east", "Q", "v1" },
		{ "west", "P", "v1" },
		{ "West", "P", "v1" },
		{ "west", "P\xc3\xbc", "v1" },
	};
	static const char *const want[] = { "West/P/v1", "east/Q/v1",
		"west/P/v1", "west/P/v2", "west/P\xc3\xbc/v1" };
	struct state *st = open_new();
	struct state_trained tr = { 0 }, *all = (struct state_trained *)&tr;
	struct err err = { 0 };
	char got[64];
	size_t i, n = 99;

	T_OK(st != NULL);
	T_OK(state_list_trained(st, &all, &n, &err) == 0);
	T_OK(all == NULL);
	T_EQ_INT(n, 0);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		tr.replica_resource = (char *)keys[i][0];
		tr.project = (char *)keys[i][1];
		tr.label = (char *)keys[i][2];
		tr.snapshot = i == 1 ? NULL : (char *)"aa";
		T_OK(state_put_trained(st, &tr, &err) == 0);
	}
	T_OK(state_list_trained(st, &all, &n, &err) == 0);
	T_EQ_INT(n, 5);
	for (i = 0; i < n && i < 5; i++) {
		snprintf(got, sizeof(got), "%s/%s/%s", all[i].replica_resource,
		    all[i].project, all[i].label);
		T_EQ_STR(got, want[i]);
		T_OK(all[i].trained_at > 0);
	}
	T_OK(all[1].snapshot == NULL);
	T_EQ_STR(all[2].snapshot, "aa");
	for (i = 0; i < n; i++)
		state_trained_release(&all[i]);
	free(all);
	state_close(st);
}

static void
test_journal_lifecycle_and_resume(void)
{
	struct state *st = open_new();
	struct state_actions list = { 0 };
	char run1[STATE_RUN_ID_SIZE], run2[STATE_RUN_ID_SIZE];
	struct err err = { 0 };
	int64_t a, b, c;

	T_OK(st != NULL);
	T_OK(state_run_begin(st, "apply", 0, run1, &err) == 0);
	T_EQ_INT(strlen(run1), 25);
	T_OK(state_journal_intent(st, run1, "export:east/P", "export", "east/P",
	         NULL, &a, &err) == 0);
	T_OK(state_journal_intent(st, run1, "import:west/P", "import", "west/P",
	         "{\"snapshot\":\"aa\"}", &b, &err) == 0);
	T_OK(state_journal_intent(st, run1, "train:west/P", "train", "west/P",
	         NULL, &c, &err) == 0);
	T_OK(state_journal_submitted(st, a, "https://x/jobs/1", &err) == 0);
	T_OK(state_journal_finish(st, a, STATE_ACTION_SUCCEEDED, NULL, &err) ==
	    0);
	T_OK(state_journal_submitted(st, b, "https://x/jobs/2", &err) == 0);
	/* run1 is killed here: b submitted, c pending. */

	T_OK(state_run_begin(st, "apply", 0, run2, &err) == 0);
	T_OK(strcmp(run1, run2) != 0);
	T_OK(state_journal_unfinished(st, run2, &list, &err) == 0);
	T_EQ_INT(list.n, 2);
	T_EQ_INT(list.v[0].id, b);
	T_EQ_INT(list.v[0].status, STATE_ACTION_SUBMITTED);
	T_EQ_STR(list.v[0].job_url, "https://x/jobs/2");
	T_EQ_STR(list.v[0].detail, "{\"snapshot\":\"aa\"}");
	T_EQ_STR(list.v[0].action, "import:west/P");
	T_EQ_INT(list.v[1].status, STATE_ACTION_PENDING);
	T_OK(list.v[1].job_url == NULL);
	state_actions_release(&list);

	T_OK(state_journal_adopt(st, b, run2, &err) == 0);
	T_OK(state_journal_finish(
	         st, b, STATE_ACTION_FAILED, "job failed", &err) == 0);
	T_OK(
	    state_journal_finish(st, c, STATE_ACTION_SKIPPED, NULL, &err) == 0);
	T_OK(state_journal_unfinished(st, NULL, &list, &err) == 0);
	T_EQ_INT(list.n, 0);
	/* A finished action cannot be adopted. */
	T_EQ_INT(state_journal_adopt(st, b, run2, &err), -1);
	T_EQ_INT(err.code, ERR_NOTFOUND);

	T_OK(state_journal_list(st, run2, &list, &err) == 0);
	T_EQ_INT(list.n, 1);
	T_EQ_STR(list.v[0].resumed_from, run1);
	T_EQ_STR(list.v[0].error, "job failed");
	T_OK(list.v[0].finished_at > 0);
	state_actions_release(&list);
	T_OK(state_journal_list(st, NULL, &list, &err) == 0);
	T_EQ_INT(list.n, 1); /* the last run is run2 */
	state_actions_release(&list);
	T_OK(state_journal_list(st, run1, &list, &err) == 0);
	T_EQ_INT(list.n, 2);
	state_actions_release(&list);

	T_OK(state_run_finish(st, run2, "failed", &err) == 0);
	T_EQ_INT(state_run_finish(st, "nope", "failed", &err), -1);
	T_EQ_INT(state_journal_submitted(st, 999, "u", &err), -1);
	T_EQ_INT(err.code, ERR_NOTFOUND);
	T_EQ_INT(
	    state_journal_finish(st, a, STATE_ACTION_PENDING, NULL, &err), -1);
	state_close(st);
}

/* ------------------------------------------------------------------ */

static void
test_lock_conflicts_and_is_released(void)
{
	struct state *a = open_new(), *b = NULL;
	struct state_lock held, other, cur;
	struct err err = { 0 };
	char pid[32];

	T_OK(a != NULL);
	T_OK(state_open(&b, path, 0, &err) == 0);
	T_OK(state_lock_acquire(a, "apply", 0, NULL, &held, NULL, &err) == 0);
	T_EQ_INT(strlen(held.id), 32);
	T_EQ_INT(held.pid, getpid());
	T_EQ_INT(
	    state_lock_acquire(b, "apply", 0, NULL, &other, NULL, &err), -1);
	T_EQ_INT(err.code, ERR_LOCKED);
	snprintf(pid, sizeof(pid), "pid %ld", (long)getpid());
	T_CONTAINS(err.msg, pid);
	T_CONTAINS(err.msg, held.id);
	T_CONTAINS(err.msg, "apply since");
	T_OK(state_lock_get(b, &cur, &err) == 0);
	T_EQ_STR(cur.id, held.id);

	T_OK(state_lock_release(a, &err) == 0);
	T_OK(
	    state_lock_acquire(b, "restore", 0, NULL, &other, NULL, &err) == 0);
	T_OK(strcmp(other.id, held.id) != 0);
	/* Closing the holder releases its lock. */
	state_close(b);
	T_OK(state_lock_get(a, &cur, &err) == 0);
	T_EQ_STR(cur.id, "");
	state_close(a);
}

static void
test_lock_waits_up_to_the_timeout(void)
{
	struct state *a = open_new(), *b = NULL;
	struct state_lock held, other;
	struct err err = { 0 };
	struct timespec t0, t1;
	long ms;

	T_OK(a != NULL);
	T_OK(state_open(&b, path, 0, &err) == 0);
	T_OK(state_lock_acquire(a, "apply", 0, NULL, &held, NULL, &err) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	T_EQ_INT(
	    state_lock_acquire(b, "apply", 300, NULL, &other, NULL, &err), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	T_EQ_INT(err.code, ERR_LOCKED);
	T_OK(ms >= 250);
	T_OK(ms < 5000);
	state_close(b);
	state_close(a);
}

static void
test_lock_wait_succeeds_when_the_holder_lets_go(void)
{
	struct state *a = open_new();
	struct state_lock held;
	struct err err = { 0 };
	int status = 0;
	pid_t pid;

	T_OK(a != NULL);
	T_OK(state_lock_acquire(a, "apply", 0, NULL, &held, NULL, &err) == 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct state *b = NULL;
		struct state_lock mine;

		if (state_open(&b, path, 0, &err) != 0 ||
		    state_lock_acquire(
		        b, "apply", 5000, NULL, &mine, NULL, &err) != 0)
			_exit(1);
		state_close(b);
		_exit(0);
	}
	T_OK(pid > 0);
	nanosleep(&(struct timespec){ 0, 300 * 1000 * 1000 }, NULL);
	T_OK(state_lock_release(a, &err) == 0);
	T_OK(waitpid(pid, &status, 0) == pid);
	T_OK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	state_close(a);
}

static void
test_lock_of_a_dead_process_is_taken_over(void)
{
	struct state *a = open_new();
	struct state_lock held, replaced, cur;
	struct err err = { 0 };
	int status = 0;
	pid_t pid;

	T_OK(a != NULL);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct state *b = NULL;
		struct state_lock mine;

		if (state_open(&b, path, 0, &err) != 0 ||
		    state_lock_acquire(
		        b, "apply", 0, NULL, &mine, NULL, &err) != 0)
			_exit(1);
		_exit(0); /* dies holding the lock */
	}
	T_OK(pid > 0);
	T_OK(waitpid(pid, &status, 0) == pid);
	T_OK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	T_OK(state_lock_get(a, &cur, &err) == 0);
	T_EQ_INT(cur.pid, pid);
	T_OK(state_lock_acquire(a, "apply", 0, NULL, &held, &replaced, &err) ==
	    0);
	T_EQ_INT(replaced.pid, pid);
	T_EQ_STR(replaced.id, cur.id);
	T_EQ_INT(held.pid, getpid());
	state_close(a);
}

static void
test_force_unlock_needs_the_lock_id(void)
{
	struct state *a = open_new(), *b = NULL;
	struct state_lock held, cur;
	struct err err = { 0 };

	T_OK(a != NULL);
	T_OK(state_open(&b, path, 0, &err) == 0);
	T_EQ_INT(state_force_unlock(b, "00", &err), -1);
	T_CONTAINS(err.msg, "is not locked");
	T_OK(state_lock_acquire(a, "apply", 0, NULL, &held, NULL, &err) == 0);
	T_EQ_INT(state_force_unlock(b, "0123", &err), -1);
	T_EQ_INT(err.code, ERR_NOTFOUND);
	T_CONTAINS(err.msg, held.id);
	T_OK(state_force_unlock(b, held.id, &err) == 0);
	T_OK(state_lock_get(b, &cur, &err) == 0);
	T_EQ_STR(cur.id, "");
	T_OK(state_lock_acquire(b, "apply", 0, NULL, &cur, NULL, &err) == 0);
	state_close(b);
	state_close(a);
}

static void
test_no_table_has_a_secret_column(void)
{
	static const char *const bad[] = { "key", "secret", "token", "password",
		"credential" };
	struct state *st = open_new();
	sqlite3_stmt *stmt = NULL;
	const char *name;
	size_t i;
	int found = 0, cols = 0;

	T_OK(st != NULL);
	T_OK(sqlite3_prepare_v2(state_db(st),
	         "SELECT p.name FROM sqlite_master m, "
	         "pragma_table_info(m.name) p WHERE m.type = 'table'",
	         -1, &stmt, NULL) == SQLITE_OK);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(stmt, 0);
		cols++;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			if (strstr(name, bad[i]) != NULL &&
			    strcmp(name, "lock_id") != 0)
				found = 1;
	}
	sqlite3_finalize(stmt);
	state_close(st);
	T_OK(cols > 20);
	T_EQ_INT(found, 0);
}

int
main(void)
{
	T_RUN(test_new_file_is_0600_in_a_0700_directory);
	T_RUN(test_new_file_has_id_version_and_revision_zero);
	T_RUN(test_reopen_keeps_what_was_written);
	T_RUN(test_missing_file_without_create_is_notfound);
	T_RUN(test_corrupt_file_is_refused_and_unchanged);
	T_RUN(test_truncated_file_is_refused_and_unchanged);
	T_RUN(test_foreign_database_is_refused_and_unchanged);
	T_RUN(test_database_without_application_id_is_foreign);
	T_RUN(test_newer_file_is_refused_and_unchanged);
	T_RUN(test_default_path_is_beside_the_config);
	T_RUN(test_refresh_replaces_a_resource_and_lists_changes);
	T_RUN(test_refresh_put_twice_keeps_the_last);
	T_RUN(test_refresh_abort_writes_nothing);
	T_RUN(test_unreachable_resource_keeps_rows_and_is_stale);
	T_RUN(test_addresses_round_trip);
	T_RUN(test_replication_records_bump_the_revision);
	T_RUN(test_list_trained_reads_every_record_sorted);
	T_RUN(test_journal_lifecycle_and_resume);
	T_RUN(test_lock_conflicts_and_is_released);
	T_RUN(test_lock_waits_up_to_the_timeout);
	T_RUN(test_lock_wait_succeeds_when_the_holder_lets_go);
	T_RUN(test_lock_of_a_dead_process_is_taken_over);
	T_RUN(test_force_unlock_needs_the_lock_id);
	T_RUN(test_no_table_has_a_secret_column);
	fresh_dir(); /* removes the last one */
	rmdir(tmpdir);
	return t_done();
}
