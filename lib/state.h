#ifndef STANDBY_STATE_H
#define STANDBY_STATE_H

/*
 * state.h - the state file: a SQLite cache of what standby last saw and did.
 *
 * It is a cache, not the truth: Azure is the truth for live objects and git
 * for desired ones, so a lost state file is rebuilt by "standby refresh".
 * It holds
 *   - the live objects seen at the last refresh of each resource, and
 *     whether that resource could be read (stale marking);
 *   - replication records: what each replica was last built from;
 *   - the apply journal (runs and their actions);
 *   - the apply lock;
 *   - snapshots of exported projects (lib/snapshot.h).
 *
 * Identity of the file: PRAGMA application_id = STATE_APPLICATION_ID and
 * PRAGMA user_version = the number of the last migration applied
 * (state/NNN_name.sql, compiled in).  A file with another nonzero
 * application_id, or with tables but no application_id, is refused as
 * foreign; one with a higher user_version than this binary knows is
 * refused as newer; one that is not an SQLite database is reported as
 * corrupt.  A refused file is never written: the checks read the header
 * before SQLite opens it for writing.
 *
 * Secrets are never stored: no table has a key, token or credential
 * column, and the JSON columns hold only what the Azure read APIs return
 * (which carries no keys).  Callers must not put request headers there.
 *
 * Times are Unix seconds (int64_t) set by this module from time(NULL);
 * Azure timestamps (lastModifiedDateTime, ...) are kept verbatim as the
 * ISO 8601 strings the service sent.
 *
 * One struct state is used by one thread at a time.
 */

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

/* "SBY1": the PRAGMA application_id of every standby state file. */
#define STATE_APPLICATION_ID 0x53425931

struct state;
struct sqlite3;

/* Flags of state_open. */
enum {
	STATE_OPEN_CREATE = 1, /* create the file (and its directory) if
	                          missing; without it a missing file is
	                          ERR_NOTFOUND */
};

/* Opens the state file at path: creates its parent directory (0700) and
 * the file (0600) when missing and STATE_OPEN_CREATE is given, checks that
 * it is a standby state file this binary can read, and applies the
 * missing migrations (each in its own transaction).  Errors (code
 * ERR_STATEFILE unless said): "state file 'X' is corrupt: ...", "state file
 * 'X' is not a standby state file (application_id 0x...)", "state file 'X'
 * was written by a newer standby (schema N, this binary knows M)",
 * ERR_NOTFOUND "no state file 'X'", ERR_IO when it cannot be created or
 * opened.  On failure *out is NULL and the file is unchanged. */
int state_open(
    struct state **out, const char *path, int flags, struct err *err);

/* Releases the lock if this handle holds it, then closes the file.  NULL
 * does nothing. */
void state_close(struct state *st);

/* The path given to state_open.  Borrowed. */
const char *state_path(const struct state *st);

/* Sets out to the default state path for the configuration file
 * config_path: ".standby/state.db" in the directory holding it
 * ("standby.yaml" -> ".standby/state.db", "ops/sb.yaml" ->
 * "ops/.standby/state.db").  Returns 0, or -1 when memory runs out. */
int state_default_path(
    struct buf *out, const char *config_path, struct err *err);

/* The schema version this binary knows (the last migration's number). */
int state_schema_version(void);

/* The monotonically increasing state revision: every transaction that
 * changes cached live state (refresh with changes, a resource turning
 * stale or fresh) or replication records bumps it.  Plans embed it; apply
 * refuses a plan whose revision is not the current one.  A new file has
 * revision 0. */
int state_revision(struct state *st, int64_t *rev, struct err *err);

/* The underlying connection, for lib/snapshot only. */
struct sqlite3 *state_db(struct state *st);

/* ------------------------------------------------------------------ */
/* Live objects                                                        */

enum state_kind {
	STATE_PROJECT = 1,       /* a Language project */
	STATE_MODEL,             /* a trained model of a project */
	STATE_DEPLOYMENT,        /* a deployment of a project */
	STATE_OPENAI_DEPLOYMENT, /* an Azure OpenAI deployment */
};

/* One live object as seen by refresh.  Strings are NULL when unknown or
 * not applicable to the kind.  In lists returned by this module the
 * strings are owned by the list; in arguments they are borrowed. */
struct state_object {
	enum state_kind kind;
	char *resource; /* the config's resource name ("lang-east") */
	char *project;  /* the project (PROJECT, MODEL, DEPLOYMENT) */
	char *name;     /* PROJECT: the project again; MODEL: the label;
	                   DEPLOYMENT and OPENAI_DEPLOYMENT: the name */
	/* PROJECT */
	char *project_kind;      /* projectKind ("Conversation", ...) */
	char *language;          /* language ("en-us") */
	char *storage_container; /* storageInputContainerName */
	char *last_modified;     /* lastModifiedDateTime */
	/* PROJECT and MODEL */
	char *last_trained; /* lastTrainedDateTime */
	/* PROJECT and DEPLOYMENT */
	char *last_deployed; /* lastDeployedDateTime */
	/* MODEL and DEPLOYMENT */
	char *model_id;   /* modelId */
	char *expiration; /* modelExpirationDate / deploymentExpirationDate */
	/* MODEL */
	char *training_config_version; /* modelTrainingConfigVersion */
	/* any kind: the object's JSON as the read API returned it (for
	 * OPENAI_DEPLOYMENT the whole deployment resource); never a key */
	char *json;
	/* set by this module when read back */
	int64_t refreshed_at; /* when this row was last confirmed */
};

struct state_objects {
	struct state_object *v;
	size_t n;
};

/* Lowercase name of a kind ("project", "model", "deployment",
 * "openai-deployment"). */
const char *state_kind_name(enum state_kind kind);

/* Appends the address of an object to out:
 *   PROJECT            RESOURCE/PROJECT
 *   MODEL              RESOURCE/PROJECT/models/LABEL
 *   DEPLOYMENT         RESOURCE/PROJECT/deployments/NAME
 *   OPENAI_DEPLOYMENT  RESOURCE/deployments/NAME
 * The number of segments tells the kinds apart. */
int state_object_address(struct buf *out, const struct state_object *obj);

/* Parses an address made by state_object_address into obj (kind,
 * resource, project, name, all allocated; release with
 * state_object_release).  ERR_SPEC when it is not an address. */
int state_parse_address(
    struct state_object *obj, const char *addr, struct err *err);

/* Lists the cached objects, ordered by resource, project, kind, name.
 * resource NULL lists every resource; kind 0 lists every kind. */
int state_list_objects(struct state *st, const char *resource,
    enum state_kind kind, struct state_objects *out, struct err *err);

/* Fetches one object by kind, resource, project (NULL for
 * OPENAI_DEPLOYMENT) and name.  ERR_NOTFOUND when not cached. */
int state_get_object(struct state *st, enum state_kind kind,
    const char *resource, const char *project, const char *name,
    struct state_object *out, struct err *err);

/* Frees the strings of obj and zeroes it. */
void state_object_release(struct state_object *obj);

/* Frees a list and zeroes it. */
void state_objects_release(struct state_objects *list);

/* ------------------------------------------------------------------ */
/* Refresh: replace what one resource holds, and say what changed       */

/* A resource as last refreshed. */
struct state_resource {
	char *name;
	int64_t refreshed_at; /* the last good read; 0 = never */
	int64_t stale_since;  /* 0 = fresh; else the first failed read */
	char *stale_error;    /* why the last read failed, or NULL */
};

struct state_resources {
	struct state_resource *v;
	size_t n;
};

enum state_change_type {
	STATE_ADDED = 1,
	STATE_REMOVED,
	STATE_MODIFIED,
};

/* One difference between the previous and the new contents of a
 * resource. */
struct state_change {
	enum state_change_type type;
	enum state_kind kind;
	char *resource, *project, *name; /* as in struct state_object */
	char *fields; /* MODIFIED: the changed fields, comma-separated, in
	                 Azure's names ("lastModifiedDateTime,json") */
};

struct state_changes {
	struct state_change *v;
	size_t n;
};

struct state_refresh;

/* Starts replacing the cached objects of one resource.  Nothing is
 * written until state_refresh_commit, so the caller may talk to the
 * network between puts without holding a database lock. */
int state_refresh_begin(struct state *st, struct state_refresh **out,
    const char *resource, struct err *err);

/* Adds one object seen in the resource (obj->resource is ignored: the
 * refresh's resource is used).  Copies obj.  Putting the same key twice
 * keeps the last. */
int state_refresh_put(
    struct state_refresh *r, const struct state_object *obj, struct err *err);

/* In one transaction: makes the resource's cached objects exactly the
 * ones put (adding, updating and deleting rows), sets its refreshed_at to
 * now and clears its stale mark; bumps the revision when anything
 * changed.  Appends the differences to changes (may be NULL), ordered by
 * kind, project, name.  Frees r whatever happens. */
int state_refresh_commit(
    struct state_refresh *r, struct state_changes *changes, struct err *err);

/* Adds an Azure OpenAI account's catalogue (models, usages, fine-tuning
 * jobs) to the refresh (rec->resource is ignored: the refresh's is used),
 * so that state_refresh_commit writes it in the same transaction as the
 * account's deployments.  Copies rec; a second put replaces the first. */
struct state_openai_catalog;
int state_refresh_put_openai_catalog(struct state_refresh *r,
    const struct state_openai_catalog *rec, struct err *err);

/* Discards a refresh without writing.  NULL does nothing. */
void state_refresh_abort(struct state_refresh *r);

/* Records that the resource could not be read: keeps its cached objects
 * and refreshed_at (the last good read), sets stale_since (first failure
 * only) and stale_error (why; must hold no secret).  Bumps the revision
 * when the resource was fresh. */
int state_mark_stale(
    struct state *st, const char *resource, const char *why, struct err *err);

/* Lists the resources ever refreshed, by name. */
int state_list_resources(
    struct state *st, struct state_resources *out, struct err *err);

/* Fetches one resource.  ERR_NOTFOUND when never refreshed. */
int state_get_resource(struct state *st, const char *name,
    struct state_resource *out, struct err *err);

void state_resource_release(struct state_resource *res);
void state_resources_release(struct state_resources *list);
void state_changes_release(struct state_changes *list);

/* ------------------------------------------------------------------ */
/* Replication records                                                 */

/* What a replica project was last built from.  Key: (replica_resource,
 * project). */
struct state_replication {
	char *replica_resource; /* where the copy lives ("lang-west") */
	char *project;
	char *source_resource;  /* where it was exported from */
	char *snapshot;         /* hash of the snapshot imported (hex) */
	char *source_modified;  /* source lastModifiedDateTime at export */
	char *replica_modified; /* replica lastModifiedDateTime right after
	                           our import (to spot changes by hand) */
	int64_t imported_at;    /* set by state_put_replication */
};

struct state_replications {
	struct state_replication *v;
	size_t n;
};

/* A model trained in a replica.  Key: (replica_resource, project,
 * label). */
struct state_trained {
	char *replica_resource;
	char *project;
	char *label;
	char *snapshot;     /* the snapshot the project held when trained */
	int64_t trained_at; /* set by state_put_trained */
};

/* Inserts or replaces a replication record (imported_at = now), durably
 * (synchronous=FULL); bumps the revision. */
int state_put_replication(
    struct state *st, const struct state_replication *rec, struct err *err);

/* ERR_NOTFOUND when the replica has no record. */
int state_get_replication(struct state *st, const char *replica_resource,
    const char *project, struct state_replication *out, struct err *err);

/* All records, by replica resource and project. */
int state_list_replications(
    struct state *st, struct state_replications *out, struct err *err);

/* Inserts or replaces what a replica's model was trained from
 * (trained_at = now), durably; bumps the revision. */
int state_put_trained(
    struct state *st, const struct state_trained *rec, struct err *err);

/* ERR_NOTFOUND when no such model was recorded. */
int state_get_trained(struct state *st, const char *replica_resource,
    const char *project, const char *label, struct state_trained *out,
    struct err *err);

/* Every trained-model record in one query, sorted by replica resource,
 * project and label (byte order, as strcmp()): *out has *n records (free
 * each with state_trained_release(), then free(*out)); on failure *out is
 * NULL and *n 0. */
int state_list_trained(
    struct state *st, struct state_trained **out, size_t *n, struct err *err);

void state_replication_release(struct state_replication *rec);
void state_replications_release(struct state_replications *list);
void state_trained_release(struct state_trained *rec);

/* ------------------------------------------------------------------ */
/* Azure OpenAI: catalogues and fine-tuned models (migration 002)      */

/* What refresh read about one account beside its deployments.  Each
 * JSON string is the array of items the service listed, or NULL when that
 * part was not read. */
struct state_openai_catalog {
	char *resource;       /* the config's resource name */
	char *region;         /* the region the models and usages are of */
	char *models;         /* locations/{region}/models items */
	char *usages;         /* locations/{region}/usages items */
	char *finetunes;      /* the account's fine-tuning jobs (data plane) */
	int64_t refreshed_at; /* set by state_put_openai_catalog */
};

struct state_openai_catalogs {
	struct state_openai_catalog *v;
	size_t n;
};

/* Inserts or replaces the catalogue of rec->resource (refreshed_at =
 * now); bumps the revision when models, usages or finetunes changed, since
 * plan's pre-flight reads them. */
int state_put_openai_catalog(
    struct state *st, const struct state_openai_catalog *rec, struct err *err);

/* Every catalogue, by resource. */
int state_list_openai_catalogs(
    struct state *st, struct state_openai_catalogs *out, struct err *err);

/* A fine-tuned model standby trained.  Key: (resource, key). */
struct state_finetuned {
	char *resource;         /* the account */
	char *key;              /* the openai: key of standby.yaml */
	char *data_hash;        /* plan's after.data_hash */
	char *settings_hash;    /* plan's after.settings_hash */
	char *fine_tuned_model; /* the job's fine_tuned_model */
	char *job_id;           /* the job, or NULL */
	int64_t trained_at;     /* set by state_put_finetuned */
};

struct state_finetuneds {
	struct state_finetuned *v;
	size_t n;
};

/* Inserts or replaces a record (trained_at = now), durably; bumps the
 * revision. */
int state_put_finetuned(
    struct state *st, const struct state_finetuned *rec, struct err *err);

/* ERR_NOTFOUND when (resource, key) has no record. */
int state_get_finetuned(struct state *st, const char *resource, const char *key,
    struct state_finetuned *out, struct err *err);

/* Every record, by resource and key. */
int state_list_finetuned(
    struct state *st, struct state_finetuneds *out, struct err *err);

void state_openai_catalog_release(struct state_openai_catalog *rec);
void state_openai_catalogs_release(struct state_openai_catalogs *list);
void state_finetuned_release(struct state_finetuned *rec);
void state_finetuneds_release(struct state_finetuneds *list);

/* ------------------------------------------------------------------ */
/* Apply journal                                                       */

/* Run ids are "YYYYMMDDTHHMMSSZ-" and 8 hex digits: sortable, unique. */
#define STATE_RUN_ID_SIZE 32

enum state_action_status {
	STATE_ACTION_PENDING = 1, /* intent recorded; the request may or may
	                             not have reached Azure */
	STATE_ACTION_SUBMITTED,   /* accepted (202); job_url is known */
	STATE_ACTION_SUCCEEDED,
	STATE_ACTION_FAILED,
	STATE_ACTION_SKIPPED, /* not run: a dependency failed */
};

struct state_action {
	int64_t id;         /* row id: the handle for later updates */
	char *run_id;       /* the run that owns it now */
	char *resumed_from; /* the run that started it, when resumed */
	char *action;       /* the plan's action id ("import:lang-west/P") */
	char *kind;         /* "export", "import", "train", "deploy", ... */
	char *target;       /* an address ("lang-west/P") */
	char *job_url;      /* Operation-Location, or NULL before the 202 */
	char *detail; /* caller's JSON (e.g. the snapshot hash), or NULL */
	enum state_action_status status;
	char *error;                                 /* FAILED: why */
	int64_t created_at, updated_at, finished_at; /* finished 0 = not */
};

struct state_actions {
	struct state_action *v;
	size_t n;
};

/* Lowercase name of a status ("pending", "submitted", ...). */
const char *state_action_status_name(enum state_action_status s);

/* Starts a run: writes its row and fills run_id (STATE_RUN_ID_SIZE bytes).
 * operation is "apply", "restore", ...; plan_revision the revision the
 * plan was made from. */
int state_run_begin(struct state *st, const char *operation,
    int64_t plan_revision, char run_id[STATE_RUN_ID_SIZE], struct err *err);

/* Ends a run with a status word ("succeeded", "failed", "interrupted"). */
int state_run_finish(
    struct state *st, const char *run_id, const char *status, struct err *err);

/* Records, durably (synchronous=FULL), the intent to run an action before
 * its request is sent: status PENDING.  detail may be NULL.  Sets *id. */
int state_journal_intent(struct state *st, const char *run_id,
    const char *action, const char *kind, const char *target,
    const char *detail, int64_t *id, struct err *err);

/* Records, durably, that the request was accepted and its job URL: status
 * SUBMITTED.  ERR_NOTFOUND for an unknown id. */
int state_journal_submitted(
    struct state *st, int64_t id, const char *job_url, struct err *err);

/* Records, durably, how the action ended: SUCCEEDED, FAILED (error says
 * why; no secrets) or SKIPPED.  ERR_NOTFOUND for an unknown id. */
int state_journal_finish(struct state *st, int64_t id,
    enum state_action_status status, const char *error, struct err *err);

/* Lists actions still PENDING or SUBMITTED in runs other than except_run
 * (may be NULL), oldest first: what a new apply must resume (poll the
 * job_url it has) rather than start again. */
int state_journal_unfinished(struct state *st, const char *except_run,
    struct state_actions *out, struct err *err);

/* Moves an unfinished action into run_id (resumed_from keeps the run
 * that started it), so it is finished by the resuming run. */
int state_journal_adopt(
    struct state *st, int64_t id, const char *run_id, struct err *err);

/* Lists a run's actions in the order they were recorded; run_id NULL
 * lists the last run's. */
int state_journal_list(struct state *st, const char *run_id,
    struct state_actions *out, struct err *err);

void state_action_release(struct state_action *a);
void state_actions_release(struct state_actions *list);

/* ------------------------------------------------------------------ */
/* The lock: one apply per state file                                  */

#define STATE_LOCK_ID_SIZE 33 /* 32 hex digits and a NUL */

struct state_lock {
	char id[STATE_LOCK_ID_SIZE]; /* "" when nobody holds it */
	long pid;
	char host[256];
	char user[64];
	char operation[64]; /* "apply", "restore", ... */
	int64_t since;
};

/* Takes the lock for operation, atomically (one row updated in a BEGIN
 * IMMEDIATE transaction).  When another process holds it: a holder on
 * this host whose pid no longer exists (kill(pid, 0) fails with ESRCH) is
 * replaced (its lock copied to *replaced when not NULL; replaced->id is ""
 * otherwise); else it retries every 100 ms for up to timeout_ms (0 = fail
 * at once) or until *interrupted (may be NULL) becomes nonzero, then
 * fails with ERR_LOCKED naming the holder (pid, host, user, operation,
 * since, lock id) or ERR_INTERRUPTED.  Fills *held with our lock.  Two
 * handles in one process conflict like two processes. */
int state_lock_acquire(struct state *st, const char *operation, int timeout_ms,
    const volatile sig_atomic_t *interrupted, struct state_lock *held,
    struct state_lock *replaced, struct err *err);

/* Releases the lock this handle holds; does nothing when it holds none. */
int state_lock_release(struct state *st, struct err *err);

/* Reads who holds the lock (out->id "" when nobody). */
int state_lock_get(struct state *st, struct state_lock *out, struct err *err);

/* Removes the lock whatever process holds it, if its id is lock_id
 * (ERR_NOTFOUND otherwise, naming the current holder): for a lock left by
 * a process on another host that is gone. */
int state_force_unlock(struct state *st, const char *lock_id, struct err *err);

#endif
