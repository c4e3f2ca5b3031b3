/* langwait.c - the blocking forms of the Language client: each submits
 * the asynchronous operation and runs the client until it has ended.
 * They share language.h with the asynchronous calls (one module, two
 * files, to stay readable). */
#include <stdlib.h>
#include <string.h>

#include "language.h"

struct waiter {
	int done;
	struct err err;
	int failed;
	void *out; /* where the result goes */
	char *job_url;
	language_job_fn progress;
	void *progress_arg;
	struct language_job *final;
	language_write_fn write;
	void *write_arg;
};

static void
fail(struct waiter *w, const struct err *e)
{
	w->failed = 1;
	w->err = *e;
}

/* Each callback takes the result's contents (see language.h). */
#define TAKER(name, type)                                                      \
	static void name(void *arg, struct type *r, const struct err *e)       \
	{                                                                      \
		struct waiter *w = arg;                                        \
                                                                               \
		w->done = 1;                                                   \
		if (e != NULL) {                                               \
			fail(w, e);                                            \
			return;                                                \
		}                                                              \
		*(struct type *)w->out = *r;                                   \
		memset(r, 0, sizeof(*r));                                      \
	}

TAKER(take_projects, language_projects)
TAKER(take_project, language_project)
TAKER(take_models, language_models)
TAKER(take_deployments, language_deployments)
TAKER(take_tcvs, language_tcvs)

static void
take_started(void *arg, const char *job_url, const struct err *e)
{
	struct waiter *w = arg;

	w->done = 1;
	if (e != NULL) {
		fail(w, e);
		return;
	}
	if ((w->job_url = strdup(job_url)) == NULL) {
		struct err m;

		err_set(&m, ERR_NOMEM, "out of memory");
		fail(w, &m);
	}
}

static void
take_done(void *arg, const struct err *e)
{
	struct waiter *w = arg;

	w->done = 1;
	if (e != NULL)
		fail(w, e);
}

static int
wait_for(struct language *lc, int queued, struct waiter *w, struct err *err)
{
	if (queued != 0)
		return -1;
	while (!w->done) {
		if (language_run(lc, -1, err) != 0)
			return -1;
	}
	if (w->failed) {
		if (err != NULL)
			*err = w->err;
		return -1;
	}
	return 0;
}

int
language_list_projects_wait(struct language *lc, enum language_family family,
    struct language_projects *out, struct err *err)
{
	struct waiter w = { .out = out };

	memset(out, 0, sizeof(*out));
	return wait_for(lc,
	    language_list_projects(lc, family, take_projects, &w, err), &w,
	    err);
}

int
language_get_project_wait(struct language *lc, enum language_family family,
    const char *project, struct language_project *out, struct err *err)
{
	struct waiter w = { .out = out };

	memset(out, 0, sizeof(*out));
	return wait_for(lc,
	    language_get_project(lc, family, project, take_project, &w, err),
	    &w, err);
}

int
language_list_models_wait(struct language *lc, enum language_family family,
    const char *project, struct language_models *out, struct err *err)
{
	struct waiter w = { .out = out };

	memset(out, 0, sizeof(*out));
	return wait_for(lc,
	    language_list_models(lc, family, project, take_models, &w, err), &w,
	    err);
}

int
language_list_deployments_wait(struct language *lc, enum language_family family,
    const char *project, struct language_deployments *out, struct err *err)
{
	struct waiter w = { .out = out };

	memset(out, 0, sizeof(*out));
	return wait_for(lc,
	    language_list_deployments(
	        lc, family, project, take_deployments, &w, err),
	    &w, err);
}

int
language_list_training_config_versions_wait(struct language *lc,
    enum language_family family, const char *project_kind,
    struct language_tcvs *out, struct err *err)
{
	struct waiter w = { .out = out };

	memset(out, 0, sizeof(*out));
	return wait_for(lc,
	    language_list_training_config_versions(
	        lc, family, project_kind, take_tcvs, &w, err),
	    &w, err);
}

static int
started_wait(struct language *lc, int queued, struct waiter *w, char **job_url,
    struct err *err)
{
	if (wait_for(lc, queued, w, err) != 0) {
		free(w->job_url);
		return -1;
	}
	*job_url = w->job_url;
	return 0;
}

int
language_export_start_wait(struct language *lc, enum language_family family,
    const char *project, const struct language_export_opts *opts,
    char **job_url, struct err *err)
{
	struct waiter w = { 0 };

	*job_url = NULL;
	return started_wait(lc,
	    language_export_start(
	        lc, family, project, opts, take_started, &w, err),
	    &w, job_url, err);
}

int
language_import_start_wait(struct language *lc, enum language_family family,
    const char *project, const char *body, size_t body_len, char **job_url,
    struct err *err)
{
	struct waiter w = { 0 };

	*job_url = NULL;
	return started_wait(lc,
	    language_import_start(
	        lc, family, project, body, body_len, take_started, &w, err),
	    &w, job_url, err);
}

int
language_train_start_wait(struct language *lc, enum language_family family,
    const char *project, const struct language_train_opts *opts, char **job_url,
    struct err *err)
{
	struct waiter w = { 0 };

	*job_url = NULL;
	return started_wait(lc,
	    language_train_start(
	        lc, family, project, opts, take_started, &w, err),
	    &w, job_url, err);
}

int
language_deploy_start_wait(struct language *lc, enum language_family family,
    const char *project, const char *deployment, const char *model_label,
    char **job_url, struct err *err)
{
	struct waiter w = { 0 };

	*job_url = NULL;
	return started_wait(lc,
	    language_deploy_start(lc, family, project, deployment, model_label,
	        take_started, &w, err),
	    &w, job_url, err);
}

static void
poll_progress(void *arg, struct language_job *job, const struct err *e)
{
	struct waiter *w = arg;

	if (w->progress != NULL)
		w->progress(w->progress_arg, job, e);
	if (w->final != NULL && job != NULL) {
		language_job_release(w->final);
		*w->final = *job;
		memset(job, 0, sizeof(*job));
	}
}

int
language_poll_wait(struct language *lc, const char *job_url,
    language_job_fn progress, void *arg, struct language_job *final,
    struct err *err)
{
	struct waiter w = {
		.progress = progress, .progress_arg = arg, .final = final
	};

	if (final != NULL)
		memset(final, 0, sizeof(*final));
	return wait_for(lc,
	    language_poll(lc, job_url, poll_progress, take_done, &w, err), &w,
	    err);
}

static int
write_through(void *arg, const char *data, size_t len)
{
	struct waiter *w = arg;

	return w->write(w->write_arg, data, len);
}

int
language_export_result_wait(struct language *lc, const char *result_url,
    language_write_fn write, void *arg, struct err *err)
{
	struct waiter w = { .write = write, .write_arg = arg };

	return wait_for(lc,
	    language_export_result(
	        lc, result_url, write_through, take_done, &w, err),
	    &w, err);
}
