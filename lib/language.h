#ifndef STANDBY_LANGUAGE_H
#define STANDBY_LANGUAGE_H

/*
 * language.h - a typed client for the Azure AI Language authoring API
 * (conversations: CLU and orchestration; text: custom classification and
 * NER), one client per Language resource.
 *
 * Every operation is asynchronous: it is submitted through lib/http with a
 * completion callback that runs from a later http_run() (or
 * language_run()), so refresh and apply can keep many in flight.  The
 * language_*_wait() forms block, for simple callers and tests.
 *
 * Long-running operations (export, import, train, deploy, delete
 * deployment) are split in two: a start call that hands back the job URL
 * (the caller journals it), and polling that takes a job URL, so a resumed
 * apply polls a job started by an earlier process and never resubmits it.
 *
 * Results are plain structs with owned strings.  A callback's result is
 * the library's, freed after the call; a callback that keeps it takes the
 * contents: "mine = *p; memset(p, 0, sizeof(*p));".  Errors read
 * "language: GET https://host/language/...: 404 Not Found: ProjectNotFound:
 * <service message>"; a missing project, model, deployment or job is
 * ERR_NOTFOUND.  Keys and tokens never appear in errors.
 */

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "http.h"

struct auth;
struct http;
struct language;

enum language_family {
	LANGUAGE_CONVERSATIONS, /* analyze-conversations: CLU, orchestration */
	LANGUAGE_TEXT,          /* analyze-text: classification, NER */
};

#define LANGUAGE_DEFAULT_API_VERSION "2023-04-01"

/* Settings of one client; zero fields take the defaults. */
struct language_opts {
	const char *endpoint;    /* https://name.cognitiveservices.azure.com */
	const char *api_version; /* conversations; "2023-04-01" */
	const char *text_api_version; /* text; "2023-04-01" */
	struct http *http;            /* borrowed; required */
	struct auth *auth;            /* borrowed; required */
	const char *pace_key;         /* the resource name; NULL = endpoint */
	int page_size;           /* lists: maxpagesize; 0 = the service's */
	long poll_initial_ms;    /* first poll wait, default 2 000 */
	long poll_max_ms;        /* backoff cap, default 30 000 */
	long poll_timeout_ms;    /* a job's deadline, default 6 h */
	long retry_after_max_ms; /* cap on a Retry-After, default 300 000 */
	int poll_max_failures;   /* failed status GETs in a row, default 5 */
	long long (*now_ms)(void *arg); /* monotonic clock; NULL = real */
	void *clock_arg;
};

/* Project metadata (GET project, list items).  Strings are NULL when the
 * service left the field out; *_at are epoch seconds, 0 when absent. */
struct language_project {
	char *name, *kind, *language, *description, *storage_container;
	int multilingual;            /* 0 or 1 (absent = 0) */
	double confidence_threshold; /* settings; -1 when absent */
	char *created, *last_modified, *last_trained, *last_deployed;
	long long created_at, last_modified_at, last_trained_at,
	    last_deployed_at;
};

struct language_model {
	char *label, *model_id, *last_trained, *expiration_date,
	    *training_config_version;
	long long last_trained_at, expiration_at;
	long duration_s; /* lastTrainingDurationInSeconds, -1 absent */
	int has_snapshot;
};

struct language_deployment {
	char *name, *model_id, *last_trained, *last_deployed, *expiration_date,
	    *training_config_version;
	long long last_trained_at, last_deployed_at, expiration_at;
	/* 2025-11-01 assignedResources (object or array); usually empty */
	char **assigned_ids;
	size_t n_assigned;
};

struct language_tcv {
	char *version, *expiration_date;
	long long expiration_at;
};

/* A list; v has n elements. */
struct language_projects {
	struct language_project *v;
	size_t n;
};
struct language_models {
	struct language_model *v;
	size_t n;
};
struct language_deployments {
	struct language_deployment *v;
	size_t n;
};
struct language_tcvs {
	struct language_tcv *v;
	size_t n;
};

enum language_job_status {
	LANGUAGE_JOB_UNKNOWN = 0, /* a value this client does not know */
	LANGUAGE_JOB_NOT_STARTED,
	LANGUAGE_JOB_RUNNING,
	LANGUAGE_JOB_SUCCEEDED,
	LANGUAGE_JOB_FAILED,
	LANGUAGE_JOB_CANCELLED,
	LANGUAGE_JOB_CANCELLING,
	LANGUAGE_JOB_PARTIALLY_COMPLETED,
};

struct language_msg {
	char *code, *message;
};

/* A job's state (export, import, train, deploy, delete). */
struct language_job {
	char *job_id;
	char *status_str; /* as sent */
	enum language_job_status status;
	char *created, *last_updated, *expiration;
	struct language_msg *errors, *warnings;
	size_t n_errors, n_warnings;
	char *result_url; /* export jobs */
	/* Training jobs: has_training = 1 when "result" was present. */
	int has_training;
	char *model_label, *training_config_version, *training_mode;
	int train_percent, eval_percent; /* -1 absent */
	enum language_job_status train_status, eval_status;
	long retry_after_ms; /* from the response's Retry-After; -1 none */
};

/* What to export: NULL fields are left out of the query. */
struct language_export_opts {
	const char *trained_model_label; /* a model's snapshot, not the draft */
	const char *string_index_type;   /* default "Utf16CodeUnit" */
	const char *asset_kind;
};

struct language_train_opts {
	const char *model_label;   /* required */
	const char *training_mode; /* conversations; default "standard" */
	const char *training_config_version; /* default "latest" */
	/* evaluationOptions: "percentage" or "manual"; NULL = left out */
	const char *evaluation_kind;
	int training_split, testing_split; /* percentage kind; 0 = omitted */
};

/* Creates a client.  Returns 0, or -1 with err set (bad endpoint: it must
 * be https, or http only on a loopback host). */
int language_new(
    struct language **out, const struct language_opts *opts, struct err *err);

/* Frees lc.  Operations still in flight must have ended (http_free() or
 * running until nothing is pending). */
void language_free(struct language *lc);

/* The api-version used for family. */
const char *language_api_version(
    const struct language *lc, enum language_family family);

/* Path segment of a family: "analyze-conversations" or "analyze-text". */
const char *language_family_path(enum language_family family);

/* Builds "{endpoint}/language/authoring/{family}/projects[/{project}]
 * {suffix}?api-version=V{query}" into out (project percent-encoded; suffix
 * and query, e.g. "&top=5", are used verbatim; both may be NULL). */
int language_url(const struct language *lc, enum language_family family,
    const char *project, const char *suffix, const char *query,
    struct buf *out);

/* 1 when url has the same scheme, host (case-insensitively) and port
 * (default ports filled in) as the client's endpoint: the only URLs
 * (nextLink, Operation-Location, resultUrl) credentials are sent to. */
int language_same_origin(const struct language *lc, const char *url);

/* ---- asynchronous operations -------------------------------------------
 * Each returns 0 once queued (cb then runs exactly once, from a later
 * http_run()/language_run(), or before return when the credential must be
 * fetched synchronously and that fails), or -1 with err set and cb never
 * called.  In cb, exactly one of the result and err is non-NULL. */

typedef void (*language_project_fn)(
    void *arg, struct language_project *p, const struct err *err);
typedef void (*language_projects_fn)(
    void *arg, struct language_projects *l, const struct err *err);
typedef void (*language_model_fn)(
    void *arg, struct language_model *m, const struct err *err);
typedef void (*language_models_fn)(
    void *arg, struct language_models *l, const struct err *err);
typedef void (*language_deployment_fn)(
    void *arg, struct language_deployment *d, const struct err *err);
typedef void (*language_deployments_fn)(
    void *arg, struct language_deployments *l, const struct err *err);
typedef void (*language_tcvs_fn)(
    void *arg, struct language_tcvs *l, const struct err *err);
/* A started job: job_url is the absolute Operation-Location. */
typedef void (*language_started_fn)(
    void *arg, const char *job_url, const struct err *err);
typedef void (*language_job_fn)(
    void *arg, struct language_job *job, const struct err *err);
/* Export result bytes, in order; return 0 to go on, -1 to stop (err is
 * then "export result: writer failed"). */
typedef int (*language_write_fn)(void *arg, const char *data, size_t len);
/* The end of a transfer or of polling: err NULL on success. */
typedef void (*language_done_fn)(void *arg, const struct err *err);

/* Lists every project of a family, following nextLink. */
int language_list_projects(struct language *lc, enum language_family family,
    language_projects_fn cb, void *arg, struct err *err);
/* The same, and each page's projects go to page(arg, v, n) as soon as the
 * page arrives, after the next page was asked for (v is borrowed for the
 * call), so that work on the first projects overlaps the listing.  cb
 * still gets the whole list, or the error, at the end. */
typedef void (*language_page_fn)(
    void *arg, const struct language_project *v, size_t n);
int language_list_projects_paged(struct language *lc,
    enum language_family family, language_page_fn page, language_projects_fn cb,
    void *arg, struct err *err);
int language_get_project(struct language *lc, enum language_family family,
    const char *project, language_project_fn cb, void *arg, struct err *err);
int language_list_models(struct language *lc, enum language_family family,
    const char *project, language_models_fn cb, void *arg, struct err *err);
int language_get_model(struct language *lc, enum language_family family,
    const char *project, const char *label, language_model_fn cb, void *arg,
    struct err *err);
int language_list_deployments(struct language *lc, enum language_family family,
    const char *project, language_deployments_fn cb, void *arg,
    struct err *err);
int language_get_deployment(struct language *lc, enum language_family family,
    const char *project, const char *deployment, language_deployment_fn cb,
    void *arg, struct err *err);
/* GET projects/global/training-config-versions; project_kind (e.g.
 * "Conversation") is required for conversations, optional for text. */
int language_list_training_config_versions(struct language *lc,
    enum language_family family, const char *project_kind, language_tcvs_fn cb,
    void *arg, struct err *err);

/* Job starts: each answers with the job URL.  A POST is resent only when
 * it never reached the service (http's policy for POST); PUT and DELETE
 * are idempotent and retried by http.  A transport failure after sending
 * says so: check live state before starting the job again. */
int language_export_start(struct language *lc, enum language_family family,
    const char *project, const struct language_export_opts *opts,
    language_started_fn cb, void *arg, struct err *err);
/* body is the exported project document, sent as is. */
int language_import_start(struct language *lc, enum language_family family,
    const char *project, const char *body, size_t body_len,
    language_started_fn cb, void *arg, struct err *err);
/* Like language_import_start(), but the body is streamed from src (the
 * struct is copied) and never held whole in memory: the call takes src's
 * arg over and calls src->release(src->arg) when it ends, whether it
 * succeeds or fails, this call's failure included.  A 401 retry or an
 * http retry rewinds the source. */
int language_import_start_src(struct language *lc, enum language_family family,
    const char *project, const struct http_body_src *src,
    language_started_fn cb, void *arg, struct err *err);
int language_train_start(struct language *lc, enum language_family family,
    const char *project, const struct language_train_opts *opts,
    language_started_fn cb, void *arg, struct err *err);
int language_deploy_start(struct language *lc, enum language_family family,
    const char *project, const char *deployment, const char *model_label,
    language_started_fn cb, void *arg, struct err *err);
int language_delete_deployment_start(struct language *lc,
    enum language_family family, const char *project, const char *deployment,
    language_started_fn cb, void *arg, struct err *err);

/* One GET of a job's state at job_url (which must share the endpoint's
 * origin).  A completed GET of a failed job is a result, not an error. */
int language_job_get(struct language *lc, const char *job_url,
    language_job_fn cb, void *arg, struct err *err);

/* Polls job_url until the job ends: done(arg, NULL) when it succeeded,
 * done(arg, err) when it failed, was cancelled, partially completed, or
 * the deadline passed (err names the job URL, and the service's first
 * error code and message).  progress (may be NULL) sees every state read,
 * the final one included (borrowed; it may take it).  Waits
 * between polls are timers run by language_tick()/language_run(). */
int language_poll(struct language *lc, const char *job_url,
    language_job_fn progress, language_done_fn done, void *arg,
    struct err *err);

/* GETs an export's resultUrl and hands the body to write in chunks. */
int language_export_result(struct language *lc, const char *result_url,
    language_write_fn write, language_done_fn done, void *arg, struct err *err);

/* Runs the poll timers that are due.  Returns the milliseconds until the
 * next one, or -1 when none is set. */
long language_tick(struct language *lc);

/* Drives the client's http and timers until nothing of lc is pending or
 * timeout_ms passes (-1 = no limit).  Returns 0, or -1 with err set. */
int language_run(struct language *lc, long timeout_ms, struct err *err);

/* ---- the poll state machine (pure; language_poll() uses it) ------------ */

enum language_poll_verdict {
	LANGUAGE_POLL_DONE = 0,    /* succeeded */
	LANGUAGE_POLL_WAIT = 1,    /* not yet: wait *wait_ms and GET again */
	LANGUAGE_POLL_FAILED = -1, /* err set */
};

struct language_poll_state {
	long long deadline_ms; /* on the client's clock */
	long next_ms;          /* the wait after the next non-terminal state */
	int failures;          /* failed GETs in a row */
	int polls;
};

/* Sets up a poll that started at now_ms. */
void language_poll_init(const struct language *lc,
    struct language_poll_state *ps, long long now_ms);

/* Decides what a job state (or a failed status GET: job NULL, get_err
 * set) means at now_ms.  A job failing is never a reason to resubmit it:
 * the verdict is only DONE, WAIT or FAILED. */
enum language_poll_verdict language_poll_step(const struct language *lc,
    struct language_poll_state *ps, const struct language_job *job,
    const struct err *get_err, long long now_ms, long *wait_ms,
    struct err *err);

/* ---- blocking forms ------------------------------------------------------
 * Each runs the operation to its end; *out belongs to the caller (release
 * it with the matching *_release()). */
int language_list_projects_wait(struct language *lc,
    enum language_family family, struct language_projects *out,
    struct err *err);
int language_get_project_wait(struct language *lc, enum language_family family,
    const char *project, struct language_project *out, struct err *err);
int language_list_models_wait(struct language *lc, enum language_family family,
    const char *project, struct language_models *out, struct err *err);
int language_list_deployments_wait(struct language *lc,
    enum language_family family, const char *project,
    struct language_deployments *out, struct err *err);
int language_list_training_config_versions_wait(struct language *lc,
    enum language_family family, const char *project_kind,
    struct language_tcvs *out, struct err *err);
/* Waits for a start call; *job_url is the caller's (free()). */
int language_export_start_wait(struct language *lc, enum language_family family,
    const char *project, const struct language_export_opts *opts,
    char **job_url, struct err *err);
int language_import_start_wait(struct language *lc, enum language_family family,
    const char *project, const char *body, size_t body_len, char **job_url,
    struct err *err);
int language_train_start_wait(struct language *lc, enum language_family family,
    const char *project, const struct language_train_opts *opts, char **job_url,
    struct err *err);
int language_deploy_start_wait(struct language *lc, enum language_family family,
    const char *project, const char *deployment, const char *model_label,
    char **job_url, struct err *err);
/* Polls job_url to its end; progress as for language_poll().  When
 * final is non-NULL it receives the last state read (release it). */
int language_poll_wait(struct language *lc, const char *job_url,
    language_job_fn progress, void *arg, struct language_job *final,
    struct err *err);
int language_export_result_wait(struct language *lc, const char *result_url,
    language_write_fn write, void *arg, struct err *err);

/* ---- ownership ----------------------------------------------------------
 * Each frees the strings inside and zeroes the struct; NULL is fine. */
void language_project_release(struct language_project *p);
void language_model_release(struct language_model *m);
void language_deployment_release(struct language_deployment *d);
void language_tcv_release(struct language_tcv *t);
void language_job_release(struct language_job *j);
void language_projects_release(struct language_projects *l);
void language_models_release(struct language_models *l);
void language_deployments_release(struct language_deployments *l);
void language_tcvs_release(struct language_tcvs *l);

/* "succeeded", "running", ... or "unknown". */
const char *language_job_status_name(enum language_job_status s);

#endif
