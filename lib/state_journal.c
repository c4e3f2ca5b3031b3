/*
 * state_journal.c - the records apply keeps in the state file: what each
 * replica was built from, the journal of runs and actions, and the lock.
 *
 * An intent, written before the request that changes Azure, is committed
 * with synchronous=FULL: after a crash, even of the machine, the journal
 * must never say less than Azure was asked to do, or a resumed apply
 * would start a second job.  What follows a request (its job URL, its
 * outcome, a replication or trained record) is committed without waiting
 * for the disk: in WAL mode a synced commit makes every earlier commit
 * durable too, so a power cut can lose only the newest of those rows, and
 * a resumed apply recovers them from the intent, by polling the job again
 * or by checking live state.  A process that is killed loses nothing.
 *
 * The lock is a single-row table changed inside BEGIN IMMEDIATE, so
 * checking and taking it is one atomic step for every process that opens
 * the file, and it needs no lock file beside it.
 */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "state_int.h"

/* Runs one prepared write in its own transaction. */
static int
plain_step(struct state *st, sqlite3_stmt *stmt, const char *what, int *changes,
    struct err *err)
{
	if (sqlite3_step(stmt) != SQLITE_DONE)
		return state_sqlerr(st, err, what);
	if (changes != NULL)
		*changes = sqlite3_changes(st->db);
	return 0;
}

/* Runs one prepared write durably in its own transaction. */
static int
durable_step(struct state *st, sqlite3_stmt *stmt, const char *what,
    int *changes, struct err *err)
{
	int rc;

	if (state_durable(st, 1, err) != 0)
		return -1;
	rc = plain_step(st, stmt, what, changes, err);
	state_durable(st, 0, NULL);
	return rc;
}

static int
nomem(struct err *err)
{
	return err_set(err, ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------------------ */
/* Replication records                                                 */

/* Runs sql and bumps the revision, in one transaction (not synced: it
 * follows a request, see above). */
static int
write_record(struct state *st, sqlite3_stmt *stmt, struct err *err)
{
	int rc = -1;

	if (state_begin(st, err) != 0)
		goto out;
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		state_sqlerr(st, err, "writing a replication record");
		goto out;
	}
	if (state_bump_revision(st, err) != 0 || state_commit(st, err) != 0)
		goto out;
	rc = 0;
out:
	state_rollback(st);
	return rc;
}

int
state_put_replication(
    struct state *st, const struct state_replication *rec, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (state_prepare(st, &stmt,
	        "INSERT OR REPLACE INTO replications (replica_resource, "
	        "project, source_resource, snapshot, source_modified, "
	        "replica_modified, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, rec->replica_resource);
	state_bind_text(stmt, 2, rec->project);
	state_bind_text(stmt, 3, rec->source_resource);
	state_bind_text(stmt, 4, rec->snapshot);
	state_bind_text(stmt, 5, rec->source_modified);
	state_bind_text(stmt, 6, rec->replica_modified);
	sqlite3_bind_int64(stmt, 7, state_now());
	rc = write_record(st, stmt, err);
	sqlite3_finalize(stmt);
	return rc;
}

#define REPL_COLS                                                              \
	"replica_resource, project, source_resource, snapshot, "               \
	"source_modified, replica_modified, imported_at"

static int
read_replication(sqlite3_stmt *stmt, struct state_replication *r)
{
	memset(r, 0, sizeof(*r));
	r->imported_at = sqlite3_column_int64(stmt, 6);
	if (state_coldup(stmt, 0, &r->replica_resource) != 0 ||
	    state_coldup(stmt, 1, &r->project) != 0 ||
	    state_coldup(stmt, 2, &r->source_resource) != 0 ||
	    state_coldup(stmt, 3, &r->snapshot) != 0 ||
	    state_coldup(stmt, 4, &r->source_modified) != 0 ||
	    state_coldup(stmt, 5, &r->replica_modified) != 0) {
		state_replication_release(r);
		return -1;
	}
	return 0;
}

int
state_get_replication(struct state *st, const char *replica_resource,
    const char *project, struct state_replication *out, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;

	memset(out, 0, sizeof(*out));
	if (state_prepare(st, &stmt,
	        "SELECT " REPL_COLS " FROM replications "
	        "WHERE replica_resource = ?1 AND project = ?2",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, replica_resource);
	state_bind_text(stmt, 2, project);
	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE)
		err_set(err, ERR_NOTFOUND, "no replication record for '%s/%s'",
		    replica_resource, project);
	else if (step != SQLITE_ROW)
		state_sqlerr(st, err, "reading replication records");
	else if (read_replication(stmt, out) != 0)
		nomem(err);
	else
		rc = 0;
	sqlite3_finalize(stmt);
	return rc;
}

int
state_list_replications(
    struct state *st, struct state_replications *out, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	struct state_replication *v;
	size_t cap = 0;
	int rc = -1, step;

	memset(out, 0, sizeof(*out));
	if (state_prepare(st, &stmt,
	        "SELECT " REPL_COLS " FROM replications "
	        "ORDER BY replica_resource, project",
	        err) != 0)
		return -1;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			v = realloc(out->v, cap * sizeof(*v));
			if (v == NULL) {
				nomem(err);
				goto out;
			}
			out->v = v;
		}
		if (read_replication(stmt, &out->v[out->n]) != 0) {
			nomem(err);
			goto out;
		}
		out->n++;
	}
	if (step != SQLITE_DONE) {
		state_sqlerr(st, err, "reading replication records");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	if (rc != 0)
		state_replications_release(out);
	return rc;
}

int
state_put_trained(
    struct state *st, const struct state_trained *rec, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (state_prepare(st, &stmt,
	        "INSERT OR REPLACE INTO trained_models (replica_resource, "
	        "project, label, snapshot, trained_at) VALUES (?, ?, ?, ?, ?)",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, rec->replica_resource);
	state_bind_text(stmt, 2, rec->project);
	state_bind_text(stmt, 3, rec->label);
	state_bind_text(stmt, 4, rec->snapshot);
	sqlite3_bind_int64(stmt, 5, state_now());
	rc = write_record(st, stmt, err);
	sqlite3_finalize(stmt);
	return rc;
}

static int
read_trained(sqlite3_stmt *stmt, struct state_trained *t)
{
	memset(t, 0, sizeof(*t));
	t->trained_at = sqlite3_column_int64(stmt, 4);
	if (state_coldup(stmt, 0, &t->replica_resource) != 0 ||
	    state_coldup(stmt, 1, &t->project) != 0 ||
	    state_coldup(stmt, 2, &t->label) != 0 ||
	    state_coldup(stmt, 3, &t->snapshot) != 0) {
		state_trained_release(t);
		return -1;
	}
	return 0;
}

int
state_get_trained(struct state *st, const char *replica_resource,
    const char *project, const char *label, struct state_trained *out,
    struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;

	memset(out, 0, sizeof(*out));
	if (state_prepare(st, &stmt,
	        "SELECT replica_resource, project, label, snapshot, trained_at "
	        "FROM trained_models WHERE replica_resource = ?1 AND "
	        "project = ?2 AND label = ?3",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, replica_resource);
	state_bind_text(stmt, 2, project);
	state_bind_text(stmt, 3, label);
	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE) {
		err_set(err, ERR_NOTFOUND, "no trained model '%s/%s/models/%s'",
		    replica_resource, project, label);
		goto out;
	}
	if (step != SQLITE_ROW) {
		state_sqlerr(st, err, "reading trained models");
		goto out;
	}
	if (read_trained(stmt, out) != 0) {
		nomem(err);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

int
state_list_trained(
    struct state *st, struct state_trained **out, size_t *n, struct err *err)
{
	struct state_trained *v = NULL, *nv;
	sqlite3_stmt *stmt = NULL;
	size_t len = 0, cap = 0, i;
	int rc = -1, step;

	*out = NULL;
	*n = 0;
	if (state_prepare(st, &stmt,
	        "SELECT replica_resource, project, label, snapshot, trained_at "
	        "FROM trained_models ORDER BY replica_resource, project, label",
	        err) != 0)
		return -1;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL) {
				nomem(err);
				goto out;
			}
			v = nv;
		}
		if (read_trained(stmt, &v[len]) != 0) {
			nomem(err);
			goto out;
		}
		len++;
	}
	if (step != SQLITE_DONE) {
		state_sqlerr(st, err, "reading trained models");
		goto out;
	}
	*out = v;
	*n = len;
	v = NULL;
	rc = 0;
out:
	sqlite3_finalize(stmt);
	if (v != NULL) {
		for (i = 0; i < len; i++)
			state_trained_release(&v[i]);
		free(v);
	}
	return rc;
}

void
state_replication_release(struct state_replication *rec)
{
	if (rec == NULL)
		return;
	free(rec->replica_resource);
	free(rec->project);
	free(rec->source_resource);
	free(rec->snapshot);
	free(rec->source_modified);
	free(rec->replica_modified);
	memset(rec, 0, sizeof(*rec));
}

void
state_replications_release(struct state_replications *list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < list->n; i++)
		state_replication_release(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

void
state_trained_release(struct state_trained *rec)
{
	if (rec == NULL)
		return;
	free(rec->replica_resource);
	free(rec->project);
	free(rec->label);
	free(rec->snapshot);
	memset(rec, 0, sizeof(*rec));
}

/* ------------------------------------------------------------------ */
/* Journal                                                             */

static const char *const status_names[] = {
	[STATE_ACTION_PENDING] = "pending",
	[STATE_ACTION_SUBMITTED] = "submitted",
	[STATE_ACTION_SUCCEEDED] = "succeeded",
	[STATE_ACTION_FAILED] = "failed",
	[STATE_ACTION_SKIPPED] = "skipped",
};

const char *
state_action_status_name(enum state_action_status s)
{
	if ((int)s < STATE_ACTION_PENDING || s > STATE_ACTION_SKIPPED)
		return "unknown";
	return status_names[s];
}

static enum state_action_status
status_of(const char *name)
{
	int i;

	for (i = STATE_ACTION_PENDING; i <= STATE_ACTION_SKIPPED; i++)
		if (name != NULL && strcmp(name, status_names[i]) == 0)
			return (enum state_action_status)i;
	return STATE_ACTION_PENDING;
}

static void
hostname(char *out, size_t n)
{
	if (gethostname(out, n) != 0)
		snprintf(out, n, "unknown");
	out[n - 1] = '\0';
}

int
state_run_begin(struct state *st, const char *operation, int64_t plan_revision,
    char run_id[STATE_RUN_ID_SIZE], struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	char host[256], rnd[9];
	time_t now = time(NULL);
	struct tm tm;
	int rc = -1;

	run_id[0] = '\0';
	if (state_random_hex(rnd, 4, err) != 0)
		return -1;
	gmtime_r(&now, &tm);
	strftime(run_id, STATE_RUN_ID_SIZE, "%Y%m%dT%H%M%SZ-", &tm);
	strncat(run_id, rnd, STATE_RUN_ID_SIZE - 1 - strlen(run_id));
	hostname(host, sizeof(host));
	if (state_prepare(st, &stmt,
	        "INSERT INTO runs (id, operation, plan_revision, pid, host, "
	        "started_at) VALUES (?, ?, ?, ?, ?, ?)",
	        err) != 0)
		goto out;
	state_bind_text(stmt, 1, run_id);
	state_bind_text(stmt, 2, operation);
	sqlite3_bind_int64(stmt, 3, plan_revision);
	sqlite3_bind_int64(stmt, 4, (int64_t)getpid());
	state_bind_text(stmt, 5, host);
	sqlite3_bind_int64(stmt, 6, (int64_t)now);
	if (durable_step(st, stmt, "starting a run", NULL, err) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(stmt);
	if (rc != 0)
		run_id[0] = '\0';
	return rc;
}

int
state_run_finish(
    struct state *st, const char *run_id, const char *status, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1, n = 0;

	if (state_prepare(st, &stmt,
	        "UPDATE runs SET status = ?1, finished_at = ?2 WHERE id = ?3",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, status);
	sqlite3_bind_int64(stmt, 2, state_now());
	state_bind_text(stmt, 3, run_id);
	if (durable_step(st, stmt, "ending a run", &n, err) != 0)
		goto out;
	if (n == 0) {
		err_set(
		    err, ERR_NOTFOUND, "no run '%s' in the journal", run_id);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

int
state_journal_intent(struct state *st, const char *run_id, const char *action,
    const char *kind, const char *target, const char *detail, int64_t *id,
    struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int64_t now = state_now();
	int rc = -1;

	*id = 0;
	if (state_prepare(st, &stmt,
	        "INSERT INTO actions (run_id, action, kind, target, detail, "
	        "status, created_at, updated_at) "
	        "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, run_id);
	state_bind_text(stmt, 2, action);
	state_bind_text(stmt, 3, kind);
	state_bind_text(stmt, 4, target);
	state_bind_text(stmt, 5, detail);
	sqlite3_bind_int64(stmt, 6, now);
	sqlite3_bind_int64(stmt, 7, now);
	if (durable_step(st, stmt, "recording an action", NULL, err) != 0)
		goto out;
	*id = sqlite3_last_insert_rowid(st->db);
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

/* Runs an UPDATE of one action bound by the caller, id at index idx. */
static int
update_action(
    struct state *st, sqlite3_stmt *stmt, int64_t id, int idx, struct err *err)
{
	int n = 0;

	sqlite3_bind_int64(stmt, idx, id);
	if (plain_step(st, stmt, "recording an action", &n, err) != 0)
		return -1;
	if (n == 0)
		return err_set(err, ERR_NOTFOUND,
		    "no action %lld in the journal", (long long)id);
	return 0;
}

int
state_journal_submitted(
    struct state *st, int64_t id, const char *job_url, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (state_prepare(st, &stmt,
	        "UPDATE actions SET status = 'submitted', job_url = ?1, "
	        "updated_at = ?2 WHERE id = ?3",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, job_url);
	sqlite3_bind_int64(stmt, 2, state_now());
	rc = update_action(st, stmt, id, 3, err);
	sqlite3_finalize(stmt);
	return rc;
}

int
state_journal_finish(struct state *st, int64_t id,
    enum state_action_status status, const char *error, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int64_t now = state_now();
	int rc;

	if (status != STATE_ACTION_SUCCEEDED && status != STATE_ACTION_FAILED &&
	    status != STATE_ACTION_SKIPPED)
		return err_set(err, ERR_SPEC, "an action cannot finish as '%s'",
		    state_action_status_name(status));
	if (state_prepare(st, &stmt,
	        "UPDATE actions SET status = ?1, error = ?2, updated_at = ?3, "
	        "finished_at = ?3 WHERE id = ?4",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, state_action_status_name(status));
	state_bind_text(stmt, 2, error);
	sqlite3_bind_int64(stmt, 3, now);
	rc = update_action(st, stmt, id, 4, err);
	sqlite3_finalize(stmt);
	return rc;
}

int
state_journal_adopt(
    struct state *st, int64_t id, const char *run_id, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (state_prepare(st, &stmt,
	        "UPDATE actions SET resumed_from = coalesce(resumed_from, "
	        "run_id), run_id = ?1, updated_at = ?2 WHERE id = ?3 AND "
	        "status IN ('pending', 'submitted')",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, run_id);
	sqlite3_bind_int64(stmt, 2, state_now());
	rc = update_action(st, stmt, id, 3, err);
	sqlite3_finalize(stmt);
	return rc;
}

#define ACTION_COLS                                                            \
	"id, run_id, resumed_from, action, kind, target, job_url, detail, "    \
	"status, error, created_at, updated_at, finished_at"

static int
read_action(sqlite3_stmt *stmt, struct state_action *a)
{
	char *status = NULL;

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(stmt, 0);
	a->created_at = sqlite3_column_int64(stmt, 10);
	a->updated_at = sqlite3_column_int64(stmt, 11);
	a->finished_at = sqlite3_column_int64(stmt, 12);
	if (state_coldup(stmt, 1, &a->run_id) != 0 ||
	    state_coldup(stmt, 2, &a->resumed_from) != 0 ||
	    state_coldup(stmt, 3, &a->action) != 0 ||
	    state_coldup(stmt, 4, &a->kind) != 0 ||
	    state_coldup(stmt, 5, &a->target) != 0 ||
	    state_coldup(stmt, 6, &a->job_url) != 0 ||
	    state_coldup(stmt, 7, &a->detail) != 0 ||
	    state_coldup(stmt, 8, &status) != 0 ||
	    state_coldup(stmt, 9, &a->error) != 0) {
		free(status);
		state_action_release(a);
		return -1;
	}
	a->status = status_of(status);
	free(status);
	return 0;
}

static int
list_actions(struct state *st, sqlite3_stmt *stmt, struct state_actions *out,
    struct err *err)
{
	struct state_action *v;
	int step;

	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = realloc(out->v, (out->n + 1) * sizeof(*v));
		if (v == NULL)
			goto nomem;
		out->v = v;
		if (read_action(stmt, &out->v[out->n]) != 0)
			goto nomem;
		out->n++;
	}
	if (step != SQLITE_DONE) {
		state_sqlerr(st, err, "reading the journal");
		state_actions_release(out);
		return -1;
	}
	return 0;
nomem:
	state_actions_release(out);
	return nomem(err);
}

int
state_journal_unfinished(struct state *st, const char *except_run,
    struct state_actions *out, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (state_prepare(st, &stmt,
	        "SELECT " ACTION_COLS " FROM actions WHERE status IN "
	        "('pending', 'submitted') AND (?1 IS NULL OR run_id != ?1) "
	        "ORDER BY id",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, except_run);
	rc = list_actions(st, stmt, out, err);
	sqlite3_finalize(stmt);
	return rc;
}

int
state_journal_list(struct state *st, const char *run_id,
    struct state_actions *out, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (state_prepare(st, &stmt,
	        "SELECT " ACTION_COLS " FROM actions WHERE run_id = "
	        "coalesce(?1, (SELECT id FROM runs ORDER BY started_at DESC, "
	        "rowid DESC LIMIT 1)) ORDER BY id",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, run_id);
	rc = list_actions(st, stmt, out, err);
	sqlite3_finalize(stmt);
	return rc;
}

void
state_action_release(struct state_action *a)
{
	if (a == NULL)
		return;
	free(a->run_id);
	free(a->resumed_from);
	free(a->action);
	free(a->kind);
	free(a->target);
	free(a->job_url);
	free(a->detail);
	free(a->error);
	memset(a, 0, sizeof(*a));
}

void
state_actions_release(struct state_actions *list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < list->n; i++)
		state_action_release(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

/* ------------------------------------------------------------------ */
/* Lock                                                                */

static void
copy(char *dst, size_t n, const unsigned char *src)
{
	snprintf(dst, n, "%s", src != NULL ? (const char *)src : "");
}

/* Reads the lock row, inside the caller's transaction or not. */
static int
read_lock(struct state *st, struct state_lock *out, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;

	memset(out, 0, sizeof(*out));
	if (state_prepare(st, &stmt,
	        "SELECT lock_id, pid, host, user, operation, since FROM lock "
	        "WHERE id = 1",
	        err) != 0)
		return -1;
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		copy(out->id, sizeof(out->id), sqlite3_column_text(stmt, 0));
		out->pid = (long)sqlite3_column_int64(stmt, 1);
		copy(
		    out->host, sizeof(out->host), sqlite3_column_text(stmt, 2));
		copy(
		    out->user, sizeof(out->user), sqlite3_column_text(stmt, 3));
		copy(out->operation, sizeof(out->operation),
		    sqlite3_column_text(stmt, 4));
		out->since = sqlite3_column_int64(stmt, 5);
	} else if (step != SQLITE_DONE) {
		state_sqlerr(st, err, "reading the lock");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

int
state_lock_get(struct state *st, struct state_lock *out, struct err *err)
{
	return read_lock(st, out, err);
}

static void
username(char *out, size_t n)
{
	const char *u = getenv("USER");
	struct passwd *pw;

	if (u == NULL || u[0] == '\0') {
		pw = getpwuid(getuid());
		u = pw != NULL ? pw->pw_name : "unknown";
	}
	snprintf(out, n, "%s", u);
}

static int
write_lock(struct state *st, const struct state_lock *l, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (state_prepare(st, &stmt,
	        "INSERT OR REPLACE INTO lock (id, lock_id, pid, host, user, "
	        "operation, since) VALUES (1, ?, ?, ?, ?, ?, ?)",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, l->id);
	sqlite3_bind_int64(stmt, 2, l->pid);
	state_bind_text(stmt, 3, l->host);
	state_bind_text(stmt, 4, l->user);
	state_bind_text(stmt, 5, l->operation);
	sqlite3_bind_int64(stmt, 6, l->since);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		state_sqlerr(st, err, "writing the lock");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

static int
holder_is_dead(const struct state_lock *l, const char *host)
{
	if (strcmp(l->host, host) != 0 || l->pid <= 0 ||
	    l->pid == (long)getpid())
		return 0;
	return kill((pid_t)l->pid, 0) != 0 && errno == ESRCH;
}

static void
format_time(char *out, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, n, "%lld", (long long)t);
}

static int
locked_error(struct state *st, const struct state_lock *l, struct err *err)
{
	char since[32];

	format_time(since, sizeof(since), l->since);
	return err_set(err, ERR_LOCKED,
	    "state file '%s' is locked by pid %ld on %s (user %s, %s since "
	    "%s, lock id %s); if that process is gone, run 'standby "
	    "force-unlock %s'",
	    st->path, l->pid, l->host, l->user, l->operation, since, l->id,
	    l->id);
}

/* One attempt: 1 taken, 0 held by a live holder (in *cur), -1 error. */
static int
try_lock(struct state *st, const struct state_lock *mine,
    struct state_lock *cur, struct state_lock *replaced, struct err *err)
{
	int rc = -1;

	if (state_begin(st, err) != 0)
		return -1;
	if (read_lock(st, cur, err) != 0)
		goto out;
	if (cur->id[0] != '\0') {
		if (!holder_is_dead(cur, mine->host)) {
			rc = 0;
			goto out;
		}
		if (replaced != NULL)
			*replaced = *cur;
	}
	if (write_lock(st, mine, err) != 0 || state_commit(st, err) != 0)
		goto out;
	rc = 1;
out:
	state_rollback(st);
	return rc;
}

int
state_lock_acquire(struct state *st, const char *operation, int timeout_ms,
    const volatile sig_atomic_t *interrupted, struct state_lock *held,
    struct state_lock *replaced, struct err *err)
{
	struct timespec nap = { 0, 100 * 1000 * 1000 };
	struct state_lock mine, cur;
	int waited = 0, r, rc = -1;

	memset(held, 0, sizeof(*held));
	if (replaced != NULL)
		memset(replaced, 0, sizeof(*replaced));
	if (st->lock_id[0] != '\0')
		return err_set(err, ERR_LOCKED,
		    "state file '%s': this process already holds the lock %s",
		    st->path, st->lock_id);
	memset(&mine, 0, sizeof(mine));
	if (state_random_hex(mine.id, 16, err) != 0)
		return -1;
	mine.pid = (long)getpid();
	hostname(mine.host, sizeof(mine.host));
	username(mine.user, sizeof(mine.user));
	snprintf(mine.operation, sizeof(mine.operation), "%s", operation);
	mine.since = state_now();

	if (state_durable(st, 1, err) != 0)
		return -1;
	for (;;) {
		r = try_lock(st, &mine, &cur, replaced, err);
		if (r < 0)
			goto out;
		if (r == 1)
			break;
		if (interrupted != NULL && *interrupted) {
			err_set(err, ERR_INTERRUPTED,
			    "interrupted while waiting for the lock of "
			    "state file '%s'",
			    st->path);
			goto out;
		}
		if (waited >= timeout_ms) {
			locked_error(st, &cur, err);
			goto out;
		}
		nanosleep(&nap, NULL);
		waited += 100;
	}
	memcpy(st->lock_id, mine.id, sizeof(st->lock_id));
	*held = mine;
	rc = 0;
out:
	state_durable(st, 0, NULL);
	return rc;
}

int
state_lock_release(struct state *st, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (st->lock_id[0] == '\0')
		return 0;
	if (state_prepare(
	        st, &stmt, "DELETE FROM lock WHERE lock_id = ?1", err) != 0)
		return -1;
	state_bind_text(stmt, 1, st->lock_id);
	if (durable_step(st, stmt, "releasing the lock", NULL, err) != 0)
		goto out;
	st->lock_id[0] = '\0';
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

int
state_force_unlock(struct state *st, const char *lock_id, struct err *err)
{
	struct state_lock cur;
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (state_begin(st, err) != 0)
		return -1;
	if (read_lock(st, &cur, err) != 0)
		goto out;
	if (cur.id[0] == '\0') {
		err_set(err, ERR_NOTFOUND, "state file '%s' is not locked",
		    st->path);
		goto out;
	}
	if (strcmp(cur.id, lock_id) != 0) {
		err_set(err, ERR_NOTFOUND,
		    "state file '%s' is locked with id %s (pid %ld on %s), "
		    "not %s",
		    st->path, cur.id, cur.pid, cur.host, lock_id);
		goto out;
	}
	if (state_prepare(st, &stmt, "DELETE FROM lock WHERE id = 1", err) != 0)
		goto out;
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		state_sqlerr(st, err, "removing the lock");
		goto out;
	}
	if (state_commit(st, err) != 0)
		goto out;
	if (strcmp(st->lock_id, lock_id) == 0)
		st->lock_id[0] = '\0';
	rc = 0;
out:
	sqlite3_finalize(stmt);
	state_rollback(st);
	return rc;
}
