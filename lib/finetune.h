#ifndef STANDBY_FINETUNE_H
#define STANDBY_FINETUNE_H

/*
 * finetune.h - the Azure OpenAI fine-tuning data plane of one account:
 * {endpoint}/openai/files and /openai/fine_tuning/jobs at api-version
 * 2024-10-21 (the newest stable), with the account's bearer token
 * (audience cognitiveservices) or an "api-key" header (auth_opts
 * key_header "api-key").
 *
 * Built on lib/arm's request machinery (auth, api-version, same-origin,
 * timers).  Like lib/language, a job is split in two: finetune_job_create()
 * answers with the job (journal its id), and finetune_job_poll() takes an
 * id, so a resumed apply polls the job it started and never creates a
 * second one.  Uploads are POSTs: never resent once they may have reached
 * the service.
 */

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct arm;
struct auth;
struct cJSON;
struct config_finetune;
struct http;
struct finetune;

#define FINETUNE_DEFAULT_API_VERSION "2024-10-21"

struct finetune_opts {
	const char *endpoint;    /* https://x.openai.azure.com; required */
	const char *api_version; /* default FINETUNE_DEFAULT_API_VERSION */
	struct http *http;       /* borrowed */
	struct auth *auth;       /* borrowed */
	const char *pace_key;    /* NULL = the endpoint */
	long poll_initial_ms;    /* default 5 000 */
	long poll_max_ms;        /* default 60 000 */
	long file_timeout_ms;    /* file processing, default 1 h */
	long job_timeout_ms;     /* a job, default 24 h */
	int poll_max_failures;   /* failed reads in a row, default 5 */
	long long (*now_ms)(void *arg);
	void *clock_arg;
};

/* A file; strings NULL when absent, numbers -1. */
struct finetune_file {
	char *id, *status, *filename, *purpose, *status_details;
	long long bytes, created_at;
};

enum finetune_status {
	FINETUNE_UNKNOWN = 0, /* not known here: treated as still running */
	FINETUNE_CREATED,
	FINETUNE_PENDING,
	FINETUNE_VALIDATING_FILES,
	FINETUNE_QUEUED,
	FINETUNE_RUNNING,
	FINETUNE_PAUSED,
	FINETUNE_SUCCEEDED,
	FINETUNE_FAILED,
	FINETUNE_CANCELLED,
};

struct finetune_job {
	char *id, *status_str, *model, *fine_tuned_model, *training_file,
	    *validation_file, *suffix;
	enum finetune_status status;
	char *error_code, *error_message;
	long long created_at, finished_at; /* -1 absent */
};

/* What to train: the FineTuningJobCreation body.  Zero numbers are left
 * out (the service picks). */
struct finetune_job_opts {
	const char *model;         /* base model; required */
	const char *training_file; /* file id; required */
	const char *validation_file;
	const char *suffix;
	int n_epochs, batch_size;
	double learning_rate_multiplier;
	int has_seed;
	long long seed;
};

/* ---- pure ---------------------------------------------------------------- */

int finetune_file_parse(
    const struct cJSON *j, struct finetune_file *out, struct err *err);
int finetune_job_parse(
    const struct cJSON *j, struct finetune_job *out, struct err *err);
enum finetune_status finetune_status_parse(const char *s);
const char *finetune_status_name(enum finetune_status s);
/* 1 for succeeded, failed and cancelled. */
int finetune_status_terminal(enum finetune_status s);

/* Appends the job-creation JSON; an error when model or training_file is
 * missing, or the suffix is longer than 40 or not [A-Za-z0-9_-]. */
int finetune_job_body(
    const struct finetune_job_opts *o, struct buf *out, struct err *err);

/* Fills o from the config's fine_tune block and the uploaded file ids
 * (validation_file may be NULL).  o borrows from its arguments. */
void finetune_job_opts_from_config(const struct config_finetune *c,
    const char *training_file, const char *validation_file,
    struct finetune_job_opts *o);

/* Appends a multipart/form-data body (purpose, then file) delimited by
 * boundary; *content_type receives the header value (caller frees). */
int finetune_multipart(const char *boundary, const char *purpose,
    const char *filename, const char *data, size_t len, struct buf *out,
    char **content_type, struct err *err);

/* ---- client -------------------------------------------------------------- */

int finetune_new(
    struct finetune **out, const struct finetune_opts *opts, struct err *err);
void finetune_free(struct finetune *ft);
/* The lib/arm under the client, for arm_run()/arm_tick(); borrowed. */
struct arm *finetune_arm(struct finetune *ft);

/* Results are borrowed for the call; exactly one of them and err is
 * non-NULL. */
typedef void (*finetune_file_fn)(
    void *arg, struct finetune_file *f, const struct err *err);
typedef void (*finetune_job_fn)(
    void *arg, struct finetune_job *j, const struct err *err);

/* POST /files (multipart, purpose=fine-tune): sent once. */
int finetune_file_upload(struct finetune *ft, const char *filename,
    const char *data, size_t len, finetune_file_fn cb, void *arg,
    struct err *err);
int finetune_file_get(struct finetune *ft, const char *id, finetune_file_fn cb,
    void *arg, struct err *err);
/* Polls the file until "processed" (cb gets it) or "error"/"deleted"
 * (an error with status_details), or the file deadline. */
int finetune_file_wait(struct finetune *ft, const char *id, finetune_file_fn cb,
    void *arg, struct err *err);

/* POST /fine_tuning/jobs: sent once; cb gets the new job (its id is what
 * to journal). */
int finetune_job_create(struct finetune *ft, const struct finetune_job_opts *o,
    finetune_job_fn cb, void *arg, struct err *err);
int finetune_job_get(struct finetune *ft, const char *id, finetune_job_fn cb,
    void *arg, struct err *err);
/* Polls job id until it ends: cb gets the job when it succeeded (with
 * fine_tuned_model set), or an error naming the status and the job's
 * error code and message.  progress (may be NULL) sees every read. */
int finetune_job_poll(struct finetune *ft, const char *id,
    finetune_job_fn progress, finetune_job_fn cb, void *arg, struct err *err);

/* The account's fine-tuning jobs, newest first, following has_more/after
 * (at most 1000 pages of 100): cb gets a JSON array of the job objects
 * (borrowed for the call) or an error.  Returns 0 once queued (cb runs
 * exactly once), or -1 with err set. */
typedef void (*finetune_jobs_fn)(
    void *arg, struct cJSON *jobs, const struct err *err);
int finetune_jobs_list(
    struct finetune *ft, finetune_jobs_fn cb, void *arg, struct err *err);

/* ---- blocking forms ------------------------------------------------------
 * *out is the caller's (release it). */
int finetune_file_upload_wait(struct finetune *ft, const char *filename,
    const char *data, size_t len, struct finetune_file *out, struct err *err);
int finetune_file_wait_wait(struct finetune *ft, const char *id,
    struct finetune_file *out, struct err *err);
int finetune_job_create_wait(struct finetune *ft,
    const struct finetune_job_opts *o, struct finetune_job *out,
    struct err *err);
int finetune_job_poll_wait(struct finetune *ft, const char *id,
    struct finetune_job *out, struct err *err);

void finetune_file_release(struct finetune_file *f);
void finetune_job_release(struct finetune_job *j);

#endif
