/* finetune.c - files and fine-tuning jobs on an Azure OpenAI account's
 * data plane.  Requests, credentials and timers come from lib/arm (the
 * data plane is JSON over the same bearer/api-key scheme); this file adds
 * the bodies, the multipart upload and the two polls (file processed, job
 * finished).  Unknown job statuses keep the poll going: the v1 API has
 * states (paused, ...) the 2024-10-21 enum does not list. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "arm.h"
#include "config.h"
#include "finetune.h"
#include "http.h"
#include "timeutil.h"

struct finetune {
	struct finetune_opts o;
	struct arm *a;
};

/* ---- pure -------------------------------------------------------------- */

static const cJSON *
field(const cJSON *j, const char *name)
{
	return cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, name)
	                         : NULL;
}

static int
get_str(const cJSON *j, const char *path, const char *name, char **out,
    struct err *err)
{
	const cJSON *v = field(j, name);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return err_set(
		    err, ERR_HTTP, "%s.%s: expected a string", path, name);
	if ((*out = strdup(v->valuestring)) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	return 0;
}

static int
get_ll(const cJSON *j, const char *path, const char *name, long long *out,
    struct err *err)
{
	const cJSON *v = field(j, name);

	*out = -1;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v))
		return err_set(
		    err, ERR_HTTP, "%s.%s: expected a number", path, name);
	*out = (long long)v->valuedouble;
	return 0;
}

void
finetune_file_release(struct finetune_file *f)
{
	if (f == NULL)
		return;
	free(f->id);
	free(f->status);
	free(f->filename);
	free(f->purpose);
	free(f->status_details);
	memset(f, 0, sizeof(*f));
}

int
finetune_file_parse(const cJSON *j, struct finetune_file *f, struct err *err)
{
	memset(f, 0, sizeof(*f));
	if (!cJSON_IsObject(j))
		return err_set(err, ERR_HTTP, "file: expected an object");
	if (get_str(j, "file", "id", &f->id, err) != 0 ||
	    get_str(j, "file", "status", &f->status, err) != 0 ||
	    get_str(j, "file", "filename", &f->filename, err) != 0 ||
	    get_str(j, "file", "purpose", &f->purpose, err) != 0 ||
	    get_str(j, "file", "status_details", &f->status_details, err) !=
	        0 ||
	    get_ll(j, "file", "bytes", &f->bytes, err) != 0 ||
	    get_ll(j, "file", "created_at", &f->created_at, err) != 0)
		goto fail;
	if (f->id == NULL) {
		err_set(err, ERR_HTTP, "file.id: missing");
		goto fail;
	}
	return 0;
fail:
	finetune_file_release(f);
	return -1;
}

static const char *const status_names[] = { "unknown", "created", "pending",
	"validating_files", "queued", "running", "paused", "succeeded",
	"failed", "cancelled" };

enum finetune_status
finetune_status_parse(const char *s)
{
	if (s == NULL)
		return FINETUNE_UNKNOWN;
	for (size_t i = 1; i < sizeof(status_names) / sizeof(*status_names);
	     i++)
		if (strcasecmp(s, status_names[i]) == 0)
			return (enum finetune_status)i;
	if (strcasecmp(s, "canceled") == 0)
		return FINETUNE_CANCELLED;
	return FINETUNE_UNKNOWN;
}

const char *
finetune_status_name(enum finetune_status s)
{
	return (size_t)s < sizeof(status_names) / sizeof(*status_names)
	    ? status_names[s]
	    : "unknown";
}

int
finetune_status_terminal(enum finetune_status s)
{
	return s == FINETUNE_SUCCEEDED || s == FINETUNE_FAILED ||
	    s == FINETUNE_CANCELLED;
}

void
finetune_job_release(struct finetune_job *j)
{
	if (j == NULL)
		return;
	free(j->id);
	free(j->status_str);
	free(j->model);
	free(j->fine_tuned_model);
	free(j->training_file);
	free(j->validation_file);
	free(j->suffix);
	free(j->error_code);
	free(j->error_message);
	memset(j, 0, sizeof(*j));
}

int
finetune_job_parse(const cJSON *j, struct finetune_job *job, struct err *err)
{
	const cJSON *e;

	memset(job, 0, sizeof(*job));
	if (!cJSON_IsObject(j))
		return err_set(err, ERR_HTTP, "job: expected an object");
	e = field(j, "error");
	if (get_str(j, "job", "id", &job->id, err) != 0 ||
	    get_str(j, "job", "status", &job->status_str, err) != 0 ||
	    get_str(j, "job", "model", &job->model, err) != 0 ||
	    get_str(j, "job", "fine_tuned_model", &job->fine_tuned_model,
	        err) != 0 ||
	    get_str(j, "job", "training_file", &job->training_file, err) != 0 ||
	    get_str(j, "job", "validation_file", &job->validation_file, err) !=
	        0 ||
	    get_str(j, "job", "suffix", &job->suffix, err) != 0 ||
	    get_ll(j, "job", "created_at", &job->created_at, err) != 0 ||
	    get_ll(j, "job", "finished_at", &job->finished_at, err) != 0 ||
	    (cJSON_IsObject(e) &&
	        (get_str(e, "job.error", "code", &job->error_code, err) != 0 ||
	            get_str(e, "job.error", "message", &job->error_message,
	                err) != 0)))
		goto fail;
	if (job->id == NULL) {
		err_set(err, ERR_HTTP, "job.id: missing");
		goto fail;
	}
	job->status = finetune_status_parse(job->status_str);
	return 0;
fail:
	finetune_job_release(job);
	return -1;
}

int
finetune_job_body(
    const struct finetune_job_opts *o, struct buf *out, struct err *err)
{
	int hp = o->n_epochs > 0 || o->batch_size > 0 ||
	    o->learning_rate_multiplier > 0;

	if (o->model == NULL || o->training_file == NULL)
		return err_set(err, ERR_SPEC,
		    "finetune: a job needs a model and a training file");
	if (o->suffix != NULL) {
		size_t n = strlen(o->suffix);
		int bad = n > 40;

		for (size_t i = 0; i < n && !bad; i++)
			bad = !isalnum((unsigned char)o->suffix[i]) &&
			    o->suffix[i] != '-' && o->suffix[i] != '_';
		if (bad)
			return err_set(err, ERR_SPEC,
			    "finetune: suffix '%.60s' must be up to 40 of "
			    "[A-Za-z0-9_-]",
			    o->suffix);
	}
	buf_addstr(out, "{\"model\":\"");
	buf_addjson(out, o->model);
	buf_addstr(out, "\",\"training_file\":\"");
	buf_addjson(out, o->training_file);
	buf_addch(out, '"');
	if (o->validation_file != NULL) {
		buf_addstr(out, ",\"validation_file\":\"");
		buf_addjson(out, o->validation_file);
		buf_addch(out, '"');
	}
	if (o->suffix != NULL) {
		buf_addstr(out, ",\"suffix\":\"");
		buf_addjson(out, o->suffix);
		buf_addch(out, '"');
	}
	if (o->has_seed)
		buf_addf(out, ",\"seed\":%lld", o->seed);
	if (hp) {
		const char *sep = "";

		buf_addstr(out, ",\"hyperparameters\":{");
		if (o->n_epochs > 0) {
			buf_addf(out, "\"n_epochs\":%d", o->n_epochs);
			sep = ",";
		}
		if (o->batch_size > 0) {
			buf_addf(
			    out, "%s\"batch_size\":%d", sep, o->batch_size);
			sep = ",";
		}
		if (o->learning_rate_multiplier > 0)
			buf_addf(out, "%s\"learning_rate_multiplier\":%.17g",
			    sep, o->learning_rate_multiplier);
		buf_addch(out, '}');
	}
	buf_addch(out, '}');
	return buf_check(out, err, "finetune: building the job body");
}

void
finetune_job_opts_from_config(const struct config_finetune *c,
    const char *training_file, const char *validation_file,
    struct finetune_job_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->model = c->base_model;
	o->training_file = training_file;
	o->validation_file = validation_file;
	o->suffix = c->suffix;
	o->n_epochs = c->n_epochs;
	o->batch_size = c->batch_size;
	o->learning_rate_multiplier = c->learning_rate_multiplier;
	o->has_seed = c->has_seed;
	o->seed = c->seed;
}

static int
contains(const char *data, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; n <= len && i <= len - n; i++)
		if (data[i] == needle[0] && memcmp(data + i, needle, n) == 0)
			return 1;
	return 0;
}

int
finetune_multipart(const char *boundary, const char *purpose,
    const char *filename, const char *data, size_t len, struct buf *out,
    char **content_type, struct err *err)
{
	struct buf ct = { .max = 256 };

	*content_type = NULL;
	if (strchr(filename, '"') != NULL || strchr(filename, '\r') != NULL ||
	    strchr(filename, '\n') != NULL)
		return err_set(err, ERR_SPEC,
		    "finetune: file name '%.100s' has quotes or line breaks",
		    filename);
	/* The boundary must not occur in the data. */
	if (contains(data, len, boundary))
		return err_set(err, ERR_SPEC,
		    "finetune: the multipart boundary occurs in the file");
	buf_addf(out,
	    "--%s\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n"
	    "%s\r\n--%s\r\nContent-Disposition: form-data; name=\"file\"; "
	    "filename=\"%s\"\r\nContent-Type: application/octet-stream\r\n\r\n",
	    boundary, purpose, boundary, filename);
	buf_add(out, data, len);
	buf_addf(out, "\r\n--%s--\r\n", boundary);
	buf_addf(&ct, "multipart/form-data; boundary=%s", boundary);
	if (buf_check(out, err, "finetune: building the upload") != 0 ||
	    buf_check(&ct, err, "finetune: building the upload") != 0) {
		buf_release(&ct);
		return -1;
	}
	*content_type = buf_take(&ct);
	return 0;
}

/* ---- client ------------------------------------------------------------ */

int
finetune_new(
    struct finetune **out, const struct finetune_opts *opts, struct err *err)
{
	struct finetune *ft;
	struct arm_opts ao = { 0 };

	*out = NULL;
	if (opts->endpoint == NULL)
		return err_set(err, ERR_SPEC, "finetune: no endpoint");
	if ((ft = calloc(1, sizeof(*ft))) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	ft->o = *opts;
	if (ft->o.poll_initial_ms <= 0)
		ft->o.poll_initial_ms = 5000;
	if (ft->o.poll_max_ms <= 0)
		ft->o.poll_max_ms = 60000;
	if (ft->o.file_timeout_ms <= 0)
		ft->o.file_timeout_ms = 3600L * 1000;
	if (ft->o.job_timeout_ms <= 0)
		ft->o.job_timeout_ms = 24L * 3600 * 1000;
	if (ft->o.poll_max_failures <= 0)
		ft->o.poll_max_failures = 5;
	ao.endpoint = opts->endpoint;
	ao.api_version = opts->api_version ? opts->api_version
	                                   : FINETUNE_DEFAULT_API_VERSION;
	ao.http = opts->http;
	ao.auth = opts->auth;
	ao.pace_key = opts->pace_key ? opts->pace_key : opts->endpoint;
	ao.name = "finetune";
	ao.now_ms = opts->now_ms;
	ao.clock_arg = opts->clock_arg;
	if (arm_new(&ft->a, &ao, err) != 0) {
		free(ft);
		return -1;
	}
	*out = ft;
	return 0;
}

void
finetune_free(struct finetune *ft)
{
	if (ft == NULL)
		return;
	arm_free(ft->a);
	free(ft);
}

struct arm *
finetune_arm(struct finetune *ft)
{
	return ft->a;
}

static long long
mono(const struct finetune *ft)
{
	return ft->o.now_ms ? ft->o.now_ms(ft->o.clock_arg)
	                    : timeutil_mono_ms();
}

enum what {
	W_FILE,
	W_JOB
};

struct fcall {
	struct finetune *ft;
	enum what what;
	char *id;    /* polls */
	int polling; /* 1: keep reading until terminal */
	long next_ms;
	long long deadline;
	int failures;
	finetune_file_fn fcb;
	finetune_job_fn jcb, progress;
	void *arg;
};

static void
fcall_free(struct fcall *c)
{
	if (c == NULL)
		return;
	free(c->id);
	free(c);
}

static void
fcall_fail(struct fcall *c, const struct err *e)
{
	if (c->what == W_FILE)
		c->fcb(c->arg, NULL, e);
	else
		c->jcb(c->arg, NULL, e);
	fcall_free(c);
}

static void fcall_read(void *arg);

/* Waits and reads again, or fails at the deadline. */
static void
fcall_again(struct fcall *c, const char *state, const struct err *why)
{
	struct err e = { 0 };
	long wait = c->next_ms;

	if (mono(c->ft) >= c->deadline) {
		if (why != NULL)
			e = *why;
		else
			err_set(&e, ERR_HTTP,
			    "still %s at the deadline (%lld s)",
			    state ? state : "unread",
			    (c->what == W_FILE ? c->ft->o.file_timeout_ms
			                       : c->ft->o.job_timeout_ms) /
			        1000LL);
		err_wrap(&e, "finetune: %s %s",
		    c->what == W_FILE ? "file" : "job", c->id);
		fcall_fail(c, &e);
		return;
	}
	if (mono(c->ft) + wait > c->deadline)
		wait = (long)(c->deadline - mono(c->ft));
	c->next_ms = c->next_ms * 2 > c->ft->o.poll_max_ms
	    ? c->ft->o.poll_max_ms
	    : c->next_ms * 2;
	if (arm_after(c->ft->a, wait, fcall_read, c, &e) != 0)
		fcall_fail(c, &e);
}

static void
status_error(const char *method, const struct arm_resp *r, struct err *e)
{
	const char *url = r->http && r->http->url ? r->http->url : "";

	err_set(e, r->status == 404 ? ERR_NOTFOUND : ERR_HTTP,
	    "finetune: %s %.*s: %ld%s%s%s%s", method, (int)strcspn(url, "?"),
	    url, r->status, r->code ? ": " : "", r->code ? r->code : "",
	    r->message ? ": " : "", r->message ? r->message : "");
}

static void
fcall_done(void *arg, const struct arm_resp *r, const struct err *terr)
{
	struct fcall *c = arg;
	struct err e = { 0 };
	struct finetune_file f;
	struct finetune_job j;

	if (terr != NULL || r->status >= 500 || r->status == 429) {
		if (terr != NULL)
			e = *terr;
		else
			status_error(c->id ? "GET" : "POST", r, &e);
		/* A failed read of a running job is retried, never answered
		 * by creating the job again. */
		if (c->polling && ++c->failures <= c->ft->o.poll_max_failures) {
			fcall_again(c, NULL, &e);
			return;
		}
		fcall_fail(c, &e);
		return;
	}
	c->failures = 0;
	if (r->status != 200 && r->status != 201) {
		status_error(c->id ? "GET" : "POST", r, &e);
		if (c->id != NULL)
			err_wrap(&e, "%s %s",
			    c->what == W_FILE ? "file" : "job", c->id);
		fcall_fail(c, &e);
		return;
	}
	if (c->what == W_FILE) {
		if (finetune_file_parse(r->json, &f, &e) != 0) {
			err_wrap(&e, "finetune: response");
			fcall_fail(c, &e);
			return;
		}
		if (c->polling && f.status != NULL &&
		    (strcasecmp(f.status, "error") == 0 ||
		        strcasecmp(f.status, "deleted") == 0 ||
		        strcasecmp(f.status, "deleting") == 0)) {
			err_set(&e, ERR_HTTP, "finetune: file %s is %s%s%.300s",
			    f.id, f.status, f.status_details ? ": " : "",
			    f.status_details ? f.status_details : "");
			finetune_file_release(&f);
			fcall_fail(c, &e);
			return;
		}
		if (c->polling &&
		    (f.status == NULL ||
		        strcasecmp(f.status, "processed") != 0)) {
			char st[32];

			snprintf(
			    st, sizeof(st), "%s", f.status ? f.status : "?");
			finetune_file_release(&f);
			fcall_again(c, st, NULL);
			return;
		}
		c->fcb(c->arg, &f, NULL);
		finetune_file_release(&f);
		fcall_free(c);
		return;
	}
	if (finetune_job_parse(r->json, &j, &e) != 0) {
		err_wrap(&e, "finetune: response");
		fcall_fail(c, &e);
		return;
	}
	if (c->progress != NULL)
		c->progress(c->arg, &j, NULL);
	if (c->polling && !finetune_status_terminal(j.status)) {
		char st[32];

		snprintf(
		    st, sizeof(st), "%s", j.status_str ? j.status_str : "?");
		finetune_job_release(&j);
		fcall_again(c, st, NULL);
		return;
	}
	if (c->polling && j.status != FINETUNE_SUCCEEDED) {
		err_set(&e, ERR_HTTP, "finetune: job %s ended %s%s%s%s%.300s",
		    j.id, j.status_str, j.error_code ? ": " : "",
		    j.error_code ? j.error_code : "",
		    j.error_message ? ": " : "",
		    j.error_message ? j.error_message : "");
		finetune_job_release(&j);
		fcall_fail(c, &e);
		return;
	}
	if (c->polling && j.fine_tuned_model == NULL) {
		err_set(&e, ERR_HTTP,
		    "finetune: job %s succeeded without a fine_tuned_model",
		    j.id);
		finetune_job_release(&j);
		fcall_fail(c, &e);
		return;
	}
	c->jcb(c->arg, &j, NULL);
	finetune_job_release(&j);
	fcall_free(c);
}

static void
fcall_read(void *arg)
{
	struct fcall *c = arg;
	struct buf url = { .max = 2048 };
	struct arm_req rq = { .method = "GET" };
	struct err e = { 0 };

	buf_addstr(&url,
	    c->what == W_FILE ? "/openai/files/" : "/openai/fine_tuning/jobs/");
	buf_addurlenc(&url, c->id);
	if (buf_check(&url, &e, "finetune: building the URL") != 0) {
		fcall_fail(c, &e);
		return;
	}
	rq.url = buf_str(&url);
	if (arm_request(c->ft->a, &rq, fcall_done, c, &e) != 0)
		fcall_done(c, NULL, &e);
	buf_release(&url);
}

static struct fcall *
fcall_new(struct finetune *ft, enum what what, const char *id, int polling,
    struct err *err)
{
	struct fcall *c;

	if (id != NULL && id[0] == '\0') {
		err_set(err, ERR_SPEC, "finetune: empty id");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (id != NULL && (c->id = strdup(id)) == NULL)) {
		free(c);
		err_set(err, ERR_NOMEM, "out of memory");
		return NULL;
	}
	c->ft = ft;
	c->what = what;
	c->polling = polling;
	c->next_ms = ft->o.poll_initial_ms;
	c->deadline = mono(ft) +
	    (what == W_FILE ? ft->o.file_timeout_ms : ft->o.job_timeout_ms);
	return c;
}

/* One read now (the first of a poll too): errors before queueing are
 * returned, not called back. */
static int
fcall_start_read(struct fcall *c, struct err *err)
{
	struct buf url = { .max = 2048 };
	struct arm_req rq = { .method = "GET" };
	int rc;

	buf_addstr(&url,
	    c->what == W_FILE ? "/openai/files/" : "/openai/fine_tuning/jobs/");
	buf_addurlenc(&url, c->id);
	if (buf_check(&url, err, "finetune: building the URL") != 0) {
		fcall_free(c);
		return -1;
	}
	rq.url = buf_str(&url);
	rc = arm_request(c->ft->a, &rq, fcall_done, c, err);
	buf_release(&url);
	if (rc != 0)
		fcall_free(c);
	return rc;
}

int
finetune_file_get(struct finetune *ft, const char *id, finetune_file_fn cb,
    void *arg, struct err *err)
{
	struct fcall *c = fcall_new(ft, W_FILE, id, 0, err);

	if (c == NULL)
		return -1;
	c->fcb = cb;
	c->arg = arg;
	return fcall_start_read(c, err);
}

int
finetune_file_wait(struct finetune *ft, const char *id, finetune_file_fn cb,
    void *arg, struct err *err)
{
	struct fcall *c = fcall_new(ft, W_FILE, id, 1, err);

	if (c == NULL)
		return -1;
	c->fcb = cb;
	c->arg = arg;
	return fcall_start_read(c, err);
}

int
finetune_job_get(struct finetune *ft, const char *id, finetune_job_fn cb,
    void *arg, struct err *err)
{
	struct fcall *c = fcall_new(ft, W_JOB, id, 0, err);

	if (c == NULL)
		return -1;
	c->jcb = cb;
	c->arg = arg;
	return fcall_start_read(c, err);
}

int
finetune_job_poll(struct finetune *ft, const char *id, finetune_job_fn progress,
    finetune_job_fn cb, void *arg, struct err *err)
{
	struct fcall *c = fcall_new(ft, W_JOB, id, 1, err);

	if (c == NULL)
		return -1;
	c->jcb = cb;
	c->progress = progress;
	c->arg = arg;
	return fcall_start_read(c, err);
}

static int
post(struct finetune *ft, struct fcall *c, const char *path, const char *body,
    size_t len, const char *ctype, struct err *err)
{
	struct arm_req rq = { .method = "POST",
		.url = path,
		.body = body,
		.body_len = len,
		.content_type = ctype };

	if (arm_request(ft->a, &rq, fcall_done, c, err) != 0) {
		fcall_free(c);
		return -1;
	}
	return 0;
}

int
finetune_file_upload(struct finetune *ft, const char *filename,
    const char *data, size_t len, finetune_file_fn cb, void *arg,
    struct err *err)
{
	struct buf body = { .max = 512L * 1024 * 1024 };
	char *ctype = NULL, boundary[64];
	struct fcall *c;
	int rc = -1;

	/* Derived from the data, so the same file gets the same body. */
	{
		unsigned long h = 5381;

		for (size_t i = 0; i < len; i++)
			h = h * 33 + (unsigned char)data[i];
		snprintf(
		    boundary, sizeof(boundary), "standby-%016lx-%zu", h, len);
	}
	if (finetune_multipart(boundary, "fine-tune", filename, data, len,
	        &body, &ctype, err) != 0 ||
	    (c = fcall_new(ft, W_FILE, NULL, 0, err)) == NULL)
		goto out;
	c->fcb = cb;
	c->arg = arg;
	rc = post(ft, c, "/openai/files", body.data, body.len, ctype, err);
out:
	buf_release(&body);
	free(ctype);
	return rc;
}

int
finetune_job_create(struct finetune *ft, const struct finetune_job_opts *o,
    finetune_job_fn cb, void *arg, struct err *err)
{
	struct buf body = { .max = 8192 };
	struct fcall *c;
	int rc = -1;

	if (finetune_job_body(o, &body, err) != 0 ||
	    (c = fcall_new(ft, W_JOB, NULL, 0, err)) == NULL)
		goto out;
	c->jcb = cb;
	c->arg = arg;
	rc = post(ft, c, "/openai/fine_tuning/jobs", body.data, body.len,
	    "application/json", err);
out:
	buf_release(&body);
	return rc;
}

/* ---- blocking forms ---------------------------------------------------- */

struct fwait {
	int done, failed;
	struct finetune_file f;
	struct finetune_job j;
	struct err e;
};

static void
fw_file(void *arg, struct finetune_file *f, const struct err *e)
{
	struct fwait *w = arg;

	w->done = 1;
	if (e != NULL) {
		w->failed = 1;
		w->e = *e;
		return;
	}
	w->f = *f;
	memset(f, 0, sizeof(*f));
}

static void
fw_job(void *arg, struct finetune_job *j, const struct err *e)
{
	struct fwait *w = arg;

	w->done = 1;
	if (e != NULL) {
		w->failed = 1;
		w->e = *e;
		return;
	}
	w->j = *j;
	memset(j, 0, sizeof(*j));
}

static int
fw_run(struct finetune *ft, struct fwait *w, struct err *err)
{
	while (!w->done)
		if (arm_run(ft->a, -1, err) != 0)
			return -1;
	if (w->failed) {
		*err = w->e;
		return -1;
	}
	return 0;
}

int
finetune_file_upload_wait(struct finetune *ft, const char *filename,
    const char *data, size_t len, struct finetune_file *out, struct err *err)
{
	struct fwait w = { 0 };

	memset(out, 0, sizeof(*out));
	if (finetune_file_upload(ft, filename, data, len, fw_file, &w, err) !=
	        0 ||
	    fw_run(ft, &w, err) != 0)
		return -1;
	*out = w.f;
	return 0;
}

int
finetune_file_wait_wait(struct finetune *ft, const char *id,
    struct finetune_file *out, struct err *err)
{
	struct fwait w = { 0 };

	memset(out, 0, sizeof(*out));
	if (finetune_file_wait(ft, id, fw_file, &w, err) != 0 ||
	    fw_run(ft, &w, err) != 0)
		return -1;
	*out = w.f;
	return 0;
}

int
finetune_job_create_wait(struct finetune *ft, const struct finetune_job_opts *o,
    struct finetune_job *out, struct err *err)
{
	struct fwait w = { 0 };

	memset(out, 0, sizeof(*out));
	if (finetune_job_create(ft, o, fw_job, &w, err) != 0 ||
	    fw_run(ft, &w, err) != 0)
		return -1;
	*out = w.j;
	return 0;
}

int
finetune_job_poll_wait(struct finetune *ft, const char *id,
    struct finetune_job *out, struct err *err)
{
	struct fwait w = { 0 };

	memset(out, 0, sizeof(*out));
	if (finetune_job_poll(ft, id, NULL, fw_job, &w, err) != 0 ||
	    fw_run(ft, &w, err) != 0)
		return -1;
	*out = w.j;
	return 0;
}
